"""The driver per backend: which URL, which engine options, and the few statements that differ.

SQLite (aiosqlite) is the embedded default, one file in QA_DATA_DIR. PostgreSQL (asyncpg) is
chosen by QA_DATABASE_URL; `postgresql://` and `postgres://` URLs are taken as asyncpg's.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.store.errors import StoreConfigError

DATABASE_FILE = "qa-bot.sqlite3"
# A locked or unreachable database must fail a write quickly (the member is told), not hold the
# operation for the drivers' defaults (5 s for sqlite, 60 s for asyncpg).
SQLITE_BUSY_TIMEOUT_S = 1.0
PG_CONNECT_TIMEOUT_S = 5.0
PG_COMMAND_TIMEOUT_S = 10.0
PG_POOL_TIMEOUT_S = 10.0


def resolve_url(database_url: str, data_dir: Path) -> URL:
    """The SQLAlchemy URL for QA_DATABASE_URL, or the embedded SQLite file when it is empty."""
    if not database_url:
        return URL.create("sqlite+aiosqlite", database=str(Path(data_dir) / DATABASE_FILE))
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise StoreConfigError("QA_DATABASE_URL is not a database URL (postgresql://user@host/db)") from None
    backend = url.get_backend_name()
    if backend in {"postgresql", "postgres"}:
        return url.set(drivername="postgresql+asyncpg")
    if backend == "sqlite" and url.database:
        return url.set(drivername="sqlite+aiosqlite")
    raise StoreConfigError(
        f"QA_DATABASE_URL must be a postgresql:// URL (or sqlite:///path), got a {url.drivername!r} one"
    )


def create_engine(url: URL) -> AsyncEngine:
    if url.get_backend_name() == "sqlite":
        # No pool: a connection is opened per operation, so nothing (and no driver thread) outlives
        # an operation, and closing the store leaves no handle on the file.
        return create_async_engine(url, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    return create_async_engine(
        url,
        pool_pre_ping=True,  # a pooled connection from before a PostgreSQL restart is replaced, not used
        pool_size=5,
        max_overflow=5,
        pool_timeout=PG_POOL_TIMEOUT_S,
        connect_args={"timeout": PG_CONNECT_TIMEOUT_S, "command_timeout": PG_COMMAND_TIMEOUT_S},
    )


def dialect_insert(dialect_name: str, table: sa.Table):
    """The dialect's INSERT, which has ON CONFLICT (both backends spell it the same way)."""
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)


def insert_ignoring_duplicates(engine: AsyncEngine, table: sa.Table) -> sa.Insert:
    """INSERT that skips rows whose primary key is already there (the dialects spell it differently)."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=list(table.primary_key.columns))


def upsert(engine: AsyncEngine, table: sa.Table, values: dict) -> sa.Insert:
    """INSERT, or UPDATE every non-key column of the row with that primary key."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(values)
    keys = [column.name for column in table.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in values if name not in keys}
    )


def guild_lock(engine: AsyncEngine, guild_id: int) -> sa.TextClause | None:
    """The statement that serialises a guild's quota-checked adds across processes (PostgreSQL);
    SQLite needs none, its writes being serialised within its one process."""
    if engine.dialect.name != "postgresql":
        return None
    return sa.text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=guild_id)


# Advisory lock keys share one bigint space per database; guild ids (positive) key the per-guild
# locks and migrate.MIGRATION_LOCK_KEY is negative, so identify buckets get their own negative range.
_IDENTIFY_LOCK_BASE = -0x7161_6964_0000  # "qaid"
MAX_IDENTIFY_BUCKETS = 0x1_0000  # Discord's max_concurrency is 1, 16, 32 or 64 in practice


def identify_lock_key(bucket: int) -> int:
    if not 0 <= bucket < MAX_IDENTIFY_BUCKETS:
        raise ValueError(f"identify bucket {bucket} out of range")
    return _IDENTIFY_LOCK_BASE - bucket
