"""Tokenised documents → inverted lists (CSR by term), without a Python object per posting.

A million passages hold ~40M (term, doc) postings: as Python tuples that is several GB, so
tokens go straight into int32 arrays, a chunk of documents at a time; each chunk is sorted by
(term, doc) with numpy and its term frequencies are run lengths of equal keys. Chunks are then
placed into the final arrays by a counting sort on term id, which keeps doc ids ascending within
each term because chunks are taken in document order.
"""

from __future__ import annotations

import itertools
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

CHUNK_TOKENS = 1 << 22  # ~4M tokens per chunk: big enough for numpy to amortise, ~100 MB of temporaries
MAX_DOCS = 2**31 - 1  # doc ids are int32

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class InvertedLists:
    vocabulary: dict[str, int]  # term -> id, ids in order of first appearance (rank-bm25's dict order)
    doc_lengths: np.ndarray  # int64[n_docs]: tokens per document, repeats included
    offsets: np.ndarray  # int64[n_terms + 1]: term t's postings are [offsets[t], offsets[t + 1])
    docs: np.ndarray  # int32[n_postings]: doc ids, ascending within each term
    tf: np.ndarray  # int32[n_postings]: occurrences of the term in that doc


@dataclass(frozen=True)
class _Chunk:
    """Postings of consecutive documents, sorted by (term, doc)."""

    terms: np.ndarray  # int32
    docs: np.ndarray  # int32
    tf: np.ndarray  # int32


def invert(documents: Sequence[Sequence[str]], progress: Progress | None = None) -> InvertedLists:
    n_docs = len(documents)
    if n_docs > MAX_DOCS:
        raise ValueError(f"at most {MAX_DOCS} documents, got {n_docs}")
    # A defaultdict whose factory counts up hands out ids in first-appearance order, and
    # map(vocabulary.__getitem__, doc) runs the whole lookup-or-insert loop in C.
    vocabulary: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    term_id = vocabulary.__getitem__
    doc_lengths = np.empty(n_docs, dtype=np.int64)
    chunks: list[_Chunk] = []
    token_ids = array("i")
    chunk_start = 0
    for doc_id, document in enumerate(documents):
        token_ids.extend(map(term_id, document))
        doc_lengths[doc_id] = len(document)
        if len(token_ids) >= CHUNK_TOKENS or doc_id == n_docs - 1:
            chunks.append(_count_chunk(token_ids, doc_lengths[chunk_start : doc_id + 1], chunk_start))
            token_ids = array("i")
            chunk_start = doc_id + 1
            if progress is not None:
                progress(chunk_start, n_docs)
    offsets, docs, tf = _merge(chunks, len(vocabulary))
    return InvertedLists(dict(vocabulary), doc_lengths, offsets, docs, tf)


def _count_chunk(token_ids: array, doc_lengths: np.ndarray, first_doc: int) -> _Chunk:
    terms = np.frombuffer(token_ids, dtype=np.int32)
    docs = np.repeat(np.arange(first_doc, first_doc + len(doc_lengths), dtype=np.int64), doc_lengths)
    keys = (terms.astype(np.int64) << 32) | docs
    keys.sort()
    run_starts = _run_starts(keys)
    tf = np.diff(np.append(run_starts, len(keys))).astype(np.int32)
    keys = keys[run_starts]
    return _Chunk(terms=(keys >> 32).astype(np.int32), docs=(keys & 0xFFFFFFFF).astype(np.int32), tf=tf)


def _merge(chunks: list[_Chunk], n_terms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counting sort of all chunks' postings by term; frees each chunk once it is placed."""
    doc_freqs = np.zeros(n_terms, dtype=np.int64)
    for chunk in chunks:
        doc_freqs += np.bincount(chunk.terms, minlength=n_terms)
    offsets = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(doc_freqs, out=offsets[1:])
    next_free = offsets[:-1].copy()  # where each term's next posting goes
    docs = np.empty(offsets[-1], dtype=np.int32)
    tf = np.empty(offsets[-1], dtype=np.int32)
    chunks.reverse()  # pop() from the end takes them in document order
    while chunks:
        chunk = chunks.pop()
        run_starts = _run_starts(chunk.terms)
        run_lengths = np.diff(np.append(run_starts, len(chunk.terms)))
        rank_in_run = np.arange(len(chunk.terms)) - np.repeat(run_starts, run_lengths)
        slots = next_free[chunk.terms] + rank_in_run
        docs[slots] = chunk.docs
        tf[slots] = chunk.tf
        next_free[chunk.terms[run_starts]] += run_lengths
    return offsets, docs, tf


def _run_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Indices where a run of equal values begins."""
    if len(sorted_values) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))
