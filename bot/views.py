"""Components under an answer, as DynamicItems: their custom ids carry the state, so they keep
working after a restart (the question itself travels in the answer embed's footer)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.feedback import Verdict
from bot.render import DESCRIPTION_LIMIT, TITLE_LIMIT, answer_embed, cut_words, question_from_embed, safe_text
from bot.server_settings import NO_LIBRARY, answering_library
from retrieval.answer import Answer
from retrieval.answering.answerer import MAX_PASSAGES
from retrieval.corpus.collection import short_key

if TYPE_CHECKING:
    from bot.client import QABot

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
SORRY = "Sorry, something went wrong. It has been logged; please try again."
NOT_HERE = "That passage is not in this server's corpus (it may have changed or been removed since this answer)."


def answer_view(answer: Answer, k: int, offset: int = 0) -> discord.ui.View | None:
    """Context select, "More passages" (when a full page came back) and feedback buttons;
    nothing under a no-match answer."""
    if not answer.passages:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(ContextSelect.for_answer(answer, offset))
    next_offset = offset + len(answer.passages)
    if len(answer.passages) == k and next_offset < MAX_PASSAGES:
        view.add_item(MoreButton(next_offset, k))
    view.add_item(FeedbackButton(True))
    view.add_item(FeedbackButton(False))
    return view


async def replying_on_failure(
    item: discord.ui.DynamicItem,
    interaction: discord.Interaction,
    action: Callable[[discord.Interaction], Awaitable[None]],
) -> None:
    """Run a component's action. discord.py only logs a failing component callback, leaving the
    member with "thinking…" or "This interaction failed": log it and tell them."""
    try:
        await action(interaction)
    except Exception:
        log.exception("component %s failed for user %s", item.item.custom_id, interaction.user.id)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(SORRY, ephemeral=True)
            else:
                await interaction.response.send_message(SORRY, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell user %s about the failure", interaction.user.id)


def _bot(interaction: discord.Interaction) -> QABot:
    return interaction.client  # type: ignore[return-value]


async def _library_here(interaction: discord.Interaction):
    """The library of the guild where the component is clicked, under its settings: a component
    copied from another server's answer resolves nothing of that server here."""
    bot = _bot(interaction)
    return await answering_library(bot, interaction.guild_id, await bot.server_settings.get(interaction.guild_id))


def _question_of(interaction: discord.Interaction) -> str | None:
    message = interaction.message
    if message is None or not message.embeds:
        return None
    return question_from_embed(message.embeds[0])


