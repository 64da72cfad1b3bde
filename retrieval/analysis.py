"""Text analysis shared by passages and questions: the same words must become the same terms.

Steps, in order: NFKC and quote folding; capitalised abbreviations expanded ("UN" -> united
nations); case folding; possessives and apostrophes; hyphenated words split; informal and
irregular forms (word_forms.tsv); synonyms (synonyms.tsv); stopwords; Snowball stemming.
Numbers are kept whole ("2019", "450,000" -> "450000"). All lexicons are data files in
retrieval/data/, and nothing needs downloaded NLTK data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

from nltk.stem.snowball import EnglishStemmer

from retrieval.datafiles import data_lines, data_mapping

ANALYZER_VERSION = "2"  # bump when the output of `terms` changes: saved indexes depend on it

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'"})
_WORD = re.compile(r"\d+(?:[.,]\d+)+|\w+(?:[-'.]\w+)*'?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_PARTS = re.compile(r"[-.]")
_CACHE_LIMIT = 500_000


class Analyzer:
    """Turns text into index terms. Cheap to call repeatedly: results per raw word are cached."""

    def __init__(self) -> None:
        self._stopwords = frozenset(data_lines("stopwords.txt"))
        self._abbreviations = data_mapping("abbreviations.tsv")
        self._word_forms = {k: v.split() for k, v in data_mapping("word_forms.tsv").items()}
        self._synonyms = {
            variant.strip(): canonical
            for canonical, variants in data_mapping("synonyms.tsv").items()
            for variant in variants.split(",")
        }
        self._stem = EnglishStemmer().stem
        self._cache: dict[str, tuple[str, ...]] = {}

    def terms(self, text: str) -> list[str]:
        """The index terms of `text`, in order (repeats kept: BM25 counts them)."""
        # The hot path of indexing: findall and a cache hit per word, nothing else.
        cache = self._cache
        out: list[str] = []
        for raw in _WORD.findall(text.translate(_QUOTES)):
            terms = cache.get(raw)
            if terms is None:
                terms = self._remember(raw)
            out += terms
        return out

    def words(self, text: str) -> Iterator[tuple[int, int, tuple[str, ...]]]:
        """(start, end, terms) for each word of `text`; offsets index the NFC text given."""
        folded = text.translate(_QUOTES)
        for match in _WORD.finditer(folded):
            raw = match.group(0)
            terms = self._cache.get(raw)
            if terms is None:
                terms = self._remember(raw)
            if terms:
                yield match.start(), match.end(), terms

    def _remember(self, raw: str) -> tuple[str, ...]:
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        terms = self._cache[raw] = self._analyze_word(raw)
        return terms

    def _analyze_word(self, raw: str) -> tuple[str, ...]:
        word = unicodedata.normalize("NFKC", raw).rstrip("'")
        if word.endswith("'s") or word.endswith("'S"):
            word = word[:-2]
        expansion = self._abbreviations.get(word.rstrip("."))
        if expansion is not None:
            return tuple(t for w in expansion.split() for t in self._analyze_plain(w.casefold()))
        return self._analyze_plain(word.casefold())

    def _analyze_plain(self, word: str) -> tuple[str, ...]:
        if _NUMBER.fullmatch(word):
            return (word.replace(",", "") if "," in word else word,)
        word = word.replace("'", "")
        replaced = self._word_forms.get(word)
        if replaced is not None:
            return tuple(t for w in replaced for t in self._analyze_plain(w))
        if "-" in word or "." in word:
            parts = tuple(t for part in _PARTS.split(word) if part for t in self._analyze_plain(part))
            # Codes such as "IL-6" or "COVID-19": the joined form is more specific than its parts.
            if "-" in word and any(c.isdigit() for c in word) and any(c.isalpha() for c in word):
                return parts + (_PARTS.sub("", word),)
            return parts
        word = self._synonyms.get(word, word)
        if word in self._stopwords or word == "_" * len(word):
            return ()
        return (self._stem(word),)


@cache
def default_analyzer() -> Analyzer:
    return Analyzer()
