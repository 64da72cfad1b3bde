"""The engines under comparison, behind one small interface: build, save, open, top_k.

Every engine answers top_k with (doc index, score) pairs, best first. "ours" and rank-bm25 use
Okapi with k1=1.5, b=0.75, epsilon=0.25; bm25s uses its default "lucene" scoring with the same
k1 and b (it has no exact rank-bm25 variant), so its scores are not expected to match.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

Tokens = list[list[str]]
Hits = list[tuple[int, float]]
INDEX_KEY = "bench"


class Engine(Protocol):
    name: str
    can_save: bool

    def build(self, docs: Tokens) -> Any: ...
    def save(self, index: Any, directory: Path) -> None: ...
    def open(self, directory: Path) -> Any: ...
    def top_k(self, index: Any, query: list[str], k: int) -> Hits: ...


class Ours:
    """Okapi is "ours", the engine every ratio is taken against; the other variants are timed
    too because BM25Plus pays an extra pass per query term."""

    can_save = True

    def __init__(self, variant: str) -> None:
        self.variant = variant
        self.name = "ours" if variant == "okapi" else f"ours-{variant}"

    def build(self, docs: Tokens) -> Any:
        from retrieval.ranking.engine import BM25Params, SparseBM25

        return SparseBM25.build(docs, BM25Params(self.variant))

    def save(self, index: Any, directory: Path) -> None:
        index.save(directory / "index.sbm25", INDEX_KEY)

    def open(self, directory: Path) -> Any:
        from retrieval.ranking.engine import SparseBM25

        return SparseBM25.load(directory / "index.sbm25", INDEX_KEY)

    def top_k(self, index: Any, query: list[str], k: int) -> Hits:
        return index.top_k(query, k)


class OursUnion:
    """BM25Plus (the bot's variant) over a base index plus a small server index searched as one
    (UnionBM25): the last SERVER_PASSAGES passages form the server's segment, the rest the base.
    The union's documents are the same as ours-bm25plus's, so are its hits; build_s covers the
    base, the segment and the union view, each timed on its own in `figures`."""

    can_save = False
    name = "ours-bm25plus+server"
    SERVER_PASSAGES = 230  # 20 articles at the bench corpus's 11.5 passages per article

    def build(self, docs: Tokens) -> Any:
        import time

        from retrieval.ranking.engine import BM25Params, SparseBM25, UnionBM25

        params = BM25Params("bm25plus")
        cut = max(len(docs) - self.SERVER_PASSAGES, 0)
        started = time.perf_counter()
        base = SparseBM25.build(docs[:cut], params)
        built_base = time.perf_counter()
        server = SparseBM25.build(docs[cut:], params)
        built_server = time.perf_counter()
        union = UnionBM25([base, server])
        viewed = time.perf_counter()
        self.timings = {
            "base_build_s": built_base - started,
            "segment_build_ms": (built_server - built_base) * 1000,
            "union_view_ms": (viewed - built_server) * 1000,
            "okapi_floor_ms": self._okapi_floor_s(union) * 1000,
            "segment_passages": len(docs) - cut,
            "segment_postings": len(server.segment.docs),
            "segment_terms": len(server.segment.vocabulary),
            "pairs": [len(part.segment.pair_tf) for part in (base, server)],
            "segment_kib": _segment_bytes(server) / 1024,
            "view_kib": sum(w.factors.nbytes for w in union._weightings) / 1024,
        }
        return union

    @staticmethod
    def _okapi_floor_s(union: Any) -> float:
        """What an Okapi union adds to making the view: the floor's pass over the union's terms."""
        import time

        from retrieval.ranking.engine import BM25Params, formulas
        from retrieval.ranking.engine import union as unions

        started = time.perf_counter()
        formulas.okapi_floor(unions.union_doc_freqs([p.segment for p in union.parts]), union.n_docs, BM25Params())
        return time.perf_counter() - started

    def figures(self, index: Any) -> dict:
        return self.timings

    def save(self, index: Any, directory: Path) -> None:
        raise NotImplementedError

    def open(self, directory: Path) -> Any:
        raise NotImplementedError

    def top_k(self, index: Any, query: list[str], k: int) -> Hits:
        return index.top_k(query, k)


def _segment_bytes(index: Any) -> int:
    """A SparseBM25's arrays: postings, pair table, idf and absent weights, scratch; not its
    vocabulary dict (Python objects)."""
    segment = index.segment
    arrays = [*segment.arrays().values(), index._idf, index._absent, *(w.factors for w in [index._weighting])]
    scratch = segment._scratch
    arrays += [scratch.slots, scratch.touched_docs, scratch.touched_scores, scratch.touched_stamps]
    return sum(a.nbytes for a in arrays)


class RankBM25:
    """rank-bm25's get_top_n, with its unstable argsort replaced by a stable sort of -score so
    ties go to the lower doc index, the rule our engine documents."""

    name = "rank-bm25"
    can_save = False  # it has no storage of its own

    def build(self, docs: Tokens) -> Any:
        from rank_bm25 import BM25Okapi

        return BM25Okapi(docs)

    def save(self, index: Any, directory: Path) -> None:
        raise NotImplementedError

    def open(self, directory: Path) -> Any:
        raise NotImplementedError

    def top_k(self, index: Any, query: list[str], k: int) -> Hits:
        scores = index.get_scores(query)
        best = np.argsort(-scores, kind="stable")[:k]
        return list(zip(best.tolist(), scores[best].tolist(), strict=True))


class BM25S:
    can_save = True

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.name = f"bm25s-{backend}"

    def build(self, docs: Tokens) -> Any:
        import bm25s

        index = bm25s.BM25(k1=1.5, b=0.75, backend=self.backend)
        index.index(docs, show_progress=False)
        return index

    def save(self, index: Any, directory: Path) -> None:
        index.save(str(directory / "bm25s"))

    def open(self, directory: Path) -> Any:
        import bm25s

        return bm25s.BM25.load(str(directory / "bm25s"), mmap=True)

    def top_k(self, index: Any, query: list[str], k: int) -> Hits:
        docs, scores = index.retrieve([query], k=k, show_progress=False, n_threads=0)
        return list(zip(docs[0].tolist(), scores[0].tolist(), strict=True))


ENGINES: dict[str, Engine] = {
    e.name: e
    for e in (
        Ours("okapi"),
        Ours("bm25l"),
        Ours("bm25plus"),
        OursUnion(),
        RankBM25(),
        BM25S("numpy"),
        BM25S("numba"),
    )
}
