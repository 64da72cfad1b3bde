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

from . import kernels
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


def okapi_floor(doc_freqs: np.ndarray, n_docs: int, params: BM25Params) -> float:
    """Okapi's replacement for a negative idf: epsilon × the mean idf over the whole vocabulary,
    summed sequentially in vocabulary order as rank-bm25 does (`doc_freqs` in that order)."""
    if len(doc_freqs) == 0:
        return 0.0
    return params.epsilon * (kernels.okapi_idf_sum(doc_freqs, n_docs) / len(doc_freqs))


def term_idf(df: int, n_docs: int, params: BM25Params, floor: float) -> float:
    """One term's idf, as `idf` computes it for a whole vocabulary (`floor`: Okapi's, see okapi_floor)."""
    log = math.log
    if params.variant == "okapi":
        value = log(n_docs - df + 0.5) - log(df + 0.5)
        return floor if value < 0 else value
    if params.variant == "bm25l":
        return log(n_docs + 1) - log(df + 0.5)
    return log((n_docs + 1) / df)


def pair_factors(tf: np.ndarray, doc_len: np.ndarray, avgdl: float, params: BM25Params) -> np.ndarray:
    """Per (tf, document length) pair, what a posting's weight is made of besides the term's idf.

    float64[rows, n_pairs]. The expressions are rank-bm25's get_scores, token for token, split
    where rank-bm25's operation order allows (kernels.accumulate does the rest):
    - Okapi, one row: weight = idf * row0;
    - BM25Plus, one row: weight = idf * row0;
    - BM25L, three rows (its idf multiplies tf before the rest): weight = idf * tf * (k1 + 1) * row1 / row2.
    """
    k1, b = params.k1, params.b
    tf = tf.astype(np.float64)
    length_norm = 1 - b + b * doc_len / avgdl
    if params.variant == "okapi":
        return np.array([tf * (k1 + 1) / (tf + k1 * length_norm)])
    delta = params.delta
    if params.variant == "bm25l":
        ctd = tf / length_norm
        return np.array([tf, ctd + delta, k1 + ctd + delta])
    return np.array([delta + (tf * (k1 + 1)) / (k1 * length_norm + tf)])


def absent_weights(term_idf: np.ndarray, params: BM25Params) -> np.ndarray:
    """What one query term adds to the score of a document that does NOT contain it.

    0 for Okapi and BM25L (their expressions carry a factor tf). BM25Plus adds idf × delta to
    every document: rank-bm25 computes idf * (delta + 0 / (k1 * norm + 0)), which is exactly
    idf * delta whenever k1 * norm > 0 (when it is 0 rank-bm25 gets 0/0 = NaN; this is its limit).
    """
    if params.variant == "bm25plus":
        return term_idf * params.delta
    return np.zeros(len(term_idf), dtype=np.float64)
