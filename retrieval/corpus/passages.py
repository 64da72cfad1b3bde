"""Articles become passages: one per paragraph, long paragraphs split at sentences, headings joined.

Passage text is always a verbatim slice of the cleaned article, never shortened or rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.corpus.articles import Article
from retrieval.corpus.sentences import sentence_spans

MAX_PASSAGE_CHARS = 700
_HEADING_MAX_WORDS = 14
_ENDS_SENTENCE = re.compile(r"""[.!…"”'’)\]]$""")


@dataclass(frozen=True, slots=True)
class Passage:
    id: str  # "<article id>#p<N>", or "#p<N>.<M>" for piece M of a split paragraph
    article: Article
    paragraph: int  # N: body paragraphs counted from 1, headings not counted
    text: str


def is_heading(paragraph: str) -> bool:
    """A short line that introduces what follows: a subheading or a question-style heading."""
    words = paragraph.split()
    if not words or len(words) > _HEADING_MAX_WORDS:
        return False
    if paragraph.endswith(("?", ":")):
        return True
    return not _ENDS_SENTENCE.search(paragraph)


def article_passages(article: Article) -> list[Passage]:
    passages: list[Passage] = []
    pending_heading: str | None = None
    number = 0
    for paragraph in article.paragraphs:
        if is_heading(paragraph):
            # Two headings in a row: keep both with what follows.
            pending_heading = f"{pending_heading}\n{paragraph}" if pending_heading else paragraph
            continue
        number += 1
        text = f"{pending_heading}\n{paragraph}" if pending_heading else paragraph
        pending_heading = None
        pieces = split_long(text)
        base = f"{article.id}#p{number}"
        if len(pieces) == 1:
            passages.append(Passage(base, article, number, pieces[0]))
        else:
            passages.extend(Passage(f"{base}.{m}", article, number, piece) for m, piece in enumerate(pieces, 1))
    # A heading with nothing after it (a trailing byline, a caption) answers nothing: dropped.
    return passages


def split_long(text: str, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Pieces of at most `limit` characters, cut at sentence ends, else at a word boundary."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    start = 0
    end = 0
    for _, sentence_end in _cut_points(text, limit):
        if sentence_end - start > limit and end > start:
            pieces.append(text[start:end].strip())
            start = end
        end = sentence_end
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def _cut_points(text: str, limit: int) -> list[tuple[int, int]]:
    """Sentence spans, with any sentence longer than `limit` cut into word-boundary chunks."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        while end - start > limit:
            cut = text.rfind(" ", start + 1, start + limit + 1)
            if cut <= start:
                cut = start + limit  # one unbroken "word" longer than a passage: cut it
            spans.append((start, cut))
            start = cut
        spans.append((start, end))
    return spans
