"""Each server's settings (/settings), read from the store once and kept for the questions after.

`changed(guild)` marks a server's kept value stale (after /settings, or when another process
announces a change); its next `get` reads the store again. When the store cannot be reached, the
value kept (stale or not) goes on serving, or the defaults for a server never read; the outage
is logged once per streak and the store is asked again at the next `get`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

from bot.database import Database
from bot.store import ServerSettings, StoreError
from retrieval.answering.strictness import StrictLibrary

if TYPE_CHECKING:
    from bot.client import QABot

log = logging.getLogger(__name__)
DEFAULTS = ServerSettings()


class ServerSettingsCache:
    def __init__(self, database: Database, max_servers: int = 10_000) -> None:
        self.database = database
        self.max_servers = max_servers
        self._kept: OrderedDict[int, ServerSettings] = OrderedDict()
        self._stale: set[int] = set()
        # Bumped by `changed`: a read that began before a change must not clear the change's mark.
        self._generation: dict[int, int] = {}
        self._failing = False

    async def get(self, guild_id: int | None) -> ServerSettings:
        """The server's settings; the defaults for direct messages (None)."""
        if guild_id is None:
            return DEFAULTS
        kept = self._kept.get(guild_id)
        if kept is not None and guild_id not in self._stale:
            self._kept.move_to_end(guild_id)
            return kept
        generation = self._generation.get(guild_id, 0)
        try:
            settings = await (await self.database.get()).get_settings(guild_id)
        except StoreError as error:
            if not self._failing:
                log.error("server settings cannot be read (%s); serving the values kept, else the defaults", error)
                self._failing = True
            return kept if kept is not None else DEFAULTS
        self._failing = False
        self._kept[guild_id] = settings
        self._kept.move_to_end(guild_id)
        if self._generation.get(guild_id, 0) == generation:
            self._stale.discard(guild_id)
        else:  # changed while this read was on its way: what it read may be the old value
            self._stale.add(guild_id)
        while len(self._kept) > self.max_servers:
            dropped, _ = self._kept.popitem(last=False)
            self._stale.discard(dropped)
            self._generation.pop(dropped, None)
        return settings

    def changed(self, guild_id: int) -> None:
        """The server's settings changed in the store: read them again at the next `get`."""
        if guild_id in self._kept:
            self._stale.add(guild_id)
        self._generation[guild_id] = self._generation.get(guild_id, 0) + 1


NO_LIBRARY = (
    "This server has no articles of its own and its base corpus is turned off, so I have nothing to "
    "answer from. A moderator can add articles (`/corpus add`) or turn the base corpus back on "
    "(`/settings base-corpus`)."
)


async def answering_library(bot: QABot, guild_id: int | None, settings: ServerSettings) -> StrictLibrary | None:
    """The library that answers in this guild under its settings (the base for direct messages);
    None when the server's base corpus is off and it has no articles of its own."""
    library = await bot.libraries.for_guild(guild_id, base=settings.base_corpus or guild_id is None)
    return None if library is None else StrictLibrary(library, settings.strictness)


def answers_mentions_in(settings: ServerSettings, channel: object) -> bool:
    """Whether mentions are answered in this channel; a thread counts as its parent channel."""
    if settings.mention_channel_ids is None:
        return True
    channel_id = getattr(channel, "parent_id", None) or getattr(channel, "id", None)
    return channel_id in settings.mention_channel_ids
