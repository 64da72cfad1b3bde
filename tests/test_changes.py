"""Changes reach every process: the store announces each shared-state write in its transaction
(NOTIFY on a real PostgreSQL, its own subscribers on SQLite), a change missed by a dropped
connection is found again, and bot/changes.py applies what it hears to what a process holds."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import pytest
import sqlalchemy as sa

from bot.changes import ChangeFeed, base_version
from bot.database import Database
from bot.holder import LibraryHolder
from bot.settings import Secret, Settings
from bot.store import (
    DIRECT_MESSAGES,
    ArticleExists,
    Change,
    ProcessRecord,
    ServerArticle,
    ServerSettings,
    StoreUnavailable,
    open_store,
)
from bot.store.announce import CHANNEL
from bot.store.schema import change_log
from tests.conftest import SEEDS
from tests.pg import postgres_server  # noqa: F401  (the session's server fixture)

A, B = 111111111111111111, 222222222222222222
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MAX_SNOWFLAKE = 2**63 - 1  # the largest id a BIGINT column (and so a guild id here) holds


def article(guild_id: int, article_id: str, content: bytes = b"Storm\n\nThe storm made landfall.") -> ServerArticle:
    return ServerArticle(guild_id, article_id, f"{article_id}.txt", content, added_by=42, added_at=T0)


async def until(predicate: Callable[[], object], timeout: float = 30.0, what: str = "a condition") -> None:
    """Generous on purpose: the machine is shared, and no test here is about speed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
async def pg_url(postgres_server) -> AsyncIterator[str]:  # noqa: F811
    yield await postgres_server.emptied()
    if not postgres_server.running():  # a failed outage test must not take the server from the others
        postgres_server.start()


def heard(store) -> tuple[list[Change], list[int]]:
    """Subscribe; the changes heard and one entry per (re)connection."""
    changes: list[Change] = []
    connections: list[int] = []
    store.listen(changes.append, lambda: connections.append(1), first_retry_s=0.2, max_retry_s=1.0, probe_s=0.5)
    return changes, connections


# ---------------------------------------------------------------- the store


@pytest.mark.postgres
async def test_a_write_through_one_store_is_heard_by_another_on_the_same_database(pg_url):
    writer, reader = await open_store(pg_url, Path()), await open_store(pg_url, Path())
    try:
        changes, connections = heard(reader)
        await until(lambda: connections, what="the listener connected")
        await writer.add_article(article(A, "storm"))
        await writer.set_settings(B, ServerSettings(strictness="strict"))
        assert await writer.remove_article(A, "storm") is True
        assert await writer.remove_article(A, "storm") is False  # nothing removed: nothing to announce
        await writer.forget_guild(B)
        await writer.set_base_version("v2")
        await until(lambda: len(changes) == 5, what="five notifications")
        await asyncio.sleep(0.3)  # a sixth (the no-op remove) would have come by now
        assert [(c.guild_id, c.kind) for c in changes] == [
            (A, "articles"),
            (B, "settings"),
            (A, "articles"),
            (B, "forgotten"),
            (DIRECT_MESSAGES, "base"),
        ]
        versions = [c.version for c in changes]
        assert versions == sorted(versions) and len(set(versions)) == 5
        # The other store reads the data itself: the notification carried none of it.
        assert await reader.list_articles(A) == [] and await reader.get_base_version() == "v2"
    finally:
        await writer.close()
        await reader.close()


@pytest.mark.postgres
async def test_the_payload_names_guild_kind_and_version_only_far_under_postgresqls_8000_bytes(pg_url):
    store = await open_store(pg_url, Path())
    raw = await asyncpg.connect(pg_url)
    payloads: list[str] = []
    await raw.add_listener(CHANNEL, lambda _c, _pid, _channel, text: payloads.append(text))
    try:
        big = b"Secret title\n\n" + b"secret words " * 50_000  # 650 kB of article
        await store.add_article(article(MAX_SNOWFLAKE, "a" * 200, big))
        await until(lambda: payloads, what="the notification")
        (text,) = payloads
        assert json.loads(text).keys() == {"guild", "kind", "version"}
        assert json.loads(text)["guild"] == MAX_SNOWFLAKE and json.loads(text)["kind"] == "articles"
        assert len(text.encode()) < 100
        assert "secret" not in text and "aaaa" not in text
    finally:
        await raw.close()
        await store.close()


