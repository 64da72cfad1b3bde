"""rank-bm25's formulas, evaluated so that every number comes out bit-for-bit as rank-bm25's.

Bit-for-bit, not merely close: two documents that tie in rank-bm25 must tie here too, or the
tie rule (lower doc index first) would order them differently. So each expression keeps
rank-bm25's operation order (floating-point arithmetic is not associative), logarithms use
`math.log` as rank-bm25 does (numpy's vectorised log may differ in the last bit), and sums run
sequentially in rank-bm25's order.
"""

from __future__ import annotations

import math

import numpy as np

from .params import BM25Params


def idf(doc_freqs: np.ndarray, n_docs: int, params: BM25Params) -> np.ndarray:
    """float64 idf per term; `doc_freqs` must be in rank-bm25's vocabulary order (first appearance).

    Okapi's quirk: a term in more than half the documents has a negative idf, which rank-bm25
    replaces by epsilon × the mean idf of the whole vocabulary (itself negative if most terms are
    that common, as in tiny corpora). A term in exactly half the documents keeps idf 0.
    """
    log = math.log
    dfs: list[int] = doc_freqs.tolist()
    if params.variant == "okapi":
        values = [log(n_docs - df + 0.5) - log(df + 0.5) for df in dfs]
        idf_sum = 0.0
        for value in values:  # sequential like rank-bm25's loop: sum() is compensated since 3.12
            idf_sum += value
        floor = params.epsilon * (idf_sum / len(values)) if values else 0.0
        values = [floor if value < 0 else value for value in values]
    elif params.variant == "bm25l":
        values = [log(n_docs + 1) - log(df + 0.5) for df in dfs]
    else:
        values = [log((n_docs + 1) / df) for df in dfs]
    return np.array(values, dtype=np.float64)


def posting_weights(
    tf: np.ndarray, doc_len: np.ndarray, term_idf: np.ndarray, avgdl: float, params: BM25Params
) -> np.ndarray:
    """What one query term adds to the score of a document containing it `tf` times.

    All arguments are per posting. The expressions are rank-bm25's get_scores, token for token.
    """
    k1, b = params.k1, params.b
    tf = tf.astype(np.float64)
    length_norm = 1 - b + b * doc_len / avgdl
    if params.variant == "okapi":
        return term_idf * (tf * (k1 + 1) / (tf + k1 * length_norm))
    delta = params.delta
    if params.variant == "bm25l":
        ctd = tf / length_norm
        return term_idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
    return term_idf * (delta + (tf * (k1 + 1)) / (k1 * length_norm + tf))


def absent_weights(term_idf: np.ndarray, params: BM25Params) -> np.ndarray:
    """What one query term adds to the score of a document that does NOT contain it.

    0 for Okapi and BM25L (their expressions carry a factor tf). BM25Plus adds idf × delta to
    every document: rank-bm25 computes idf * (delta + 0 / (k1 * norm + 0)), which is exactly
    idf * delta whenever k1 * norm > 0 (when it is 0 rank-bm25 gets 0/0 = NaN; this is its limit).
    """
    if params.variant == "bm25plus":
        return term_idf * params.delta
    return np.zeros(len(term_idf), dtype=np.float64)
