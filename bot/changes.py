"""Changes made through any process reach every process: applying them, and catching up.

A process hears every committed change (bot/store: NOTIFY on PostgreSQL, its own writes on
SQLite) and applies it to what it holds: a server's articles -> its library is made anew at its
next question; its settings -> `bot.server_settings.changed`; a forgotten server -> both; the base
corpus -> reload from this host's files if their version differs from the database's.

Notifications are lost while the listener is disconnected, so each (re)connection and, every
`version_check_s` (0: never), a periodic check re-read the change log from the last clock value
seen. A change heard both ways is applied once (by its version). A process that starts later
holds nothing yet: it reads the current state as it needs it.

The base corpus's version is a hash of its articles (ids and content hashes). The database holds
the one the owner last reloaded; a process whose files give another logs an error and serves what
it has, and each process reports its own version (the processes table) for /corpus stats. A reload
made while the database cannot be reached is kept, and announced at the next heartbeat (every
`heartbeat_s`), connection or check that reaches it, before this process reads the database's
version again: the other processes reload once the database is back. It is kept in memory only: a
process restarted before then finds the database's version and logs that its files differ.

Nothing here concludes that the bot left a server: a process sees only its own shards' guilds.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.store import Change, ProcessRecord, Store, StoreError, Subscription
from retrieval.answering.library import Library
from retrieval.corpus.loader import CorpusPathError

if TYPE_CHECKING:
    from bot.client import QABot

log = logging.getLogger(__name__)


def base_version(library: Library) -> str:
    """The base corpus's version: the same articles with the same text give the same version on every host."""
    digest = hashlib.blake2b(digest_size=16)
    for article in sorted(library.corpus.articles, key=lambda a: a.id):
        digest.update(f"{article.id}\x00{article.content_hash}\x00".encode())
    return digest.hexdigest()


