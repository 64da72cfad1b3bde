"""Bad weather: gateway drops and invalid sessions, REST 429/500, a failing feedback store,
SIGTERM, and the token kept out of every log line."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import time
import types
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord
import discord.http
import discord.webhook.async_
import pytest

from bot.client import QABot
from bot.run import _serve
from tests.e2e.conftest import Running, bot_on, running_bot
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.test_bot_e2e import ask, embed_of

FOLLOWUP = r"/webhooks/\d+/[^/]+"


@pytest.fixture
def fast_server_error_retries(monkeypatch):
    """discord.py waits 1 + 2·tries seconds between 5xx retries; keep the retries, not the wait."""
    real_sleep = asyncio.sleep
    fast = types.SimpleNamespace(**{name: getattr(asyncio, name) for name in dir(asyncio) if not name.startswith("__")})
    fast.sleep = lambda delay, *args, **kwargs: real_sleep(min(delay, 0.05), *args, **kwargs)
    monkeypatch.setattr(discord.http, "asyncio", fast)
    monkeypatch.setattr(discord.webhook.async_, "asyncio", fast)  # interaction follow-ups retry here


@pytest.mark.parametrize("code", [None, 4000])
async def test_gateway_drop_is_resumed_and_answers_go_on(env: Running, code):
    await env.fake.close_gateway(code)
    await env.fake.wait_until_resumed(timeout=10)
    _, _, followup = await ask(env)
    assert embed_of(followup)["fields"]


async def test_invalid_session_identifies_again_and_answers_go_on(env: Running):
    await env.fake.send_invalid_session(resumable=False)
    await env.fake.wait_until_identified(timeout=15, count=2)
    _, _, followup = await ask(env)
    assert embed_of(followup)["fields"]


async def test_rate_limited_followup_is_retried(env: Running):
    env.fake.fail_next("POST", FOLLOWUP, status=429, times=2, retry_after=0.1)
    record, _, followup = await ask(env)
    assert embed_of(followup)["fields"]
    assert len(env.fake.requests_to("POST", FOLLOWUP)) == 3


async def test_server_error_on_a_reply_is_retried(env: Running, fast_server_error_retries):
    env.fake.fail_next("POST", FOLLOWUP, status=500, times=1)
    _, _, followup = await ask(env)
    assert embed_of(followup)["fields"]


async def test_reply_failing_every_retry_is_logged_once_and_the_bot_serves_on(
    env: Running, fast_server_error_retries, caplog
):
    env.fake.fail_next("POST", FOLLOWUP, status=500, times=10)
    caplog.set_level(logging.ERROR, logger="bot")
    failing = await env.fake.invoke_slash("ask", {"question": "Who is Dmitry Peskov?"})
    logged = lambda: any(r.levelno == logging.ERROR for r in caplog.records)  # noqa: E731
    await env.fake.wait_for(logged, 15, "the failure to be logged")
    # The next question is answered once the failed one has given up: by then it has logged all it will.
    _, _, followup = await ask(env)
    assert embed_of(followup)["fields"]
    assert len(env.fake.requests_to("POST", rf"/webhooks/\d+/{failing.token}")) >= 2  # retried, then dropped
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("bot")]
    assert len(errors) == 1 and "ask" in errors[0].getMessage()


async def test_locked_feedback_store_does_not_stall_answers_and_logs_once(env: Running, caplog):
    record, _, _ = await ask(env)
    answer = record.followup_messages[0]
    await env.fake.click(answer, "qa:fb:up")  # creates the database
    await env.fake.wait_for(lambda: (env.data_dir / "qa-bot.sqlite3").exists(), 5, "the database")
    locker = sqlite3.connect(env.data_dir / "qa-bot.sqlite3", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    caplog.set_level(logging.ERROR, logger="bot.feedback")
    try:
        clicks = [await env.fake.click(answer, "qa:fb:down") for _ in range(2)]
        # While the store waits on its lock in a worker thread, a question asked after the clicks
        # is answered before either click is: the store never holds up the event loop.
        asked, _, followup = await ask(env, "Who is Dmitry Peskov?")
        assert embed_of(followup)["fields"]
        for click in clicks:
            assert "could not be saved" in (await click.wait_followups(1, timeout=5))[0]["content"]
        order = [r.path for r in env.fake.requests if r.method == "POST" and r.path.startswith("/webhooks/")]
        answered_at = order.index(next(p for p in order if p.endswith(asked.token)))
        assert all(answered_at < order.index(next(p for p in order if p.endswith(c.token))) for c in clicks)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert len([r for r in caplog.records if "feedback store" in r.getMessage()]) == 1


async def test_missing_feedback_store_directory_is_survived(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    async with running_bot(tmp_path, data_dir=blocker) as running:
        record, _, _ = await ask(running)
        click = await running.fake.click(record.followup_messages[0], "qa:fb:up")
        assert "could not be saved" in (await click.wait_followups(1))[0]["content"]
        _, _, followup = await ask(running)
        assert embed_of(followup)["fields"]


@asynccontextmanager
async def served(fake: FakeDiscord, tmp_path) -> AsyncIterator[QABot]:
    """The product's own serve loop (`bot.run._serve`, with its signal handlers) on a fresh bot;
    the block must make it stop (SIGTERM), and it is awaited on exit."""
    async with bot_on(fake, tmp_path) as running:
        pass  # a bot that ran once: its corpus and index are in place
    bot = running.bot.__class__(running.bot.settings)
    with fake.patched_discord():
        serving = asyncio.create_task(_serve(bot, fake.token))
        await fake.wait_until_identified(timeout=10, count=2)
        await fake.wait_for(lambda: bot.is_ready(), 5, "ready")
        yield bot
        await asyncio.wait_for(serving, 15)
    assert bot.is_closed()


async def test_sigterm_finishes_answers_in_flight_then_stops(tmp_path, monkeypatch):
    async with FakeDiscord() as fake:
        slow_answer_started = asyncio.Event()
        async with served(fake, tmp_path) as bot:
            original = bot.holder.library.answer

            def slow(*args, **kwargs):
                slow_answer_started.set()
                time.sleep(0.5)
                return original(*args, **kwargs)

            monkeypatch.setattr(bot.holder.library, "answer", slow)
            record = await fake.invoke_slash("ask", {"question": "Who is Dmitry Peskov?"})
            await asyncio.wait_for(slow_answer_started.wait(), 5)
            os.kill(os.getpid(), signal.SIGTERM)
        assert record.followups and embed_of(record.followups[0])["fields"]


async def test_sigterm_waits_for_the_reply_to_reach_discord(tmp_path, caplog):
    """The answer is computed at once, but its follow-up spends 0.4 s in transit: the HTTP
    session must stay open until Discord has it (a second signal meanwhile changes nothing)."""
    caplog.set_level(logging.INFO, logger="bot.run")
    async with FakeDiscord() as fake:
        async with served(fake, tmp_path):
            fake.delay_next("POST", FOLLOWUP, 0.4)
            record = await fake.invoke_slash("ask", {"question": "Who is Dmitry Peskov?"})
            await record.wait_response()
            os.kill(os.getpid(), signal.SIGTERM)
            await fake.wait_for(lambda: fake.requests_to("POST", FOLLOWUP), 5, "the follow-up in transit")
            os.kill(os.getpid(), signal.SIGINT)
        assert [r.status for r in fake.requests_to("POST", FOLLOWUP)] == [200]
        assert record.followups and embed_of(record.followups[0])["fields"]
        assert not record.original.loading  # the member sees the answer, not "thinking…" forever
    assert len([r for r in caplog.records if r.getMessage().startswith("stopping")]) == 1


async def test_sigterm_whose_drain_times_out_stops_anyway_and_says_what_was_dropped(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="bot")
    async with FakeDiscord() as fake:
        async with served(fake, tmp_path) as bot:
            bot.shutdown_grace_s = 0.3
            fake.delay_next("POST", FOLLOWUP, 30)  # a follow-up that would never arrive in time
            record = await fake.invoke_slash("ask", {"question": "Who is Dmitry Peskov?"})
            await record.wait_response()
            await fake.wait_for(lambda: fake.requests_to("POST", FOLLOWUP), 5, "the follow-up in transit")
            os.kill(os.getpid(), signal.SIGTERM)
    assert not record.followups
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 1 and "dropped 1 replies" in dropped[0] and "an answer" in dropped[0]


async def test_token_never_appears_in_logs_or_reprs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with running_bot(tmp_path) as running:
        await ask(running)
        await running.fake.send_reconnect()
        await running.fake.wait_until_resumed()
        token = running.fake.token
        assert token not in repr(running.bot) and token not in repr(running.bot.settings)
        assert token not in str(running.bot.settings.discord_token)
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert logged and token not in logged


async def test_replies_under_a_channel_rate_limit_all_arrive_without_a_429(env: Running):
    fake = env.fake
    fake.rate_limit("POST", r"/channels/\d+/messages", limit=2, per=0.5)
    askers = [fake.add_member(f"asker-{i}") for i in range(5)]
    questions = [
        await fake.post_message(fake.channel, user, "who is Dmitry Peskov?", mention_bot=True) for user in askers
    ]
    replies = [await fake.wait_for_bot_message(fake.channel, timeout=10) for _ in questions]
    assert sorted(int(r.body["message_reference"]["message_id"]) for r in replies) == [q.id for q in questions]
    assert all(r.embeds for r in replies)
    # discord.py paced itself from the X-RateLimit headers: Discord never had to refuse a reply.
    assert [a.status for a in fake.requests_to("POST", rf"/channels/{fake.channel.id}/messages")] == [200] * 5


async def test_an_acknowledgement_later_than_3_s_is_refused_and_the_bot_serves_on(env: Running, caplog):
    fake = env.fake
    caplog.set_level(logging.ERROR, logger="bot")
    callback = r"/interactions/\d+/[^/]+/callback"
    fake.delay_next("POST", callback, 0.3)
    late = await fake.invoke_slash("ask", {"question": "Who is Dmitry Peskov?"})
    await fake.wait_for(lambda: fake.requests_to("POST", callback), 5, "the callback in transit")
    fake.advance_clock(3)  # while the deferral is on its way, Discord's 3 s pass
    await fake.wait_for(lambda: fake.requests_to("POST", callback)[0].status, 5, "the callback's answer")
    assert [(r.status) for r in fake.requests_to("POST", callback)] == [404]
    assert late.response is None and not late.followups  # the member saw "This interaction failed"
    _, _, followup = await ask(env)
    assert embed_of(followup)["fields"]
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1
