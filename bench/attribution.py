"""What attribution alone costs over seed + news + BBC (~44k passages), against another source tree.

    .venv/bin/python bench/attribution.py --baseline /tmp/attr-base [--repeats 3]

The corpus is loaded and split into passages first (not timed); then every article's passages go
through attribution the way the Annotator reads them (retrieval/trust/annotations.py), which is what
is timed, as process CPU time (what other jobs on a shared machine disturb least) and wall time.
Each tree runs in its own process, alternating, so both see the same machine; the ratios of the
medians are printed. A baseline tree is a throwaway worktree of the commit to compare with:
    git worktree add /tmp/attr-base c8484a2   …   git worktree remove /tmp/attr-base
Exits with a message when ../shared is absent. Prints figures, never passes or fails on time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
SHARED = HERE.parent / "shared" / "corpora"
SOURCES = (HERE / "seeds", SHARED / "news_sep2023.jsonl", SHARED / "bbc_news.jsonl")


def _child(tree: Path) -> None:
    sys.path.insert(0, str(tree))
    import retrieval
    from retrieval.corpus.collection import Corpus
    from retrieval.corpus.loader import load_corpus
    from retrieval.trust.annotations import _attributable
    from retrieval.trust.attribution.attribute import attribute_paragraphs

    assert Path(retrieval.__file__).resolve().is_relative_to(tree.resolve()), retrieval.__file__
    articles = [article for source in SOURCES for article in load_corpus(source).articles]
    corpus = Corpus.from_articles(articles)
    batches = [[_attributable(p.text) for p in corpus.article_passages(a.id)] for a in corpus.articles]
    start, cpu_start = time.perf_counter(), time.process_time()
    spoken = sum(a.speaker is not None for batch in batches for a in attribute_paragraphs(batch))
    cpu, seconds = time.process_time() - cpu_start, time.perf_counter() - start
    print(json.dumps({"passages": sum(map(len, batches)), "seconds": seconds, "cpu": cpu, "with_speaker": spoken}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=False, help="source tree to compare with")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    if not all(source.exists() for source in SOURCES):
        sys.exit(f"needs {SHARED} (only the development workspace has ../shared)")
    trees = {"this tree": HERE} | ({"baseline": args.baseline} if args.baseline else {})
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(args.repeats):
        for name, tree in trees.items():
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(tree)], check=True, capture_output=True, text=True
            )
            runs[name].append(json.loads(out.stdout))
    medians: dict[str, dict[str, float]] = {}
    for name, results in runs.items():
        medians[name] = {kind: statistics.median(r[kind] for r in results) for kind in ("seconds", "cpu")}
        walls = ", ".join(f"{r['seconds']:.1f}" for r in results)
        cpus = ", ".join(f"{r['cpu']:.1f}" for r in results)
        print(
            f"{name:9}  {results[0]['passages']} passages, {results[0]['with_speaker']} with a speaker; "
            f"attribution CPU {medians[name]['cpu']:.1f} s median ({cpus}), "
            f"wall {medians[name]['seconds']:.1f} s ({walls})"
        )
    if args.baseline:
        for kind in ("cpu", "seconds"):
            ratio = medians["this tree"][kind] / medians["baseline"][kind]
            print(f"ratio this tree / baseline ({'CPU' if kind == 'cpu' else 'wall'}): {ratio:.2f}")


if __name__ == "__main__":
    main()
