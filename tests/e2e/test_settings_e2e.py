"""/settings through the loopback Discord: options as Discord sends them (roles, channels, numbers),
Manage Server checked when run, and the settings applied to the next questions."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import Running

QUESTION = "Did North Korea send arms?"
EPHEMERAL = 64


async def settings(env: Running, sub: str, options: dict | None = None, **kwargs) -> str:
    record = await env.fake.invoke_slash(f"settings {sub}", options or {}, user=env.fake.moderator, **kwargs)
    response = await record.wait_response()
    assert response["data"]["flags"] & EPHEMERAL  # thinking, only for the moderator
    (followup,) = await record.wait_followups(1)
    assert followup["flags"] & EPHEMERAL and followup["allowed_mentions"] == {"parse": []}
    return followup["content"]


async def test_a_moderator_changes_settings_and_the_next_questions_follow_them(env: Running):
    fake = env.fake
    role = fake.moderator_role
    assert await settings(env, "moderator-role", {"action": "add", "role": role}) == (
        f"**Moderator roles**: none (Manage Server only) → <@&{role.id}>"
    )
    assert await settings(env, "mention-channels", {"action": "add", "channel": fake.channel}) == (
        f"**Mentions answered in**: every channel → <#{fake.channel.id}>"
    )
    await fake.post_message(fake.thread, fake.member, QUESTION, mention_bot=True)  # a thread of that channel
    reply = await fake.wait_for_bot_message(fake.thread)
    assert reply.embeds[0]["title"] == QUESTION
    await settings(env, "mention-channels", {"action": "remove", "channel": fake.channel})
    await fake.post_message(fake.channel, fake.member, QUESTION, mention_bot=True)
    assert await settings(env, "cooldown", {"seconds": 30}) == "**Cooldown**: the bot's default (0 s) → 30 s"
    first = await fake.invoke_slash("ask", {"question": QUESTION})  # /ask is answered in any channel
    (answer,) = await first.wait_followups(1)
    assert answer["embeds"][0]["title"] == QUESTION
    second = await fake.invoke_slash("ask", {"question": QUESTION})
    held = await second.wait_response()
    assert held["data"]["content"].startswith("You're asking quickly: please wait 30 s")
    await asyncio.sleep(0.3)
    assert fake.bot_messages(fake.channel) == []  # the mention outside the channels was never answered
    shown = await settings(env, "show")
    assert f"**Moderator roles**: <@&{role.id}>" in shown and "**Cooldown**: 30 s" in shown
    assert "**Mentions answered in**: no channel" in shown


async def test_a_member_without_manage_server_is_refused_even_when_the_command_is_shown(env: Running):
    fake = env.fake
    record = await fake.invoke_slash(
        "settings base-corpus", {"enabled": False}, user=fake.member, bypass_default_permissions=True
    )
    response = await record.wait_response()
    assert response["data"]["content"] == "Only members with Manage Server in this server can change its settings."
    assert (await env.bot.database.store.get_settings(fake.guild.id)).base_corpus is True
