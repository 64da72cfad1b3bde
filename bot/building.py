"""A corpus build in a child process, so the bot's process keeps its GIL for the event loop.

Loading, cleaning, analysing and indexing a big corpus is seconds of pure-Python work; in a thread
of the bot's process it held the GIL long enough to miss Discord's 3 s acknowledgement and the
gateway heartbeat (bench/load.py). The child does that work and saves the corpus snapshot and the
index under the data dir; the bot then opens them (a fraction of a second: the index is mmap'd)
and swaps the result in. Only small messages cross the process boundary: progress lines, then
"done" or the error.

The child is started with "spawn": forking a process that runs an asyncio loop and threads copies
their locks in whatever state they happen to be.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import queue
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retrieval.answering.library import CorpusPathError, Library
from retrieval.ranking.index import Progress

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")
_POLL_S = 0.25  # how often the waiting thread checks that the child is still alive
# The build is background work and answers are not: where the two compete for a core, the
# scheduler should favour the bot's process. The reload takes longer; members wait less.
CHILD_NICENESS = 10


class BuildFailedError(CorpusPathError):
    """The child ended without a usable result: it crashed, was killed or raised something
    unexpected. A CorpusPathError, as the reload's reply tells the moderator what went wrong and
    that the previous corpus keeps answering."""


ChildMain = Callable[[Path, Path, Any], None]


def build_and_save(corpus_dir: Path, data_dir: Path, messages: Any) -> None:
    """The child's work: build the library, which saves its snapshot and index under `data_dir`."""

    def progress(stage: str, done: int, total: int) -> None:
        messages.put(("progress", stage, done, total))

    Library.load(corpus_dir, data_dir=data_dir, progress=progress)


def _child(main: ChildMain, corpus_dir: Path, data_dir: Path, messages: Any) -> None:
    os.nice(CHILD_NICENESS)
    try:
        main(corpus_dir, data_dir, messages)
    except BaseException as error:  # noqa: BLE001 - everything must reach the parent, not only Exceptions
        try:
            payload = pickle.dumps(error)
        except Exception:  # noqa: BLE001 - an exception that does not pickle still gets its text across
            payload = None
        messages.put(("error", payload, f"{type(error).__name__}: {error}", traceback.format_exc()))
    else:
        messages.put(("done",))
    messages.close()
    messages.join_thread()  # the last message is written before the process ends


class ChildBuild:
    """One build in one child process; `run` blocks (in a worker thread) until it is over."""

    def __init__(self, corpus_dir: Path, data_dir: Path, main: ChildMain = build_and_save) -> None:
        self._args = (main, Path(corpus_dir), Path(data_dir))
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._stopped = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def run(self, progress: Progress | None = None) -> None:
        """Build in the child, passing its progress on; raise what it raised (a CorpusPathError as
        is, anything else as BuildFailedError) or BuildFailedError if it ends without a word."""
        messages = _CONTEXT.Queue()
        with self._lock:
            if self._stopped:
                raise BuildFailedError("the build was stopped before it started (the bot is shutting down)")
            self._process = _CONTEXT.Process(
                target=_child, args=(*self._args, messages), name="corpus-build", daemon=True
            )
            self._process.start()
        process = self._process
        try:
            while True:
                try:
                    message = messages.get(timeout=_POLL_S)
                except queue.Empty:
                    if process.is_alive():
                        continue
                    try:  # it may have put its last word just before ending
                        message = messages.get(timeout=_POLL_S)
                    except queue.Empty:
                        raise BuildFailedError(self._ended_without_result(process)) from None
                if message[0] == "progress":
                    if progress is not None:
                        progress(*message[1:])
                    continue
                if message[0] == "error":
                    _raise_child_error(*message[1:])
                return
        finally:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
            messages.close()

    def stop(self) -> None:
        """Terminate the child if it runs (shutdown); a build not yet started will not start."""
        with self._lock:
            self._stopped = True
            process = self._process
        if process is not None and process.is_alive():
            process.terminate()

    def _ended_without_result(self, process: multiprocessing.process.BaseProcess) -> str:
        process.join(timeout=1)
        code = process.exitcode
        if self._stopped:
            return "the build was stopped (the bot is shutting down)"
        how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
        return f"the build process {how} before it finished"


def _raise_child_error(payload: bytes | None, text: str, child_traceback: str) -> None:
    error = None
    if payload is not None:
        try:
            error = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - fall back to the text below
            error = None
    if isinstance(error, CorpusPathError):
        raise error
    log.error("corpus build failed in its child process:\n%s", child_traceback.rstrip())
    raise BuildFailedError(f"the build failed: {text}") from None
