"""Several bot processes — separate OS processes (tests/e2e/launcher.py) — on one PostgreSQL and the
loopback Discord, which routes each guild's events to the shard that owns it and DMs to shard 0.

The guild lives on shard 1 and DMs on shard 0, so with two processes a question in the guild is
answered by the second and a DM by the first. The periodic version check is off: only NOTIFY (and
the catch-up after a reconnect) can carry a change. Waits are generous and nothing asserts a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import ServerArticle, open_store
from tests.e2e.fake_discord import FakeChannel, FakeDiscord, FakeMessage
from tests.e2e.launcher import PATIENCE_S, Cluster, message_text
from tests.pg import postgres_server  # noqa: F401  (the session's server fixture)

pytestmark = pytest.mark.postgres

WINDOW_S = 1.0  # the shortened identify bucket window (Discord's is 5 s), on both sides
BASE_QUESTION = "When did the tidal barrier open?"
BASE_ARTICLE = "Tidal barrier opens\n\nThe tidal barrier opened on Monday after ten years of building work.\n"
BASE_ANSWER = "ten years of building work"
SERVER_QUESTION = "Which bridge did the river ferry replace?"
SERVER_ARTICLE = b"River ferry returns\n\nThe river ferry replaced the old Kelburn bridge, closed since the flood.\n"
SERVER_ANSWER = "old Kelburn bridge"
OTHER_QUESTION = "What did the lighthouse keeper find?"
OTHER_ARTICLE = b"Lighthouse keeper\n\nThe lighthouse keeper found a message in a bottle from 1952.\n"
OTHER_ANSWER = "message in a bottle"


@asynccontextmanager
async def cluster(tmp_path: Path, postgres_server, **fake_options) -> AsyncIterator[Cluster]:  # noqa: F811
    url = await postgres_server.emptied()
    async with FakeDiscord(guild_shard=(1, 2), identify_interval=WINDOW_S, **fake_options) as fake:
        running = Cluster(fake, tmp_path, url, identify_window_s=WINDOW_S)
        try:
            yield running
        finally:
            if not postgres_server.running():
                postgres_server.start()
            for process in running.processes:
                if process.alive():
                    try:
                        await process.stop()
                    except AssertionError:
                        pass
        assert fake.identify_refusals == []  # identifies paced across processes through PostgreSQL


async def _add_server_article(url: str, guild_id: int, article_id: str, content: bytes) -> None:
    store = await open_store(url, Path())
    try:
        await store.add_article(ServerArticle(guild_id, article_id, f"{article_id}.txt", content, 1, datetime.now(UTC)))
    finally:
        await store.close()


async def test_a_base_reload_through_one_process_is_answered_in_dms_by_another_and_survives_a_database_restart(
    tmp_path,
    postgres_server,  # noqa: F811
):
    async with cluster(tmp_path, postgres_server) as c:
        fake = c.fake
        dms, guild = await c.start(2, ["host-a", "host-b"])
        dm = fake.dm_channel(fake.member)
        assert fake.shard_of_session_for(None) == 0 and fake.shard_of_session_for(fake.guild.id) == 1
        assert BASE_ANSWER not in await c.ask(dm, BASE_QUESTION)

        # The owner puts the article on every host, then reloads through the guild's process (shard 1).
        for host in ("host-a", "host-b"):
            (c.host_dir(host) / "corpus" / "tidal.txt").write_text(BASE_ARTICLE)
        record = await fake.invoke_slash("corpus reload", user=fake.owner)
        (reply,) = await record.wait_followups(1, timeout=PATIENCE_S)
        assert "Base corpus reloaded" in str(reply)
        await c.ask_until(dm, BASE_QUESTION, BASE_ANSWER)  # shard 0's process heard it and reloaded
        assert "change applied: guild 0 base" in dms.log()
        assert "differs from the database's" not in dms.log() + guild.log()

        # A server's article, then PostgreSQL goes away: both keep answering from what they hold.
        await _add_server_article(c.url, fake.guild.id, "ferry", SERVER_ARTICLE)
        await c.ask_until(fake.channel, SERVER_QUESTION, SERVER_ANSWER)
        postgres_server.stop()
        assert SERVER_ANSWER in await c.ask(fake.channel, SERVER_QUESTION)
        assert BASE_ANSWER in await c.ask(dm, BASE_QUESTION)
        postgres_server.start()
        # A change made once it is back reaches the guild's process: its listener reconnected.
        await _add_server_article(c.url, fake.guild.id, "lighthouse", OTHER_ARTICLE)
        await c.ask_until(fake.channel, OTHER_QUESTION, OTHER_ANSWER)
        assert SERVER_ANSWER in await c.ask(fake.channel, SERVER_QUESTION)
        assert "change listener reconnected" in guild.log()
        assert dms.alive() and guild.alive()


async def test_kill_9_of_one_process_during_a_burst_loses_only_its_answers_and_a_restart_resumes(
    tmp_path,
    postgres_server,  # noqa: F811
):
    async with cluster(tmp_path, postgres_server) as c:
        fake = c.fake
        dms, guild = await c.start(2, ["host-a", "host-b"])
        dm = fake.dm_channel(fake.member)
        question = "Which UN resolution forbids buying North Korean weapons?"
        asked_dm = [await fake.post_message(dm, fake.member, question) for _ in range(6)]
        asked_guild = [await fake.post_message(fake.channel, fake.member, question, mention_bot=True) for _ in range(6)]
        guild.kill()  # mid-burst: its shard's questions in flight are lost with it
        asked_dm += [await fake.post_message(dm, fake.member, question) for _ in range(6)]
        asked_guild += [
            await fake.post_message(fake.channel, fake.member, question, mention_bot=True) for _ in range(3)
        ]

        def replied(channel: FakeChannel, asked: list[FakeMessage]) -> set[int]:
            ids = {m.id for m in asked}
            return {m.referenced.id for m in fake.bot_messages(channel) if m.referenced and m.referenced.id in ids}

        await fake.wait_for(lambda: len(replied(dm, asked_dm)) == 12, PATIENCE_S, "every DM answered")
        assert all("2009 United Nations Security Resolution" in message_text(m) for m in fake.bot_messages(dm))
        assert len(replied(fake.channel, asked_guild)) < 9  # the guild's process is gone
        assert dms.alive()

        restarted = c.process("host-b", 2, [1])
        await c.ready(2, [restarted])
        assert "2009 United Nations Security Resolution" in await c.ask(fake.channel, question)
        assert "2009 United Nations Security Resolution" in await c.ask(dm, question)
        assert dms.alive()


async def test_a_servers_article_is_served_after_a_reshard_by_its_new_process(
    tmp_path,
    postgres_server,  # noqa: F811
):
    async with cluster(tmp_path, postgres_server) as c:
        fake = c.fake
        await c.start(2, ["host-a", "host-b"])
        await _add_server_article(c.url, fake.guild.id, "ferry", SERVER_ARTICLE)
        assert SERVER_ANSWER in await c.ask(fake.channel, SERVER_QUESTION)
        await c.stop_all()

        three = await c.start(3, ["host-a", "host-b", "host-c"])
        owner = (fake.guild.id >> 22) % 3
        assert fake.shard_of_session_for(fake.guild.id) == owner
        assert SERVER_ANSWER in await c.ask(fake.channel, SERVER_QUESTION)
        assert SERVER_ANSWER not in await c.ask(fake.dm_channel(fake.member), SERVER_QUESTION)  # the server's own
        assert all(p.alive() for p in three)
