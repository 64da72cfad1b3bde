"""Text analysis: the same terms for passages and questions."""
