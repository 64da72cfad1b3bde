"""Every chat-style record the project holds, for measuring a change to reading or ranking.

    .venv/bin/python bench/chat_sets.py [--baseline TREE]

bench/quality.py reports the targets on the dev set's eval part only (41 questions, 13 claims, 13
unanswerable): too few to see a change of one or two questions as more than noise. This script asks
every record of bench/data/discord_dev.jsonl (fit and eval parts), bench/data/news_fit.jsonl and
bench/data/value_dev.jsonl (433 records) over seed + 818 news + 2,225 BBC articles at k = 3, and prints
per set and kind: the right
passage shown (hit@3, hit@1, hit@3 as `answer`), and for unanswerable records never `answer` / `none`.
These are development figures: news_fit and the fit part are the confidence model's fit data, so a
change to the model itself is not judged here. With --baseline, the same for another source tree (each
tree in its own process, both on this tree's records), then one line per record whose outcome changed.
Exits with a message when ../shared is absent; prints figures, never fails.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
SETS = {
    "dev": HERE / "bench" / "data" / "discord_dev.jsonl",
    "news_fit": HERE / "bench" / "data" / "news_fit.jsonl",
    # written blind on 2026-12-04, after the value-asking gates: their held-out check (bench/data/README.md)
    "value": HERE / "bench" / "data" / "value_dev.jsonl",
}
NEWS = HERE.parent / "shared" / "corpora" / "news_sep2023.jsonl"


def _child(tree: Path) -> None:
    sys.path.insert(0, str(tree))
    import retrieval
    from bench.quality import bot_system, news_articles, rank_with_snippet

    assert Path(retrieval.__file__).resolve().is_relative_to(tree.resolve()), retrieval.__file__
    _, ask, claim = bot_system(news_articles())
    outcomes = []
    for name, path in SETS.items():
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            shown = (claim if record["kind"] == "claim" else ask)(record["question"])
            rank = rank_with_snippet(shown, record["gold"]) if record["answerable"] else None
            outcomes.append([name, record["id"], record["kind"], rank, shown.level])
    print(json.dumps(outcomes))


def figures(outcomes: list[list]) -> dict[str, float]:
    out: dict[str, float] = {}
    groups: dict[tuple[str, str], list[tuple[int | None, str]]] = {}
    for name, _, kind, rank, level in outcomes:
        groups.setdefault((name, kind), []).append((rank, level))
    for (name, kind), rows in sorted(groups.items()):
        n = len(rows)
        label = f"{name} {kind} ({n})"
        if kind == "unanswerable":
            out[f"{label} never answer"] = sum(level != "answer" for _, level in rows) / n
            out[f"{label} none"] = sum(level == "none" for _, level in rows) / n
        else:
            out[f"{label} hit@3"] = sum(rank is not None for rank, _ in rows) / n
            out[f"{label} hit@1"] = sum(rank == 1 for rank, _ in rows) / n
            out[f"{label} hit@3 as answer"] = sum(rank is not None and level == "answer" for rank, level in rows) / n
    return out


def main() -> None:
    sys.path.insert(0, str(HERE))
    from bench.trees import print_table, this_and_baseline

    runs = this_and_baseline(__file__, __doc__.splitlines()[0], NEWS)
    print_table({name: figures(outcomes) for name, outcomes in runs.items()}, 44)
    if "baseline" in runs:
        print("\nchanged (set id kind: baseline rank/level -> this tree):")
        for now, before in zip(runs["this tree"], runs["baseline"], strict=True):
            if now[3:] != before[3:]:
                print(f"  {now[0]} {now[1]} {now[2]}: {before[3]}/{before[4]} -> {now[3]}/{now[4]}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(Path(sys.argv[2]))
    else:
        main()
