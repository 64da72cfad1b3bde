"""One-file storage of named numpy arrays plus JSON metadata, written atomically, read mmap'd.

Layout (little-endian):
    MAGIC (8 bytes) | header length (uint32) | CRC-32 of the header (uint32) | header (JSON, UTF-8)
    | each array's raw bytes, starting on a 64-byte boundary
The header holds the format version, the caller's key, the caller's metadata, and each array's
dtype, length, offset and CRC-32.

Why CRC-32 and not a cryptographic hash: the checks guard against accidents (a truncated copy,
a flipped or zeroed block), not against someone crafting a file, and `read` verifies every byte
before serving. zlib's CRC-32 runs at ~7 GB/s here against ~1.4 GB/s for blake2b (measured on
400 MB), which decides whether a million-passage index opens within its 0.5 s budget.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"SPBM25\x00\x00"
FORMAT_VERSION = 2  # 2: postings hold (tf, length) pairs, not weights (engine/pairs.py)
_PREFIX = struct.Struct("<8sII")  # magic, header length, header CRC-32
_ALIGN = 64
# Everything a damaged or foreign file can make reading raise; `read` turns these into None.
_BAD_FILE_ERRORS = (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, struct.error, OverflowError)


def write(path: Path, key: str, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Write atomically: a temp file in the same directory, fsync'd, then renamed over `path`."""
    path = Path(path)
    stored = {name: np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")) for name, a in arrays.items()}
    specs = []
    offset = 0  # relative to the end of the header, fixed up below once the header's size is known
    for name, values in stored.items():
        offset = _aligned(offset)
        specs.append(
            {
                "name": name,
                "dtype": values.dtype.str,
                "length": len(values),
                "offset": offset,
                "crc32": zlib.crc32(memoryview(values).cast("B")),
            }
        )
        offset += values.nbytes
    header, specs = _encode_header(key, meta, specs)
    tmp = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with tmp:
            os.fchmod(tmp.fileno(), 0o644)  # mkstemp's 0600 would hide the index from other users
            tmp.write(header)
            for spec, values in zip(specs, stored.values(), strict=True):
                tmp.write(b"\0" * (spec["offset"] - tmp.tell()))
                tmp.write(memoryview(values).cast("B"))
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)
    except BaseException:
        os.unlink(tmp.name)
        raise
    _fsync_directory(path.parent)  # make the rename itself survive a crash


def read(path: Path, key: str) -> tuple[dict[str, Any], dict[str, np.ndarray]] | None:
    """(meta, read-only arrays backed by a shared mmap), or None if the file is missing, not ours,
    of another format version, written under another key, truncated or corrupt."""
    try:
        with open(path, "rb") as file:
            if os.fstat(file.fileno()).st_size < _PREFIX.size:
                return None
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        magic, header_length, header_crc = _PREFIX.unpack_from(mapped)
        header_bytes = mapped[_PREFIX.size : _PREFIX.size + header_length]
        if magic != MAGIC or len(header_bytes) != header_length or zlib.crc32(header_bytes) != header_crc:
            return None
        header = json.loads(header_bytes)
        if header["format"] != FORMAT_VERSION or header["key"] != key:
            return None
        arrays: dict[str, np.ndarray] = {}
        end = _PREFIX.size + header_length
        for spec in header["arrays"]:
            dtype = np.dtype(spec["dtype"])
            length, offset = int(spec["length"]), int(spec["offset"])
            if length < 0 or offset < end or offset + length * dtype.itemsize > len(mapped):
                return None
            if mapped[end:offset] != bytes(offset - end):  # alignment padding: every byte is checked
                return None
            values = np.frombuffer(mapped, dtype=dtype, count=length, offset=offset)
            if zlib.crc32(memoryview(values).cast("B")) != spec["crc32"]:
                return None
            arrays[spec["name"]] = values
            end = offset + values.nbytes
        if end != len(mapped):  # trailing bytes: not a file this module wrote
            return None
        return header["meta"], arrays
    except _BAD_FILE_ERRORS:
        return None


def _encode_header(key: str, meta: dict[str, Any], specs: list[dict[str, Any]]) -> tuple[bytes, list[dict[str, Any]]]:
    """The encoded header and the specs with absolute offsets (given relative to the data start).

    The offsets depend on the header's length, which depends on the offsets' digits: grow the
    assumed header end until the header fits before the first array (a couple of rounds).
    """
    header_end = 0
    while True:
        placed = [dict(spec, offset=_aligned(header_end) + spec["offset"]) for spec in specs]
        body = json.dumps({"format": FORMAT_VERSION, "key": key, "meta": meta, "arrays": placed}).encode("utf-8")
        if _PREFIX.size + len(body) <= _aligned(header_end):
            return _PREFIX.pack(MAGIC, len(body), zlib.crc32(body)) + body, placed
        header_end = _PREFIX.size + len(body)


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
