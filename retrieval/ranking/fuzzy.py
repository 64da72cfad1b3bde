"""Question words the corpus never uses, matched to its vocabulary by edit distance ("verstapen").

Like Elasticsearch's `fuzziness: AUTO` (a transposition is one edit), a little stricter: terms of 6-7
characters may be one edit away, longer ones two; shorter terms and numbers are never corrected. Among
the closest vocabulary terms the most frequent wins. The vocabulary is grouped by first character: a
misspelling rarely changes the first letter, and one group is searched in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 6  # shorter words are too often everyday words a small corpus lacks ("world" -> "word")
LONG = 8  # from this length two edits; Elasticsearch allows them from 6, which on a small corpus
# turned everyday words into unrelated ones ("banana" -> "balance")


def max_edits(term: str) -> int:
    if len(term) < MIN_LENGTH or any(c.isdigit() for c in term):
        return 0
    return 1 if len(term) < LONG else 2


_LIMIT = 20  # closest terms looked at; among them the most frequent of the closest wins


class FuzzyVocabulary:
    def __init__(self, document_frequencies: Mapping[str, int]) -> None:
        self._df = document_frequencies
        self._groups: dict[str, list[str]] = {}
        for term in document_frequencies:
            if len(term) >= MIN_LENGTH - 1 and not term.isdigit():
                self._groups.setdefault(term[0], []).append(term)

    def correct(self, term: str) -> str | None:
        """The vocabulary term `term` most likely misspells, or None."""
        return _most_frequent_closest(self.closest(term), lambda t: self._df.get(t, 0))

    def closest(self, term: str) -> list[tuple[str, int]]:
        """Up to _LIMIT (vocabulary term, distance) within `term`'s allowed edits, closest first,
        ties in vocabulary order."""
        edits = max_edits(term)
        group = self._groups.get(term[:1])
        if not edits or not group:
            return []
        found = process.extract(term, group, scorer=OSA.distance, score_cutoff=edits, limit=_LIMIT)
        return [(t, distance) for t, distance, _ in found]


class LayeredFuzzy:
    """A base vocabulary's corrections with a few more terms after it (a server's words beside the
    base corpus): the same correction as one FuzzyVocabulary over both, the base's reused as it is.
    `df` gives the frequencies over both."""

    def __init__(self, base: FuzzyVocabulary, added_terms: Iterable[str], df: Callable[[str], int]) -> None:
        self._base = base
        self._added = FuzzyVocabulary(dict.fromkeys(added_terms, 0))
        self._df = df

    def correct(self, term: str) -> str | None:
        # Distance first, then vocabulary order: the base's terms come before the added ones.
        found = sorted(
            [(d, 0, i, t) for i, (t, d) in enumerate(self._base.closest(term))]
            + [(d, 1, i, t) for i, (t, d) in enumerate(self._added.closest(term))]
        )[:_LIMIT]
        return _most_frequent_closest([(t, d) for d, _, _, t in found], self._df)


def _most_frequent_closest(found: list[tuple[str, int]], df: Callable[[str], int]) -> str | None:
    if not found:
        return None
    closest = min(distance for _, distance in found)
    return max((t for t, d in found if d == closest), key=lambda t: (df(t), t))
