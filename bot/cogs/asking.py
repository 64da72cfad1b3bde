"""Members ask: `/ask`, an @mention or DM (a reply to an answer is a follow-up), and "Find sources"."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.render import answer_embed, question_from_embed
from bot.server_settings import NO_LIBRARY, answering_library, answers_mentions_in
from bot.store import ServerSettings
from bot.views import SORRY, answer_view
from retrieval.analysis.claims import claim_question
from retrieval.answer import Answer
from retrieval.answering.answerer import DEFAULT_K

if TYPE_CHECKING:
    from bot.client import QABot

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
MAX_SLASH_QUESTION = 1000
HELP_TEXT = "Ask me about the articles in my corpus, e.g. “Did North Korea send arms?”"


class Asking(commands.Cog):
    def __init__(self, bot: QABot) -> None:
        self.bot = bot

        # The decorator form of context menus does not work inside a cog: build it here. discord.py
        # resolves the callback's annotations in the callback's module globals, so it gets a
        # function of this module (a method wrapped by mutmut, bench/mutation.py, would not do).
        async def find_sources(interaction: discord.Interaction, message: discord.Message) -> None:
            await self.find_sources(interaction, message)

        self.find_sources_menu = app_commands.ContextMenu(name="Find sources", callback=find_sources)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.find_sources_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.find_sources_menu.name, type=self.find_sources_menu.type)

    async def _answer(
        self, question: str, guild_id: int | None, settings: ServerSettings, *, counted: bool = True
    ) -> Answer | None:
        """The answer in this guild under its settings; None: it has nothing to answer from."""
        library = await answering_library(self.bot, guild_id, settings)
        if library is None:
            return None
        return await self.bot.holder.answer(question, k=DEFAULT_K, counted=counted, library=library, guild_id=guild_id)

    def _reply(self, answer: Answer | None) -> dict:
        """The embed and components every surface sends for an answer."""
        if answer is None:
            return {"content": NO_LIBRARY, "allowed_mentions": NONE}
        return {
            "embed": answer_embed(answer),
            "view": answer_view(answer, DEFAULT_K) or discord.utils.MISSING,
            "allowed_mentions": NONE,
        }

    def _wait(self, user_id: int, guild_id: int | None, settings: ServerSettings) -> float:
        return self.bot.cooldown.retry_after(user_id, guild_id=guild_id, seconds=settings.cooldown_s)

    async def _respond(self, interaction: discord.Interaction, text: str, *, empty: str, private: bool) -> None:
        """The path of /ask and "Find sources": check, acknowledge, then answer."""
        if not text.strip():
            await interaction.response.send_message(empty, ephemeral=True)
            return
        guild_id = interaction.guild_id
        settings = await self.bot.server_settings.get(guild_id)
        wait = self._wait(interaction.user.id, guild_id, settings)
        if wait:
            await interaction.response.send_message(self.bot.cooldown.message(wait), ephemeral=True)
            return
        # Discord drops an interaction not acknowledged within 3 s: acknowledge first, then think.
        await interaction.response.defer(thinking=True, ephemeral=private)
        await interaction.followup.send(ephemeral=private, **self._reply(await self._answer(text, guild_id, settings)))

    @app_commands.command(
        name="ask", description="Ask a question about the articles; get sourced passages and caveats."
    )
    @app_commands.describe(question="What do you want to know?", private="Only you see the answer")
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_SLASH_QUESTION],
        private: bool = False,
    ) -> None:
        await self._respond(interaction, question, empty=HELP_TEXT, private=private)

    async def find_sources(self, interaction: discord.Interaction, message: discord.Message) -> None:
        text = message.content
        if not text.strip() and message.embeds:
            text = question_from_embed(message.embeds[0]) or (message.embeds[0].description or "")
        # The message's claim is looked up as the yes/no question it makes, so stances apply.
        text = claim_question(text)  # blank stays blank: "no text" below
        await self._respond(interaction, text, empty="That message has no text I can look up.", private=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self._on_message(message)

    async def _on_message(self, message: discord.Message) -> None:
        # A plain method, unlike the listener: mutmut (bench/mutation.py) skips decorated functions.
        me = self.bot.user
        if me is None or message.author.bot or message.author.id == me.id:
            return
        is_dm = message.guild is None
        if not is_dm and not any(user.id == me.id for user in message.mentions):
            return
        guild_id = None if is_dm else message.guild.id
        settings = await self.bot.server_settings.get(guild_id)
        if not is_dm and not answers_mentions_in(settings, message.channel):
            return  # the server chose where mentions are answered: elsewhere, silence
        question = re.sub(rf"<@!?{me.id}>", " ", message.content).strip()
        try:
            await self._answer_message(message, question, guild_id, settings)
        except Exception:
            log.exception("answering message %s from user %s failed", message.id, message.author.id)
            try:
                await message.reply(SORRY, mention_author=False, allowed_mentions=NONE)
            except discord.HTTPException:
                log.warning("could not tell user %s about the failure", message.author.id)

    async def _answer_message(
        self, message: discord.Message, question: str, guild_id: int | None, settings: ServerSettings
    ) -> None:
        if not question:
            await message.reply(HELP_TEXT, mention_author=False, allowed_mentions=NONE)
            return
        wait = self._wait(message.author.id, guild_id, settings)
        if wait:
            await message.reply(self.bot.cooldown.message(wait), mention_author=False, allowed_mentions=NONE)
            return
        # One question for /corpus stats, however many tries it takes: the answer shown is counted.
        answer = await self._answer(question, guild_id, settings, counted=False)
        if answer is not None and not answer.confident:
            previous = await self._previous_question(message)
            if previous:
                # A short follow-up ("what about Russia?") leans on the question it replies to.
                answer = await self._answer(f"{previous} {question}", guild_id, settings, counted=False)
        if answer is not None:
            self.bot.holder.count_question(answer, guild_id)
        await message.reply(mention_author=False, **self._reply(answer))

    async def _previous_question(self, message: discord.Message) -> str | None:
        """The question of the bot's answer this message replies to, if it is one."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return None
        replied = reference.resolved if isinstance(reference.resolved, discord.Message) else None
        if replied is None:
            try:
                replied = await message.channel.fetch_message(reference.message_id)
            except discord.HTTPException:
                return None
        if self.bot.user is None or replied.author.id != self.bot.user.id or not replied.embeds:
            return None
        return question_from_embed(replied.embeds[0])


async def setup(bot: QABot) -> None:
    await bot.add_cog(Asking(bot))
