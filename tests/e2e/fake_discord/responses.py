"""HTTP response helpers.

discord.py parses a body as JSON only when Content-Type is exactly
"application/json" (http.json_or_text compares the whole header), so the
header is set by hand: aiohttp's json_response would append "; charset=utf-8".
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

JSON = "application/json"


def dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=dumps(data), status=status, headers={**(headers or {}), "Content-Type": JSON})


def no_content() -> web.Response:
    # No body and deliberately no Content-Type: discord.py would try to parse
    # an empty "application/json" body and crash, and Discord sends none either.
    return web.Response(status=204)
