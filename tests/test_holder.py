"""The library holder: reload reports, what a failed reload keeps, and what /corpus stats counts."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time

import pytest

from bot import building
from bot import holder as holder_module
from bot.building import BuildFailedError
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
    assert answer.passages and holder.questions(None) == (1, 0)
    await holder.answer("banana bread recipe?", 3)
    assert holder.questions(None) == (2, 1)
    await holder.answer("Did the storm hit the coast?", 3, 3)  # "More passages": the same question
    assert holder.questions(None) == (2, 1)
    retry = await holder.answer("banana bread?", 3, counted=False)
    assert holder.questions(None) == (2, 1)
    holder.count_question(retry)
    assert holder.questions(None) == (3, 2)
    assert holder.median_answer_seconds() > 0  # every call is timed, counted or not


async def test_questions_are_counted_per_guild_and_direct_messages_apart(folder):
    holder = LibraryHolder(folder)
    await holder.load()
    await holder.answer("Did the storm hit the coast?", 3, guild_id=5)
    await holder.answer("banana bread recipe?", 3, guild_id=6)
    await holder.answer("Did the storm hit the coast?", 3, guild_id=5)
    await holder.answer("banana bread recipe?", 3)  # a direct message
    holder.count_question(await holder.answer("banana bread?", 3, counted=False, guild_id=6), 6)
    assert holder.questions(5) == (2, 0)
    assert holder.questions(6) == (2, 2)
    assert holder.questions(None) == (1, 1)
    assert holder.questions(7) == (0, 0)  # a guild that never asked


async def test_an_answer_uses_the_library_of_the_moment_it_was_asked(folder):
    holder = LibraryHolder(folder)
    await holder.load()
    assert not holder._delivering
    pending = asyncio.ensure_future(holder.answer("Did the storm hit the coast?", 3))
    await asyncio.sleep(0)
    assert list(holder._delivering.values()) == ["an answer"]
    assert await holder.drain(timeout=60) == 0
    assert pending.done() and (await pending).passages
    await asyncio.sleep(0)  # the done callback that forgets the task runs on the next turn
    assert not holder._delivering


async def test_drain_gives_up_after_its_timeout_says_what_it_drops_and_cancels_it(folder, monkeypatch, caplog):
    holder = LibraryHolder(folder)
    await holder.load()
    release = threading.Event()
    monkeypatch.setattr(holder.library, "answer", lambda *args: release.wait(30))
    stuck = asyncio.create_task(holder.answer("a", 3), name="ask-1")
    paging = asyncio.create_task(holder.answer("a", 3, 3), name="ask-2")
    for _ in range(3):
        await asyncio.sleep(0)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.holder"):
            assert await holder.drain(timeout=0) == 2
    finally:
        release.set()
    assert caplog.records[-1].getMessage() == (
        "shutdown: dropped 2 replies not delivered within 0.0 s: an answer (ask-1), more passages (ask-2)"
    )
    assert stuck.cancelled() and paging.cancelled()


async def test_close_refuses_new_work(folder):
    holder = LibraryHolder(folder)
    await holder.load()
    holder.close()
    with pytest.raises(RuntimeError):
        await holder.answer("Did the storm hit the coast?", 3)
    with pytest.raises(RuntimeError, match="^cannot reload after shutdown$"):  # before any child is started
        await holder.load()


def test_only_long_builds_log_their_progress(caplog):
    with caplog.at_level(logging.INFO, logger="bot.holder"):
        holder_module._log_progress("analysing", 10, 49_999)
        assert caplog.records == []
        holder_module._log_progress("analysing", 25_000, 50_000)
    assert caplog.records[0].getMessage() == "corpus build: analysing 25000/50000 passages (50%)"


# --- what the first mutation run showed untested -------------------------------------------------


class Clock:
    """perf_counter for the holder: each call moves on by `step` seconds."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 100.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


async def test_the_reload_report_and_log_line_say_what_was_built(folder, caplog, monkeypatch):
    holder = LibraryHolder(folder)
    monkeypatch.setattr(holder_module.time, "perf_counter", Clock(0.25))
    with caplog.at_level(logging.INFO, logger="bot.holder"):
        report = await holder.load()
    assert report.seconds == pytest.approx(0.25)
    assert caplog.records[-1].getMessage() == "corpus loaded: 1 articles, 2 passages in 0.25s (+1 -0 ~0), 0 problems"


