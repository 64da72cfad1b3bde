"""Bringing a database to the newest schema at start, with Alembic driven from code.

On PostgreSQL the upgrade runs inside a transaction that first takes an advisory lock, so bot
processes starting together queue: the first creates the tables, the others then find them at
the head revision and do nothing. DDL is transactional there, so a failed upgrade leaves nothing.

A schema change is a new file in migrations/versions/ (next number, `down_revision` the previous
one; `batch_alter_table` for SQLite's ALTERs) plus the same change in schema.py: tests/test_store.py
fails on both backends while the two disagree.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Advisory lock keys share one bigint space per database. Guild ids (Discord snowflakes) are
# positive and key the per-guild locks, so the store's own keys are negative.
MIGRATION_LOCK_KEY = -0x7161_6D69_6772  # "qamigr"


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, f"no migrations in {MIGRATIONS}"
    return head


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: sa.Connection) -> None:
    command.upgrade(_config(connection), "head")


async def upgrade(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        await connection.run_sync(_upgrade)