@pytest.mark.postgres
async def test_a_refused_or_failed_write_announces_nothing(pg_url, postgres_server):  # noqa: F811
    store, other = await open_store(pg_url, Path()), await open_store(pg_url, Path())
    try:
        await store.add_article(article(A, "storm"))
        changes, connections = heard(other)
        await until(lambda: connections, what="the listener connected")
        clock, _ = await other.changes_since(0)
        with pytest.raises(ArticleExists):
            await store.add_article(article(A, "storm"))

        def fail_after_the_insert(connection, cursor, statement, parameters, context, executemany):
            if "change_log" in statement and statement.lstrip().startswith("INSERT"):
                raise sa.exc.OperationalError(statement, None, OSError("connection lost"))

        sa.event.listen(store.engine.sync_engine, "before_cursor_execute", fail_after_the_insert)
        try:
            with pytest.raises(StoreUnavailable):
                await store.add_article(article(A, "half"))
        finally:
            sa.event.remove(store.engine.sync_engine, "before_cursor_execute", fail_after_the_insert)
        await asyncio.sleep(0.5)
        assert changes == []
        assert await other.changes_since(clock) == (clock, [])
        assert [a.article_id for a in await other.list_articles(A)] == ["storm"]
    finally:
        await store.close()
        await other.close()


async def test_sqlite_tells_its_own_subscribers_after_the_commit(tmp_path):
    store = await open_store("", tmp_path)
    try:
        changes, connections = heard(store)
        assert connections == [1]
        await store.add_article(article(A, "storm"))
        with pytest.raises(ArticleExists):
            await store.add_article(article(A, "storm"))
        await store.set_base_version("v1")
        assert [(c.guild_id, c.kind, c.version) for c in changes] == [(A, "articles", 1), (DIRECT_MESSAGES, "base", 2)]
        assert await store.changes_since(1) == (2, [Change(DIRECT_MESSAGES, "base", 2)])
    finally:
        await store.close()


async def test_the_change_log_keeps_each_guilds_latest_change_and_a_forgotten_guild_leaves_a_tombstone(tmp_path):
    store = await open_store("", tmp_path)
    try:
        await store.add_article(article(A, "one"))
        await store.add_article(article(A, "two"))
        await store.set_settings(A, ServerSettings(strictness="lenient"))
        await store.add_article(article(B, "one"))
        clock, changes = await store.changes_since(0)
        assert clock == 4
        assert changes == [Change(A, "articles", 2), Change(A, "settings", 3), Change(B, "articles", 4)]
        await store.forget_guild(A)
        assert await store.changes_since(4) == (5, [Change(A, "forgotten", 5)])
        async with store.engine.connect() as connection:  # forgetting leaves no row of the guild itself
            rows = (await connection.execute(sa.select(change_log).where(change_log.c.guild_id == A))).all()
        assert rows == []
        assert await store.changes_since(0) == (5, [Change(B, "articles", 4), Change(A, "forgotten", 5)])
    finally:
        await store.close()


@pytest.mark.postgres
async def test_the_listener_reconnects_after_the_server_restarts_and_says_so(pg_url, postgres_server):  # noqa: F811
    store = await open_store(pg_url, Path())
    try:
        changes, connections = heard(store)
        await until(lambda: connections, what="the first connection")
        postgres_server.stop()
        with pytest.raises(StoreUnavailable, match="could not store the article"):
            await store.add_article(article(A, "during"))
        postgres_server.start()
        await until(lambda: len(connections) == 2, what="the reconnection")
        await store.add_article(article(A, "after"))
        await until(lambda: changes, what="a notification on the new connection")
        assert [(c.guild_id, c.kind) for c in changes] == [(A, "articles")]
        assert [a.article_id for a in await store.list_articles(A)] == ["after"]  # nothing of the failed write
    finally:
        await store.close()


