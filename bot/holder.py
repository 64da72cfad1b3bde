"""The bot's current `Library`: answers read it, a reload builds a new one and swaps it in.

A reload builds in a child process (bot/building.py) under a lock: a build in a thread of this
process held the GIL for seconds and starved the event loop. The child saves the corpus snapshot and
the index under the data dir; a worker thread then opens them (mmap'd, a fraction of a second) and
the new library is swapped in whole. The old library answers until then, and stays if the child
fails, is killed, or is stopped by shutdown. The first load, before the bot connects, has no
event loop to starve and builds in the worker thread itself: a child would only add its start-up.

Shutdown drains by task, not by answer: the task that asked for an answer (or a reload) is
the one that still has to send it to Discord, so `drain` waits for those tasks to end.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import tempfile
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bot.building import ChildBuild, ChildMain, build_and_save
from retrieval.answer import Answer
from retrieval.answering.library import CorpusChange, Library

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReloadReport:
    change: CorpusChange
    articles: int
    passages: int
    seconds: float
    problems: tuple[str, ...]


def _log_progress(stage: str, done: int, total: int) -> None:
    """Long builds say how far they are; small ones (one call per stage) stay quiet."""
    if total >= 50_000:
        log.info("corpus build: %s %d/%d passages (%.0f%%)", stage, done, total, 100 * done / total)


class LibraryHolder:
    def __init__(self, corpus_dir: Path, data_dir: Path | None = None) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.data_dir = data_dir
        self._library: Library | None = None
        self._lock = asyncio.Lock()
        self._questions: dict[int | None, int] = {}  # guild id (None: direct messages) -> questions
        self._no_match: dict[int | None, int] = {}
        self._answer_seconds: deque[float] = deque(maxlen=1000)
        # Answering is CPU work under the GIL (0.3 ms at 100k passages): one thread, because more
        # only take turns with the event loop. Measured with bench/load.py during a reload: the
        # loop's worst stall went from 0.12-0.53 s with two answer threads to 0.09-0.26 s with one.
        # Reloads get a thread of their own.
        self._answering = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")
        self._building = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reload")
        # Tasks that asked for work and have yet to reply, with what they are delivering.
        self._delivering: dict[asyncio.Task, str] = {}
        self._child_main: ChildMain = build_and_save  # what the child runs; tests make it fail
        self._child: ChildBuild | None = None
        self._private_dir: tempfile.TemporaryDirectory | None = None  # the child's output without a data dir
        self._closed = False

    @property
    def library(self) -> Library:
        if self._library is None:
            raise RuntimeError("the corpus is not loaded yet")
        return self._library

    @property
    def loaded(self) -> bool:
        return self._library is not None

    async def load(self) -> ReloadReport:
        """(Re)build from the corpus folder; raises if nothing usable, keeping the old library."""
        if self.loaded:  # the first load runs in the start-up task, which only ends at shutdown
            self.track_caller("a reload report")
        async with self._lock:
            started = time.perf_counter()
            old = self._library
            if old is None:
                new, change = await asyncio.get_running_loop().run_in_executor(self._building, self._build, old)
            else:
                new, change = await self._rebuild(old)
            self._library = new  # one assignment: answers see the old library or the new, never a mix
            report = ReloadReport(
                change,
                len(new.corpus.articles),
                len(new.corpus.passages),
                time.perf_counter() - started,
                tuple(str(p) for p in new.problems),
            )
        log.info(
            "corpus loaded: %d articles, %d passages in %.2fs (+%d -%d ~%d), %d problems",
            report.articles,
            report.passages,
            report.seconds,
            len(change.added),
            len(change.removed),
            len(change.changed),
            len(report.problems),
        )
        return report

    def _build(self, old: Library | None) -> tuple[Library, CorpusChange]:
        new = Library.load(self.corpus_dir, data_dir=self.data_dir, progress=_log_progress)
        change = new.changes_since(old) if old else CorpusChange(tuple(a.id for a in new.corpus.articles), (), ())
        return new, change

    async def _rebuild(self, old: Library) -> tuple[Library, CorpusChange]:
        if self._closed:
            raise RuntimeError("cannot reload after shutdown")
        build_dir = self._build_dir()
        self._child = ChildBuild(self.corpus_dir, build_dir, self._child_main)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._building, self._open_built, old, build_dir)
        finally:
            self._child = None

    def _open_built(self, old: Library, build_dir: Path) -> tuple[Library, CorpusChange]:
        """Wait for the child's build, then open what it saved. Were the corpus edited in between,
        the snapshot no longer matches and this load builds again, here: correct, only slower."""
        assert self._child is not None
        self._child.run(progress=lambda stage, done, total: _log_progress(stage, done, total))
        new = Library.load(self.corpus_dir, data_dir=build_dir, progress=_log_progress)
        return new, new.changes_since(old)

    def _build_dir(self) -> Path:
        if self.data_dir is not None:
            return Path(self.data_dir)
        if self._private_dir is None:
            self._private_dir = tempfile.TemporaryDirectory(prefix="qa-build-", ignore_cleanup_errors=True)
        return Path(self._private_dir.name)

    async def answer(
        self,
        question: str,
        k: int,
        offset: int = 0,
        *,
        counted: bool = True,
        library: Library | None = None,
        guild_id: int | None = None,
    ) -> Answer:
        """Answer from `library` (default: the base) in a worker thread, counting what /corpus stats
        reports for `guild_id`. A page after the first is not a new question; nor is an attempt the
        caller may redo (`counted=False`, then `count_question` with the answer shown)."""
        library = library or self.library  # the library at the time of asking, even if a reload swaps it
        self.track_caller("an answer" if offset == 0 else "more passages")
        started = time.perf_counter()
        answer = await asyncio.get_running_loop().run_in_executor(self._answering, library.answer, question, k, offset)
        self._answer_seconds.append(time.perf_counter() - started)
        if offset == 0 and counted:
            self.count_question(answer, guild_id)
        return answer

    def count_question(self, answer: Answer, guild_id: int | None = None) -> None:
        self._questions[guild_id] = self._questions.get(guild_id, 0) + 1
        # a related answer still showed passages
        self._no_match[guild_id] = self._no_match.get(guild_id, 0) + (answer.confidence == "none")

    def questions(self, guild_id: int | None) -> tuple[int, int]:
        """(questions asked, of which no match) in a guild (None: direct messages) since start."""
        return self._questions.get(guild_id, 0), self._no_match.get(guild_id, 0)

    def all_questions(self) -> tuple[int, int]:
        """(questions asked, of which no match) over every guild and direct messages: the owner's view."""
        return sum(self._questions.values()), sum(self._no_match.values())

    def track_caller(self, what: str) -> None:
        """Shutdown waits for the current task: it has work to deliver (`what`, for the log)."""
        task = asyncio.current_task()
        if task is not None and task not in self._delivering:
            self._delivering[task] = what
            task.add_done_callback(lambda done: self._delivering.pop(done, None))

    async def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for every task that asked for an answer or a reload to
        finish, reply sent included; cancel those still running then. Returns how many were dropped."""
        me = asyncio.current_task()
        deadline = asyncio.get_running_loop().time() + timeout
        while pending := self._delivering.keys() - {me}:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            await asyncio.wait(pending, timeout=remaining)  # work arriving meanwhile is waited for too
        dropped = sorted(self._delivering.keys() - {me}, key=lambda t: t.get_name())
        if dropped:
            log.warning(
                "shutdown: dropped %d replies not delivered within %.1f s: %s",
                len(dropped),
                timeout,
                ", ".join(f"{self._delivering[t]} ({t.get_name()})" for t in dropped),
            )
            for task in dropped:
                task.cancel()
            await asyncio.wait(dropped, timeout=1.0)
        return len(dropped)

    def close(self) -> None:
        """Stop taking work: queued answers and builds are cancelled, a reload's child process is
        terminated (its reload then fails, keeping the old library). A first load already running
        finishes in its thread (Python waits for worker threads before the process exits)."""
        self._closed = True
        self._answering.shutdown(wait=False, cancel_futures=True)
        self._building.shutdown(wait=False, cancel_futures=True)
        if self._child is not None:
            self._child.stop()

    def median_answer_seconds(self) -> float | None:
        return statistics.median(self._answer_seconds) if self._answer_seconds else None
