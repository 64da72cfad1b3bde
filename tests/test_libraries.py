"""ServerLibraries: which library answers in a server, built once, kept within a memory budget."""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref
from datetime import UTC, datetime

import pytest

from bot.libraries import ServerLibraries
from bot.settings import Settings, SettingsError
from bot.store import StoreError
from bot.store.records import ServerArticle
from retrieval.answering.library import Library
from retrieval.corpus.articles import build_article
from tests.discord_fakes import holder_with

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
A, B, C = 111, 222, 333


def base_library(extra: str = "") -> Library:
    return Library.from_articles(
        [
            build_article(
                "storm",
                f"Hurricane Idalia made landfall in Florida on Wednesday. {extra}",
                {"title": "Storm"},
                title_in_body=False,
            ),
            build_article(
                "rates",
                "The central bank kept interest rates unchanged at 5.25 percent.",
                {"title": "Rates"},
                title_in_body=False,
            ),
        ]
    )


def record(guild_id: int, article_id: str, body: str) -> ServerArticle:
    content = f"---\nsource: Club bulletin\n---\n{article_id} news\n\n{body}\n".encode()
    return ServerArticle(guild_id, article_id, f"{article_id}.md", content, added_by=7, added_at=T0)


def club_articles(guild_id: int, n: int = 3) -> list[ServerArticle]:
    return [
        record(guild_id, f"club{i}", f"The chess club of server {guild_id} held tournament number {i} on Sunday.")
        for i in range(n)
    ]


class FakeStore:
    def __init__(self) -> None:
        self.articles: dict[int, list[ServerArticle]] = {}
        self.reads: list[int] = []
        self.gate: asyncio.Event | None = None  # when set, reads wait for it

    async def read_articles(self, guild_id: int) -> list[ServerArticle]:
        self.reads.append(guild_id)
        if self.gate is not None:
            await self.gate.wait()
        return list(self.articles.get(guild_id, []))


class FakeDatabase:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.down = False

    async def get(self) -> FakeStore:
        if self.down:
            raise StoreError("database unreachable")
        return self.store


def libraries(budget_bytes: int = 256 << 20) -> tuple[ServerLibraries, FakeStore, FakeDatabase]:
    store = FakeStore()
    database = FakeDatabase(store)
    return ServerLibraries(holder_with(base_library()), database, budget_bytes), store, database  # type: ignore[arg-type]


def cited(library: Library, question: str) -> set[str]:
    return {p.article.id for p in library.answer(question).passages}


async def test_a_server_answers_from_its_articles_beside_the_base_and_dms_from_the_base() -> None:
    servers, store, _ = libraries()
    store.articles[A] = club_articles(A)
    base = servers.holder.library
    assert await servers.for_guild(None) is base
    assert await servers.for_guild(B) is base  # no articles of its own
    assert await servers.for_guild(B, base=False) is None
    mine = await servers.for_guild(A)
    assert mine is not base and mine.base is base
    assert cited(mine, "chess club tournament") <= {"club0", "club1", "club2"}
    assert "storm" in cited(mine, "Did the hurricane make landfall in Florida?")
    assert await servers.for_guild(A) is mine  # kept: no second read
    assert store.reads == [B, B, A]
    own_only = await servers.for_guild(A, base=False)
    assert own_only.base is None and {a.id for a in own_only.corpus.articles} == {"club0", "club1", "club2"}
    assert "storm" not in cited(own_only, "Did the hurricane make landfall in Florida?")


async def test_concurrent_first_questions_build_once() -> None:
    servers, store, _ = libraries()
    store.articles[A] = club_articles(A)
    store.gate = asyncio.Event()
    asking = [asyncio.ensure_future(servers.for_guild(A)) for _ in range(5)]
    await asyncio.sleep(0.01)
    store.gate.set()
    got = await asyncio.gather(*asking)
    assert store.reads == [A]
    assert all(library is got[0] for library in got) and got[0].base is servers.holder.library


async def test_a_cancelled_first_question_does_not_cancel_the_build_for_the_others() -> None:
    servers, store, _ = libraries()
    store.articles[A] = club_articles(A)
    store.gate = asyncio.Event()
    first = asyncio.ensure_future(servers.for_guild(A))
    second = asyncio.ensure_future(servers.for_guild(A))
    await asyncio.sleep(0.01)
    first.cancel()
    store.gate.set()
    library = await second
    assert library.base is servers.holder.library and store.reads == [A]


async def test_a_change_makes_the_next_question_build_anew() -> None:
    servers, store, _ = libraries()
    store.articles[A] = club_articles(A, 1)
    before = await servers.for_guild(A)
    store.articles[A] = club_articles(A, 1) + [record(A, "bake", "The bake sale raised money for new chess boards.")]
    assert await servers.for_guild(A) is before  # unchanged until told
    servers.changed(A)
    after = await servers.for_guild(A)
    assert after is not before and "bake" in cited(after, "bake sale money")
    assert store.reads == [A, A]


