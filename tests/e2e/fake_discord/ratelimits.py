"""Discord's rate limits: per-route buckets with X-RateLimit-* headers, and a global limit.

A bucket counts requests per route *and* top-level resource (the channel, guild or webhook in
the path), as Discord does; every answer on a limited route says how much is left
(X-RateLimit-Limit / Remaining / Reset / Reset-After / Bucket), so a client that reads the
headers never gets a 429. Exceeding a bucket gives a 429 with X-RateLimit-Scope "user";
exceeding the global limit one with X-RateLimit-Global and scope "global". Interaction
endpoints (callbacks and their webhooks) are not bound to the global limit.

Limits are off until a test sets them: the real figures would only slow the suite down.
Windows run on real time, because the client under test waits in real time.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass, field

_MAJOR = re.compile(r"^/(?:channels|guilds)/(\d+)|^/webhooks/(\d+/[^/]+)")
_INTERACTION = re.compile(r"^/(interactions|webhooks)/")


@dataclass
class _Window:
    resets_at: float
    used: int = 0


@dataclass
class _Bucket:
    method: str
    pattern: re.Pattern[str]
    limit: int
    per: float
    name: str
    windows: dict[str, _Window] = field(default_factory=dict)


@dataclass
class Verdict:
    """What the limiter says about one request: headers to add and, if refused, the 429."""

    headers: dict[str, str]
    refused: dict | None = None  # the 429 body
    scope: str | None = None


def _take(window: _Window | None, limit: int, per: float, now: float) -> tuple[_Window, bool]:
    if window is None or now >= window.resets_at:
        window = _Window(now + per)
    allowed = window.used < limit
    if allowed:
        window.used += 1
    return window, allowed


def _rejection(retry_after: float, *, is_global: bool) -> dict:
    return {"message": "You are being rate limited.", "retry_after": round(retry_after, 3), "global": is_global}


class RateLimits:
    def __init__(self) -> None:
        self._buckets: list[_Bucket] = []
        self._global: tuple[int, float] | None = None
        self._global_window: _Window | None = None

    def limit_route(self, method: str, path: str, *, limit: int, per: float) -> None:
        name = hashlib.sha1(f"{method} {path}".encode()).hexdigest()[:16]
        self._buckets.append(_Bucket(method.upper(), re.compile(path), limit, per, name))

    def limit_globally(self, *, limit: int, per: float) -> None:
        self._global = (limit, per)
        self._global_window = None

    def check(self, method: str, path: str) -> Verdict:
        now = time.monotonic()
        if self._global is not None and not _INTERACTION.match(path):
            limit, per = self._global
            self._global_window, allowed = _take(self._global_window, limit, per, now)
            if not allowed:
                retry = self._global_window.resets_at - now
                headers = {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global", **_retry_headers(retry)}
                return Verdict(headers, _rejection(retry, is_global=True), "global")
        bucket = next((b for b in self._buckets if b.method == method and b.pattern.fullmatch(path)), None)
        if bucket is None:
            return Verdict({})
        major = _MAJOR.match(path)
        key = next((g for g in major.groups() if g), "") if major else ""
        window, allowed = _take(bucket.windows.get(key), bucket.limit, bucket.per, now)
        bucket.windows[key] = window
        reset_after = max(window.resets_at - now, 0.0)
        headers = {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(bucket.limit - window.used),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket.name,
        }
        if allowed:
            return Verdict(headers)
        headers.update({"X-RateLimit-Scope": "user", **_retry_headers(reset_after)})
        return Verdict(headers, _rejection(reset_after, is_global=False), "user")


def _retry_headers(retry_after: float) -> dict[str, str]:
    # discord.py retries a 429 only when it carries Via (otherwise it assumes a Cloudflare ban).
    return {"Retry-After": str(math.ceil(retry_after)), "Via": "1.1 google"}
