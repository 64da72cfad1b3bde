"""Members' "Helpful" / "Not helpful" verdicts in SQLite, written off the event loop.

Only what feedback needs is kept: the question, the passage ids shown, the guild and channel
ids, the user id, the verdict and the time. A failing store never blocks or breaks answers:
the failure is logged once and the verdict is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    passage_ids TEXT NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    user_id INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('helpful', 'not_helpful')),
    created_at REAL NOT NULL
)
"""
_TIMEOUT_S = 1.0  # a locked database must not hold a worker thread for sqlite's default 5 s


@dataclass(frozen=True, slots=True)
class Verdict:
    question: str
    passage_ids: tuple[str, ...]
    guild_id: int | None
    channel_id: int | None
    user_id: int
    helpful: bool


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._failed_once = False
        self._schema_ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._schema_ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=_TIMEOUT_S)
        if not self._schema_ready:
            with closing(connection.cursor()) as cursor:
                cursor.execute(_SCHEMA)
            self._schema_ready = True
        return connection

    def _write(self, verdict: Verdict) -> None:
        with closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT INTO feedback (question, passage_ids, guild_id, channel_id, user_id, verdict, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    verdict.question,
                    " ".join(verdict.passage_ids),
                    verdict.guild_id,
                    verdict.channel_id,
                    verdict.user_id,
                    "helpful" if verdict.helpful else "not_helpful",
                    time.time(),
                ),
            )

    def _counts(self) -> dict[str, int]:
        with closing(self._connect()) as connection:
            rows = connection.execute("SELECT verdict, COUNT(*) FROM feedback GROUP BY verdict").fetchall()
        return {"helpful": 0, "not_helpful": 0, **dict(rows)}

    async def record(self, verdict: Verdict) -> bool:
        """Store a verdict; False (and one log line per failure streak) when the store fails."""
        try:
            await asyncio.to_thread(self._write, verdict)
        except (sqlite3.Error, OSError) as error:
            self._report(error)
            return False
        self._failed_once = False
        return True

    async def counts(self) -> dict[str, int] | None:
        try:
            return await asyncio.to_thread(self._counts)
        except (sqlite3.Error, OSError) as error:
            self._report(error)
            return None

    def _report(self, error: Exception) -> None:
        if not self._failed_once:
            log.error("feedback store %s is failing (%s); answers go on, verdicts are dropped", self.path, error)
            self._failed_once = True
