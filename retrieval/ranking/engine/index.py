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

Postings keep term frequencies and document lengths, not weights (segment.py): the same index
can also be searched together with others under the union's statistics (union.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from . import formulas, storage
from .params import BM25Params
from .postings import Progress
from .segment import Segment, TermQuery, Weighting


class SparseBM25:
    """One segment scored with its own statistics. Immutable once built or loaded; queries may
    come from several threads (they take turns on the segment's scratch, 0.1-3 ms at 1M passages)."""

    def __init__(self, params: BM25Params, segment: Segment, idf: np.ndarray) -> None:
        self.params = params
        self.segment = segment
        self.n_docs = segment.n_docs
        self.avgdl = segment.avgdl
        self._idf = idf  # float64 per term, this segment's own: N and df are its own
        self._absent = formulas.absent_weights(idf, params)
        self._weighting = Weighting.of(segment, self.avgdl, params)

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], params: BM25Params, progress: Progress | None = None) -> SparseBM25:
        """Index tokenised documents; doc i of `docs` is doc index i in results.

        `progress(done, total)` is called after each chunk of documents (~4M tokens) is read;
        the final call is (total, total).
        """
        segment = Segment.build(docs, progress)
        return cls(params, segment, formulas.idf(segment.doc_freqs(), segment.n_docs, params))

    def top_k(self, query_tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Up to k (doc index, score) pairs, best first, among documents containing a query term."""
        query = self._query(query_tokens)
        if len(query.starts) == 0 or k <= 0:
            return []
        docs, scores = self.segment.top_k(query, self._weighting, k)
        return list(zip(docs.tolist(), scores.tolist(), strict=True))

    def get_scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """rank-bm25's get_scores, bit for bit: every document's float64 score (O(n_docs): for
        tests and thresholds, not for serving)."""
        return self.segment.scores(self._query(query_tokens), self._weighting)

    @property
    def vocabulary(self) -> Mapping[str, int]:
        """Every indexed term (with its term number): what a question word may be corrected to."""
        return self.segment.vocabulary

    def term_df(self, token: str) -> int:
        """Number of documents containing `token` (0 if unknown)."""
        return self.segment.term_df(token)

    def contains(self, token: str, doc_ids: np.ndarray) -> np.ndarray:
        """Which of `doc_ids` contain `token`."""
        return self.segment.contains(token, doc_ids)

    def docs_with(self, token: str) -> np.ndarray:
        """The doc ids containing `token`, ascending (a read-only view of its postings)."""
        start, stop = self.segment.postings(token)
        return self.segment.docs[start:stop]

    def idf(self, token: str) -> float:
        """The idf rank-bm25 uses for `token`; 0.0 if unknown, as rank-bm25's `idf.get(q) or 0`."""
        term = self.segment.vocabulary.get(token)
        return 0.0 if term is None else float(self._idf[term])

    def save(self, path: Path, key: str) -> None:
        """Write to `path` atomically; `key` (e.g. a hash of the corpus and analyzer) must be given
        again to load it."""
        vocabulary = self.segment.vocabulary
        terms = "\0".join(vocabulary)  # dict order is id order: ids were handed out in insertion order
        if terms.count("\0") != max(len(vocabulary) - 1, 0):
            raise ValueError("a term contains NUL, which the vocabulary file uses as separator")
        meta = {
            "params": self.params.to_dict(),
            "n_docs": self.n_docs,
            "total_length": self.segment.total_length,
        }
        arrays = {"terms": np.frombuffer(terms.encode("utf-8"), dtype=np.uint8), "idf": self._idf}
        storage.write(path, key, meta, arrays | self.segment.arrays())

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
            n_docs, total_length = meta["n_docs"], meta["total_length"]
            idf = arrays["idf"]
            text = arrays["terms"].tobytes().decode("utf-8")
        except (KeyError, TypeError, ValueError):
            return None
        terms = text.split("\0") if len(idf) else []
        vocabulary = dict(zip(terms, range(len(terms)), strict=True))
        if len(vocabulary) != len(terms) or idf.dtype != np.float64 or len(idf) != len(terms):
            return None
        segment = Segment.from_arrays(vocabulary, n_docs, total_length, arrays)
        return None if segment is None else cls(params, segment, idf)

    def _query(self, query_tokens: Sequence[str]) -> TermQuery:
        """The query's known tokens in query order, repeats kept (rank-bm25 loops over the query
        list, so a repeated token counts again). Unknown tokens add exactly 0 to every document in
        rank-bm25, so they are dropped."""
        lookup = self.segment.vocabulary.get
        terms = np.array([term for term in map(lookup, query_tokens) if term is not None], dtype=np.int64)
        offsets = self.segment.offsets
        return TermQuery(offsets[terms], offsets[terms + 1], self._idf[terms], self._absent[terms])
