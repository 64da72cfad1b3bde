"""Identify pacing: the local per-bucket wait (SQLite, one process) and the PostgreSQL bucket lock
that spaces identifies over every process (bot/identify.py, Store.take_identify_slot)."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.identify as identify
from bot.identify import IdentifyPacer
from bot.store import StoreError, open_store
from tests.pg import postgres_server  # noqa: F401  (the session's server fixture)


class FakeTime:
    """time.monotonic and asyncio.sleep for bot.identify: sleeping moves the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch) -> FakeTime:
    clock = FakeTime()
    monkeypatch.setattr(identify.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(identify.asyncio, "sleep", clock.sleep)
    return clock


async def test_locally_one_bucket_waits_out_the_window_and_another_bucket_does_not(fake_time):
    pacer = IdentifyPacer(interval_s=5.0, margin_s=0.5)
    await pacer.wait_for_slot(0, None, max_wait_s=60)
    assert fake_time.sleeps == []  # the first identify of a bucket goes at once
    fake_time.now += 2.0
    await pacer.wait_for_slot(0, None, max_wait_s=60)
    assert fake_time.sleeps == [3.5]  # 5 s + 0.5 s margin after the first, 2 s of it already gone
    await pacer.wait_for_slot(1, None, max_wait_s=60)
    assert fake_time.sleeps == [3.5]  # bucket 1 has its own window
    fake_time.now += 10.0
    await pacer.wait_for_slot(0, None, max_wait_s=60)
    assert fake_time.sleeps == [3.5]  # the window passed long ago


async def test_locally_the_wait_never_exceeds_the_bound(fake_time):
    pacer = IdentifyPacer(interval_s=100.0, margin_s=0.0)
    await pacer.wait_for_slot(0, None, max_wait_s=60)
    await pacer.wait_for_slot(0, None, max_wait_s=30)
    assert fake_time.sleeps == [30.0]


async def test_a_sqlite_store_does_not_pretend_to_coordinate_processes(tmp_path):
    store = await open_store("", tmp_path)
    try:
        with pytest.raises(StoreError):
            await store.take_identify_slot(0, 5.5, 1.0)
    finally:
        await store.close()


@pytest.mark.postgres
async def test_on_postgresql_a_bucket_is_held_across_stores_until_its_hold_ends(postgres_server):  # noqa: F811
    url = await postgres_server.emptied()
    first, second = await open_store(url, Path("unused")), await open_store(url, Path("unused"))
    try:
        assert await first.take_identify_slot(0, hold_s=60.0, max_wait_s=1.0) is True
        assert await second.take_identify_slot(0, hold_s=60.0, max_wait_s=0.3) is False  # another process holds it
        assert await second.take_identify_slot(1, hold_s=60.0, max_wait_s=0.3) is True  # bucket 1 is free
        await first.close()  # a process that stops (or dies) frees its bucket with its session
        assert await second.take_identify_slot(0, hold_s=0.1, max_wait_s=5.0) is True
        third = await open_store(url, Path("unused"))
        try:  # the 0.1 s hold ends by itself
            assert await third.take_identify_slot(0, hold_s=60.0, max_wait_s=10.0) is True
        finally:
            await third.close()
    finally:
        await second.close()
        await first.close()
