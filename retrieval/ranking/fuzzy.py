"""Question words the corpus never uses, matched to its vocabulary by edit distance ("verstapen").

Like Elasticsearch's `fuzziness: AUTO` (a transposition is one edit), a little stricter: terms of 6-7
characters may be one edit away, longer ones two; shorter terms and numbers are never corrected. Among
the closest vocabulary terms the most frequent wins. The vocabulary is grouped by first character: a
misspelling rarely changes the first letter, and one group is searched in milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 6  # shorter words are too often everyday words a small corpus lacks ("world" -> "word")
LONG = 8  # from this length two edits; Elasticsearch allows them from 6, which on a small corpus
# turned everyday words into unrelated ones ("banana" -> "balance")


def max_edits(term: str) -> int:
    if len(term) < MIN_LENGTH or any(c.isdigit() for c in term):
        return 0
    return 1 if len(term) < LONG else 2


class FuzzyVocabulary:
    def __init__(self, document_frequencies: Mapping[str, int]) -> None:
        self._df = document_frequencies
        self._groups: dict[str, list[str]] = {}
        for term in document_frequencies:
            if len(term) >= MIN_LENGTH - 1 and not term.isdigit():
                self._groups.setdefault(term[0], []).append(term)

    def correct(self, term: str) -> str | None:
        """The vocabulary term `term` most likely misspells, or None."""
        edits = max_edits(term)
        group = self._groups.get(term[:1])
        if not edits or not group:
            return None
        found = process.extract(term, group, scorer=OSA.distance, score_cutoff=edits, limit=20)
        if not found:
            return None
        closest = min(distance for _, distance, _ in found)
        return max((t for t, d, _ in found if d == closest), key=lambda t: (self._df.get(t, 0), t))
