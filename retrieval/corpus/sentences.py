"""Sentence boundaries for splitting long paragraphs, with NLTK's Punkt and no downloaded data."""

from __future__ import annotations

from functools import cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from retrieval.datafiles import data_lines


@cache
def _tokenizer() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(data_lines("sentence_abbreviations.txt"))
    return PunktSentenceTokenizer(params)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, covering it in order."""
    return list(_tokenizer().span_tokenize(text))
