"""SparseBM25: a BM25 index whose query cost follows the query terms' postings, not the corpus.

Scores are rank-bm25's, bit for bit (see formulas.py). What `top_k` returns, precisely:

    [d for d in rank_bm25_order if d contains a known query term][:k]

where rank_bm25_order sorts all documents by rank-bm25's score descending, then by doc index
ascending (the tie rule; rank-bm25's own get_top_n uses an unstable argsort instead).

Documents with no query term are never returned: they carry no evidence. That filter changes
nothing whenever at least k documents match and every known query term has idf > 0, because a
matching document then always outscores one that matches nothing:
- BM25L and BM25Plus: idf > 0 for every term (df <= n_docs), and a matching document gets a
  positive weight where a non-matching one gets 0 (BM25L) or idf × delta (BM25Plus, which adds
  that constant to every document, matching or not — scores include it).
- Okapi: idf > 0 except for a term in exactly half the documents (idf 0) or, after rank-bm25's
  epsilon floor, when the vocabulary's mean idf is <= 0 (tiny corpora where most terms are in
  most documents): there rank-bm25 ranks non-matching documents (score 0) above matching ones
  with score <= 0; this index still returns only matching ones, in rank-bm25's relative order.
A query with no known term returns [].
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import formulas, kernels, storage
from .params import BM25Params
from .postings import InvertedLists, Progress, invert

_WEIGHT_BLOCK = 1 << 20  # postings weighted per numpy pass: bounds the build's temporaries to ~50 MB


@dataclass
class _Scratch:
    """Per-index working memory of the kernels (see kernels.py), reused by every query."""

    n_docs: int
    slots: np.ndarray = field(init=False)
    touched_docs: np.ndarray = field(init=False)
    touched_scores: np.ndarray = field(init=False)
    touched_stamps: np.ndarray = field(init=False)
    lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.slots = np.full(self.n_docs, -1, dtype=np.int32)
        self.touched_docs = np.empty(self.n_docs, dtype=np.int32)
        self.touched_scores = np.zeros(self.n_docs, dtype=np.float64)
        self.touched_stamps = np.empty(self.n_docs, dtype=np.int32)


class SparseBM25:
    """Immutable once built or loaded. Queries may come from several threads: they take turns
    on the index's scratch buffers (a query holds them for its 0.1-3 ms at a million passages)."""

    def __init__(
        self,
        params: BM25Params,
        n_docs: int,
        avgdl: float,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        offsets: np.ndarray,
        docs: np.ndarray,
        weights: np.ndarray,
    ) -> None:
        self.params = params
        self.n_docs = n_docs
        self.avgdl = avgdl
        self._vocabulary = vocabulary
        self._idf = idf
        self._offsets = offsets
        self._docs = docs
        self._weights = weights
        for postings in (offsets, docs, weights):
            # Loaded ones are read-only mmaps; built ones become read-only too, so that numba
            # compiles (and caches) one signature of each kernel, not one per origin.
            postings.flags.writeable = False
        self._absent = formulas.absent_weights(idf, params)
        self._scratch = _Scratch(n_docs)

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], params: BM25Params, progress: Progress | None = None) -> SparseBM25:
        """Index tokenised documents; doc i of `docs` is doc index i in results.

        `progress(done, total)` is called after each chunk of documents (~4M tokens) is read;
        the final call is (total, total).
        """
        inverted = invert(docs, progress)
        n_docs = len(inverted.doc_lengths)
        # Python int / int, exactly as rank-bm25 computes avgdl.
        avgdl = int(inverted.doc_lengths.sum()) / n_docs if n_docs else 0.0
        doc_freqs = np.diff(inverted.offsets)
        idf = formulas.idf(doc_freqs, n_docs, params)
        weights = _posting_weights(inverted, idf, avgdl, params)
        return cls(params, n_docs, avgdl, inverted.vocabulary, idf, inverted.offsets, inverted.docs, weights)

    def top_k(self, query_tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Up to k (doc index, score) pairs, best first, among documents containing a query term."""
        query_terms, absent = self._known_terms(query_tokens)
        if len(query_terms) == 0 or k <= 0:
            return []
        scratch = self._scratch
        with scratch.lock:
            n_touched = self._accumulate(query_terms, absent)
            out_docs = np.empty(min(k, n_touched), dtype=np.int32)
            out_scores = np.empty(len(out_docs), dtype=np.float64)
            kernels.take_top_k(
                n_touched, scratch.slots, scratch.touched_docs, scratch.touched_scores, out_docs, out_scores
            )
        return list(zip(out_docs.tolist(), out_scores.tolist(), strict=True))

    def get_scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """rank-bm25's get_scores, bit for bit: every document's float64 score (O(n_docs): for
        tests and thresholds, not for serving)."""
        query_terms, absent = self._known_terms(query_tokens)
        untouched = 0.0
        for weight in absent.tolist():  # the same sequential fold the kernel and rank-bm25 do
            untouched += weight
        scores = np.full(self.n_docs, untouched, dtype=np.float64)
        if len(query_terms):
            scratch = self._scratch
            with scratch.lock:
                n_touched = self._accumulate(query_terms, absent)
                scores[scratch.touched_docs[:n_touched]] = scratch.touched_scores[:n_touched]
                kernels.reset(n_touched, scratch.slots, scratch.touched_docs, scratch.touched_scores)
        return scores

    def term_df(self, token: str) -> int:
        """Number of documents containing `token` (0 if unknown)."""
        term = self._vocabulary.get(token)
        return 0 if term is None else int(self._offsets[term + 1] - self._offsets[term])

    def contains(self, token: str, doc_ids: np.ndarray) -> np.ndarray:
        """Which of `doc_ids` contain `token`: a binary search in its postings (doc ids ascend)."""
        term = self._vocabulary.get(token)
        if term is None:
            return np.zeros(len(doc_ids), dtype=bool)
        postings = self._docs[self._offsets[term] : self._offsets[term + 1]]
        at = np.searchsorted(postings, doc_ids)
        return postings[np.minimum(at, len(postings) - 1)] == doc_ids

    def idf(self, token: str) -> float:
        """The idf rank-bm25 uses for `token`; 0.0 if unknown, as rank-bm25's `idf.get(q) or 0`."""
        term = self._vocabulary.get(token)
        return 0.0 if term is None else float(self._idf[term])

    def save(self, path: Path, key: str) -> None:
        """Write to `path` atomically; `key` (e.g. a hash of the corpus and analyzer) must be given
        again to load it."""
        terms = "\0".join(self._vocabulary)  # dict order is id order: ids were handed out in insertion order
        if terms.count("\0") != max(len(self._vocabulary) - 1, 0):
            raise ValueError("a term contains NUL, which the vocabulary file uses as separator")
        meta = {"params": self.params.to_dict(), "n_docs": self.n_docs, "avgdl": self.avgdl}
        arrays = {
            "terms": np.frombuffer(terms.encode("utf-8"), dtype=np.uint8),
            "idf": self._idf,
            "offsets": self._offsets,
            "docs": self._docs,
            "weights": self._weights,
        }
        storage.write(path, key, meta, arrays)

    @classmethod
    def load(cls, path: Path, key: str) -> SparseBM25 | None:
        """The index saved at `path` under `key`, its postings memory-mapped; None if the file is
        missing, truncated, corrupt, of another format version or saved under another key."""
        stored = storage.read(path, key)
        if stored is None:
            return None
        meta, arrays = stored
        try:
            params = BM25Params.from_dict(meta["params"])
            n_docs, avgdl = meta["n_docs"], meta["avgdl"]
            idf, offsets, docs, weights = arrays["idf"], arrays["offsets"], arrays["docs"], arrays["weights"]
            text = arrays["terms"].tobytes().decode("utf-8")
        except (KeyError, TypeError, ValueError):
            return None
        terms = text.split("\0") if len(idf) else []
        vocabulary = dict(zip(terms, range(len(terms)), strict=True))
        if len(vocabulary) != len(terms) or not _consistent(n_docs, avgdl, vocabulary, idf, offsets, docs, weights):
            return None
        return cls(params, n_docs, avgdl, vocabulary, idf, offsets, docs, weights)

    def _known_terms(self, query_tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Ids of the query's known tokens in query order, repeats kept (rank-bm25 loops over the
        query list, so a repeated token counts again), and what each adds to a doc lacking it.
        Unknown tokens add exactly 0 to every document in rank-bm25, so they are dropped."""
        lookup = self._vocabulary.get
        ids = [term for term in map(lookup, query_tokens) if term is not None]
        query_terms = np.array(ids, dtype=np.int64)
        return query_terms, self._absent[query_terms]

    def _accumulate(self, query_terms: np.ndarray, absent: np.ndarray) -> int:
        """Run the scoring kernel into the scratch; the caller holds the scratch lock."""
        scratch = self._scratch
        return kernels.accumulate(
            self._offsets,
            self._docs,
            self._weights,
            query_terms,
            absent,
            scratch.slots,
            scratch.touched_docs,
            scratch.touched_scores,
            scratch.touched_stamps,
        )


def _posting_weights(inverted: InvertedLists, idf: np.ndarray, avgdl: float, params: BM25Params) -> np.ndarray:
    """Each posting's precomputed score contribution, a block of postings at a time."""
    offsets = inverted.offsets
    weights = np.empty(len(inverted.docs), dtype=np.float64)
    for start in range(0, len(weights), _WEIGHT_BLOCK):
        stop = min(start + _WEIGHT_BLOCK, len(weights))
        # The term of each posting in [start, stop): repeat each overlapping term id by its share.
        first = int(np.searchsorted(offsets, start, side="right")) - 1
        last = int(np.searchsorted(offsets, stop - 1, side="right")) - 1
        shares = np.diff(np.clip(offsets[first : last + 2], start, stop))
        terms = np.repeat(np.arange(first, last + 1), shares)
        doc_len = inverted.doc_lengths[inverted.docs[start:stop]]
        weights[start:stop] = formulas.posting_weights(inverted.tf[start:stop], doc_len, idf[terms], avgdl, params)
    return weights


def _consistent(
    n_docs: object,
    avgdl: object,
    vocabulary: dict[str, int],
    idf: np.ndarray,
    offsets: np.ndarray,
    docs: np.ndarray,
    weights: np.ndarray,
) -> bool:
    """Shapes, dtypes and bounds the kernels rely on. The kernels index without bounds checks,
    so a file that passed its checksums but was written inconsistently must not reach them."""
    return (
        isinstance(n_docs, int)
        and 0 <= n_docs < 2**31
        and isinstance(avgdl, float)
        and idf.dtype == np.float64
        and offsets.dtype == np.int64
        and docs.dtype == np.int32
        and weights.dtype == np.float64
        and len(vocabulary) == len(idf)
        and len(offsets) == len(idf) + 1
        and len(docs) == len(weights)
        and offsets[0] == 0
        and offsets[-1] == len(docs)
        and bool(np.all(offsets[1:] >= offsets[:-1]))
        and (len(docs) == 0 or (0 <= int(docs.min()) and int(docs.max()) < n_docs))
    )
