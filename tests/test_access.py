"""Who is a moderator (bot/access.py): always the member's standing in the server the command runs in."""

from __future__ import annotations

import discord
import pytest

from bot.access import is_moderator
from bot.database import Database
from bot.settings import Settings
from bot.store import ServerSettings
from tests.discord_fakes import Guild, Member, fake_bot, holder_with

A, B = 10, 20


@pytest.fixture
async def database(tmp_path):
    opened = Database(Settings(data_dir=tmp_path / "data"))
    yield opened
    await opened.close()


def bot_with(database=None, moderator_role_id=None):
    bot = fake_bot(holder_with(None), moderator_role_id=moderator_role_id)
    if database is not None:
        bot.database = database
    return bot


async def test_manage_server_in_this_server_makes_a_moderator(database):
    bot = bot_with(database)
    assert await is_moderator(bot, Member(1, manage_guild=True, guild=Guild(A))) is True
    assert await is_moderator(bot, Member(2, guild=Guild(A))) is False


async def test_a_servers_own_moderator_roles_count_in_that_server_only(database):
    store = await database.get()
    await store.set_settings(B, ServerSettings(moderator_role_ids=frozenset({301, 302})))
    bot = bot_with(database)
    assert await is_moderator(bot, Member(1, role_ids=(302,), guild=Guild(B, (302,)))) is True
    # Server A never chose 302; a member of A with a role 302 (or named like B's) gets nothing.
    assert await is_moderator(bot, Member(1, role_ids=(302,), guild=Guild(A, role_ids=(302,)))) is False
    # A role of B's settings held while the command runs in A, where no such role exists.
    await store.set_settings(A, ServerSettings(moderator_role_ids=frozenset({302})))
    assert await is_moderator(bot, Member(1, role_ids=(302,), guild=Guild(A, role_ids=(5,)))) is False
    assert await is_moderator(bot, Member(1, role_ids=(302,), guild=Guild(A, role_ids=(302,)))) is True


async def test_the_configured_role_counts_only_in_the_server_it_belongs_to(database):
    bot = bot_with(database, moderator_role_id=77)
    assert await is_moderator(bot, Member(1, role_ids=(77,), guild=Guild(A, role_ids=(77,)))) is True
    assert await is_moderator(bot, Member(1, role_ids=(77,), guild=Guild(B, role_ids=(5,)))) is False
    assert await is_moderator(bot_with(database), Member(1, role_ids=(77,), guild=Guild(A, (77,)))) is False


async def test_a_user_outside_a_server_is_no_moderator(database):
    assert await is_moderator(bot_with(database, moderator_role_id=77), discord.Object(5)) is False


async def test_during_an_outage_manage_server_and_the_configured_role_still_work(caplog):
    bot = bot_with(None, moderator_role_id=77)  # NoDatabase: the store cannot be reached
    assert await is_moderator(bot, Member(1, manage_guild=True, guild=Guild(A))) is True
    assert await is_moderator(bot, Member(2, role_ids=(77,), guild=Guild(A, (77,)))) is True
    assert await is_moderator(bot, Member(3, role_ids=(302,), guild=Guild(A, (302,)))) is False
    assert f"server {A}: its moderator roles cannot be read" in caplog.text
