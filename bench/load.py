"""The bot under load through the loopback Discord server, and a reload that must not freeze it.

    .venv/bin/python bench/load.py [--passages 100000] [--users 50] [--questions 500]

Phase 0: a first burst on the seed, no reload: the first questions a process answers are slow
to acknowledge (cold code paths; 1.7-2.2 s for the slowest), which phase 1 would otherwise
mistake for the reload's doing.
Phase 1: the bot starts on the seed; a moderator adds a corpus of N passages (real news text,
topped up with recombined real sentences: bench/corpus.py) and runs /corpus reload; once it is
acknowledged, --users members ask --questions questions at once, so they arrive during the build.
Printed: real answers (passages or "nothing"; an apology is not an answer) and how many of them
arrived before the reload's report, the report itself, the slowest acknowledgement, p50/p95
answer time, the event loop's largest stall (a probe coroutine's oversleep) and the largest gap
between heartbeats the server saw (the interval is 1 s).
Phase 2: the same burst against the N-passage corpus once it is loaded.
A benchmark prints figures; it never fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import build_corpus  # noqa: E402
from tests.e2e.conftest import bot_on  # noqa: E402
from tests.e2e.fake_discord import FakeDiscord  # noqa: E402
from tests.e2e.load import ask_many  # noqa: E402


def write_corpus(folder: Path, size: int) -> int:
    corpus = build_corpus(size)
    with (folder / "archive.jsonl").open("w", encoding="utf-8") as out:
        for i, text in enumerate(corpus.passages):
            out.write(json.dumps({"id": f"b{i}", "title": f"Bench article {i}", "text": text}) + "\n")
    return corpus.n_real


def heartbeat_gap(fake: FakeDiscord, since: float) -> float:
    beats = [t for t in fake.heartbeats if t >= since]
    return max((b - a for a, b in zip(beats, beats[1:], strict=False)), default=0.0)


async def main(passages: int, users: int, questions: int) -> None:
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        async with FakeDiscord() as fake, bot_on(fake, work) as env:
            started = time.perf_counter()
            n_real = write_corpus(env.corpus_dir, passages)
            print(
                f"corpus: {passages:,} passages ({n_real:,} real, the rest recombined real sentences), "
                f"written in {time.perf_counter() - started:.1f} s"
            )
            cold = await ask_many(fake, users, questions, timeout=600)
            print("\nphase 0 — first burst, on the seed, no reload:")
            print(*("  " + line for line in cold.lines()), sep="\n")
            since = time.monotonic()
            during = await ask_many(fake, users, questions, reload_by=fake.owner, timeout=600)
            print("\nphase 1 — burst during /corpus reload to the new corpus:")
            print(*("  " + line for line in during.lines()), sep="\n")
            print(f"  largest gap between heartbeats: {heartbeat_gap(fake, since):.2f} s (interval 1.00 s)")
            print(f"  passages now indexed: {len(env.bot.holder.library.corpus.passages):,}")
            after = await ask_many(fake, users, questions, timeout=600)
            print(f"\nphase 2 — burst at {len(env.bot.holder.library.corpus.passages):,} passages:")
            print(*("  " + line for line in after.lines()), sep="\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=500)
    options = parser.parse_args()
    asyncio.run(main(options.passages, options.users, options.questions))
