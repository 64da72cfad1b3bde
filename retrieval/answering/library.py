"""A corpus loaded and indexed, ready to answer: what the CLI and the bot hold and swap on reload."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from retrieval.answer import Answer
from retrieval.answering.answerer import DEFAULT_K, Answerer
from retrieval.corpus.articles import Article
from retrieval.corpus.collection import Corpus
from retrieval.corpus.loader import CorpusPathError, Problem, load_corpora
from retrieval.corpus.snapshot import CorpusSnapshot, Loaded
from retrieval.ranking.index import PassageIndex, Progress, RankingConfig, saved_index_path


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

        Simple for now: builds the union from scratch."""
        taken = {a.id for a in self.corpus.articles}
        extra = [a for a in articles if a.id not in taken]
        problems = [Problem(a.origin, f"article id {a.id!r} is already used") for a in articles if a.id in taken]
        if not extra:
            return self
        joined = Library.from_articles(
            [*self.corpus.articles, *extra], config=self.index.config, today=self.answerer._today
        )
        joined.problems = problems
        return joined

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
