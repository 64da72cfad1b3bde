"""One segment: the postings of one collection of documents, free of any collection statistics.

A segment knows its terms, each term's documents, each posting's (tf, document length) pair
(pairs.py), its N and its total length. Weights come from statistics given at query time
(`Weighting`), so a segment can be scored alone (SparseBM25) or as part of a union of segments
(union.py) with the union's N, document frequencies and average length.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import formulas, kernels, pairs
from .params import BM25Params
from .postings import Progress, invert


@dataclass(frozen=True)
class Weighting:
    """Statistics turned into what the kernel needs to weight this segment's postings."""

    factors: np.ndarray  # formulas.pair_factors for this segment's pairs
    k1_plus_1: float

    @classmethod
    def of(cls, segment: Segment, avgdl: float, params: BM25Params) -> Weighting:
        factors = formulas.pair_factors(segment.pair_tf, segment.pair_len, avgdl, params)
        factors.flags.writeable = False  # one numba signature for every origin (see Segment)
        return cls(factors, params.k1 + 1)


@dataclass(frozen=True)
class TermQuery:
    """A query's known terms for one segment, in query order, repeats kept."""

    starts: np.ndarray  # int64[m]: postings of term j are [starts[j], stops[j]) in this segment
    stops: np.ndarray  # int64[m]
    idf: np.ndarray  # float64[m]
    absent: np.ndarray  # float64[m]: what term j adds to a document lacking it


@dataclass
class _Scratch:
    """Per-segment working memory of the kernels (see kernels.py), reused by every query."""

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


