"""A burst of questions from many members while a reload builds the new index: every question
gets a real answer from the old index, and the reload reports the new corpus.

Outcomes only (the machine is shared and noisy): bench/load.py runs 500 questions from 50
members against 100k passages and prints the timings.
"""

from __future__ import annotations

import asyncio
import threading

import bot.holder
from retrieval.answering.library import Library
from tests.e2e.conftest import bot_on
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.load import ask_many

QUESTIONS, VARIANTS = 120, 60


async def test_burst_of_questions_during_a_reload(tmp_path, monkeypatch):
    started, release = threading.Event(), threading.Event()

    class GatedLibrary(Library):
        """The reload's child has built the new index; opening it waits, in the worker thread,
        until half the questions have been answered: those answers can only have come from the
        old index."""

        @classmethod
        def load(cls, *args, **kwargs):
            started.set()
            release.wait(60)
            return Library.load(*args, **kwargs)

    corpus = tmp_path / "corpus"
    async with FakeDiscord() as fake, bot_on(fake, tmp_path) as env:
        paragraphs = env.bot.holder.library.corpus.articles[0].paragraphs
        for n in range(VARIANTS):
            body = "\n\n".join(f"Variant {n}: {p}" for p in paragraphs)
            (corpus / f"variant-{n:03d}.txt").write_text(f"Variant {n} of the seed\n\n{body}\n")
        monkeypatch.setattr(bot.holder, "Library", GatedLibrary)

        async def build_started() -> None:
            await fake.wait_for(started.is_set, 10, "the reload's build to start")

        async def release_at_half() -> None:
            answered = lambda: sum(bool(r.followups) for r in fake.interactions) >= QUESTIONS // 2  # noqa: E731
            await fake.wait_for(answered, 60, "half the answers")
            release.set()

        releasing = asyncio.create_task(release_at_half())
        try:
            report = await ask_many(
                fake, users=20, questions=QUESTIONS, reload_by=fake.owner, build_started=build_started
            )
        finally:
            release.set()
            await asyncio.gather(releasing, return_exceptions=True)
        assert len(env.bot.holder.library.corpus.articles) == 1 + VARIANTS
    print(*report.lines(), sep="\n")
    assert report.answered == QUESTIONS and report.apologies == 0
    assert report.answered_during_reload >= QUESTIONS // 2
    assert f"**{1 + VARIANTS}** articles" in report.reload_report
    assert f"+{VARIANTS} added" in report.reload_report
