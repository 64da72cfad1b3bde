"""A corpus loaded and indexed, ready to answer: what the CLI and the bot hold and swap on reload."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from retrieval.answer import Answer
from retrieval.answering.answerer import DEFAULT_K, Answerer
from retrieval.corpus.articles import Article
from retrieval.corpus.collection import Corpus, LayeredCorpus
from retrieval.corpus.loader import CorpusPathError, Problem, load_corpora
from retrieval.corpus.snapshot import CorpusSnapshot, Loaded
from retrieval.ranking.index import JoinedPassageIndex, PassageIndex, Progress, RankingConfig, saved_index_path
from retrieval.trust.annotations import Annotator, PassageNotes


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building makes millions of long-lived objects, and every full collection of the cyclic
    garbage collector walks them all while holding the GIL: over a second per pause at 100k
    passages, which froze the bot's event loop during reloads (bench/load.py). The collector
    waits until the build is done; what was built is then frozen, so later collections skip it
    (the corpus holds no reference cycles: reference counting still frees an old corpus).
    The price: cyclic garbage that other threads make during a build is frozen with it and never
    collected — bounded by what the bot allocates during one reload."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


class EmptyCorpusError(CorpusPathError):
    """The corpus path exists but yields no usable article."""


def _load(sources: Sequence[Path]) -> Loaded:
    loaded = load_corpora(sources)
    if not loaded.articles:
        reasons = "; ".join(str(p) for p in loaded.problems[:5])
        where = ", ".join(map(str, sources))
        raise EmptyCorpusError(f"no usable article in {where}" + (f" ({reasons})" if reasons else ""))
    return Loaded(Corpus.from_articles(loaded.articles), tuple(loaded.problems))


@dataclass(frozen=True, slots=True)
class CorpusChange:
    """What a reload changed, by article id, for the moderator's report."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


