"""The tokenizer the benchmark feeds every engine: the project's analyzer when it exists.

That is `retrieval.analysis.analyzer.default_analyzer().terms` (folding, synonyms, stopwords, Snowball
stemming); where it is missing, a lower-case regex tokenizer with a small stopword set stands in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD = re.compile(r"\w+")
STOPWORDS = frozenset(
    "a an and are as at be but by did do does for from had has have he her his how i in is it its"
    " of on or she that the their there they this to was we were what when where which who why"
    " will with you".split()
)


def standin_tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def project_tokenizer() -> tuple[str, Callable[[str], list[str]]]:
    """(name, tokenize) for the project's analyzer if importable, else the stand-in."""
    try:
        from retrieval.analysis.analyzer import default_analyzer
    except ImportError:
        return "stand-in regex tokenizer", standin_tokens
    return "retrieval.analysis.analyzer.default_analyzer().terms", default_analyzer().terms
