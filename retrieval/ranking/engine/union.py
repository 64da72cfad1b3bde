"""Several indexes searched as one: rank-bm25's scores over their concatenated documents.

    base = SparseBM25.load(path, key)                  # a big index, built once
    server = SparseBM25.build(server_docs, base.params)  # a small one, built in milliseconds
    union = UnionBM25([base, server])
    union.top_k(query_tokens, 5)   # doc ids: base's 0..N_base-1, then server's from N_base on

Scores equal rank-bm25's over `base docs + server docs` (one corpus), because every statistic
BM25 takes from the collection is taken over the union: N, each term's document frequency,
the average document length and, for Okapi, the epsilon floor's mean idf over the union's
vocabulary (in its first-appearance order, which is the first part's vocabulary, then each
later part's new terms). The parts' postings hold term frequencies and lengths (segment.py), so
nothing is rebuilt: a union costs a per-part weight table of a few KB plus, for Okapi, one
pass over the vocabulary's document frequencies.

What `top_k` returns is SparseBM25's contract over the union (see index.py): only documents
containing a known query term, best first, ties to the lower union doc id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property

import numpy as np

from . import formulas
from .index import SparseBM25
from .params import BM25Params
from .segment import Segment, TermQuery, Weighting


class UnionBM25:
    """Immutable; cheap to make (no postings are copied) and safe to query from several threads."""

    def __init__(self, parts: Sequence[SparseBM25]) -> None:
        if not parts:
            raise ValueError("a union needs at least one index")
        params = parts[0].params
        if any(part.params != params for part in parts):
            raise ValueError("every part must use the same BM25 parameters")
        self.params: BM25Params = params
        self.parts = tuple(parts)
        self._segments = [part.segment for part in parts]
        self.n_docs = sum(segment.n_docs for segment in self._segments)
        total_length = sum(segment.total_length for segment in self._segments)
        self.avgdl = total_length / self.n_docs if self.n_docs else 0.0  # int / int, as rank-bm25
        self.doc_offsets = np.cumsum([0] + [segment.n_docs for segment in self._segments])  # part i: [i], [i + 1])
        self._weightings = [Weighting.of(segment, self.avgdl, params) for segment in self._segments]
        self._floor = (
            formulas.okapi_floor(union_doc_freqs(self._segments), self.n_docs, params)
            if params.variant == "okapi"
            else 0.0
        )

    def top_k(self, query_tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Up to k (union doc id, score) pairs, best first, among documents containing a query term."""
        queries = self._queries(query_tokens)
        if queries is None or k <= 0:
            return []
        found: list[tuple[float, int]] = []
        for segment, weighting, query, offset in zip(
            self._segments, self._weightings, queries, self.doc_offsets[:-1].tolist(), strict=True
        ):
            if query is not None:
                docs, scores = segment.top_k(query, weighting, k)
                found += zip((-scores).tolist(), (docs + offset).tolist(), strict=True)
        found.sort()  # a few k entries: score descending, then union doc id ascending
        return [(doc, -negated) for negated, doc in found[:k]]

    def get_scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """rank-bm25's get_scores over the concatenated documents (O(n_docs): for tests)."""
        queries = self._queries(query_tokens)
        if queries is None:
            return np.zeros(self.n_docs, dtype=np.float64)
        scores = []
        for segment, weighting, query in zip(self._segments, self._weightings, queries, strict=True):
            # A part none of whose documents holds a query term still gets BM25Plus's absent weights.
            scores.append(segment.scores(query or self._empty_query(queries), weighting))
        return np.concatenate(scores)

    @cached_property
    def vocabulary(self) -> Mapping[str, int]:
        """Every term of the union with its number in rank-bm25's vocabulary order over the
        concatenated documents (the first part's terms, then each later part's new ones); a view,
        not a copy of the first part's vocabulary."""
        return _UnionVocabulary([segment.vocabulary for segment in self._segments])

    def term_df(self, token: str) -> int:
        """Number of documents of the union containing `token`."""
        return sum(segment.term_df(token) for segment in self._segments)

    def idf(self, token: str) -> float:
        """The idf rank-bm25 would use for `token` over the union; 0.0 if unknown."""
        df = self.term_df(token)
        return formulas.term_idf(df, self.n_docs, self.params, self._floor) if df else 0.0

    def contains(self, token: str, doc_ids: np.ndarray) -> np.ndarray:
        """Which of `doc_ids` (union doc ids) contain `token`."""
        doc_ids = np.asarray(doc_ids)
        found = np.zeros(len(doc_ids), dtype=bool)
        part_of = np.searchsorted(self.doc_offsets, doc_ids, side="right") - 1
        for i, segment in enumerate(self._segments):
            mine = part_of == i
            if mine.any():
                found[mine] = segment.contains(token, doc_ids[mine] - self.doc_offsets[i])
        return found

    def docs_with(self, token: str) -> np.ndarray:
        """The union doc ids containing `token`, ascending."""
        found = [
            segment.docs[start:stop] + offset
            for segment, offset in zip(self._segments, self.doc_offsets[:-1].tolist(), strict=True)
            for start, stop in [segment.postings(token)]
            if start < stop
        ]
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    @staticmethod
    def _empty_query(queries: list[TermQuery | None]) -> TermQuery:
        """The query as seen by a part that has none of its terms: empty postings ranges."""
        some = next(query for query in queries if query is not None)
        none = np.zeros(len(some.idf), dtype=np.int64)
        return TermQuery(none, none, some.idf, some.absent)

    def _queries(self, query_tokens: Sequence[str]) -> list[TermQuery | None] | None:
        """Each part's view of the query's known terms (known to any part), in query order with
        repeats: None for a part that has none of them, None instead of the list if no part has any.
        A part lacking a term gets an empty postings range, so its documents still receive what
        that term adds to a document lacking it (BM25Plus)."""
        parts = []  # per part: (starts, stops) per query token, (0, 0) where the part lacks it
        doc_freqs = [0] * len(query_tokens)
        for segment in self._segments:
            lookup, offsets = segment.vocabulary.get, segment.offsets
            starts, stops = [0] * len(query_tokens), [0] * len(query_tokens)
            for j, term in enumerate(map(lookup, query_tokens)):
                if term is not None:
                    starts[j], stops[j] = int(offsets[term]), int(offsets[term + 1])
                    doc_freqs[j] += stops[j] - starts[j]
            parts.append((starts, stops))
        in_union = [j for j, df in enumerate(doc_freqs) if df]  # an unknown token adds exactly 0 in rank-bm25
        if not in_union:
            return None
        n_docs, params, floor = self.n_docs, self.params, self._floor
        idf = np.array([formulas.term_idf(doc_freqs[j], n_docs, params, floor) for j in in_union], dtype=np.float64)
        absent = formulas.absent_weights(idf, params)
        queries: list[TermQuery | None] = []
        for starts, stops in parts:
            kept_starts, kept_stops = [starts[j] for j in in_union], [stops[j] for j in in_union]
            has_postings = kept_starts != kept_stops  # a known term has df >= 1: start < stop
            queries.append(
                TermQuery(np.array(kept_starts, dtype=np.int64), np.array(kept_stops, dtype=np.int64), idf, absent)
                if has_postings
                else None
            )
        return queries


