"""Pure, synchronous question answering over a corpus of news articles (no Discord here).

The packages are the pipeline's stages, each importing only from earlier ones:
corpus (input → passages) → analysis (terms) → ranking (BM25 engine and index) → relevance
(does it answer?) → trust (who says it, how firmly, caveats) → answering (the Answer) →
evaluation (figures). `answer` (the value types) and `datafiles` (the shipped lexicons) serve all.
"""
