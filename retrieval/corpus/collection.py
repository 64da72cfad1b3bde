"""The loaded articles and their passages, with the same passage text kept once (`also_in`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from retrieval.answer import ArticleRef
from retrieval.corpus.articles import Article
from retrieval.corpus.passages import Passage, article_passages


def _passage_key(text: str) -> str:
    return " ".join(text.casefold().split())


def short_key(passage_id: str, text: str) -> str:
    """A 16-character stand-in for a passage (Discord custom ids are short). It covers the text
    too: after an article is edited, "#p5" may be another paragraph, and must not pass for it."""
    return hashlib.blake2b(f"{passage_id}\0{text}".encode(), digest_size=8).hexdigest()


@dataclass
class Corpus:
    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]  # indexed passages, each text once
    also_in: dict[str, tuple[ArticleRef, ...]] = field(default_factory=dict)  # passage id -> other articles
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)
    _by_article: dict[str, tuple[Passage, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_articles(cls, articles: Sequence[Article]) -> Corpus:
        kept: list[Passage] = []
        first_with_text: dict[str, int] = {}
        also_in: dict[str, list[ArticleRef]] = {}
        by_article: dict[str, list[Passage]] = {}
        for article in articles:
            for passage in article_passages(article):
                by_article.setdefault(article.id, []).append(passage)
                key = _passage_key(passage.text)
                if key in first_with_text:
                    first = kept[first_with_text[key]]
                    refs = also_in.setdefault(first.id, [])
                    if article.id != first.article.id and all(r.id != article.id for r in refs):
                        refs.append(article.ref)
                    continue
                first_with_text[key] = len(kept)
                kept.append(passage)
        corpus = cls(
            articles=tuple(articles),
            passages=tuple(kept),
            also_in={pid: tuple(refs) for pid, refs in also_in.items() if refs},
            _by_id={p.id: i for i, p in enumerate(kept)},
            _by_article={aid: tuple(ps) for aid, ps in by_article.items()},
        )
        _ = corpus._by_short_key  # built now, in the loading thread, not on a button click (0.7 s at 1M)
        return corpus

    def passage(self, passage_id: str) -> Passage | None:
        index = self._by_id.get(passage_id)
        return None if index is None else self.passages[index]

    @cached_property
    def _by_short_key(self) -> dict[str, str]:
        return {short_key(p.id, p.text): p.id for p in self.passages}

    def passage_id_for_key(self, key: str) -> str | None:
        """The indexed passage a short key stands for, if it is still in the corpus unchanged."""
        return self._by_short_key.get(key)

    def article_passages(self, article_id: str) -> tuple[Passage, ...]:
        """All passages of one article in reading order, duplicates of other articles included."""
        return self._by_article.get(article_id, ())

    def context(self, passage_id: str, radius: int = 1) -> tuple[Passage, ...]:
        """The passage with up to `radius` passages before and after it in its article."""
        passage = self.passage(passage_id)
        if passage is None:
            return ()
        siblings = self.article_passages(passage.article.id)
        at = next(i for i, p in enumerate(siblings) if p.id == passage_id)
        return siblings[max(0, at - radius) : at + radius + 1]
