"""The bot's database: server articles, server settings, feedback, guild lifecycle, base version.

`open_store(database_url, data_dir)` gives a Store (api.py) on SQLite in `data_dir` by default or
on PostgreSQL when a URL is given, migrated to the newest schema. No SQL lives outside this package.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.api import Store
from bot.store.backends import DATABASE_FILE, resolve_url
from bot.store.errors import (
    ArticleExists,
    QuotaExceeded,
    StoreConfigError,
    StoreError,
    StoreInUse,
    StoreUnavailable,
)
from bot.store.listener import Subscription
from bot.store.records import (
    CHANGE_KINDS,
    DIRECT_MESSAGES,
    STRICTNESS_LEVELS,
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
from bot.store.sql_store import SqlStore

__all__ = [
    "CHANGE_KINDS",
    "DATABASE_FILE",
    "DIRECT_MESSAGES",
    "STRICTNESS_LEVELS",
    "ArticleExists",
    "ArticleInfo",
    "Change",
    "FeedbackCounts",
    "FeedbackEntry",
    "GuildUsage",
    "ProcessRecord",
    "Quota",
    "QuotaExceeded",
    "ServerArticle",
    "ServerSettings",
    "Store",
    "StoreConfigError",
    "StoreError",
    "StoreInUse",
    "StoreUnavailable",
    "Subscription",
    "open_store",
]


async def open_store(database_url: str, data_dir: Path) -> Store:
    """Raises StoreConfigError (bad URL), StoreInUse (SQLite held by another process) or StoreUnavailable."""
    return await SqlStore.open(resolve_url(database_url, data_dir))
