"""Question in, `Answer` out: retrieval, the relevance decision, trust notes, diversity, caveats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from retrieval.answer import Answer, AnsweredPassage
from retrieval.ranking.index import PassageIndex
from retrieval.relevance.coverage import OTHERS_MARGIN, coverages, min_coverage
from retrieval.trust.annotations import Annotator
from retrieval.trust.caveats import answer_caveats, no_match
from retrieval.trust.stance import is_yes_no_question, passage_stance

MAX_QUESTION_CHARS = 2000
DEFAULT_K = 3
MAX_PASSAGES = 50  # how deep we look for relevant passages (and "more passages" can go)


class QuestionError(ValueError):
    """A question we cannot even try to answer (empty); the message is for the member."""


def normalize_question(question: str) -> str:
    """One line, single spaces, at most MAX_QUESTION_CHARS characters."""
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


def validate_question(question: str) -> str:
    text = normalize_question(question)
    if not text:
        raise QuestionError("Please ask a question, e.g. “Did North Korea send arms?”")
    return text


@dataclass(frozen=True, slots=True)
class _Candidate:
    index: int
    score: float
    coverage: float


class Answerer:
    def __init__(self, index: PassageIndex, today: Callable[[], date] = date.today) -> None:
        self.index = index
        self.corpus = index.corpus
        self._annotator = Annotator(self.corpus)
        self._today = today

    def answer(self, question: str, k: int = DEFAULT_K, offset: int = 0) -> Answer:
        """The k most relevant passages after the first `offset` ("more passages"), with caveats.

        Never raises for any question text: an unanswerable one gets `confident=False`.
        """
        question = normalize_question(question)
        terms = self.index.analyzer.terms(question)
        query_terms = tuple(dict.fromkeys(terms))
        bar = min_coverage(self.index.size)
        candidates = self._relevant(terms, bar - OTHERS_MARGIN)
        if not candidates or max(c.coverage for c in candidates) < bar:
            return Answer(question, False, (), (no_match(),), query_terms)
        if is_yes_no_question(question):
            # Every candidate's stance is needed to give each side a place.
            shown = tuple(_with_both_sides([self._answered(c, True) for c in candidates], k)[offset : offset + k])
        else:
            # Only the passages shown are annotated: attribution reads their whole articles.
            shown = tuple(self._answered(c, False) for c in candidates[offset : offset + k])
        caveats = tuple(answer_caveats(shown, self._today())) if shown else ()
        return Answer(question, True, shown, caveats, query_terms)

    def _relevant(self, terms: list[str], bar: float) -> list[_Candidate]:
        """Candidates in ranking order that cover at least `bar` of the question."""
        hits = self.index.search(terms, MAX_PASSAGES)
        ids = np.array([i for i, _ in hits], dtype=np.int32)
        covered = coverages(
            terms, lambda term: self.index.engine.contains(term, ids), self.index.relevance_idf, len(ids)
        )
        return [_Candidate(i, score, float(cov)) for (i, score), cov in zip(hits, covered, strict=True) if cov >= bar]

    def describe(self, passage_id: str, score: float = 0.0, stance: str | None = None) -> AnsweredPassage:
        """A passage with its source and trust notes, as every surface shows it."""
        passage = self.corpus.passage(passage_id)
        if passage is None:
            raise KeyError(passage_id)
        notes = self._annotator.notes(passage.id)
        return AnsweredPassage(
            id=passage.id,
            text=passage.text,
            score=score,
            paragraph=passage.paragraph,
            article=passage.article.ref,
            also_in=self.corpus.also_in.get(passage.id, ()),
            speaker=notes.attribution.speaker,
            cue=notes.attribution.cue,
            hedges=notes.hedges,
            stance=stance,
        )

    def _answered(self, candidate: _Candidate, yes_no: bool) -> AnsweredPassage:
        passage = self.corpus.passages[candidate.index]
        notes = self._annotator.notes(passage.id)
        stance = passage_stance(passage.text, notes.hedges, notes.attribution) if yes_no else None
        return self.describe(passage.id, candidate.score, stance)


def _with_both_sides(passages: list[AnsweredPassage], k: int) -> list[AnsweredPassage]:
    """Every stance the relevant passages take gets a place in the top k, where there is room.

    A passage of a missing stance replaces the lowest-ranked top-k passage whose stance is
    already shown. Diversity over stances, not a lower bar: every candidate here passed
    relevance, and the rest keep their order.
    """
    top, rest = list(passages[:k]), list(passages[k:])
    for candidate in list(rest):
        shown = [p.stance for p in top]
        if candidate.stance in shown:
            continue
        duplicated = [i for i in range(len(top) - 1, -1, -1) if shown.count(top[i].stance) > 1]
        if not duplicated:
            break
        dropped = top.pop(duplicated[0])
        top.append(candidate)
        rest.remove(candidate)
        rest.insert(0, dropped)
    return top + rest
