"""QA_SHARD_COUNT and QA_SHARD_IDS: read into Settings and handed to discord.py; every refusal names its key."""

from __future__ import annotations

import pytest

from bot.client import create_bot
from bot.settings import Settings, SettingsError


def settings(**env: str) -> Settings:
    return Settings.from_env(env, dotenv_path=None)


def test_no_keys_leave_the_count_to_discord():
    s = settings()
    assert s.shard_count is None and s.shard_ids is None
    bot = create_bot(s)
    assert bot.shard_count is None and bot.shard_ids is None  # discord.py asks GET /gateway/bot


def test_a_count_alone_runs_every_shard_and_ids_pick_some():
    assert (settings(QA_SHARD_COUNT="4").shard_count, settings(QA_SHARD_COUNT="4").shard_ids) == (4, None)
    s = settings(QA_SHARD_COUNT=" 4 ", QA_SHARD_IDS=" 1, 3 ")
    assert (s.shard_count, s.shard_ids) == (4, (1, 3))
    bot = create_bot(s)
    assert (bot.shard_count, bot.shard_ids) == (4, [1, 3])


@pytest.mark.parametrize(
    ("env", "key", "says"),
    [
        ({"QA_SHARD_IDS": "0,1"}, "QA_SHARD_IDS", "needs QA_SHARD_COUNT"),
        ({"QA_SHARD_COUNT": "two"}, "QA_SHARD_COUNT", "whole number"),
        ({"QA_SHARD_COUNT": "0"}, "QA_SHARD_COUNT", "between 1 and"),
        ({"QA_SHARD_COUNT": "-2"}, "QA_SHARD_COUNT", "between 1 and"),
        ({"QA_SHARD_COUNT": "1000000"}, "QA_SHARD_COUNT", "between 1 and"),
        ({"QA_SHARD_COUNT": "2", "QA_SHARD_IDS": "0,2"}, "QA_SHARD_IDS", "shard 2 does not exist"),
        ({"QA_SHARD_COUNT": "2", "QA_SHARD_IDS": "-1"}, "QA_SHARD_IDS", "shard -1 does not exist"),
        ({"QA_SHARD_COUNT": "2", "QA_SHARD_IDS": "0;1"}, "QA_SHARD_IDS", "separated by commas"),
        ({"QA_SHARD_COUNT": "2", "QA_SHARD_IDS": "0,"}, "QA_SHARD_IDS", "separated by commas"),
        ({"QA_SHARD_COUNT": "3", "QA_SHARD_IDS": "1,1"}, "QA_SHARD_IDS", "twice"),
    ],
)
def test_bad_values_are_refused_naming_the_key(env, key, says):
    with pytest.raises(SettingsError) as refused:
        settings(**env)
    assert key in str(refused.value) and says in str(refused.value)
