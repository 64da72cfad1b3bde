"""Evaluation: figures for question sets and TREC runs."""