async def test_processes_report_themselves_and_stale_ones_are_left_out(tmp_path):
    store = await open_store("", tmp_path)
    try:
        now = datetime.now(UTC)
        old = ProcessRecord("host-a", 10, (0, 1), 4, "v1", now - timedelta(hours=2), now - timedelta(hours=1))
        await store.record_process(old)
        await store.record_process(ProcessRecord("host-b", 11, None, None, "v2", now, now))
        await store.record_process(ProcessRecord("host-a", 12, (2, 3), 4, "v1", now, now))
        listed = await store.list_processes(now - timedelta(minutes=1))
        assert [(p.host, p.pid, p.shard_ids, p.shard_count, p.base_version) for p in listed] == [
            ("host-a", 12, (2, 3), 4, "v1"),
            ("host-b", 11, None, None, "v2"),
        ]
        await store.record_process(ProcessRecord("host-a", 10, (0, 1), 4, "v2", old.started_at, now))  # heartbeat
        await store.remove_process("host-b", 11)
        listed = await store.list_processes(now - timedelta(minutes=1))
        assert [(p.pid, p.base_version, p.started_at) for p in listed] == [(10, "v2", old.started_at), (12, "v1", now)]
    finally:
        await store.close()


# ---------------------------------------------------------------- bot/changes.py


class Recorder:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def changed(self, guild_id: int) -> None:
        self.calls.append(guild_id)


async def _process(
    tmp_path: Path, name: str, url: str, *, check_s: float = 0, heartbeat_s: float = 30, **options
) -> SimpleNamespace:
    """The parts of a bot process that changes touch, without Discord."""
    corpus = tmp_path / name / "corpus"
    if not corpus.exists():
        shutil.copytree(SEEDS, corpus)
    settings = Settings(data_dir=tmp_path / name / "data", corpus_dir=corpus, database_url=Secret(url))
    holder = LibraryHolder(corpus, settings.data_dir)
    await holder.load()
    bot = SimpleNamespace(
        holder=holder,
        database=Database(settings),
        libraries=Recorder(),
        server_settings=Recorder(),
        shard_ids=[0],
        shard_count=2,
        corpus=corpus,
    )
    await bot.database.open()
    listener = {"first_retry_s": 0.2, "max_retry_s": 1.0, "probe_s": 0.5} | options
    bot.changes = ChangeFeed(bot, check_s=check_s, heartbeat_s=heartbeat_s, listener_options=listener)
    bot.changes.pid = 10_000 + len(name)  # two "processes" of one test share an OS pid; their rows must not
    await bot.changes.start()
    return bot


async def _stop(*bots: SimpleNamespace) -> None:
    for bot in bots:
        await bot.changes.stop()
        bot.holder.close()
        await bot.database.close()


NEW_ARTICLE = "Tidal barrier opens\n\nThe tidal barrier opened on Monday after ten years of building work.\n"


@pytest.mark.postgres
async def test_a_change_through_one_process_is_applied_by_the_other(tmp_path, pg_url):
    one, two = await _process(tmp_path, "one", pg_url), await _process(tmp_path, "two", pg_url)
    try:
        await until(lambda: one.changes.listening and two.changes.listening, what="both listening")
        store = await one.database.get()
        await store.add_article(article(A, "storm"))
        await store.set_settings(B, ServerSettings(strictness="strict"))
        await store.forget_guild(A)
        for bot in (one, two):  # the writer hears its own change too, through the same path
            await until(lambda bot=bot: bot.libraries.calls == [A, A], what="articles, then forgotten")
            await until(lambda bot=bot: bot.server_settings.calls == [B, A], what="settings, then forgotten")
    finally:
        await _stop(one, two)


@pytest.mark.postgres
async def test_a_notification_missed_is_caught_by_the_periodic_check(tmp_path, pg_url):
    bot = await _process(tmp_path, "one", pg_url, check_s=0.5)
    try:
        await until(lambda: bot.changes.listening, what="listening")
        other = await open_store(pg_url, Path())

        def lose_the_notification(connection, cursor, statement, parameters, context, executemany):
            return ("SELECT 1", ()) if "pg_notify" in statement else (statement, parameters)

        sa.event.listen(other.engine.sync_engine, "before_cursor_execute", lose_the_notification, retval=True)
        await other.add_article(article(A, "storm"))
        await other.set_settings(B, ServerSettings(base_corpus=False))
        await other.close()
        await until(lambda: bot.libraries.calls == [A] and bot.server_settings.calls == [B], what="the check")
        applied = bot.changes.applied
        await asyncio.sleep(1.5)  # further checks find nothing new: each change is applied once
        assert bot.changes.applied == applied == 2
    finally:
        await _stop(bot)


