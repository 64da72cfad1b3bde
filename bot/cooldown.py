"""A per-member pause between questions, shared by slash commands and mentions.

A server may set its own pause (/settings cooldown); a member's pause in one server does not hold
them back in another, and a changed pause applies at once to members already waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable

MAX_COOLDOWN_S = 3600.0  # the longest pause /settings accepts


class Cooldown:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[tuple[int | None, int], float] = {}
        self._longest = seconds  # the longest pause asked for so far: older uses hold nobody back

    def retry_after(self, user_id: int, *, guild_id: int | None = None, seconds: float | None = None) -> float:
        """0 and the use is recorded, or the seconds the member must still wait in this guild
        (None: direct messages); `seconds` is the guild's own pause, None for the bot's."""
        pause = self.seconds if seconds is None else min(seconds, MAX_COOLDOWN_S)
        self._longest = max(self._longest, pause)
        if pause <= 0:
            return 0.0
        now = self._clock()
        key = (guild_id, user_id)
        last = self._last.get(key)
        if last is not None and now - last < pause:
            return pause - (now - last)
        if len(self._last) > 10_000:  # forget members whose pause is long over, whatever their server's
            self._last = {u: t for u, t in self._last.items() if now - t < self._longest}
        self._last[key] = now
        return 0.0

    @staticmethod
    def message(seconds: float) -> str:
        return f"You're asking quickly: please wait {max(1, round(seconds))} s before your next question."
