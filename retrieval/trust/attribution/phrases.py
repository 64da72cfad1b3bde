"""What a stretch of words is: a name, a person's name, a speaker's noun phrase or an adverbial."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.trust.attribution.lexicon import (
    ADVERBIAL_WORDS,
    CONNECTORS,
    DETERMINERS,
    DOCUMENTS,
    KNOWS,
    NAME_PREPOSITIONS,
    NOUN_PHRASE_WORDS,
    OPENERS,
    ORGANISATION_WORDS,
    PARTICLES,
    PLACES,
    POSSESSIVES,
    PREPOSITIONS,
    PRONOUNS,
    REFERS_BACK,
    SOURCES,
    SPEAKER_HEADS,
)
from retrieval.trust.attribution.tokens import Token, phrase_text


def is_name_word(tok: Token) -> bool:
    return tok.capitalised or tok.word in PARTICLES


def is_pure_name(tokens: Sequence[Token]) -> bool:
    """Only name words, ending in a capitalised one: "Kim Jun-rak", "de Long"."""
    return bool(tokens) and tokens[-1].capitalised and all(is_name_word(t) for t in tokens)


def joins_name(tokens: Sequence[Token], i: int) -> bool:
    """Whether the preposition at `i` sits inside a name: "Roe of the Example Institute"."""
    rest = tokens[i + 1 : i + 3]
    return (
        tokens[i].word in NAME_PREPOSITIONS
        and bool(rest)
        and (rest[0].capitalised or (rest[0].word == "the" and len(rest) > 1 and rest[1].capitalised))
    )


def opens_adverbial(tokens: Sequence[Token]) -> bool:
    """Whether a stretch opens with an adverbial rather than a subject: "In an interview",
    "When asked", "Earlier", "Speaking to Euronews" (but not a name such as "Manning said")."""
    if not tokens:
        return False
    first = tokens[0].word
    if first in ADVERBIAL_WORDS or tokens[0].is_time:
        return True
    participle = first.endswith(("ing", "ed")) and first not in PLACES
    return participle and len(tokens) > 1 and tokens[1].word in PREPOSITIONS | DETERMINERS | OPENERS


def looks_like_person(tokens: Sequence[Token]) -> bool:
    """A personal name: one to four name words, none of an organisation, not a place or acronym."""
    if not 1 <= len(tokens) <= 4 or not is_pure_name(tokens):
        return False
    if any(t.word in ORGANISATION_WORDS | DETERMINERS or t.raw.startswith("(") for t in tokens):
        return False  # "(GPS)" is a ticker, not part of a name
    if phrase_text(tokens).lower() in PLACES or all(t.word in PLACES for t in tokens):
        return False
    if len(tokens) > 1 and any(len(t.bare) > 1 and t.bare.isalpha() and t.bare.isupper() for t in tokens):
        return False  # "told CNN Musk had …": an acronym is an organisation, not part of a name
    return not (len(tokens) == 1 and tokens[0].bare.isupper())


def fits_noun_phrase(tokens: Sequence[Token], i: int) -> bool:
    """Whether token `i` can be part of a speaker's noun phrase: a capitalised word, a listed
    lower-case one, "of"/"at" inside a name, a modifier before a source ("election officials")
    or an unlisted title before a full name ("ER actress Julianna Margulies")."""
    tok = tokens[i]
    if tok.capitalised or tok.word in NOUN_PHRASE_WORDS or (tok.possessive and tok.lowercase):
        return True
    if tok.bare.isdigit() and i and tokens[i - 1].capitalised:
        return True  # "Bay News 9"
    if joins_name(tokens, i):
        return True
    for following in tokens[i + 1 : i + 3]:
        if following.word in SPEAKER_HEADS:
            return True
        if (
            following.word in DETERMINERS | POSSESSIVES
            or (following.possessive and following.capitalised)
            or following.ends_clause
        ):
            break  # "visited the city", "knew her son", "called Sharon's granddaughter": a verb and its object
    following = tokens[i + 1 : i + 3]
    return len(following) == 2 and all(t.capitalised for t in following)


def is_noun_phrase(tokens: Sequence[Token]) -> bool:
    """Whether `tokens` can be a speaker's noun phrase (not narration that ends in a cue word)."""
    if not tokens or len(tokens) > 12:
        return False
    if len(tokens) == 1 and tokens[0].word in PRONOUNS:
        return True
    if tokens[0].word in (CONNECTORS - DETERMINERS) | NAME_PREPOSITIONS | OPENERS:
        return False
    if len(tokens) == 1 and tokens[0].word in ORGANISATION_WORDS:
        return True  # "euronews said", "staff said": an organisation written in lower case
    if len(tokens) == 2 and tokens[0].word == "the" and tokens[1].lowercase and tokens[1].word in REFERS_BACK:
        return True  # "the hospital said": the one named before (memory decides which), or the noun alone
    knows = _how_it_knows(tokens)
    if knows:  # "a person familiar with the matter": the source is the noun phrase before it
        return is_noun_phrase(tokens[:knows])
    if not all(fits_noun_phrase(tokens, i) for i in range(len(tokens))):
        return False
    head = tokens[-1]
    if head.possessive or head.word in DETERMINERS | CONNECTORS:
        return False
    named = head.capitalised or (head.bare.isdigit() and len(tokens) > 1 and tokens[-2].capitalised)
    if head.word in DOCUMENTS and len(tokens) == 2 and tokens[0].word == "the":
        return True  # "the statement said": a document named before (memory decides whose, or no one)
    return named or head.word in SPEAKER_HEADS or (head.word in DOCUMENTS and any(t.capitalised for t in tokens[:-1]))


_KNOWS_WORDS = 5  # "familiar with the talks in Geneva"


def says_how_it_knows(tokens: Sequence[Token], i: int) -> bool:
    """Whether token `i` ("familiar", "briefed", "close") follows a source noun: "a person familiar with"."""
    return i >= 1 and tokens[i].word in KNOWS and tokens[i - 1].word in SOURCES


def _how_it_knows(tokens: Sequence[Token]) -> int:
    """Where an unnamed source's "familiar with …"/"briefed on …"/"close to …" begins, or 0."""
    for i in range(1, len(tokens)):
        if says_how_it_knows(tokens, i) and tokens[i - 1].lowercase:
            rest = tokens[i + 1 :]
            if 1 <= len(rest) <= _KNOWS_WORDS and not any(t.ends_clause for t in tokens[i - 1 : -1]):
                return i
    return 0