class ContextSelect(discord.ui.DynamicItem[discord.ui.Select], template=r"qa:ctx"):
    """ "Show context…": the paragraphs around the chosen passage, to whoever asks."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id="qa:ctx",
                placeholder="Show context…",
                options=options or [discord.SelectOption(label="-", value="-")],
            )
        )

    @classmethod
    def for_answer(cls, answer: Answer, offset: int) -> ContextSelect:
        options = [
            discord.SelectOption(
                label=cut_words(f"[{n}] ¶{p.paragraph} · {p.article.title}", 100),
                value=short_key(p.id, p.text),
                description=cut_words(p.text, 100),
            )
            for n, p in enumerate(answer.passages, offset + 1)
        ]
        return cls(options)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str], /
    ) -> ContextSelect:
        return cls(list(item.options))

    async def callback(self, interaction: discord.Interaction) -> Any:
        await replying_on_failure(self, interaction, self._show_context)

    async def _show_context(self, interaction: discord.Interaction) -> None:
        library = await _library_here(interaction)
        chosen = self.item.values
        passage_id = library.corpus.passage_id_for_key(chosen[0]) if library is not None and chosen else None
        if passage_id is None:
            await interaction.response.send_message(NOT_HERE, ephemeral=True)
            return
        corpus = library.corpus
        around = corpus.context(passage_id)
        lines = [f"**{'▶ ' if p.id == passage_id else ''}¶{p.paragraph}** {safe_text(p.text)}" for p in around]
        embed = discord.Embed(
            title=cut_words(safe_text(around[0].article.title), TITLE_LIMIT),
            description=cut_words("\n\n".join(lines), DESCRIPTION_LIMIT),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NONE)


class MoreButton(discord.ui.DynamicItem[discord.ui.Button], template=r"qa:more:(?P<offset>\d+):(?P<k>\d+)"):
    """The next passages for the same question, shown only to whoever clicks."""

    def __init__(self, offset: int, k: int) -> None:
        self.offset, self.k = offset, k
        super().__init__(
            discord.ui.Button(
                label="More passages",
                style=discord.ButtonStyle.secondary,
                custom_id=f"qa:more:{offset}:{k}",
                emoji="➕",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> MoreButton:
        return cls(min(int(match["offset"]), MAX_PASSAGES), max(1, min(int(match["k"]), 10)))

    async def callback(self, interaction: discord.Interaction) -> Any:
        await replying_on_failure(self, interaction, self._more)

    async def _more(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        question = _question_of(interaction)
        if question is None:
            await interaction.response.send_message(
                "I can't tell which question this was; please ask again.", ephemeral=True
            )
            return
        # No cooldown: this continues a question already asked (and paging stops at MAX_PASSAGES).
        await interaction.response.defer(ephemeral=True, thinking=True)
        # Asked again in the library of the server clicked in: it can only show that server's passages.
        library = await _library_here(interaction)
        if library is None:
            await interaction.followup.send(NO_LIBRARY, ephemeral=True)
            return
        answer = await bot.holder.answer(question, self.k, self.offset, library=library, guild_id=interaction.guild_id)
        if not answer.passages:
            await interaction.followup.send("No more relevant passages for this question.", ephemeral=True)
            return
        await interaction.followup.send(
            embed=answer_embed(answer, first_number=self.offset + 1),
            view=answer_view(answer, self.k, self.offset) or discord.utils.MISSING,
            ephemeral=True,
            allowed_mentions=NONE,
        )


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button], template=r"qa:fb:(?P<verdict>up|down)"):
    def __init__(self, helpful: bool) -> None:
        self.helpful = helpful
        super().__init__(
            discord.ui.Button(
                label="Helpful" if helpful else "Not helpful",
                style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.danger,
                custom_id=f"qa:fb:{'up' if helpful else 'down'}",
                emoji="👍" if helpful else "👎",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> FeedbackButton:
        return cls(match["verdict"] == "up")

    async def callback(self, interaction: discord.Interaction) -> Any:
        await replying_on_failure(self, interaction, self._record)

    async def _record(self, interaction: discord.Interaction) -> None:
        # Acknowledge first: a locked database may take a second to give up.
        await interaction.response.defer(ephemeral=True, thinking=True)
        bot = _bot(interaction)
        verdict = Verdict(
            _question_of(interaction) or "",
            await _shown_passage_ids(interaction, bot),
            interaction.guild_id,
            interaction.channel_id,
            interaction.user.id,
            self.helpful,
        )
        stored = await bot.feedback.record(verdict)
        await interaction.followup.send(
            "Thanks for the feedback!" if stored else "Thanks! (Feedback could not be saved right now.)", ephemeral=True
        )


async def _shown_passage_ids(interaction: discord.Interaction, bot: QABot) -> tuple[str, ...]:
    """The passages the answer showed, as they are still in the corpus of the server clicked in
    (changed ones, and any of another server's, drop out)."""
    message = interaction.message
    if message is None or not bot.holder.loaded:
        return ()
    library = await _library_here(interaction)
    if library is None:
        return ()
    corpus = library.corpus
    keys = (
        option.value
        for row in message.components
        for child in getattr(row, "children", [row])
        for option in getattr(child, "options", [])
    )
    return tuple(pid for pid in map(corpus.passage_id_for_key, keys) if pid)


DYNAMIC_ITEMS = (ContextSelect, MoreButton, FeedbackButton)
