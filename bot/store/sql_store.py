"""The Store over SQLAlchemy Core (async): one implementation for every backend, the differences
kept in backends.py. Each method is one transaction; a failure of the database becomes
StoreUnavailable after the transaction is rolled back, so nothing of it is kept. Each also runs to
its end when its caller is cancelled (a write then commits), and `close` waits for those running."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store import announce, backends, migrate
from bot.store.errors import ArticleExists, QuotaExceeded, StoreError, StoreUnavailable
from bot.store.listener import LocalSubscription, OnChange, OnConnected, PostgresListener, Subscription
from bot.store.lockfile import ExclusiveFile
from bot.store.records import (
    DIRECT_MESSAGES,
    ArticleInfo,
    Change,
    FeedbackCounts,
    FeedbackEntry,
    GuildUsage,
    ProcessRecord,
    Quota,
    ServerArticle,
    ServerSettings,
)
from bot.store.schema import (
    GUILD_TABLES,
    article_adds,
    corpus_versions,
    feedback,
    guilds,
    processes,
    server_articles,
    server_settings,
)

QUOTA_WINDOW = timedelta(hours=1)
# The add log is only read for the last hour; older rows are dropped as the guild adds more.
ADD_LOG_KEPT = timedelta(days=1)
IDENTIFY_LOCK_POLL_S = 0.1  # how often a process waiting for an identify bucket asks again
# How long `close` waits for the operations still running. Each is bounded by the backend's own
# timeouts (backends.py: a second for a busy SQLite file, 10 s per PostgreSQL statement).
CLOSE_WAIT_S = 15.0

# The errors that mean "the database is not there or not answering", as opposed to a mistake in
# a query, which must surface as itself.
_UNAVAILABLE = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.DisconnectionError,
    exc.TimeoutError,
    OSError,
    asyncio.TimeoutError,
)


def _seconds(moment: datetime) -> float:
    if moment.tzinfo is None:
        raise ValueError("the store takes timezone-aware datetimes (UTC), got a naive one")
    return moment.timestamp()


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _is_outage(error: Exception) -> bool:
    # A connection lost mid-statement comes as a plain DBAPIError marked invalidated (asyncpg).
    if isinstance(error, StoreError):
        return False
    return isinstance(error, _UNAVAILABLE) or (isinstance(error, exc.DBAPIError) and error.connection_invalidated)


def _unavailable(what: str, error: BaseException) -> StoreUnavailable:
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    reason = f"{type(error).__name__}: {detail[0]}" if detail else type(error).__name__
    return StoreUnavailable(f"the database could not {what} ({reason})")


def _runs_to_end(method):
    """A store operation runs to its end in a task of its own. A caller cancelled meanwhile (a
    shutdown stopping its tasks) stops waiting, but the operation still finishes, closing its
    connection, and `close` waits for it. Cancelled midway instead, aiosqlite's worker thread would
    finish the abandoned statement later, perhaps after the event loop closed, and fail there."""

    @functools.wraps(method)
    async def operation(self: SqlStore, *args, **kwargs):
        if self._closed:
            raise StoreUnavailable(f"the store is closed: {method.__name__} refused")
        task = asyncio.ensure_future(method(self, *args, **kwargs))
        self._operations.add(task)
        task.add_done_callback(_finished)
        task.add_done_callback(self._operations.discard)
        return await asyncio.shield(task)

    return operation


def _finished(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: a caller that stopped waiting does not make it "never retrieved"


class SqlStore:
    def __init__(self, engine: AsyncEngine, lock: ExclusiveFile | None = None) -> None:
        self._engine = engine
        self._lock = lock
        self.backend = engine.dialect.name
        # SQLite has one writer at a time; serialising writes here (one process owns the file)
        # makes them queue instead of failing on each other's locks.
        self._sqlite_writes = asyncio.Lock() if self.backend == "sqlite" else None
        # Held: the loop keeps only weak references to tasks; the connection is closed here too, since a
        # task cancelled before its first step never runs its own cleanup.
        self._identify_holds: dict[asyncio.Task, AsyncConnection] = {}
        # SQLite (one process): the store's own changes, told to its subscribers after each commit.
        self._local_subscribers: list[OnChange] = []
        self._subscriptions: list[Subscription] = []
        self._operations: set[asyncio.Task] = set()  # running to their end (_runs_to_end)
        self._closed = False

    @classmethod
    async def open(cls, url: URL) -> SqlStore:
        """Connect, take the backend's exclusivity where it has one, and migrate to the newest schema."""
        lock = None
        if url.get_backend_name() == "sqlite":
            database = Path(url.database or "")
            try:
                database.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise _unavailable(f"create its folder {database.parent}", error) from error
            lock = ExclusiveFile(database)
            try:
                lock.acquire()
            except OSError as error:
                raise _unavailable(f"lock {database}", error) from error
        engine = backends.create_engine(url)
        try:
            try:
                await migrate.upgrade(engine)
            except Exception as error:
                if _is_outage(error):
                    raise _unavailable("be opened and migrated", error) from error
                raise
        except BaseException:
            await engine.dispose()
            if lock is not None:
                lock.release()
            raise
        return cls(engine, lock)

    @property
    def engine(self) -> AsyncEngine:
        """For tests and tooling that inspect the schema; the bot goes through the methods."""
        return self._engine

    async def close(self) -> None:
        """Refuse new operations, let those running finish (their connections closed with them),
        then release everything: no connection, driver thread or file lock outlives the store."""
        self._closed = True
        if self._operations:
            _, unfinished = await asyncio.wait(set(self._operations), timeout=CLOSE_WAIT_S)
            if unfinished:
                logging.getLogger(__name__).warning(
                    "closing the store: %d operation(s) still running after %.0f s", len(unfinished), CLOSE_WAIT_S
                )
        for subscription in self._subscriptions:
            await subscription.close()
        self._subscriptions.clear()
        holds = dict(self._identify_holds)
        for hold in holds:  # closing the connection ends its session and so its lock
            hold.cancel()
        await asyncio.gather(*holds, return_exceptions=True)
        for connection in holds.values():
            await connection.close()
        await self._engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @contextlib.asynccontextmanager
    async def _writing(self, what: str) -> AsyncIterator[AsyncConnection]:
        serial = self._sqlite_writes or contextlib.nullcontext()
        async with serial:
            try:
                async with self._engine.begin() as connection:
                    yield connection
            except Exception as error:
                if _is_outage(error):
                    raise _unavailable(what, error) from error
                raise

    @contextlib.asynccontextmanager
    async def _changing(self, what: str) -> AsyncIterator[tuple[AsyncConnection, list[tuple[int, str]]]]:
        """A write whose block lists the (guild, kind) changes it makes; they are announced as the
        transaction's last statements, so a failed write announces nothing."""
        noted: list[tuple[int, str]] = []
        changes: list[Change] = []
        async with self._writing(what) as connection:
            yield connection, noted
            for guild_id, kind in noted:
                changes.append(await announce.record(connection, guild_id, kind))
        for change in changes:  # committed: SQLite's subscribers hear it now (PostgreSQL's via NOTIFY)
            for subscriber in list(self._local_subscribers):
                try:
                    subscriber(change)
                except Exception:  # one subscriber's bug must not fail a committed write
                    logging.getLogger(__name__).exception("a change subscriber failed on %s", change)

    @contextlib.asynccontextmanager
    async def _reading(self, what: str) -> AsyncIterator[AsyncConnection]:
        try:
            async with self._engine.connect() as connection:
                yield connection
        except Exception as error:
            if _is_outage(error):
                raise _unavailable(what, error) from error
            raise

    # Server articles

    @_runs_to_end
    async def add_article(self, article: ServerArticle, quota: Quota | None = None) -> None:
        added_at = _seconds(article.added_at)
        async with self._changing("store the article") as (connection, changes):
            if (lock := backends.guild_lock(self._engine, article.guild_id)) is not None:
                await connection.execute(lock)
            if await self._article_row(connection, article.guild_id, article.article_id) is not None:
                raise ArticleExists(article.guild_id, article.article_id)
            if quota is not None:
                await self._check_quota(connection, article, quota)
            try:
                await connection.execute(
                    server_articles.insert().values(
                        guild_id=article.guild_id,
                        article_id=article.article_id,
                        file_name=article.file_name,
                        content=article.content,
                        size_bytes=len(article.content),
                        added_by=article.added_by,
                        added_at=added_at,
                    )
                )
            except exc.IntegrityError:  # added by another process since the check above
                raise ArticleExists(article.guild_id, article.article_id) from None
            await connection.execute(
                article_adds.insert().values(
                    guild_id=article.guild_id, added_at=added_at, add_id=uuid.uuid4().hex, article_id=article.article_id
                )
            )
            await connection.execute(
                article_adds.delete().where(
                    article_adds.c.guild_id == article.guild_id,
                    article_adds.c.added_at < added_at - ADD_LOG_KEPT.total_seconds(),
                )
            )
            changes.append((article.guild_id, "articles"))

    async def _check_quota(self, connection: AsyncConnection, article: ServerArticle, quota: Quota) -> None:
        usage = await self._usage(connection, article.guild_id)
        if usage.articles + 1 > quota.max_articles:
            raise QuotaExceeded("articles", quota.max_articles)
        if usage.total_bytes + len(article.content) > quota.max_bytes:
            raise QuotaExceeded("bytes", quota.max_bytes)
        recent = await self._adds_since(connection, article.guild_id, _seconds(article.added_at - QUOTA_WINDOW))
        if recent + 1 > quota.max_adds_per_hour:
            raise QuotaExceeded("adds per hour", quota.max_adds_per_hour)

    @staticmethod
    async def _article_row(connection: AsyncConnection, guild_id: int, article_id: str) -> sa.Row | None:
        result = await connection.execute(
            sa.select(server_articles).where(
                server_articles.c.guild_id == guild_id, server_articles.c.article_id == article_id
            )
        )
        return result.first()

    @_runs_to_end
    async def get_article(self, guild_id: int, article_id: str) -> ServerArticle | None:
        async with self._reading("read the article") as connection:
            row = await self._article_row(connection, guild_id, article_id)
        return None if row is None else _article(row)

    @_runs_to_end
    async def list_articles(self, guild_id: int) -> list[ArticleInfo]:
        columns = [c for c in server_articles.c if c.name != "content"]
        query = (
            sa.select(*columns)
            .where(server_articles.c.guild_id == guild_id)
            .order_by(server_articles.c.added_at, server_articles.c.article_id)
        )
        async with self._reading("list the articles") as connection:
            rows = (await connection.execute(query)).all()
        return [
            ArticleInfo(r.guild_id, r.article_id, r.file_name, r.size_bytes, r.added_by, _moment(r.added_at))
            for r in rows
        ]

    @_runs_to_end
    async def read_articles(self, guild_id: int) -> list[ServerArticle]:
        query = (
            sa.select(server_articles)
            .where(server_articles.c.guild_id == guild_id)
            .order_by(server_articles.c.added_at, server_articles.c.article_id)
        )
        async with self._reading("read the articles") as connection:
            rows = (await connection.execute(query)).all()
        return [_article(row) for row in rows]

    @_runs_to_end
    async def remove_article(self, guild_id: int, article_id: str) -> bool:
        async with self._changing("remove the article") as (connection, changes):
            result = await connection.execute(
                server_articles.delete().where(
                    server_articles.c.guild_id == guild_id, server_articles.c.article_id == article_id
                )
            )
            if result.rowcount > 0:
                changes.append((guild_id, "articles"))
        return result.rowcount > 0

    @_runs_to_end
    async def usage(self, guild_id: int) -> GuildUsage:
        async with self._reading("count the articles") as connection:
            return await self._usage(connection, guild_id)

    @staticmethod
    async def _usage(connection: AsyncConnection, guild_id: int) -> GuildUsage:
        query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(server_articles.c.size_bytes), 0)).where(
            server_articles.c.guild_id == guild_id
        )
        count, total = (await connection.execute(query)).one()
        return GuildUsage(int(count), int(total))

    @_runs_to_end
    async def adds_since(self, guild_id: int, since: datetime) -> int:
        async with self._reading("count the recent adds") as connection:
            return await self._adds_since(connection, guild_id, _seconds(since))

    @staticmethod
    async def _adds_since(connection: AsyncConnection, guild_id: int, since: float) -> int:
        query = sa.select(sa.func.count()).where(article_adds.c.guild_id == guild_id, article_adds.c.added_at > since)
        return int((await connection.execute(query)).scalar_one())

    # Server settings

    @_runs_to_end
    async def get_settings(self, guild_id: int) -> ServerSettings:
        async with self._reading("read the settings") as connection:
            row = (
                await connection.execute(sa.select(server_settings).where(server_settings.c.guild_id == guild_id))
            ).first()
        if row is None:
            return ServerSettings()
        return ServerSettings(
            moderator_role_ids=frozenset(int(i) for i in row.moderator_role_ids),
            mention_channel_ids=None
            if row.mention_channel_ids is None
            else frozenset(map(int, row.mention_channel_ids)),
            base_corpus=bool(row.base_corpus),
            strictness=row.strictness,
            cooldown_s=row.cooldown_s,
        )

    @_runs_to_end
    async def set_settings(self, guild_id: int, settings: ServerSettings) -> None:
        values = {
            "guild_id": guild_id,
            "moderator_role_ids": sorted(settings.moderator_role_ids),
            "mention_channel_ids": None
            if settings.mention_channel_ids is None
            else sorted(settings.mention_channel_ids),
            "base_corpus": settings.base_corpus,
            "strictness": settings.strictness,
            "cooldown_s": settings.cooldown_s,
            "updated_at": datetime.now(UTC).timestamp(),
        }
        async with self._changing("save the settings") as (connection, changes):
            await connection.execute(backends.upsert(self._engine, server_settings, values))
            changes.append((guild_id, "settings"))

    # Feedback

    @_runs_to_end
    async def record_feedback(self, entry: FeedbackEntry) -> None:
        async with self._writing("save the feedback") as connection:
            await connection.execute(feedback.insert().values(_feedback_row(uuid.uuid4().hex, entry)))

    @_runs_to_end
    async def feedback_counts(self, guild_id: int) -> FeedbackCounts:
        return (await self._feedback_counts(feedback.c.guild_id == guild_id)).get(guild_id, FeedbackCounts())

    @_runs_to_end
    async def feedback_counts_by_guild(self) -> dict[int, FeedbackCounts]:
        return await self._feedback_counts(sa.true())

    async def _feedback_counts(self, where: sa.ColumnElement[bool]) -> dict[int, FeedbackCounts]:
        query = (
            sa.select(feedback.c.guild_id, feedback.c.verdict, sa.func.count())
            .where(where)
            .group_by(feedback.c.guild_id, feedback.c.verdict)
        )
        async with self._reading("count the feedback") as connection:
            rows = (await connection.execute(query)).all()
        tallies: dict[int, dict[str, int]] = {}
        for guild_id, verdict, count in rows:
            tallies.setdefault(int(guild_id), {})[verdict] = int(count)
        return {guild: FeedbackCounts(**tally) for guild, tally in tallies.items()}

    @_runs_to_end
    async def import_feedback(self, entries: Iterable[tuple[str, FeedbackEntry]]) -> int:
        rows = [_feedback_row(key, entry) for key, entry in entries]
        if not rows:
            return 0
        async with self._writing("import the feedback") as connection:
            before = (await connection.execute(sa.select(sa.func.count()).select_from(feedback))).scalar_one()
            await connection.execute(backends.insert_ignoring_duplicates(self._engine, feedback), rows)
            after = (await connection.execute(sa.select(sa.func.count()).select_from(feedback))).scalar_one()
        return int(after - before)

    # Guild lifecycle

    @_runs_to_end
    async def mark_guild_left(self, guild_id: int, at: datetime) -> None:
        values = {"guild_id": guild_id, "left_at": _seconds(at)}
        async with self._writing("mark the server left") as connection:
            await connection.execute(backends.upsert(self._engine, guilds, values))

    @_runs_to_end
    async def mark_guild_returned(self, guild_id: int) -> None:
        async with self._writing("mark the server returned") as connection:
            await connection.execute(backends.upsert(self._engine, guilds, {"guild_id": guild_id, "left_at": None}))

    @_runs_to_end
    async def guilds_left_before(self, cutoff: datetime) -> list[int]:
        query = (
            sa.select(guilds.c.guild_id)
            .where(guilds.c.left_at.is_not(None), guilds.c.left_at < _seconds(cutoff))
            .order_by(guilds.c.guild_id)
        )
        async with self._reading("list the servers left") as connection:
            return [int(g) for g in (await connection.execute(query)).scalars()]

    @_runs_to_end
    async def forget_guild(self, guild_id: int) -> None:
        if guild_id == DIRECT_MESSAGES:
            raise ValueError("guild id 0 holds direct messages' feedback and the base version, not a server")
        async with self._changing("forget the server") as (connection, changes):
            for table in GUILD_TABLES:
                await connection.execute(table.delete().where(table.c.guild_id == guild_id))
            await announce.forget(connection, guild_id)
            changes.append((guild_id, "forgotten"))

    @_runs_to_end
    async def stored_guild_ids(self) -> set[int]:
        query = sa.union(*(sa.select(table.c.guild_id) for table in GUILD_TABLES))
        async with self._reading("list the stored servers") as connection:
            found = {int(g) for g in (await connection.execute(query)).scalars()}
        return found - {DIRECT_MESSAGES}

    # The base corpus

    @_runs_to_end
    async def get_base_version(self) -> str | None:
        query = sa.select(corpus_versions.c.version).where(corpus_versions.c.guild_id == DIRECT_MESSAGES)
        async with self._reading("read the base version") as connection:
            return (await connection.execute(query)).scalar_one_or_none()

    @_runs_to_end
    async def set_base_version(self, version: str) -> None:
        values = {"guild_id": DIRECT_MESSAGES, "version": version, "updated_at": datetime.now(UTC).timestamp()}
        async with self._changing("save the base version") as (connection, changes):
            await connection.execute(backends.upsert(self._engine, corpus_versions, values))
            changes.append((DIRECT_MESSAGES, "base"))

    # Changes across processes (bot/changes.py listens and catches up)

    def listen(self, on_change: OnChange, on_connected: OnConnected, **listener_options: float) -> Subscription:
        """Call `on_change` for every change any process commits from now on, and `on_connected`
        each time hearing them (re)starts — then the caller should catch up with `changes_since`.
        PostgreSQL: a dedicated LISTEN connection that reconnects by itself; SQLite: this store's writes."""
        if self.backend == "postgresql":
            subscription: Subscription = PostgresListener(self._engine.url, on_change, on_connected, **listener_options)
        else:
            subscription = LocalSubscription(self._local_subscribers, on_change, on_connected)
        self._subscriptions.append(subscription)
        return subscription

    @_runs_to_end
    async def changes_since(self, version: int) -> tuple[int, list[Change]]:
        """(the clock now, every guild's and kind's latest change after `version`). The clock is read
        first: every change up to it has committed, so it is safe to resume from."""
        async with self._reading("read the changes") as connection:
            now = await announce.clock(connection)
            return now, await announce.since(connection, version)

    # Processes

    @_runs_to_end
    async def record_process(self, record: ProcessRecord) -> None:
        values = {
            "guild_id": DIRECT_MESSAGES,
            "process_key": record.key,
            "host": record.host,
            "pid": record.pid,
            "shard_ids": None if record.shard_ids is None else list(record.shard_ids),
            "shard_count": record.shard_count,
            "base_version": record.base_version,
            "started_at": _seconds(record.started_at),
            "last_seen": _seconds(record.last_seen),
        }
        async with self._writing("record the process") as connection:
            await connection.execute(backends.upsert(self._engine, processes, values))

    @_runs_to_end
    async def remove_process(self, host: str, pid: int) -> None:
        async with self._writing("remove the process") as connection:
            await connection.execute(
                processes.delete().where(
                    processes.c.guild_id == DIRECT_MESSAGES, processes.c.process_key == f"{host}:{pid}"
                )
            )

    @_runs_to_end
    async def list_processes(self, seen_since: datetime) -> list[ProcessRecord]:
        query = (
            sa.select(processes)
            .where(processes.c.guild_id == DIRECT_MESSAGES, processes.c.last_seen >= _seconds(seen_since))
            .order_by(processes.c.host, processes.c.pid)
        )
        async with self._reading("list the processes") as connection:
            rows = (await connection.execute(query)).all()
        return [
            ProcessRecord(
                r.host,
                int(r.pid),
                None if r.shard_ids is None else tuple(int(i) for i in r.shard_ids),
                None if r.shard_count is None else int(r.shard_count),
                r.base_version,
                _moment(r.started_at),
                _moment(r.last_seen),
            )
            for r in rows
        ]

    # Gateway identify coordination (PostgreSQL only: one SQLite file has one process)

    async def take_identify_slot(self, bucket: int, hold_s: float, max_wait_s: float) -> bool:
        """Wait until no other process holds `bucket`'s identify lock, then hold it for `hold_s` more
        seconds from now (in the background), so the next identify of that bucket, in any process,
        comes at least `hold_s` after ours. False when `max_wait_s` passed without the lock: the
        caller identifies anyway rather than miss discord.py's shard connect timeout.

        A session-level advisory lock on its own connection: a process that dies mid-hold frees it."""
        if self.backend != "postgresql":
            raise StoreError("identify slots are coordinated through PostgreSQL only")
        key = backends.identify_lock_key(bucket)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_wait_s
        try:
            connection = await self._engine.connect()
        except Exception as error:
            if _is_outage(error):
                raise _unavailable("take an identify slot", error) from error
            raise
        try:
            while True:
                got = (await connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key})).scalar()
                await connection.commit()  # the lock is the session's; no transaction stays open while waiting
                if got:
                    break
                if loop.time() >= deadline:
                    await connection.close()
                    return False
                await asyncio.sleep(IDENTIFY_LOCK_POLL_S)
        except BaseException as error:
            await connection.close()
            if isinstance(error, Exception) and _is_outage(error):
                raise _unavailable("take an identify slot", error) from error
            raise
        hold = asyncio.create_task(self._release_identify_lock(connection, key, hold_s), name=f"identify-{bucket}")
        self._identify_holds[hold] = connection
        hold.add_done_callback(lambda done: self._identify_holds.pop(done, None))
        return True

    async def _release_identify_lock(self, connection: AsyncConnection, key: int, hold_s: float) -> None:
        try:
            await asyncio.sleep(hold_s)
            await connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            await connection.commit()
        except Exception:  # the connection is gone, and with it the session that held the lock
            pass
        finally:
            await connection.close()


def _article(row: sa.Row) -> ServerArticle:
    return ServerArticle(
        row.guild_id, row.article_id, row.file_name, bytes(row.content), row.added_by, _moment(row.added_at)
    )


def _feedback_row(key: str, entry: FeedbackEntry) -> dict:
    return {
        "guild_id": entry.guild_id,
        "feedback_id": key,
        "channel_id": entry.channel_id,
        "user_id": entry.user_id,
        "question": entry.question,
        "passage_ids": " ".join(entry.passage_ids),
        "verdict": "helpful" if entry.helpful else "not_helpful",
        "created_at": _seconds(entry.created_at),
    }