async def test_answer_times_are_measured_per_answer_and_the_last_1000_kept(folder, monkeypatch):
    holder = LibraryHolder(folder)
    await holder.load()
    monkeypatch.setattr(holder_module.time, "perf_counter", Clock(0.125))
    await holder.answer("Did the storm hit the coast?", 3)
    assert holder.median_answer_seconds() == pytest.approx(0.125)
    holder._answer_seconds.extend([9.0] * 1000)
    assert len(holder._answer_seconds) == 1000 and holder.median_answer_seconds() == 9.0


async def test_a_later_page_is_the_next_passages(seed_library):
    holder = LibraryHolder(".")
    holder._library = seed_library
    first = await holder.answer("Did North Korea send arms?", 1)
    second = await holder.answer("Did North Korea send arms?", 1, 1)
    assert len(first.passages) == len(second.passages) == 1
    assert first.passages[0].id != second.passages[0].id


async def test_the_index_is_saved_in_the_data_dir_and_progress_reported(folder, tmp_path, monkeypatch):
    stages = []
    monkeypatch.setattr(holder_module, "_log_progress", lambda stage, done, total: stages.append(stage))
    holder = LibraryHolder(folder, tmp_path / "data")
    await holder.load()
    assert holder.data_dir == tmp_path / "data"
    assert sorted(p.suffix for p in (tmp_path / "data" / "index").iterdir()) == [".bm25", ".snapshot"]
    assert "analysing" in stages and "indexing" in stages


async def test_answers_and_builds_each_run_in_one_thread_of_their_own(folder, monkeypatch):
    holder = LibraryHolder(folder)
    threads = []
    real_load = holder_module.Library.load

    def load(*args, **kwargs):
        threads.append(("build", threading.current_thread().name))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(holder_module.Library, "load", load)
    await holder.load()
    library = holder.library
    release = threading.Event()

    def answer(question, k, offset):
        threads.append(("answer", threading.current_thread().name))
        release.wait(30)
        return library.answerer.answer(question, k=k, offset=offset)

    monkeypatch.setattr(library, "answer", answer)
    first = asyncio.ensure_future(holder.answer("Did the storm hit the coast?", 3))
    second = asyncio.ensure_future(holder.answer("Did the storm hit the coast?", 3))
    for _ in range(3):
        await asyncio.sleep(0)
    assert len(holder._delivering) == 2
    release.set()
    await asyncio.gather(first, second)
    assert threads == [("build", "reload_0"), ("answer", "answer_0"), ("answer", "answer_0")]


async def test_close_cancels_queued_answers_without_waiting(folder, monkeypatch):
    holder = LibraryHolder(folder)
    await holder.load()
    release = threading.Event()
    finished = threading.Event()

    def answer(*args):
        released = release.wait(10)
        finished.set()
        return released

    monkeypatch.setattr(holder.library, "answer", answer)
    running = asyncio.ensure_future(holder.answer("a", 3))
    queued = asyncio.ensure_future(holder.answer("b", 3))
    for _ in range(3):
        await asyncio.sleep(0)
    holder.close()  # returns at once: the running answer still holds the only thread
    assert not finished.is_set()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await queued
    with pytest.raises(AttributeError):  # the running one finished: its "answer" was a bool
        await running
    with pytest.raises(RuntimeError, match="after shutdown"):
        holder._building.submit(lambda: None)


def test_progress_is_logged_in_whole_percents(caplog):
    with caplog.at_level(logging.INFO, logger="bot.holder"):
        holder_module._log_progress("indexing", 20_000, 60_000)
    assert caplog.records[0].getMessage() == "corpus build: indexing 20000/60000 passages (33%)"


async def test_close_during_a_build_does_not_wait_for_it(folder, monkeypatch):
    holder = LibraryHolder(folder)
    release = threading.Event()
    real_load = holder_module.Library.load

    def slow_load(*args, **kwargs):
        release.wait(30)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(holder_module.Library, "load", slow_load)
    building = asyncio.ensure_future(holder.load())
    for _ in range(3):
        await asyncio.sleep(0)
    holder.close()  # the build keeps its thread; close does not wait for it
    assert not release.is_set()
    release.set()
    assert (await building).articles == 1


