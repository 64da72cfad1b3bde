"""Members' "Helpful" / "Not helpful" verdicts, kept in the bot's store (bot/store).

Only what feedback needs is kept: the question, the passage ids shown, the guild and channel
ids, the user id, the verdict and the time. A failing database never blocks or breaks answers:
the failure is logged once per streak, the member is told, and the verdict is dropped.

The store itself is the bot's one Database (bot/database.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.database import Database
from bot.store import DIRECT_MESSAGES, FeedbackEntry, StoreError

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
    def __init__(self, database: Database) -> None:
        self.database = database
        self._failed_once = False

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
            await (await self.database.get()).record_feedback(entry)
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
            store = await self.database.get()
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

    def _report(self, error: Exception) -> None:
        if not self._failed_once:
            log.error("feedback store is failing (%s); answers go on, verdicts are dropped", error)
            self._failed_once = True
