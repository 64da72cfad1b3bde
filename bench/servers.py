"""1,000 servers × 20 articles beside a 100k-passage base, in one process: memory and answer time.

    .venv/bin/python bench/servers.py [--passages 100000 --servers 1000 --articles 20 --budget-mb 0]

The base is bench/corpus.py's corpus (real news passages topped up with recombined sentences, one
article per passage, as bench/answer_speed.py). Each server's articles are BBC articles
(../shared/corpora/bbc_news.jsonl; server i takes 20 consecutive ones, so neighbours overlap little),
written to a real SQLite store (bot/store) as `/corpus add` writes them. The bot's own
ServerLibraries answers: a server's first question reads the store, parses and joins (cold); the
next ones find it kept (warm). `--budget-mb 0` keeps every server (to measure the size of each);
a positive budget is QA_SERVER_INDEX_BUDGET_MB (the bot's default is 256).

Prints, all measured in this run: RSS before and after warming every server and per warm server
(next to the footprint estimate the budget counts); answer p50/p95 over the same real questions
(XQuAD's and the seed's) for the base alone (the single-corpus figure) and a warm server, after
one untimed pass over the base and interleaved (so both find the base's attribution notes made,
as a running bot does), and for a cold server (its first question: store read, parse, join,
answer); and the time from an add (store
write + `changed` + the next question) to an answer citing the new article.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus import CORPORA_DIR, build_corpus, questions  # noqa: E402
from bot.database import Database  # noqa: E402
from bot.holder import LibraryHolder  # noqa: E402
from bot.libraries import ServerLibraries  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store.records import ServerArticle  # noqa: E402
from retrieval.answering.library import Library  # noqa: E402
from retrieval.corpus.articles import ArticleError, build_article  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(len(times) * 0.95) - 1)]


def percentiles(times: list[float]) -> str:
    p50 = sorted(times)[len(times) // 2]
    return f"p50 {1000 * p50:.1f} ms, p95 {1000 * p95(times):.1f} ms (n={len(times)})"


def base_library(passages: int) -> Library:
    articles = []
    for i, text in enumerate(build_corpus(passages).passages):
        try:
            articles.append(build_article(f"b{i}", text, {"title": f"Bench article {i}"}, title_in_body=False))
        except ArticleError:  # a passage that is only boilerplate is not an article
            continue
    library = Library.from_articles(articles)
    gc.freeze()  # as Library.load does after a build: later collections skip the base
    return library


def bbc_files() -> list[bytes]:
    """Each BBC article as the file a moderator would upload: front matter, title line, body."""
    files = []
    with (CORPORA_DIR / "bbc_news.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            title = (record.get("title") or record["text"].strip().split("\n")[0])[:120]
            files.append(f"---\nsource: BBC\n---\n{title}\n\n{record['text']}\n".encode())
    return files


async def main_async(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    base = base_library(args.passages)
    print(
        f"base: {len(base.corpus.passages):,} passages built in {time.perf_counter() - started:.0f} s; "
        f"RSS {rss_mb():.0f} MB",
        flush=True,
    )
    asked = questions()[: args.questions]
    rng = random.Random(0)
    for question in asked:  # untimed: numba, and the attribution of the articles these questions show
        base.answer(question)

    files = bbc_files()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir))
        database = Database(settings)
        store = await database.get()
        now = datetime.now(UTC)
        for server in range(args.servers):
            for j in range(args.articles):
                content = files[(server * args.articles + j) % len(files)]
                article_id = f"s{server}-a{j}"
                await store.add_article(ServerArticle(server + 1, article_id, f"{article_id}.txt", content, 1, now))
        holder = LibraryHolder(".")
        holder._library = base  # noqa: SLF001 — the holder serving this base, as after a load
        budget = int(args.budget_mb * 2**20) if args.budget_mb > 0 else 1 << 50
        servers = ServerLibraries(holder, database, budget)
        await servers.for_guild(args.servers + 1)  # a server without articles: the base's lazy lookups
        await servers.for_guild(1)  # and the first join builds the base's fuzzy vocabulary and digests
        servers.changed(1)
        gc.collect()
        before = rss_mb()
        cold = []
        for server in range(args.servers):
            question = asked[server % len(asked)]
            t = time.perf_counter()
            library = await servers.for_guild(server + 1)
            library.answer(question)
            cold.append(time.perf_counter() - t)
            if (server + 1) % 200 == 0:
                print(f"  {server + 1} servers warmed, RSS {rss_mb():.0f} MB", flush=True)
        gc.collect()
        after = rss_mb()
        kept = servers.kept_guilds()
        print(
            f"RSS before warming {before:.0f} MB, after warming {args.servers} servers {after:.0f} MB: "
            f"{after - before:.0f} MB, {1024 * (after - before) / args.servers:.0f} KB per server warmed; "
            f"{len(kept)} kept, estimated {servers.kept_bytes / 2**20:.0f} MB "
            f"({servers.kept_bytes / max(1, len(kept)) / 1024:.0f} KB each)",
            flush=True,
        )

        warm_guilds = [g for g, _ in kept[-min(len(kept), 200) :]]  # the most recently used: still kept
        # The base joined with nothing: the same passages and answers, through the joined index's
        # code (which finds passages holding expanded terms from their postings, the base by a
        # membership test of every passage): the like-for-like single-corpus figure.
        same_path = base.joined([])
        single, single_joined_path, warm = [], [], []
        for i, question in enumerate(asked):  # the same questions, interleaved, in rotating order
            for which in [(0, 1, 2), (1, 2, 0), (2, 0, 1)][i % 3]:
                t = time.perf_counter()
                if which == 0:
                    base.answer(question)
                    single.append(time.perf_counter() - t)
                elif which == 1:
                    same_path.answer(question)
                    single_joined_path.append(time.perf_counter() - t)
                else:
                    library = await servers.for_guild(rng.choice(warm_guilds))
                    library.answer(question)
                    warm.append(time.perf_counter() - t)

        added = []
        cited = 0
        for trial in range(args.adds):
            guild = warm_guilds[trial % len(warm_guilds)]
            word = f"zorblat{trial}"
            body = f"The {word} festival opened on Saturday with a parade through the town centre."
            content = f"---\nsource: Club\n---\nThe {word} festival\n\n{body}\n".encode()
            t = time.perf_counter()
            await store.add_article(ServerArticle(guild, f"new{trial}", f"new{trial}.txt", content, 1, now))
            servers.changed(guild)
            library = await servers.for_guild(guild)
            answer = library.answer(f"When did the {word} festival open?")
            added.append(time.perf_counter() - t)
            cited += any(p.article.id == f"new{trial}" for p in answer.passages)
        await database.close()

    print(f"single corpus ({len(base.corpus.passages):,} passages): {percentiles(single)}")
    print(f"single corpus through the joined index's code (base.joined([])): {percentiles(single_joined_path)}")
    print(f"warm server (base + {args.articles} articles): {percentiles(warm)}")
    print(f"cold server, first question (store read, parse, join, answer): {percentiles(cold)}")
    print(
        f"warm p95 / single-corpus p95: {p95(warm) / p95(single):.2f}; "
        f"/ the single corpus through the same code: {p95(warm) / p95(single_joined_path):.2f}"
    )
    print(
        f"add (store write + changed + next question) to answerable: {percentiles(added)}, "
        f"max {1000 * max(added):.0f} ms; the new article cited {cited}/{len(added)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--adds", type=int, default=30)
    parser.add_argument("--budget-mb", type=float, default=0.0, help="0: keep every server")
    args = parser.parse_args(argv)
    if not (CORPORA_DIR / "bbc_news.jsonl").exists():
        sys.exit(f"bench: {CORPORA_DIR} is not available")
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