class Segment:
    """Immutable. Queries may come from several threads: they take turns on the scratch."""

    ARRAYS = ("offsets", "docs", "pairs", "pair_tf", "pair_len")

    def __init__(
        self,
        vocabulary: dict[str, int],
        n_docs: int,
        total_length: int,
        offsets: np.ndarray,  # int64[n_terms + 1]: term t's postings are [offsets[t], offsets[t + 1])
        docs: np.ndarray,  # int32[n_postings]: ascending within each term
        pairs: np.ndarray,  # int32[n_postings]
        pair_tf: np.ndarray,  # int32[n_pairs]
        pair_len: np.ndarray,  # int64[n_pairs]
    ) -> None:
        self.vocabulary = vocabulary
        self.n_docs = n_docs
        self.total_length = total_length
        self.offsets, self.docs, self.pairs, self.pair_tf, self.pair_len = offsets, docs, pairs, pair_tf, pair_len
        for array in (offsets, docs, pairs, pair_tf, pair_len):
            # Loaded ones are read-only mmaps; built ones become read-only too, so that numba
            # compiles (and caches) one signature of each kernel, not one per origin.
            array.flags.writeable = False
        self._scratch = _Scratch(n_docs)

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], progress: Progress | None = None) -> Segment:
        inverted = invert(docs, progress)
        coded = pairs.encode(inverted.tf, inverted.docs, inverted.doc_lengths)
        total_length = int(inverted.doc_lengths.sum())
        n_docs = len(inverted.doc_lengths)
        return cls(
            inverted.vocabulary,
            n_docs,
            total_length,
            inverted.offsets,
            inverted.docs,
            coded.ids,
            coded.tf,
            coded.doc_len,
        )

    @classmethod
    def from_arrays(
        cls, vocabulary: dict[str, int], n_docs: object, total_length: object, arrays: dict
    ) -> Segment | None:
        """A segment from saved arrays, or None if they are not what the kernels may safely index
        without bounds checks (a file that passed its checksums but was written inconsistently)."""
        try:
            offsets, docs, pair_ids, pair_tf, pair_len = (arrays[name] for name in cls.ARRAYS)
        except KeyError:
            return None
        consistent = (
            isinstance(n_docs, int)
            and 0 <= n_docs < 2**31
            and isinstance(total_length, int)
            and total_length >= 0
            and offsets.dtype == np.int64
            and docs.dtype == np.int32
            and pair_ids.dtype == np.int32
            and pair_tf.dtype == np.int32
            and pair_len.dtype == np.int64
            and len(offsets) == len(vocabulary) + 1
            and len(docs) == len(pair_ids)
            and len(pair_tf) == len(pair_len)
            and offsets[0] == 0
            and offsets[-1] == len(docs)
            and bool(np.all(offsets[1:] >= offsets[:-1]))
            and (len(docs) == 0 or (0 <= int(docs.min()) and int(docs.max()) < n_docs))
            and (len(pair_ids) == 0 or (0 <= int(pair_ids.min()) and int(pair_ids.max()) < len(pair_tf)))
            and bool(np.all(pair_tf >= 1))
            and bool(np.all(pair_len >= pair_tf))
        )
        return cls(vocabulary, n_docs, total_length, offsets, docs, pair_ids, pair_tf, pair_len) if consistent else None

    def arrays(self) -> dict[str, np.ndarray]:
        return dict(zip(self.ARRAYS, (self.offsets, self.docs, self.pairs, self.pair_tf, self.pair_len), strict=True))

    @property
    def avgdl(self) -> float:
        # Python int / int, exactly as rank-bm25 computes avgdl.
        return self.total_length / self.n_docs if self.n_docs else 0.0

    def doc_freqs(self) -> np.ndarray:
        """int64 df of every term, in vocabulary (first appearance) order."""
        return np.diff(self.offsets)

    def postings(self, token: str) -> tuple[int, int]:
        """[start, stop) of `token`'s postings; (0, 0) if unknown."""
        term = self.vocabulary.get(token)
        return (0, 0) if term is None else (int(self.offsets[term]), int(self.offsets[term + 1]))

    def term_df(self, token: str) -> int:
        start, stop = self.postings(token)
        return stop - start

    def contains(self, token: str, doc_ids: np.ndarray) -> np.ndarray:
        """Which of `doc_ids` contain `token`: a binary search in its postings (doc ids ascend)."""
        start, stop = self.postings(token)
        if start == stop:
            return np.zeros(len(doc_ids), dtype=bool)
        postings = self.docs[start:stop]
        at = np.searchsorted(postings, doc_ids)
        return postings[np.minimum(at, len(postings) - 1)] == doc_ids

    def top_k(self, query: TermQuery, weighting: Weighting, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(doc ids, scores) of up to k touched documents, best first (ties: lower doc id first)."""
        scratch = self._scratch
        with scratch.lock:
            n_touched = self._accumulate(query, weighting)
            out_docs = np.empty(min(k, n_touched), dtype=np.int32)
            out_scores = np.empty(len(out_docs), dtype=np.float64)
            kernels.take_top_k(
                n_touched, scratch.slots, scratch.touched_docs, scratch.touched_scores, out_docs, out_scores
            )
        return out_docs, out_scores

    def scores(self, query: TermQuery, weighting: Weighting) -> np.ndarray:
        """Every document's score (O(n_docs): for tests and thresholds, not for serving)."""
        untouched = 0.0
        for weight in query.absent.tolist():  # the same sequential fold the kernel and rank-bm25 do
            untouched += weight
        scores = np.full(self.n_docs, untouched, dtype=np.float64)
        scratch = self._scratch
        with scratch.lock:
            n_touched = self._accumulate(query, weighting)
            scores[scratch.touched_docs[:n_touched]] = scratch.touched_scores[:n_touched]
            kernels.reset(n_touched, scratch.slots, scratch.touched_docs, scratch.touched_scores)
        return scores

    def _accumulate(self, query: TermQuery, weighting: Weighting) -> int:
        """Run the scoring kernel into the scratch; the caller holds the scratch lock."""
        scratch = self._scratch
        return kernels.accumulate(
            query.starts,
            query.stops,
            query.idf,
            query.absent,
            self.docs,
            self.pairs,
            weighting.factors,
            weighting.k1_plus_1,
            scratch.slots,
            scratch.touched_docs,
            scratch.touched_scores,
            scratch.touched_stamps,
        )
