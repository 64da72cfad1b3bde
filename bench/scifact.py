"""SciFact (BEIR) ranking quality of `qa-bot retrieve`: nDCG@10 and Recall@100.

    .venv/bin/python bench/scifact.py                 # test split (300 queries)
    .venv/bin/python bench/scifact.py --split train   # train split (809 queries)

The CLI is run as a subprocess, so what is measured is exactly what `qa-bot retrieve` writes.
Only the queries judged in the split's qrels are retrieved (a filtered queries file in a temp
dir). Scores come from ir-measures (pytrec_eval underneath), as in BEIR.

Data is read from ../shared/corpora/scifact (BEIR layout: corpus.jsonl, queries.jsonl,
qrels/{train,test}.tsv with a `query-id corpus-id score` header); nothing is copied.
The helpers here are shared with bench/tune_ranking.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SCIFACT = SHARED / "corpora" / "scifact"
SPLITS = ("train", "test")
TOP_K = 100
# Published BM25 on SciFact test (nDCG@10): for context in the printout.
PUBLISHED = (
    "published BM25, SciFact test nDCG@10: "
    "Elasticsearch 0.690, bm25s 0.687, rank-bm25 0.685, Pyserini 0.679 (R@100 0.925)"
)
PASS_THROUGH = ("variant", "k1", "b", "delta", "title_weight")


def require_shared(*paths: Path) -> None:
    """Exit with a clear message when the shared data is not there."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        sys.exit(
            f"bench: shared data not found: {', '.join(map(str, missing))}\n"
            f"(expected beside the repository, in {SHARED}; nothing is copied into the repo)"
        )


def _import_ir_measures():
    try:
        import ir_measures
    except ImportError:
        sys.exit("bench: ir-measures is not installed: .venv/bin/python -m pip install ir-measures pytrec-eval-terrier")
    return ir_measures


def qrels_path(split: str) -> Path:
    return SCIFACT / "qrels" / f"{split}.tsv"


def read_qrels(split: str) -> dict[str, dict[str, int]]:
    """{query id: {doc id: relevance}} from a BEIR qrels TSV (header line skipped)."""
    qrels: dict[str, dict[str, int]] = {}
    lines = qrels_path(split).read_text("utf-8").splitlines()
    for line in lines[1:] if lines and lines[0].startswith("query-id") else lines:
        if line.strip():
            qid, doc, score = line.split("\t")
            qrels.setdefault(qid, {})[doc] = int(score)
    return qrels


def write_queries(qids: Iterable[str], out: Path) -> int:
    """Write the queries whose id is in `qids` (BEIR queries.jsonl rows, unchanged); their count."""
    wanted, n = set(qids), 0
    with out.open("w", encoding="utf-8") as f:
        for line in (SCIFACT / "queries.jsonl").read_text("utf-8").splitlines():
            if line.strip() and str(json.loads(line)["_id"]) in wanted:
                f.write(line + "\n")
                n += 1
    return n


def per_query_scores(run: dict[str, dict[str, float]], qrels: dict[str, dict[str, int]]) -> dict[str, dict[str, float]]:
    """{"nDCG@10": {query id: value}, "R@100": {...}} for every judged query (no results: 0)."""
    ir_measures = _import_ir_measures()
    from ir_measures import R, nDCG

    measures = [nDCG @ 10, R @ 100]
    values = {str(m): dict.fromkeys(qrels, 0.0) for m in measures}
    for metric in ir_measures.iter_calc(measures, qrels, run):
        values[str(metric.measure)][metric.query_id] = metric.value
    return values


def score_run(run: dict[str, dict[str, float]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """nDCG@10 and Recall@100 averaged over every judged query (a query with no results scores 0)."""
    return {name: sum(v.values()) / len(v) for name, v in per_query_scores(run, qrels).items()}


def read_run(path: Path) -> dict[str, dict[str, float]]:
    run: dict[str, dict[str, float]] = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            qid, _q0, doc, _rank, score, _tag = line.split()
            run.setdefault(qid, {})[doc] = float(score)
    return run


def _cli() -> list[str]:
    """The installed console script beside this interpreter, else `python -m bot`."""
    script = Path(sys.executable).with_name("qa-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def cli_options() -> set[str]:
    """The long options `qa-bot retrieve --help` lists (to pass ranking options through only if supported)."""
    done = subprocess.run([*_cli(), "retrieve", "--help"], capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        sys.exit(f"bench: `qa-bot retrieve --help` failed (exit {done.returncode}):\n{done.stderr.strip()}")
    return {word.split("=")[0].strip(",[]") for word in done.stdout.split() if word.startswith("--")}


def run_cli(split: str, extra: list[str], workdir: Path) -> tuple[dict[str, dict[str, float]], float]:
    queries, out = workdir / f"queries.{split}.jsonl", workdir / f"run.{split}.trec"
    write_queries(read_qrels(split), queries)
    cmd = [
        *_cli(),
        "retrieve",
        "--corpus",
        str(SCIFACT / "corpus.jsonl"),
        "--queries",
        str(queries),
        "--top-k",
        str(TOP_K),
        "--output",
        str(out),
        *extra,
    ]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"bench: qa-bot retrieve failed (exit {done.returncode}):\n{done.stderr.strip()}")
    for line in done.stderr.splitlines():  # e.g. the one SciFact record with no usable text
        print(f"  {line}", file=sys.stderr)
    return read_run(out), seconds


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=SPLITS, default="test")
    parser.add_argument("--variant", choices=("okapi", "bm25l", "bm25plus"))
    parser.add_argument("--k1", type=float)
    parser.add_argument("--b", type=float)
    parser.add_argument("--delta", type=float)
    parser.add_argument("--title-weight", type=int, help="how many times a title term counts (qa-bot retrieve's)")
    parser.add_argument("--keep-run", type=Path, help="also copy the TREC run here (outside the repo, please)")
    args = parser.parse_args(argv)
    require_shared(SCIFACT / "corpus.jsonl", SCIFACT / "queries.jsonl", qrels_path(args.split))
    _import_ir_measures()

    wanted = {name: getattr(args, name) for name in PASS_THROUGH if getattr(args, name) is not None}
    extra: list[str] = []
    if wanted:
        supported = cli_options()
        unsupported = [name for name in wanted if _option(name) not in supported]
        if unsupported:
            sys.exit(
                f"bench: `qa-bot retrieve` has no {', '.join(map(_option, unsupported))} option yet; "
                "to measure other ranking settings use bench/tune_ranking.py"
            )
        for name, value in wanted.items():
            extra += [_option(name), str(value)]

    qrels = read_qrels(args.split)
    with tempfile.TemporaryDirectory(prefix="scifact-") as tmp:
        run, seconds = run_cli(args.split, extra, Path(tmp))
        if args.keep_run:
            shutil.copyfile(Path(tmp) / f"run.{args.split}.trec", args.keep_run)
    figures = score_run(run, qrels)
    settings = " ".join(extra) or "(the CLI's default ranking)"
    print(f"SciFact {args.split}: {len(qrels)} judged queries, qa-bot retrieve {settings}, top {TOP_K}")
    for name, value in figures.items():
        print(f"  {name:>8}: {value:.4f}")
    print(f"  qa-bot retrieve took {seconds:.1f} s (load, analyse, index, {len(qrels)} queries)")
    print(f"  ({PUBLISHED})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
