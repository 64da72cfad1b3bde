"""Hedges: the words of a passage that weaken, question or deny its claim, exactly as written.

The cues and their kinds are in data/hedge_cues.txt. Two rules are about context rather than
words: a modal inside a question asks rather than hedges ("“Could this be…?” she asked"), and a
negation inside an "if"/"whether"/"unless" clause is supposed, not asserted ("Even if Kim
doesn't travel, a summit is inevitable").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.datafiles import data_lines

UNCERTAIN = "uncertain"
DISTANCING = "distancing"
NEGATION = "negation"
_EXCLUDE = "exclude"
_KINDS = (UNCERTAIN, DISTANCING, NEGATION, _EXCLUDE)


def _load_cues() -> dict[str, tuple[re.Pattern[str], ...]]:
    cues: dict[str, list[re.Pattern[str]]] = {kind: [] for kind in _KINDS}
    for line in data_lines("hedge_cues.txt"):
        kind, _, pattern = line.partition("\t")
        if kind not in cues or not pattern:
            raise ValueError(f"hedge_cues.txt: expected 'KIND<TAB>PATTERN' with a known kind, got {line!r}")
        cues[kind].append(re.compile(pattern, re.IGNORECASE))
    return {kind: tuple(patterns) for kind, patterns in cues.items()}


_CUES = _load_cues()
# A question, back to the sentence or quotation it starts in; its modals ask, they do not hedge.
_QUESTION = re.compile(r"[^.!?“”\"]*\?")
# The clause a negation is in starts after the last of these.
CLAUSE_BREAK = re.compile(r"[,;:.!?“”\"()–—]")
_SUPPOSITION = re.compile(r"\b(?:if|whether|unless)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    kind: str


def find_hedges(text: str) -> list[str]:
    """The hedge words and phrases of `text`, as substrings, in order of appearance, each once."""
    excluded = [(m.start(), m.end()) for p in _CUES[_EXCLUDE] for m in p.finditer(text)]
    questions = [(m.start(), m.end()) for m in _QUESTION.finditer(text)]
    found = [
        _Match(m.start(), m.end(), kind)
        for kind in (UNCERTAIN, DISTANCING, NEGATION)
        for pattern in _CUES[kind]
        for m in pattern.finditer(text)
        if m.end() > m.start()
    ]
    kept = [
        match
        for match in found
        if not _overlaps(match, excluded)
        and not (match.kind == UNCERTAIN and _overlaps(match, questions))
        and not (match.kind == NEGATION and _is_supposed(text, match.start))
    ]
    hedges: list[str] = []
    end = -1
    for match in sorted(kept, key=lambda m: (m.start, m.start - m.end)):  # first, then longest
        if match.start >= end:
            end = match.end
            hedges.append(text[match.start : match.end])
    return list(dict.fromkeys(hedges))


def hedge_kind(hedge: str) -> str:
    """UNCERTAIN, DISTANCING or NEGATION for a hedge phrase; a phrase the lexicon does not know
    still weakens its claim, so it counts as UNCERTAIN."""
    for kind in (NEGATION, DISTANCING, UNCERTAIN):
        if any(pattern.fullmatch(hedge) for pattern in _CUES[kind]):
            return kind
    return UNCERTAIN


def _overlaps(match: _Match, spans: list[tuple[int, int]]) -> bool:
    return any(start < match.end and match.start < end for start, end in spans)


def clause_start(text: str, position: int) -> int:
    """Where the clause holding `position` starts: after the last clause break before it."""
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(text, 0, position)]
    return breaks[-1] if breaks else 0


def _is_supposed(text: str, position: int) -> bool:
    """Whether `position` is in a clause that opens with if/whether/unless."""
    return bool(_SUPPOSITION.search(text, clause_start(text, position), position))
