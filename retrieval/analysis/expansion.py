"""Query-side expansion from general lexicons: the words a question's words also stand for.

countries.tsv (a country, its demonyms, capital and short names), us_states.tsv (a state and the names
of its people) and related_words.tsv (informal words and plain synonyms): every word or phrase on a
line stands for the others. Only questions are expanded, never passages, and the answerer weighs an
expanded term below the question's own words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from retrieval.analysis.analyzer import Analyzer, default_analyzer
from retrieval.datafiles import data_mapping

EXPANSION_FILES = ("countries.tsv", "us_states.tsv", "related_words.tsv")


@dataclass(frozen=True, slots=True)
class Expansion:
    matched: tuple[str, ...]  # the question's terms that matched a lexicon entry
    terms: tuple[str, ...]  # the terms of another entry on the same line


class Expander:
    def __init__(self, analyzer: Analyzer, files: Sequence[str] = EXPANSION_FILES) -> None:
        self._groups: list[tuple[tuple[str, ...], ...]] = []
        self._by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for name in files:
            for head, rest in data_mapping(name).items():
                phrases = [tuple(analyzer.terms(p)) for p in [head, *rest.split(",")]]
                group = tuple(dict.fromkeys(p for p in phrases if p))
                number = len(self._groups)
                self._groups.append(group)
                for phrase in group:
                    self._by_first.setdefault(phrase[0], []).append((phrase, number))

    def expand(self, terms: Sequence[str]) -> list[Expansion]:
        """For each lexicon phrase found in `terms` (longest first at each position), the other
        phrases of its line; none that the question already holds."""
        present = set(terms)
        out: list[Expansion] = []
        seen: set[tuple[str, ...]] = set()
        i = 0
        while i < len(terms):
            matches = [
                (phrase, group)
                for phrase, group in self._by_first.get(terms[i], ())
                if tuple(terms[i : i + len(phrase)]) == phrase
            ]
            if not matches:
                i += 1
                continue
            longest = max(len(p) for p, _ in matches)
            for phrase, group in matches:
                if len(phrase) != longest:
                    continue
                for other in self._groups[group]:
                    if other != phrase and other not in seen and not set(other) <= present:
                        seen.add(other)
                        out.append(Expansion(phrase, other))
            i += longest
        return out


@cache
def default_expander() -> Expander:
    return Expander(default_analyzer())
