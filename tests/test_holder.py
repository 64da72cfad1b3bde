"""The library holder: reload reports, what a failed reload keeps, and what /corpus stats counts."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot import holder as holder_module
from bot.holder import LibraryHolder
from retrieval.answering.library import CorpusPathError, EmptyCorpusError

STORM = "Storm hits the coast\n\nA storm hit the coast on Monday, officials said.\n\nPower was cut to homes.\n"
QUAKE = "Quake shakes the city\n\nAn earthquake shook the city at dawn, damaging old buildings.\n"


@pytest.fixture
def folder(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "storm.txt").write_text(STORM)
    return corpus


async def test_nothing_is_served_before_the_first_load(folder):
    holder = LibraryHolder(folder)
    assert not holder.loaded and holder.median_answer_seconds() is None
    with pytest.raises(RuntimeError, match="not loaded yet"):
        holder.library  # noqa: B018


async def test_the_first_load_reports_every_article_as_added(folder):
    (folder / "empty.txt").write_text("")
    holder = LibraryHolder(folder)
    report = await holder.load()
    assert holder.loaded and holder.corpus_dir == folder
    assert (report.articles, report.passages) == (1, 2)
    assert report.change.added == ("storm",) and report.change.removed == report.change.changed == ()
    assert report.problems == ("empty.txt: empty file",) and report.seconds >= 0


async def test_a_reload_reports_changes_and_a_failed_one_keeps_the_old_library(folder):
    holder = LibraryHolder(folder)
    await holder.load()
    first = holder.library
    (folder / "quake.txt").write_text(QUAKE)
    (folder / "storm.txt").write_text(STORM.replace("Monday", "Tuesday"))
    report = await holder.load()
    assert (report.change.added, report.change.changed, report.change.removed) == (("quake",), ("storm",), ())
    assert holder.library is not first
    second = holder.library
    for path in folder.iterdir():
        path.unlink()
    with pytest.raises(EmptyCorpusError):
        await holder.load()
    assert holder.library is second
    folder.rmdir()
    with pytest.raises(CorpusPathError, match="does not exist"):
        await holder.load()
    assert holder.library is second


async def test_questions_are_counted_once_each_pages_and_retries_not(folder):
    holder = LibraryHolder(folder)
    await holder.load()
    answer = await holder.answer("Did the storm hit the coast?", 3)
    assert answer.confident and (holder.questions, holder.no_match) == (1, 0)
    await holder.answer("banana bread recipe?", 3)
    assert (holder.questions, holder.no_match) == (2, 1)
    await holder.answer("Did the storm hit the coast?", 3, 3)  # "More passages": the same question
    assert (holder.questions, holder.no_match) == (2, 1)
    retry = await holder.answer("banana bread?", 3, counted=False)
    assert (holder.questions, holder.no_match) == (2, 1)
    holder.count_question(retry)
    assert (holder.questions, holder.no_match) == (3, 2)
    assert holder.median_answer_seconds() > 0  # every call is timed, counted or not


async def test_an_answer_uses_the_library_of_the_moment_it_was_asked(folder):
    holder = LibraryHolder(folder)
    await holder.load()
    assert holder._idle.is_set()
    pending = asyncio.ensure_future(holder.answer("Did the storm hit the coast?", 3))
    await asyncio.sleep(0)
    assert not holder._idle.is_set() and holder._in_flight == 1
    await holder.drain(timeout=60)
    assert holder._idle.is_set() and holder._in_flight == 0
    assert (await pending).passages


async def test_drain_gives_up_after_its_timeout_and_says_so(folder, caplog):
    holder = LibraryHolder(folder)
    holder._in_flight = 2
    holder._idle.clear()
    with caplog.at_level(logging.WARNING):
        await holder.drain(timeout=0)
    assert "shutting down with 2 answers still in flight" in caplog.text


async def test_close_refuses_new_work(folder):
    holder = LibraryHolder(folder)
    await holder.load()
    holder.close()
    with pytest.raises(RuntimeError):
        await holder.answer("Did the storm hit the coast?", 3)


def test_only_long_builds_log_their_progress(caplog):
    with caplog.at_level(logging.INFO, logger="bot.holder"):
        holder_module._log_progress("analysing", 10, 49_999)
        assert caplog.records == []
        holder_module._log_progress("analysing", 25_000, 50_000)
    assert caplog.records[0].getMessage() == "corpus build: analysing 25000/50000 passages (50%)"
