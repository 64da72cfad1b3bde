"""Stances and the conflict caveat on yes/no questions over seed + news + BBC, against labels.

    .venv/bin/python bench/stance.py [--baseline TREE]

bench/data/stance_dev.jsonl holds 45 yes/no questions and, for each, every passage the bot might
show, labelled by someone who had not read the code: `asserts`, `disputes`, `unsure` (addresses the
claim but leaves it open) or `not_about` (says nothing on whether the claim is true). Each question is
answered at k = 3 and its shown passages are scored:
  - stance right: the bot's stance matches the label, among shown passages about the claim;
  - "disputes it" shown on a passage not labelled `disputes`: the worst error, as it makes up a dissent;
  - the conflict caveat ("The passages disagree") beside whether the shown passages' labels
    contradict (one `disputes`, another `asserts` or `unsure`).
Each answer is timed on its second asking (p50/p95: what the stance rules cost a yes/no question).
With --baseline, the same figures for another source tree (a worktree of an older commit), each tree
in its own process. Exits with a message when ../shared is absent; prints figures, never fails.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
LABELS = HERE / "bench" / "data" / "stance_dev.jsonl"
NEWS = HERE.parent / "shared" / "corpora" / "news_sep2023.jsonl"
LABEL_OF = {"asserted": "asserts", "denied": "disputes", "uncertain": "unsure"}


def _child(tree: Path) -> None:
    sys.path.insert(0, str(tree))
    import retrieval
    from bench.quality import bot_system, news_articles

    assert Path(retrieval.__file__).resolve().is_relative_to(tree.resolve()), retrieval.__file__
    records = [json.loads(line) for line in LABELS.read_text("utf-8").splitlines() if line.strip()]
    answerer, _, _ = bot_system(news_articles())
    confusion: Counter[tuple[str, str]] = Counter()
    caveats: Counter[tuple[bool, bool]] = Counter()
    unlabelled = 0
    seconds = []
    for record in records:
        labels = {p["id"]: p["label"] for p in record["passages"]}
        # Timed on the second asking: the first reads each shown article's attribution once.
        answerer.answer(record["question"], k=3)
        start = time.perf_counter()
        answer = answerer.answer(record["question"], k=3)
        seconds.append(time.perf_counter() - start)
        shown = [(labels.get(p.id), LABEL_OF.get(p.stance or "", "none")) for p in answer.passages]
        unlabelled += sum(label is None for label, _ in shown)
        confusion.update((label, stance) for label, stance in shown if label)
        about = {label for label, _ in shown if label and label != "not_about"}
        contradict = "disputes" in about and len(about) >= 2
        caveats[(any(c.kind == "conflict" for c in answer.caveats), contradict)] += 1
    about = sum(n for (label, _), n in confusion.items() if label != "not_about")
    right = sum(n for (label, stance), n in confusion.items() if label == stance)
    made_up = sum(n for (label, stance), n in confusion.items() if stance == "disputes" and label != "disputes")
    print(
        json.dumps(
            {
                "questions": len(records),
                "shown": sum(confusion.values()),
                "unlabelled": unlabelled,
                "about the claim": about,
                "stance right": right / max(about, 1),
                "'disputes it' on a passage that does not": made_up,
                "'disputes it' on a dispute": confusion[("disputes", "disputes")],
                "conflict caveat, labels contradict": caveats[(True, True)],
                "conflict caveat, labels do not": caveats[(True, False)],
                "no caveat, labels contradict": caveats[(False, True)],
                "answer p50 ms (second asking)": 1000 * statistics.median(seconds),
                "answer p95 ms (second asking)": 1000 * statistics.quantiles(seconds, n=20)[-1],
            }
        )
    )


def main() -> None:
    sys.path.insert(0, str(HERE))
    from bench.trees import print_table, this_and_baseline

    print_table(this_and_baseline(__file__, __doc__.splitlines()[0], NEWS), 48)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(Path(sys.argv[2]))
    else:
        main()
