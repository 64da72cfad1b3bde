"""A server's own settings: `/settings show | moderator-role | mention-channels | base-corpus |
strictness | cooldown`, for members with Manage Server in that server.

Hidden from others by default_permissions(manage_guild) *and* checked when run (server admins can
change command visibility). Each change is read, changed and written under a lock per server (two
moderators changing different settings at once both keep their change), replied to with what it
was and what it is now, logged with who made it, and announced to the settings cache and, for the
base corpus, to the server libraries. When the database is down nothing changes and the member
is told so.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.cooldown import MAX_COOLDOWN_S
from bot.render import CONTENT_LIMIT, cut_words
from bot.store import ServerSettings, StoreError

if TYPE_CHECKING:
    from bot.client import QABot

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
MAX_MODERATOR_ROLES = 20
MAX_MENTION_CHANNELS = 50
LISTED = 10  # items named in a reply before "and N more", so that before → after fits in a message
OUTAGE = "The settings cannot be changed right now: the database cannot be reached. Nothing was changed."
STRICTNESS_MEANING = {
    "strict": "only passages that answer; a merely related result is shown as nothing found",
    "normal": "answers, and the closest related passages marked as such",
    "lenient": "related passages shown more readily (never as an answer)",
}
# Where a mention may be answered; a thread counts as its parent channel, so threads are not offered.
MentionChannel = discord.TextChannel | discord.VoiceChannel | discord.StageChannel | discord.ForumChannel


class NotManager(app_commands.CheckFailure):
    """Raised for members without Manage Server in the server the command runs in."""


class Refused(Exception):
    """A change that cannot be made as asked; the message says why."""


def _listed(items: list[str], empty: str) -> str:
    if not items:
        return empty
    shown = ", ".join(items[:LISTED])
    return shown if len(items) <= LISTED else f"{shown} and {len(items) - LISTED} more"


def roles_text(settings: ServerSettings) -> str:
    return _listed([f"<@&{r}>" for r in sorted(settings.moderator_role_ids)], "none (Manage Server only)")


def channels_text(settings: ServerSettings) -> str:
    if settings.mention_channel_ids is None:
        return "every channel"
    return _listed(
        [f"<#{c}>" for c in sorted(settings.mention_channel_ids)], "no channel (mentions are not answered; /ask is)"
    )


def base_text(settings: ServerSettings) -> str:
    return "on" if settings.base_corpus else "off"


def strictness_text(settings: ServerSettings) -> str:
    return f"{settings.strictness} ({STRICTNESS_MEANING[settings.strictness]})"


def cooldown_text(settings: ServerSettings, default_s: float) -> str:
    if settings.cooldown_s is None:
        return f"the bot's default ({default_s:g} s)"
    return f"{settings.cooldown_s:g} s"


class SettingsCommands(commands.Cog):
    # Each command's body is a plain method: discord.py needs the decorated callbacks, and mutmut
    # (bench/mutation.py) skips decorated functions, which would leave the commands untested.
    group = app_commands.Group(
        name="settings",
        description="This server's settings for the bot (Manage Server).",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: QABot) -> None:
        self.bot = bot
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        member = interaction.user
        if interaction.guild_id is None or not isinstance(member, discord.Member):
            raise NotManager("Settings work in a server only.")
        if not member.guild_permissions.manage_guild:
            raise NotManager("Only members with Manage Server in this server can change its settings.")
        return True

    def _texts(self) -> dict[str, Callable[[ServerSettings], str]]:
        default_s = self.bot.settings.ask_cooldown_s
        return {
            "Moderator roles": roles_text,
            "Mentions answered in": channels_text,
            "Base corpus": base_text,
            "Strictness": strictness_text,
            "Cooldown": lambda s: cooldown_text(s, default_s),
        }

    def _lock(self, guild_id: int) -> asyncio.Lock:
        lock = self._locks.get(guild_id)
        if lock is None:
            lock = self._locks[guild_id] = asyncio.Lock()
        return lock

    # --- show -----------------------------------------------------------------------------

    @group.command(name="show", description="Show this server's settings.")
    async def show(self, interaction: discord.Interaction) -> None:
        await self._show(interaction)

    async def _show(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        note = ""
        try:
            settings = await (await self.bot.database.get()).get_settings(interaction.guild_id)
        except StoreError as error:
            log.error("server %s: settings cannot be read for /settings show (%s)", interaction.guild_id, error)
            settings = await self.bot.server_settings.get(interaction.guild_id)
            note = "\n*The database cannot be reached: these are the settings in use now.*"
        lines = [f"**{name}**: {text(settings)}" for name, text in self._texts().items()]
        lines.append("-# Who can see `/ask` in which channel is Discord's own: Server Settings → Integrations.")
        await self._say(interaction, "\n".join(lines) + note)

    # --- changes --------------------------------------------------------------------------

    @group.command(name="moderator-role", description="Add or remove a role whose members moderate the bot here.")
    @app_commands.describe(action="Add or remove the role", role="The role")
    async def moderator_role(
        self, interaction: discord.Interaction, action: Literal["add", "remove"], role: discord.Role
    ) -> None:
        await self._moderator_role(interaction, action, role)

    async def _moderator_role(self, interaction: discord.Interaction, action: str, role: discord.Role) -> None:
        def change(before: ServerSettings) -> ServerSettings:
            roles = set(before.moderator_role_ids)
            if action == "add":
                if role.id == interaction.guild_id:
                    raise Refused("@everyone cannot be a moderator role: every member would moderate.")
                if role.id not in roles and len(roles) >= MAX_MODERATOR_ROLES:
                    raise Refused(f"A server can have at most {MAX_MODERATOR_ROLES} moderator roles.")
                roles.add(role.id)
            else:
                roles.discard(role.id)
            return dataclasses.replace(before, moderator_role_ids=frozenset(roles))

        await self._change(interaction, "Moderator roles", change)

    @group.command(name="mention-channels", description="Choose the channels where mentions of the bot are answered.")
    @app_commands.describe(
        action="add or remove a channel, or all: answer mentions in every channel",
        channel="The channel (its threads count as it); not needed for all",
    )
    async def mention_channels(
        self,
        interaction: discord.Interaction,
        action: Literal["add", "remove", "all"],
        channel: MentionChannel | None = None,
    ) -> None:
        await self._mention_channels(interaction, action, channel)

    async def _mention_channels(self, interaction: discord.Interaction, action: str, channel: object | None) -> None:
        def change(before: ServerSettings) -> ServerSettings:
            if action == "all":
                return dataclasses.replace(before, mention_channel_ids=None)
            if channel is None:
                raise Refused(f"Name the channel to {action}.")
            channel_id = channel.id  # type: ignore[attr-defined]
            if action == "add":
                if before.mention_channel_ids is None:
                    return dataclasses.replace(before, mention_channel_ids=frozenset({channel_id}))
                if channel_id not in before.mention_channel_ids and (
                    len(before.mention_channel_ids) >= MAX_MENTION_CHANNELS
                ):
                    raise Refused(f"At most {MAX_MENTION_CHANNELS} channels can be listed; use all for every channel.")
                return dataclasses.replace(before, mention_channel_ids=before.mention_channel_ids | {channel_id})
            if before.mention_channel_ids is None:
                raise Refused(
                    "Mentions are answered in every channel: add the channels to answer in first "
                    "(the first one added replaces every channel)."
                )
            return dataclasses.replace(before, mention_channel_ids=before.mention_channel_ids - {channel_id})

        await self._change(interaction, "Mentions answered in", change)

    @group.command(name="base-corpus", description="Answer from the bot's base corpus too, or only this server's.")
    @app_commands.describe(enabled="On: this server's articles and the base; off: this server's articles only")
    async def base_corpus(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self._base_corpus(interaction, enabled)

    async def _base_corpus(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self._change(interaction, "Base corpus", lambda before: dataclasses.replace(before, base_corpus=enabled))

    @group.command(name="strictness", description="How readily passages that are only related are shown.")
    @app_commands.describe(level="strict: answers only · normal: the default · lenient: related shown more readily")
    async def strictness(self, interaction: discord.Interaction, level: Literal["strict", "normal", "lenient"]) -> None:
        await self._strictness(interaction, level)

    async def _strictness(self, interaction: discord.Interaction, level: str) -> None:
        def change(before: ServerSettings) -> ServerSettings:
            if level not in STRICTNESS_MEANING:
                raise Refused(f"Strictness is one of {', '.join(STRICTNESS_MEANING)}.")
            return dataclasses.replace(before, strictness=level)

        await self._change(interaction, "Strictness", change)

    @group.command(name="cooldown", description="Seconds a member waits between questions here.")
    @app_commands.describe(seconds=f"0 to {MAX_COOLDOWN_S:g}; leave out to use the bot's default")
    async def cooldown(
        self, interaction: discord.Interaction, seconds: app_commands.Range[float, 0.0, MAX_COOLDOWN_S] | None = None
    ) -> None:
        await self._cooldown(interaction, seconds)

    async def _cooldown(self, interaction: discord.Interaction, seconds: float | None) -> None:
        def change(before: ServerSettings) -> ServerSettings:
            if seconds is not None and not (math.isfinite(seconds) and 0 <= seconds <= MAX_COOLDOWN_S):
                raise Refused(f"The cooldown is a number of seconds from 0 to {MAX_COOLDOWN_S:g}.")
            return dataclasses.replace(before, cooldown_s=seconds)

        await self._change(interaction, "Cooldown", change)

    async def _change(
        self, interaction: discord.Interaction, what: str, change: Callable[[ServerSettings], ServerSettings]
    ) -> None:
        """Read, change and store one setting, then say what it was and what it is."""
        guild_id = interaction.guild_id
        assert guild_id is not None  # interaction_check
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = self._texts()[what]
        async with self._lock(guild_id):
            try:
                store = await self.bot.database.get()
                before = await store.get_settings(guild_id)
                try:
                    after = change(before)
                except Refused as refused:
                    await self._say(interaction, f"{refused} Nothing was changed.")
                    return
                if after == before:
                    await self._say(interaction, f"**{what}** is already {text(before)}. Nothing was changed.")
                    return
                await store.set_settings(guild_id, after)
            except StoreError as error:
                log.error("server %s: settings change by %s failed (%s)", guild_id, _who(interaction), error)
                await self._say(interaction, OUTAGE)
                return
        self.bot.server_settings.changed(guild_id)
        if before.base_corpus != after.base_corpus:
            self.bot.libraries.changed(guild_id)
        log.info("server %s: %s changed %s: %s -> %s", guild_id, _who(interaction), what, text(before), text(after))
        await self._say(interaction, f"**{what}**: {text(before)} → {text(after)}")

    async def _say(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.followup.send(cut_words(text, CONTENT_LIMIT), ephemeral=True, allowed_mentions=NONE)


def _who(interaction: discord.Interaction) -> str:
    return f"{interaction.user} ({interaction.user.id})"


async def setup(bot: QABot) -> None:
    await bot.add_cog(SettingsCommands(bot))
