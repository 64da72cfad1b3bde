"""Runs the real bot (create_bot, setup_hook, cogs) against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import create_bot
from bot.client import QABot
from bot.settings import Secret, Settings
from tests.conftest import SEEDS
from tests.e2e.fake_discord import FakeDiscord


@dataclass
class Running:
    fake: FakeDiscord
    bot: QABot
    corpus_dir: Path
    data_dir: Path


@asynccontextmanager
async def running_bot(tmp_path: Path, **settings_overrides) -> AsyncIterator[Running]:
    async with FakeDiscord() as fake, bot_on(fake, tmp_path, **settings_overrides) as running:
        yield running
    assert fake.server_errors == []


@asynccontextmanager
async def bot_on(fake: FakeDiscord, tmp_path: Path, **settings_overrides) -> AsyncIterator[Running]:
    """A fresh bot process (nothing in memory) against an existing fake Discord."""
    corpus_dir = tmp_path / "corpus"
    if not corpus_dir.exists():
        shutil.copytree(SEEDS, corpus_dir)
    data_dir = tmp_path / "data"
    settings = Settings(
        discord_token=Secret(fake.token),
        corpus_dir=corpus_dir,
        data_dir=data_dir,
        moderator_role_id=fake.moderator_role.id,
        ask_cooldown_s=0,
        dev_guild_id=fake.guild.id,
    )
    bot = create_bot(settings, **settings_overrides)
    with fake.patched_discord():
        async with fake.run_bot(bot):
            await fake.wait_for(lambda: fake.registered_commands(fake.guild.id), 5, "command sync")
            yield Running(fake, bot, corpus_dir, data_dir)


@pytest.fixture
async def env(tmp_path) -> AsyncIterator[Running]:
    async with running_bot(tmp_path) as running:
        yield running
