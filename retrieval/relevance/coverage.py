"""Whether a passage is relevant enough to show, independent of corpus size.

Raw BM25 scores grow with corpus size and query length, so a fixed score cutoff cannot work
on both one article and a thousand. Instead we ask how much of the question's information a
passage covers: the idf-weighted share of the question's distinct terms that the passage
contains. A question whose rare, specific words appear nowhere ("banana bread recipe") covers
little even when a common word ("best") matches somewhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

# Measured on the seed (27 passages) and the seed + 818 news articles (31k passages) with
# hand-written off-topic questions (tests/data/offtopic_questions.txt): see README, "Relevance".
# The more passages, the likelier one covers a good share of an off-topic question by chance,
# so the bar rises by STEP for every tenfold growth of the corpus beyond SMALL_CORPUS passages.
BASE_COVERAGE = 0.45
STEP_PER_TENFOLD = 0.05
MAX_COVERAGE = 0.7
SMALL_CORPUS = 30
# A passage shown after the best one may cover a little less, never noise.
OTHERS_MARGIN = 0.1


def min_coverage(n_passages: int) -> float:
    """The share of a question a passage must cover to be shown as an answer."""
    growth = math.log10(max(n_passages, SMALL_CORPUS) / SMALL_CORPUS)
    return min(MAX_COVERAGE, BASE_COVERAGE + STEP_PER_TENFOLD * growth)


def coverages(
    question_terms: Iterable[str], contains: Callable[[str], np.ndarray], idf: Callable[[str], float], n_candidates: int
) -> np.ndarray:
    """For each candidate passage, the share of the question's idf mass (distinct terms) it
    contains, 0..1; `contains(term)` says which candidates hold a term."""
    weights = {term: idf(term) for term in set(question_terms)}
    total = sum(weights.values())
    covered = np.zeros(n_candidates)
    if total <= 0:
        return covered
    for term, weight in weights.items():
        covered += weight * contains(term)
    return covered / total
