"""A BM25 index over a corpus's passages, with what relevance decisions need (df, idf)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import rank_bm25

from retrieval.analysis import Analyzer, default_analyzer
from retrieval.corpus import Corpus


@dataclass(frozen=True, slots=True)
class RankingConfig:
    """BM25 variant and parameters; chosen by measurement (see README, "Ranking")."""

    variant: str = "bm25plus"  # "okapi" | "bm25l" | "bm25plus", as in rank-bm25
    k1: float = 1.2
    b: float = 0.75
    delta: float = 1.0
    title_in_passages: bool = True  # the article title is indexed with each of its passages


_RANK_BM25 = {"okapi": rank_bm25.BM25Okapi, "bm25l": rank_bm25.BM25L, "bm25plus": rank_bm25.BM25Plus}


class _ReferenceRanker:
    """rank-bm25 behind the engine's interface; selects among documents sharing a query term."""

    def __init__(self, docs: list[list[str]], config: RankingConfig) -> None:
        params = {"k1": config.k1, "b": config.b}
        if config.variant != "okapi":
            params["delta"] = config.delta
        self._bm25 = _RANK_BM25[config.variant](docs or [[]], **params)
        self._postings: dict[str, list[int]] = {}
        for i, doc in enumerate(docs):
            for term in set(doc):
                self._postings.setdefault(term, []).append(i)

    def top_k(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        matched = sorted({i for t in terms for i in self._postings.get(t, ())})
        if not matched or k <= 0:
            return []
        scores = np.asarray(self._bm25.get_batch_scores(list(terms), matched))
        order = np.lexsort((np.arange(len(matched)), -scores))[:k]
        return [(matched[i], float(scores[i])) for i in order]


def build_ranker(docs: list[list[str]], config: RankingConfig) -> _ReferenceRanker:
    return _ReferenceRanker(docs, config)


class PassageIndex:
    def __init__(self, corpus: Corpus, analyzer: Analyzer | None = None, config: RankingConfig | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.corpus = corpus
        self.analyzer = analyzer or default_analyzer()
        self.config = config or RankingConfig()
        self.doc_terms = [self._passage_terms(i) for i in range(len(corpus.passages))]
        self._df: dict[str, int] = {}
        for terms in self.doc_terms:
            for term in set(terms):
                self._df[term] = self._df.get(term, 0) + 1
        self._ranker = build_ranker(self.doc_terms, self.config)

    def _passage_terms(self, i: int) -> list[str]:
        passage = self.corpus.passages[i]
        terms = self.analyzer.terms(passage.text)
        if self.config.title_in_passages:
            terms += self.analyzer.terms(passage.article.title)
        return terms

    @property
    def size(self) -> int:
        return len(self.corpus.passages)

    def df(self, term: str) -> int:
        return self._df.get(term, 0)

    def relevance_idf(self, term: str) -> float:
        """A positive idf for judging relevance (independent of the ranking variant's quirks).

        A word the corpus never uses weighs as if it occurred once: its absence is evidence the
        question is about something else, but no stronger than a word seen in one passage.
        """
        n, df = self.size, max(1, self.df(term))
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def search(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """(passage index, score), best first; only passages sharing a term with the query."""
        return self._ranker.top_k(terms, k)