@pytest.mark.postgres
async def test_after_a_restart_of_the_server_the_listener_catches_up_on_what_it_missed(
    tmp_path,
    pg_url,
    postgres_server,  # noqa: F811
):
    # The listener waits 3 s before reconnecting: the write lands while it cannot hear it.
    bot = await _process(tmp_path, "one", pg_url, first_retry_s=3.0, max_retry_s=3.0)
    try:
        await until(lambda: bot.changes.listening, what="listening")
        postgres_server.stop()
        await until(lambda: not bot.changes.listening, what="the listener noticed")
        postgres_server.start()
        other = await open_store(pg_url, Path())
        await other.add_article(article(A, "storm"))
        await other.close()
        assert bot.libraries.calls == []
        await until(lambda: bot.libraries.calls == [A], what="the catch-up after reconnecting")
        assert bot.changes.listening
    finally:
        await _stop(bot)


@pytest.mark.postgres
async def test_the_owners_base_reload_in_one_process_reloads_the_other_from_its_own_files(tmp_path, pg_url, caplog):
    one, two = await _process(tmp_path, "one", pg_url), await _process(tmp_path, "second", pg_url)
    try:
        await until(lambda: one.changes.listening and two.changes.listening, what="both listening")
        first = one.changes.base_version
        assert two.changes.base_version == first == base_version(two.holder.library)
        assert await (await one.database.get()).get_base_version() == first  # the first process set it

        for bot in (one, two):  # the owner updates every host's files...
            (bot.corpus / "tidal.txt").write_text(NEW_ARTICLE)
        await one.holder.load()  # ...and reloads through one process
        await one.changes.publish_base()
        await until(lambda: two.changes.base_version == one.changes.base_version != first, what="the reload")
        answer = two.holder.library.answer("When did the tidal barrier open?")
        assert answer.passages and "tidal barrier opened on Monday" in answer.passages[0].text

        (one.corpus / "only-here.txt").write_text("Only here\n\nA paragraph that only the first host has.\n")
        caplog.set_level(logging.ERROR, logger="bot.changes")
        await one.holder.load()
        await one.changes.publish_base()
        await until(lambda: "differs from the database's" in caplog.text, what="the mismatch logged")
        assert two.changes.base_version != one.changes.base_version
        assert two.changes.base_version == base_version(two.holder.library)  # it serves its own files
        listed = await one.changes.processes()
        assert {p.base_version for p in listed} == {one.changes.base_version, two.changes.base_version}
        assert {(p.pid, p.shard_ids, p.shard_count) for p in listed} == {(10_003, (0,), 2), (10_006, (0,), 2)}
    finally:
        await _stop(one, two)


@pytest.mark.postgres
async def test_a_reload_while_the_database_is_down_reaches_the_other_process_once_it_is_back(
    tmp_path,
    pg_url,
    postgres_server,  # noqa: F811
):
    one = await _process(tmp_path, "one", pg_url, heartbeat_s=0.3)
    two = await _process(tmp_path, "second", pg_url)  # its own heartbeat (30 s) plays no part
    try:
        await until(lambda: one.changes.listening and two.changes.listening, what="both listening")
        first = two.changes.base_version
        for bot in (one, two):
            (bot.corpus / "tidal.txt").write_text(NEW_ARTICLE)
        postgres_server.stop()
        await one.holder.load()
        assert await one.changes.publish_base() is False  # kept, not lost
        reloaded = one.changes.base_version
        assert one.changes.pending_base == reloaded != first
        postgres_server.start()
        await until(lambda: two.changes.base_version == reloaded, what="the other process reloaded")
        assert one.changes.pending_base is None
        assert await (await two.database.get()).get_base_version() == reloaded
        answer = two.holder.library.answer("When did the tidal barrier open?")
        assert answer.passages and "tidal barrier opened on Monday" in answer.passages[0].text
    finally:
        await _stop(one, two)