async def test_a_change_during_a_build_is_not_lost() -> None:
    servers, store, _ = libraries()
    store.articles[A] = club_articles(A, 1)
    store.gate = asyncio.Event()
    building = asyncio.ensure_future(servers.for_guild(A))
    await asyncio.sleep(0.01)
    store.articles[A] = [record(A, "bake", "The bake sale raised money for new chess boards.")]
    servers.changed(A)  # the article was added while the old list was being read
    store.gate.set()
    await building
    after = await servers.for_guild(A)  # builds again: the build under way was not kept
    assert store.reads == [A, A] and "bake" in cited(after, "bake sale money")


async def test_a_base_reload_rebuilds_over_the_new_base_from_the_held_articles_and_frees_the_old() -> None:
    servers, store, database = libraries()
    store.articles[A] = club_articles(A)
    store.articles[B] = club_articles(B)
    old_base = weakref.ref(servers.holder.library)
    first = weakref.ref(await servers.for_guild(A))
    other = weakref.ref(await servers.for_guild(B))
    servers.holder._library = new_base = base_library("Officials ordered an evacuation of Keaton Beach.")
    database.down = True  # the held articles suffice: no store read
    rebuilt = await servers.for_guild(A)
    assert rebuilt.base is new_base and store.reads == [A, B]
    assert "club0" in cited(rebuilt, "chess club tournament number 0")
    assert "storm" in cited(rebuilt, "evacuation of Keaton Beach")
    gc.collect()
    # B has not asked since: what it keeps does not pin the replaced base either.
    assert first() is None and other() is None and old_base() is None
    assert (await servers.for_guild(B)).base is new_base and store.reads == [A, B]


async def test_store_outage_keeps_what_is_held_and_falls_back_to_the_base(caplog) -> None:
    servers, store, database = libraries()
    store.articles[A] = club_articles(A)
    store.articles[B] = club_articles(B)
    held = await servers.for_guild(A)
    database.down = True
    with caplog.at_level(logging.ERROR, logger="bot.libraries"):
        assert await servers.for_guild(A) is held
        assert await servers.for_guild(B) is servers.holder.library
        assert await servers.for_guild(B, base=False) is None
    assert [r.getMessage() for r in caplog.records] == [
        f"server {B}: its articles cannot be read (database unreachable); answering from the base"
    ] * 2
    database.down = False
    assert (await servers.for_guild(B)).base is servers.holder.library  # nothing was kept during the outage


async def test_kept_libraries_stay_within_the_memory_budget_least_recently_used_out() -> None:
    probe, store, _ = libraries()
    store.articles[A] = club_articles(A, 5)
    size = probe.kept_bytes + 0
    await probe.for_guild(A)
    size = probe.kept_bytes - size
    assert size > 10_000  # five articles' passages, postings and lookups, estimated
    servers, store, _ = libraries(budget_bytes=int(2.5 * size))
    for guild in (A, B, C):
        store.articles[guild] = club_articles(guild, 5)
    await servers.for_guild(A)
    await servers.for_guild(B)
    assert servers.kept_guilds() == [(A, True), (B, True)]
    await servers.for_guild(A)  # A is now the most recently used
    await servers.for_guild(C)
    assert servers.kept_guilds() == [(A, True), (C, True)]
    assert servers.kept_bytes <= servers.budget_bytes
    await servers.for_guild(B)  # evicted: read and built again
    assert store.reads == [A, B, C, B]
    assert servers.kept_guilds() == [(C, True), (B, True)]


async def test_a_library_larger_than_the_whole_budget_answers_but_is_not_kept(caplog) -> None:
    servers, store, _ = libraries(budget_bytes=5_000)
    store.articles[A] = club_articles(A, 5)
    with caplog.at_level(logging.WARNING, logger="bot.libraries"):
        first = await servers.for_guild(A)
    assert "exceeds the whole budget (QA_SERVER_INDEX_BUDGET_MB); not kept" in caplog.text
    assert first.base is servers.holder.library and servers.kept_guilds() == [] and servers.kept_bytes == 0
    await servers.for_guild(A)
    assert store.reads == [A, A]


def test_the_budget_is_read_from_the_environment() -> None:
    assert Settings.from_env({}, dotenv_path=None).server_index_budget_mb == 256
    assert Settings.from_env({"QA_SERVER_INDEX_BUDGET_MB": "64.5"}, dotenv_path=None).server_index_budget_mb == 64.5
    for bad in ("0", "-3", "lots", "inf"):
        with pytest.raises(SettingsError, match="QA_SERVER_INDEX_BUDGET_MB"):
            Settings.from_env({"QA_SERVER_INDEX_BUDGET_MB": bad}, dotenv_path=None)
