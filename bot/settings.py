"""Configuration from the environment and `.env` (see .env.example for every key)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class Secret:
    """A value that never shows itself in logs, tracebacks or reprs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the key."""


def default_corpus_dir() -> Path:
    """`seeds/` in the current folder, else the one shipped beside the package."""
    here = Path("seeds")
    return here if here.is_dir() else _PACKAGE_ROOT / "seeds"


@dataclass(frozen=True)
class Settings:
    discord_token: Secret = field(default_factory=lambda: Secret(""))
    corpus_dir: Path = field(default_factory=default_corpus_dir)
    data_dir: Path = Path("data")
    moderator_role_id: int | None = None
    ask_cooldown_s: float = 10.0
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    database_url: Secret = field(default_factory=lambda: Secret(""))  # empty: SQLite in data_dir (bot/store)
    # None: one process runs Discord's recommended number of shards (GET /gateway/bot).
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None  # None: every shard of shard_count
    # Each server's own articles (bot/quotas.py): how many, how many bytes in all, how many adds an hour.
    quota_articles: int = 200
    quota_bytes: int = 10_000_000
    quota_adds_per_hour: int = 30
    forget_after_days: int = 30  # a server the bot left is forgotten this long after (bot/cogs/lifecycle.py)

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite3"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, dotenv_path: Path | None = Path(".env")) -> Settings:
        """Process environment over `.env` (so a deployment can override the file)."""
        values: dict[str, str | None] = {}
        if dotenv_path is not None and dotenv_path.is_file():
            values.update(dotenv_values(dotenv_path))
        values.update(os.environ if env is None else env)

        def get(key: str) -> str:
            return (values.get(key) or "").strip()

        return cls(
            discord_token=Secret(get("DISCORD_TOKEN")),
            corpus_dir=Path(get("QA_CORPUS_DIR")) if get("QA_CORPUS_DIR") else default_corpus_dir(),
            data_dir=Path(get("QA_DATA_DIR") or "data"),
            moderator_role_id=_optional_int(get("QA_MODERATOR_ROLE_ID"), "QA_MODERATOR_ROLE_ID"),
            ask_cooldown_s=_float(get("QA_ASK_COOLDOWN_S"), "QA_ASK_COOLDOWN_S", 10.0),
            dev_guild_id=_optional_int(get("QA_DEV_GUILD_ID"), "QA_DEV_GUILD_ID"),
            log_level=(get("QA_LOG_LEVEL") or "INFO").upper(),
            database_url=Secret(get("QA_DATABASE_URL")),
            **_shards(get("QA_SHARD_COUNT"), get("QA_SHARD_IDS")),
            quota_articles=_count(get("QA_QUOTA_ARTICLES"), "QA_QUOTA_ARTICLES", 200, "articles"),
            quota_bytes=_count(get("QA_QUOTA_MB"), "QA_QUOTA_MB", 10, "megabytes") * 1_000_000,
            quota_adds_per_hour=_count(get("QA_QUOTA_ADDS_PER_HOUR"), "QA_QUOTA_ADDS_PER_HOUR", 30, "adds"),
            forget_after_days=_count(get("QA_FORGET_AFTER_DAYS"), "QA_FORGET_AFTER_DAYS", 30, "days", least=0),
        )


_MAX_SNOWFLAKE = 2**64 - 1  # Discord ids are unsigned 64-bit integers
_MAX_SHARDS = 65_536  # far beyond any bot; a typo of many digits is caught here, not at Discord


def _optional_int(text: str, key: str) -> int | None:
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{key} must be a number (a Discord id), got {text!r}") from None
    if not 0 < value <= _MAX_SNOWFLAKE:
        raise SettingsError(f"{key} must be a Discord id (a positive 64-bit number), got {text!r}")
    return value


def _float(text: str, key: str, default: float) -> float:
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{key} must be a number of seconds, got {text!r}") from None
    # float() accepts "nan" and "inf": nan compares false with everything (no pause at all) and
    # inf cannot be rounded for the wait message.
    if not math.isfinite(value):
        raise SettingsError(f"{key} must be a finite number of seconds, got {text!r}")
    if value < 0:
        raise SettingsError(f"{key} cannot be negative")
    return value


_MAX_COUNT = 10**9  # far beyond any sensible limit; catches a number typed twice


def _count(text: str, key: str, default: int, unit: str, least: int = 1) -> int:
    """A whole number of `unit` from `least` up (a quota of 0 would refuse every add: a typo, not a choice)."""
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{key} must be a whole number of {unit}, got {text!r}") from None
    if not least <= value <= _MAX_COUNT:
        raise SettingsError(f"{key} must be between {least} and {_MAX_COUNT:,} {unit}, got {text!r}")
    return value


def _shards(count_text: str, ids_text: str) -> dict:
    """QA_SHARD_COUNT and QA_SHARD_IDS; ids only make sense against a count (which shard 1 of how many?)."""
    if not count_text:
        if ids_text:
            raise SettingsError("QA_SHARD_IDS needs QA_SHARD_COUNT (the total number of shards over all processes)")
        return {}
    try:
        count = int(count_text)
    except ValueError:
        raise SettingsError(f"QA_SHARD_COUNT must be a whole number of shards, got {count_text!r}") from None
    if not 1 <= count <= _MAX_SHARDS:
        raise SettingsError(f"QA_SHARD_COUNT must be between 1 and {_MAX_SHARDS}, got {count_text!r}")
    if not ids_text:
        return {"shard_count": count}
    ids: list[int] = []
    for part in ids_text.split(","):
        try:
            shard_id = int(part.strip())
        except ValueError:
            raise SettingsError(
                f"QA_SHARD_IDS must be shard numbers separated by commas (e.g. 0,1), got {ids_text!r}"
            ) from None
        if not 0 <= shard_id < count:
            raise SettingsError(
                f"QA_SHARD_IDS: shard {shard_id} does not exist with QA_SHARD_COUNT={count} (0..{count - 1})"
            )
        if shard_id in ids:
            raise SettingsError(f"QA_SHARD_IDS lists shard {shard_id} twice")
        ids.append(shard_id)
    return {"shard_count": count, "shard_ids": tuple(ids)}
