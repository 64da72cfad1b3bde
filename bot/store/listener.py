"""Hearing every process's changes: a dedicated PostgreSQL connection that LISTENs, or (SQLite, one
process) the store's own writes told after their commit — the same subscription either way.

The PostgreSQL listener is a plain asyncpg connection, not one of the pool's: a pooled connection
is handed to other work and reset, which would drop the LISTEN. Notifications sent while it is
disconnected are lost for it, so every (re)connection calls `on_connected`, and the subscriber
re-reads the change log from the last version it saw (bot/changes.py). A silent connection is
probed every `probe_s`: asyncpg notices a server that went away only when it next talks to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg
from sqlalchemy.engine import URL

from bot.store import announce
from bot.store.records import Change

log = logging.getLogger(__name__)

OnChange = Callable[[Change], None]
OnConnected = Callable[[], None]

CONNECT_TIMEOUT_S = 5.0
PROBE_S = 5.0
FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0


class Subscription:
    """What `Store.listen` gives back: `connected` tells whether changes are being heard now."""

    connected: bool

    async def close(self) -> None: ...


class LocalSubscription(Subscription):
    def __init__(self, subscribers: list[OnChange], on_change: OnChange, on_connected: OnConnected) -> None:
        self._subscribers = subscribers
        self._on_change = on_change
        subscribers.append(on_change)
        self.connected = True
        on_connected()

    async def close(self) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(self._on_change)
        self.connected = False


class PostgresListener(Subscription):
    def __init__(
        self,
        url: URL,
        on_change: OnChange,
        on_connected: OnConnected,
        *,
        probe_s: float = PROBE_S,
        first_retry_s: float = FIRST_RETRY_S,
        max_retry_s: float = MAX_RETRY_S,
    ) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_change = on_change
        self._on_connected = on_connected
        self.probe_s = probe_s
        self.first_retry_s = first_retry_s
        self.max_retry_s = max_retry_s
        self.connected = False
        self.connections = 0  # how many times it (re)connected, for logs and tests
        self._task = asyncio.create_task(self._run(), name="store-listener")

    def _notified(self, _connection: object, _pid: int, _channel: str, text: str) -> None:
        change = announce.parse(text)
        if change is None:
            log.warning("ignored a notification that is not a change: %.100r", text)
            return
        self._on_change(change)

    async def _run(self) -> None:
        retry = self.first_retry_s
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT_S)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _c, lost=lost: lost.set())
                await connection.add_listener(announce.CHANNEL, self._notified)
                self.connected = True
                self.connections += 1
                if self.connections > 1:
                    log.info("change listener reconnected; catching up on what it missed")
                else:
                    log.info("change listener connected (LISTEN %s)", announce.CHANNEL)
                retry = self.first_retry_s
                self._on_connected()
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), self.probe_s)
                        break
                    await connection.fetchval("SELECT 1", timeout=self.probe_s)
                raise ConnectionError("the connection was closed")
            except asyncio.CancelledError:
                raise
            except Exception as error:  # every way a connection fails: the answer is to try again
                if self.connected or self.connections == 0:
                    log.warning("change listener: %s: %s; retrying with backoff", type(error).__name__, error)
            finally:
                self.connected = False
                if connection is not None:
                    connection.terminate()  # close() would wait on a server that may be gone
            await asyncio.sleep(retry)
            retry = min(retry * 2, self.max_retry_s)

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self.connected = False
