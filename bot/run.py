"""Running the bot for real: logging, signals and a clean exit, and the global command sync."""

from __future__ import annotations

import asyncio
import logging
import signal

import discord

from bot.client import QABot, create_bot
from bot.settings import Settings
from bot.store.errors import StoreConfigError, StoreInUse

log = logging.getLogger(__name__)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


async def _serve(bot: QABot, token: str) -> None:
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task] = []  # held: the loop keeps only a weak reference to a task

    def stop() -> None:
        if not stopping:  # a second Ctrl-C while replies drain must not start another drain
            log.info("stopping: delivering the replies in progress, then disconnecting")
            stopping.append(asyncio.ensure_future(bot.close()))

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    try:
        async with bot:
            await bot.start(token)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def run_bot(settings: Settings) -> int:
    """Run until SIGTERM or Ctrl-C; exit code 0 after a clean shutdown."""
    configure_logging(settings.log_level)
    bot = create_bot(settings)
    try:
        asyncio.run(_serve(bot, settings.discord_token.reveal()))
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN in .env); check it in the developer portal")
        return 1
    except (StoreInUse, StoreConfigError) as error:  # a message for the operator, not a traceback
        log.error("cannot start: %s", error)
        return 1
    return 0


async def _sync_global(settings: Settings) -> int:
    bot = create_bot(settings)
    bot.serve_corpus = False  # publishing commands needs the cogs, not the corpus
    async with bot:
        await bot.login(settings.discord_token.reveal())  # runs setup_hook: cogs and commands loaded
        synced = await bot.tree.sync()
        print(f"Published {len(synced)} commands globally (Discord may take up to an hour to show them).")
    return 0


def sync_global(settings: Settings) -> int:
    """`qa-bot sync`: the explicit owner action that publishes commands globally."""
    configure_logging(settings.log_level)
    return asyncio.run(_sync_global(settings))
