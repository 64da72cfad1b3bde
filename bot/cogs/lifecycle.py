"""What the bot keeps of a server after leaving it, and for how long.

Removed from a server (`on_guild_remove`), the bot marks it left; QA_FORGET_AFTER_DAYS later (30 by
default) a periodic sweep deletes everything stored for it: its articles, settings and feedback. If
the bot is added back before then, the mark is cleared and nothing is lost. The owner can forget a
server at once (`/corpus forget`).

An unavailable guild is an outage on Discord's side, not a removal: discord.py reports it as
`on_guild_unavailable` (GUILD_DELETE with `unavailable: true`), never as `on_guild_remove`, and such a
guild stays in `bot.guilds`; the check below only guards against a caller that confuses the two.

Removals that happened while the bot was offline are found once the bot is ready, by comparing the
stored servers with the servers it is in — only in a process that runs every shard: one that runs
some shards does not see the other shards' servers, and must never take them for removals.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.store import StoreError

if TYPE_CHECKING:
    from bot.client import QABot

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 3600.0  # a day's grace is counted in days: an hourly sweep is exact enough
# guilds_left_before(EVER) lists every server marked left, whenever it left.
EVER = datetime.max.replace(tzinfo=UTC)


async def forget_server(bot: Any, guild_id: int) -> None:
    """Delete every row of the server, then drop its library (raises StoreError when unreachable)."""
    await (await bot.database.get()).forget_guild(guild_id)
    bot.libraries.changed(guild_id)


def sees_every_shard(bot: Any) -> bool:
    """True when this process runs all the bot's shards, so `bot.guilds` is every server it is in."""
    if bot.shard_ids is None:
        return True
    if bot.shard_count is None:
        return False
    return set(range(bot.shard_count)) <= set(bot.shard_ids)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Lifecycle(commands.Cog):
    def __init__(
        self, bot: QABot, clock: Callable[[], datetime] = _utc_now, sweep_every_s: float = SWEEP_EVERY_S
    ) -> None:
        self.bot = bot
        self.clock = clock
        self.sweep_every_s = sweep_every_s
        self._sweeper: asyncio.Task | None = None

    async def cog_load(self) -> None:
        if getattr(self.bot, "serve_corpus", True):  # not for `qa-bot sync`, which only publishes commands
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="forget-left-servers")

    async def cog_unload(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    @property
    def grace(self) -> timedelta:
        return timedelta(days=self.bot.settings.forget_after_days)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.guild_removed(guild)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.guild_joined(guild)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        await self.reconcile()

    async def guild_removed(self, guild: discord.Guild) -> None:
        if guild.unavailable:
            log.info("server %s is unavailable (a Discord outage): its data is kept", guild.id)
            return
        try:
            await (await self.bot.database.get()).mark_guild_left(guild.id, self.clock())
        except StoreError as error:  # the next start's reconcile finds the removal again
            log.error("server %s: removal not recorded (%s)", guild.id, error)
            return
        log.info("removed from server %s: its data is forgotten in %d days", guild.id, self.grace.days)

    async def guild_joined(self, guild: discord.Guild) -> None:
        try:
            await (await self.bot.database.get()).mark_guild_returned(guild.id)
        except StoreError as error:
            log.error("server %s: return not recorded (%s)", guild.id, error)

    async def reconcile(self) -> None:
        """Servers the bot is back in lose their left mark; with every shard here, stored servers the
        bot is no longer in are marked left (now: their grace period starts at this start)."""
        present = {guild.id for guild in self.bot.guilds}
        try:
            store = await self.bot.database.get()
            stored = await store.stored_guild_ids()
            left = set(await store.guilds_left_before(EVER))
            for guild_id in sorted(left & present):
                await store.mark_guild_returned(guild_id)
            if not sees_every_shard(self.bot):
                log.info(
                    "this process runs shards %s only: removals while offline are not inferred", self.bot.shard_ids
                )
                return
            gone = sorted(stored - present - left)
            for guild_id in gone:
                await store.mark_guild_left(guild_id, self.clock())
        except StoreError as error:
            log.error("servers not reconciled with the store (%s); the next start tries again", error)
            return
        if gone:
            log.info("removed while offline from %d server(s): %s", len(gone), ", ".join(map(str, gone)))

    async def forget_expired(self) -> list[int]:
        """Forget the servers left longer ago than the grace period; the ids forgotten."""
        store = await self.bot.database.get()
        forgotten = []
        for guild_id in await store.guilds_left_before(self.clock() - self.grace):
            if self.bot.get_guild(guild_id) is not None:  # back meanwhile, its join not yet recorded
                await store.mark_guild_returned(guild_id)
                continue
            await forget_server(self.bot, guild_id)
            forgotten.append(guild_id)
        if forgotten:
            log.info("forgot %d server(s) left over %d days ago: %s", len(forgotten), self.grace.days, forgotten)
        return forgotten

    async def _sweep_forever(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            try:
                await self.forget_expired()
            except StoreError as error:
                log.error("left servers not swept (%s); tried again in %.0f s", error, self.sweep_every_s)
            except Exception:
                log.exception("sweeping left servers failed")
            await asyncio.sleep(self.sweep_every_s)


async def setup(bot: QABot) -> None:
    await bot.add_cog(Lifecycle(bot))