# --- a reload builds in a child process -----------------------------------------------------------
# The child is spawned: it imports what it runs, so these run-in-the-child functions live at module level.


def build_and_record_pid(corpus_dir, data_dir, messages):
    (data_dir / "builder.pid").write_text(str(os.getpid()))
    (data_dir / "builder.nice").write_text(str(os.nice(0)))
    building.build_and_save(corpus_dir, data_dir, messages)


def run_out_of_memory(corpus_dir, data_dir, messages):
    raise MemoryError("no room for the index")


def wait_to_be_killed(corpus_dir, data_dir, messages):
    (data_dir / "builder.pid").write_text(str(os.getpid()))
    time.sleep(60)


async def wait_for_file(path, seconds=30.0):
    for _ in range(int(seconds / 0.05)):
        if path.exists() and path.read_text():
            return int(path.read_text())
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


async def test_a_reload_builds_in_another_process_and_swaps_in_what_it_saved(folder, tmp_path):
    data = tmp_path / "data"
    holder = LibraryHolder(folder, data)
    await holder.load()
    first = holder.library
    holder._child_main = build_and_record_pid
    (folder / "quake.txt").write_text(QUAKE)
    report = await holder.load()
    builder = int((data / "builder.pid").read_text())
    assert builder != os.getpid()
    assert int((data / "builder.nice").read_text()) == min(os.nice(0) + 10, 19)  # answering comes first
    assert (report.articles, report.passages, report.change.added) == (2, 3, ("quake",))
    assert holder.library is not first and len(holder.library.corpus.articles) == 2
    answer = await holder.answer("Did an earthquake shake the city?", 3)
    assert answer.passages[0].article.id == "quake"


async def test_a_reload_without_a_data_dir_builds_in_a_private_folder(folder):
    holder = LibraryHolder(folder)
    await holder.load()
    (folder / "quake.txt").write_text(QUAKE)
    assert (await holder.load()).articles == 2
    assert sorted(p.suffix for p in (holder._build_dir() / "index").iterdir()) == [".bm25", ".snapshot"]
    assert holder._build_dir().name.startswith("qa-build-")  # what an operator finds in the temp folder


async def test_a_reload_passes_the_childs_progress_to_the_log(folder, tmp_path, monkeypatch):
    holder = LibraryHolder(folder, tmp_path / "data")
    await holder.load()
    stages = []
    monkeypatch.setattr(holder_module, "_log_progress", lambda stage, done, total: stages.append((stage, total)))
    (folder / "quake.txt").write_text(QUAKE)
    await holder.load()
    assert ("analysing", 3) in stages and ("indexing", 3) in stages


async def test_a_child_that_raises_leaves_the_old_library_and_says_why(folder, caplog):
    holder = LibraryHolder(folder)
    await holder.load()
    first = holder.library
    holder._child_main = run_out_of_memory
    with caplog.at_level(logging.ERROR, logger="bot.building"):
        with pytest.raises(BuildFailedError, match=r"^the build failed: MemoryError: no room for the index$"):
            await holder.load()
    assert holder.library is first
    assert "MemoryError: no room for the index" in caplog.records[-1].getMessage()  # the child's traceback
    assert "run_out_of_memory" in caplog.records[-1].getMessage()
    assert (await holder.answer("Did the storm hit the coast?", 3)).passages  # the old library still answers


async def test_a_killed_child_leaves_the_old_library_and_the_next_reload_works(folder, tmp_path):
    data = tmp_path / "data"
    holder = LibraryHolder(folder, data)
    await holder.load()
    first = holder.library
    holder._child_main = wait_to_be_killed
    reloading = asyncio.ensure_future(holder.load())
    os.kill(await wait_for_file(data / "builder.pid"), signal.SIGKILL)
    with pytest.raises(BuildFailedError, match=r"^the build process was killed by signal 9 before it finished$"):
        await asyncio.wait_for(reloading, 30)
    assert holder.library is first
    holder._child_main = building.build_and_save
    (folder / "quake.txt").write_text(QUAKE)
    assert (await asyncio.wait_for(holder.load(), 60)).articles == 2  # the reload lock was released


