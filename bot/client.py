"""The Discord client: an `AutoShardedBot` whose `setup_hook` loads the corpus and cogs, and whose
`before_identify_hook` paces shard start-up across processes (bot/identify.py)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cooldown import Cooldown
from bot.database import Database
from bot.feedback import FeedbackStore
from bot.holder import LibraryHolder
from bot.identify import IdentifyPacer
from bot.libraries import ServerLibraries
from bot.server_settings import ServerSettingsCache
from bot.settings import Settings
from bot.views import DYNAMIC_ITEMS

log = logging.getLogger(__name__)
EXTENSIONS = ("bot.cogs.asking", "bot.cogs.moderation", "bot.cogs.lifecycle", "bot.cogs.settings")
SHUTDOWN_GRACE_S = 10.0
SHARD_CONNECT_TIMEOUT_S = 180.0  # discord.py's default, stated so the identify wait can stay inside it


def intents() -> discord.Intents:
    """Only what the bot uses: guilds, and messages for mentions and DMs (no message content:
    Discord sends content for messages that mention the bot and for DMs anyway)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    return wanted


class QABot(commands.AutoShardedBot):
    def __init__(self, settings: Settings) -> None:
        # This bot never joins voice: spare moderators two warnings about voice libraries at start.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: this bot has no prefix commands
            intents=intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            shard_count=settings.shard_count,  # None: Discord's recommended count (GET /gateway/bot)
            shard_ids=list(settings.shard_ids) if settings.shard_ids is not None else None,
            shard_connect_timeout=SHARD_CONNECT_TIMEOUT_S,
        )
        self.settings = settings
        self.serve_corpus = True  # False for `qa-bot sync`, which only publishes commands
        self.holder = LibraryHolder(settings.corpus_dir, settings.data_dir)
        self.database = Database(settings)
        self.feedback = FeedbackStore(self.database)
        self.libraries = ServerLibraries(self.holder, self.database)
        self.server_settings = ServerSettingsCache(self.database)
        self.cooldown = Cooldown(settings.ask_cooldown_s)
        self.tree.on_error = self.on_app_command_error
        self.shutdown_grace_s = SHUTDOWN_GRACE_S
        self.identify_pacer = IdentifyPacer()
        self._max_concurrency: int | None = None

    def __repr__(self) -> str:  # never show settings (the token) in a repr
        return f"<QABot corpus={str(self.settings.corpus_dir)!r}>"

    async def setup_hook(self) -> None:
        if self.serve_corpus and not self.holder.loaded:
            await self.holder.load()
        if self.serve_corpus:  # refuses to start on a SQLite file another bot process holds
            await self.database.open()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to the development guild %s", len(synced), guild.id)
            except discord.HTTPException as error:
                log.error("command sync to guild %s failed (%s); the bot runs on", guild.id, error)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Replaces discord.py's own 5 s sleep, which only spaces this process's shards: the slot is
        per bucket over every process. The wait is bounded to a third of the shard connect timeout,
        which also covers the connection and READY."""
        bucket = (shard_id or 0) % await self._identify_buckets()
        await self.identify_pacer.wait_for_slot(bucket, self.database.store, SHARD_CONNECT_TIMEOUT_S / 3)

    async def _identify_buckets(self) -> int:
        if self._max_concurrency is None:
            try:
                self._max_concurrency = max(1, (await self.fetch_session_start_limits()).max_concurrency)
            except (discord.HTTPException, discord.GatewayNotFound) as error:
                log.warning("could not read max_concurrency (%s); pacing every shard as one bucket", error)
                return 1  # the safe assumption, asked again at the next identify
        return self._max_concurrency

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: mentions and DMs are handled by the asking cog's listener."""

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CheckFailure):  # NotModerator among them
            text = str(error) or "You can't use this command here."
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command %s failed for user %s", command, interaction.user.id, exc_info=error)
            text = "Sorry, something went wrong while answering. It has been logged; please try again."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
            else:
                await interaction.response.send_message(
                    text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
                )
        except discord.HTTPException:
            log.warning("could not tell user %s about the error", interaction.user.id)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("event %s failed", event_method)

    async def close(self) -> None:
        # Replies being prepared or sent get a bounded grace period while the HTTP session is still
        # open; closing it first would lose an answer already computed ("Session is closed").
        if not self.is_closed():
            await self.holder.drain(self.shutdown_grace_s)
        if hasattr(self, "_AutoShardedClient__queue"):
            await super().close()
        else:  # never logged in (setup_hook run on its own): AutoShardedClient.close needs login's event queue
            await discord.Client.close(self)
        self.holder.close()
        await self.database.close()


def create_bot(settings: Settings | None = None, **overrides: Any) -> QABot:
    """The configured bot, built without a token, network or running event loop."""
    settings = dataclasses.replace(settings or Settings.from_env(), **overrides)
    return QABot(settings)
