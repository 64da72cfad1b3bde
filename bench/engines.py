"""Side-by-side BM25 engines on real news passages: build, memory, query latency, open time.

    .venv/bin/python bench/engines.py --sizes 1000,10000,100000,1000000
    .venv/bin/python bench/engines.py --sizes 100000 --baseline /tmp/old-tree   # + an older commit's engine

For each size: build the corpus (real passages first, then recombined real sentences),
tokenise it once, then run each engine in its own subprocesses (bench/worker.py) on the same
tokens and print a markdown table with every figure's ratio to ours, plus parity with rank-bm25.
The machine is shared and noisy: compare ratios within one run, not figures across runs.
Figures only; nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tokenised  # noqa: E402
from corpus import build_corpus, questions  # noqa: E402
from tokenizer import project_tokenizer  # noqa: E402

WORKER = Path(__file__).resolve().parent / "worker.py"
QUERY_TERMS = (3, 8)
PASSES = 1  # set from --passes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated passage counts")
    parser.add_argument("--queries", type=int, default=300, help="queries timed per engine")
    parser.add_argument("--engines", default="ours,ours-bm25l,ours-bm25plus,rank-bm25,bm25s-numpy,bm25s-numba")
    parser.add_argument("--rank-bm25-max-size", type=int, default=100_000, help="skip rank-bm25 above this size")
    parser.add_argument("--baseline", type=Path, help="a checkout of an older commit: its engines run too, as NAME@REV")
    parser.add_argument("--baseline-engines", default="ours,ours-bm25plus", help="which engines to run from --baseline")
    parser.add_argument(
        "--passes", type=int, default=1, help="timed passes; each query's figure is its fastest (a busy machine)"
    )
    args = parser.parse_args()
    global PASSES
    PASSES = args.passes
    baseline = _baseline_engines(args.baseline, args.baseline_engines) if args.baseline else {}

    tokenizer_name, tokenize = project_tokenizer()
    query_texts = _pick_queries(tokenize, args.queries)
    low, high = QUERY_TERMS
    timing = f"fastest of {PASSES} timed passes per query" if PASSES > 1 else "one timed pass"
    print(f"tokenizer: {tokenizer_name}; {len(query_texts)} queries of {low}-{high} terms, k=5; {timing}\n")
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as work:
        for size in (int(s) for s in args.sizes.split(",")):
            engines = [e for e in args.engines.split(",") if e != "rank-bm25" or size <= args.rank_bm25_max_size]
            _run_size(size, engines, baseline, query_texts, tokenize, Path(work))


def _pick_queries(tokenize, count: int) -> list[str]:
    """`count` real questions whose tokens number within QUERY_TERMS, a fixed random sample."""
    fitting = [q for q in questions() if QUERY_TERMS[0] <= len(tokenize(q)) <= QUERY_TERMS[1]]
    picks = np.random.default_rng(0).choice(len(fitting), size=min(count, len(fitting)), replace=False)
    return [fitting[i] for i in sorted(picks)]


def _baseline_engines(tree: Path, names: str) -> dict[str, tuple[str, Path]]:
    """{"NAME@REV": (NAME, tree)}: engines whose code comes from the older tree."""
    tree = tree.resolve()
    rev = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    label = rev.stdout.strip() or tree.name
    return {f"{name}@{label}": (name, tree) for name in names.split(",")}


def _run_size(
    size: int, engines: list[str], baseline: dict[str, tuple[str, Path]], query_texts: list[str], tokenize, work: Path
) -> None:
    started = time.perf_counter()
    corpus = build_corpus(size)
    corpus_s = time.perf_counter() - started
    tokens_dir = work / f"tokens-{size}"
    tokenize_s = tokenised.save(tokens_dir, corpus.passages, query_texts, tokenize)
    n_passages, n_real = len(corpus.passages), corpus.n_real
    del corpus
    print(f"### {n_passages:,} passages ({n_real:,} real, {n_passages - n_real:,} recombined)")
    per_passage_us = tokenize_s / n_passages * 1e6
    print(f"corpus built in {corpus_s:.1f} s; tokenised in {tokenize_s:.1f} s ({per_passage_us:.0f} µs/passage)\n")
    results = {}
    runs = {engine: (engine, None) for engine in engines} | baseline
    for label, (engine, tree) in runs.items():
        index_dir = work / f"index-{size}-{label}"
        results[label] = _worker("build", engine, tokens_dir, index_dir, work, tree)
        if "index_mb" in results[label]:
            results[label].update(_worker("open", engine, tokens_dir, index_dir, work, tree))
        shutil.rmtree(index_dir, ignore_errors=True)
    shutil.rmtree(tokens_dir)
    _print_table(results)
    if "rank-bm25" in results:
        _print_parity(results)
    _print_same_hits(results, [(label, engine) for label, (engine, _) in baseline.items()])
    _print_union(results)
    print()


def _worker(mode: str, engine: str, tokens_dir: Path, index_dir: Path, work: Path, tree: Path | None = None) -> dict:
    """One measurement in a fresh process; with `tree`, this worker (the same method) on that
    checkout's engine: PYTHONPATH comes before the venv's editable install of this tree."""
    out = work / f"{mode}-{engine}{'-baseline' if tree else ''}.json"
    env = dict(os.environ, PYTHONPATH=str(tree)) if tree else None
    command = [sys.executable, str(WORKER), mode, engine, str(tokens_dir), str(index_dir), str(out), str(PASSES)]
    subprocess.run(command, check=True, env=env)
    return json.loads(out.read_text())


def _print_table(results: dict[str, dict]) -> None:
    ours = _figures(results["ours"]) if "ours" in results else None
    columns = ["build s", "peak MB", "p50 ms", "p95 ms", "open+1st query ms", "index MB"]
    print("| engine | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for engine, result in results.items():
        figures = _figures(result)
        cells = []
        for column in columns:
            value = figures.get(column)
            if value is None:
                cells.append("—")
                continue
            cell = f"{value:,.3g}" if value < 100 else f"{value:,.0f}"
            if ours and engine != "ours" and ours.get(column) and column != "index MB":
                cell += f" (×{value / ours[column]:.3g})"
            cells.append(cell)
        print(f"| {engine} | " + " | ".join(cells) + " |")
    imports = {e: r["import_s"] for e, r in results.items() if "import_s" in r}
    listed = ", ".join(f"{engine} {seconds * 1000:.0f} ms" for engine, seconds in imports.items())
    print(f"\nimport time (fresh process, before open): {listed}")


def _figures(result: dict) -> dict[str, float]:
    latencies = result["latencies_ms"]
    figures = {
        "build s": result["build_s"],
        "peak MB": result["peak_mb"],
        "p50 ms": statistics.median(latencies),
        "p95 ms": float(np.percentile(latencies, 95)),
    }
    if "open_s" in result:
        figures["open+1st query ms"] = result["open_s"] * 1000
    if "index_mb" in result:
        figures["index MB"] = result["index_mb"]
    return figures


def _print_parity(results: dict[str, dict]) -> None:
    """Each engine's top-5 against rank-bm25's (same tie rule), query by query."""
    reference = results["rank-bm25"]["hits"]
    print("\nparity with rank-bm25 (Okapi) over the same queries:")
    for engine, result in results.items():
        family = engine.split("@")[0]  # NAME@REV: an older commit's engine
        if engine == "rank-bm25" or family.startswith("ours-"):  # other variants: see tests/test_engine.py
            continue
        same_ids, max_diff = 0, 0.0
        for ours, theirs in zip(result["hits"], reference, strict=False):
            theirs = theirs[: len(ours)]  # ours never lists docs without a query term
            same_ids += [d for d, _ in ours] == [d for d, _ in theirs]
            max_diff = max([max_diff] + [abs(a[1] - b[1]) for a, b in zip(ours, theirs, strict=False)])
        note = "" if family == "ours" else " (other scoring formula: not expected to match)"
        print(f"- {engine}: identical top-5 ids {same_ids}/{len(reference)}, max |Δscore| {max_diff:.3g}{note}")


def _print_same_hits(results: dict[str, dict], pairs: list[tuple[str, str]]) -> None:
    """Engines that must return the same top-5 as another: the union (same documents as
    ours-bm25plus, in two segments) and an older commit's engine."""
    if "ours-bm25plus+server" in results:
        pairs = [("ours-bm25plus+server", "ours-bm25plus")] + pairs
    for engine, other in pairs:
        if engine not in results or other not in results:
            continue
        mine, theirs = results[engine]["hits"], results[other]["hits"]
        same = sum(a == b for a, b in zip(mine, theirs, strict=True))
        max_diff = max(
            [0.0] + [abs(x[1] - y[1]) for a, b in zip(mine, theirs, strict=True) for x, y in zip(a, b, strict=False)]
        )
        print(
            f"- {engine} vs {other}: identical top-5 (ids and scores) {same}/{len(mine)}, max |Δscore| {max_diff:.3g}"
        )


def _print_union(results: dict[str, dict]) -> None:
    union = results.get("ours-bm25plus+server")
    if union is None:
        return
    print(
        f"\nunion: a {union['segment_passages']}-passage segment ({union['segment_postings']:,} postings, "
        f"{union['segment_terms']:,} terms) built in {union['segment_build_ms']:.2f} ms, "
        f"the union view over it and the base in {union['union_view_ms']:.2f} ms "
        f"(Okapi's floor over the union's terms would add {union['okapi_floor_ms']:.2f} ms; "
        f"base build {union['base_build_s']:.2f} s). Memory: the segment's arrays {union['segment_kib']:.0f} KiB "
        f"(its vocabulary dict apart), the view's weight tables {union['view_kib']:.1f} KiB "
        f"({union['pairs'][0]:,} + {union['pairs'][1]:,} (tf, length) pairs)"
    )


if __name__ == "__main__":
    main()
