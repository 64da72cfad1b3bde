"""Quotations in a paragraph, and its sentences with no quotation cut in two."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.corpus.sentences import sentence_spans


def quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation; curly or straight marks, mixed, and '' closing as some
    wires write it; an unclosed one runs to the end, or to a mark that opens the next one."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for i, ch in enumerate(text):
        if opened is None and ch in '“"':
            opened = i
        elif opened is not None and (previous_end := _reopening(text, i)) is not None:
            # A quotation running on over several source paragraphs keeps no closing mark when
            # they are joined ("... there. "It's ..."); read as a close, the mark would put the
            # speaker's "added Mr Seller" inside the quote.
            spans.append((opened, previous_end))
            opened = i
        elif opened is not None and (ch in '”"' or text.startswith("''", i)):
            spans.append((opened, i + 1 + (ch == "'")))
            opened = None
    if opened is not None:
        spans.append((opened, len(text)))
    return spans


def _reopening(text: str, i: int) -> int | None:
    """Where the open quotation ends when the straight mark at i opens another: it is set like an
    opening mark, after a sentence's end and a space and before a word; else None. (A curly opening
    mark inside an open quotation changes nothing: the next closing mark ends both.)"""
    if text[i] != '"' or i + 1 >= len(text) or text[i + 1].isspace() or not text[i - 1].isspace():
        return None
    before = text[:i].rstrip()
    return len(before) if before.endswith((".", "!", "?")) else None


def inside(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def whole_quote_sentences(text: str, quotes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans, with sentences that end inside a quotation joined to the next."""
    merged: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        if merged and any(q_start < merged[-1][1] and start < q_end for q_start, q_end in quotes):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def is_only_quotation(text: str, quotes: Sequence[tuple[int, int]]) -> bool:
    outside = "".join(ch for i, ch in enumerate(text) if not inside(i, quotes))
    return bool(quotes) and not any(ch.isalnum() for ch in outside)


def ends_in_open_quote(text: str, quotes: Sequence[tuple[int, int]]) -> bool:
    """Whether the paragraph's last quotation is never closed: a quote running on into the next
    quotation paragraph is written without its closing mark."""
    if not quotes or quotes[-1][1] != len(text):
        return False
    stripped = text.rstrip()
    return not stripped.endswith(("”", '"', "''"))
