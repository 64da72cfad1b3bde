"""The loaded corpus saved beside its index, so a repeated load does not re-read and re-clean it.

Reading, cleaning and splitting 3,044 articles takes about 3 s; opening them from a snapshot under
0.2 s (bench/cli_speed.py). A snapshot is keyed by a fingerprint of the inputs — every
entry under each corpus path with its size, times and inode, in the order the paths were given —
and by the code and data files that turn bytes into articles and passages, so an edited, added,
removed or renamed file, or a changed cleaning rule, rebuilds it. A missing, truncated, corrupt
or foreign snapshot is never served: it is rebuilt, then written to a temporary file and renamed.

Sizes and times cannot see a file rewritten with the same size within one tick of the clock that
stamps it, shortly before the fingerprint was taken (git's "racily clean" entries). Files changed
that recently are therefore also recorded by content digest, taken before the corpus is read, and
compared again whenever the snapshot is opened.

The payload is a pickle, read by an unpickler that can build only the corpus's own dataclasses
(retrieval.corpus, retrieval.answer): a damaged or planted file cannot make it call anything else.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import json
import logging
import os
import pickle
import stat
import struct
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import nltk

from retrieval.corpus.collection import Corpus
from retrieval.corpus.loader import Problem

log = logging.getLogger(__name__)

MAGIC = b"QACORPUS"
FORMAT_VERSION = 1
_PREFIX = struct.Struct("<8sII")  # magic, header length, header CRC-32
# Files changed this recently are also checked by content; 2 s covers the coarsest common
# timestamps (FAT's 2 s mtime) as well as the kernel's clock tick.
_RACY_NS = 2_000_000_000
_RETRIEVAL = Path(__file__).resolve().parents[1]
# What turns corpus bytes into articles and passages; editing any of it must rebuild snapshots.
# Every data file is included, not only today's cleaning rules: a rebuild costs seconds once,
# a stale snapshot would serve passages the current code would not make.
_CODE = (
    *sorted(Path(__file__).resolve().parent.rglob("*.py")),
    _RETRIEVAL / "answer.py",
    _RETRIEVAL / "datafiles.py",
    *sorted(p for p in (_RETRIEVAL / "data").iterdir() if p.is_file()),
)


@dataclasses.dataclass(frozen=True, slots=True)
class Loaded:
    """What a snapshot holds: the corpus and the loader's problems, as a load would make them."""

    corpus: Corpus
    problems: tuple[Problem, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class _Fingerprint:
    key: str
    recent: tuple[Path, ...]  # files changed within _RACY_NS of the fingerprint


class CorpusSnapshot:
    """The snapshot slot for one list of corpus paths.

    `read()` takes the inputs' fingerprint and returns the saved corpus if it is exactly for them;
    after a miss, the caller loads the corpus and passes it to `write()`, which saves it only if
    the inputs did not change while they were being read."""

    def __init__(self, file: Path, sources: Sequence[Path]) -> None:
        self.file = Path(file)
        self.sources = tuple(Path(s) for s in sources)
        self._before: _Fingerprint | None = None
        self._digests: dict[str, str] = {}

    def read(self) -> Loaded | None:
        self._before = _fingerprint(self.sources)
        if self._before is None:
            return None  # a path is missing or unreadable: the loader says which
        found = _read(self.file, self._before.key)
        if found is None:
            # Taken before the corpus is read: a change during the read then fails the check.
            self._digests = {str(p): _digest(p) for p in self._before.recent}
            return None
        loaded, payload, digests = found
        if digests and not self._before.recent:
            # The content checks passed and no input is recent any more: from now on sizes and
            # times tell every change, so the snapshot stops re-reading those files each time.
            self._save(self._before.key, {}, payload)
        return loaded

    def write(self, loaded: Loaded) -> None:
        before = self._before
        if before is None:
            return
        after = _fingerprint(self.sources)
        if after is None or after.key != before.key:
            log.info("the corpus changed while it was read: not saving a snapshot of it")
            return
        payload = io.BytesIO()
        _Pickler(payload, protocol=pickle.HIGHEST_PROTOCOL).dump(loaded)
        self._save(before.key, self._digests, payload.getbuffer())

    def _save(self, key: str, digests: dict[str, str], payload: bytes | memoryview) -> None:
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            _write(self.file, key, digests, payload)
        except OSError as error:  # a read-only data dir costs a re-read next time, nothing more
            log.warning("could not save the corpus snapshot to %s (%s)", self.file, error)


def sources_slot(sources: Sequence[Path]) -> str:
    """A short name for a list of corpus paths; for one path, the slot its saved index uses."""
    return hashlib.blake2b("\0".join(str(Path(s).resolve()) for s in sources).encode(), digest_size=6).hexdigest()


def _fingerprint(sources: Sequence[Path]) -> _Fingerprint | None:
    digest = hashlib.blake2b(digest_size=20)
    # Python's Unicode tables (NFKC) and NLTK's Punkt shape passages as much as our code does.
    digest.update(f"{FORMAT_VERSION}\0{sys.version_info[:2]}\0{nltk.__version__}\0".encode())
    for file in _CODE:
        digest.update(f"{file.name}\0".encode() + file.read_bytes() + b"\0")
    recent: list[Path] = []
    now = time.time_ns()
    try:
        for source in sources:
            root = Path(source).resolve()
            digest.update(f"source\0{root}\0".encode())
            for path, info in _entries(root):
                digest.update(
                    f"{path.relative_to(root) if path != root else '.'}\0{info.st_mode}\0{info.st_size}\0"
                    f"{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}\0".encode("utf-8", "surrogateescape")
                )
                if stat.S_ISREG(info.st_mode) and max(info.st_mtime_ns, info.st_ctime_ns) >= now - _RACY_NS:
                    recent.append(path)
    except OSError:
        return None
    return _Fingerprint(digest.hexdigest(), tuple(recent))


def _entries(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """The root and everything under it, symbolic links as links, in a fixed order. Everything
    is listed, hidden or not: listing more than the loader reads only costs a needless rebuild."""
    yield root, root.lstat()
    if not root.is_dir():
        return

    def fail(error: OSError) -> None:
        raise error  # an unreadable folder: no fingerprint, so no snapshot is trusted

    for dirpath, dirnames, filenames in os.walk(root, onerror=fail, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        for name in sorted(dirnames + filenames):
            yield here / name, (here / name).lstat()


def _digest(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "blake2b").hexdigest()
    except OSError:
        return ""  # never equal to a digest: a snapshot that depends on it is rebuilt


def _write(file: Path, key: str, digests: dict[str, str], payload: bytes | memoryview) -> None:
    """Write atomically: a temporary file in the same folder, fsync'd, then renamed over `file`."""
    header = json.dumps(
        {"format": FORMAT_VERSION, "key": key, "recent": digests, "length": len(payload), "crc32": zlib.crc32(payload)}
    ).encode()
    tmp = tempfile.NamedTemporaryFile(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp", delete=False)
    try:
        with tmp:
            os.fchmod(tmp.fileno(), 0o644)
            tmp.write(_PREFIX.pack(MAGIC, len(header), zlib.crc32(header)))
            tmp.write(header)
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, file)
    except BaseException:
        os.unlink(tmp.name)
        raise
    directory = os.open(file.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)


def _read(file: Path, key: str) -> tuple[Loaded, memoryview, dict[str, str]] | None:
    """The snapshot in `file` (with its payload and content digests) if it was written under
    `key`, is whole, and its recently changed files still have the content they had; else None."""
    try:
        data = file.read_bytes()
        magic, length, crc = _PREFIX.unpack_from(data)
        header_bytes = data[_PREFIX.size : _PREFIX.size + length]
        if magic != MAGIC or len(header_bytes) != length or zlib.crc32(header_bytes) != crc:
            return None
        header = json.loads(header_bytes)
        if header["format"] != FORMAT_VERSION or header["key"] != key:
            return None
        payload = memoryview(data)[_PREFIX.size + length :]
        if len(payload) != header["length"] or zlib.crc32(payload) != header["crc32"]:
            return None
        digests = header["recent"]
        if any(_digest(Path(path)) != digest for path, digest in digests.items()):
            return None
        loaded = _Unpickler(io.BytesIO(payload)).load()
    except FileNotFoundError:
        return None
    except (
        OSError,
        EOFError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        struct.error,
        pickle.PickleError,
    ):
        log.warning("the corpus snapshot %s is unusable: rebuilding it", file)
        return None
    if not (isinstance(loaded, Loaded) and isinstance(loaded.corpus, Corpus)):
        return None
    return loaded, payload, digests


class _Pickler(pickle.Pickler):
    """A slotted dataclass (passages, articles) is saved as a call of its constructor with its
    fields: unpickling 48k of them is then twice as fast as through the state dataclasses give
    them, which looks up the fields again for every object."""

    def reducer_override(self, obj: object) -> object:
        cls = type(obj)
        if dataclasses.is_dataclass(cls) and not hasattr(obj, "__dict__"):
            fields = dataclasses.fields(cls)
            if all(f.init for f in fields):
                return cls, tuple(getattr(obj, f.name) for f in fields)
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    """Builds only the dataclasses and enums of the corpus's own values (retrieval.corpus and
    retrieval.answer); plain containers need no lookup at all."""

    def find_class(self, module: str, name: str) -> type:
        if (module == "retrieval.answer" or module.startswith("retrieval.corpus.")) and "." not in name:
            found = getattr(sys.modules.get(module), name, None)
            if isinstance(found, type) and found.__module__ == module:
                if dataclasses.is_dataclass(found) or issubclass(found, enum.Enum):
                    return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a corpus value")
