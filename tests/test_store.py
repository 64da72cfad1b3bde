"""The store's contract, run on both backends by one parametrised fixture: SQLite in a temporary
folder and a real PostgreSQL the session starts (tests/pg.py; `pytest -m postgres` runs those alone).
Then what is backend-specific: SQLite's one-process lock, the URL rules, and bot/feedback.py on top."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import logging
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.database import Database
from bot.feedback import FeedbackStore, Verdict
from bot.settings import Secret, Settings
from bot.store import (
    DIRECT_MESSAGES,
    ArticleExists,
    FeedbackCounts,
    FeedbackEntry,
    Quota,
    QuotaExceeded,
    ServerArticle,
    ServerSettings,
    StoreConfigError,
    StoreInUse,
    StoreUnavailable,
    open_store,
)
from bot.store.backends import resolve_url
from bot.store.migrate import current_revision, head_revision
from bot.store.schema import corpus_versions, metadata
from bot.store.sql_store import SqlStore
from tests.conftest import REPO
from tests.pg import PostgresServer, postgres_server  # noqa: F401  (the session's server fixture)

A, B, C = 111111111111111111, 222222222222222222, 333333333333333333  # snowflake-sized guild ids
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ROOMY = Quota(max_articles=1000, max_bytes=10**9, max_adds_per_hour=1000)


def article(guild_id: int, article_id: str, content: bytes = b"Title\n\nA paragraph.", at: datetime = T0):
    return ServerArticle(guild_id, article_id, f"{article_id}.txt", content, added_by=42, added_at=at)


def verdict_entry(guild_id: int, helpful: bool = True) -> FeedbackEntry:
    return FeedbackEntry(guild_id, 5, 7, "Did it rain?", ("doc#p1", "doc#p2"), helpful, T0)


@dataclass
class Backend:
    name: str
    url: str  # "" is the embedded SQLite file in data_dir
    data_dir: Path
    server: PostgresServer | None = None

    async def open(self) -> SqlStore:
        return await open_store(self.url, self.data_dir)

    @contextlib.contextmanager
    def outage(self) -> Iterator[None]:
        """The database gone: PostgreSQL stopped; SQLite locked by someone else beyond its busy timeout."""
        if self.server is not None:
            self.server.stop()
            try:
                yield
            finally:
                self.server.start()
            return
        locker = sqlite3.connect(self.data_dir / "qa-bot.sqlite3", isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            locker.execute("ROLLBACK")
            locker.close()

    def interrupt(self, statement: str) -> None:
        """Called before a statement inside a transaction: the database fails right there."""
        if self.server is not None:
            self.server.stop("immediate")  # the statement then meets a dead connection
        else:  # what SQLAlchemy raises for a failing SQLite file
            raise sa.exc.OperationalError(statement, None, sqlite3.OperationalError("disk I/O error"))

    def restore(self) -> None:
        if self.server is not None and not self.server.running():
            self.server.start()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def backend(request, tmp_path) -> AsyncIterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", "", tmp_path / "data")
        return
    server = request.getfixturevalue("postgres_server")
    chosen = Backend("postgresql", await server.emptied(), tmp_path, server)
    yield chosen
    chosen.restore()  # a failed outage test must not take the server from the tests after it


@pytest.fixture
async def store(backend) -> AsyncIterator[SqlStore]:
    opened = await backend.open()
    yield opened
    await opened.close()


# Server articles


async def test_an_article_round_trips_with_who_added_it_and_when(store):
    content = "Storm\n\nThe storm made landfall — winds of 120 km/h.".encode()
    await store.add_article(ServerArticle(A, "storm", "Storm Report.md", content, added_by=99, added_at=T0))
    got = await store.get_article(A, "storm")
    assert got == ServerArticle(A, "storm", "Storm Report.md", content, 99, T0)
    (info,) = await store.list_articles(A)
    assert (info.article_id, info.file_name, info.size_bytes, info.added_by, info.added_at) == (
        "storm",
        "Storm Report.md",
        len(content),
        99,
        T0,
    )
    assert await store.read_articles(A) == [got]
    assert (await store.usage(A)).articles == 1 and (await store.usage(A)).total_bytes == len(content)
    assert await store.remove_article(A, "storm") is True
    assert await store.remove_article(A, "storm") is False
    assert await store.get_article(A, "storm") is None and await store.list_articles(A) == []
    assert (await store.usage(A)).articles == 0 and (await store.usage(A)).total_bytes == 0


async def test_articles_are_listed_oldest_first(store):
    for minutes, name in [(5, "b"), (1, "c"), (3, "a")]:
        await store.add_article(article(A, name, at=T0 + timedelta(minutes=minutes)))
    assert [a.article_id for a in await store.list_articles(A)] == ["c", "a", "b"]
    assert [a.article_id for a in await store.read_articles(A)] == ["c", "a", "b"]


async def test_an_article_id_already_used_in_the_server_is_refused(store):
    await store.add_article(article(A, "storm", b"first"))
    with pytest.raises(ArticleExists, match="storm"):
        await store.add_article(article(A, "storm", b"second"), ROOMY)
    assert (await store.get_article(A, "storm")).content == b"first"
    assert await store.adds_since(A, T0 - timedelta(minutes=1)) == 1


async def test_guild_isolation_b_never_sees_a(store):
    await store.add_article(article(A, "shared-name", b"A's text"))
    await store.add_article(article(A, "a-only", b"A's other text"))
    await store.add_article(article(B, "shared-name", b"B's text"))
    await store.set_settings(A, ServerSettings(moderator_role_ids=frozenset({1, 2}), base_corpus=False))
    await store.record_feedback(verdict_entry(A))

    assert [a.article_id for a in await store.list_articles(B)] == ["shared-name"]
    assert (await store.get_article(B, "shared-name")).content == b"B's text"
    assert (await store.get_article(A, "shared-name")).content == b"A's text"
    assert await store.get_article(B, "a-only") is None
    assert [a.content for a in await store.read_articles(B)] == [b"B's text"]
    assert (await store.usage(B)).articles == 1 and (await store.usage(B)).total_bytes == len(b"B's text")
    assert await store.adds_since(B, T0 - timedelta(hours=1)) == 1
    assert await store.get_settings(B) == ServerSettings()
    assert await store.feedback_counts(B) == FeedbackCounts(0, 0)
    assert await store.feedback_counts(A) == FeedbackCounts(1, 0)

    assert await store.remove_article(B, "a-only") is False
    assert await store.remove_article(B, "shared-name") is True
    assert sorted(a.article_id for a in await store.list_articles(A)) == ["a-only", "shared-name"]
    assert await store.list_articles(C) == [] and (await store.usage(C)).articles == 0


# Quotas


async def test_each_quota_refusal_names_its_limit_and_value_and_writes_nothing(store):
    tight = Quota(max_articles=2, max_bytes=100, max_adds_per_hour=50)
    await store.add_article(article(A, "one", b"x" * 40), tight)
    await store.add_article(article(A, "two", b"x" * 40), tight)
    with pytest.raises(QuotaExceeded) as refused:
        await store.add_article(article(A, "three", b"x"), tight)
    assert (refused.value.limit, refused.value.value) == ("articles", 2) and "2 articles" in str(refused.value)

    by_size = Quota(max_articles=10, max_bytes=100, max_adds_per_hour=50)
    await store.add_article(article(A, "three", b"x" * 20), by_size)  # exactly 100 bytes: allowed
    with pytest.raises(QuotaExceeded) as refused:
        await store.add_article(article(A, "four", b"x"), by_size)
    assert (refused.value.limit, refused.value.value) == ("bytes", 100) and "100 bytes" in str(refused.value)

    assert sorted(a.article_id for a in await store.list_articles(A)) == ["one", "three", "two"]
    assert (await store.usage(A)).total_bytes == 100
    assert await store.adds_since(A, T0 - timedelta(hours=1)) == 3
    await store.add_article(article(B, "four", b"x" * 100), by_size)  # B has its own allowance


async def test_the_hourly_add_quota_counts_removed_articles_and_frees_after_an_hour(store):
    hourly = Quota(max_articles=10, max_bytes=10**6, max_adds_per_hour=2)
    await store.add_article(article(A, "one", at=T0), hourly)
    assert await store.remove_article(A, "one")
    await store.add_article(article(A, "two", at=T0 + timedelta(minutes=10)), hourly)
    with pytest.raises(QuotaExceeded) as refused:  # only one article stored, but two adds this hour
        await store.add_article(article(A, "three", at=T0 + timedelta(minutes=20)), hourly)
    assert (refused.value.limit, refused.value.value) == ("adds per hour", 2)
    assert await store.adds_since(A, T0 - timedelta(seconds=1)) == 2
    await store.add_article(article(A, "three", at=T0 + timedelta(minutes=61)), hourly)  # "one" left the window
    assert await store.adds_since(A, T0 + timedelta(minutes=1)) == 2


async def test_concurrent_adds_from_two_tasks_keep_every_add_and_the_quota(backend, store):
    # On PostgreSQL the second task goes through a second store, as a second bot process would.
    other = await backend.open() if backend.name == "postgresql" else store
    try:
        quota = Quota(max_articles=5, max_bytes=10**6, max_adds_per_hour=100)

        async def one_add(target: SqlStore, article_id: str) -> str:
            try:
                await target.add_article(article(A, article_id), quota)
            except QuotaExceeded as refused:
                return refused.limit
            return "added"

        async def burst(target: SqlStore, prefix: str) -> list[str]:
            # All at once, so every add reads the count before any other commits unless the store
            # serialises them: the quota check and the insert must be one step.
            return await asyncio.gather(*(one_add(target, f"{prefix}{i}") for i in range(6)))

        first, second = await asyncio.gather(burst(store, "x"), burst(other, "y"))
        assert sorted(first + second) == ["added"] * 5 + ["articles"] * 7
        assert (await store.usage(A)).articles == 5 and len(await other.list_articles(A)) == 5

        # Without a quota nothing is refused and nothing is lost.
        await asyncio.gather(
            *(store.add_article(article(B, f"b{i}")) for i in range(6)),
            *(other.add_article(article(B, f"c{i}")) for i in range(6)),
        )
        assert len(await store.list_articles(B)) == 12 and (await other.usage(B)).articles == 12
    finally:
        if other is not store:
            await other.close()


# Settings


async def test_settings_default_then_round_trip_per_guild(store):
    assert await store.get_settings(A) == ServerSettings(
        moderator_role_ids=frozenset(), mention_channel_ids=None, base_corpus=True, strictness="normal", cooldown_s=None
    )
    chosen = ServerSettings(
        moderator_role_ids=frozenset({1111111111111111111, 2222222222222222222}),
        mention_channel_ids=frozenset({3333333333333333333}),
        base_corpus=False,
        strictness="strict",
        cooldown_s=2.5,
    )
    await store.set_settings(A, chosen)
    assert await store.get_settings(A) == chosen
    nowhere = ServerSettings(mention_channel_ids=frozenset(), strictness="lenient", cooldown_s=0.0)
    await store.set_settings(A, nowhere)  # an empty channel set (nowhere) is not None (everywhere)
    assert await store.get_settings(A) == nowhere


def test_settings_refuse_unknown_strictness_and_bad_cooldowns():
    with pytest.raises(ValueError, match="strictness"):
        ServerSettings(strictness="loose")
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="cooldown"):
            ServerSettings(cooldown_s=bad)


# Feedback


async def test_feedback_counts_per_guild_with_direct_messages_apart(store):
    await store.record_feedback(verdict_entry(A, helpful=True))
    await store.record_feedback(verdict_entry(A, helpful=True))
    await store.record_feedback(verdict_entry(A, helpful=False))
    await store.record_feedback(verdict_entry(B, helpful=False))
    await store.record_feedback(verdict_entry(DIRECT_MESSAGES, helpful=True))
    assert await store.feedback_counts(A) == FeedbackCounts(2, 1)
    assert await store.feedback_counts(B) == FeedbackCounts(0, 1)
    assert await store.feedback_counts(DIRECT_MESSAGES) == FeedbackCounts(1, 0)
    assert await store.feedback_counts_by_guild() == {
        A: FeedbackCounts(2, 1),
        B: FeedbackCounts(0, 1),
        DIRECT_MESSAGES: FeedbackCounts(1, 0),
    }
    assert await store.stored_guild_ids() == {A, B}


async def test_importing_feedback_twice_under_the_same_keys_adds_nothing_the_second_time(store):
    entries = [("legacy-1", verdict_entry(A)), ("legacy-2", verdict_entry(B, helpful=False))]
    assert await store.import_feedback(entries) == 2
    assert await store.import_feedback(entries + [("legacy-3", verdict_entry(A))]) == 1
    assert await store.feedback_counts(A) == FeedbackCounts(2, 0)


# Guild lifecycle and the base version


async def test_marking_left_returning_and_the_cutoff(store):
    await store.mark_guild_left(A, T0)
    await store.mark_guild_left(B, T0 + timedelta(days=2))
    assert await store.guilds_left_before(T0 + timedelta(days=1)) == [A]
    assert await store.guilds_left_before(T0) == []  # strictly before
    assert await store.guilds_left_before(T0 + timedelta(days=3)) == [A, B]
    await store.mark_guild_returned(A)
    assert await store.guilds_left_before(T0 + timedelta(days=3)) == [B]
    await store.mark_guild_left(A, T0 + timedelta(days=5))  # left again: the newer time counts
    assert await store.guilds_left_before(T0 + timedelta(days=3)) == [B]


async def _fill(store: SqlStore, guild_id: int) -> None:
    await store.add_article(article(guild_id, "storm"), ROOMY)
    await store.set_settings(guild_id, ServerSettings(base_corpus=False))
    await store.record_feedback(verdict_entry(guild_id))
    await store.mark_guild_left(guild_id, T0)


async def test_forgetting_a_guild_deletes_every_row_of_it_and_nothing_else(store):
    await _fill(store, A)
    await _fill(store, B)
    await store.record_feedback(verdict_entry(DIRECT_MESSAGES))
    await store.set_base_version("base-v1")
    assert await store.stored_guild_ids() == {A, B}

    async with store.engine.begin() as connection:  # a per-guild version, which no method writes yet
        await connection.execute(corpus_versions.insert().values(guild_id=A, version="a-v1", updated_at=0.0))

    await store.forget_guild(A)

    async with store.engine.connect() as connection:  # every table, including any added later
        for table in metadata.sorted_tables:
            left = (await connection.execute(sa.select(sa.func.count()).where(table.c.guild_id == A))).scalar()
            assert left == 0, table.name
    assert await store.stored_guild_ids() == {B}
    assert await store.list_articles(A) == [] and await store.adds_since(A, T0 - timedelta(days=1)) == 0
    assert await store.get_settings(A) == ServerSettings() and await store.feedback_counts(A) == FeedbackCounts()
    assert await store.guilds_left_before(T0 + timedelta(days=1)) == [B]
    assert [a.article_id for a in await store.list_articles(B)] == ["storm"]
    assert (await store.get_settings(B)).base_corpus is False
    assert await store.feedback_counts(B) == FeedbackCounts(1, 0)
    assert await store.feedback_counts(DIRECT_MESSAGES) == FeedbackCounts(1, 0)
    assert await store.get_base_version() == "base-v1"
    with pytest.raises(ValueError, match="direct messages"):
        await store.forget_guild(DIRECT_MESSAGES)


async def test_stored_guild_ids_gathers_every_table(store):
    await store.add_article(article(A, "x"))
    await store.set_settings(B, ServerSettings())
    await store.mark_guild_left(C, T0)
    await store.set_base_version("v")
    assert await store.stored_guild_ids() == {A, B, C}


async def test_base_version_is_unset_then_the_last_one_set_and_survives_a_restart(backend, store):
    assert await store.get_base_version() is None
    await store.set_base_version("sha256:aaa")
    await store.set_base_version("sha256:bbb")
    assert await store.get_base_version() == "sha256:bbb"
    await store.close()
    reopened = await backend.open()
    try:
        assert await reopened.get_base_version() == "sha256:bbb"
    finally:
        await reopened.close()


# Migrations


def _schema_drift(connection: sa.Connection) -> list:
    return compare_metadata(MigrationContext.configure(connection), metadata)


async def test_migrations_are_idempotent_and_match_the_schema_the_queries_use(backend):
    first = await backend.open()
    await first.add_article(article(A, "kept"))
    await first.close()
    for _ in range(2):
        again = await backend.open()
        try:
            async with again.engine.connect() as connection:
                assert await connection.run_sync(current_revision) == head_revision()
                assert await connection.run_sync(_schema_drift) == []
            assert [a.article_id for a in await again.list_articles(A)] == ["kept"]
        finally:
            await again.close()


@pytest.mark.postgres
async def test_two_stores_starting_at_once_on_postgresql_both_migrate_safely(postgres_server):  # noqa: F811
    url = await postgres_server.emptied()
    stores = await asyncio.gather(*(open_store(url, Path("unused")) for _ in range(3)))
    try:
        async with stores[0].engine.connect() as connection:
            assert await connection.run_sync(current_revision) == head_revision()
            assert await connection.run_sync(_schema_drift) == []
        await stores[1].add_article(article(A, "x"))
        assert [a.article_id for a in await stores[2].list_articles(A)] == ["x"]
    finally:
        for opened in stores:
            await opened.close()


async def test_two_stores_starting_at_once_on_one_sqlite_file_let_exactly_one_in(tmp_path):
    results = await asyncio.gather(open_store("", tmp_path), open_store("", tmp_path), return_exceptions=True)
    opened = [r for r in results if isinstance(r, SqlStore)]
    refused = [r for r in results if isinstance(r, StoreInUse)]
    assert len(opened) == 1 and len(refused) == 1, results
    assert "QA_DATABASE_URL" in str(refused[0]) and "qa-bot.sqlite3" in str(refused[0])
    await opened[0].close()
    reopened = await open_store("", tmp_path)
    await reopened.close()


async def test_a_sqlite_file_held_by_another_process_is_refused_until_that_process_dies(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import asyncio, sys
                from bot.store import open_store
                async def main():
                    store = await open_store("", {str(tmp_path)!r})
                    print("ready", flush=True)
                    sys.stdin.readline()
                asyncio.run(main())
                """
            ),
        ],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreInUse) as refused:
            await open_store("", tmp_path)
        assert f"pid {holder.pid}" in str(refused.value)
        holder.kill()  # SIGKILL: no clean-up runs, the kernel still drops the lock
        holder.wait(timeout=10)
        store = await open_store("", tmp_path)
        await store.close()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