def union_doc_freqs(segments: Sequence[Segment]) -> np.ndarray:
    """int64 document frequency of every term of the union, in rank-bm25's vocabulary order over
    the concatenated documents: the first segment's terms, then each later segment's new ones."""
    first = segments[0].vocabulary
    doc_freqs = segments[0].doc_freqs().copy()
    later: dict[str, int] = {}  # term -> position among the terms the first segment lacks
    later_freqs: list[int] = []
    for segment in segments[1:]:
        for token, df in zip(segment.vocabulary, segment.doc_freqs().tolist(), strict=True):
            term = first.get(token)
            if term is not None:
                doc_freqs[term] += df
            elif (at := later.get(token)) is not None:
                later_freqs[at] += df
            else:
                later[token] = len(later_freqs)
                later_freqs.append(df)
    return np.concatenate([doc_freqs, np.array(later_freqs, dtype=np.int64)])


class _UnionVocabulary(Mapping):
    def __init__(self, vocabularies: Sequence[Mapping[str, int]]) -> None:
        self._first = vocabularies[0]
        self._later: dict[str, int] = {}  # the later parts' new terms -> their union number
        for vocabulary in vocabularies[1:]:
            for token in vocabulary:
                if token not in self._first and token not in self._later:
                    self._later[token] = len(self._first) + len(self._later)

    def __getitem__(self, token: str) -> int:
        found = self._first.get(token)
        return self._later[token] if found is None else found

    def __contains__(self, token: object) -> bool:
        return token in self._first or token in self._later

    def __iter__(self) -> Iterator[str]:
        yield from self._first
        yield from self._later

    def __len__(self) -> int:
        return len(self._first) + len(self._later)