class BaseVersionOutage:
    """The store's base-version reads and writes fail while `down`, as an unreachable database's do."""

    def __init__(self, store, monkeypatch) -> None:
        self.down = True
        self.get_base_version = store.get_base_version  # the real ones, for the test's own reads
        for name in ("get_base_version", "set_base_version"):
            monkeypatch.setattr(store, name, self._failing(getattr(store, name)))

    def _failing(self, real):
        async def call(*args):
            if self.down:
                raise StoreUnavailable("the database cannot be reached")
            return await real(*args)

        return call


async def test_a_reload_the_store_refused_is_announced_at_a_later_heartbeat(tmp_path, monkeypatch, caplog):
    bot = await _process(tmp_path, "one", "", heartbeat_s=0.2)
    try:
        store = await bot.database.get()
        first = await store.get_base_version()
        clock, _ = await store.changes_since(2**62)
        outage = BaseVersionOutage(store, monkeypatch)
        (bot.corpus / "tidal.txt").write_text(NEW_ARTICLE)
        await bot.holder.load()
        caplog.set_level(logging.INFO, logger="bot.changes")
        assert await bot.changes.publish_base() is False
        reloaded = bot.changes.base_version
        assert reloaded != first
        await asyncio.sleep(0.5)  # heartbeats while the store still refuses: kept, nothing stored
        assert bot.changes.pending_base == reloaded
        assert await outage.get_base_version() == first
        outage.down = False
        await until(lambda: bot.changes.pending_base is None, what="the announcement at a heartbeat")
        assert await store.get_base_version() == reloaded
        _, changes = await store.changes_since(clock)
        assert [(c.guild_id, c.kind) for c in changes] == [(DIRECT_MESSAGES, "base")]  # what the others hear
        assert f"base corpus version {reloaded} announced: the other processes reload theirs" in caplog.messages
        assert not [m for m in caplog.messages if "differs from the database's" in m]
    finally:
        await _stop(bot)


async def test_a_base_change_heard_while_a_reload_waits_to_be_announced_announces_it_first(
    tmp_path, monkeypatch, caplog
):
    bot = await _process(tmp_path, "one", "")  # heartbeats 30 s apart: none comes during the test
    try:
        store = await bot.database.get()
        outage = BaseVersionOutage(store, monkeypatch)
        (bot.corpus / "tidal.txt").write_text(NEW_ARTICLE)
        await bot.holder.load()
        assert await bot.changes.publish_base() is False
        reloaded, library = bot.changes.base_version, bot.holder.library
        outage.down = False
        caplog.set_level(logging.INFO, logger="bot.changes")
        await bot.changes.apply(Change(DIRECT_MESSAGES, "base", 10**6))  # heard before the next heartbeat
        assert await store.get_base_version() == reloaded and bot.changes.pending_base is None
        assert bot.holder.library is library  # nothing to reload: the database holds this process's version
        assert not [m for m in caplog.messages if "differs" in m or "reloading" in m]
    finally:
        await _stop(bot)


async def test_a_reload_in_a_process_started_without_the_database_is_stored_when_it_connects(tmp_path, caplog):
    folder = tmp_path / "db"
    url = f"sqlite:///{folder / 'qa.sqlite3'}"
    earlier = await _process(tmp_path, "one", url)  # the database holds the corpus as it was
    first = earlier.changes.base_version
    await _stop(earlier)
    folder.rename(tmp_path / "away")
    folder.write_text("a file where the database's folder should be")
    bot = await _process(tmp_path, "one", url)
    try:
        assert bot.database.store is None
        (bot.corpus / "tidal.txt").write_text(NEW_ARTICLE)
        await bot.holder.load()
        assert await bot.changes.publish_base() is False
        folder.unlink()
        (tmp_path / "away").rename(folder)
        caplog.clear()
        await bot.changes.catch_up()  # what the periodic check and each heartbeat do
        assert bot.changes.listening and bot.changes.pending_base is None
        assert await (await bot.database.get()).get_base_version() == bot.changes.base_version != first
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []  # not a mismatch
    finally:
        await _stop(bot)


async def test_on_sqlite_a_process_applies_its_own_changes_through_the_same_feed(tmp_path):
    bot = await _process(tmp_path, "one", "")
    try:
        store = await bot.database.get()
        await store.add_article(article(A, "storm"))
        await store.set_settings(A, ServerSettings(strictness="strict"))
        await until(lambda: bot.libraries.calls == [A] and bot.server_settings.calls == [A], what="applied")
        (record,) = await bot.changes.processes()
        assert (record.base_version, record.shard_ids) == (bot.changes.base_version, (0,))
    finally:
        await _stop(bot)


