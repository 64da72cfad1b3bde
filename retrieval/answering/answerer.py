"""Question in, `Answer` out: retrieval, the relevance decision, trust notes, diversity, caveats."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from retrieval.analysis.claims import claim_question, question_body
from retrieval.answer import Answer, AnsweredPassage
from retrieval.corpus.passages import Passage
from retrieval.ranking.acronyms import SMALL_WORDS
from retrieval.ranking.index import PassageIndex
from retrieval.ranking.reading import EXPANDED_WEIGHT, Reading, read_question
from retrieval.relevance.asked_value import SPEECH, asked_speaker, asked_value, holds_value, missing_value
from retrieval.relevance.confidence import ANSWER, NONE, RELATED, ConfidenceModel, default_model
from retrieval.relevance.features import QuestionTerms, candidate_features
from retrieval.trust.annotations import Annotator
from retrieval.trust.attribution.lexicon import CUE
from retrieval.trust.attribution.speaker_match import is_asked_speaker
from retrieval.trust.caveats import answer_caveats, low_confidence, no_match, question_reading
from retrieval.trust.stance import is_yes_no_question, passage_stance

MAX_QUESTION_CHARS = 2000
DEFAULT_K = 3
MAX_PASSAGES = 50  # how deep we look for relevant passages (and "more passages" can go)
ORDER_BY_PROBABILITY = (
    True  # the model weighs coverage and margin with the score: better hit@3 on XQuAD and the dev set
)
ARTICLE_CAP = 2  # passages of one article among each k shown, while other articles can fill the place
# A passage of an answering article drawn in for its stance must hold this share of the question's own
# weight: the other side of the story is about the claim, not a paragraph sharing a name with it.
# Measured on 45 labelled yes/no questions (bench/README, "Stance"); the seed's SIPRI paragraph,
# which says "acquired" and "back it up" for "send", holds 0.27.
SAME_ARTICLE_SHARE = 0.25
# A passage shown beside the answer below `answer` level makes its article one that may give the other
# side of the story only while it is at least this share as probable as the best passage: a near-answer
# (the seed's accusation under a news answer, 0.365 beside 0.479) is about the matter, a filler at the
# related bar (a mad-cow article's 0.024 beside a Ukraine feed answer's 0.69) merely shares words.
SAME_MATTER_SHARE = 0.5


# What may stand between the words of one phrase read for an acronym: its long form's small words.
_JOINS = re.compile(rf"\s+(?:{SMALL_WORDS}\s+)*")


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
class Candidate:
    index: int  # passage index in the corpus
    score: float
    probability: float  # that it answers the question (retrieval/relevance/confidence.py)
    features: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class _Asks:
    """The kind of value a question asks for, and for "what did X say", the words naming X."""

    kind: str | None
    speaker: tuple[str, ...] = ()

    @classmethod
    def of(cls, question: str) -> _Asks:
        body = question_body(question)
        return cls(asked_value(body), asked_speaker(body))


class Answerer:
    def __init__(
        self,
        index: PassageIndex,
        today: Callable[[], date] = date.today,
        model: ConfidenceModel | None = None,
    ) -> None:
        self.index = index
        self.corpus = index.corpus
        self.model = model or default_model()
        self._annotator = Annotator(self.corpus)
        self._titles: dict[str, frozenset[str]] = {}
        self._today = today

    def answer(self, question: str, k: int = DEFAULT_K, offset: int = 0) -> Answer:
        """The k most relevant passages after the first `offset` ("more passages"), with caveats.

        Never raises for any question text: nothing relevant gives `confidence="none"`.
        """
        question = normalize_question(question)
        reading = self.read(question)
        query_terms = tuple(dict.fromkeys(reading.terms + reading.expanded))
        asks = _Asks.of(question)
        candidates = self._short_of_the_value(self._candidates(reading), asks)
        top = max(candidates, key=lambda c: c.probability, default=None)
        level = (
            NONE
            if top is None
            else self.model.level(
                top.probability, self.model.question_probability(np.asarray(top.features), top.probability)
            )
        )
        if level == NONE:
            return Answer(question, False, (), (no_match(),), query_terms, NONE)
        ranked = sorted(candidates, key=lambda c: -c.probability) if ORDER_BY_PROBABILITY else candidates
        shown_ones = at_most_per_article(
            # Under an answer, only passages at least related; a related answer shows the closest ones.
            [c for c in ranked if level == RELATED or c.probability >= self.model.related_at],
            lambda c: self.corpus.passages[c.index].article.id,
            k,
            ARTICLE_CAP,
            lambda c: (c.probability >= self.model.answer_at) + (c.probability >= self.model.related_at),
        )
        if is_yes_no_question(question):
            # Every stance gets a place, but only from a passage that would itself be shown at `answer`
            # level, or from another passage of an article that answers or is shown as nearly as probable
            # beside the answer (it is about the same matter), never from one that merely shares words.
            # Same-article passages are tried in order of how much of the question they hold.
            head = shown_ones[:k]
            answering = [c for c in candidates if c.probability >= self.model.answer_at]
            beside = [c for c in head if level == ANSWER and c.probability >= SAME_MATTER_SHARE * top.probability]
            articles = {self.corpus.passages[c.index].article.id for c in answering + beside}
            taken = {c.index for c in head}
            others = [c for c in answering if c.index not in taken]
            same = self._same_article_passages(articles, reading, taken | {c.index for c in others})
            rest = [c for c in shown_ones[k:] if c.index not in {x.index for x in others + same}]
            # Passages past the page asked for are never shown: not annotated.
            pool = head + others + same + rest[: offset + k]
            swappable = {c.index for c in others + same}
            answered = [self._answered(c, reading) for c in pool]
            may_swap = {p.id for p, c in zip(answered, pool, strict=True) if c.index in swappable}
            shown = tuple(_with_both_sides(answered, k, lambda p: p.id in may_swap)[offset : offset + k])
        else:
            # Only the passages shown are annotated: attribution reads their whole articles.
            shown = tuple(self._answered(c, None) for c in shown_ones[offset : offset + k])
        caveats = list(answer_caveats(shown, self._today())) if shown else []
        readings = self._readings(question, reading, shown)
        if readings:
            caveats.insert(0, question_reading([(w, r) for w, r, _ in readings], [i for _, _, i in readings]))
        if level == RELATED:
            missing = asks.kind is not None and not any(
                self._holds_value(asks, self.corpus.passage(p.id)) for p in shown
            )
            caveats.insert(0, low_confidence(missing_value(asks.kind, asks.speaker) if missing else None))
        return Answer(question, level == ANSWER, shown, tuple(caveats), query_terms, level)

    def _in_text(self, term: str, passages: list, ids: np.ndarray) -> np.ndarray:
        """Which candidates hold `term` in their own text, not only in their article's title; a
        passage is analysed only when its title holds the term too (rare: titles are short)."""
        held = self.index.engine.contains(term, ids)
        for j in np.flatnonzero(held).tolist():
            if term in self._title_terms(passages[j].article.title):
                held[j] = term in self.index.analyzer.terms(passages[j].text)
        return held

    def _title_terms(self, title: str) -> frozenset[str]:
        terms = self._titles.get(title)
        if terms is None:
            if len(self._titles) > 100_000:
                self._titles.clear()
            terms = self._titles[title] = frozenset(self.index.analyzer.terms(title))
        return terms

    def _same_article_passages(self, articles: set[str], reading: Reading, seen: set[int]) -> list[Candidate]:
        """Passages of these articles beyond the ranked candidates that hold one of the question's own
        terms (a long article's other side of the story can rank below other articles' passages)."""
        own = set(reading.terms)
        total = sum(w for t, w in reading.weights.items() if t not in reading.stands_for)
        found: list[tuple[float, int]] = []
        for article in sorted(articles):
            for passage in self.corpus.article_passages(article):
                i = self.corpus._by_id.get(passage.id)  # noqa: SLF001
                if i is None or i in seen or self.corpus.passages[i].id != passage.id:
                    continue
                held = set(self.index.analyzer.terms(passage.text))
                weight = _held_weight(reading, held)
                if own & held and weight >= SAME_ARTICLE_SHARE * total:
                    found.append((weight, i))
                    seen.add(i)
        # The passage holding most of the question's weight first: the likeliest other side of the story.
        return [Candidate(i, 0.0, 0.0) for _, i in sorted(found, key=lambda f: (-f[0], f[1]))]

    def _readings(
        self, question: str, reading: Reading, shown: tuple[AnsweredPassage, ...]
    ) -> list[tuple[str, str, str]]:
        """(as written, as read, passage id) where a shown passage matched only through an expanded
        term: the word of the question it stands for is not in that passage."""
        analyzer = self.index.analyzer
        asked = {t: question[a:b] for a, b, terms in analyzer.words(question) for t in terms}
        out: list[tuple[str, str, str]] = []
        for p in shown:
            words = list(analyzer.words(p.text))
            held = {t for _, _, terms in words for t in terms}
            spans: dict[tuple[str, bool], list[tuple[int, int, str]]] = {}
            for term, (originals, fuzzy) in reading.stands_for.items():
                if term in held and not set(originals) <= held:
                    written = " ".join(dict.fromkeys(asked.get(o, o) for o in originals))
                    spans.setdefault((written, fuzzy), []).extend((a, b, term) for a, b, ts in words if term in ts)
            for (written, fuzzy), found in spans.items():
                for read in _phrases(p.text, found):
                    if not fuzzy and _derived_from(read, written):
                        continue  # "Korea" read as "Korean": the reader sees that without being told
                    if all(r[1].casefold() != read.casefold() for r in out):
                        out.append((written, read, p.id))
        return out

    def answer_claim(self, message: str, k: int = DEFAULT_K, offset: int = 0) -> Answer:
        """ "Find sources" on a chat message: its claim answered as the yes/no question it makes."""
        return self.answer(claim_question(normalize_question(message)), k, offset)

    def candidates(self, question: str) -> list[Candidate]:
        """The passages sharing words with the question, best first, each with its probability of
        answering it (what bench/fit_confidence.py fits the model on)."""
        question = normalize_question(question)
        return self._short_of_the_value(self._candidates(self.read(question)), _Asks.of(question))

    def read(self, question: str) -> Reading:
        return read_question(question_body(normalize_question(question)), self.index)

    def _short_of_the_value(self, candidates: list[Candidate], asks: _Asks) -> list[Candidate]:
        """A passage without the kind of value asked for ("how much": an amount; "what did X say": X's
        words) is about the matter, not its answer: its probability stops just below the answer bar,
        so it may still be related."""
        if asks.kind is None:
            return candidates
        below = float(np.nextafter(self.model.answer_at, 0.0))
        return [
            c
            if c.probability <= below or self._holds_value(asks, self.corpus.passages[c.index])
            # just below the bar, the likelier still first among those held there
            else replace(c, probability=below - 1e-6 * (1.0 - c.probability))
            for c in candidates
        ]

    def _holds_value(self, asks: _Asks, passage: Passage | None) -> bool:
        if passage is None:
            return False
        speaks = False
        if asks.kind == SPEECH:
            # Someone's words: a speaker that attribution names, or a reporting verb where it names no
            # one (a pronoun it cannot resolve, an encyclopaedia's "he wrote"); the party asked about's.
            speaker = self._annotator.notes(passage.id).attribution.speaker
            reports = speaker is not None or CUE.search(passage.text) is not None
            speaks = reports and is_asked_speaker(asks.speaker, speaker)
        return holds_value(asks.kind, passage.text, speaks)

    def _candidates(self, reading: Reading) -> list[Candidate]:
        hits = self.index.search_expanded(reading.terms, reading.expanded, EXPANDED_WEIGHT, MAX_PASSAGES)
        if not hits:
            return []
        ids = np.array([i for i, _ in hits], dtype=np.int32)
        passages = [self.corpus.passages[i] for i in ids.tolist()]
        features = candidate_features(
            QuestionTerms(reading.weights, frozenset(reading.expanded), reading.unknown),
            [s for _, s in hits],
            [self.corpus.passages[i].article.id for i in ids.tolist()],
            lambda term: self.index.engine.contains(term, ids),
            lambda term: self._in_text(term, passages, ids),
            self.index.size,
        )
        probabilities = self.model.probabilities(features)
        return [
            Candidate(i, score, float(p), tuple(row))
            for (i, score), p, row in zip(hits, probabilities, features.tolist(), strict=True)
        ]

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

    def _answered(self, candidate: Candidate, reading: Reading | None) -> AnsweredPassage:
        """The candidate as shown; with the reading of a yes/no question, with its stance on it."""
        passage = self.corpus.passages[candidate.index]
        notes = self._annotator.notes(passage.id)
        stance = None
        if reading is not None:
            analyze = self.index.analyzer.terms
            stance = passage_stance(
                passage.text, notes.hedges, notes.attribution, lambda s: _held_weight(reading, set(analyze(s)))
            )
        return self.describe(passage.id, candidate.score, stance)


def _phrases(text: str, spans: list[tuple[int, int, str]]) -> list[str]:
    """The words read for one word of the question, those next to each other as one phrase: "FA" read
    as "Football Association", not as "Football" or "Association". Each term is named once: by the
    phrase that reads most of the terms, else by its first place in the passage."""
    phrases: list[tuple[int, int, set[str]]] = []
    for a, b, term in sorted(spans):
        if phrases and _JOINS.fullmatch(text[phrases[-1][1] : a]):
            start, _, terms = phrases[-1]
            phrases[-1] = (start, max(b, phrases[-1][1]), terms | {term})
        else:
            phrases.append((a, b, {term}))
    out: list[str] = []
    named: set[str] = set()
    for a, b, terms in sorted(phrases, key=lambda p: (-len(p[2]), p[0])):
        if terms - named:
            out.append(text[a:b])
            named |= terms
    return out


def _derived_from(read: str, written: str) -> bool:
    """Whether the word read only extends a word of the question as written ("Korean" from "North
    Korea", "Iranian" from "Iran"): a form of the same name, not another reading of the question."""
    # A phrase, or a word read from three letters ("SEC" as "Securities"), is another reading.
    read = read.casefold()
    return " " not in read and any(read.startswith(word) and len(word) >= 4 for word in written.casefold().split())


def _held_weight(reading: Reading, held: set[str]) -> float:
    """The question's weight a passage holds: an expanded term ("Pyongyang" for "North Korea") counts
    only where the passage lacks a word it stands for (as `_readings` reads a match), so one matter named
    twice does not outweigh a second matter of the question."""
    total = 0.0
    for term, weight in reading.weights.items():
        if term not in held:
            continue
        originals = reading.stands_for.get(term, ((),))[0]
        if not originals or not set(originals) <= held:
            total += weight
    return total


def _with_both_sides(
    passages: list[AnsweredPassage], k: int, may_take_a_place: Callable[[AnsweredPassage], bool] = lambda p: True
) -> list[AnsweredPassage]:
    """Every stance the relevant passages take gets a place in the top k, where there is room.

    A passage of a missing stance replaces the lowest-ranked top-k passage whose stance is
    already shown, never the first: the likeliest answer stays where the member looks first.
    Diversity over stances, not a lower bar: every candidate here passed relevance, and the rest
    keep their order.
    """
    top, rest = list(passages[:k]), list(passages[k:])
    for candidate in list(rest):
        shown = [p.stance for p in top]
        if candidate.stance in shown or not may_take_a_place(candidate):
            continue
        # The lowest-ranked passage of a stance shown twice gives way, preferring one whose article
        # is shown twice: each article keeps its voice.
        per_article = [sum(p.article.id == q.article.id for q in top) for p in top]
        duplicated = sorted(
            (i for i in range(1, len(top)) if shown.count(top[i].stance) > 1), key=lambda i: (-per_article[i], -i)
        )
        if not duplicated:
            break
        dropped = top.pop(duplicated[0])
        top.append(candidate)
        rest.remove(candidate)
        rest.insert(0, dropped)
    return top + rest


def at_most_per_article(
    items: list,
    article_of: Callable[[object], str],
    k: int,
    cap: int = 2,
    level_of: Callable[[object], int] | None = None,
) -> list:
    """Each run of k shown holds at most `cap` items of one article while another article's item of the
    same level (`level_of`, higher is surer; all one level without it) can take the place; an item held
    back keeps its order among the rest. A third passage of the article that answers is worth more than
    a passage of another article that barely shares a word."""
    out: list = []
    waiting = list(items)
    while waiting:
        window = out[len(out) - len(out) % k :]
        counts: dict[str, int] = {}
        for item in window:
            counts[article_of(item)] = counts.get(article_of(item), 0) + 1
        level = level_of(waiting[0]) if level_of else 0
        pick = next(
            (
                j
                for j, item in enumerate(waiting)
                if counts.get(article_of(item), 0) < cap and (level_of is None or level_of(item) >= level)
            ),
            0,
        )
        out.append(waiting.pop(pick))
    return out
