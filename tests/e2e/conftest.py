"""Runs the real bot (create_bot, setup_hook, cogs) against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
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
from tests.e2e.fake_discord import FakeChannel, FakeDiscord, FakeGuild, FakeRole, FakeUser

MANAGE_GUILD, MANAGE_MESSAGES = 1 << 5, 1 << 13  # Discord's permission bits


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


# ------------------------------------------------------------------ three servers


@dataclass
class Server:
    """One server of the three-server world: its guild, channels and people."""

    name: str
    guild: FakeGuild
    channel: FakeChannel  # "general": mentions are answered here by default
    side: FakeChannel  # "bot-questions": a second text channel, for mention-channel settings
    moderator: FakeUser  # holds the server's "Moderator" role (Manage Server)
    member: FakeUser  # no role at all
    moderator_role: FakeRole
    editors: FakeRole  # named "Editors" in every server, no permissions: a moderator role once /settings says so


@dataclass
class ThreeServers:
    fake: FakeDiscord
    a: Server
    b: Server
    c: Server
    # A member of A holding A's "Editors" role, and a plain member of B (no role there).
    crossover: FakeUser
    # B's own editor: holds B's "Editors" role (still without Manage Server).
    b_editor: FakeUser

    @property
    def servers(self) -> tuple[Server, Server, Server]:
        return self.a, self.b, self.c


def three_servers(fake: FakeDiscord) -> ThreeServers:
    """Servers A (the fake's first guild), B and C, each with roles named "Moderator" and "Editors"
    whose ids differ from server to server. The application's owner (`fake.owner`) owns A only."""
    a_editors = fake.add_role("Editors", 0)
    a = Server(
        "A",
        fake.guild,
        fake.channel,
        fake.add_channel(fake.guild, "bot-questions"),
        fake.moderator,
        fake.member,
        fake.moderator_role,
        a_editors,
    )
    servers = [a]
    for name in ("B", "C"):
        guild = fake.add_guild(f"Server {name}")
        moderator_role = fake.add_role("Moderator", MANAGE_GUILD | MANAGE_MESSAGES, guild=guild)
        editors = fake.add_role("Editors", 0, guild=guild)
        lower = name.lower()
        servers.append(
            Server(
                name,
                guild,
                guild.text_channels[0],
                fake.add_channel(guild, "bot-questions"),
                fake.add_member(f"{lower}-moderator", [moderator_role], guild=guild),
                fake.add_member(f"{lower}-member", guild=guild),
                moderator_role,
                editors,
            )
        )
    _, b, c = servers
    crossover = fake.add_member("crossover", [a_editors])
    fake.join_guild(crossover, b.guild)
    b_editor = fake.add_member("b-editor", [b.editors], guild=b.guild)
    return ThreeServers(fake, a, b, c, crossover, b_editor)


@asynccontextmanager
async def bot_for_servers(fake: FakeDiscord, tmp_path: Path, **settings_overrides) -> AsyncIterator[Running]:
    """The bot with its commands published globally (what `qa-bot sync` does), so that every
    server has them; the same tmp_path again is a restart on the same data dir and corpus."""
    corpus_dir = tmp_path / "corpus"
    if not corpus_dir.exists():
        shutil.copytree(SEEDS, corpus_dir)
    data_dir = tmp_path / "data"
    settings = Settings(
        discord_token=Secret(fake.token),
        corpus_dir=corpus_dir,
        data_dir=data_dir,
        moderator_role_id=fake.moderator_role.id,  # QA_MODERATOR_ROLE_ID: A's Moderator role
        ask_cooldown_s=0,
        dev_guild_id=None,
    )
    bot = create_bot(settings, **settings_overrides)
    with fake.patched_discord():
        async with fake.run_bot(bot):
            await bot.tree.sync()
            await asyncio.wait_for(bot.wait_until_ready(), 10)
            yield Running(fake, bot, corpus_dir, data_dir)
