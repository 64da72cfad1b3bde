"""The feedback table the bot kept before the store (data/feedback.sqlite3), imported once.

Each old row is imported under a key made from its own content, skipped when already there, so
an import interrupted before the old file is renamed can simply run again, while two hosts'
files (whose row ids both start at 1) imported into one PostgreSQL both arrive whole. After a complete import
the file is renamed to `feedback.sqlite3.imported` (kept, not deleted: it is the member data the
operator had) and is not read again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from bot.store.api import Store
from bot.store.records import DIRECT_MESSAGES, FeedbackEntry

log = logging.getLogger(__name__)
IMPORTED_SUFFIX = ".imported"


def _key(row: tuple) -> str:
    return "legacy-" + hashlib.sha256(repr(row).encode("utf-8")).hexdigest()[:32]


def _entry(row: tuple) -> FeedbackEntry:
    _, question, passage_ids, guild_id, channel_id, user_id, verdict, created_at = row
    return FeedbackEntry(
        guild_id=DIRECT_MESSAGES if guild_id is None else int(guild_id),
        channel_id=channel_id,
        user_id=int(user_id),
        question=question,
        passage_ids=tuple(passage_ids.split()),
        helpful=verdict == "helpful",
        created_at=datetime.fromtimestamp(created_at, UTC),
    )


def _read(path: Path) -> list[tuple[str, FeedbackEntry]]:
    # Read-only, so a file that is not the old table is left exactly as it was.
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)) as connection:
        rows = connection.execute(
            "SELECT id, question, passage_ids, guild_id, channel_id, user_id, verdict, created_at FROM feedback"
        ).fetchall()
    return [(_key(row), _entry(row)) for row in rows]


async def import_legacy_feedback(store: Store, path: Path) -> int | None:
    """Import the old file's verdicts into the store; None when there is no old file to import."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        entries = await asyncio.to_thread(_read, path)
    except sqlite3.Error as error:
        log.error("could not read the old feedback file %s (%s); it is left as it is", path, error)
        return None
    added = await store.import_feedback(entries)
    path.rename(path.with_name(path.name + IMPORTED_SUFFIX))
    log.info("imported %d verdicts from %s (%d were already there)", added, path, len(entries) - added)
    return added
