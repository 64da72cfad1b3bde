"""Moderators manage their server's own articles: `/corpus add | remove | list | stats`; the bot's
owner manages the base corpus: `/corpus reload | forget`.

Two scopes. The base corpus (QA_CORPUS_DIR) belongs to whoever runs the bot: it changes only on the
host, and `/corpus reload` (owner only) reads it again. A server's own articles live in the bot's
store under the server's id; they answer in that server only, beside the base, and take effect at
once. Nothing here ever writes or deletes a file of the base folder.

Hidden from members with default_permissions(manage_guild) *and* checked when run (bot/access.py),
because server admins can override command visibility. Every change is logged with who made it.
"""

from __future__ import annotations

import asyncio
import glob
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import is_moderator
from bot.cogs.lifecycle import forget_server
from bot.holder import ReloadReport
from bot.quotas import early_refusal, quota_for, refusal, size_text, usage_text
from bot.render import DESCRIPTION_LIMIT, code, cut_words, message_text, safe_text
from bot.store import ArticleExists, ArticleInfo, GuildUsage, QuotaExceeded, ServerArticle, StoreError
from retrieval.answering.library import CorpusPathError
from retrieval.corpus.articles import ArticleError
from retrieval.corpus.loader import (
    ARTICLE_SUFFIXES,
    MAX_ARTICLE_BYTES,
    article_id_for,
    parse_article_file,
    safe_article_filename,
)
from retrieval.corpus.passages import article_passages

if TYPE_CHECKING:
    from bot.client import QABot

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
OWNER_COMMANDS = frozenset({"reload", "forget"})
# Discord's limits: 25 autocomplete choices, 100 characters for a choice's name and value.
MAX_CHOICES = 25
CHOICE_LIMIT = 100
# /corpus list: the server's own articles first, in at most this much of the description when the
# base has articles to show too; the base gets the rest.
OWN_LIST_SHARE = 2400
DOWN = "the bot's database cannot be reached right now ({error}). Nothing was changed; please try again later."
# /corpus reload while the database is down: this process serves the new files; the others hear of
# them from bot/changes.py once the database is back.
NOT_ANNOUNCED = (
    "The database cannot be reached right now: this process serves the reloaded corpus, and the other "
    "processes will be told to reload theirs when the database is back."
)


class NotModerator(app_commands.CheckFailure):
    """Raised for members who are not moderators of the server the command runs in."""


class NotOwner(app_commands.CheckFailure):
    """Raised for anyone but the application's owner running an owner-only command."""


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