@dataclass
class Library:
    corpus: Corpus
    index: PassageIndex
    answerer: Answerer
    problems: list[Problem] = field(default_factory=list)
    base: Library | None = None  # for a joined library: the library it was joined to

    @classmethod
    def load(
        cls,
        path: Path | Sequence[Path],
        *,
        config: RankingConfig | None = None,
        today: Callable[[], date] = date.today,
        progress: Progress | None = None,
        data_dir: Path | None = None,
    ) -> Library:
        """Load, check and index the corpus at `path` (or several paths, as one corpus, in order);
        with `data_dir`, reuse the corpus snapshot and the index saved there for unchanged inputs."""
        sources = (Path(path),) if isinstance(path, str | Path) else tuple(Path(p) for p in path)
        if not sources:
            raise CorpusPathError("no corpus path given")
        with _collector_paused():
            snapshot = None
            if data_dir is not None:
                snapshot = CorpusSnapshot(
                    saved_index_path(data_dir, "corpus", sources).with_suffix(".snapshot"), sources
                )
            loaded = snapshot.read() if snapshot else None
            if loaded is None:
                loaded = _load(sources)
                if snapshot:
                    snapshot.write(loaded)
            saved_as = saved_index_path(data_dir, "passages", sources) if data_dir is not None else None
            index = PassageIndex.build(loaded.corpus, config=config, progress=progress, saved_as=saved_as)
        return cls(loaded.corpus, index, Answerer(index, today), list(loaded.problems))

    @classmethod
    def from_articles(
        cls,
        articles: Sequence[Article],
        *,
        config: RankingConfig | None = None,
        today: Callable[[], date] = date.today,
    ) -> Library:
        """A library over articles already parsed (a server's own, when the base corpus is off)."""
        if not articles:
            raise EmptyCorpusError("no articles")
        corpus = Corpus.from_articles(articles)
        index = PassageIndex.build(corpus, config=config)
        return cls(corpus, index, Answerer(index, today))

    def joined(self, articles: Sequence[Article]) -> Library:
        """This library's articles followed by `articles`, answered as one corpus: BM25 statistics
        are taken over both. An article whose id this library already has is left out (the first
        one wins, as when loading), and listed in `problems`.

        Nothing of this library is rebuilt or copied: the articles form a small index searched
        together with this one (JoinedPassageIndex) over a layered corpus (LayeredCorpus), and
        attribution notes and title terms of this library's passages are shared with it. Joining a
        joined library joins its base with both sets of articles."""
        if self.base is not None:
            return self.base.joined([*self.corpus.own_articles, *articles])  # type: ignore[attr-defined]
        taken = self.corpus.article_ids
        extra = [a for a in articles if a.id not in taken]
        problems = [Problem(a.origin, f"article id {a.id!r} is already used") for a in articles if a.id in taken]
        corpus = LayeredCorpus(self.corpus, extra)
        index = JoinedPassageIndex(self.index, corpus)
        _ = index.fuzzy  # built here, in the building thread, not at the first misspelt question
        mine = self.answerer
        answerer = Answerer(index, mine._today, mine.model)  # noqa: SLF001
        answerer._titles = mine._titles  # noqa: SLF001 — title -> terms depends on the analyzer only
        answerer._annotator = _LayeredNotes(mine._annotator, answerer._annotator, self.corpus)  # noqa: SLF001
        return Library(corpus, index, answerer, problems, base=self)

    def footprint(self) -> int:
        """Estimated bytes this library holds beyond its base (all of it for a library of its own):
        its articles, passages, their lookups and postings, and the attribution notes its passages
        will get as they are shown."""
        if self.base is not None:
            corpus: LayeredCorpus = self.corpus  # type: ignore[assignment]
            index: JoinedPassageIndex = self.index  # type: ignore[assignment]
            roots = [
                corpus.own_articles,
                corpus.own_passages,
                corpus._own_ids,  # noqa: SLF001
                corpus._own_by_article,  # noqa: SLF001
                corpus._own_also_in,  # noqa: SLF001
                corpus._added_also_in,  # noqa: SLF001
                corpus._own_short_keys,  # noqa: SLF001
                index.own_engine,
            ]
            if index.engine is not self.base.index.engine:
                roots += [index.engine._weightings, index.engine.doc_offsets]  # noqa: SLF001
            if "fuzzy" in index.__dict__ and index.fuzzy is not self.base.index.fuzzy:
                roots.append(index.fuzzy._added)  # noqa: SLF001
            n_annotated = sum(len(ps) for ps in corpus._own_by_article.values())  # noqa: SLF001
        else:
            roots = [self.corpus, self.index.engine, self.index.__dict__.get("fuzzy")]
            n_annotated = sum(len(self.corpus.article_passages(a.id)) for a in self.corpus.articles)
        return deep_size(roots) + NOTES_BYTES * n_annotated

    def answer(self, question: str, k: int = DEFAULT_K, offset: int = 0) -> Answer:
        return self.answerer.answer(question, k=k, offset=offset)

    def changes_since(self, old: Library) -> CorpusChange:
        before = {a.id: a.content_hash for a in old.corpus.articles}
        after = {a.id: a.content_hash for a in self.corpus.articles}
        return CorpusChange(
            added=tuple(sorted(after.keys() - before.keys())),
            removed=tuple(sorted(before.keys() - after.keys())),
            changed=tuple(sorted(i for i in after.keys() & before.keys() if after[i] != before[i])),
        )


NOTES_BYTES = 400  # attribution notes of one passage, once shown (~300 measured on BBC articles)


class _LayeredNotes:
    """A joined library's attribution notes: its base's passages are read by the base's annotator
    (and shared by every server), its own by its own."""

    def __init__(self, base: Annotator, own: Annotator, base_corpus: Corpus) -> None:
        self._base, self._own, self._base_corpus = base, own, base_corpus

    def notes(self, passage_id: str) -> PassageNotes:
        in_base = self._base_corpus.passage(passage_id) is not None
        return (self._base if in_base else self._own).notes(passage_id)


def deep_size(roots: Sequence[object]) -> int:
    """Bytes of these objects and everything they hold (containers, dataclasses, numpy arrays),
    each object counted once: an estimate, like sys.getsizeof, of what freeing them would free."""
    seen: set[int] = set()
    stack = list(roots)
    total = 0
    while stack:
        obj = stack.pop()
        if obj is None or id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):  # getsizeof counts the data of an array that owns it
            total += sys.getsizeof(obj)
            stack.append(obj.base)
            continue
        total += sys.getsizeof(obj)
        if isinstance(obj, str | bytes | int | float | bool):
            continue
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
        else:
            stack.extend(getattr(obj, name, None) for name in getattr(type(obj), "__slots__", ()))
            stack.extend(getattr(obj, "__dict__", {}).values())
    return total
