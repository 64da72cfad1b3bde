"""Speaker, cue and hedges of passages, read with their article's context and remembered."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.corpus.collection import Corpus
from retrieval.trust.attribution.attribute import Attribution, attribute_paragraphs
from retrieval.trust.hedges import find_hedges


@dataclass(frozen=True, slots=True)
class PassageNotes:
    attribution: Attribution
    hedges: tuple[str, ...]


def _attributable(text: str) -> str:
    """A subheading joined to its paragraph (passages.py) is no part of any sentence, so
    attribution reads the paragraph alone; but a line ending in ":" ("Zakharova said:") introduces
    the quote below it and names its speaker, so it stays."""
    lines = text.split("\n")
    return text if lines[0].endswith(":") else lines[-1]


class Annotator:
    """Attribution needs the whole article (pronouns, surnames, quote continuations), so it runs
    once per article on first use and the result is kept for the life of the corpus. Hedges need
    only the passage itself: they are found for the passages asked about, not for their whole article
    (a long article's other paragraphs cost nothing until one of them is shown)."""

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus
        self._attributions: dict[str, Attribution] = {}
        self._notes: dict[str, PassageNotes] = {}

    def notes(self, passage_id: str) -> PassageNotes:
        found = self._notes.get(passage_id)
        if found is None:
            passage = self._corpus.passage(passage_id)
            if passage is None:
                raise KeyError(passage_id)
            if passage_id not in self._attributions:
                self._annotate_article(passage.article.id)
            found = PassageNotes(self._attributions[passage_id], tuple(find_hedges(passage.text)))
            found = self._notes.setdefault(passage_id, found)
        return found

    def _annotate_article(self, article_id: str) -> None:
        passages = self._corpus.article_passages(article_id)
        attributions = attribute_paragraphs([_attributable(p.text) for p in passages])
        for passage, attribution in zip(passages, attributions, strict=True):
            self._attributions.setdefault(passage.id, attribution)
