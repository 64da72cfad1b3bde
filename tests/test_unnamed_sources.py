"""An answer resting on someone the article does not name says so: a caveat of its own, kind
`unnamed_source`, naming the paragraph and the source as the article describes it."""

from __future__ import annotations

import json
from datetime import date

import pytest

from retrieval.answer import AnsweredPassage, ArticleRef
from retrieval.trust.attribution.unnamed import is_unnamed_source
from retrieval.trust.caveats import answer_caveats
from tests.test_cli import run, write_jsonl


@pytest.mark.parametrize(
    ("speaker", "unnamed"),
    [
        ("officials", True),
        ("Officials", True),  # capitalised only because it opened the sentence
        ("senior administration official", True),
        ("person briefed on the matter", True),
        ("One Senate source familiar with GOP concerns", True),  # "Senate" describes, it does not name
        ("Two people familiar with the talks", True),
        ("Siemon Wezeman (Stockholm International Peace Research Insitute)", False),
        ("spokesperson, Hyundai", False),  # speaks for a named company, on the record
        ("Kremlin", False),
        ("court records", False),
    ],
)
def test_which_speakers_are_unnamed_sources(speaker: str, unnamed: bool):
    assert is_unnamed_source(speaker) is unnamed


def test_the_caveat_names_each_unnamed_source_with_its_paragraph():
    article = ArticleRef("a", "Title", "Outlet", None, "2023-09-13")
    passages = [
        AnsweredPassage("a#p3", "Costs rose.", 1.0, 3, article, speaker="person briefed on the matter", cue="said"),
        AnsweredPassage("a#p5", "Talks went on.", 1.0, 5, article, speaker="Jane Roe", cue="said"),
        AnsweredPassage("a#p9", "Nobody knew.", 1.0, 9, article),
    ]
    (caveat,) = [c for c in answer_caveats(passages, date(2026, 12, 2)) if c.kind == "unnamed_source"]
    assert caveat.passages == ("a#p3",)
    assert caveat.text.startswith("Unnamed sources: ¶3 “person briefed on the matter”. ")


def test_no_unnamed_source_no_caveat():
    article = ArticleRef("a", "Title", "Outlet", None, "2023-09-13")
    passages = [AnsweredPassage("a#p5", "Talks went on.", 1.0, 5, article, speaker="Jane Roe", cue="said")]
    assert "unnamed_source" not in [c.kind for c in answer_caveats(passages, date(2026, 12, 2))]


def test_an_answer_from_an_unnamed_source_carries_the_caveat_in_json(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "qa-data"))
    article = {
        "id": "space-1",
        "title": "Satellite terminals cost the army millions",
        "source": "example.com",
        "published": "2023-09-10",
        "text": "The army paid for satellite terminals through the summer.\n\n"
        "The company was charging the army $2,500 a month to keep each terminal connected, "
        "the person briefed on the matter said.",
    }
    archive = write_jsonl(tmp_path / "news.jsonl", [article])
    code, out, _ = run(
        capsys, "ask", "How much a month was the company charging the army?", "--corpus", str(archive), "--json"
    )
    assert code == 0
    answer = json.loads(out)
    assert answer["passages"][0]["speaker"] == "person briefed on the matter"
    (caveat,) = [c for c in answer["caveats"] if c["kind"] == "unnamed_source"]
    assert caveat["passages"] == [answer["passages"][0]["id"]]
