"""The words of a paragraph for the attribution rules: offsets, punctuation and how each reads."""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.trust.attribution.lexicon import OCCUPATIONS, TIME, TITLES

_TOKEN = re.compile(r"[^\s:]+:?|:")  # "happened:Southwest" is two words
_LEADING_PUNCT = "“\"‘'(["
_TRAILING_PUNCT = "”\"’'),.;:!?]"
_POSSESSIVE_END = re.compile(r"[’']s$")
_DESCRIBING_COMPOUND = re.compile(r"[A-Z][a-z]*-[a-z]")
DASHES = frozenset("–—−-")
CLAUSE_END = (",", ";", ":", "”", '"', "''")


class Token:
    """A word as written with its offsets; how it reads is worked out once, when it is made (the
    rules ask each word's form many times per sentence)."""

    __slots__ = ("raw", "start", "end", "bare", "word", "capitalised", "lowercase")

    def __init__(self, raw: str, start: int, end: int) -> None:
        self.raw, self.start, self.end = raw, start, end
        self.bare = bare = raw.strip(_LEADING_PUNCT + _TRAILING_PUNCT)
        self.word = bare.lower()
        self.capitalised = bool(bare) and bare[0].isupper()
        self.lowercase = bool(bare) and bare[0].islower()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and (self.raw, self.start, self.end) == (other.raw, other.start, other.end)

    def __hash__(self) -> int:
        return hash((self.raw, self.start, self.end))

    def __repr__(self) -> str:
        return f"Token({self.raw!r}, {self.start}, {self.end})"

    @property
    def describes(self) -> bool:
        """A capitalised compound read as a description (tokens_in): "Fly-half", "Paris-based"."""
        return self.lowercase and self.bare[0].isupper()

    @property
    def possessive(self) -> bool:
        return self.bare.endswith(("’s", "'s", "s’", "s'"))

    @property
    def ends_clause(self) -> bool:
        return self.raw.endswith(CLAUSE_END)

    @property
    def ends_segment(self) -> bool:
        """A comma, or a quotation that closes a clause ("…surprised.” Romig said"); a quotation
        inside a phrase does not end it ("one of the “CITGO 6” who …")."""
        unquoted = self.raw.rstrip("”\"’'")
        return unquoted.endswith(",") or (unquoted != self.raw and unquoted[-1:] in tuple(".!?…"))

    @property
    def ends_sentence_part(self) -> bool:
        """A colon or semicolon: no appositive reaches across it ("Maryville: A professor says")."""
        return self.raw.endswith((":", ";"))

    @property
    def is_dash(self) -> bool:
        return self.raw in DASHES

    @property
    def title(self) -> bool:
        """A title or an occupation written before a name: the name is what follows it."""
        return self.word.rstrip(".") in TITLES or self.word in OCCUPATIONS

    @property
    def is_time(self) -> bool:
        return self.word in TIME and not (len(self.bare) > 1 and self.bare.isupper())  # not "USA TODAY"


def tokens_in(text: str, start: int, end: int) -> list[Token]:
    tokens = [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]
    for i, tok in enumerate(tokens):
        before = tokens[i - 1] if i else None
        if _DESCRIBING_COMPOUND.match(tok.bare) and (before is None or not before.capitalised or before.ends_clause):
            # "Fly-half Charlie Hodgson", "Paris-based Euronext": a compound opening a capitalised run
            # describes the name after it (inside a run it is the name: "Kim Jun-rak", "Chandra X-ray")
            tok.capitalised, tok.lowercase = False, True
    return tokens


def word_end(tok: Token) -> int:
    """Where the word of `tok` ends, before any closing punctuation."""
    return tok.start + len(tok.raw.rstrip(_TRAILING_PUNCT))


def phrase_text(tokens: Sequence[Token]) -> str:
    """The words as written, without the punctuation around them; "(SIPRI)" stays whole."""
    words = [t.raw for t in tokens]
    words[0] = words[0].lstrip(_LEADING_PUNCT)
    words[-1] = _POSSESSIVE_END.sub("", words[-1].rstrip(_TRAILING_PUNCT))
    if "(" in words[-1]:
        words[-1] += ")"
    return " ".join(w for w in words if w)  # a lone quotation mark (', " Eric Abensur') leaves nothing
