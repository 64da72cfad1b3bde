"""What each /settings strictness shows, on a small library (the seed alone, like a server's own
articles with the base off) and on the bot's real-size one (seed + 818 news + 2,225 BBC).

    .venv/bin/python bench/strictness.py

For each strictness (retrieval/answering/strictness.py), in one run: on the seed, the levels given
to ../shared/eval/seed_dev.jsonl and to the off-topic questions (tests/data/offtopic_questions.txt);
on the large library, the dev set's eval part (bench/data/discord_dev.jsonl) — answerable questions
and claims with the right passage shown at any level in the top 3, unanswerable ones by level — and
the off-topic questions. Prints figures, never fails.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.quality import DEV_SET, K, Shown, news_articles, rank_with_snippet  # noqa: E402
from retrieval.analysis.claims import claim_question  # noqa: E402
from retrieval.answering.library import Library  # noqa: E402
from retrieval.answering.strictness import LEVELS, StrictLibrary  # noqa: E402
from retrieval.evaluation.metrics import read_questions  # noqa: E402

OFFTOPIC = REPO / "tests" / "data" / "offtopic_questions.txt"


def main() -> int:
    if not DEV_SET.exists() or not (REPO.parent / "shared" / "corpora").exists():
        print("needs bench/data/discord_dev.jsonl and ../shared/corpora", file=sys.stderr)
        return 2
    offtopic = [
        line.strip() for line in OFFTOPIC.read_text("utf-8").splitlines() if line.strip() and not line.startswith("#")
    ]
    seed = Library.load(REPO / "seeds")
    seed_rows = [
        {**r, "kind": "question" if r.get("answerable", True) else "unanswerable"}
        for r in read_questions(REPO.parent / "shared" / "eval" / "seed_dev.jsonl")
    ]
    print(f"the seed alone: {len(seed.corpus.passages)} passages; seed_dev {len(seed_rows)} rows")
    report(seed, seed_rows, offtopic)
    library = Library.from_articles(news_articles())
    rows = [r for r in read_questions(DEV_SET) if r.get("split") == "eval"]
    print(f"seed + news + BBC: {len(library.corpus.passages)} passages; dev eval part {len(rows)} rows")
    report(library, rows, offtopic)
    return 0


def report(library: Library, rows: list[dict], offtopic: list[str]) -> None:
    for strictness in LEVELS:
        strict = StrictLibrary(library, strictness)
        answerable_hits, answerable_levels, unanswerable, off = 0, Counter(), Counter(), Counter()
        answerable = [r for r in rows if r["kind"] != "unanswerable"]
        for row in rows:
            # a claim is asked as "Find sources" asks it: as the yes/no question it makes
            text = claim_question(row["question"]) if row["kind"] == "claim" else row["question"]
            answer = strict.answer(text, K)
            if row["kind"] == "unanswerable":
                unanswerable[answer.confidence] += 1
                continue
            shown = Shown(answer.confidence, tuple(p.text for p in answer.passages))
            answerable_levels[answer.confidence] += 1
            rank = rank_with_snippet(shown, row["gold"])
            answerable_hits += rank is not None and rank <= K
        for question in offtopic:
            off[strict.answer(question, K).confidence] += 1
        print(
            f"{strictness:8} answerable: right passage in top {K} {answerable_hits}/{len(answerable)}, "
            f"levels {dict(sorted(answerable_levels.items()))}; "
            f"unanswerable levels {dict(sorted(unanswerable.items()))}; "
            f"off-topic ({len(offtopic)}) levels {dict(sorted(off.items()))}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
