"""Components under an answer, as DynamicItems: their custom ids carry the state, so they keep
working after a restart (the question itself travels in the answer embed's footer)."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.render import answer_embed, cut_words, question_from_embed, safe_text
from retrieval.answer import Answer
from retrieval.corpus import short_key

if TYPE_CHECKING:
    from bot.client import QABot

log = logging.getLogger(__name__)
MAX_OFFSET = 50


def answer_view(answer: Answer, offset: int = 0) -> discord.ui.View | None:
    """Context select, "More passages" and feedback buttons; nothing under a no-match answer."""
    if not answer.passages:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(ContextSelect.for_answer(answer, offset))
    next_offset = offset + len(answer.passages)
    if next_offset < MAX_OFFSET:
        view.add_item(MoreButton(next_offset, len(answer.passages)))
    view.add_item(FeedbackButton(True))
    view.add_item(FeedbackButton(False))
    return view


def _bot(interaction: discord.Interaction) -> "QABot":
    return interaction.client  # type: ignore[return-value]


def _question_of(interaction: discord.Interaction) -> str | None:
    message = interaction.message
    if message is None or not message.embeds:
        return None
    return question_from_embed(message.embeds[0])


class ContextSelect(discord.ui.DynamicItem[discord.ui.Select], template=r"qa:ctx"):
    """"Show context…": the paragraphs around the chosen passage, to whoever asks."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(discord.ui.Select(custom_id="qa:ctx", placeholder="Show context…",
                                           options=options or [discord.SelectOption(label="-", value="-")]))

    @classmethod
    def for_answer(cls, answer: Answer, offset: int) -> "ContextSelect":
        options = [
            discord.SelectOption(label=cut_words(f"[{n}] ¶{p.paragraph} · {p.article.title}", 100),
                                 value=short_key(p.id), description=cut_words(p.text, 100))
            for n, p in enumerate(answer.passages, offset + 1)
        ]
        return cls(options)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str], /) -> "ContextSelect":
        return cls(list(item.options))

    async def callback(self, interaction: discord.Interaction) -> Any:
        library = _bot(interaction).holder.library
        key = self.item.values[0] if self.item.values else ""
        passage_id = library.corpus.passage_id_for_key(key)
        if passage_id is None:
            await interaction.response.send_message("That passage is no longer in the corpus.", ephemeral=True)
            return
        around = library.corpus.context(passage_id, radius=1)
        lines = []
        for p in around:
            marker = "▶ " if p.id == passage_id else ""
            lines.append(f"**{marker}¶{p.paragraph}** {safe_text(p.text)}")
        title = cut_words(safe_text(around[0].article.title), 256) if around else "Context"
        embed = discord.Embed(title=title, description=cut_words("\n\n".join(lines), 4096))
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())


class MoreButton(discord.ui.DynamicItem[discord.ui.Button], template=r"qa:more:(?P<offset>\d+):(?P<k>\d+)"):
    """The next passages for the same question, shown only to whoever clicks."""

    def __init__(self, offset: int, k: int) -> None:
        self.offset, self.k = offset, k
        super().__init__(discord.ui.Button(label="More passages", style=discord.ButtonStyle.secondary,
                                           custom_id=f"qa:more:{offset}:{k}", emoji="➕"))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /) -> "MoreButton":
        return cls(min(int(match["offset"]), MAX_OFFSET), max(1, min(int(match["k"]), 10)))

    async def callback(self, interaction: discord.Interaction) -> Any:
        question = _question_of(interaction)
        if question is None:
            await interaction.response.send_message("I can't tell which question this was; please ask again.", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = await _bot(interaction).holder.answer(question, self.k, self.offset)
        if not answer.passages:
            await interaction.followup.send("No more relevant passages for this question.", ephemeral=True)
            return
        await interaction.followup.send(embed=answer_embed(answer, first_number=self.offset + 1),
                                        view=answer_view(answer, self.offset) or discord.utils.MISSING,
                                        ephemeral=True, allowed_mentions=discord.AllowedMentions.none())


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button], template=r"qa:fb:(?P<verdict>up|down)"):
    def __init__(self, helpful: bool) -> None:
        self.helpful = helpful
        super().__init__(discord.ui.Button(
            label="Helpful" if helpful else "Not helpful",
            style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.danger,
            custom_id=f"qa:fb:{'up' if helpful else 'down'}",
            emoji="👍" if helpful else "👎",
        ))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /) -> "FeedbackButton":
        return cls(match["verdict"] == "up")

    async def callback(self, interaction: discord.Interaction) -> Any:
        from bot.feedback import Verdict

        question = _question_of(interaction) or ""
        bot = _bot(interaction)
        passage_ids = _shown_passage_ids(interaction, bot)
        stored = await bot.feedback.record(Verdict(question, passage_ids, interaction.guild_id, interaction.channel_id,
                                                   interaction.user.id, self.helpful))
        text = "Thanks for the feedback!" if stored else "Thanks! (Feedback could not be saved right now.)"
        await interaction.response.send_message(text, ephemeral=True)


def _shown_passage_ids(interaction: discord.Interaction, bot: "QABot") -> tuple[str, ...]:
    message = interaction.message
    if message is None or not bot.holder.loaded:
        return ()
    corpus = bot.holder.library.corpus
    ids = []
    for row in message.components:
        for child in getattr(row, "children", [row]):
            for option in getattr(child, "options", []):
                passage_id = corpus.passage_id_for_key(option.value)
                if passage_id:
                    ids.append(passage_id)
    return tuple(ids)


DYNAMIC_ITEMS = (ContextSelect, MoreButton, FeedbackButton)