class ChangeFeed:
    def __init__(self, bot: QABot, *, check_s: float, heartbeat_s: float, listener_options: dict | None = None) -> None:
        self.bot = bot
        self.check_s = check_s
        self.heartbeat_s = heartbeat_s
        self.listener_options = listener_options or {}
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.started_at = datetime.now(UTC)
        self.base_version: str | None = None
        self.pending_base: str | None = None  # a reloaded base version not yet stored in the database
        self.last_seen: int | None = None  # the clock value up to which every change was applied
        self.applied = 0  # changes applied since start (tests and the bench read it)
        self._subscription: Subscription | None = None
        self._applied_versions: dict[tuple[int, str], int] = {}  # (guild, kind) -> latest version applied
        self._tasks: set[asyncio.Task] = set()
        self._loops: list[asyncio.Task] = []
        self._catching_up = asyncio.Lock()
        self._base_lock = asyncio.Lock()
        self._announcing = asyncio.Lock()

    # ------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """After the base corpus is loaded and the database opened (or found unreachable)."""
        self.base_version = base_version(self.bot.holder.library)
        await self._connect()
        self._loops.append(asyncio.create_task(self._every(self.heartbeat_s, self._heartbeat), name="heartbeat"))
        if self.check_s > 0:
            self._loops.append(asyncio.create_task(self._every(self.check_s, self.catch_up), name="version-check"))

    async def stop(self) -> None:
        for task in [*self._loops, *self._tasks]:
            task.cancel()
        await asyncio.gather(*self._loops, *self._tasks, return_exceptions=True)
        self._loops.clear()
        if self._subscription is not None:
            await self._subscription.close()
            self._subscription = None
        store = self.bot.database.store
        if store is not None:
            with contextlib.suppress(StoreError):
                await store.remove_process(self.host, self.pid)

    @property
    def listening(self) -> bool:
        return self._subscription is not None and self._subscription.connected

    async def _store(self) -> Store | None:
        try:
            return await self.bot.database.get()
        except StoreError as error:
            log.debug("changes: the database cannot be reached (%s)", error)
            return None

    async def _connect(self) -> None:
        """Agree on the base version and start listening, once the database can be reached."""
        if self._subscription is not None:
            return
        store = await self._store()
        if store is None:
            return
        try:
            await self._announce_pending(store)  # the owner's reload made while away comes first
            stored = await store.get_base_version()
            if stored is None:  # the first process ever: its base is the base
                await store.set_base_version(self.base_version)
            elif stored != self.base_version:
                log.error(
                    "this host's base corpus (version %s) differs from the database's (%s, the owner's last"
                    " reload); serving this host's until the owner reloads",
                    self.base_version,
                    stored,
                )
            self.last_seen, _ = await store.changes_since(2**62)  # the clock now; what is held is current
        except StoreError as error:
            log.warning("changes: could not read the change log (%s); trying again later", error)
            self.last_seen = None
            return
        self._subscription = store.listen(self._heard, self._reconnected, **self.listener_options)
        await self._heartbeat()

    async def _every(self, seconds: float, work) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await work()
            except Exception:  # a periodic task must outlive one failure
                log.exception("changes: %s failed", getattr(work, "__name__", work))

    def _spawn(self, work) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------- hearing

    def _heard(self, change: Change) -> None:
        self._spawn(self.apply(change))

    def _reconnected(self) -> None:
        self._spawn(self.catch_up())

    async def catch_up(self) -> int:
        """Apply every change after the last clock value seen; how many were applied."""
        if self._subscription is None:
            await self._connect()
        store = self.bot.database.store
        if store is None or self.last_seen is None:
            return 0
        async with self._catching_up:
            try:
                now, changes = await store.changes_since(self.last_seen)
            except StoreError as error:
                log.warning("changes: could not read the change log (%s); trying again later", error)
                return 0
            for change in changes:
                await self.apply(change)
            if changes:
                log.info("changes: caught up on %d missed change(s) up to version %d", len(changes), now)
            self.last_seen = max(self.last_seen, now)
            return len(changes)

    async def apply(self, change: Change) -> None:
        """Apply a change once: the same one may come by notification and by a catch-up."""
        key = (change.guild_id, change.kind)
        if change.version <= self._applied_versions.get(key, 0):
            return
        self._applied_versions[key] = change.version
        if change.kind in ("articles", "forgotten"):
            self.bot.libraries.changed(change.guild_id)
        if change.kind in ("settings", "forgotten"):
            server_settings = getattr(self.bot, "server_settings", None)  # helper "settings" adds it
            if server_settings is not None:
                server_settings.changed(change.guild_id)
        if change.kind == "base":
            await self._base_changed()
        self.applied += 1
        log.info("change applied: guild %s %s version %d", change.guild_id, change.kind, change.version)

    # ------------------------------------------------------------- the base corpus

    async def _base_changed(self) -> None:
        store = self.bot.database.store
        if store is None:
            return
        async with self._base_lock:
            try:
                await self._announce_pending(store)  # then the database holds this process's version
                stored = await store.get_base_version()
            except StoreError as error:
                log.warning("changes: could not read the base version (%s)", error)
                return
            if stored is None or stored == self.base_version:
                return
            log.info("the base corpus changed to version %s; reloading this host's files", stored)
            try:
                await self.bot.holder.load()
            except CorpusPathError as error:
                log.error("base corpus reload failed (%s); the previous corpus keeps answering", error)
                return
            self.base_version = base_version(self.bot.holder.library)
            if self.base_version != stored:
                log.error(
                    "this host's base corpus (version %s) differs from the database's (%s); serving this host's",
                    self.base_version,
                    stored,
                )
        await self._heartbeat()

    async def publish_base(self) -> bool:
        """After the owner reloaded the base here: every other process reloads its files. False when
        the database cannot be reached now: the version is kept and announced once it can be."""
        self.base_version = base_version(self.bot.holder.library)
        self.pending_base = self.base_version
        store = await self._store()
        if store is None:
            log.error(
                "the base corpus was reloaded here, but the database is unreachable: it is announced when it is back"
            )
        else:
            try:
                await self._announce_pending(store)
            except StoreError as error:
                log.error(
                    "could not announce the reloaded base corpus (%s): it is announced when the database is back", error
                )
        await self._heartbeat()
        return self.pending_base is None

    async def _announce_pending(self, store: Store) -> None:
        """Store the reloaded version not announced yet, if any; raises StoreError when it cannot."""
        async with self._announcing:  # one at a time: an older version never lands after a newer one
            version = self.pending_base
            if version is None:
                return
            if await store.get_base_version() != version:
                await store.set_base_version(version)
                log.info("base corpus version %s announced: the other processes reload theirs", version)
            if self.pending_base == version:  # no newer reload meanwhile
                self.pending_base = None

    # ------------------------------------------------------------- processes

    def record(self) -> ProcessRecord:
        bot = self.bot
        return ProcessRecord(
            host=self.host,
            pid=self.pid,
            shard_ids=tuple(bot.shard_ids) if bot.shard_ids is not None else None,
            shard_count=bot.shard_count,
            base_version=self.base_version,
            started_at=self.started_at,
            last_seen=datetime.now(UTC),
        )

    async def _heartbeat(self) -> None:
        if self._subscription is None:
            await self._connect()
            return  # _connect reported in
        store = self.bot.database.store
        if store is None:
            return
        try:
            await self._announce_pending(store)
        except StoreError as error:
            log.debug("changes: the reloaded base corpus is not announced yet (%s)", error)
        try:
            await store.record_process(self.record())
        except StoreError as error:
            log.debug("changes: heartbeat not recorded (%s)", error)

    async def processes(self) -> list[ProcessRecord]:
        """The processes that reported in the last three heartbeats (for the owner's /corpus stats);
        raises StoreError when the database cannot be reached."""
        since = datetime.now(UTC) - timedelta(seconds=3 * self.heartbeat_s)
        return await (await self.bot.database.get()).list_processes(since)
