"""Announcing a change in the same transaction as the write that makes it.

A change takes the next value of one clock (a row of change_log, incremented in place: on
PostgreSQL its row lock makes concurrent writers take turns, so versions commit in order), records
it as the (guild, kind) row's latest version, and on PostgreSQL sends `pg_notify` — delivered by
the server at commit, never for a rolled-back write. The payload is the guild, the kind and the
version as a short JSON object (PostgreSQL refuses payloads of 8,000 bytes or more; this stays
under 100). SQLite has one process: the store tells its own subscribers after the commit.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import backends
from bot.store.records import CHANGE_KINDS, DIRECT_MESSAGES, Change
from bot.store.schema import change_log

CHANNEL = "qa_bot_changes"
CLOCK = "clock"
_TOMBSTONE = "forgotten:"  # + guild id, under guild 0: the forgotten guild's own rows are gone


def payload(change: Change) -> str:
    return json.dumps({"guild": change.guild_id, "kind": change.kind, "version": change.version}, separators=(",", ":"))


def parse(text: str) -> Change | None:
    """The change a notification carries; None for anything else (never trusted blindly)."""
    try:
        data = json.loads(text)
        change = Change(int(data["guild"]), str(data["kind"]), int(data["version"]))
    except (ValueError, TypeError, KeyError):
        return None
    return change if change.kind in CHANGE_KINDS else None


def _row_key(guild_id: int, kind: str) -> tuple[int, str]:
    if kind == "forgotten":
        return DIRECT_MESSAGES, f"{_TOMBSTONE}{guild_id}"
    return guild_id, kind


def _change(row: sa.Row) -> Change:
    if row.kind.startswith(_TOMBSTONE):
        return Change(int(row.kind.removeprefix(_TOMBSTONE)), "forgotten", int(row.version))
    return Change(int(row.guild_id), row.kind, int(row.version))


async def record(connection: AsyncConnection, guild_id: int, kind: str) -> Change:
    """Give the change the next clock value, log it and (PostgreSQL) notify; call it last in the
    transaction, so the clock's row lock is held for as short a time as possible."""
    if kind not in CHANGE_KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    dialect = connection.dialect.name
    clock = backends.dialect_insert(dialect, change_log).values(guild_id=DIRECT_MESSAGES, kind=CLOCK, version=1)
    clock = clock.on_conflict_do_update(
        index_elements=["guild_id", "kind"], set_={"version": change_log.c.version + 1}
    ).returning(change_log.c.version)
    version = int((await connection.execute(clock)).scalar_one())
    row_guild, row_kind = _row_key(guild_id, kind)
    await connection.execute(
        backends.dialect_insert(dialect, change_log)
        .values(guild_id=row_guild, kind=row_kind, version=version)
        .on_conflict_do_update(index_elements=["guild_id", "kind"], set_={"version": version})
    )
    change = Change(guild_id, kind, version)
    if dialect == "postgresql":
        await connection.execute(
            sa.text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload(change)}
        )
    return change


async def clock(connection: AsyncConnection) -> int:
    query = sa.select(change_log.c.version).where(change_log.c.guild_id == DIRECT_MESSAGES, change_log.c.kind == CLOCK)
    return int((await connection.execute(query)).scalar_one_or_none() or 0)


async def since(connection: AsyncConnection, version: int) -> list[Change]:
    """Every (guild, kind)'s latest change after `version`, oldest first."""
    query = (
        sa.select(change_log)
        .where(change_log.c.version > version, change_log.c.kind != CLOCK)
        .order_by(change_log.c.version)
    )
    return [_change(row) for row in (await connection.execute(query)).all()]


async def forget(connection: AsyncConnection, guild_id: int) -> None:
    """Drop the guild's own change rows (forget_guild leaves no row of it); its tombstone follows."""
    await connection.execute(change_log.delete().where(change_log.c.guild_id == guild_id))
