"""Closing the store at shutdown: an operation whose caller is cancelled (a shutdown stopping its
tasks) still runs to its end before the store closes, and the store refuses work after it. Otherwise
aiosqlite's worker thread finishes the abandoned statement after the event loop has closed and fails
there ("Event loop is closed", reported by pytest as PytestUnhandledThreadExceptionWarning).

The first runs its own event loop, so that it can see what the driver's threads do after it closed."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.database import Database
from bot.settings import Settings
from bot.store import ServerSettings, StoreUnavailable, open_store

A = 111111111111111111


def driver_threads() -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if getattr(getattr(thread, "_target", None), "__name__", "") == "_connection_worker_thread"
    ]


class HeldConnect:
    """sqlite3.connect, held once in the driver's thread until released: an operation caught while
    it opens its connection, as a shutdown can catch one."""

    def __init__(self, monkeypatch) -> None:
        self.real = sqlite3.connect
        self.entered, self.released = threading.Event(), threading.Event()
        self.armed = False
        monkeypatch.setattr(sqlite3, "connect", self)

    def __call__(self, *args, **kwargs):
        if self.armed:
            self.armed = False
            self.entered.set()
            self.released.wait(30)
        return self.real(*args, **kwargs)


async def a_read_cancelled_while_it_connects(data_dir: Path, held: HeldConnect, closing: threading.Event) -> str:
    """Cancel a read while its connection opens in the driver's thread, stop waiting for it as a
    shutdown does, close the store; how the read ended for its caller."""
    store = await open_store("", data_dir)
    held.armed = True
    read = asyncio.create_task(store.get_settings(A))
    await asyncio.to_thread(held.entered.wait, 30)
    read.cancel()
    ended = await asyncio.gather(read, return_exceptions=True)
    closing.set()
    await store.close()
    return type(ended[0]).__name__


def test_a_read_cancelled_at_shutdown_ends_in_its_driver_thread_before_the_loop_closes(tmp_path, monkeypatch):
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    held = HeldConnect(monkeypatch)
    closing = threading.Event()
    loop = asyncio.new_event_loop()

    def release_once_the_loop_is_closed() -> None:
        # Released when the loop has closed; a store that waits for its operation keeps the loop
        # open, and is released after 2 s instead (only the test's length depends on it).
        closing.wait(30)
        for _ in range(40):
            if loop.is_closed():
                break
            threading.Event().wait(0.05)
        held.released.set()

    releaser = threading.Thread(target=release_once_the_loop_is_closed)
    releaser.start()
    try:
        ended = loop.run_until_complete(a_read_cancelled_while_it_connects(tmp_path, held, closing))
    finally:
        loop.close()
        held.released.set()
        releaser.join(30)
    assert ended == "CancelledError"  # the caller stopped waiting...
    for thread in driver_threads():  # (only when the store did not wait: they end now, not in a later test)
        thread.join(30)
    assert failures == []  # ...and the read had ended in its driver thread while the loop still ran


async def test_a_closed_store_refuses_work_instead_of_opening_a_connection(tmp_path):
    others = set(driver_threads())  # another test's store may still be ending its own threads
    store = await open_store("", tmp_path)
    await store.set_settings(A, ServerSettings(strictness="strict"))
    await store.close()
    with pytest.raises(StoreUnavailable, match="the store is closed: get_settings refused"):
        await store.get_settings(A)
    own = [t for t in driver_threads() if t not in others]
    for thread in own:  # aiosqlite's thread ends just after its connection closed: on a busy machine, later
        thread.join(5)
    assert [t for t in own if t.is_alive()] == []
    reopened = await open_store("", tmp_path)  # nothing of the closed store holds the file
    try:
        assert await reopened.get_settings(A) == ServerSettings(strictness="strict")
    finally:
        await reopened.close()


async def test_a_closed_database_refuses_to_open_a_new_store_for_a_task_still_running(tmp_path):
    settings = Settings(data_dir=tmp_path)
    database = Database(settings)
    await database.open()
    await database.close()
    with pytest.raises(StoreUnavailable, match="the database is closed: the bot is stopping"):
        await database.get()  # a straggler at shutdown: before, a new store nobody would close
    assert database.store is None
    await database.open()  # an explicit open (a restart of the bot) opens it again
    try:
        assert (await database.get()).backend == "sqlite"
    finally:
        await database.close()
