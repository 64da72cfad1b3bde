"""Moderators manage the corpus: `/corpus reload | add | remove | list | stats`.

Hidden from members with default_permissions(manage_guild) *and* checked when run, because
server admins can override command visibility. Every change is logged with who made it.
"""

from __future__ import annotations

import asyncio
import glob
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.holder import ReloadReport
from bot.render import DESCRIPTION_LIMIT, code, cut_words, message_text, safe_text
from retrieval.answering.library import CorpusPathError
from retrieval.corpus.articles import ArticleError
from retrieval.corpus.loader import (
    ARTICLE_SUFFIXES,
    MAX_ARTICLE_BYTES,
    article_id_for,
    parse_article_file,
    safe_article_filename,
)

if TYPE_CHECKING:
    from bot.client import QABot

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()


class NotModerator(app_commands.CheckFailure):
    """Raised for members without Manage Server or the moderator role."""


def report_embed(title: str, report: ReloadReport) -> discord.Embed:
    change = report.change
    lines = [
        f"**{report.articles}** articles, **{report.passages}** passages, built in {report.seconds:.2f} s.",
        f"+{len(change.added)} added · −{len(change.removed)} removed · ~{len(change.changed)} changed",
    ]
    for sign, ids in (("+", change.added), ("−", change.removed), ("~", change.changed)):
        if ids and len(ids) <= 10:
            lines.append(f"{sign} " + ", ".join(code(i) for i in ids))
    if report.problems:
        lines.append(f"**{len(report.problems)} file(s) not loaded as-is:**")
        lines += [f"• {safe_text(p)}" for p in report.problems[:15]]
        if len(report.problems) > 15:
            lines.append(f"… and {len(report.problems) - 15} more (see the bot's log)")
    return discord.Embed(
        title=title, description=cut_words("\n".join(lines), DESCRIPTION_LIMIT), colour=discord.Colour.green()
    )


