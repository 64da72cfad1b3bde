"""The loaded articles and their passages, with the same passage text kept once (`also_in`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from retrieval.answer import ArticleRef
from retrieval.corpus.articles import Article
from retrieval.corpus.passages import Passage, article_passages


def _passage_key(text: str) -> str:
    return " ".join(text.casefold().split())


def short_key(passage_id: str, text: str) -> str:
    """A 16-character stand-in for a passage (Discord custom ids are short). It covers the text
    too: after an article is edited, "#p5" may be another paragraph, and must not pass for it."""
    return hashlib.blake2b(f"{passage_id}\0{text}".encode(), digest_size=8).hexdigest()


def _unique_passages(
    articles: Sequence[Article], held_elsewhere: Callable[[str, Article], bool] | None = None
) -> tuple[list[Passage], dict[str, list[ArticleRef]], dict[str, list[Passage]]]:
    """Each text once, in order: (kept passages, passage id -> other articles with its text, article
    id -> its passages). `held_elsewhere(text key, article)` is true for a text already indexed
    elsewhere (a server's passage the base has), which it records itself; it is not kept here."""
    kept: list[Passage] = []
    first_with_text: dict[str, int] = {}
    also_in: dict[str, list[ArticleRef]] = {}
    by_article: dict[str, list[Passage]] = {}
    for article in articles:
        for passage in article_passages(article):
            by_article.setdefault(article.id, []).append(passage)
            key = _passage_key(passage.text)
            if held_elsewhere is not None and held_elsewhere(key, article):
                continue
            if key in first_with_text:
                first = kept[first_with_text[key]]
                refs = also_in.setdefault(first.id, [])
                if article.id != first.article.id and all(r.id != article.id for r in refs):
                    refs.append(article.ref)
                continue
            first_with_text[key] = len(kept)
            kept.append(passage)
    return kept, also_in, by_article


@dataclass
class Corpus:
    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]  # indexed passages, each text once
    also_in: dict[str, tuple[ArticleRef, ...]] = field(default_factory=dict)  # passage id -> other articles
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)
    _by_article: dict[str, tuple[Passage, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_articles(cls, articles: Sequence[Article]) -> Corpus:
        kept, also_in, by_article = _unique_passages(articles)
        corpus = cls(
            articles=tuple(articles),
            passages=tuple(kept),
            also_in={pid: tuple(refs) for pid, refs in also_in.items() if refs},
            _by_id={p.id: i for i, p in enumerate(kept)},
            _by_article={aid: tuple(ps) for aid, ps in by_article.items()},
        )
        _ = corpus._by_short_key  # built now, in the loading thread, not on a button click (0.7 s at 1M)
        return corpus

    def __getstate__(self) -> dict:
        # What joining computes on demand (in-process lookups) is never saved with a snapshot.
        return {k: v for k, v in self.__dict__.items() if k not in _ON_DEMAND}

    @cached_property
    def article_ids(self) -> frozenset[str]:
        return frozenset(a.id for a in self.articles)

    @cached_property
    def _text_hashes(self) -> tuple[np.ndarray, np.ndarray]:
        """(sorted 64-bit digests of every passage's duplicate key, the passage index of each):
        1.6 MB at 100k passages, where a dict of the keys would hold every text again."""
        digests = np.fromiter(
            (_text_digest(_passage_key(p.text)) for p in self.passages), np.uint64, len(self.passages)
        )
        order = np.argsort(digests, kind="stable")
        return digests[order], order

    def index_of_text(self, key: str) -> int | None:
        """The index of the passage whose duplicate key (`_passage_key`) is `key`, if any."""
        digests, order = self._text_hashes
        digest = _text_digest(key)
        at = int(np.searchsorted(digests, digest))
        while at < len(digests) and digests[at] == digest:  # a digest collision: compare the texts
            if _passage_key(self.passages[int(order[at])].text) == key:
                return int(order[at])
            at += 1
        return None

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


_ON_DEMAND = ("article_ids", "_text_hashes")


def _text_digest(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


class _Chain(Sequence):
    """Two sequences read as one, without copying either (a 100k base stays the base's)."""

    def __init__(self, first: Sequence, second: Sequence) -> None:
        self._first, self._second = first, second
        self._split = len(first)

    def __len__(self) -> int:
        return self._split + len(self._second)

    def __getitem__(self, i):  # noqa: ANN001 — int or slice, as a tuple's
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        if i < 0:
            raise IndexError("index out of range")
        return self._first[i] if i < self._split else self._second[i - self._split]

    def __iter__(self) -> Iterator:
        yield from self._first
        yield from self._second

    def __repr__(self) -> str:
        return f"<{len(self._first)} + {len(self._second)} items>"


class _ByGet(Mapping):
    """A read-only mapping whose `get` does the work (a hot path: no KeyError round trip); its
    values are never None."""

    def __getitem__(self, key):  # noqa: ANN001, ANN204
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found


class _ChainedMap(_ByGet):
    """The base's mapping, then the server's (keys never overlap: article ids are distinct)."""

    def __init__(self, first: Mapping, second: Mapping) -> None:
        self._first, self._second = first, second

    def get(self, key, default=None):  # noqa: ANN001, ANN201 — a hot path: no KeyError round trip
        found = self._first.get(key)
        return self._second.get(key, default) if found is None else found

    def __iter__(self) -> Iterator:
        yield from self._first
        yield from self._second

    def __len__(self) -> int:
        return len(self._first) + len(self._second)


class _ShiftedIds(Mapping):
    """The server's passage id -> index map, its indices after the base's."""

    def __init__(self, ids: Mapping[str, int], shift: int) -> None:
        self._ids, self._shift = ids, shift

    def get(self, key, default=None):  # noqa: ANN001, ANN201
        found = self._ids.get(key)
        return default if found is None else found + self._shift

    def __getitem__(self, key):  # noqa: ANN001, ANN204
        return self._ids[key] + self._shift

    def __iter__(self) -> Iterator:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class _LayeredAlsoIn(_ByGet):
    """also_in over base and server: a base passage whose text a server article repeats lists it
    after the base's own articles, as one corpus loaded base first would."""

    def __init__(self, base: Mapping, added: Mapping, own: Mapping) -> None:
        self._base, self._added, self._own = base, added, own

    def get(self, key, default=None):  # noqa: ANN001, ANN201
        found = self._own.get(key)
        if found is not None:
            return found
        base, added = self._base.get(key, ()), self._added.get(key, ())
        return (base + added) if (base or added) else default

    def __iter__(self) -> Iterator:
        yield from self._own
        yield from self._base
        yield from (k for k in self._added if k not in self._base)

    def __len__(self) -> int:
        return len(self._own) + len(self._base) + sum(1 for k in self._added if k not in self._base)


class LayeredCorpus(Corpus):
    """A base corpus followed by a server's articles, read as one corpus without copying the base:
    passage indices are the base's, then the server's from len(base.passages) on. It equals
    `Corpus.from_articles(base articles + server articles)` in every lookup, with the server's
    own dictionaries only (a few hundred entries) beside the base's.

    A server passage whose text the base already has is not indexed again: the base passage lists
    the server's article in `also_in`, as within one corpus. Article ids must not overlap the base's
    (Library.joined leaves such articles out)."""

    def __init__(self, base: Corpus, articles: Sequence[Article]) -> None:
        added: dict[str, list[ArticleRef]] = {}  # base passage id -> server articles repeating it

        def in_base(key: str, article: Article) -> bool:
            found = base.index_of_text(key)
            if found is None:
                return False
            first = base.passages[found]
            refs = added.setdefault(first.id, [])
            if all(r.id != article.id for r in (*base.also_in.get(first.id, ()), *refs)):
                refs.append(article.ref)
            return True

        kept, own_also_in, by_article = _unique_passages(articles, in_base)
        self.base = base
        self.own_articles = tuple(articles)
        self.own_passages = tuple(kept)
        self.articles = _Chain(base.articles, self.own_articles)  # type: ignore[assignment]
        self.passages = _Chain(base.passages, self.own_passages)  # type: ignore[assignment]
        self._own_ids = {p.id: i for i, p in enumerate(kept)}
        self._by_id = _ChainedMap(base._by_id, _ShiftedIds(self._own_ids, len(base.passages)))  # type: ignore[assignment]
        self._own_by_article = {aid: tuple(ps) for aid, ps in by_article.items()}
        self._by_article = _ChainedMap(base._by_article, self._own_by_article)  # type: ignore[assignment]
        self._own_also_in = {pid: tuple(refs) for pid, refs in own_also_in.items() if refs}
        self._added_also_in = {pid: tuple(refs) for pid, refs in added.items() if refs}
        self.also_in = _LayeredAlsoIn(base.also_in, self._added_also_in, self._own_also_in)  # type: ignore[assignment]
        self._own_short_keys = {short_key(p.id, p.text): p.id for p in kept}

    def passage_id_for_key(self, key: str) -> str | None:
        return self.base.passage_id_for_key(key) or self._own_short_keys.get(key)

    @cached_property
    def article_ids(self) -> frozenset[str]:
        return self.base.article_ids | {a.id for a in self.own_articles}

    def index_of_text(self, key: str) -> int | None:
        found = self.base.index_of_text(key)
        if found is None:
            own = next((i for i, p in enumerate(self.own_passages) if _passage_key(p.text) == key), None)
            found = None if own is None else len(self.base.passages) + own
        return found

    def __repr__(self) -> str:
        return f"<LayeredCorpus {len(self.base.passages)} + {len(self.own_passages)} passages>"
