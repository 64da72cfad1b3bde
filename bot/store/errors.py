"""What can go wrong in the store, as the callers need to tell it apart."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class StoreConfigError(StoreError):
    """The configured database cannot be used at all (a bad URL); fatal at start."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or answered in time; nothing of the operation was written."""


class StoreInUse(StoreError):
    """The embedded SQLite file is held by another bot process (SQLite cannot be shared)."""


class ArticleExists(StoreError):
    def __init__(self, guild_id: int, article_id: str) -> None:
        super().__init__(f"article {article_id!r} is already stored for server {guild_id}")
        self.guild_id = guild_id
        self.article_id = article_id


class QuotaExceeded(StoreError):
    """An add refused by one of the server's limits; `limit` names it and `value` is its number."""

    def __init__(self, limit: str, value: int) -> None:
        super().__init__(f"the server's limit of {value} {limit} is reached")
        self.limit = limit
        self.value = value
