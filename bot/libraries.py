"""Which library answers where: a server's own articles beside the base corpus, or the base alone.

A server's library is made at its first question after start or after a change to its articles
(`changed`), from the articles the store holds, in a worker thread, and kept for the next
questions; direct messages and servers without articles of their own are answered by the base
library itself. Joining does not rebuild the base (Library.joined): 20 articles take a fraction of
a second, so an added article answers at the next question.

Kept libraries are bounded by memory, not by count: each one's estimated size (Library.footprint:
its own passages, postings and lookups) counts against `budget_bytes`, least recently used out.
Concurrent first questions of one server wait for one build. When the base is replaced (a reload),
each server's library is made again over the new base at its next question, from the articles it
already holds (no store read), and the old base is let go at once.

When the database cannot be reached, a server keeps the library it has; one without any is
answered from the base, and the failure is logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass

from bot.database import Database
from bot.holder import LibraryHolder
from bot.store import StoreError
from retrieval.answering.library import Library
from retrieval.corpus.articles import Article, ArticleError
from retrieval.corpus.loader import parse_article_file

log = logging.getLogger(__name__)

DEFAULT_BUDGET_MB = 256
_NOTHING_BYTES = 200  # what a kept "no articles of its own" costs: the entry itself

Key = tuple[int, bool]  # (guild id, base corpus on)


@dataclass
class _Kept:
    base: Library | None  # the base the library was made over; None once that base was replaced
    articles: tuple[Article, ...]  # the server's own, as read from the store
    library: Library | None  # None: base off and nothing of its own
    size: int  # estimated bytes


class ServerLibraries:
    def __init__(self, holder: LibraryHolder, database: Database, budget_bytes: int = DEFAULT_BUDGET_MB << 20) -> None:
        self.holder = holder
        self.database = database
        self.budget_bytes = budget_bytes
        self._kept: OrderedDict[Key, _Kept] = OrderedDict()
        self._total = 0
        self._building: dict[Key, tuple[Library, asyncio.Future]] = {}
        self._base: Library | None = None  # the base every kept library with base on was made over

    @property
    def kept_bytes(self) -> int:
        """Estimated bytes of every library kept now."""
        return self._total

    def kept_guilds(self) -> list[Key]:
        """(guild id, base on) of every kept library, least recently used first."""
        return list(self._kept)

    async def for_guild(self, guild_id: int | None, *, base: bool = True) -> Library | None:
        """The library that answers in this guild (None: a direct message, answered by the base).
        None back when there is nothing to answer from: base off and no articles of its own."""
        current = self.holder.library
        if guild_id is None:
            return current
        self.holder.track_caller("an answer")  # shutdown waits from here, the store read included
        if current is not self._base:
            self._base_replaced(current)
        key = (guild_id, base)
        kept = self._kept.get(key)
        if kept is not None and (kept.base is current or not base):
            self._kept.move_to_end(key)
            return kept.library
        building = self._building.get(key)
        if building is None or building[0] is not current:
            building = (current, asyncio.ensure_future(self._build(key, current)))
            self._building[key] = building
        # A caller that gives up (a cancelled interaction) must not cancel the others' build.
        return await asyncio.shield(building[1])

    def changed(self, guild_id: int) -> None:
        """The server's articles changed: its next question makes its library anew (a build under
        way is not kept)."""
        for key in [k for k in self._kept if k[0] == guild_id]:
            self._total -= self._kept.pop(key).size
        for key in [k for k in self._building if k[0] == guild_id]:
            del self._building[key]

    def _base_replaced(self, current: Library) -> None:
        """Let the old base go: libraries joined to it are dropped, their articles kept for the rebuild."""
        self._base = current
        for key, kept in self._kept.items():
            if key[1]:
                kept.base = None
                kept.library = None

    async def _build(self, key: Key, current: Library) -> Library | None:
        guild_id, base = key
        me = asyncio.current_task()
        try:
            held = self._kept.get(key)
            if held is not None:  # made over a replaced base: its articles are still the server's
                articles = list(held.articles)
            else:
                try:
                    stored = await (await self.database.get()).read_articles(guild_id)
                except StoreError as error:
                    log.error("server %s: its articles cannot be read (%s); answering from the base", guild_id, error)
                    return current if base else None
                articles = await asyncio.to_thread(_parse, stored)
            library, size = await asyncio.to_thread(_library, current, articles, base)
            if self._building.get(key, (None, None))[1] is me:  # else `changed` came meanwhile: not kept
                if base and current is not self._base:  # the base was replaced meanwhile: let it go
                    self._keep(key, _Kept(None, tuple(articles), None, size))
                else:
                    self._keep(key, _Kept(current, tuple(articles), library, size))
            return library
        finally:
            if self._building.get(key, (None, None))[1] is me:
                del self._building[key]

    def _keep(self, key: Key, kept: _Kept) -> None:
        old = self._kept.pop(key, None)
        if old is not None:
            self._total -= old.size
        if kept.size > self.budget_bytes:
            log.warning(
                "server %s: its library (~%.1f MB) exceeds the whole budget (QA_SERVER_INDEX_BUDGET_MB); not kept",
                key[0],
                kept.size / 2**20,
            )
            return
        self._kept[key] = kept
        self._total += kept.size
        while self._total > self.budget_bytes:
            _, evicted = self._kept.popitem(last=False)
            self._total -= evicted.size


def _library(current: Library, articles: list[Article], base: bool) -> tuple[Library | None, int]:
    """The server's library and its estimated size (in a worker thread)."""
    if not articles:
        return (current if base else None), _NOTHING_BYTES
    library = current.joined(articles) if base else Library.from_articles(articles)
    return library, library.footprint() + _NOTHING_BYTES


def _parse(stored) -> list[Article]:  # noqa: ANN001 — the store's ServerArticle records
    articles = []
    for record in stored:
        try:
            article, _note = parse_article_file(record.content, record.article_id, record.file_name)
        except ArticleError as error:  # checked when added; a later, stricter loader may refuse it
            log.warning("server %s: article %s is skipped (%s)", record.guild_id, record.article_id, error)
            continue
        articles.append(article)
    return articles
