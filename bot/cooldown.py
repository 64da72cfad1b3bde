"""A per-member pause between questions, shared by slash commands and mentions."""

from __future__ import annotations

import time
from collections.abc import Callable


class Cooldown:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """0 and the use is recorded, or the seconds the member must still wait."""
        if self.seconds <= 0:
            return 0.0
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        if len(self._last) > 10_000:  # forget members whose pause is long over
            self._last = {u: t for u, t in self._last.items() if now - t < self.seconds}
        self._last[user_id] = now
        return 0.0

    @staticmethod
    def message(seconds: float) -> str:
        return f"You're asking quickly: please wait {max(1, round(seconds))} s before your next question."
