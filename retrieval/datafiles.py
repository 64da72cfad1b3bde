"""Reads the small lexicons and rule lists shipped in retrieval/data/ as package data."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def data_lines(name: str) -> tuple[str, ...]:
    """The meaningful lines of a data file: stripped, without blanks and `#` comments."""
    # A plain path rather than importlib.resources: editable installs expose the package as a
    # MultiplexedPath that cannot open files, and this package is never zipped.
    raw = (_DATA_DIR / name).read_text("utf-8")
    lines = (line.strip() for line in raw.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def data_classes(name: str) -> dict[str, frozenset[str]]:
    """WORD<TAB>CLASS lines as {class: words}; a word may be in several classes."""
    classes: dict[str, set[str]] = {}
    for line in data_lines(name):
        word, kind, *_ = line.split("\t") + [""]
        classes.setdefault(kind.strip(), set()).add(word.strip())
    return {kind: frozenset(words) for kind, words in classes.items()}


def data_mapping(name: str) -> dict[str, str]:
    """A two-column tab-separated file as a mapping from the first column to the second."""
    mapping: dict[str, str] = {}
    for line in data_lines(name):
        key, _, value = line.partition("\t")
        if not value:
            raise ValueError(f"{name}: expected 'key<TAB>value', got {line!r}")
        mapping[key.strip()] = value.strip()
    return mapping


@cache
def data_fingerprint(names: tuple[str, ...]) -> str:
    """A hash of these data files: editing one of them must invalidate what was built from them."""
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(names):
        digest.update(name.encode() + b"\0" + (_DATA_DIR / name).read_bytes())
    return digest.hexdigest()
