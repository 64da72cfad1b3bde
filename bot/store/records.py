"""The values the store takes and gives back: plain frozen dataclasses, no database types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Direct messages have no guild; their rows (feedback) are kept under this id, which no Discord
# snowflake can take, so that every primary key can still start with a guild id.
DIRECT_MESSAGES = 0

STRICTNESS_LEVELS = ("strict", "normal", "lenient")


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """A server's article without its bytes: what listings and quotas need."""

    guild_id: int
    article_id: str
    file_name: str
    size_bytes: int
    added_by: int
    added_at: datetime


@dataclass(frozen=True, slots=True)
class ServerArticle:
    guild_id: int
    article_id: str
    file_name: str
    content: bytes
    added_by: int
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Quota:
    """A server's limits, checked in the same transaction as the add so two adds cannot both slip in."""

    max_articles: int
    max_bytes: int
    max_adds_per_hour: int


@dataclass(frozen=True, slots=True)
class GuildUsage:
    articles: int
    total_bytes: int


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """A server's choices; a server that never changed anything gets these defaults."""

    moderator_role_ids: frozenset[int] = field(default_factory=frozenset)
    mention_channel_ids: frozenset[int] | None = None  # None: mentions are answered in every channel
    base_corpus: bool = True
    strictness: str = "normal"
    cooldown_s: float | None = None  # None: the bot's QA_ASK_COOLDOWN_S

    def __post_init__(self) -> None:
        if self.strictness not in STRICTNESS_LEVELS:
            raise ValueError(f"strictness must be one of {', '.join(STRICTNESS_LEVELS)}, got {self.strictness!r}")
        if self.cooldown_s is not None and not 0 <= self.cooldown_s < float("inf"):
            raise ValueError(f"cooldown must be a finite number of seconds ≥ 0, got {self.cooldown_s!r}")


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    guild_id: int  # DIRECT_MESSAGES for a DM
    channel_id: int | None
    user_id: int
    question: str
    passage_ids: tuple[str, ...]
    helpful: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FeedbackCounts:
    helpful: int = 0
    not_helpful: int = 0


CHANGE_KINDS = ("articles", "settings", "base", "forgotten")


@dataclass(frozen=True, slots=True)
class Change:
    """One announced change: which guild (DIRECT_MESSAGES for the base), what kind, and the clock
    value it was given. Never the data: a process reads that from the store when it needs it."""

    guild_id: int
    kind: str  # one of CHANGE_KINDS
    version: int


@dataclass(frozen=True, slots=True)
class ProcessRecord:
    """A bot process as it last reported itself (bot/changes.py writes it, /corpus stats reads it)."""

    host: str
    pid: int
    shard_ids: tuple[int, ...] | None
    shard_count: int | None
    base_version: str | None
    started_at: datetime
    last_seen: datetime

    @property
    def key(self) -> str:
        return f"{self.host}:{self.pid}"
