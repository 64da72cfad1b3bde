"""Gateway transport compression, as selected by the `compress` query parameter.

Both stream modes keep ONE compressor for the whole connection and flush it
after every message, so each websocket frame is decodable only with the
context of all earlier frames — exactly what discord.py's decompressors
(utils._ZlibDecompressionContext / _ZstdDecompressionContext) expect.
"""

from __future__ import annotations

import zlib

try:
    import zstandard
except ImportError:  # optional: discord.py only asks for zstd-stream when it is installed
    zstandard = None


def zstd_available() -> bool:
    return zstandard is not None


class PlainJson:
    """No transport compression: text frames."""

    name = None
    binary = False

    def encode(self, data: bytes) -> bytes:
        return data


class ZlibStream:
    """zlib-stream: Z_SYNC_FLUSH after each message, so every frame ends in 00 00 ff ff."""

    name = "zlib-stream"
    binary = True

    def __init__(self) -> None:
        self._compressor = zlib.compressobj()

    def encode(self, data: bytes) -> bytes:
        return self._compressor.compress(data) + self._compressor.flush(zlib.Z_SYNC_FLUSH)


class ZstdStream:
    """zstd-stream: one never-ending frame, block-flushed after each message."""

    name = "zstd-stream"
    binary = True

    def __init__(self) -> None:
        self._compressor = zstandard.ZstdCompressor().compressobj()

    def encode(self, data: bytes) -> bytes:
        return self._compressor.compress(data) + self._compressor.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


def encoder_for(compress: str | None) -> PlainJson | ZlibStream | ZstdStream:
    """The encoder for a `compress` query value; ValueError if the fake cannot do it."""
    if compress is None:
        return PlainJson()
    if compress == "zlib-stream":
        return ZlibStream()
    if compress == "zstd-stream":
        if zstandard is None:
            raise ValueError("zstd-stream needs the 'zstandard' package, which is not installed")
        return ZstdStream()
    raise ValueError(f"unsupported compress={compress!r}")
