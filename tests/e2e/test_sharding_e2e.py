"""Sharding against the loopback Discord: the fake's shard rules (routing, the identify bucket rate,
4010/4011), then the real QABot sharded over it, in one process and as two processes on one
PostgreSQL whose identifies must be paced through the database.

The bucket window is shortened on both sides (fake and bot) to keep the suite fast; the fake's
own refusal is tested on its injectable clock with Discord's 5 s.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from bot import create_bot
from bot.client import QABot
from bot.identify import IdentifyPacer
from bot.settings import Secret, Settings
from tests.conftest import SEEDS
from tests.e2e.fake_discord import FakeDiscord
from tests.pg import postgres_server  # noqa: F401  (the session's server fixture)

QUESTION = "Which UN resolution forbids buying North Korean weapons?"
EXPECTED = "2009 United Nations Security Resolution"
WINDOW_S = 1.0  # the shortened bucket window of the e2e tests (Discord's is 5 s)
GUILDS = 1 << 0
INVALID_SESSION = 9


# ---------------------------------------------------------------- the fake alone


async def _identify(ws: aiohttp.ClientWebSocketResponse, token: str, shard: list[int] | None) -> dict:
    assert (await ws.receive_json())["op"] == 10  # HELLO
    data: dict = {"token": token, "intents": GUILDS, "properties": {}}
    if shard is not None:
        data["shard"] = shard
    await ws.send_json({"op": 2, "d": data})
    message = await ws.receive()
    return {"close": message.data} if message.type is aiohttp.WSMsgType.CLOSE else message.json()


@asynccontextmanager
async def _gateway(fake: FakeDiscord) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _ws_url(fake: FakeDiscord) -> str:
    return fake.base_url.replace("http://", "ws://") + "/?v=10&encoding=json"


async def test_the_fake_refuses_a_second_identify_of_one_bucket_within_5_seconds():
    async with FakeDiscord() as fake, _gateway(fake) as session:  # max_concurrency 1: every shard in bucket 0
        async with session.ws_connect(_ws_url(fake)) as first:
            assert (await _identify(first, fake.token, [0, 2]))["t"] == "READY"
            fake.advance_clock(4.9)
            async with session.ws_connect(_ws_url(fake)) as second:
                refused = await _identify(second, fake.token, [1, 2])
                assert refused == {"op": INVALID_SESSION, "d": False, "s": None, "t": None}
            assert [(r.shard, r.bucket) for r in fake.identify_refusals] == [([1, 2], 0)]
            assert 4.9 <= fake.identify_refusals[0].seconds_after_previous < 5.0
            fake.advance_clock(0.1)  # 5 s after the accepted one: allowed again
            async with session.ws_connect(_ws_url(fake)) as third:
                ready = await _identify(third, fake.token, [1, 2])
                assert ready["t"] == "READY" and ready["d"]["shard"] == [1, 2]
            assert len(fake.identify_refusals) == 1
        assert fake.server_errors == []


async def test_the_fake_lets_different_buckets_identify_together():
    async with FakeDiscord(max_concurrency=2) as fake, _gateway(fake) as session:
        async with session.ws_connect(_ws_url(fake)) as a, session.ws_connect(_ws_url(fake)) as b:
            assert (await _identify(a, fake.token, [0, 4]))["t"] == "READY"
            assert (await _identify(b, fake.token, [1, 4]))["t"] == "READY"  # bucket 1
            async with session.ws_connect(_ws_url(fake)) as c:
                assert (await _identify(c, fake.token, [2, 4]))["op"] == INVALID_SESSION  # bucket 0 again
        assert [r.bucket for r in fake.identify_refusals] == [0]


@pytest.mark.parametrize("shard", [[2, 2], [-1, 2], [0], "0,2", [True, 2]])
async def test_the_fake_closes_an_invalid_shard_with_4010(shard):
    async with FakeDiscord() as fake, _gateway(fake) as session, session.ws_connect(_ws_url(fake)) as ws:
        assert await _identify(ws, fake.token, shard) == {"close": 4010}


async def test_the_fake_requires_sharding_above_2500_guilds_per_session():
    async with FakeDiscord(application_guild_count=3000) as fake, _gateway(fake) as session:
        async with session.ws_connect(_ws_url(fake)) as ws:
            assert await _identify(ws, fake.token, None) == {"close": 4011}
        async with session.ws_connect(_ws_url(fake)) as ws:
            assert (await _identify(ws, fake.token, [0, 2]))["t"] == "READY"  # 1,500 guilds a shard


@pytest.mark.parametrize("owner", [0, 1])
async def test_the_fake_sends_a_guild_only_to_its_shard(owner):
    async with FakeDiscord(guild_shard=(owner, 2), identify_interval=0) as fake, _gateway(fake) as session:
        assert (fake.guild.id >> 22) % 2 == owner
        async with session.ws_connect(_ws_url(fake)) as zero, session.ws_connect(_ws_url(fake)) as one:
            ready = {0: await _identify(zero, fake.token, [0, 2]), 1: await _identify(one, fake.token, [1, 2])}
            guild_ids = {shard: [g["id"] for g in r["d"]["guilds"]] for shard, r in ready.items()}
            assert guild_ids == {owner: [str(fake.guild.id)], 1 - owner: []}
            sockets = {0: zero, 1: one}
            assert (await sockets[owner].receive_json())["t"] == "GUILD_CREATE"
            assert fake.shard_of_session_for(fake.guild.id) == owner
            assert fake.shard_of_session_for(None) == 0  # DMs


# ---------------------------------------------------------------- the real bot


def _bot(fake: FakeDiscord, tmp_path: Path, **overrides) -> QABot:
    corpus_dir = tmp_path / "corpus"
    if not corpus_dir.exists():
        shutil.copytree(SEEDS, corpus_dir)
    settings = Settings(
        discord_token=Secret(fake.token),
        corpus_dir=corpus_dir,
        data_dir=tmp_path / "data",
        moderator_role_id=fake.moderator_role.id,
        ask_cooldown_s=0,
        dev_guild_id=fake.guild.id,
    )
    bot = create_bot(settings, **overrides)
    bot.identify_pacer = IdentifyPacer(interval_s=WINDOW_S, margin_s=0.2)
    return bot


async def _asked_in_guild(fake: FakeDiscord) -> str:
    record = await fake.invoke_slash("ask", {"question": QUESTION})
    (followup,) = await record.wait_followups(1, timeout=10)
    return str(followup).replace("**", "")  # matched words are bold


async def _asked_by_mention(fake: FakeDiscord) -> str:
    await fake.post_message(fake.channel, fake.member, QUESTION, mention_bot=True)
    reply = await fake.wait_for_bot_message(fake.channel, timeout=10)
    return str(reply.embeds).replace("**", "")


async def _asked_in_dm(fake: FakeDiscord) -> str:
    dm = fake.dm_channel(fake.member)
    await fake.post_message(dm, fake.member, QUESTION)
    reply = await fake.wait_for_bot_message(dm, timeout=10)
    return str(reply.embeds).replace("**", "")


@asynccontextmanager
async def _running(fake: FakeDiscord, *bots: QABot) -> AsyncIterator[None]:
    """Every bot started at once (as processes starting together would), all shards READY, until
    the block ends; a bot that dies first raises its own error."""
    with fake.patched_discord():
        tasks = [asyncio.create_task(bot.start(fake.token)) for bot in bots]
        try:
            await fake.wait_for(
                lambda: all(bot.is_ready() for bot in bots) or any(task.done() for task in tasks), 30, "every bot ready"
            )
            for task in tasks:
                if task.done():
                    task.result()
                    raise RuntimeError("a bot stopped before it was ready")
            yield
        finally:
            for bot in bots:
                await bot.close()
            _, pending = await asyncio.wait(tasks, timeout=20)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


@pytest.mark.parametrize("guild_shard", [0, 1])
async def test_one_process_runs_two_shards_and_answers_the_guild_on_its_shard_and_dms_on_shard_0(tmp_path, guild_shard):
    async with FakeDiscord(guild_shard=(guild_shard, 2), identify_interval=WINDOW_S) as fake:
        bot = _bot(fake, tmp_path, shard_count=2)
        async with _running(fake, bot):
            await fake.wait_until_shards_ready({0, 1}, timeout=20)
            await fake.wait_for(lambda: fake.registered_commands(fake.guild.id), 10, "command sync")
            assert sorted(bot.shards) == [0, 1] and bot.shard_count == 2
            assert fake.shard_of_session_for(fake.guild.id) == guild_shard
            assert EXPECTED in await _asked_in_guild(fake)
            assert EXPECTED in await _asked_by_mention(fake)
            assert EXPECTED in await _asked_in_dm(fake)
            assert bot.get_guild(fake.guild.id).shard_id == guild_shard
        assert fake.identify_refusals == []  # the shards were paced: never two identifies in 1 s
        assert fake.server_errors == []


async def test_without_a_configured_count_the_bot_takes_discords_recommended_one(tmp_path):
    async with FakeDiscord(recommended_shards=2, guild_shard=(1, 2), identify_interval=WINDOW_S) as fake:
        bot = _bot(fake, tmp_path)
        async with _running(fake, bot):
            await fake.wait_until_shards_ready({0, 1}, timeout=20)
            assert bot.shard_count == 2
            assert sorted(p["shard"][0] for p in fake._gateway.identify_payloads) == [0, 1]
            assert EXPECTED in await _asked_in_guild(fake)
        assert fake.identify_refusals == []


@pytest.mark.postgres
async def test_two_processes_starting_together_on_postgresql_never_break_the_identify_rate(
    tmp_path,
    postgres_server,  # noqa: F811
):
    url = await postgres_server.emptied()
    async with FakeDiscord(guild_shard=(1, 2), identify_interval=WINDOW_S) as fake:
        bots = [
            _bot(fake, tmp_path / f"proc{shard}", shard_count=2, shard_ids=(shard,), database_url=Secret(url))
            for shard in (0, 1)
        ]
        async with _running(fake, *bots):
            await fake.wait_until_shards_ready({0, 1}, timeout=20)
            assert [sorted(bot.shards) for bot in bots] == [[0], [1]]
            await fake.wait_for(lambda: fake.registered_commands(fake.guild.id), 10, "command sync")
            assert EXPECTED in await _asked_in_guild(fake)  # shard 1: the second process
            assert EXPECTED in await _asked_in_dm(fake)  # shard 0: the first
            assert bots[1].get_guild(fake.guild.id) is not None and bots[0].get_guild(fake.guild.id) is None
        assert fake.identify_refusals == []
        assert fake.server_errors == []
