"""Pacing gateway IDENTIFYs: Discord accepts one per bucket (`shard_id % max_concurrency`) every 5 s
for the whole application, whichever process sends it.

discord.py launches a process's shards one after another and ignores `max_concurrency`, and its
default hook only sleeps between its own shards, so processes starting together would break the
bucket rate. With PostgreSQL the bucket's slot is an advisory lock every process takes (bot/store);
with SQLite there is one process, and a local per-bucket wait does.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.store import Store, StoreError

log = logging.getLogger(__name__)

IDENTIFY_INTERVAL_S = 5.0  # Discord's window per bucket
# The identify goes out just after the hook returns; holding the slot a little longer keeps network
# jitter between two processes from bringing their identifies under the window.
SAFETY_MARGIN_S = 0.5


class IdentifyPacer:
    def __init__(self, interval_s: float = IDENTIFY_INTERVAL_S, margin_s: float = SAFETY_MARGIN_S) -> None:
        self.interval_s = interval_s
        self.margin_s = margin_s
        self._locks: dict[int, asyncio.Lock] = {}
        self._last: dict[int, float] = {}  # bucket -> time.monotonic() of this process's latest slot

    async def wait_for_slot(self, bucket: int, store: Store | None, max_wait_s: float) -> None:
        """Return when this process may IDENTIFY in `bucket`; never later than about `max_wait_s`."""
        hold_s = self.interval_s + self.margin_s
        if store is not None and store.backend == "postgresql":
            try:
                if await store.take_identify_slot(bucket, hold_s, max_wait_s):
                    return
                log.warning("identify bucket %d still busy after %.0f s; identifying anyway", bucket, max_wait_s)
                return
            except StoreError as error:  # the database is down: the local wait is the best left
                log.warning("identify coordination through the database failed (%s); pacing locally", error)
        await self._wait_locally(bucket, hold_s, max_wait_s)

    async def _wait_locally(self, bucket: int, hold_s: float, max_wait_s: float) -> None:
        lock = self._locks.setdefault(bucket, asyncio.Lock())
        async with lock:
            last = self._last.get(bucket)
            remaining = 0.0 if last is None else min(last + hold_s - time.monotonic(), max_wait_s)
            if remaining > 0:
                await asyncio.sleep(remaining)
            self._last[bucket] = time.monotonic()
