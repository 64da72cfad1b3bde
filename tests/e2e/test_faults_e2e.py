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

import discord
import discord.http
import discord.webhook.async_
import pytest

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
    await env.fake.invoke_slash("ask", {"question": "Who is Dmitry Peskov?"})
    for _ in range(100):  # the fake's wait_for wakes on its own events, not on log records
        if any(r.levelno == logging.ERROR for r in caplog.records):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("bot")]
    assert len(errors) == 1 and "ask" in errors[0].getMessage()
    _, _, followup = await ask(env)
    assert embed_of(followup)["fields"]


async def test_locked_feedback_store_does_not_stall_answers_and_logs_once(env: Running, caplog):
    record, _, _ = await ask(env)
    answer = record.followup_messages[0]
    await env.fake.click(answer, "qa:fb:up")  # creates the database
    await env.fake.wait_for(lambda: (env.data_dir / "qa-bot.sqlite3").exists(), 5, "the database")
    locker = sqlite3.connect(env.data_dir / "qa-bot.sqlite3", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    caplog.set_level(logging.ERROR, logger="bot.feedback")
    try:
        started = time.monotonic()
        clicks = [await env.fake.click(answer, "qa:fb:down") for _ in range(2)]
        # While the store waits on its lock in a worker thread, questions are still answered at once.
        _, _, followup = await ask(env, "Who is Dmitry Peskov?")
        assert embed_of(followup)["fields"] and time.monotonic() - started < 3
        for click in clicks:
            assert "could not be saved" in (await click.wait_followups(1, timeout=5))[0]["content"]
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


async def test_sigterm_finishes_answers_in_flight_then_stops(tmp_path, monkeypatch):
    async with FakeDiscord() as fake:
        async with bot_on(fake, tmp_path) as running:
            pass  # a bot that ran once: now run the product's own serve loop with its signal handlers
        bot = running.bot.__class__(running.bot.settings)
        slow_answer_started = asyncio.Event()
        with fake.patched_discord():
            serving = asyncio.create_task(_serve(bot, fake.token))
            await fake.wait_until_identified(timeout=10, count=2)
            await fake.wait_for(lambda: bot.is_ready(), 5, "ready")
            original = bot.holder.library.answer

            def slow(*args, **kwargs):
                slow_answer_started.set()
                time.sleep(0.5)
                return original(*args, **kwargs)

            monkeypatch.setattr(bot.holder.library, "answer", slow)
            record = await fake.invoke_slash("ask", {"question": "Who is Dmitry Peskov?"})
            await asyncio.wait_for(slow_answer_started.wait(), 5)
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.wait_for(serving, 15)
        assert record.followups and embed_of(record.followups[0])["fields"]
        assert bot.is_closed()


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
