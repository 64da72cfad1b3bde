"""The bot's one store (bot/store), opened once and shared by every feature that keeps data.

Opened at start (`open`), so a second bot process on the same SQLite file is refused there with a
clear message; a database that cannot be reached at start is tried again at the next use (`get`).
Once closed (shutdown), `get` refuses instead of opening a new store for a task still running,
which nothing would close.
The first open also imports the verdicts of the file the bot used before the store
(feedback.sqlite3), once.
"""

from __future__ import annotations

import asyncio
import logging

from bot.settings import Settings
from bot.store import Store, StoreConfigError, StoreError, StoreInUse, StoreUnavailable, open_store
from bot.store.legacy import import_legacy_feedback

log = logging.getLogger(__name__)


class Database:
    def __init__(self, settings: Settings) -> None:
        self._database_url = settings.database_url.reveal()
        self._data_dir = settings.data_dir
        self._legacy_file = settings.feedback_db
        self._store: Store | None = None
        self._opening = asyncio.Lock()
        self._closed = False

    @property
    def store(self) -> Store | None:
        """The open store, once `open` (or a `get`) reached it."""
        return self._store

    async def open(self) -> None:
        """Raises StoreInUse or StoreConfigError, which must stop the bot; an outage is logged."""
        self._closed = False
        try:
            await self.get()
        except (StoreInUse, StoreConfigError):
            raise
        except StoreError as error:
            log.error("the database cannot be reached at start (%s); it is tried again at its next use", error)

    async def get(self) -> Store:
        """The open store, opening it if needed; raises StoreError when it cannot be reached."""
        async with self._opening:
            if self._closed:
                raise StoreUnavailable("the database is closed: the bot is stopping")
            if self._store is None:
                store = await open_store(self._database_url, self._data_dir)
                try:
                    await import_legacy_feedback(store, self._legacy_file)
                except (StoreError, OSError) as error:  # the old file stays; the next start tries again
                    log.error("could not import the old feedback file %s (%s)", self._legacy_file, error)
                self._store = store
            return self._store

    async def close(self) -> None:
        async with self._opening:  # a store being opened now is closed too
            self._closed = True
            if self._store is not None:
                await self._store.close()
                self._store = None
