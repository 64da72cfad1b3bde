"""What the confidence model reads about a (question, passage) pair: a few numbers, each corpus-size aware.

Raw BM25 scores grow with corpus size and question length, so every feature is a share or a ratio:
how much of the question's idf mass the passage holds, whether its rarest word is missing, how far
the passage stands above the best passage of another article, how much of the match came from a
fuzzy or expanded reading of the question. The corpus size itself is a feature, because the more
passages there are, the likelier one covers a good share of an off-topic question by chance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

FEATURES = (
    "coverage",  # idf-weighted share of the question's distinct terms in the passage (text or title)
    "text_coverage",  # the same share counting the passage's own text only
    "rarest_missing",  # idf of the rarest question term the passage lacks, over the question's top idf
    "score_share",  # the passage's score over the best score for this question
    "article_margin",  # (score - best score of another article) / best score
    "score_per_idf",  # score over the question's idf mass: how strongly the words match
    "expanded_share",  # share of the covered idf mass matched only through fuzzy/expanded terms
    "question_terms",  # log(1 + distinct terms)
    "corpus_size",  # log10 of the passage count
    "coverage_x_size",  # coverage times corpus_size: the bar rises with the corpus
    "unknown_share",  # share of the question's idf mass in words the corpus never uses
    "best_coverage",  # the best coverage among all candidates (the same for each)
    "coverage_gap",  # best_coverage - coverage: how far this passage is from the best one
    # coverage where every candidate is of one article, else 0: article_margin is then against another
    # passage of the same article, which says less (a one-article corpus, a server's first article)
    "alone_coverage",
)


@dataclass(frozen=True, slots=True)
class QuestionTerms:
    """The question's distinct terms with their relevance weights; `expanded` marks terms that the
    question did not contain as written (fuzzy corrections, lexicon expansions)."""

    weights: dict[str, float]
    expanded: frozenset[str] = frozenset()
    unknown: frozenset[str] = frozenset()  # terms of the question that no passage contains

    @property
    def total(self) -> float:
        return sum(w for t, w in self.weights.items() if t not in self.expanded) or sum(self.weights.values())


def candidate_features(
    terms: QuestionTerms,
    scores: Sequence[float],
    articles: Sequence[str],
    contains: Callable[[str], np.ndarray],
    in_text: Callable[[str], np.ndarray],
    n_passages: int,
) -> np.ndarray:
    """One row of FEATURES per candidate (candidates best first); `contains(term)` and `in_text(term)`
    say which candidates hold a term anywhere / in their own text."""
    n = len(scores)
    out = np.zeros((n, len(FEATURES)))
    if n == 0 or not terms.weights:
        return out
    original = {t: w for t, w in terms.weights.items() if t not in terms.expanded}
    total = terms.total
    top_idf = max(original.values(), default=max(terms.weights.values()))
    covered = np.zeros(n)
    covered_text = np.zeros(n)
    via_expansion = np.zeros(n)
    rarest_missing = np.zeros(n)
    for term, weight in original.items():
        held = contains(term)
        covered += weight * held
        covered_text += weight * in_text(term)
        rarest_missing = np.maximum(rarest_missing, np.where(held, 0.0, weight / top_idf))
    for term in terms.expanded:
        held = contains(term)
        via_expansion += terms.weights[term] * held
    # An expanded term stands in for a question word the passage lacks: it counts towards coverage,
    # at its own (reduced) weight, and never beyond the whole question.
    coverage = np.minimum(1.0, (covered + via_expansion) / total)
    score = np.asarray(scores, dtype=float)
    best = score[0] if score[0] > 0 else 1.0
    size = math.log10(max(n_passages, 1))
    out[:, 0] = coverage
    out[:, 1] = np.minimum(1.0, covered_text / total)
    out[:, 2] = rarest_missing
    out[:, 3] = score / best
    out[:, 4] = _article_margins(score, articles) / best
    out[:, 5] = score / max(sum(terms.weights.values()), 1e-9)
    out[:, 6] = np.where(covered + via_expansion > 0, via_expansion / np.maximum(covered + via_expansion, 1e-9), 0.0)
    out[:, 7] = math.log1p(len(original))
    out[:, 8] = size
    out[:, 9] = coverage * size
    out[:, 10] = sum(w for t, w in original.items() if t in terms.unknown) / total
    out[:, 11] = coverage.max()
    out[:, 12] = coverage.max() - coverage
    out[:, 13] = coverage * (len(set(articles)) == 1)
    return out


def _article_margins(scores: np.ndarray, articles: Sequence[str]) -> np.ndarray:
    """For each candidate, its score minus the best score among candidates of other articles; where no
    other article shares a word (a one-article corpus), minus the best other candidate's score."""
    margins = np.empty(len(scores))
    best_by_article: dict[str, float] = {}
    for score, article in zip(scores, articles, strict=True):
        best_by_article.setdefault(article, float(score))  # candidates come best first
    ranked = sorted(best_by_article.items(), key=lambda item: -item[1])
    for i, (score, article) in enumerate(zip(scores, articles, strict=True)):
        other = next((s for a, s in ranked if a != article), None)
        if other is None:
            other = next((float(s) for j, s in enumerate(scores) if j != i), float(score))
        margins[i] = score - other
    return margins