def fitted(lines: Sequence[str], budget: int) -> list[str]:
    """As many of `lines` as fit in `budget` characters (joined by newlines), then "… and N more"."""
    if len("\n".join(lines)) <= budget:
        return list(lines)
    kept: list[str] = []
    used = 0
    for n, line in enumerate(lines):
        rest = len(lines) - n - 1
        # No "if rest": the last line is reached only when the whole list is too long, so it never fits.
        more = len(f"\n… and {rest} more")
        if used + len(line) + (1 if kept else 0) + more > budget:
            return [*kept, f"… and {len(lines) - n} more"]
        kept.append(line)
        used += len(line) + (1 if len(kept) > 1 else 0)
    return kept


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Moderation(commands.Cog):
    # Each command's body is a plain method: discord.py needs the decorated callbacks, and mutmut
    # (bench/mutation.py) skips decorated functions, which would leave the commands untested.
    corpus = app_commands.Group(
        name="corpus",
        description="Manage this server's own articles (moderators) and the base corpus (the bot's owner).",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: QABot, clock: Callable[[], datetime] = _utc_now) -> None:
        self.bot = bot
        self.clock = clock

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        member = interaction.user
        if not isinstance(member, discord.Member):
            raise NotModerator("Corpus commands work in a server only.")
        command = interaction.command.name if interaction.command is not None else None
        if command in OWNER_COMMANDS:
            # Manage Server in some server is not enough: the base corpus answers in every server.
            if await self.bot.is_owner(member):
                return True
            raise NotOwner(
                f"Only the bot's owner can use /corpus {command}: the base corpus and the stored servers are "
                "theirs. This server's own articles are managed with /corpus add and /corpus remove."
            )
        if await is_moderator(self.bot, member):
            return True
        raise NotModerator(
            "Only moderators (Manage Server, or a moderator role of this server) can manage this server's articles."
        )

    def _who(self, interaction: discord.Interaction) -> str:
        return f"{interaction.user} ({interaction.user.id}) in server {interaction.guild_id}"

    # --- the base corpus: the owner's ------------------------------------------------------------

    @corpus.command(name="reload", description="Re-read the base corpus folder (the bot's owner only).")
    async def reload(self, interaction: discord.Interaction) -> None:
        await self._reload_command(interaction)

    async def _reload_command(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        log.info("corpus reload requested by %s", self._who(interaction))
        try:
            report = await self.bot.holder.load()
        except CorpusPathError as error:
            log.warning("corpus reload by %s failed: %s", self._who(interaction), error)
            await interaction.followup.send(
                message_text(f"Reload failed: {error}\nThe previous corpus keeps answering.")
            )
            return
        embed = report_embed("Base corpus reloaded", report)
        if (changes := getattr(self.bot, "changes", None)) is not None:  # tests' stand-in bots have none
            if not await changes.publish_base():  # the other processes reload their copy of the files
                embed.set_footer(text=NOT_ANNOUNCED)
        await interaction.followup.send(embed=embed)

    def _base_origin(self, article_id: str) -> str | None:
        """Where the base corpus has an article with this id: a loaded article (a file at any depth or
        a .jsonl record), or an article file on disk not loaded yet, which the next reload would load
        ahead of the server's (the base wins a shared id)."""
        holder = self.bot.holder
        if holder.loaded:
            for article in holder.library.corpus.articles:
                if article.id == article_id:
                    return article.origin
        folder = holder.corpus_dir
        if not folder.is_dir():
            return None
        for path in sorted(folder.rglob(f"{glob.escape(article_id)}.*")):
            relative = path.relative_to(folder)
            if path.suffix.lower() in ARTICLE_SUFFIXES and not any(part.startswith(".") for part in relative.parts):
                return str(relative)
        return None

    # --- a server's own articles ------------------------------------------------------------------

    @corpus.command(name="add", description="Add an article (.txt or .md, optional front matter) to this server.")
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
        guild_id = interaction.guild_id
        name = safe_article_filename(file.filename)
        article_id = article_id_for(name)
        await interaction.response.defer(thinking=True, ephemeral=True)
        say = interaction.followup.send
        base = await asyncio.to_thread(self._base_origin, article_id)
        if base is not None:
            await say(
                f"The base corpus already has an article with the id {code(article_id)} ({code(base)}): "
                "upload the file under another name.",
                allowed_mentions=NONE,
            )
            return
        quota = quota_for(self.bot.settings)
        try:
            store = await self.bot.database.get()
            existing = await store.get_article(guild_id, article_id)
            early = await early_refusal(store, guild_id, quota, file.size, self.clock())
        except StoreError as error:
            await say(message_text(f"{name} was not added: " + DOWN.format(error=error)), allowed_mentions=NONE)
            return
        if existing is not None:
            await say(
                f"This server already has an article with the id {code(article_id)} (added by "
                f"<@{existing.added_by}> {discord.utils.format_dt(existing.added_at, 'd')}): remove it first, "
                "or upload the file under another name.",
                allowed_mentions=NONE,
            )
            return
        if early is not None:
            await say(f"{code(name)} was not added: {refusal(early[0], early[1], file.size)}", allowed_mentions=NONE)
            return
        try:
            data = await file.read()
        except discord.HTTPException as error:
            await say(f"Could not download {code(name)} ({error.status}); please try again.")
            return
        try:
            article, _note = await asyncio.to_thread(parse_article_file, data, article_id, name)
            passages = len(article_passages(article))
            if not passages:
                raise ArticleError("no paragraph to answer from (only headings)")
        except ArticleError as error:
            log.info("corpus add of %r by %s refused: %s", file.filename, self._who(interaction), error)
            await say(message_text(f"{name} was not added: {error}."), allowed_mentions=NONE)
            return
        record = ServerArticle(guild_id, article_id, name, data, interaction.user.id, self.clock())
        try:
            await store.add_article(record, quota)
        except ArticleExists:  # another moderator's upload won the race
            await say(f"An article with the id {code(article_id)} was added meanwhile: nothing changed.")
            return
        except QuotaExceeded as error:
            log.info("corpus add of %s by %s refused: %s", name, self._who(interaction), error)
            usage = await self._usage(guild_id)
            await say(f"{code(name)} was not added: {refusal(error, usage, len(data))}", allowed_mentions=NONE)
            return
        except StoreError as error:
            await say(message_text(f"{name} was not added: " + DOWN.format(error=error)), allowed_mentions=NONE)
            return
        self.bot.libraries.changed(guild_id)
        log.info("corpus add: %s (%d bytes) stored by %s", article_id, len(data), self._who(interaction))
        await say(
            f"Added {code(article_id)} ({passages} passage{'s' * (passages != 1)}); {await self._now_has(guild_id)}",
            allowed_mentions=NONE,
        )

    async def _usage(self, guild_id: int) -> GuildUsage | None:
        try:
            return await (await self.bot.database.get()).usage(guild_id)
        except StoreError as error:
            log.warning("server %s: usage unavailable (%s)", guild_id, error)
            return None

    async def _now_has(self, guild_id: int) -> str:
        usage = await self._usage(guild_id)
        if usage is None:
            return "this server's totals cannot be read right now."
        plural = "s" * (usage.articles != 1)
        return f"this server now has {usage.articles:,} article{plural}, {size_text(usage.total_bytes)}."

    @corpus.command(name="remove", description="Remove one of this server's own articles.")
    @app_commands.describe(article="The article to remove (this server's own)")
    async def remove(self, interaction: discord.Interaction, article: str) -> None:
        await self._remove(interaction, article)

    async def _remove(self, interaction: discord.Interaction, article: str) -> None:
        guild_id = interaction.guild_id
        await interaction.response.defer(thinking=True, ephemeral=True)
        say = interaction.followup.send
        try:
            removed = await (await self.bot.database.get()).remove_article(guild_id, article)
        except StoreError as error:
            await say(message_text(f"{article} was not removed: " + DOWN.format(error=error)), allowed_mentions=NONE)
            return
        if not removed:
            base = self.bot.holder.loaded and any(a.id == article for a in self.bot.holder.library.corpus.articles)
            if base:
                text = (
                    f"{code(article)} belongs to the base corpus, which only the bot's owner changes (on the host): "
                    "it cannot be removed from Discord."
                )
            else:
                text = f"This server has no article with the id {code(cut_words(article, 100))}."
            await say(text, allowed_mentions=NONE)
            return
        self.bot.libraries.changed(guild_id)
        log.info("corpus remove: %s removed by %s", article, self._who(interaction))
        await say(f"Removed {code(article)}; {await self._now_has(guild_id)}", allowed_mentions=NONE)

    @remove.autocomplete("article")
    async def remove_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # discord.py runs no command check for autocomplete: without this, any member could list them.
        if not await is_moderator(self.bot, interaction.user):
            return []
        return await self._removable_choices(interaction.guild_id, current)

    async def _removable_choices(self, guild_id: int | None, current: str) -> list[app_commands.Choice[str]]:
        """This server's own articles whose id contains what is typed; nothing when the store is down."""
        if guild_id is None:
            return []
        try:
            own = await (await self.bot.database.get()).list_articles(guild_id)
        except StoreError:
            return []
        needle = current.casefold()
        choices = []
        for info in own:
            if needle in info.article_id.casefold() and len(info.article_id) <= CHOICE_LIMIT:
                label = f"{info.article_id} · {size_text(info.size_bytes)} · added {info.added_at:%Y-%m-%d}"
                choices.append(app_commands.Choice(name=cut_words(label, CHOICE_LIMIT), value=info.article_id))
            if len(choices) == MAX_CHOICES:
                break
        return choices

    @corpus.command(name="list", description="This server's own articles, and the base corpus (read-only).")
    async def list_articles(self, interaction: discord.Interaction) -> None:
        await self._list(interaction)

    async def _list(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id
        await interaction.response.defer(thinking=True, ephemeral=True)
        own: list[ArticleInfo] | None
        try:
            store = await self.bot.database.get()
            own = await store.list_articles(guild_id)
            base_on = (await store.get_settings(guild_id)).base_corpus
        except StoreError as error:
            log.warning("server %s: its articles cannot be listed (%s)", guild_id, error)
            own, base_on = None, True
        base = self.bot.holder.library.corpus.articles if self.bot.holder.loaded else ()
        quota = quota_for(self.bot.settings)
        if own is None:
            own_lines = ["This server's articles cannot be read right now (the bot's database is unreachable)."]
        elif not own:
            own_lines = ["None yet: add one with /corpus add."]
        else:
            used = GuildUsage(len(own), sum(a.size_bytes for a in own))
            own_lines = [f"{usage_text(used, quota)}"] + [
                f"• {code(a.article_id)} · {size_text(a.size_bytes)} · added by <@{a.added_by}> "
                f"{discord.utils.format_dt(a.added_at, 'd')}"
                for a in own
            ]
        base_lines = [f"• {safe_text(cut_words(a.title, 80))} — {code(a.id)}" for a in base]
        own_head = "**This server's articles**"
        base_head = f"**Base corpus (read-only{'' if base_on else ', turned off in this server'}): {len(base):,}**"
        budget = DESCRIPTION_LIMIT - len(own_head) - len(base_head) - 4  # the newlines around the headings
        own_budget = OWN_LIST_SHARE if base_lines else budget  # the headings leave ~4,000: the share is the smaller
        own_shown = fitted(own_lines, own_budget)
        left = budget - len("\n".join(own_shown))
        parts = (
            [own_head, *own_shown, "", base_head, *fitted(base_lines, left)] if base_lines else [own_head, *own_shown]
        )
        embed = discord.Embed(title="Articles answering in this server", description="\n".join(parts))
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NONE)

    @corpus.command(name="stats", description="This server's questions, no-match rate, feedback and articles.")
    async def stats(self, interaction: discord.Interaction) -> None:
        await self._stats(interaction)

    async def _stats(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id
        await interaction.response.defer(thinking=True, ephemeral=True)
        holder = self.bot.holder
        quota = quota_for(self.bot.settings)
        questions, no_match = holder.questions(guild_id)
        usage = await self._usage(guild_id)
        median = holder.median_answer_seconds()
        lines = [
            f"Questions asked here since start: **{questions}**",
            f"No-match rate: **{_rate(no_match, questions)}**",
            "Feedback: " + _feedback(await self.bot.feedback.counts(guild_id)),
            "This server's articles: " + (usage_text(usage, quota) if usage else "unavailable"),
            f"Median answer time: **{median * 1000:.0f} ms**" if median is not None else "Median answer time: n/a",
        ]
        if await self.bot.is_owner(interaction.user):  # the owner's view, shown to the owner alone
            lines += ["", "**Every server (you run the bot)**", *await self._totals()]
        await interaction.followup.send(
            embed=discord.Embed(title="Corpus stats for this server", description="\n".join(lines)), ephemeral=True
        )

    async def _totals(self) -> list[str]:
        asked, no_match = self.bot.holder.all_questions()
        lines = [
            f"Questions since start: **{asked}** (no match: {_rate(no_match, asked)})",
            "Feedback: " + _feedback(await self.bot.feedback.counts(None)),
        ]
        try:
            store = await self.bot.database.get()
            stored = await store.stored_guild_ids()
            usages = [await store.usage(g) for g in sorted(stored)]
        except StoreError:
            return [*lines, "Stored servers: unavailable"]
        articles, total = sum(u.articles for u in usages), sum(u.total_bytes for u in usages)
        with_articles = sum(u.articles > 0 for u in usages)
        return [
            *lines,
            f"Servers with stored data: **{len(stored)}** ({with_articles} with articles of their own)",
            f"Their articles: **{articles:,}**, {size_text(total)}",
            *await self._processes(store),
        ]

    async def _processes(self, store) -> list[str]:
        """Each bot process and the base corpus version it serves: a host whose files differ shows here."""
        changes = getattr(self.bot, "changes", None)
        if changes is None:  # tests' stand-in bots
            return []
        try:
            expected = await store.get_base_version()
            processes = await changes.processes()
        except StoreError:
            return ["Processes: unavailable"]
        lines = [f"Base corpus version in the database: {code((expected or 'none')[:12])}"]
        for process in processes[:10]:
            shards = "all" if process.shard_ids is None else ",".join(map(str, process.shard_ids))
            differs = "" if process.base_version == expected else " ⚠ differs"
            lines.append(
                f"• {safe_text(process.host)} pid {process.pid}, shards {shards}: "
                f"{code((process.base_version or 'none')[:12])}{differs}"
            )
        if len(processes) > 10:
            lines.append(f"… and {len(processes) - 10} more processes")
        return lines

    # --- the owner's housekeeping -----------------------------------------------------------------

    @corpus.command(name="forget", description="Delete everything stored for a server the bot left (owner only).")
    @app_commands.describe(server_id="The id of the server to forget")
    async def forget(self, interaction: discord.Interaction, server_id: str) -> None:
        await self._forget(interaction, server_id)

    async def _forget(self, interaction: discord.Interaction, server_id: str) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        say = interaction.followup.send
        try:
            guild_id = int(server_id.strip())
        except ValueError:
            await say(message_text(f"{server_id} is not a server id (a number)."), allowed_mentions=NONE)
            return
        if guild_id <= 0:
            await say(f"{guild_id} is not a server id.")
            return
        if self.bot.get_guild(guild_id) is not None:
            await say(
                f"The bot is still in server {guild_id}: remove the bot from it first (its articles, settings "
                "and feedback are then kept for the grace period, or forgotten at once with this command)."
            )
            return
        usage = await self._usage(guild_id)
        try:
            await forget_server(self.bot, guild_id)
        except StoreError as error:
            await say(message_text(f"Server {guild_id} was not forgotten: " + DOWN.format(error=error)))
            return
        log.info("server %s forgotten by %s", guild_id, self._who(interaction))
        held = f"its {usage.articles:,} article(s), " if usage else "its articles, "
        await say(f"Forgot server {guild_id}: {held}settings and feedback are deleted.")


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "n/a"


def _feedback(counts: dict[str, int] | None) -> str:
    return f"👍 {counts['helpful']} · 👎 {counts['not_helpful']}" if counts is not None else "unavailable"


async def setup(bot: QABot) -> None:
    await bot.add_cog(Moderation(bot))
