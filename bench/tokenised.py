"""A tokenised corpus and query set on disk, so every engine's subprocess reads the same tokens.

Stored as term ids (int32, flat, with per-passage offsets) plus the term list: compact, fast to
write and read, and rebuilt into lists of str that share one str object per distinct term —
60M separate str objects would take ~3 GB and distort the engines' memory figures.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

Tokens = list[list[str]]


def save(
    directory: Path, passages: Iterable[str], queries: Iterable[str], tokenize: Callable[[str], list[str]]
) -> float:
    """Tokenise passages and queries into `directory`, a passage at a time (low memory).

    Returns the seconds spent inside `tokenize` on the passages alone.
    """
    directory.mkdir(parents=True, exist_ok=True)
    vocabulary: dict[str, int] = {}
    tokenize_seconds = 0.0
    for name, texts in (("passages", passages), ("queries", queries)):
        flat: list[np.ndarray] = []
        lengths: list[int] = []
        for text in texts:
            started = time.perf_counter()
            tokens = tokenize(text)
            if name == "passages":
                tokenize_seconds += time.perf_counter() - started
            flat.append(np.array([vocabulary.setdefault(t, len(vocabulary)) for t in tokens], dtype=np.int32))
            lengths.append(len(tokens))
        ids = np.concatenate(flat) if flat else np.zeros(0, dtype=np.int32)
        np.save(directory / f"{name}.ids.npy", ids)
        np.save(directory / f"{name}.lengths.npy", np.array(lengths, dtype=np.int64))
    (directory / "terms.json").write_text(json.dumps(list(vocabulary)), encoding="utf-8")
    return tokenize_seconds


def load(directory: Path, name: str) -> Tokens:
    """`name` is "passages" or "queries"."""
    terms = np.array(json.loads((directory / "terms.json").read_text(encoding="utf-8")), dtype=object)
    words = terms[np.load(directory / f"{name}.ids.npy")]
    bounds = np.concatenate(([0], np.cumsum(np.load(directory / f"{name}.lengths.npy")))).tolist()
    return [words[start:stop].tolist() for start, stop in zip(bounds[:-1], bounds[1:], strict=False)]
