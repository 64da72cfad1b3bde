"""Document retrieval in TREC run format, the BEIR convention: each record is one document."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from retrieval.analysis.analyzer import Analyzer, default_analyzer
from retrieval.corpus.loader import LoadResult, load_corpora
from retrieval.ranking.index import RankingConfig, open_or_build, saved_index_path, settings_key

# Document ranking, chosen on SciFact train only (bench/tune_documents.py, bench/README.md "Ranking
# quality"). Only `qa-bot retrieve` uses these: the bot's passages keep `RankingConfig()`.
DOCUMENT_RANKING = RankingConfig(variant="bm25plus", k1=2.0, b=0.75, delta=1.0)
DOCUMENT_TITLE_WEIGHT = 3


def document_terms(title: Sequence[str], body: Sequence[str], title_weight: int) -> list[str]:
    """A record's terms with the title as a weighted field: each title term counts `title_weight`
    times (0: the title is left out). This is BM25F with one shared length normalisation
    (Robertson, Zaragoza & Taylor 2004): the field's weighted term frequency is added to the
    body's before BM25 saturates it, and the weighted title counts in the document's length."""
    if isinstance(title_weight, bool) or not isinstance(title_weight, int) or title_weight < 0:
        raise ValueError(f"the title weight must be a whole number >= 0, not {title_weight!r}")
    return list(title) * title_weight + list(body)


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
    title_weight: int = DOCUMENT_TITLE_WEIGHT,
) -> LoadResult:
    """Write `qid Q0 docid rank score tag` lines; no threshold, no re-ranking, each docid once.

    `corpus_path` may be several paths, read as one corpus. With `data_dir`, the document index
    is saved there and reused while the corpus and the settings are unchanged. The title is a field
    whose terms count `title_weight` times (`document_terms`)."""
    analyzer = analyzer or default_analyzer()
    config = config or DOCUMENT_RANKING
    document_terms((), (), title_weight)  # refuse an impossible weight before any work
    sources = [Path(corpus_path)] if isinstance(corpus_path, str | Path) else [Path(p) for p in corpus_path]
    loaded = load_corpora(sources)
    ids = [a.id for a in loaded.articles]
    fields = [(a.title, "\n".join(a.paragraphs)) for a in loaded.articles]
    path = saved_index_path(data_dir, "documents", sources) if data_dir is not None else None
    key = ""
    if path is not None:
        digest = settings_key(config)
        digest.update(f"title_weight={title_weight}\0".encode())
        for doc_id, (title, body) in zip(ids, fields, strict=True):
            digest.update(f"{doc_id}\0{title}\0{body}\0".encode())
        key = digest.hexdigest()

    def analysed() -> list[list[str]]:
        return [document_terms(analyzer.terms(title), analyzer.terms(body), title_weight) for title, body in fields]

    ranker = open_or_build(path, key, analysed, config)
    for qid, text in read_queries(queries_path):
        for rank, (doc, score) in enumerate(ranker.top_k(analyzer.terms(text), top_k), 1):
            out.write(f"{qid} Q0 {ids[doc]} {rank} {score:.6f} {tag}\n")
    return loaded
