"""A Discord-compatible server on 127.0.0.1 that the real discord.py can log into.

    async with FakeDiscord() as fake:
        with fake.patched_discord():
            async with fake.run_bot(bot):
                record = await fake.invoke_slash("ask", {"question": "..."})
                await record.wait_followups(1)

Several guilds (`fake.add_guild`), each with its own roles, members, channels and
permissions; the bot can join, be removed, or see a guild go unavailable.

Modules: harness (FakeDiscord), world (in-memory state: guilds, permissions),
models (entities), gateway (websocket, zombie connections, intents), rest
(HTTP API), interactions / invocations (both sides of interactions),
validation (Discord's limits on messages, components, allowed_mentions,
commands), ratelimits (per-route buckets and the global limit), clock (time
a test can skip ahead), compression, faults (injected errors and latency),
discord_patch (pointing discord.py here).
"""

from .compression import zstd_available
from .discord_patch import discord_compression
from .errors import InteractionNotPossible
from .faults import RecordedRequest
from .gateway import GatewayConnectionInfo
from .harness import FakeDiscord
from .interactions import InteractionRecord
from .models import FakeAttachment, FakeChannel, FakeGuild, FakeMember, FakeMessage, FakeRole, FakeUser

__all__ = [
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeMessage",
    "FakeRole",
    "FakeUser",
    "GatewayConnectionInfo",
    "InteractionNotPossible",
    "InteractionRecord",
    "RecordedRequest",
    "discord_compression",
    "zstd_available",
]