# Outages


async def test_an_outage_makes_writes_raise_store_unavailable_and_the_store_recovers(backend, store):
    await store.add_article(article(A, "before"))
    with backend.outage():
        writes = [
            store.add_article(article(A, "during"), ROOMY),
            store.record_feedback(verdict_entry(A)),
            store.set_settings(A, ServerSettings(base_corpus=False)),
            store.remove_article(A, "before"),
            store.forget_guild(A),
            store.set_base_version("during"),
        ]
        for write in writes:
            with pytest.raises(StoreUnavailable, match="the database could not"):
                await write
    # The same store, without reopening, works again and kept nothing of the failed writes.
    assert [a.article_id for a in await store.list_articles(A)] == ["before"]
    assert await store.feedback_counts(A) == FeedbackCounts()
    assert await store.get_settings(A) == ServerSettings()
    assert await store.get_base_version() is None
    await store.record_feedback(verdict_entry(A))
    assert await store.feedback_counts(A) == FeedbackCounts(1, 0)


@pytest.mark.parametrize(
    ("operation", "fails_at"),
    [("add", "INSERT INTO article_adds"), ("forget", "DELETE FROM feedback")],
)
async def test_an_outage_in_the_middle_of_a_write_keeps_nothing_of_it(backend, store, operation, fails_at):
    await store.add_article(article(A, "kept"))
    await store.record_feedback(verdict_entry(A))

    def fail_there(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith(fails_at):
            backend.interrupt(statement)

    sa.event.listen(store.engine.sync_engine, "before_cursor_execute", fail_there)
    try:
        with pytest.raises(StoreUnavailable):
            if operation == "add":
                await store.add_article(article(A, "half"), ROOMY)
            else:
                await store.forget_guild(A)
    finally:
        sa.event.remove(store.engine.sync_engine, "before_cursor_execute", fail_there)
        backend.restore()
    assert [a.article_id for a in await store.list_articles(A)] == ["kept"]
    assert await store.adds_since(A, T0 - timedelta(days=1)) == 1
    assert await store.feedback_counts(A) == FeedbackCounts(1, 0)


# Choosing the backend


def test_no_sql_outside_bot_store():
    database_modules = {"sqlalchemy", "sqlite3", "aiosqlite", "asyncpg", "alembic"}
    checked = 0
    for path in sorted((REPO / "bot").rglob("*.py")):
        if (REPO / "bot" / "store") in path.parents:
            continue
        checked += 1
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & database_modules, (path, names)
    assert checked > 10


def test_the_url_picks_the_backend(tmp_path):
    assert resolve_url("", tmp_path).render_as_string() == f"sqlite+aiosqlite:///{tmp_path}/qa-bot.sqlite3"
    for given in ("postgresql://u:pw@db.example:5433/qa", "postgres://u:pw@db.example:5433/qa"):
        url = resolve_url(given, tmp_path)
        assert (url.drivername, url.host, url.port, url.database, url.password) == (
            "postgresql+asyncpg",
            "db.example",
            5433,
            "qa",
            "pw",
        )
    assert resolve_url("sqlite:////var/qa/bot.db", tmp_path).drivername == "sqlite+aiosqlite"
    for bad in ("mysql://u@h/db", "not a url"):
        with pytest.raises(StoreConfigError, match="QA_DATABASE_URL"):
            resolve_url(bad, tmp_path)


def test_qa_database_url_is_read_and_never_shown(tmp_path):
    settings = Settings.from_env({"QA_DATABASE_URL": " postgresql://bot:hunter2@db/qa "}, dotenv_path=None)
    assert settings.database_url.reveal() == "postgresql://bot:hunter2@db/qa"
    assert "hunter2" not in repr(settings)
    assert Settings.from_env({}, dotenv_path=None).database_url.reveal() == ""


async def test_an_unreachable_postgresql_at_open_is_store_unavailable(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreUnavailable, match="opened"):
        await open_store(f"postgresql://qa@127.0.0.1:{port}/qa", tmp_path)


# bot/feedback.py on the store


def _feedback_store(data_dir: Path, url: str = "") -> FeedbackStore:
    return FeedbackStore(Database(Settings(data_dir=data_dir, database_url=Secret(url))))


def _verdict(guild_id: int | None, helpful: bool = True) -> Verdict:
    return Verdict("Did it rain?", ("doc#p1",), guild_id, 5, 7, helpful)


async def test_feedback_store_records_per_guild_and_keeps_dms_apart(backend):
    feedback = _feedback_store(backend.data_dir, backend.url)
    await feedback.database.open()
    try:
        assert await feedback.record(_verdict(A)) and await feedback.record(_verdict(A, helpful=False))
        assert await feedback.record(_verdict(None))
        assert await feedback.counts(A) == {"helpful": 1, "not_helpful": 1}
        assert await feedback.counts(B) == {"helpful": 0, "not_helpful": 0}
        assert await feedback.counts(DIRECT_MESSAGES) == {"helpful": 1, "not_helpful": 0}
        assert await feedback.counts() == {"helpful": 2, "not_helpful": 1}
    finally:
        await feedback.database.close()


async def test_a_failing_database_drops_verdicts_logs_once_per_streak_and_never_raises(backend, caplog):
    feedback = _feedback_store(backend.data_dir, backend.url)
    await feedback.database.open()
    caplog.set_level(logging.ERROR, logger="bot.feedback")
    try:
        with backend.outage():
            assert await feedback.record(_verdict(A)) is False
            assert await feedback.record(_verdict(A)) is False
            assert await feedback.counts(A) is None
        assert len([r for r in caplog.records if "feedback store is failing" in r.getMessage()]) == 1
        assert await feedback.record(_verdict(A)) is True
        with backend.outage():
            assert await feedback.record(_verdict(A)) is False  # a new streak: logged again
        assert len([r for r in caplog.records if "feedback store is failing" in r.getMessage()]) == 2
        assert await feedback.counts(A) == {"helpful": 1, "not_helpful": 0}
    finally:
        await feedback.database.close()


async def test_the_feedback_store_refuses_to_open_on_a_sqlite_file_another_bot_holds(tmp_path):
    first = _feedback_store(tmp_path)
    await first.database.open()
    second = _feedback_store(tmp_path)
    try:
        with pytest.raises(StoreInUse):
            await second.database.open()
        assert await second.record(_verdict(A)) is False  # and a verdict there still never raises
    finally:
        await first.database.close()
        await second.database.close()


async def test_a_database_unreachable_at_start_is_logged_and_tried_again_later(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    feedback = _feedback_store(blocker)
    caplog.set_level(logging.ERROR, logger="bot.feedback")
    await feedback.database.open()  # does not raise: answers must go on
    assert feedback.database.store is None
    assert await feedback.record(_verdict(A)) is False
    blocker.unlink()
    assert await feedback.record(_verdict(A)) is True  # the folder can be made now: opened at this verdict
    assert await feedback.counts(A) == {"helpful": 1, "not_helpful": 0}
    await feedback.database.close()


_OLD_SCHEMA = """
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY, question TEXT NOT NULL, passage_ids TEXT NOT NULL, guild_id INTEGER,
    channel_id INTEGER, user_id INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('helpful', 'not_helpful')), created_at REAL NOT NULL
)
"""


def _old_feedback_file(path: Path, user_offset: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(_OLD_SCHEMA)
        connection.executemany(
            "INSERT INTO feedback (question, passage_ids, guild_id, channel_id, user_id, verdict, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                ("Q1", "a#p1 a#p2", A, 1, 10 + user_offset, "helpful", T0.timestamp()),
                ("Q2", "a#p3", A, 1, 11 + user_offset, "not_helpful", T0.timestamp()),
                ("Q3", "b#p1", B, 2, 12 + user_offset, "helpful", T0.timestamp()),
                ("Q4", "a#p1", None, None, 13 + user_offset, "helpful", T0.timestamp()),
            ],
        )


async def test_old_feedback_sqlite3_rows_are_imported_once_on_first_start(backend):
    old = backend.data_dir / "feedback.sqlite3"
    _old_feedback_file(old)
    for _ in range(2):  # the second start finds the file renamed and imports nothing again
        feedback = _feedback_store(backend.data_dir, backend.url)
        await feedback.database.open()
        try:
            assert await feedback.counts(A) == {"helpful": 1, "not_helpful": 1}
            assert await feedback.counts(B) == {"helpful": 1, "not_helpful": 0}
            assert await feedback.counts(DIRECT_MESSAGES) == {"helpful": 1, "not_helpful": 0}
        finally:
            await feedback.database.close()
        assert not old.exists() and (backend.data_dir / "feedback.sqlite3.imported").exists()


async def test_an_import_interrupted_before_the_rename_runs_again_without_doubling(store, tmp_path):
    from bot.store.legacy import import_legacy_feedback

    old = tmp_path / "old" / "feedback.sqlite3"
    _old_feedback_file(old)
    assert await import_legacy_feedback(store, old) == 4
    (old.parent / "feedback.sqlite3.imported").rename(old)  # as if the process died before renaming
    assert await import_legacy_feedback(store, old) == 0
    assert await store.feedback_counts(A) == FeedbackCounts(1, 1)
    assert await import_legacy_feedback(store, old) is None  # renamed now: nothing to import

    other_host = tmp_path / "other" / "feedback.sqlite3"  # its own rows, numbered from 1 too
    _old_feedback_file(other_host, user_offset=100)
    assert await import_legacy_feedback(store, other_host) == 4
    assert await store.feedback_counts(A) == FeedbackCounts(2, 2)


async def test_a_second_bot_on_a_held_sqlite_file_refuses_to_start_and_a_closed_bot_frees_it(tmp_path):
    from bot import create_bot
    from tests.conftest import SEEDS

    settings = Settings(corpus_dir=SEEDS, data_dir=tmp_path)
    first = create_bot(settings)
    await first.setup_hook()  # the store is opened at start, not at the first vote
    assert first.database.store is not None
    second = create_bot(settings)
    try:
        with pytest.raises(StoreInUse, match="another bot process"):
            await second.setup_hook()
    finally:
        await first.database.close()
        await second.database.close()
    third = create_bot(settings)
    await third.setup_hook()
    await third.close()


def test_run_bot_on_a_held_store_exits_1_with_the_reason_not_a_traceback(tmp_path, monkeypatch, caplog):
    import bot.run
    from bot.settings import Secret

    class HeldStoreBot:  # what QABot does when setup_hook meets a held SQLite file
        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            return False

        async def start(self, token):
            raise StoreInUse("qa-bot.sqlite3 is used by another bot process (pid 4242)")

    monkeypatch.setattr(bot.run, "create_bot", lambda settings: HeldStoreBot())
    monkeypatch.setattr(bot.run, "configure_logging", lambda level: None)
    settings = Settings(corpus_dir=tmp_path, data_dir=tmp_path, discord_token=Secret("t"))
    with caplog.at_level("ERROR", logger="bot.run"):
        assert bot.run.run_bot(settings) == 1
    assert any("another bot process (pid 4242)" in r.getMessage() for r in caplog.records)
