"""Members' "Helpful" / "Not helpful" verdicts, kept in the bot's store (bot/store).

Only what feedback needs is kept: the question, the passage ids shown, the guild and channel
ids, the user id, the verdict and the time. A failing database never blocks or breaks answers:
the failure is logged once per streak, the member is told, and the verdict is dropped.

The store is opened at start (`open`), so a second bot process on the same SQLite file is
refused there with a clear message; a database that cannot be reached at start is tried again
at the next verdict. The first open also imports the verdicts of the file the bot used before
the store (feedback.sqlite3), once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.settings import Settings
from bot.store import (
    DIRECT_MESSAGES,
    FeedbackEntry,
    Store,
    StoreConfigError,
    StoreError,
    StoreInUse,
    open_store,
)
from bot.store.legacy import import_legacy_feedback

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Verdict:
    question: str
    passage_ids: tuple[str, ...]
    guild_id: int | None
    channel_id: int | None
    user_id: int
    helpful: bool


class FeedbackStore:
    def __init__(self, settings: Settings) -> None:
        self._database_url = settings.database_url.reveal()
        self._data_dir = settings.data_dir
        self._legacy_file = settings.feedback_db
        self._store: Store | None = None
        self._opening = asyncio.Lock()
        self._failed_once = False

    @property
    def store(self) -> Store | None:
        """The open store, once `open` (or a verdict) reached it."""
        return self._store

    async def open(self) -> None:
        """Raises StoreInUse or StoreConfigError, which must stop the bot; any other failure is logged."""
        try:
            await self._ensure_open()
        except (StoreInUse, StoreConfigError):
            raise
        except StoreError as error:
            self._report(error)

    async def _ensure_open(self) -> Store:
        async with self._opening:
            if self._store is None:
                store = await open_store(self._database_url, self._data_dir)
                try:
                    await import_legacy_feedback(store, self._legacy_file)
                except (StoreError, OSError) as error:  # the old file stays; the next start tries again
                    log.error("could not import the old feedback file %s (%s)", self._legacy_file, error)
                self._store = store
            return self._store

    async def record(self, verdict: Verdict) -> bool:
        """Store a verdict; False (and one log line per failure streak) when the store fails."""
        entry = FeedbackEntry(
            guild_id=DIRECT_MESSAGES if verdict.guild_id is None else verdict.guild_id,
            channel_id=verdict.channel_id,
            user_id=verdict.user_id,
            question=verdict.question,
            passage_ids=verdict.passage_ids,
            helpful=verdict.helpful,
            created_at=datetime.now(UTC),
        )
        try:
            await (await self._ensure_open()).record_feedback(entry)
        except StoreError as error:
            self._report(error)
            return False
        except Exception:  # a bug, not an outage: still never into the answer path
            log.exception("feedback could not be recorded")
            return False
        self._failed_once = False
        return True

    async def counts(self, guild_id: int | None = None) -> dict[str, int] | None:
        """A server's verdict counts (DIRECT_MESSAGES for DMs); every server's together when None."""
        try:
            store = await self._ensure_open()
            if guild_id is None:
                every = (await store.feedback_counts_by_guild()).values()
                helpful, not_helpful = sum(c.helpful for c in every), sum(c.not_helpful for c in every)
            else:
                counted = await store.feedback_counts(guild_id)
                helpful, not_helpful = counted.helpful, counted.not_helpful
        except StoreError as error:
            self._report(error)
            return None
        return {"helpful": helpful, "not_helpful": not_helpful}

    async def close(self) -> None:
        if self._store is not None:
            await self._store.close()
            self._store = None

    def _report(self, error: Exception) -> None:
        if not self._failed_once:
            log.error("feedback store is failing (%s); answers go on, verdicts are dropped", error)
            self._failed_once = True
