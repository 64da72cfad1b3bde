"""The fake's sense of time: monotonic, plus whatever a test skips ahead.

Deadlines Discord enforces (3 s to acknowledge an interaction, 15 minutes for its
token) read this clock, so a test can jump past them instead of sleeping.
"""

from __future__ import annotations

import time


class Clock:
    def __init__(self) -> None:
        self._skipped = 0.0

    def now(self) -> float:
        return time.monotonic() + self._skipped

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._skipped += seconds
