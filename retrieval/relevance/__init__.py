"""Relevance: whether a ranked passage answers the question at all."""
