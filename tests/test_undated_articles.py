"""An article with no outlet or date (the BBC set has neither) is shown with what it has, and the
date caveat says the date is not recorded: in the terminal, in JSON and in Discord."""

from __future__ import annotations

import json

import pytest

from bot.render import answer_embed
from retrieval.answering.library import Library
from tests.conftest import FIXED_TODAY, SEEDS
from tests.test_cli import BBC_STYLE, run, write_jsonl


@pytest.fixture(autouse=True)
def data_dir_outside_the_repo(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "qa-data"))


def test_an_article_without_source_or_date_is_shown_with_what_it_has(capsys, tmp_path):
    archive = write_jsonl(tmp_path / "bbc.jsonl", [BBC_STYLE])
    code, out, _ = run(capsys, "ask", "Will rail fares rise?", "--corpus", str(archive))
    assert code == 0
    assert "    — “Rail fares rise above inflation” · ¶1\n" in out and "None" not in out
    assert "[date] The publication date of “Rail fares rise above inflation” is not recorded." in out
    assert "[single_source] Every passage comes from one article: “Rail fares rise above inflation”." in out
    code, out, _ = run(capsys, "ask", "Will rail fares rise?", "--corpus", str(archive), "--json")
    answer = json.loads(out)
    assert answer["passages"][0]["article"] == {
        "id": "business/001",
        "title": "Rail fares rise above inflation",
        "source": None,
        "url": None,
        "published": None,
    }
    (date,) = [c for c in answer["caveats"] if c["kind"] == "date"]
    assert date["text"] == "The publication date of “Rail fares rise above inflation” is not recorded."


def test_dated_and_undated_articles_in_one_answer_are_both_told(capsys, tmp_path):
    # Both articles report the handshake, so both are shown at the answer level.
    undated = {"id": "world/7", "title": "Kim and Putin", "text": "Kim Jong Un and Vladimir Putin shook hands."}
    archive = write_jsonl(tmp_path / "bbc.jsonl", [undated])
    code, out, _ = run(
        capsys,
        "ask",
        "Did Kim and Putin shake hands?",
        "-k",
        "5",
        "--json",
        "--corpus",
        str(SEEDS),
        "--corpus",
        str(archive),
    )
    answer = json.loads(out)
    assert code == 0 and {p["article"]["id"] for p in answer["passages"]} >= {"world/7", "000_ed5a8209f2aae2b8"}
    (date,) = [c["text"] for c in answer["caveats"] if c["kind"] == "date"]
    assert (
        date.startswith("Published 13 September 2023, ")
        and "The publication date of “Kim and Putin” is not recorded." in date
    )


def test_the_discord_embed_shows_title_and_paragraph_only(tmp_path):
    library = Library.load(write_jsonl(tmp_path / "bbc.jsonl", [BBC_STYLE]), today=lambda: FIXED_TODAY)
    embed = answer_embed(library.answer("Will rail fares rise?")).to_dict()
    assert embed["fields"][0]["value"].splitlines()[1] == "— Rail fares rise above inflation · ¶1"
    assert "🗓️ The publication date of “Rail fares rise above inflation” is not recorded." in embed["description"]
    assert "None" not in json.dumps(embed)
