"""The subject of a reporting verb, found by walking back from the verb: "Kim, a spokesperson, had said"."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.trust.attribution.lexicon import (
    ADVERBS,
    AUXILIARIES,
    CONJUNCTIONS,
    DETERMINERS,
    FLOATING,
    NOUN_PHRASE_WORDS,
    OPENERS,
    PARTY_PREFIXES,
    PREPOSITIONS,
    PRONOUNS,
    SOURCES,
)
from retrieval.trust.attribution.phrases import is_noun_phrase, is_pure_name, joins_name, says_how_it_knows
from retrieval.trust.attribution.tokens import Token


def verb_group(before: list[Token], verb_start: int) -> tuple[int, int, list[str]]:
    """Walk back from a reporting verb over what may stand between it and its subject ("had",
    "has previously", "on Thursday", "abruptly"): where the subject ends (an index into `before`),
    where the cue starts (adjacent auxiliaries belong to it: "had said") and the auxiliaries met."""
    j, cue_start, auxiliaries, adjacent = len(before), verb_start, [], True
    while j > 0:
        tok = before[j - 1]
        if tok.ends_clause or tok.is_dash:
            break
        if tok.lowercase and tok.word in AUXILIARIES:
            auxiliaries.append(tok.word)
            if adjacent:
                cue_start = tok.start
        elif (tok.lowercase and tok.word in ADVERBS | FLOATING) or tok.is_time or _is_manner_adverb(before, j - 1):
            adjacent = False
        else:
            break
        j -= 1
    return j, cue_start, auxiliaries


def _is_manner_adverb(tokens: Sequence[Token], i: int) -> bool:
    """ "Musk abruptly said", "aides repeatedly told": an -ly word right after a name, pronoun or
    source (but "the family said": "family" follows a determiner)."""
    tok = tokens[i]
    if not (tok.lowercase and tok.word.endswith("ly")) or tok.word in NOUN_PHRASE_WORDS or i == 0:
        return False  # "the Trump family said": "family" is the subject
    before = tokens[i - 1]
    return (before.capitalised and before.word not in DETERMINERS) or before.word in PRONOUNS | SOURCES


def subject_before(before: list[Token]) -> tuple[int, list[Token]]:
    """The subject ending where `before` ends, past an appositive: "Kim Jun-rak, a spokesperson
    for …, confirmed", "Bolton – an expert on North Korea − said"."""
    segments = _segments(before) + [[], []]
    nearest = _subject_segment(segments[0])
    pronoun = len(nearest) == 1 and nearest[0].word in PRONOUNS  # "Many residents, she said, …"
    if nearest and (pronoun or not is_role(nearest)):
        return nearest[0].start, nearest
    # A role ("a spokesperson for …") describes the name before it; with nothing before the
    # verb, an appositive has just ended and the name is one further back.
    named = segments[1]
    if not nearest and is_role(named):
        named = segments[2]
    named = _strip_leading(named)
    if named and named[-1].raw.endswith(("”", '"')):
        named = []  # '"Yes," the club said': the quoted words are what is said, not who says it
    if opens_with_participle(named):
        named = []  # "Comparing notes, the students said": the participle's clause names nobody
    if named and named[0].word not in OPENERS and (is_pure_name(named) or is_noun_phrase(named)):
        return named[0].start, named  # "The family of Vadell, one of the “CITGO 6”, said"
    return (nearest[0].start, nearest) if nearest else (0, [])


def _segments(before: list[Token]) -> list[list[Token]]:
    """The comma- or dash-separated stretches of `before`, nearest first (the first may be empty),
    back to the last colon or semicolon."""
    segments: list[list[Token]] = [[]]
    for tok in reversed(before):
        if tok.ends_sentence_part:
            break
        if tok.is_dash:
            segments.append([])
            continue
        if tok.ends_segment:
            segments.append([])
        segments[-1].insert(0, tok)
    return segments


_COMPLEMENT_OPENING = PREPOSITIONS | DETERMINERS


def opens_with_participle(segment: list[Token]) -> bool:
    """Whether the segment opens with a capitalised participle and a preposition or determiner
    ("Speaking in …", "Echoing the …"), which no name does ("Boeing says"); a noun after it makes a
    compound description instead ("Casting employee Andy Henry", "Filtering firm Clearswift")."""
    if len(segment) < 2 or not segment[0].capitalised:
        return False
    word = segment[0].word
    return len(word) > 5 and word.endswith("ing") and segment[1].lowercase and segment[1].word in _COMPLEMENT_OPENING


def _subject_segment(segment: list[Token]) -> list[Token]:
    """The part of the nearest segment that can be the subject: after its last clause opener
    ("…, though analysts stressed" → analysts; "When asked" → nothing)."""
    start = 0
    if opens_with_participle(segment):
        # "Speaking in Harrogate Mr Kennedy said": the participle's phrase ends where a name begins.
        start = next((i for i, tok in enumerate(segment) if i > 1 and tok.capitalised), len(segment))
    for i, tok in enumerate(segment):
        if i < start:
            continue
        # "a person familiar with the matter": that "with" belongs to the source, it opens nothing
        if tok.word in OPENERS and not (i and joins_name(segment, i)) and not says_how_it_knows(segment, i - 1):
            start = i + 1
    return _strip_leading(segment[start:])


def _strip_leading(tokens: list[Token]) -> list[Token]:
    """Drop an opening conjunction, time phrase or adverb: "But", "Last week", "Even McDowell"."""
    i = 0
    while i < len(tokens) and (tokens[i].word in CONJUNCTIONS or tokens[i].is_time or tokens[i].word in ADVERBS):
        i += 1
    if i < len(tokens) and tokens[i].describes and is_pure_name(tokens[i + 1 :]):
        i += 1  # "Paris-based Euronext, owner of Liffe, said": the name after its description
    return tokens[i:]


def is_role(tokens: Sequence[Token]) -> bool:
    """An appositive describing someone: "a spokesperson for …", "South Korea’s vice defense
    minister", "R-North Salt Lake"."""
    if tokens and tokens[0].word.startswith(PARTY_PREFIXES):
        return True
    if not tokens or is_pure_name(tokens) or tokens[0].word in PRONOUNS:
        return False  # "Surely, she couldn't think": "she couldn't" describes no one before it
    if tokens[0].lowercase:
        return True
    marks = [i for i, t in enumerate(tokens) if t.lowercase and (t.title or t.word in SOURCES)]
    # "US playwright Eve Ensler": a name after the role makes it the person, not a description
    return bool(marks) and not (tokens[marks[-1] + 1 :] and all(t.capitalised for t in tokens[marks[-1] + 1 :]))
