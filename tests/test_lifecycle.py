"""The bot leaving and rejoining servers (bot/cogs/lifecycle.py), over a real SQLite store and an
injected clock: the mark on removal, the reconcile at start (only with every shard), the grace
period and the forgetting."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot import client
from bot.cogs import lifecycle
from bot.cogs.lifecycle import EVER, Lifecycle, sees_every_shard
from bot.libraries import ServerLibraries
from bot.settings import Settings
from bot.store import FeedbackEntry, ServerArticle, ServerSettings, StoreUnavailable
from tests.discord_fakes import T0, Clock, Guild, fake_bot, holder_with

A, B, C = 111111111111111111, 222222222222222222, 333333333333333333
STORY = b"Storm hits the coast\n\nA storm hit the coast on Monday, officials said.\n"


def cog_with(database, seed_library, *, in_guilds=(), shard_ids=None, shard_count=1, forget_after_days=30):
    holder = holder_with(seed_library)
    bot = fake_bot(holder, settings=Settings(forget_after_days=forget_after_days))
    bot.database = database
    bot.libraries = ServerLibraries(holder, database)
    bot.guilds = [Guild(g) for g in in_guilds]
    bot.get_guild = lambda guild_id: next((g for g in bot.guilds if g.id == guild_id), None)
    bot.shard_ids, bot.shard_count = shard_ids, shard_count
    clock = Clock()
    return Lifecycle(bot, clock=clock), bot, clock


async def keep_data_for(database, guild_id: int) -> None:
    store = await database.get()
    await store.add_article(ServerArticle(guild_id, "story", "story.txt", STORY, 5, T0))
    await store.set_settings(guild_id, ServerSettings(base_corpus=False))
    await store.record_feedback(FeedbackEntry(guild_id, 1, 2, "q", ("story#p1",), True, T0))


async def left(database) -> list[int]:
    return await (await database.get()).guilds_left_before(EVER)


async def test_a_removal_marks_the_server_left_and_keeps_its_data(database, seed_library):
    cog, _, clock = cog_with(database, seed_library)
    await keep_data_for(database, A)
    await cog.guild_removed(Guild(A))
    store = await database.get()
    assert await store.guilds_left_before(T0 + timedelta(seconds=1)) == [A]
    assert await store.guilds_left_before(T0) == []  # marked at the clock's time, not before
    assert [a.article_id for a in await store.list_articles(A)] == ["story"]


async def test_an_unavailable_server_is_an_outage_not_a_removal(database, seed_library):
    cog, _, _ = cog_with(database, seed_library)
    await keep_data_for(database, A)
    await cog.guild_removed(Guild(A, unavailable=True))
    assert await left(database) == []


async def test_joining_again_clears_the_mark(database, seed_library):
    cog, _, _ = cog_with(database, seed_library)
    await cog.guild_removed(Guild(A))
    await cog.guild_joined(Guild(A))
    assert await left(database) == []


async def test_the_grace_period_forgets_a_server_only_once_it_is_over(database, seed_library):
    cog, bot, clock = cog_with(database, seed_library)
    for guild_id in (A, B):
        await keep_data_for(database, guild_id)
    await cog.guild_removed(Guild(A))
    held = await bot.libraries.for_guild(A)
    assert "story" in {a.id for a in held.corpus.articles}
    clock.now = T0 + timedelta(days=30)
    assert await cog.forget_expired() == []
    clock.now = T0 + timedelta(days=30, seconds=1)
    assert await cog.forget_expired() == [A]
    store = await database.get()
    assert await store.stored_guild_ids() == {B}
    assert await store.list_articles(A) == [] and await store.get_settings(A) == ServerSettings()
    assert (await store.feedback_counts(A)).helpful == 0 and (await store.feedback_counts(B)).helpful == 1
    assert (await bot.libraries.for_guild(A)) is bot.holder.library  # its library went with it


async def test_the_grace_period_is_the_owners_setting(database, seed_library):
    cog, _, clock = cog_with(database, seed_library, forget_after_days=2)
    await keep_data_for(database, A)
    await cog.guild_removed(Guild(A))
    clock.now = T0 + timedelta(days=2, minutes=1)
    assert await cog.forget_expired() == [A]


async def test_a_server_the_bot_is_back_in_is_not_forgotten(database, seed_library):
    cog, bot, clock = cog_with(database, seed_library)
    await keep_data_for(database, A)
    await cog.guild_removed(Guild(A))
    bot.guilds = [Guild(A)]  # back, its join not recorded (the store was down then, say)
    clock.now = T0 + timedelta(days=40)
    assert await cog.forget_expired() == []
    assert await left(database) == [] and await (await database.get()).stored_guild_ids() == {A}


async def test_at_start_stored_servers_the_bot_is_no_longer_in_are_marked_left(database, seed_library):
    cog, _, clock = cog_with(database, seed_library, in_guilds=(A,))
    for guild_id in (A, B):
        await keep_data_for(database, guild_id)
    await cog.reconcile()
    assert await left(database) == [B]
    clock.now = T0 + timedelta(days=31)
    assert await cog.forget_expired() == [B]


async def test_a_restart_does_not_restart_the_grace_period(database, seed_library):
    cog, _, clock = cog_with(database, seed_library)
    await keep_data_for(database, A)
    await cog.guild_removed(Guild(A))
    clock.now = T0 + timedelta(days=20)
    await cog.reconcile()  # A is still gone: its mark stays at T0
    clock.now = T0 + timedelta(days=31)
    assert await cog.forget_expired() == [A]


async def test_at_start_a_server_the_bot_rejoined_while_offline_is_kept(database, seed_library):
    cog, _, _ = cog_with(database, seed_library, in_guilds=(A,))
    await keep_data_for(database, A)
    await cog.guild_removed(Guild(A))
    await cog.reconcile()
    assert await left(database) == []


@pytest.mark.parametrize(("shard_ids", "shard_count"), [([0], 2), ([1, 2], 3)])
async def test_a_process_running_some_shards_never_infers_a_removal(
    database, seed_library, caplog, shard_ids, shard_count
):
    caplog.set_level(logging.INFO)
    cog, _, _ = cog_with(database, seed_library, in_guilds=(A,), shard_ids=shard_ids, shard_count=shard_count)
    for guild_id in (A, B, C):
        await keep_data_for(database, guild_id)
    await cog.guild_removed(Guild(C))
    await cog.guild_joined(Guild(A))
    await cog.guild_removed(Guild(A))  # seen leaving, then back by the time of READY
    await cog.reconcile()
    assert await left(database) == [C]  # B (another process's, say) is left alone; A is back
    assert f"this process runs shards {shard_ids} only" in caplog.text


@pytest.mark.parametrize(
    ("shard_ids", "shard_count", "every"),
    [(None, 1, True), (None, None, True), ([0, 1], 2, True), ([1, 0, 2], 3, True), ([0], 2, False), ([0], None, False)],
)
def test_sees_every_shard(shard_ids, shard_count, every):
    bot = fake_bot(holder_with(None))
    bot.shard_ids, bot.shard_count = shard_ids, shard_count
    assert sees_every_shard(bot) is every


async def test_an_outage_is_logged_and_nothing_is_marked(seed_library, caplog):
    holder = holder_with(seed_library)
    bot = fake_bot(holder)  # NoDatabase behind it
    cog = Lifecycle(bot, clock=Clock())
    await cog.guild_removed(Guild(A))
    await cog.guild_joined(Guild(A))
    await cog.reconcile()
    assert f"server {A}: removal not recorded" in caplog.text and f"server {A}: return not recorded" in caplog.text
    assert "servers not reconciled with the store" in caplog.text


async def test_the_sweep_runs_once_ready_and_then_every_interval(database, seed_library):
    cog, bot, clock = cog_with(database, seed_library)
    ready = asyncio.Event()
    swept = []

    async def wait_until_ready():
        await ready.wait()

    async def forget_expired():
        swept.append(clock.now)
        return []

    bot.wait_until_ready = wait_until_ready
    cog.forget_expired = forget_expired
    cog.sweep_every_s = 0.01
    await cog.cog_load()
    await asyncio.sleep(0.05)
    assert swept == []  # nothing before the bot is ready
    ready.set()
    for _ in range(200):
        if len(swept) >= 2:
            break
        await asyncio.sleep(0.01)
    await cog.cog_unload()
    assert len(swept) >= 2 and cog._sweeper is None


async def test_a_failing_sweep_is_logged_and_tried_again(database, seed_library, caplog):
    cog, bot, _ = cog_with(database, seed_library)
    calls = []

    async def ready():
        return None

    async def broken():
        calls.append(1)
        raise RuntimeError("boom")

    bot.wait_until_ready = ready
    cog.forget_expired = broken
    cog.sweep_every_s = 0.01
    await cog.cog_load()
    for _ in range(200):
        if len(calls) >= 2:
            break
        await asyncio.sleep(0.01)
    await cog.cog_unload()
    assert len(calls) >= 2 and "sweeping left servers failed" in caplog.text


async def test_setup_adds_the_cog_and_the_client_loads_it(seed_library):
    bot = fake_bot(holder_with(seed_library))
    added = []

    async def add_cog(cog):
        added.append(cog)

    bot.add_cog = add_cog
    await lifecycle.setup(bot)
    assert isinstance(added[0], Lifecycle) and added[0].bot is bot
    assert "bot.cogs.lifecycle" in client.EXTENSIONS


async def test_the_gateway_events_reach_the_cog(database, seed_library):
    cog, bot, _ = cog_with(database, seed_library, in_guilds=(B,))
    assert {name for name, _ in cog.get_listeners()} == {"on_guild_remove", "on_guild_join", "on_ready"}
    await keep_data_for(database, A)
    await cog.on_guild_remove(Guild(A))
    assert await left(database) == [A]
    await cog.on_guild_join(Guild(A))
    assert await left(database) == []
    await cog.on_ready()  # A is stored, the bot is only in B: A was removed while offline
    assert await left(database) == [A]


# What the cog logs is what an operator reads of removals, outages and sweeps: whole lines, exactly.


def logged(caplog) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.cogs.lifecycle"]


async def test_a_removal_an_outage_and_a_return_are_logged_with_the_server_and_the_grace(
    database, seed_library, caplog
):
    caplog.set_level(logging.INFO, logger="bot.cogs.lifecycle")
    cog, _, _ = cog_with(database, seed_library, forget_after_days=7)
    await cog.guild_removed(Guild(A, unavailable=True))
    await cog.guild_removed(Guild(B))
    assert logged(caplog) == [
        ("INFO", f"server {A} is unavailable (a Discord outage): its data is kept"),
        ("INFO", f"removed from server {B}: its data is forgotten in 7 days"),
    ]


async def test_an_outage_logs_which_server_was_not_recorded_and_why(seed_library, caplog):
    cog = Lifecycle(fake_bot(holder_with(seed_library)), clock=Clock())  # NoDatabase behind it
    await cog.guild_removed(Guild(A))
    await cog.guild_joined(Guild(B))
    await cog.reconcile()
    why = "the database could not be reached (no database in this test)"
    assert logged(caplog) == [
        ("ERROR", f"server {A}: removal not recorded ({why})"),
        ("ERROR", f"server {B}: return not recorded ({why})"),
        ("ERROR", f"servers not reconciled with the store ({why}); the next start tries again"),
    ]


async def test_removals_while_offline_are_logged_with_their_count_and_ids(database, seed_library, caplog):
    caplog.set_level(logging.INFO, logger="bot.cogs.lifecycle")
    cog, _, _ = cog_with(database, seed_library, in_guilds=(A,))
    for guild_id in (A, B, C):
        await keep_data_for(database, guild_id)
    await cog.reconcile()
    assert logged(caplog) == [("INFO", f"removed while offline from 2 server(s): {B}, {C}")]


async def test_a_process_running_some_shards_says_so_in_one_line(database, seed_library, caplog):
    caplog.set_level(logging.INFO, logger="bot.cogs.lifecycle")
    cog, _, _ = cog_with(database, seed_library, in_guilds=(A,), shard_ids=[0], shard_count=2)
    await keep_data_for(database, B)
    await cog.reconcile()
    assert logged(caplog) == [("INFO", "this process runs shards [0] only: removals while offline are not inferred")]


async def test_the_sweep_forgets_past_a_returned_server_and_logs_what_it_forgot(database, seed_library, caplog):
    caplog.set_level(logging.INFO, logger="bot.cogs.lifecycle")
    cog, bot, clock = cog_with(database, seed_library)
    for guild_id in (A, B, C):
        await keep_data_for(database, guild_id)
        await cog.guild_removed(Guild(guild_id))
    caplog.clear()
    bot.guilds = [Guild(A)]  # A (listed first) is back: B and C after it are still forgotten
    clock.now = T0 + timedelta(days=31)
    assert await cog.forget_expired() == [B, C]
    assert await (await database.get()).stored_guild_ids() == {A}
    assert logged(caplog) == [("INFO", f"forgot 2 server(s) left over 30 days ago: [{B}, {C}]")]


class Stop(Exception):
    """Ends the sweep loop at its first sleep."""


def sweep_once(monkeypatch, cog, bot, failure: Exception) -> list[float]:
    """Make the sweep fail with `failure` and stop at its first sleep; the delays it slept."""
    slept = []

    async def ready():
        return None

    async def failing():
        raise failure

    async def sleep(delay):
        slept.append(delay)
        raise Stop

    bot.wait_until_ready = ready
    cog.forget_expired = failing
    monkeypatch.setattr(lifecycle.asyncio, "sleep", sleep)
    return slept


@pytest.mark.parametrize(("given", "every"), [({}, 3600.0), ({"sweep_every_s": 90.0}, 90.0)])
async def test_a_sweep_the_store_refused_is_logged_and_tried_again_after_the_interval(
    database, seed_library, caplog, monkeypatch, given, every
):
    _, bot, clock = cog_with(database, seed_library)
    cog = Lifecycle(bot, clock=clock, **given)
    slept = sweep_once(monkeypatch, cog, bot, StoreUnavailable("database is locked"))
    with pytest.raises(Stop):
        await cog._sweep_forever()
    assert slept == [every]
    assert logged(caplog) == [
        ("ERROR", f"left servers not swept (database is locked); tried again in {every:.0f} s"),
    ]


async def test_an_unexpected_sweep_failure_is_logged_with_its_traceback(database, seed_library, caplog, monkeypatch):
    cog, bot, _ = cog_with(database, seed_library)
    sweep_once(monkeypatch, cog, bot, RuntimeError("boom"))
    with pytest.raises(Stop):
        await cog._sweep_forever()
    assert logged(caplog) == [("ERROR", "sweeping left servers failed")]
    assert caplog.records[-1].exc_info[1].args == ("boom",)


async def test_the_sweep_task_is_named_for_task_dumps(database, seed_library):
    cog, bot, _ = cog_with(database, seed_library)
    never = asyncio.Event()

    async def wait_until_ready():
        await never.wait()

    bot.wait_until_ready = wait_until_ready
    await cog.cog_load()
    try:
        assert "forget-left-servers" in {task.get_name() for task in asyncio.all_tasks()}
    finally:
        await cog.cog_unload()
    assert "forget-left-servers" not in {task.get_name() for task in asyncio.all_tasks() if not task.done()}


async def test_qa_bot_sync_starts_no_sweep_and_unloads_cleanly(database, seed_library):
    cog, bot, _ = cog_with(database, seed_library)
    bot.serve_corpus = False  # `qa-bot sync` only publishes commands
    before = set(asyncio.all_tasks())
    await cog.cog_load()
    assert set(asyncio.all_tasks()) == before
    await cog.cog_unload()  # never loaded a sweep: nothing to stop, and no error
    await cog.cog_unload()
