"""Who may manage a server's corpus and settings: one rule, used by every moderators' command.

A member is a moderator in the server where the command runs when they have Manage Server there,
or hold one of that server's moderator roles (its settings, in the store), or hold the role
QA_MODERATOR_ROLE_ID names — counted only in the server that role belongs to. Every role is
checked against the member's own guild, so a role id (or a role of the same name) from another
server grants nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.store import StoreError

log = logging.getLogger(__name__)


async def is_moderator(bot: Any, member: discord.abc.User) -> bool:
    """`bot` needs `.settings.moderator_role_id` and `.database`; `member` is the interaction's user."""
    if not isinstance(member, discord.Member):  # a user in a direct message moderates nothing
        return False
    if member.guild_permissions.manage_guild:
        return True
    guild = member.guild
    granting = set()
    if bot.settings.moderator_role_id is not None:
        granting.add(bot.settings.moderator_role_id)
    try:
        granting |= (await (await bot.database.get()).get_settings(guild.id)).moderator_role_ids
    except StoreError as error:  # Manage Server and the configured role still work during an outage
        log.error("server %s: its moderator roles cannot be read (%s)", guild.id, error)
    held = {role.id for role in member.roles}
    return any(role_id in held and guild.get_role(role_id) is not None for role_id in granting)