async def test_close_terminates_a_reloads_child_and_the_reload_fails(folder, tmp_path):
    data = tmp_path / "data"
    holder = LibraryHolder(folder, data)
    await holder.load()
    first = holder.library
    holder._child_main = wait_to_be_killed
    reloading = asyncio.ensure_future(holder.load())
    pid = await wait_for_file(data / "builder.pid")
    holder.close()
    with pytest.raises(BuildFailedError, match=r"^the build was stopped \(the bot is shutting down\)$"):
        await asyncio.wait_for(reloading, 10)  # not the child's 60 s sleep
    assert holder.library is first
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(RuntimeError, match="after shutdown"):
        await holder.load()


async def test_a_reload_opens_what_the_child_saved_in_the_reload_thread_and_logs_its_progress(
    folder, tmp_path, monkeypatch
):
    data = tmp_path / "data"
    holder = LibraryHolder(folder, data)
    await holder.load()
    calls = []
    real_load = holder_module.Library.load

    def load(*args, **kwargs):
        calls.append((threading.current_thread().name, kwargs.get("data_dir"), kwargs.get("progress")))
        return real_load(*args, **kwargs)

    logged = []
    monkeypatch.setattr(holder_module.Library, "load", load)
    monkeypatch.setattr(holder_module, "_log_progress", lambda stage, done, total: logged.append((stage, done, total)))
    (folder / "quake.txt").write_text(QUAKE)
    assert (await holder.load()).articles == 2
    assert calls == [("reload_0", data, holder_module._log_progress)]  # opened, not rebuilt elsewhere
    assert ("indexing", 3, 3) in logged  # the child's own progress, passed on as it came
    holder.close()  # the reload's child is gone: nothing is left to stop


async def test_drain_called_by_a_task_that_has_work_to_deliver_does_not_wait_for_itself(folder):
    holder = LibraryHolder(folder)
    await holder.load()

    async def shutting_down_from_an_answer():
        holder.track_caller("an answer")
        return await holder.drain(timeout=5)

    assert await asyncio.wait_for(shutting_down_from_an_answer(), 10) == 0


async def test_drain_waits_within_its_timeout_for_work_that_ends(folder):
    holder = LibraryHolder(folder)
    await holder.load()
    done = asyncio.Event()

    async def delivering():
        holder.track_caller("an answer")
        await done.wait()

    task = asyncio.create_task(delivering())
    await asyncio.sleep(0)
    asyncio.get_running_loop().call_soon(done.set)
    assert await holder.drain(timeout=0.9) == 0  # however short the timeout, it is waited for
    assert task.done() and not task.cancelled()


async def test_drain_stops_waiting_at_its_timeout(folder, monkeypatch):
    holder = LibraryHolder(folder)
    await holder.load()
    release = threading.Event()
    monkeypatch.setattr(holder.library, "answer", lambda *args: release.wait(10))
    stuck = asyncio.create_task(holder.answer("a", 3))
    for _ in range(3):
        await asyncio.sleep(0)
    try:
        assert await holder.drain(timeout=0.2) == 1  # not the 10 s the answer would take
        assert not release.is_set()
    finally:
        release.set()
    assert stuck.cancelled()


async def test_drain_gives_cancelled_work_a_bounded_moment_to_end(folder):
    holder = LibraryHolder(folder)
    await holder.load()
    release = asyncio.Event()

    async def refusing_to_stop():
        holder.track_caller("an answer")
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue  # keeps going, as a reply stuck in a library call might

    stubborn = asyncio.create_task(refusing_to_stop())
    await asyncio.sleep(0)
    try:
        assert await asyncio.wait_for(holder.drain(timeout=0), 15) == 1
        assert not stubborn.done()
    finally:
        release.set()
        await stubborn


async def test_drain_names_a_reload_in_flight_once_however_often_it_asks(folder, monkeypatch, caplog):
    holder = LibraryHolder(folder)
    await holder.load()
    release = asyncio.Event()

    async def slow_rebuild(old):
        holder.track_caller("something else")  # a task is tracked once, under its first purpose
        await release.wait()
        return old, holder_module.CorpusChange((), (), ())

    monkeypatch.setattr(holder, "_rebuild", slow_rebuild)
    reloading = asyncio.create_task(holder.load(), name="reload-1")
    await asyncio.sleep(0)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.holder"):
            assert await holder.drain(timeout=0) == 1
    finally:
        release.set()
    assert caplog.records[-1].getMessage() == (
        "shutdown: dropped 1 replies not delivered within 0.0 s: a reload report (reload-1)"
    )
    assert reloading.cancelled()
