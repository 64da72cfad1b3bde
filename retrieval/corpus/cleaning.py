"""Text cleaning shared by every corpus path: Unicode normalisation and boilerplate removal.

Passage text stays verbatim apart from this normalisation (NFKC folds non-breaking spaces and
compatibility characters; invisible format characters carry no meaning and break matching).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from retrieval.datafiles import data_lines

# Zero-width and bidirectional format characters: invisible, but they split words for the tokenizer.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize_text(text: str) -> str:
    """NFKC, no invisible or control characters, runs of spaces folded; newlines kept."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SPACES.sub(" ", text)


def clean_paragraph(paragraph: str) -> str:
    """One paragraph on one line: inner line breaks become spaces."""
    return " ".join(normalize_text(paragraph).split())


@cache
def _boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(line, re.IGNORECASE) for line in data_lines("boilerplate_patterns.txt"))


def is_boilerplate(paragraph: str) -> bool:
    """True for text that is not the article (ads, prompts, credits); see boilerplate_patterns.txt."""
    text = paragraph.strip()
    return any(pattern.match(text) for pattern in _boilerplate_patterns())
