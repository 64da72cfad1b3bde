"""Recording REST requests, and injected REST failures."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .responses import json_response


@dataclass
class RecordedRequest:
    method: str
    path: str  # relative to the API base, e.g. "/channels/123/messages"
    query: dict[str, str]
    json: Any  # the JSON body, or payload_json of a multipart body; None if neither
    files: list[tuple[str, bytes]]  # (filename, content) of uploaded files
    status: int = 0  # filled in once answered
    at: float = 0.0  # time.monotonic() when received
    rate_limit_scope: str | None = None  # "user" or "global" when the fake's rate limits refused it


@dataclass
class FaultRule:
    method: str
    pattern: re.Pattern[str]
    status: int | None  # None: no error, the request is only held up by `delay`
    remaining: int
    retry_after: float
    body: dict[str, Any] | None = field(default=None)
    delay: float = 0.0  # seconds the request spends "in transit" before Discord sees it

    def matches(self, method: str, path: str) -> bool:
        return self.remaining > 0 and method == self.method and self.pattern.fullmatch(path) is not None

    def response(self) -> web.Response:
        if self.status == 429:
            # discord.py retries a 429 only if it carries `Via` (otherwise it
            # assumes a Cloudflare ban and raises) and a JSON `retry_after`.
            body = self.body or {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": False,
            }
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(math.ceil(self.retry_after)),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": str(self.retry_after),
                "X-RateLimit-Scope": "user",
            }
            return json_response(body, status=429, headers=headers)
        body = self.body or {"message": f"{self.status}: injected by fake_discord", "code": 0}
        return json_response(body, status=self.status)


class FaultPlan:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(
        self,
        method: str,
        path: str,
        *,
        status: int | None,
        times: int,
        retry_after: float = 0.0,
        body: dict[str, Any] | None = None,
        delay: float = 0.0,
    ) -> None:
        self.rules.append(FaultRule(method.upper(), re.compile(path), status, times, retry_after, body, delay))

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first armed rule for this request, used up by one."""
        for rule in self.rules:
            if rule.matches(method, path):
                rule.remaining -= 1
                return rule
        return None
