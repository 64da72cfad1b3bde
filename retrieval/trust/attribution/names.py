"""Names in a source's words: the people and organisations in a run of capitalised words, and the
name a source phrase comes down to without its title, owner, affiliation or determiners."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from retrieval.trust.attribution.lexicon import (
    AFFILIATION_PREPOSITIONS,
    CONJUNCTIONS,
    CONNECTORS,
    DETERMINERS,
    DOCUMENTS,
    NAME_PREPOSITIONS,
    OPENERS,
    PARTICLES,
    PRONOUNS,
    PUBLISHED,
)
from retrieval.trust.attribution.phrases import is_pure_name, looks_like_person
from retrieval.trust.attribution.tokens import Token, phrase_text

_ACRONYM = re.compile(r"\s*\([A-Z][A-Za-z.&]*\)$")
_SOURCE_LINKS = frozenset({"by", "from", "of"})  # "a report from KCNA", "a video released by the Kremlin"


def name_runs(tokens: Sequence[Token]) -> list[list[Token]]:
    """Runs of capitalised words, joined by of/and/the: candidate names of people and organisations."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        joins = (
            current and nxt is not None and nxt.capitalised and (tok.word in CONNECTORS | PARTICLES) and tok.lowercase
        )
        if (tok.capitalised and tok.word not in PRONOUNS) or joins:
            current.append(tok)
            initial = len(tok.bare) == 1 or tok.title
            if tok.ends_clause or tok.possessive or (tok.raw.endswith(".") and not initial):
                runs.append(current)
                current = []
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def people_in(run: list[Token]) -> Iterator[list[Token]]:
    """Personal names in a run: split at joining words, titles and leading function words dropped."""
    part: list[Token] = []
    for tok in [*run, None]:
        if tok is None or (tok.lowercase and tok.word not in PARTICLES):
            titled = [i for i, t in enumerate(part) if t.title]
            name = part[titled[-1] + 1 :] if titled else part
            while name and (name[0].word in OPENERS | CONJUNCTIONS | DETERMINERS or name[0].is_time):
                name = name[1:]
            if len(name) >= 2 and looks_like_person(name):
                yield name
            part = []
        else:
            part.append(tok)


def split_affiliation(tokens: list[Token]) -> tuple[list[Token], str | None]:
    """ "Jane Roe of the Example Institute" → (Jane Roe, "Example Institute")."""
    for i, tok in enumerate(tokens):
        if i and tok.lowercase and tok.word in AFFILIATION_PREPOSITIONS:
            name = strip_title(tokens[:i])[0]
            rest = tokens[i + 1 :]
            if rest and rest[0].word == "the":
                rest = rest[1:]
            if looks_like_person(name) and rest and rest[0].capitalised:
                return name, _ACRONYM.sub("", phrase_text(rest)) or None
            return tokens, None
    return tokens, None


def strip_title(tokens: list[Token]) -> tuple[list[Token], bool]:
    """ "Kremlin spokesman Dmitry Peskov" → (Dmitry Peskov, True): only the name after the last
    title, or after an unlisted lower-case word before a full name ("ER actress Julianna Margulies")."""
    for i in range(len(tokens) - 2, -1, -1):
        name = tokens[i + 1 :]
        unlisted = (
            tokens[i].lowercase
            and len(name) >= 2
            and tokens[i].word not in (PARTICLES | CONNECTORS | NAME_PREPOSITIONS | DETERMINERS | OPENERS)
        )
        if (tokens[i].title or unlisted) and looks_like_person(name):  # not "Justice Department"
            return name, True
    return tokens, False


def after_possessive(tokens: list[Token]) -> list[Token]:
    """ "Consumer Reports’ Fisher" → Fisher, "Russia’s Putin" → Putin (a name after an owner)."""
    owners = [i for i, t in enumerate(tokens[:-1]) if t.possessive]
    rest = tokens[owners[-1] + 1 :] if owners else tokens
    return rest if is_pure_name(rest) else tokens


def document_source(tokens: list[Token], after_according: bool) -> list[Token] | None:
    """ "a video released by the Kremlin" → Kremlin, "the KCNA report" → KCNA. None for a document
    that names no source in a subject ("The footage revealed …": no speaker)."""
    for i, tok in enumerate(tokens):
        if tok.lowercase and tok.word in DOCUMENTS:
            rest = tokens[i + 1 :]
            if rest and rest[0].word in PUBLISHED:
                rest = rest[1:]
            if rest and rest[0].word in _SOURCE_LINKS:
                return strip_determiners(rest[1:]) or None
            named = [t for t in tokens[:i] if t.capitalised and not t.is_time]  # not "a September 15 memo"
            if named:
                return named
            return tokens if after_according else None
    return tokens


def strip_determiners(tokens: list[Token]) -> list[Token]:
    """ "the country’s state-owned news agencies" → "state-owned news agencies"; time words after a
    name go too ("the Kremlin on Wednesday")."""
    i = 0
    while i < len(tokens) and (tokens[i].word in DETERMINERS or tokens[i].possessive and tokens[i].lowercase):
        i += 1
    tokens = tokens[i:]
    while len(tokens) > 1 and tokens[-1].is_time:
        tokens = tokens[:-1]
    return tokens
