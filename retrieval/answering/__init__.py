"""Answering: a question becomes an Answer; the library holds corpus, index and answerer."""
