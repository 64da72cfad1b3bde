"""Which library answers where: a server's own articles beside the base corpus, or the base alone.

A server's library is made at its first question after start or after a change to its articles
(`changed`), from the articles the store holds, and kept for the next questions; direct messages
and servers without articles of their own are answered by the base library itself. When the
database cannot be reached, a server keeps the library it has; one without any is answered from
the base, and the failure is logged.

Simple for now: at most `max_servers` libraries are kept, least recently used out.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from bot.database import Database
from bot.holder import LibraryHolder
from bot.store import StoreError
from retrieval.answering.library import Library
from retrieval.corpus.articles import Article, ArticleError
from retrieval.corpus.loader import parse_article_file

log = logging.getLogger(__name__)


class ServerLibraries:
    def __init__(self, holder: LibraryHolder, database: Database, max_servers: int = 256) -> None:
        self.holder = holder
        self.database = database
        self.max_servers = max_servers
        # (guild id, base on) -> (the base library it was made over, the server's library or None)
        self._kept: OrderedDict[tuple[int, bool], tuple[Library, Library | None]] = OrderedDict()

    async def for_guild(self, guild_id: int | None, *, base: bool = True) -> Library | None:
        """The library that answers in this guild (None: a direct message, answered by the base).
        None back when there is nothing to answer from: base off and no articles of its own."""
        current = self.holder.library
        if guild_id is None:
            return current
        self.holder.track_caller("an answer")  # shutdown waits from here, the store read included
        key = (guild_id, base)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is current:
            self._kept.move_to_end(key)
            return kept[1]
        try:
            stored = await (await self.database.get()).read_articles(guild_id)
        except StoreError as error:
            log.error("server %s: its articles cannot be read (%s); answering from what is held", guild_id, error)
            if kept is not None:
                return kept[1]
            return current if base else None
        articles = await asyncio.to_thread(_parse, stored)
        if not articles:
            library = current if base else None
        elif base:
            library = await asyncio.to_thread(current.joined, articles)
        else:
            library = await asyncio.to_thread(Library.from_articles, articles)
        self._kept[key] = (current, library)
        self._kept.move_to_end(key)
        while len(self._kept) > self.max_servers:
            self._kept.popitem(last=False)
        return library

    def changed(self, guild_id: int) -> None:
        """The server's articles changed: its next question makes its library anew."""
        for key in [k for k in self._kept if k[0] == guild_id]:
            del self._kept[key]


def _parse(stored) -> list[Article]:
    articles = []
    for record in stored:
        try:
            article, _note = parse_article_file(record.content, record.article_id, record.file_name)
        except ArticleError as error:  # checked when added; a later, stricter loader may refuse it
            log.warning("server %s: article %s is skipped (%s)", record.guild_id, record.article_id, error)
            continue
        articles.append(article)
    return articles
