"""Pure, synchronous question answering over a corpus of news articles (no Discord here)."""