class Moderation(commands.Cog):
    # Each command's body is a plain method: discord.py needs the decorated callbacks, and mutmut
    # (bench/mutation.py) skips decorated functions, which would leave the commands untested.
    corpus = app_commands.Group(
        name="corpus",
        description="Manage the articles the bot answers from (moderators).",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: QABot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        member = interaction.user
        if not isinstance(member, discord.Member):
            raise NotModerator("Corpus commands work in a server only.")
        role_id = self.bot.settings.moderator_role_id
        if member.guild_permissions.manage_guild or (
            role_id is not None and any(r.id == role_id for r in member.roles)
        ):
            return True
        raise NotModerator("Only moderators (Manage Server, or the moderator role) can manage the corpus.")

    def _who(self, interaction: discord.Interaction) -> str:
        return f"{interaction.user} ({interaction.user.id})"

    async def _reload(self, interaction: discord.Interaction) -> ReloadReport | CorpusPathError:
        try:
            report = await self.bot.holder.load()
        except CorpusPathError as error:
            log.warning("corpus reload by %s failed: %s", self._who(interaction), error)
            return error
        if (changes := getattr(self.bot, "changes", None)) is not None:  # tests' stand-in bots have none
            await changes.publish_base()  # the other processes reload their copy of the files
        return report

    async def _reply(
        self, interaction: discord.Interaction, title: str, outcome: ReloadReport | CorpusPathError
    ) -> None:
        if isinstance(outcome, CorpusPathError):
            await interaction.followup.send(
                message_text(f"Reload failed: {outcome}\nThe previous corpus keeps answering.")
            )
        else:
            await interaction.followup.send(embed=report_embed(title, outcome))

    async def _reload_and_reply(self, interaction: discord.Interaction, title: str) -> None:
        await self._reply(interaction, title, await self._reload(interaction))

    @corpus.command(name="reload", description="Re-read the corpus folder and swap in the new index.")
    async def reload(self, interaction: discord.Interaction) -> None:
        await self._reload_command(interaction)

    async def _reload_command(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        log.info("corpus reload requested by %s", self._who(interaction))
        await self._reload_and_reply(interaction, "Corpus reloaded")

    @corpus.command(name="add", description="Add an article (.txt or .md, optional front matter) and reload.")
    @app_commands.describe(file="The article: first line the title, paragraphs separated by blank lines")
    async def add(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        await self._add(interaction, file)

    async def _add(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        # Check the declared size before downloading anything; the type and extension are not trusted.
        if file.size > MAX_ARTICLE_BYTES:
            await interaction.response.send_message(
                f"That file is {file.size:,} bytes; articles may be at most {MAX_ARTICLE_BYTES:,}.", ephemeral=True
            )
            return
        folder = self.bot.holder.corpus_dir
        name = safe_article_filename(file.filename)
        target = folder / name
        if not folder.is_dir():
            await interaction.response.send_message(
                "The corpus is a single .jsonl file, not a folder: articles cannot be added here.", ephemeral=True
            )
            return
        taken = await asyncio.to_thread(self._id_taken_by, article_id_for(name))
        if taken:
            await interaction.response.send_message(
                f"An article with the id {code(article_id_for(name))} already exists ({code(taken)}): "
                "remove it first, or upload the file under another name.",
                ephemeral=True,
            )
            return
        await interaction.response.defer(thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as error:
            await interaction.followup.send(f"Could not download {code(name)} ({error.status}); please try again.")
            return
        try:
            await asyncio.to_thread(parse_article_file, data, article_id_for(name), name)
        except ArticleError as error:
            log.info("corpus add of %r by %s refused: %s", file.filename, self._who(interaction), error)
            await interaction.followup.send(message_text(f"{name} was not added: {error}."), allowed_mentions=NONE)
            return
        # A sidecar left behind by a removed article would lend its metadata to this one.
        await asyncio.to_thread(target.with_name(name + ".meta.json").unlink, missing_ok=True)
        try:
            await asyncio.to_thread(_write_new, target, data)
        except FileExistsError:  # another moderator's upload won the race
            await interaction.followup.send(f"An article file named {code(name)} was added meanwhile: nothing changed.")
            return
        log.info("corpus add: %s written by %s", target, self._who(interaction))
        await self._reload_and_reply(interaction, f"Added {name}")

    def _id_taken_by(self, article_id: str) -> str | None:
        """Where an article with this id already comes from: a loaded article (a file at any depth or
        a .jsonl record), or an article file on disk not loaded yet. Ids are file stems, so a new
        upload with a used id would replace that article, or be skipped as a duplicate at reload."""
        holder = self.bot.holder
        if holder.loaded:
            for article in holder.library.corpus.articles:
                if article.id == article_id:
                    return article.origin
        folder = holder.corpus_dir
        for path in sorted(folder.rglob(f"{glob.escape(article_id)}.*")):
            relative = path.relative_to(folder)
            if path.suffix.lower() in ARTICLE_SUFFIXES and not any(part.startswith(".") for part in relative.parts):
                return str(relative)
        return None

    @corpus.command(name="remove", description="Remove an article file from the corpus and reload.")
    @app_commands.describe(article="The article to remove")
    async def remove(self, interaction: discord.Interaction, article: str) -> None:
        await self._remove(interaction, article)

    async def _remove(self, interaction: discord.Interaction, article: str) -> None:
        path = self._removable().get(article)
        if path is None:
            await interaction.response.send_message(
                "No article file with that id (articles inside a .jsonl file cannot be removed one by one).",
                ephemeral=True,
            )
            return
        await interaction.response.defer(thinking=True)
        # Set aside (hidden names are not loaded) rather than deleted, so that a reload that fails
        # — removing the last article, say — can put everything back as it was.
        files = [p for p in (path, path.with_name(path.name + ".meta.json")) if p.exists()]
        aside = [p.with_name(f".removing-{p.name}") for p in files]
        outcome: ReloadReport | CorpusPathError | None = None
        try:
            for source, hidden in zip(files, aside, strict=True):
                await asyncio.to_thread(source.rename, hidden)
            outcome = await self._reload(interaction)
        finally:  # whatever happened (an error, a shutdown), the files end up removed or back
            removed = isinstance(outcome, ReloadReport)
            for source, hidden in zip(files, aside, strict=True):
                if not hidden.exists():
                    continue
                if removed:
                    await asyncio.to_thread(hidden.unlink)
                else:
                    await asyncio.to_thread(hidden.rename, source)
        log.info(
            "corpus remove: %s %s by %s", path, "deleted" if removed else "kept (reload failed)", self._who(interaction)
        )
        await self._reply(interaction, f"Removed {article}", outcome)

    @remove.autocomplete("article")
    async def remove_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._removable_choices(current)

    def _removable_choices(self, current: str) -> list[app_commands.Choice[str]]:
        needle = current.casefold()
        choices = []
        titles = {a.id: a.title for a in self.bot.holder.library.corpus.articles}
        for article_id in sorted(self._removable()):
            label = f"{titles[article_id]} ({article_id})"
            if needle in label.casefold() and len(article_id) <= 100:
                choices.append(app_commands.Choice(name=cut_words(label, 100), value=article_id))
            if len(choices) == 25:
                break
        return choices

    def _removable(self) -> dict[str, Path]:
        """Article id -> file, for the loaded articles read from a file directly in the corpus folder."""
        if not self.bot.holder.loaded:
            return {}
        folder = self.bot.holder.corpus_dir
        return {
            a.id: folder / a.origin
            for a in self.bot.holder.library.corpus.articles
            if "/" not in a.origin and Path(a.origin).suffix.lower() in ARTICLE_SUFFIXES
        }

    @corpus.command(name="list", description="The articles in the corpus.")
    async def list_articles(self, interaction: discord.Interaction) -> None:
        await self._list(interaction)

    async def _list(self, interaction: discord.Interaction) -> None:
        corpus = self.bot.holder.library.corpus
        lines = [
            f"• {safe_text(cut_words(a.title, 90))} — {code(a.id)} · {a.published or 'undated'} · "
            f"{len(corpus.article_passages(a.id))} passages"
            for a in corpus.articles[:40]
        ]
        shown = cut_words("\n".join(lines), 3900)
        more = f"\n… and {len(corpus.articles) - 40} more" if len(corpus.articles) > 40 else ""
        embed = discord.Embed(
            title=f"{len(corpus.articles)} articles, {len(corpus.passages)} passages", description=shown + more
        )
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NONE)

    @corpus.command(name="stats", description="Questions asked, no-match rate, feedback and answer time.")
    async def stats(self, interaction: discord.Interaction) -> None:
        await self._stats(interaction)

    async def _stats(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        holder = self.bot.holder
        feedback = await self.bot.feedback.counts()
        median = holder.median_answer_seconds()
        questions, no_match = holder.questions(interaction.guild_id)
        rate = f"{no_match / questions:.0%}" if questions else "n/a"
        lines = [
            f"Questions asked since start: **{questions}**",
            f"No-match rate: **{rate}**",
            "Feedback: "
            + (f"👍 {feedback['helpful']} · 👎 {feedback['not_helpful']}" if feedback is not None else "unavailable"),
            f"Median answer time: **{median * 1000:.0f} ms**" if median is not None else "Median answer time: n/a",
        ]
        await interaction.followup.send(
            embed=discord.Embed(title="Corpus stats", description="\n".join(lines)), ephemeral=True
        )


def _write_new(target: Path, data: bytes) -> None:
    """Whole or not at all, and never over an existing file (FileExistsError): a reload running
    meanwhile never reads half an article. (retrieval/ranking/engine/storage.py writes its index files
    the same way, streaming arrays, but may replace them.)"""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), 0o644)  # mkstemp makes 0600; articles are ordinary files
            os.fsync(handle.fileno())
        os.link(temp, target)  # unlike rename, fails if the target exists
    finally:
        Path(temp).unlink(missing_ok=True)


async def setup(bot: QABot) -> None:
    await bot.add_cog(Moderation(bot))
