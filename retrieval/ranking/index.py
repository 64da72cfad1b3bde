"""A BM25 index over a corpus's passages: the serving engine plus what relevance needs.

The engine (retrieval/ranking/engine) reproduces rank-bm25's scores exactly; rank-bm25 itself stays
the reference in tests. A built index is saved in the data directory under a key made of
everything it depends on, so an unchanged corpus is opened (memory-mapped), not re-analysed.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from retrieval.analysis.analyzer import ANALYZER_DATA_FILES, ANALYZER_VERSION, Analyzer, default_analyzer
from retrieval.corpus.collection import Corpus, LayeredCorpus
from retrieval.corpus.snapshot import sources_slot
from retrieval.datafiles import data_fingerprint
from retrieval.ranking.acronyms import CorpusAcronyms
from retrieval.ranking.engine import BM25Params, SparseBM25, UnionBM25
from retrieval.ranking.fuzzy import FuzzyVocabulary, LayeredFuzzy

log = logging.getLogger(__name__)
# (stage, done, total): stage is "analysing" (the larger cost) or "indexing".
Progress = Callable[[str, int, int], None]
_ANALYSIS_CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class RankingConfig:
    """BM25 variant and parameters; chosen by measurement (README, "Figures"; bench/README.md)."""

    variant: str = "bm25plus"  # "okapi" | "bm25l" | "bm25plus", with rank-bm25's formulas
    k1: float = 1.2
    b: float = 0.75
    delta: float = 1.0
    title_in_passages: bool = True  # the article title is indexed with each of its passages

    def __post_init__(self) -> None:
        self.params  # noqa: B018 — BM25Params refuses impossible settings (k1 < 0, b > 1, ...)

    @property
    def params(self) -> BM25Params:
        return BM25Params(self.variant, self.k1, self.b, self.delta if self.variant != "okapi" else None)


def build_ranker(docs: Sequence[Sequence[str]], config: RankingConfig, progress: Progress | None = None) -> SparseBM25:
    """The serving engine over tokenised documents; doc i is result index i."""
    report = (lambda done, total: progress("indexing", done, total)) if progress else None
    return SparseBM25.build(docs, config.params, report)


class PassageIndex:
    def __init__(self, corpus: Corpus, engine: SparseBM25, analyzer: Analyzer, config: RankingConfig) -> None:
        self.corpus = corpus
        self.engine = engine
        self.analyzer = analyzer
        self.config = config

    @classmethod
    def build(
        cls,
        corpus: Corpus,
        analyzer: Analyzer | None = None,
        config: RankingConfig | None = None,
        progress: Progress | None = None,
        saved_as: Path | None = None,
    ) -> PassageIndex:
        """Open the index saved at `saved_as` if it is exactly for this corpus and these settings;
        else build it (and save it there)."""
        analyzer = analyzer or default_analyzer()
        config = config or RankingConfig()
        index = cls(corpus, None, analyzer, config)  # type: ignore[arg-type]
        key = passages_key(corpus, config) if saved_as is not None else ""
        index.engine = open_or_build(saved_as, key, lambda: index._analyse_all(progress), config, progress)
        return index

    def _analyse_all(self, progress: Progress | None) -> list[list[str]]:
        total = len(self.corpus.passages)
        titles: dict[str, list[str]] = {}  # an article's title is analysed once, not per passage
        docs = []
        for i, passage in enumerate(self.corpus.passages):
            title = titles.get(passage.article.id)
            if title is None:
                title = titles[passage.article.id] = self._title_terms(passage.article.title)
            docs.append(self.analyzer.terms(passage.text) + title)
            if progress and (i + 1) % _ANALYSIS_CHUNK == 0:
                progress("analysing", i + 1, total)
        if progress:
            progress("analysing", total, total)
        return docs

    def _title_terms(self, title: str) -> list[str]:
        return self.analyzer.terms(title) if self.config.title_in_passages else []

    def passage_terms(self, i: int) -> list[str]:
        """The terms passage i is indexed under (its text, and its article's title)."""
        passage = self.corpus.passages[i]
        return self.analyzer.terms(passage.text) + self._title_terms(passage.article.title)

    @property
    def size(self) -> int:
        return len(self.corpus.passages)

    def df(self, term: str) -> int:
        return self.engine.term_df(term)

    def relevance_idf(self, term: str) -> float:
        """A positive idf for judging relevance (independent of the ranking variant's quirks).

        A word the corpus never uses weighs as if it occurred once: its absence is evidence the
        question is about something else, but no stronger than a word seen in one passage.
        """
        n, df = self.size, max(1, self.df(term))
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def search(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """(passage index, score), best first; only passages sharing a term with the query.
        Ties go to the earlier passage (corpus order)."""
        return self.engine.top_k(terms, k)

    def search_expanded(
        self, terms: Sequence[str], expanded: Sequence[str], weight: float, k: int
    ) -> list[tuple[int, float]]:
        """As `search`, with `expanded` terms (fuzzy corrections, lexicon expansions) adding `weight`
        times their own BM25 score: they can lift a passage, never outweigh the question's words."""
        if not expanded:
            return self.search(terms, k)
        repeats = round(1 / weight) if weight > 0 else 0
        if repeats >= 1 and abs(repeats * weight - 1) < 1e-9:
            # BM25 adds each query token's score, repeats included: the question's words said `repeats`
            # times and each expanded term once score `repeats` times the weighted sum, so the engine's
            # own top_k (cost: the terms' postings) ranks them, where scoring every passage cost O(N).
            hits = self.engine.top_k(list(terms) * repeats + list(expanded), k)
            return [(i, score / repeats) for i, score in hits]
        scores = self.engine.get_scores(terms) + weight * self.engine.get_scores(expanded)
        touched = np.flatnonzero(self._touching(list(terms) + list(expanded), scores))
        if len(touched) == 0:
            return []
        order = touched[np.lexsort((touched, -scores[touched]))][:k]
        return [(int(i), float(scores[i])) for i in order]

    def _touching(self, terms: Sequence[str], scores: np.ndarray) -> np.ndarray:
        """Which passages hold at least one of `terms` (the engine's `top_k` returns only those)."""
        held = np.zeros(len(scores), dtype=bool)
        everything = np.arange(len(scores), dtype=np.int32)
        for term in dict.fromkeys(terms):
            if self.engine.term_df(term):
                held |= self.engine.contains(term, everything)
        return held

    @cached_property
    def acronyms(self) -> CorpusAcronyms:
        """The acronyms this corpus defines ("FA" for Football Association), found as questions ask."""
        return CorpusAcronyms(self)

    @cached_property
    def fuzzy(self) -> FuzzyVocabulary:
        """The index vocabulary for correcting question words it does not contain (built on first use)."""
        return FuzzyVocabulary({term: self.engine.term_df(term) for term in self.engine.vocabulary})


class JoinedPassageIndex(PassageIndex):
    """A base index and a server's passages searched as one corpus, the base left as it is: the
    server's passages form a small engine with the base's parameters, and both are searched as a
    `UnionBM25`, whose scores, document frequencies and N are those of one index over both.
    Fuzzy correction reuses the base's vocabulary and adds the server's new terms."""

    def __init__(self, base: PassageIndex, corpus: LayeredCorpus) -> None:
        super().__init__(corpus, base.engine, base.analyzer, base.config)
        self.base = base
        titles: dict[str, list[str]] = {}
        docs = []
        for passage in corpus.own_passages:
            title = titles.get(passage.article.id)
            if title is None:
                title = titles[passage.article.id] = self._title_terms(passage.article.title)
            docs.append(self.analyzer.terms(passage.text) + title)
        self.own_engine = SparseBM25.build(docs, base.config.params) if docs else None
        if self.own_engine is not None:
            self.engine = UnionBM25([base.engine, self.own_engine])  # type: ignore[assignment]

    def _touching(self, terms: Sequence[str], scores: np.ndarray) -> np.ndarray:
        # Marked from the terms' postings: O(df), where a membership test of every passage of the
        # union costs O(N log df) per part (twice the base's own time at 100k passages).
        held = np.zeros(len(scores), dtype=bool)
        for term in dict.fromkeys(terms):
            held[self.engine.docs_with(term)] = True
        return held

    @cached_property
    def acronyms(self) -> CorpusAcronyms:  # type: ignore[override]
        # The base's articles read once for every server: their phrases are kept by the base's reader.
        return CorpusAcronyms(self, self.base.acronyms.articles)

    @cached_property
    def fuzzy(self) -> LayeredFuzzy | FuzzyVocabulary:  # type: ignore[override]
        if self.own_engine is None:
            return self.base.fuzzy
        known = self.base.engine.vocabulary
        added = [term for term in self.own_engine.vocabulary if term not in known]
        return LayeredFuzzy(self.base.fuzzy, added, self.engine.term_df)


def settings_key(config: RankingConfig) -> hashlib.blake2b:
    """A digest primed with what every saved index depends on: analyzer, lexicons and ranking."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(
        f"{ANALYZER_VERSION}\0{data_fingerprint(ANALYZER_DATA_FILES)}\0{sorted(asdict(config).items())}\0".encode()
    )
    return digest


def passages_key(corpus: Corpus, config: RankingConfig) -> str:
    """Everything a saved passage index depends on: passages with their titles, and the settings."""
    digest = settings_key(config)
    for passage in corpus.passages:
        digest.update(f"{passage.id}\0{passage.article.title}\0{passage.text}\0".encode())
    return digest.hexdigest()


def saved_index_path(data_dir: Path, kind: str, source: Path | Sequence[Path]) -> Path:
    """One slot per corpus path (or list of paths) and kind: a changed corpus overwrites its own
    slot, no other."""
    sources = [source] if isinstance(source, str | Path) else source
    return Path(data_dir) / "index" / f"{kind}-{sources_slot(sources)}.bm25"


def open_or_build(
    path: Path | None,
    key: str,
    analysed: Callable[[], Sequence[Sequence[str]]],
    config: RankingConfig,
    progress: Progress | None = None,
) -> SparseBM25:
    """The engine saved at `path` under `key`, or one built from `analysed()` and saved there.

    A missing, corrupt, truncated or mismatched file is never served: the engine's loader
    refuses it and the index is rebuilt, then written to a temporary file and renamed.
    """
    if path is not None:
        engine = SparseBM25.load(path, key)
        if engine is not None:
            log.info("opened the saved index %s", path)
            return engine
    engine = build_ranker(analysed(), config, progress)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            engine.save(path, key)
        except OSError as error:  # a read-only data dir costs a rebuild next time, nothing more
            log.warning("could not save the index to %s (%s)", path, error)
    return engine
