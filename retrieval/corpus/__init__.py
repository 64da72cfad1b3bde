"""Corpus input: article files and records through one gate, cleaned, split into passages."""
