"""Answer-level caveats: what a careful reader should know before trusting the passages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from retrieval.answer import AnsweredPassage, Caveat
from retrieval.trust.attribution.unnamed import is_unnamed_source

NO_MATCH_TEXT = (
    "Nothing in the corpus answers this. Try other words (names, places, what happened), "
    "or ask a moderator to add an article on the subject."
)
_STANCE_PHRASES = {"asserted": "asserts it", "denied": "disputes it", "uncertain": "unsure"}
# Whole words only: as substrings, "den" was found in "evidence" and "Biden", "not" in "notably"
# and "lack" in "blackout".
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|without|den(?:y|ies|ied|ying|ials?)|lack(?:s|ed|ing)?)\b|\Bn[’']t\b", re.IGNORECASE
)
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


LOW_CONFIDENCE_TEXT = (
    "These passages are the closest the corpus has, but they may not answer the question: "
    "read them as related reporting, not as an answer."
)


def no_match() -> Caveat:
    return Caveat("no_match", NO_MATCH_TEXT)


def low_confidence(missing: str | None = None) -> Caveat:
    """For passages shown at the `related` level; `missing` says what the question asks for that none
    of them gives ("None of them gives an amount of money.")."""
    return Caveat("low_confidence", f"{LOW_CONFIDENCE_TEXT} {missing}" if missing else LOW_CONFIDENCE_TEXT)


def question_reading(readings: Sequence[tuple[str, str]], passage_ids: Sequence[str] = ()) -> Caveat:
    """How the question was read where a fuzzy or expanded match decided what was shown:
    (as written, as read) pairs."""
    # One clause per word as written: "Read “died” as “killed” or “deaths”", not the word once per reading.
    by_written: dict[str, list[str]] = {}
    for written, read in readings:
        by_written.setdefault(written, []).append(f"“{read}”")
    parts = "; ".join(f"“{written}” as {_either(reads)}" for written, reads in by_written.items())
    return Caveat("reading", f"Read {parts}.", tuple(passage_ids))


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def answer_caveats(passages: Sequence[AnsweredPassage], today: date) -> list[Caveat]:
    """Caveats for a confident answer, most important first."""
    caveats = [
        _conflict(passages),
        _hedge(passages),
        _attribution(passages),
        _unnamed_sources(passages),
        _single_source(passages),
        _date(passages, today),
    ]
    return [c for c in caveats if c is not None]


def _who(p: AnsweredPassage) -> str:
    return p.speaker_label or f"{p.article.source or 'the article'} in its own words"


def _where(p: AnsweredPassage) -> str:
    return f"¶{p.paragraph}"


def _conflict(passages: Sequence[AnsweredPassage]) -> Caveat | None:
    """The passages contradict each other when one disputes the claim and another asserts it or
    leaves it open. One asserting beside one unsure is no contradiction: the hedge caveat says that."""
    stances = {p.stance for p in passages if p.stance}
    if "denied" not in stances or len(stances) < 2:
        return None
    parts = []
    for p in passages:
        if not p.stance:
            continue
        hedge = _telling_hedge(p)
        quoted = f" — “{hedge}”" if hedge and p.stance != "asserted" else ""
        parts.append(f"{_who(p)}: {_STANCE_PHRASES[p.stance]}{quoted} ({_where(p)})")
    return Caveat(
        "conflict", "The passages disagree: " + "; ".join(parts) + ".", tuple(p.id for p in passages if p.stance)
    )


def _telling_hedge(p: AnsweredPassage) -> str | None:
    """The hedge that best explains the stance: a negation for a denial, not the reporting verb."""
    if p.stance == "denied":
        negations = [h for h in p.hedges if _NEGATION.search(h)]
        if negations:
            return negations[-1]
    others = [h for h in p.hedges if h != p.cue]
    return (others or list(p.hedges) or [None])[-1]


def _hedge(passages: Sequence[AnsweredPassage]) -> Caveat | None:
    hedged = [p for p in passages if p.hedges]
    if not hedged:
        return None
    quoted = "; ".join(f"{_where(p)} " + ", ".join(f"“{h}”" for h in p.hedges) for p in hedged)
    return Caveat("hedge", f"Hedged or unverified wording: {quoted}.", tuple(p.id for p in hedged))


def _attribution(passages: Sequence[AnsweredPassage]) -> Caveat | None:
    speakers = {p.speaker for p in passages}
    if len(speakers) != 1 or None in speakers:
        return None
    (speaker,) = speakers
    return Caveat(
        "attribution",
        f"All of this rests on what {speaker} says; the passages do not confirm it independently.",
        tuple(p.id for p in passages),
    )


def _unnamed_sources(passages: Sequence[AnsweredPassage]) -> Caveat | None:
    unnamed = [p for p in passages if p.speaker and is_unnamed_source(p.speaker)]
    if not unnamed:
        return None
    who = "; ".join(f"{_where(p)} “{p.speaker}”" for p in unnamed)
    return Caveat(
        "unnamed_source",
        f"Unnamed sources: {who}. The article does not say who they are, so their words cannot be checked "
        "against a name.",
        tuple(p.id for p in unnamed),
    )


def _single_source(passages: Sequence[AnsweredPassage]) -> Caveat | None:
    ids = tuple(p.id for p in passages)
    articles = {p.article.id for p in passages} | {a.id for p in passages for a in p.also_in}
    if len(articles) == 1:
        first = passages[0].article
        outlet = f" ({first.source})" if first.source else ""
        return Caveat("single_source", f"Every passage comes from one article: “{first.title}”{outlet}.", ids)
    outlets = {p.article.source for p in passages} | {a.source for p in passages for a in p.also_in}
    if len(outlets) == 1 and None not in outlets:
        return Caveat("single_source", f"Every passage comes from one outlet: {outlets.pop()}.", ids)
    return None


def _date(passages: Sequence[AnsweredPassage], today: date) -> Caveat | None:
    by_article = {p.article.id: p.article for p in passages}
    dated = sorted({a.published for a in by_article.values() if a.published})
    undated = [a for a in by_article.values() if not a.published]
    parts = []
    if len(dated) == 1:
        parts.append(f"Published {_long_date(dated[0])}, {age(dated[0], today)}.")
    elif dated:
        parts.append(
            f"Published between {_long_date(dated[0])} and {_long_date(dated[-1])}; "
            f"the newest is {age(dated[-1], today)}."
        )
    if undated:
        titles = ", ".join(f"“{a.title}”" for a in undated[:3])
        parts.append(f"The publication date of {titles} is not recorded.")
    return Caveat("date", " ".join(parts), tuple(p.id for p in passages))


def _long_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _count(n: int, unit: str) -> str:
    word = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
    return f"{word} {unit}{'s' if n != 1 else ''}"


def age(iso: str, today: date) -> str:
    """How long ago a date was, as a reader would say it: "over three years ago"."""
    then = date.fromisoformat(iso)
    days = (today - then).days
    if days < 0:
        return "dated in the future"
    if days == 0:
        return "today"
    if days < 14:
        return f"{_count(days, 'day')} ago"
    months = (today.year - then.year) * 12 + today.month - then.month - (today.day < then.day)
    if months < 2:
        return f"{_count(days // 7, 'week')} ago"
    if months < 12:
        return f"over {_count(months, 'month')} ago"
    years = months // 12
    exact = months % 12 == 0 and today.day == then.day
    return f"{_count(years, 'year')} ago" if exact else f"over {_count(years, 'year')} ago"
