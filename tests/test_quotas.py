"""Per-server quotas: read from the settings, and how refusals and usage are worded (bot/quotas.py)."""

from __future__ import annotations

import pytest

from bot.quotas import quota_for, refusal, size_text, usage_text
from bot.settings import Settings, SettingsError
from bot.store import GuildUsage, Quota, QuotaExceeded


def settings(**env: str) -> Settings:
    return Settings.from_env(env, dotenv_path=None)


def test_the_defaults_are_200_articles_10_mb_30_adds_an_hour_and_30_days():
    s = settings()
    assert quota_for(s) == Quota(max_articles=200, max_bytes=10_000_000, max_adds_per_hour=30)
    assert s.forget_after_days == 30


def test_the_owner_sets_every_limit():
    s = settings(QA_QUOTA_ARTICLES="5", QA_QUOTA_MB=" 2 ", QA_QUOTA_ADDS_PER_HOUR="7", QA_FORGET_AFTER_DAYS="0")
    assert quota_for(s) == Quota(max_articles=5, max_bytes=2_000_000, max_adds_per_hour=7)
    assert s.forget_after_days == 0  # forget at the next sweep


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("QA_QUOTA_ARTICLES", "0", r"QA_QUOTA_ARTICLES must be between 1 and 1,000,000,000 articles, got '0'"),
        ("QA_QUOTA_MB", "1.5", r"QA_QUOTA_MB must be a whole number of megabytes, got '1.5'"),
        ("QA_QUOTA_ADDS_PER_HOUR", "-1", r"QA_QUOTA_ADDS_PER_HOUR must be between 1 and"),
        ("QA_FORGET_AFTER_DAYS", "-1", r"QA_FORGET_AFTER_DAYS must be between 0 and 1,000,000,000 days"),
        ("QA_FORGET_AFTER_DAYS", "soon", r"QA_FORGET_AFTER_DAYS must be a whole number of days, got 'soon'"),
    ],
)
def test_a_limit_that_cannot_be_used_is_refused_by_name(key, text, message):
    with pytest.raises(SettingsError, match=message):
        settings(**{key: text})


def test_sizes_are_in_decimal_units():
    assert [size_text(n) for n in (0, 999, 1_000, 999_949, 1_000_000, 10_000_000)] == [
        "0.0 KB",
        "1.0 KB",
        "1.0 KB",
        "999.9 KB",
        "1.0 MB",
        "10.0 MB",
    ]


def test_each_refusal_names_its_limit_and_value():
    assert refusal(QuotaExceeded("articles", 200), None, 10) == (
        "this server has reached its limit of 200 articles; remove one to add another."
    )
    assert refusal(QuotaExceeded("bytes", 10_000_000), GuildUsage(3, 9_800_000), 400_000) == (
        "this server's articles may take at most 10.0 MB in all (it has 9.8 MB; this file is 400.0 KB)."
    )
    assert refusal(QuotaExceeded("bytes", 10_000_000), None, 400_000) == (
        "this server's articles may take at most 10.0 MB in all."
    )
    assert refusal(QuotaExceeded("adds per hour", 30), None, 1) == (
        "this server may add at most 30 articles per hour; please try again later."
    )
    assert refusal(QuotaExceeded("links", 4), None, 1) == "the server's limit of 4 links is reached"


def test_usage_is_shown_against_the_limits():
    quota = Quota(max_articles=1_000, max_bytes=20_000_000, max_adds_per_hour=30)
    assert usage_text(GuildUsage(12, 34_500), quota) == "12 of 1,000 articles, 34.5 KB of 20.0 MB"
