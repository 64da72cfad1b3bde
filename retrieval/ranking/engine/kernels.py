"""The per-query loops, compiled with numba: work grows with the query terms' postings only.

numpy alone makes several passes and temporaries per query (scatter-add each term's postings,
gather the touched docs' scores, partition, deduplicate, clear): at a million passages a
pure-numpy Okapi top-k measured p50 0.72 / p95 5.1 ms against 0.34 / 2.2 ms for these loops
(same index and heavy stand-in queries), missing the 3 ms p95 target.
`cache=True` keeps the compiled code on disk (in __pycache__), so only the first process after
a change pays for compiling (~2 s); later processes pay ~0.2 s once, at their first query, for
numba to load it (more when scipy is installed: numba then imports scipy.linalg).

Scratch, owned by one index, sized n_docs, and clean between queries:
- `slots[doc]`: where the doc sits in the touched arrays, -1 if untouched (all -1 when clean);
- `touched_docs`, `touched_scores`, `touched_stamps`: the touched docs in first-touch order,
  their scores so far (all 0.0 when clean) and 1 + the last query term each contained.
Keeping touched docs' scores packed rather than indexed by doc makes every pass after the
first one sequential: BM25Plus's per-term pass (below) and the top-k selection. Measured
against scores indexed by doc: BM25Plus p50 0.87 -> 0.37 ms and p95 4.0 -> 2.3 ms, for Okapi
p50 0.39 -> 0.34 ms but p95 1.7 -> 2.0 ms (a later term's postings reach packed slots at random).
`accumulate` fills the scratch; `take_top_k` or `reset` leaves it clean again.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def accumulate(
    starts: np.ndarray,  # int64[m]: each known query term's postings are [starts[j], stops[j]),
    stops: np.ndarray,  # int64[m]  empty where this segment lacks a term other segments have
    term_idf: np.ndarray,  # float64[m]: each query term's idf, in query order, repeats kept
    absent: np.ndarray,  # float64[m]: what each query term adds to a doc lacking it
    docs: np.ndarray,  # int32[n_postings]
    pairs: np.ndarray,  # int32[n_postings]: each posting's (tf, doc length) pair (pairs.py)
    factors: np.ndarray,  # float64[rows, n_pairs]: formulas.pair_factors
    k1_plus_1: float,
    slots: np.ndarray,  # int32[n_docs] scratch
    touched_docs: np.ndarray,  # int32[n_docs] scratch
    touched_scores: np.ndarray,  # float64[n_docs] scratch
    touched_stamps: np.ndarray,  # int32[n_docs] scratch
) -> int:
    """Score every document that contains a query term; returns how many there are.

    rank-bm25 adds each query term's contribution to every document, term by term in query
    order; floating-point addition is not associative, so to get the same bits each touched
    document's score is built in that same order. A document first touched at term j starts
    from `untouched`, the score so far of documents lacking terms 0..j-1; after each term,
    touched documents lacking it get its `absent` weight (nonzero only for BM25Plus: that
    sequential pass is BM25Plus's extra cost).
    The inner loop is branch-free on purpose: whether a doc is new is unpredictable, and
    arithmetic on `fresh` (adding `untouched * fresh`, exactly 0.0 unless fresh) costs less
    than a mispredicted branch.
    """
    n_touched = 0
    n_docs = touched_docs.shape[0]
    untouched = 0.0
    three_rows = factors.shape[0] == 3  # BM25L
    for j in range(starts.shape[0]):
        idf = term_idf[j]
        stamp = j + 1
        for p in range(starts[j], stops[j]):
            doc = docs[p]
            pair = pairs[p]
            if three_rows:  # the same way for every posting: predicted
                weight = (((idf * factors[0, pair]) * k1_plus_1) * factors[1, pair]) / factors[2, pair]
            else:
                weight = idf * factors[0, pair]
            slot = slots[doc]
            fresh = slot < 0
            slot += (n_touched - slot) * fresh  # a fresh doc takes the next free slot
            slots[doc] = slot
            if n_touched < n_docs:  # once every doc is touched no fresh one can follow, and no slot is free
                touched_docs[n_touched] = doc  # kept only if fresh: otherwise the next fresh doc overwrites it
            n_touched += fresh
            touched_scores[slot] = (touched_scores[slot] + untouched * fresh) + weight
            touched_stamps[slot] = stamp
        if absent[j] != 0.0:
            for slot in range(n_touched):
                touched_scores[slot] += absent[j] * (touched_stamps[slot] != stamp)
        untouched += absent[j]
    return n_touched


@njit(cache=True)
def okapi_idf_sum(doc_freqs: np.ndarray, n_docs: int) -> float:
    """Sum of Okapi's raw idf over a vocabulary, in order, as rank-bm25's loop adds them: libm's
    log like math.log, and without fastmath the additions cannot be reordered, so the bits are
    rank-bm25's (tests/test_segments.py compares). In Python a million terms take ~0.3 s."""
    total = 0.0
    for i in range(doc_freqs.shape[0]):
        df = doc_freqs[i]
        total += np.log(n_docs - df + 0.5) - np.log(df + 0.5)
    return total


@njit(cache=True)
def take_top_k(
    n_touched: int,
    slots: np.ndarray,
    touched_docs: np.ndarray,
    touched_scores: np.ndarray,
    out_docs: np.ndarray,
    out_scores: np.ndarray,
) -> int:
    """Fill out_docs/out_scores with the len(out_docs) best touched docs, best first (score
    descending, then doc index ascending), cleaning the scratch as it reads it.

    The best so far are kept as a heap whose root is the worst of them: most candidates lose to
    the root after one comparison, so this is O(touched) in practice and O(touched log k) at worst,
    for any k. Returns how many results it filled in (fewer than k if fewer docs were touched).
    """
    k = out_docs.shape[0]
    filled = 0
    for slot in range(n_touched):
        doc = touched_docs[slot]
        score = touched_scores[slot]
        touched_scores[slot] = 0.0
        slots[doc] = -1
        if filled < k:
            _sift_up(out_docs, out_scores, filled, doc, score)
            filled += 1
        elif k > 0 and _better(score, doc, out_scores[0], out_docs[0]):
            _sift_down(out_docs, out_scores, k, doc, score)
    # Heapsort: move the worst to the end, repeatedly, leaving the best first.
    for end in range(filled - 1, 0, -1):
        doc, score = out_docs[end], out_scores[end]
        out_docs[end], out_scores[end] = out_docs[0], out_scores[0]
        _sift_down(out_docs, out_scores, end, doc, score)
    return filled


@njit(cache=True)
def _better(score: float, doc: int, other_score: float, other_doc: int) -> bool:
    return score > other_score or (score == other_score and doc < other_doc)


@njit(cache=True)
def _sift_up(heap_docs: np.ndarray, heap_scores: np.ndarray, position: int, doc: int, score: float) -> None:
    """Place (doc, score) at `position`, the heap's new last place, moving better parents down."""
    while position > 0:
        parent = (position - 1) // 2
        if not _better(heap_scores[parent], heap_docs[parent], score, doc):
            break
        heap_docs[position], heap_scores[position] = heap_docs[parent], heap_scores[parent]
        position = parent
    heap_docs[position], heap_scores[position] = doc, score


@njit(cache=True)
def _sift_down(heap_docs: np.ndarray, heap_scores: np.ndarray, size: int, doc: int, score: float) -> None:
    """Replace the root of the heap's first `size` places by (doc, score), moving worse children up."""
    position = 0
    while True:
        child = 2 * position + 1
        if child >= size:
            break
        sibling = child + 1
        if sibling < size and _better(heap_scores[child], heap_docs[child], heap_scores[sibling], heap_docs[sibling]):
            child = sibling  # the worse of the two children
        if not _better(score, doc, heap_scores[child], heap_docs[child]):
            break
        heap_docs[position], heap_scores[position] = heap_docs[child], heap_scores[child]
        position = child
    heap_docs[position], heap_scores[position] = doc, score


@njit(cache=True)
def reset(n_touched: int, slots: np.ndarray, touched_docs: np.ndarray, touched_scores: np.ndarray) -> None:
    for slot in range(n_touched):
        slots[touched_docs[slot]] = -1
        touched_scores[slot] = 0.0
