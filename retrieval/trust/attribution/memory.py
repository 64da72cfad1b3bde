"""What a reader remembers of an article so far, to tell who "he", "it", "the agency" or "Wezeman" is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from retrieval.trust.attribution.claims import Claim
from retrieval.trust.attribution.lexicon import (
    ORGANISATION_WORDS,
    PARTICLES,
    PERSON_PRONOUNS,
    PRONOUNS,
    REFERS_BACK,
    SELF_PRONOUNS,
    THING_PRONOUNS,
)
from retrieval.trust.attribution.names import (
    after_possessive,
    document_source,
    people_in,
    split_affiliation,
    strip_determiners,
    strip_title,
)
from retrieval.trust.attribution.phrases import looks_like_person
from retrieval.trust.attribution.tokens import Token, phrase_text


class Speaker(NamedTuple):
    name: str
    is_person: bool  # a named person, whom "he"/"she" may refer to
    paragraph: int


class ArticleMemory:
    """The names and speakers met so far in one article, paragraph by paragraph."""

    def __init__(self) -> None:
        self._people: dict[str, str] = {}  # full name in lower case → how to show it; latest last
        self._organisations: list[str] = []  # latest last
        self._speakers: list[Speaker] = []
        self._persons: list[str] = []  # named people quoted or opening a sentence, for "he"/"she"
        self._paragraph = -1

    def next_paragraph(self) -> None:
        self._paragraph += 1

    def speaker_of(self, claim: Claim) -> Speaker | None:
        """Who `claim`'s source is, read in the light of the article so far; remembered as the
        latest speaker, for the pronouns that follow."""
        speaker = self._resolve(claim)
        if speaker is not None:
            self._speakers.append(speaker)
            if speaker.is_person:
                self._persons.append(speaker.name)
        return speaker

    def _resolve(self, claim: Claim) -> Speaker | None:
        tokens = list(claim.source)
        if len(tokens) == 1 and tokens[0].word in SELF_PRONOUNS:
            return None  # the writer of a column: the article's own voice
        if len(tokens) == 1 and tokens[0].word in PRONOUNS:
            return self._antecedent(tokens[0].word)
        definite = bool(tokens) and tokens[0].word == "the"
        tokens = document_source(strip_determiners(tokens), claim.after_according) or []
        tokens = strip_determiners(tokens)
        if not tokens:
            return None
        if definite and len(tokens) == 1 and tokens[0].word in REFERS_BACK:
            return self._organisation(tokens[0])
        name, affiliation = split_affiliation(tokens)
        name, titled = strip_title(name)
        name = after_possessive(name)
        if not (titled or affiliation or looks_like_person(name)):
            return Speaker(phrase_text(tokens), False, self._paragraph)
        if len(name) == 1 or (len(name) == 2 and name[0].word in PARTICLES):
            known = self._full_name(name)
            if known is not None:
                return Speaker(known, True, self._paragraph)
        shown = f"{phrase_text(name)} ({affiliation})" if affiliation else phrase_text(name)
        self._people.pop(phrase_text(name).lower(), None)
        self._people[phrase_text(name).lower()] = shown
        return Speaker(shown, True, self._paragraph)

    def _antecedent(self, pronoun: str) -> Speaker | None:
        """ "he"/"she": the last named person quoted or opening a sentence; "they": the last source
        of this or the paragraph before; "it": the last organisation of this or the paragraph before."""
        if pronoun in PERSON_PRONOUNS:
            return Speaker(self._persons[-1], True, self._paragraph) if self._persons else None
        recent = [s for s in reversed(self._speakers) if s.paragraph >= self._paragraph - 1]
        if pronoun in THING_PRONOUNS:
            candidates = [s for s in recent if not s.is_person]
        else:
            candidates = recent
        return candidates[0]._replace(paragraph=self._paragraph) if candidates else None

    def _organisation(self, noun: Token) -> Speaker:
        """ "the agency" → the last organisation named with one of the words an agency's name has."""
        heads = REFERS_BACK[noun.word]
        for name in reversed(self._organisations):
            if heads & set(name.split()):
                return Speaker(name, False, self._paragraph)
        return Speaker(noun.bare, False, self._paragraph)

    def _full_name(self, surname: Sequence[Token]) -> str | None:
        """ "Wezeman" → "Siemon Wezeman (…)", "Kim" → the last Kim named ("Kim Jun-rak")."""
        words = [t.bare.lower() for t in surname]
        for full, shown in reversed(self._people.items()):
            parts = full.split()
            if parts[-len(words) :] == words or (len(words) == 1 and parts[0] == words[0]):
                self._people.pop(full)
                self._people[full] = shown
                return shown
        return None

    def remember_subject(self, subject: Sequence[Token]) -> None:
        """A named person opening a sentence ("Romig did not hear…") may be the next "he"/"she".
        A lone word counts only as the surname of someone named before: "Wagner" may be a group."""
        name, titled = strip_title(strip_determiners(list(subject)))
        name = after_possessive(name)
        if not name or not looks_like_person(name):
            return
        known = self._full_name(name) if len(name) == 1 else None
        if known or len(name) > 1 or titled:
            self._persons.append(known or self._people.get(phrase_text(name).lower(), phrase_text(name)))

    def remember_names(self, runs: list[list[Token]]) -> None:
        for run in runs:
            if any(t.word in ORGANISATION_WORDS for t in run if t.capitalised):
                organisation = phrase_text(strip_determiners(run) or run)
                if organisation in self._organisations:
                    self._organisations.remove(organisation)
                self._organisations.append(organisation)
            for person in people_in(run):
                key = phrase_text(person).lower()
                self._people[key] = self._people.pop(key, phrase_text(person))