async def test_a_process_without_the_database_at_start_connects_when_it_comes_back(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'later' / 'qa.sqlite3'}"
    (tmp_path / "later").write_text("a file where the database's folder should be")
    bot = await _process(tmp_path, "one", url)
    try:
        assert bot.database.store is None and not bot.changes.listening
        (tmp_path / "later").unlink()
        await bot.changes.catch_up()  # what the periodic check and each heartbeat do
        assert bot.changes.listening
        await (await bot.database.get()).add_article(article(A, "storm"))
        await until(lambda: bot.libraries.calls == [A], what="applied")
    finally:
        await _stop(bot)


class SilentProxy:
    """A TCP relay to PostgreSQL that can go silent without closing anything: a network that drops
    packets, which neither side notices until it next expects an answer."""

    def __init__(self, port: int) -> None:
        self.upstream_port = port
        self.flowing = asyncio.Event()
        self.flowing.set()
        self._pumps: set[asyncio.Task] = set()

    async def __aenter__(self) -> SilentProxy:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()
        for pump in self._pumps:
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        for source, target in ((reader, up_writer), (up_reader, writer)):
            pump = asyncio.create_task(self._pump(source, target))
            self._pumps.add(pump)
            pump.add_done_callback(self._pumps.discard)

    async def _pump(self, source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                await self.flowing.wait()
                target.write(data)
                await target.drain()
        finally:
            target.close()


@pytest.mark.postgres
async def test_a_listener_on_a_connection_gone_silent_notices_by_probing_and_catches_up(tmp_path, pg_url):
    async with SilentProxy(int(pg_url.rsplit(":", 1)[1].split("/")[0])) as proxy:
        via_proxy = pg_url.replace(pg_url.rsplit("@", 1)[1].split("/")[0], f"127.0.0.1:{proxy.port}")
        bot = await _process(tmp_path, "one", via_proxy, probe_s=0.5)
        try:
            await until(lambda: bot.changes.listening, what="listening")
            proxy.flowing.clear()  # nothing closes: only an unanswered probe can tell
            await until(lambda: not bot.changes.listening, what="the probe noticed the silence")
            other = await open_store(pg_url, Path())
            await other.add_article(article(A, "storm"))
            await other.close()
            proxy.flowing.set()
            await until(lambda: bot.libraries.calls == [A], what="the catch-up after reconnecting")
        finally:
            proxy.flowing.set()
            await _stop(bot)


def test_the_version_check_and_heartbeat_intervals_come_from_the_environment():
    settings = Settings.from_env({"QA_VERSION_CHECK_S": "0", "QA_HEARTBEAT_S": "5"}, dotenv_path=None)
    assert (settings.version_check_s, settings.heartbeat_s) == (0.0, 5.0)
    defaults = Settings.from_env({}, dotenv_path=None)
    assert (defaults.version_check_s, defaults.heartbeat_s) == (60.0, 30.0)
    with pytest.raises(ValueError, match="QA_HEARTBEAT_S must be more than 0"):
        Settings.from_env({"QA_HEARTBEAT_S": "0"}, dotenv_path=None)
    with pytest.raises(ValueError, match="QA_VERSION_CHECK_S cannot be negative"):
        Settings.from_env({"QA_VERSION_CHECK_S": "-1"}, dotenv_path=None)


async def test_a_change_heard_by_notification_and_again_by_a_catch_up_is_applied_once(tmp_path):
    bot = await _process(tmp_path, "one", "")
    try:
        await bot.changes.apply(Change(A, "articles", 7))
        await bot.changes.apply(Change(A, "articles", 7))  # the catch-up finds it again
        await bot.changes.apply(Change(A, "articles", 5))  # an older one, heard late
        await bot.changes.apply(Change(A, "settings", 7))  # another kind of the same guild
        await bot.changes.apply(Change(A, "articles", 8))
        assert bot.libraries.calls == [A, A] and bot.server_settings.calls == [A]
    finally:
        await _stop(bot)
