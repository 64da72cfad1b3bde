"""Document retrieval (`retrieve_run`, behind `qa-bot retrieve`): the title as a weighted field."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from retrieval.evaluation.trec import DOCUMENT_RANKING, document_terms, retrieve_run
from retrieval.ranking.index import RankingConfig

# "solar" is in the body of `body` twice and only in the title of `title`: the body wins while a
# title term counts once, the title wins once it counts more (BM25F's field weight).
RECORDS = [
    {
        "_id": "body",
        "title": "Weekly energy roundup",
        "text": "Solar farms grew. Solar panels got cheaper this year, and wind turbines were installed"
        " along the coast.",
    },
    {"_id": "title", "title": "Solar", "text": "Panels on roofs now supply a tenth of the town's electricity."},
    {"_id": "other", "title": "Coastal wind", "text": "Wind turbines were installed along the coast this year."},
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    corpus = write_jsonl(tmp_path / "docs.jsonl", RECORDS)
    queries = write_jsonl(tmp_path / "q.jsonl", [{"_id": "q1", "text": "solar"}])
    return corpus, queries


def ranked(corpus: Path, queries: Path, **options) -> list[str]:
    out = io.StringIO()
    retrieve_run(corpus, queries, out, **options)
    return [line.split()[2] for line in out.getvalue().splitlines()]


def test_document_terms_count_each_title_term_title_weight_times():
    assert document_terms(["solar", "farm"], ["panel", "roof"], 3) == ["solar", "farm"] * 3 + ["panel", "roof"]
    assert document_terms(["solar"], ["panel"], 1) == ["solar", "panel"]
    assert document_terms(["solar"], ["panel"], 0) == ["panel"]


@pytest.mark.parametrize("weight", [-1, 1.5, True, "3"])
def test_an_impossible_title_weight_is_refused(weight):
    with pytest.raises(ValueError, match="title weight"):
        document_terms(["solar"], ["panel"], weight)


def test_the_title_weight_decides_between_a_title_match_and_a_body_match(files):
    config = RankingConfig()  # the same BM25 settings throughout: only the title's weight changes
    assert ranked(*files, config=config, title_weight=0) == ["body"]  # the title is not indexed
    assert ranked(*files, config=config, title_weight=1) == ["body", "title"]
    assert ranked(*files, config=config, title_weight=3) == ["title", "body"]


def test_the_default_is_the_setting_chosen_on_scifact_train(files):
    assert DOCUMENT_RANKING == RankingConfig("bm25plus", 2.0, 0.75, 1.0)
    assert DOCUMENT_RANKING != RankingConfig()  # the bot's passages keep their own ranking
    default, chosen = io.StringIO(), io.StringIO()
    retrieve_run(*files, default)
    retrieve_run(*files, chosen, config=RankingConfig("bm25plus", 2.0, 0.75, 1.0), title_weight=3)
    assert default.getvalue() == chosen.getvalue()
    assert [line.split()[2] for line in default.getvalue().splitlines()] == ["title", "body"]


def test_a_saved_index_is_not_reused_under_another_title_weight(files, tmp_path):
    data_dir = tmp_path / "data"
    assert ranked(*files, data_dir=data_dir, title_weight=3) == ["title", "body"]
    assert ranked(*files, data_dir=data_dir, title_weight=1) == ["body", "title"]
    assert ranked(*files, data_dir=data_dir, title_weight=3) == ["title", "body"]
