"""One 'something changed' signal that every waiting helper re-checks its condition on.

Simpler than a condition per kind of event, and it cannot miss a wake-up:
waiters evaluate their predicate before sleeping and after every change. They
also re-check every POLL_INTERVAL, because tests wait on things the fake does
not see change (the bot's own state, files it writes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
POLL_INTERVAL = 0.05


class Signal:
    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for(self, predicate: Callable[[], T], timeout: float, what: str) -> T:
        """Return the first truthy value of predicate(); TimeoutError naming `what` otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            waiter = loop.create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, min(remaining, POLL_INTERVAL))
            except TimeoutError:
                pass
            finally:
                self._waiters.discard(waiter)
