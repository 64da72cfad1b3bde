"""Document retrieval in TREC run format, the BEIR convention: each record is one document."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from retrieval.analysis.analyzer import Analyzer, default_analyzer
from retrieval.corpus.loader import LoadResult, load_corpora
from retrieval.ranking.index import RankingConfig, open_or_build, saved_index_path, settings_key


def read_queries(path: Path) -> Iterator[tuple[str, str]]:
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            yield str(row["_id"]), str(row["text"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ValueError(f"{path}:{number}: expected a JSON object with '_id' and 'text'") from None


def retrieve_run(
    corpus_path: Path | Sequence[Path],
    queries_path: Path,
    out: TextIO,
    top_k: int = 100,
    config: RankingConfig | None = None,
    tag: str = "qa-bot",
    analyzer: Analyzer | None = None,
    data_dir: Path | None = None,
) -> LoadResult:
    """Write `qid Q0 docid rank score tag` lines; no threshold, no re-ranking, each docid once.

    `corpus_path` may be several paths, read as one corpus. With `data_dir`, the document index
    is saved there and reused while the corpus is unchanged."""
    analyzer = analyzer or default_analyzer()
    config = config or RankingConfig()
    sources = [Path(corpus_path)] if isinstance(corpus_path, str | Path) else [Path(p) for p in corpus_path]
    loaded = load_corpora(sources)
    ids = [a.id for a in loaded.articles]
    texts = [a.title + "\n" + "\n".join(a.paragraphs) for a in loaded.articles]
    path = saved_index_path(data_dir, "documents", sources) if data_dir is not None else None
    key = ""
    if path is not None:
        digest = settings_key(config)
        for doc_id, text in zip(ids, texts, strict=True):
            digest.update(f"{doc_id}\0{text}\0".encode())
        key = digest.hexdigest()
    ranker = open_or_build(path, key, lambda: [analyzer.terms(t) for t in texts], config)
    for qid, text in read_queries(queries_path):
        for rank, (doc, score) in enumerate(ranker.top_k(analyzer.terms(text), top_k), 1):
            out.write(f"{qid} Q0 {ids[doc]} {rank} {score:.6f} {tag}\n")
    return loaded
