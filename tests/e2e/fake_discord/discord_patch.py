"""Pointing the real discord.py at the fake (and back).

discord.py reads `Route.BASE` when each request is built and
`DiscordWebSocket.DEFAULT_GATEWAY` at each fresh (non-resume) connect, so
swapping the class attributes is enough; `Asset.BASE` is swapped too so an
avatar fetch cannot leave 127.0.0.1.

Transport compression is picked by discord.py at import time: zstd-stream if
the `zstandard` package is importable, else zlib-stream. To exercise the
other mode in the same process, the decompression context class is swapped.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import discord.asset
import discord.gateway
import discord.http
import discord.utils
import yarl


def discord_compression() -> str:
    """The transport compression this discord.py asks for by default."""
    return discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE


@functools.cache
def _discords_own_zlib_context() -> type:
    """discord.py's zlib-stream decompressor, even when it chose zstd at import.

    A private copy of discord/utils.py is executed with the zstd modules
    hidden, so the class under test is discord.py's own code, not a stand-in.
    """
    spec = importlib.util.spec_from_file_location("discord._fake_discord_zlib_utils", discord.utils.__file__)
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(sys.modules, {"zstandard": None, "compression.zstd": None}):
        spec.loader.exec_module(module)
    return module._ZlibDecompressionContext


def _decompression_context(compression: str) -> type:
    active = discord.utils._ActiveDecompressionContext
    if active.COMPRESSION_TYPE == compression:
        return active
    if compression == "zlib-stream":
        return _discords_own_zlib_context()
    raise RuntimeError(f"this discord.py cannot do {compression}: it needs the 'zstandard' package")


@contextmanager
def pointed_at(api_url: str, gateway_url: str, cdn_url: str, *, compression: str | None = None) -> Iterator[None]:
    """Point discord.py at the given URLs; compression=None keeps discord.py's own choice."""
    saved = (
        discord.http.Route.BASE,
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
        discord.asset.Asset.BASE,
        discord.utils._ActiveDecompressionContext,
    )
    context = saved[3] if compression is None else _decompression_context(compression)
    discord.http.Route.BASE = api_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    discord.asset.Asset.BASE = cdn_url
    discord.utils._ActiveDecompressionContext = context
    try:
        yield
    finally:
        (
            discord.http.Route.BASE,
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
            discord.asset.Asset.BASE,
            discord.utils._ActiveDecompressionContext,
        ) = saved
