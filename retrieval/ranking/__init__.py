"""Ranking: the BM25 engine and the index of a corpus's passages built on it."""
