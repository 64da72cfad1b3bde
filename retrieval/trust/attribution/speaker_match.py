"""Whether a passage's speaker is the party a "what did X say" question asks about.

"What did Taylor Swift herself say about dating Travis Kelce?" is not answered by Travis Kelce's
words, however many of the question's words they share. The question names its party in chat style
("taylor swift", "the lib dems", "mourino", "walmart's boss"); attribution shows the speaker as the
article names it ("Jose Mourinho", "Liberal Democrats", "Doug McMillon (Walmart)"). They are the same
party when a naming word of the question is a word of the speaker's name: the same word, a typo of it
(rapidfuzz's ratio, for words of five letters or more), its start ("lib" for "Liberal") or the
name's initials ("sipri"). A question whose party is a role ("what did the police say", "walmart's
boss", "the dsu student's brother") may be answered by whoever the article names in that role: any
speaker may answer it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from retrieval.datafiles import data_lines
from retrieval.trust.attribution.lexicon import (
    DETERMINERS,
    DOCUMENTS,
    GENDERED_NOUNS,
    OCCUPATIONS,
    PERSON_NOUNS,
    POSSESSIVES,
    PRONOUNS,
    SOURCES,
)

_WORD = re.compile(r"[^\W_]+(?:[’'-][^\W_]+)*")
_POSSESSIVE = re.compile(r"[’']s?$")
# Words that say what kind of party the speaker is, not which one: "boss", "brother", "spokesperson".
_ROLE_WORDS = PERSON_NOUNS | SOURCES | OCCUPATIONS | GENDERED_NOUNS | DOCUMENTS
_GRAMMAR = frozenset(data_lines("stopwords.txt")) | DETERMINERS | POSSESSIVES | PRONOUNS
TYPO_RATIO = 80  # "mourino" ~ "mourinho" 93, "vetels" ~ "vettel" 83; "taylor" ~ "travis" 33
MIN_TYPO_LETTERS = 5
MIN_START_LETTERS = 3
MIN_ACRONYM_LETTERS = 3


def _words(text: str) -> list[str]:
    return [_POSSESSIVE.sub("", w) for w in _WORD.findall(text.casefold())]


def _role_word(word: str) -> bool:
    return word in _ROLE_WORDS or word.rstrip("s") in _ROLE_WORDS


def naming_words(asked: Sequence[str]) -> list[str]:
    """The words naming the party, when the question names one: "taylor swift herself" → ["taylor",
    "swift"]; none when a role heads the words ("walmart's boss", "that ukip guy", "the police"),
    since the article may give whoever holds the role by their own name."""
    words = [w for w in _words(" ".join(asked)) if w not in _GRAMMAR]
    if not words or _role_word(words[-1]):
        return []
    return [w for w in words if not _role_word(w)]


def _same_word(asked: str, written: str) -> bool:
    if asked == written:
        return True
    if len(asked) >= MIN_START_LETTERS and written.startswith(asked):
        return True  # "lib" for "Liberal"
    return min(len(asked), len(written)) >= MIN_TYPO_LETTERS and fuzz.ratio(asked, written) >= TYPO_RATIO


def _meets(asked: Sequence[str], spoken: Sequence[str]) -> bool:
    """A word of the speaker's name met (its role words aside), or the initials of all its words
    ("sipri", "dsu" for Delaware State University)."""
    initials = "".join(w[0] for w in spoken if w not in _GRAMMAR)
    named = [w for w in spoken if not _role_word(w)]
    return any(_same_word(a, w) for a in asked for w in named) or any(
        len(a) >= MIN_ACRONYM_LETTERS and a in initials for a in asked
    )


def is_asked_speaker(asked: Sequence[str], speaker: str | None) -> bool:
    """Whether a passage reporting `speaker` (None: a reporting verb attribution could not tie to
    anyone) may report the party named by the question's words `asked`. Only a speaker attribution
    names and the question does not is someone else."""
    names = naming_words(asked)
    if not names:
        return True  # "what did they say", "what did the police say": no one in particular
    if speaker is None:
        return True  # a reporting verb tied to no one ("He assured monks …"): it may be the party's
    return _meets(names, _words(speaker))
