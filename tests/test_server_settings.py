"""The settings cache over a real SQLite store: read once, read again after `changed`, and what it
serves through an outage."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.server_settings import ServerSettingsCache, answers_mentions_in
from bot.store import ServerSettings, open_store
from tests.discord_fakes import StoreDatabase

A, B = 111, 222


@pytest.fixture
async def database(tmp_path):
    store = await open_store("", tmp_path)
    yield StoreDatabase(store)
    await store.close()


async def test_a_servers_settings_are_read_once_then_kept(database):
    await database.store.set_settings(A, ServerSettings(strictness="strict", cooldown_s=5.0))
    cache = ServerSettingsCache(database)
    first = await cache.get(A)
    assert first == ServerSettings(strictness="strict", cooldown_s=5.0)
    await database.store.set_settings(A, ServerSettings(strictness="lenient"))  # without `changed`
    assert await cache.get(A) == first and database.reads == 1


async def test_changed_makes_the_next_get_read_the_store_again(database):
    cache = ServerSettingsCache(database)
    assert await cache.get(A) == ServerSettings()  # a server that never set anything
    await database.store.set_settings(A, ServerSettings(base_corpus=False))
    cache.changed(A)
    assert (await cache.get(A)).base_corpus is False
    assert await cache.get(B) == ServerSettings()  # each server its own


async def test_direct_messages_get_the_defaults_without_a_read(database):
    cache = ServerSettingsCache(database)
    assert await cache.get(None) == ServerSettings() and database.reads == 0


async def test_an_outage_serves_the_kept_value_even_when_stale(database, caplog):
    await database.store.set_settings(A, ServerSettings(strictness="strict"))
    cache = ServerSettingsCache(database)
    await cache.get(A)
    cache.changed(A)
    database.down = True
    with caplog.at_level(logging.ERROR):
        assert (await cache.get(A)).strictness == "strict"
        assert await cache.get(B) == ServerSettings()  # never read: the defaults
    assert [r.getMessage() for r in caplog.records] == [
        "server settings cannot be read (database is down (test)); serving the values kept, else the defaults"
    ]  # once per streak, not once per question
    database.down = False
    await database.store.set_settings(B, ServerSettings(cooldown_s=9.0))
    assert (await cache.get(B)).cooldown_s == 9.0  # the defaults were not kept as if read


async def test_a_change_announced_during_a_read_is_not_lost(database):
    """A read that began before `changed` may bring the old value: the next get reads again."""
    cache = ServerSettingsCache(database)
    await database.store.set_settings(A, ServerSettings(strictness="strict"))
    started, release = asyncio.Event(), asyncio.Event()
    store = database.store
    real_get = store.get_settings

    async def slow_get(guild_id):
        value = await real_get(guild_id)
        started.set()
        await release.wait()
        return value

    store.get_settings = slow_get
    reading = asyncio.create_task(cache.get(A))
    await started.wait()
    await store.set_settings(A, ServerSettings(strictness="lenient"))
    cache.changed(A)
    release.set()
    assert (await reading).strictness == "strict"  # what that read saw
    store.get_settings = real_get
    assert (await cache.get(A)).strictness == "lenient"


async def test_the_cache_is_bounded_least_recently_used_out(database):
    cache = ServerSettingsCache(database, max_servers=2)
    for guild in (1, 2, 1, 3):
        await cache.get(guild)
    assert list(cache._kept) == [1, 3]


def channel(channel_id, parent_id=None):
    from types import SimpleNamespace

    return SimpleNamespace(id=channel_id, parent_id=parent_id) if parent_id else SimpleNamespace(id=channel_id)


def test_mentions_are_answered_in_the_listed_channels_and_their_threads():
    every = ServerSettings()
    listed = ServerSettings(mention_channel_ids=frozenset({5}))
    nowhere = ServerSettings(mention_channel_ids=frozenset())
    assert answers_mentions_in(every, channel(7)) and answers_mentions_in(every, channel(8, parent_id=7))
    assert answers_mentions_in(listed, channel(5)) and not answers_mentions_in(listed, channel(6))
    assert answers_mentions_in(listed, channel(50, parent_id=5))  # a thread of channel 5
    assert not answers_mentions_in(listed, channel(5, parent_id=6))  # a thread whose id is 5, of channel 6
    assert not answers_mentions_in(nowhere, channel(5))
