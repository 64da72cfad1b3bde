"""Each posting's (term frequency, document length), dictionary-coded as one int32 per posting.

A posting's BM25 weight depends on its tf and its document's length, plus statistics of the
whole collection searched (N, df, average length) that change when segments are searched
together. So postings keep tf and length, never a weight. Real text has few distinct
(tf, length) pairs (~1,000 at a million news passages: tf 1-20, lengths 30-150), so each posting
holds the id of its pair and a query turns pair ids into weights through a table computed once
per set of statistics (formulas.pair_factors): a few KB that stays in L1 cache, where a
per-posting division or a per-document length lookup would cost every query at every posting.
Pair ids are given in (tf, length) order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

_BLOCK = 1 << 22  # postings coded per numpy pass: bounds the temporaries to ~100 MB
_DENSE_KEYS = 1 << 24  # up to this many possible (tf, length) keys, find the used ones by marking


@dataclass(frozen=True)
class Pairs:
    ids: np.ndarray  # int32[n_postings]: the pair of each posting
    tf: np.ndarray  # int32[n_pairs]
    doc_len: np.ndarray  # int64[n_pairs]


def encode(tf: np.ndarray, docs: np.ndarray, doc_lengths: np.ndarray) -> Pairs:
    """Pair ids for postings (tf[p], doc_lengths[docs[p]])."""
    width = int(doc_lengths.max()) + 1 if len(doc_lengths) else 1
    n_keys = (int(tf.max()) + 1 if len(tf) else 1) * width
    if n_keys <= _DENSE_KEYS:
        used = np.zeros(n_keys, dtype=np.bool_)
        _mark_keys(tf, docs, doc_lengths, width, used)
        present = np.flatnonzero(used)
        code = np.full(n_keys, -1, dtype=np.int32)
        code[present] = np.arange(len(present), dtype=np.int32)
        ids = np.empty(len(tf), dtype=np.int32)
        _code_keys(tf, docs, doc_lengths, width, code, ids)
    else:  # a very long document: too many possible keys to mark, so sort the used ones
        blocks = [slice(start, start + _BLOCK) for start in range(0, len(tf), _BLOCK)]

        def keys(block: slice) -> np.ndarray:
            return tf[block].astype(np.int64) * width + doc_lengths[docs[block]]

        present = np.unique(np.concatenate([np.unique(keys(block)) for block in blocks] or [np.zeros(0, np.int64)]))
        if len(present) > 2**31 - 1:
            raise ValueError("more distinct (tf, length) pairs than int32 ids")
        ids = np.empty(len(tf), dtype=np.int32)
        for block in blocks:
            ids[block] = np.searchsorted(present, keys(block))
    return Pairs(ids=ids, tf=(present // width).astype(np.int32), doc_len=present % width)


# One pass each over the postings, without numpy's per-block temporaries: at a million passages
# (40M postings) numpy took ~1.4 s, which would have been a third of the whole build.
@njit(cache=True)
def _mark_keys(tf: np.ndarray, docs: np.ndarray, doc_lengths: np.ndarray, width: int, used: np.ndarray) -> None:
    for p in range(tf.shape[0]):
        used[tf[p] * width + doc_lengths[docs[p]]] = True


@njit(cache=True)
def _code_keys(
    tf: np.ndarray, docs: np.ndarray, doc_lengths: np.ndarray, width: int, code: np.ndarray, ids: np.ndarray
) -> None:
    for p in range(tf.shape[0]):
        ids[p] = code[tf[p] * width + doc_lengths[docs[p]]]
