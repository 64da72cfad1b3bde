"""Attribution on other outlets' prose: the development set of issue 11 and a blind held-out set.

tests/data/attribution_dev.jsonl was labelled from the articles before the rules were run on them;
tests/data/attribution_blind.jsonl, attribution_blind2.jsonl and attribution_blind3.jsonl are random
samples of paragraphs from articles never looked at while writing the rules, labelled before the
comparison (the first was then used to change rules; the second was drawn after, to measure them blind
again; the third on 2026-12-05 by a helper that read neither the rules nor their output). Each row:
`article` (its id in ../shared/corpora/news_sep2023.jsonl or bbc_news.jsonl), `snippet` (locates one
paragraph; the publishers' text is not stored), `speaker_any` (the parties a careful reader names, any one is right;
empty: the reporter's own voice) and `construction` (what the paragraph exercises).

Scoring, over all paragraphs: a paragraph with a speaker is right when the speaker shown names
exactly one party and that party equals one of its labels after normalisation (NFKC, straight
quotes, case folding, no full stops, no leading "the", an affiliation in brackets or an owner
before the name dropped: "Siemon Wezeman (SIPRI)" is the party "Siemon Wezeman", "Russia's finance
ministry" the finance ministry; a role-only source is written "role, organisation").
Narration is right when no speaker is shown. Both parts are reported.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from retrieval.corpus.articles import build_article
from retrieval.trust.attribution.attribute import attribute_paragraphs
from tests.conftest import shared_path

DATA = Path(__file__).parent / "data"
_AFFILIATION = re.compile(r"\s*\([^()]*\)$")
_OWNER = re.compile(r"^(?:the )?[\w.&-]+(?: [\w.&-]+){0,3}'s? ")  # "Russia's finance ministry": the owner qualifies
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def normalise(party: str) -> str:
    text = unicodedata.normalize("NFKC", party).translate(_QUOTES).casefold().replace(".", "")
    text = " ".join(text.split())
    return text.removeprefix("the ")


def parties(shown: str) -> set[str]:
    """The ways the shown speaker may name its one party: as shown, or without its affiliation (in
    brackets, or an owner before it: "the UK's National Crime Agency (NCA)" is the National Crime Agency)."""
    bare = normalise(_AFFILIATION.sub("", shown))
    return {normalise(shown), bare, _OWNER.sub("", bare, count=1)}


def is_right(shown: str | None, labels: list[str]) -> bool:
    if not labels:
        return shown is None
    return shown is not None and bool(parties(shown) & {normalise(label) for label in labels})


@dataclass(frozen=True)
class Outcome:
    row: dict
    shown: str | None

    @property
    def right(self) -> bool:
        return is_right(self.shown, self.row["speaker_any"])


@cache
def _articles() -> dict[str, tuple[str, ...]]:
    found = {}
    for name in ("news_sep2023.jsonl", "bbc_news.jsonl"):
        for line in shared_path("corpora", name).read_text("utf-8").splitlines():
            row = json.loads(line)
            found[row["id"]] = row["text"]
    return found


def score(set_name: str) -> list[Outcome]:
    rows = [json.loads(line) for line in (DATA / set_name).read_text("utf-8").splitlines() if line.strip()]
    texts = _articles()
    outcomes = []
    for article_id in dict.fromkeys(row["article"] for row in rows):
        article = build_article(article_id, texts[article_id], title_in_body=False)
        attributions = attribute_paragraphs(article.paragraphs)
        for row in (r for r in rows if r["article"] == article_id):
            found = [i for i, text in enumerate(article.paragraphs) if row["snippet"] in text]
            # A paragraph cleaning dropped (a photo caption) is never shown, so it is shown with no
            # speaker: right for narration, a miss for a paragraph someone said.
            dropped = [text for text in article.dropped if row["snippet"] in text]
            where = f"{article_id}: snippet {row['snippet']!r} matches {len(found) + len(dropped)} paragraphs"
            assert len(found) + len(dropped) == 1, where
            outcomes.append(Outcome(row, attributions[found[0]].speaker if found else None))
    return outcomes


def rates(outcomes: list[Outcome]) -> tuple[float, float, float]:
    """(right over all paragraphs, right over paragraphs with a speaker, right over narration)."""
    spoken = [o for o in outcomes if o.row["speaker_any"]]
    narration = [o for o in outcomes if not o.row["speaker_any"]]

    def share(items: list[Outcome]) -> float:
        return sum(o.right for o in items) / len(items) if items else 1.0

    return share(outcomes), share(spoken), share(narration)


def report(name: str, outcomes: list[Outcome]) -> str:
    overall, spoken, narration = rates(outcomes)
    lines = [
        f"{name}: {sum(o.right for o in outcomes)}/{len(outcomes)} right ({overall:.3f}); "
        f"speaker {spoken:.3f}, narration without speaker {narration:.3f}"
    ]
    for o in outcomes:
        if not o.right:
            lines.append(
                f"  miss {o.row['article']} {o.row['snippet']!r}: {o.shown!r}, expected "
                f"{o.row['speaker_any'] or 'no speaker'} ({o.row['construction']})"
            )
    return "\n".join(lines)


def test_scoring_rules():
    assert is_right("Siemon Wezeman (Stockholm International Peace Research Insitute)", ["Siemon Wezeman"])
    assert is_right("The Telegraph", ["Telegraph"])
    assert is_right("U.S. Department of Justice", ["US Department of Justice"])
    assert is_right(None, [])
    assert not is_right("Kremlin", [])
    assert not is_right(None, ["Kremlin"])
    assert not is_right("South Korea and Japan", ["South Korea"])  # two parties shown
    assert is_right("Russia’s finance ministry", ["finance ministry"])
    assert is_right("UK’s National Crime Agency (NCA)", ["National Crime Agency"])
    assert not is_right("Russia’s finance ministry", ["Russia"])
    assert not is_right("Wezeman", ["Siemon Wezeman"])
    assert not is_right("Hyundai spokesperson", ["spokesperson, Hyundai"])


def test_dev_set_meets_the_bar():
    outcomes = score("attribution_dev.jsonl")
    overall, _, narration = rates(outcomes)
    print(report("dev", outcomes))
    assert len(outcomes) >= 80 and len({o.row["article"] for o in outcomes}) >= 12
    assert overall >= 0.92, report("dev", outcomes)
    assert narration >= 0.95, report("dev", outcomes)


@pytest.mark.parametrize(
    "set_name", ["attribution_blind.jsonl", "attribution_blind2.jsonl", "attribution_blind3.jsonl"]
)
def test_blind_sets_hold(set_name: str):
    """The held-out samples (random.Random(20261201), then 20261202 once the first had been used to
    change rules, then 20261205 by a helper that never read the rules or their output; articles never
    opened while writing them) are reported; each fails only below the 0.75 that the issue measured
    before this work."""
    outcomes = score(set_name)
    overall, _, _ = rates(outcomes)
    print(report(set_name, outcomes))
    assert len(outcomes) == 50
    assert overall >= 0.75, report(set_name, outcomes)
