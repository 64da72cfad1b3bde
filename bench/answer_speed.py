"""Question -> Answer time at 100k passages, this tree against another commit's, in one run.

    git worktree add /tmp/qa-before c8484a2
    .venv/bin/python bench/answer_speed.py --before /tmp/qa-before [--passages 100000 --questions 300]
    git worktree remove /tmp/qa-before

Each tree runs in its own subprocess (one after the other, never together, on the 2 shared cores) over
the same corpus (bench/corpus.py: real news passages topped up with recombined sentences, one article
per passage, as bench/load.py does) and the same real questions (XQuAD's and the seed's). Only
`Answerer.answer` is timed, after the index is built and one warm-up question. Prints p50/p95 and the ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def worker(tree: Path, passages: int, n_questions: int) -> dict:
    # bench.corpus comes from this tree (both trees get the same corpus), retrieval from `tree`.
    sys.path.insert(0, str(REPO))
    from bench.corpus import build_corpus, questions

    sys.path.insert(0, str(tree))
    from retrieval.answering.answerer import Answerer
    from retrieval.corpus.articles import build_article
    from retrieval.corpus.collection import Corpus
    from retrieval.ranking.index import PassageIndex

    texts = build_corpus(passages).passages
    from retrieval.corpus.articles import ArticleError

    articles = []
    for i, text in enumerate(texts):
        try:
            articles.append(build_article(f"b{i}", text, {"title": f"Bench article {i}"}, title_in_body=False))
        except ArticleError:  # a passage that is only boilerplate is not an article, in either tree
            continue
    answerer = Answerer(PassageIndex.build(Corpus.from_articles(articles)))
    print(f"retrieval from {Path(sys.modules[Answerer.__module__].__file__).parents[2]}", file=sys.stderr)
    asked = questions()[:n_questions]
    answerer.answer(asked[0])
    times = []
    for question in asked:
        started = time.perf_counter()
        answerer.answer(question)
        times.append(time.perf_counter() - started)
    times.sort()
    return {
        "p50_ms": 1000 * times[len(times) // 2],
        "p95_ms": 1000 * times[int(len(times) * 0.95) - 1],
        "passages": len(answerer.corpus.passages),
        "questions": len(times),
    }


def run(tree: Path, passages: int, n_questions: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(tree), "--passages", str(passages), "--questions", str(n_questions)],
        capture_output=True,
        text=True,
        cwd=tree,
    )
    if done.returncode != 0:
        sys.exit(f"bench: the run in {tree} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a worktree of the commit to compare with")
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.passages, args.questions)))
        return 0
    rows = [("this tree", run(REPO, args.passages, args.questions))]
    if args.before:
        rows.append((f"before ({args.before})", run(args.before, args.passages, args.questions)))
    for name, r in rows:
        figures = f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms"
        print(f"{name}: {r['passages']} passages, {r['questions']} questions: {figures}")
    if len(rows) == 2:
        print(f"p95 ratio this/before: {rows[0][1]['p95_ms'] / rows[1][1]['p95_ms']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
