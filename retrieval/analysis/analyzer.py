"""Text analysis shared by passages and questions: the same words must become the same terms.

Steps, in order: NFKC and quote folding; capitalised abbreviations expanded ("UN" -> united
nations); case folding; possessives and apostrophes; hyphenated words split; informal and
irregular forms (word_forms.tsv); synonyms (synonyms.tsv); stopwords; British ae/oe spellings
respelt (spelling_rules.tsv); Snowball stemming; other British spellings read as American
(spelling_variants.tsv).
Numbers are kept whole ("2019", "450,000" -> "450000"); a magnitude written onto one is read as its
word ("$14m" -> 14 million, "£1.3bn" -> 1.3 billion). All lexicons are data files in
retrieval/data/, and nothing needs downloaded NLTK data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from itertools import chain

from nltk.stem.snowball import EnglishStemmer

from retrieval.datafiles import data_lines, data_mapping

ANALYZER_VERSION = "7"  # bump when the code's output changes: saved indexes depend on it
# The lexicons `terms` reads; saved indexes are keyed by their contents too.
ANALYZER_DATA_FILES = (
    "stopwords.txt",
    "abbreviations.tsv",
    "word_forms.tsv",
    "synonyms.tsv",
    "spelling_variants.tsv",
    "spelling_rules.tsv",
)

_APOSTROPHES = ("\u2019", "\u2018", "\u02bc", "\u2032", "`", "\u00b4")
_CURRENCIES = "$£€¥"
_WORD = re.compile(
    # an amount of money ("$14m", "£1.3bn's"); a number with a decimal part, and an unambiguous
    # magnitude ("1.3bn"); any other word
    rf"[{_CURRENCIES}]\d+(?:[.,]\d+)*(?:(?i:bn|mn|tn|m|k|b)(?!\w))?(?:'s)?"
    r"|\d+(?:[.,]\d+)+(?:(?i:bn|mn|tn)(?!\w)(?:'s)?)?"
    r"|\w+(?:[-'.]\w+)*'?"
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# News writes amounts as "$14m" and "£1.3bn", members as "14 million": one number, one magnitude word.
# "m", "k" and "b" are a magnitude only after a currency sign: "100m" is a sprint, "4k" a screen.
_MAGNITUDES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion", "tn": "trillion"}
_UNAMBIGUOUS = ("bn", "mn", "tn")
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)*)(bn|mn|tn|m|k|b)?", re.I)
_PARTS = re.compile(r"[-.]")
# An acronym's plural ("MPs", "CSOs", "DVDs"): the stemmer keeps an "s" after a vowel-less or
# vowel-final word, so "CSOs" and "CSO" would never meet.
_CAPITALS_PLURAL = re.compile(r"[A-Z]{2,}s")
_CACHE_LIMIT = 500_000
_AE_OE = re.compile("ae|oe")  # only words with these letters can match a spelling rule


class Analyzer:
    """Turns text into index terms. Cheap to call repeatedly: results per raw word are cached."""

    def __init__(self) -> None:
        stopwords, abbreviations, word_forms, synonyms, spellings, spelling_rules = ANALYZER_DATA_FILES
        self._stopwords = frozenset(data_lines(stopwords))
        self._abbreviations = data_mapping(abbreviations)
        self._word_forms = {k: v.split() for k, v in data_mapping(word_forms).items()}
        self._synonyms = {
            variant.strip(): canonical
            for canonical, variants in data_mapping(synonyms).items()
            for variant in variants.split(",")
        }
        self._stem = EnglishStemmer().stem
        # British stem -> American stem: stems, so that every inflection ("organised", "organisation")
        # follows its word without a list of its own.
        self._spellings = {
            self._stem(british): self._stem(american)
            for british, american in data_mapping(spellings).items()
            if self._stem(british) != self._stem(american)
        }
        self._respellings = [
            (re.compile(pattern), replacement) for pattern, replacement in data_mapping(spelling_rules).items()
        ]
        for pattern, _ in self._respellings:
            if not _AE_OE.search(pattern.pattern):
                raise ValueError(f"{spelling_rules}: {pattern.pattern!r} holds no ae/oe, and only such words are tried")
        self._memo = _Memo(self._analyze_word)

    def terms(self, text: str) -> list[str]:
        """The index terms of `text`, in order (repeats kept: BM25 counts them)."""
        # The hot path of indexing (a million passages): every step here runs in C, the memo's
        # __missing__ (Python) only for a word not seen before.
        return list(chain.from_iterable(map(self._memo.__getitem__, _WORD.findall(_straight_apostrophes(text)))))

    def words(self, text: str) -> Iterator[tuple[int, int, tuple[str, ...]]]:
        """(start, end, terms) for each word of `text`; offsets index the NFC text given."""
        for match in _WORD.finditer(_straight_apostrophes(text)):
            terms = self._memo[match.group(0)]
            if terms:
                yield match.start(), match.end(), terms

    def _analyze_word(self, raw: str) -> tuple[str, ...]:
        word = unicodedata.normalize("NFKC", raw).rstrip("'")
        if word.endswith("'s") or word.endswith("'S"):
            word = word[:-2]
        money = word[:1] in _CURRENCIES and len(word) > 1
        amount = _AMOUNT.fullmatch(word[1:] if money else word)
        if amount is not None and (money or (amount.group(2) or "").casefold() in _UNAMBIGUOUS):
            number, magnitude = amount.groups()
            return self._analyze_plain(number) + ((_MAGNITUDES[magnitude.casefold()],) if magnitude else ())
        expansion = self._abbreviations.get(word.rstrip("."))
        if expansion is not None:
            return tuple(t for w in expansion.split() for t in self._analyze_plain(w.casefold()))
        if _CAPITALS_PLURAL.fullmatch(word):
            # The singular only: both forms counted the word twice (SciFact nDCG@10 0.703 -> 0.699).
            # A member's lower-case "csos" is read as the singular by retrieval/ranking/reading.py.
            return self._analyze_word(word[:-1])
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
        if _AE_OE.search(word):
            for pattern, replacement in self._respellings:
                word = pattern.sub(replacement, word)
        stem = self._stem(word)
        return (self._spellings.get(stem, stem),)


def _straight_apostrophes(text: str) -> str:
    """Curly and other apostrophes as "'", one character for one so offsets stay valid.
    (str.replace per character: 30 times faster than str.translate with a mapping.)"""
    for apostrophe in _APOSTROPHES:
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    return text


class _Memo(dict[str, tuple[str, ...]]):
    """Raw word -> its terms, computed on first sight; bounded, since vocabularies are not."""

    def __init__(self, analyze: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__()
        self._analyze = analyze

    def __missing__(self, raw: str) -> tuple[str, ...]:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        terms = self[raw] = self._analyze(raw)
        return terms


@cache
def default_analyzer() -> Analyzer:
    return Analyzer()
