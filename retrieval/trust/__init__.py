"""Trust: who makes each claim, how firmly, and the caveats an answer carries."""
