"""Scores answers against question sets shaped like ../shared/eval/seed_dev.jsonl."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.answer import Answer

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalize_for_match(text: str) -> str:
    """NFKC, straight quotes, collapsed whitespace, case folding: the README's matching rule."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass
class EvalReport:
    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal_ranks: float = 0.0
    unanswerable: int = 0
    no_match_right: int = 0  # unanswerable questions answered with confident=false and a no_match caveat
    caveat_expected: int = 0
    caveat_right: int = 0
    failures: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        def share(a: int | float, b: int) -> float:
            return round(a / b, 4) if b else 0.0

        return {
            "questions": self.answerable + self.unanswerable,
            "hit@1": share(self.hit1, self.answerable),
            "hit@3": share(self.hit3, self.answerable),
            "mrr": share(self.reciprocal_ranks, self.answerable),
            "no_match_accuracy": share(self.no_match_right, self.unanswerable),
            "caveat_accuracy": share(self.caveat_right, self.caveat_expected),
        }


def read_questions(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from None
    return rows


def evaluate(questions: Iterable[dict], answer: Callable[[str], Answer]) -> EvalReport:
    report = EvalReport()
    for row in questions:
        result = answer(row["question"])
        label = row.get("id", row["question"])
        if not row.get("answerable", True):
            report.unanswerable += 1
            if not result.confident and any(c.kind == "no_match" for c in result.caveats):
                report.no_match_right += 1
            else:
                report.failures.append(f"{label}: expected no match, got {len(result.passages)} passages")
            continue
        report.answerable += 1
        gold = [normalize_for_match(g) for g in row.get("gold", [])]
        rank = next(
            (r for r, p in enumerate(result.passages, 1) if any(g in normalize_for_match(p.text) for g in gold)), None
        )
        if rank is not None:
            report.hit1 += rank == 1
            report.hit3 += rank <= 3
            report.reciprocal_ranks += 1 / rank
        else:
            report.failures.append(f"{label}: no gold passage in the top {len(result.passages)}")
        wanted = set(row.get("caveat_any", []))
        if wanted:
            report.caveat_expected += 1
            if wanted & {c.kind for c in result.caveats}:
                report.caveat_right += 1
            else:
                report.failures.append(f"{label}: expected a caveat of kind {sorted(wanted)}")
    return report
