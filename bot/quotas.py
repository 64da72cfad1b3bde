"""Each server's limits on its own articles, and how a refusal and a server's usage are worded.

The limits come from the bot's settings (QA_QUOTA_*), the same for every server; the store checks
them in the transaction that adds the article (Store.add_article), so two moderators adding at the
same moment cannot both slip past a limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.settings import Settings
from bot.store import GuildUsage, Quota, QuotaExceeded, Store

WINDOW = timedelta(hours=1)  # the adds-per-hour window, as the store counts it


def quota_for(settings: Settings) -> Quota:
    return Quota(
        max_articles=settings.quota_articles,
        max_bytes=settings.quota_bytes,
        max_adds_per_hour=settings.quota_adds_per_hour,
    )


async def early_refusal(
    store: Store, guild_id: int, quota: Quota, declared_size: int, now: datetime
) -> tuple[QuotaExceeded, GuildUsage] | None:
    """The limit an add would certainly hit, judged from the attachment's declared size before it is
    downloaded, so a server at its limit costs no download. Only a first look: the store checks
    again, with the real size, in the transaction that adds."""
    usage = await store.usage(guild_id)
    if usage.articles + 1 > quota.max_articles:
        return QuotaExceeded("articles", quota.max_articles), usage
    if usage.total_bytes + declared_size > quota.max_bytes:
        return QuotaExceeded("bytes", quota.max_bytes), usage
    if await store.adds_since(guild_id, now - WINDOW) + 1 > quota.max_adds_per_hour:
        return QuotaExceeded("adds per hour", quota.max_adds_per_hour), usage
    return None


def size_text(size_bytes: int) -> str:
    """Decimal units, as the limits are given (QA_QUOTA_MB=10 is 10,000,000 bytes)."""
    if size_bytes < 1_000_000:
        return f"{size_bytes / 1000:.1f} KB"
    return f"{size_bytes / 1_000_000:.1f} MB"


def refusal(error: QuotaExceeded, usage: GuildUsage | None, size_bytes: int) -> str:
    """Which limit refused the add, with its value (and where the server stands, when known)."""
    if error.limit == "articles":
        return f"this server has reached its limit of {error.value:,} articles; remove one to add another."
    if error.limit == "bytes":
        stands = f" (it has {size_text(usage.total_bytes)}; this file is {size_text(size_bytes)})" if usage else ""
        return f"this server's articles may take at most {size_text(error.value)} in all{stands}."
    if error.limit == "adds per hour":
        return f"this server may add at most {error.value:,} articles per hour; please try again later."
    return str(error)  # a limit this wording does not know yet still names itself and its value


def usage_text(usage: GuildUsage, quota: Quota) -> str:
    return (
        f"{usage.articles:,} of {quota.max_articles:,} articles, "
        f"{size_text(usage.total_bytes)} of {size_text(quota.max_bytes)}"
    )
