"""The store's whole surface: what the bot may ask of its database, whichever backend holds it.

Every method is keyed by the guild first, so a caller can only ever reach one server's rows at a
time (guild lifecycle, the base version, changes and processes aside). Failures of the database
itself raise StoreUnavailable; nothing of a failed write is kept.

Every write that changes what a process holds (a server's articles or settings, a forgotten
server, the base version) is announced to every process in its own transaction: `listen` hears
them, `changes_since` re-reads what a process missed (bot/store/announce.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from bot.store.listener import OnChange, OnConnected, Subscription
from bot.store.records import (
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


class Store(Protocol):
    backend: str  # "sqlite" or "postgresql"

    async def close(self) -> None: ...

    # Server articles
    async def add_article(self, article: ServerArticle, quota: Quota | None = None) -> None:
        """Store a server's article; ArticleExists for a used id, QuotaExceeded when a limit is reached."""

    async def get_article(self, guild_id: int, article_id: str) -> ServerArticle | None: ...

    async def list_articles(self, guild_id: int) -> list[ArticleInfo]:
        """The server's articles without their bytes, oldest first."""

    async def read_articles(self, guild_id: int) -> list[ServerArticle]:
        """The server's articles with their bytes, oldest first (to build its index)."""

    async def remove_article(self, guild_id: int, article_id: str) -> bool:
        """True when the article was there."""

    async def usage(self, guild_id: int) -> GuildUsage: ...

    async def adds_since(self, guild_id: int, since: datetime) -> int:
        """Articles added since `since`, removed ones included (a remove does not give an add back)."""

    # Server settings
    async def get_settings(self, guild_id: int) -> ServerSettings: ...

    async def set_settings(self, guild_id: int, settings: ServerSettings) -> None: ...

    # Feedback
    async def record_feedback(self, entry: FeedbackEntry) -> None: ...

    async def feedback_counts(self, guild_id: int) -> FeedbackCounts: ...

    async def feedback_counts_by_guild(self) -> dict[int, FeedbackCounts]:
        """Every guild's counts (the owner's view); direct messages under DIRECT_MESSAGES."""

    async def import_feedback(self, entries: Iterable[tuple[str, FeedbackEntry]]) -> int:
        """Insert entries under the given stable keys, skipping keys already stored; how many were new."""

    # Guild lifecycle
    async def mark_guild_left(self, guild_id: int, at: datetime) -> None: ...

    async def mark_guild_returned(self, guild_id: int) -> None: ...

    async def guilds_left_before(self, cutoff: datetime) -> list[int]: ...

    async def forget_guild(self, guild_id: int) -> None:
        """Delete every row of that guild, in every table, in one transaction."""

    async def stored_guild_ids(self) -> set[int]:
        """Every guild that has any row (direct messages excluded)."""

    # The base corpus
    async def get_base_version(self) -> str | None: ...

    async def set_base_version(self, version: str) -> None: ...

    # Gateway start-up across processes (PostgreSQL only)
    async def take_identify_slot(self, bucket: int, hold_s: float, max_wait_s: float) -> bool:
        """Hold the bucket's identify lock for `hold_s` from now; False if not had within `max_wait_s`."""

    # Changes across processes
    def listen(self, on_change: OnChange, on_connected: OnConnected, **listener_options: float) -> Subscription:
        """Hear every committed change from now on; `on_connected` at each (re)start of hearing them."""

    async def changes_since(self, version: int) -> tuple[int, list[Change]]:
        """(the clock now, the latest change of each guild and kind after `version`)."""

    # Processes (the owner's /corpus stats)
    async def record_process(self, record: ProcessRecord) -> None: ...

    async def remove_process(self, host: str, pid: int) -> None: ...

    async def list_processes(self, seen_since: datetime) -> list[ProcessRecord]:
        """Every process that reported itself since `seen_since`, by host and pid."""
