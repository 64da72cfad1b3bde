"""Serving BM25: rank-bm25's scores (Okapi, BM25L, BM25Plus) from postings, mmap'd from one file.

    index = SparseBM25.build(tokenised_passages, BM25Params("okapi"))
    index.save(path, key)                 # atomic
    index = SparseBM25.load(path, key)    # None if missing, corrupt or saved under another key
    index.top_k(query_tokens, 5)          # [(passage index, score), ...] best first

    union = UnionBM25([index, other])     # both searched as one corpus: scores over the union

Pure and synchronous; see index.py for exactly what top_k returns and why, union.py for unions.
"""

from .index import SparseBM25
from .params import BM25Params
from .union import UnionBM25

__all__ = ["BM25Params", "SparseBM25", "UnionBM25"]
