"""The qa-bot command line: answers, JSON, errors with exit code 2, and the installed script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REPO, SEEDS, shared_path

QA_BOT = Path(sys.executable).with_name("qa-bot")


@pytest.fixture(autouse=True)
def data_dir_outside_the_repo(tmp_path, monkeypatch):
    """The CLI saves indexes in QA_DATA_DIR; tests keep theirs out of the working tree."""
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "qa-data"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_prints_caveats_then_passages_with_sources(capsys):
    code, out, err = run(capsys, "ask", "Did North Korea send arms?", "--corpus", str(SEEDS))
    assert code == 0 and err == ""
    assert out.index("Caveats:") < out.index("[1] ")
    assert "Euronews · 2023-09-13 · ¶" in out and "hedges: " in out and "speaker: " in out


def test_ask_json_is_the_contract(capsys):
    code, out, _ = run(capsys, "ask", "Who is Dmitry Peskov?", "--json", "-k", "2", "--corpus", str(SEEDS))
    payload = json.loads(out)
    assert code == 0 and payload["confident"] and len(payload["passages"]) <= 2
    assert payload["passages"][0]["id"] == "000_ed5a8209f2aae2b8#p2"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ask", "   "], "Please ask a question"),
        (["ask", "x", "--corpus", "/nonexistent/corpus"], "corpus path does not exist"),
        (["ask", "x", "-k", "0"], "-k must be between 1 and 25"),
        (["eval", "/nonexistent.jsonl"], "questions file does not exist"),
    ],
)
def test_bad_use_is_one_line_and_exit_code_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("qa-bot: ") and message in err and err.count("\n") == 1


def test_a_corpus_with_no_usable_article_is_bad_use(capsys, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    code, _, err = run(capsys, "ask", "anything", "--corpus", str(tmp_path))
    assert code == 2 and "no usable article" in err and "empty file" in err


def test_broken_files_beside_good_ones_are_named_and_the_command_runs(capsys, tmp_path):
    shutil.copytree(SEEDS, tmp_path, dirs_exist_ok=True)
    (tmp_path / "junk.txt").write_bytes(b"\x00\x01binary")
    code, out, err = run(capsys, "ask", "Who is Dmitry Peskov?", "--corpus", str(tmp_path))
    assert code == 0 and "Kremlin spokesman" in out
    assert "skipped: junk.txt: binary data" in err


def test_passages_json_carries_speakers(capsys):
    code, out, _ = run(capsys, "passages", "--json", "--corpus", str(SEEDS))
    rows = json.loads(out)
    assert code == 0 and len(rows) == 27 and all("speaker" in r and r["score"] == 0 for r in rows)


def test_retrieve_writes_a_trec_run(capsys, tmp_path):
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"_id": "d1", "title": "Storms", "text": "A hurricane made landfall in Florida."},
                {"_id": "d2", "title": "Markets", "text": "Stocks fell on Wall Street."},
            ]
        )
    )
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"_id": "q1", "text": "hurricane landfall"}) + "\n")
    out_file = tmp_path / "run.txt"
    code, _, _ = run(capsys, "retrieve", "--corpus", str(corpus), "--queries", str(queries), "--output", str(out_file))
    assert code == 0
    assert out_file.read_text().split()[:5] == ["q1", "Q0", "d1", "1", out_file.read_text().split()[4]]
    assert [line.split()[2] for line in out_file.read_text().splitlines()] == ["d1"]
    okapi = tmp_path / "okapi.txt"
    code, _, _ = run(
        capsys,
        "retrieve",
        "--corpus",
        str(corpus),
        "--queries",
        str(queries),
        "--output",
        str(okapi),
        "--variant",
        "okapi",
        "--k1",
        "1.5",
    )
    assert (
        code == 0 and okapi.read_text().split()[4] != out_file.read_text().split()[4]
    )  # another formula, another score


def test_eval_reports_figures(capsys):
    code, out, _ = run(capsys, "eval", str(shared_path("eval", "seed_dev.jsonl")), "--json", "--corpus", str(SEEDS))
    figures = json.loads(out)
    assert code == 0 and figures["hit@3"] >= 0.95 and figures["no_match_accuracy"] == 1.0


def test_installed_script_runs_from_another_folder_with_its_data_files(tmp_path):
    """Stopwords and lexicons ship as package data: the console script works anywhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    result = subprocess.run(
        [str(QA_BOT), "ask", "--json", "Who is Dmitry Peskov?", "--corpus", str(SEEDS)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["passages"][0]["text"].startswith("Kremlin spokesman Dmitry Peskov")
    module = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "   "], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert module.returncode == 2 and "Traceback" not in module.stderr


def test_default_corpus_is_the_shipped_seeds(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("QA_CORPUS_DIR", raising=False)
    code, out, _ = run(capsys, "ask", "Who is Fyodor Tertitskiy?")
    assert code == 0 and "expert in North Korean history" in out


def test_index_build_shows_progress_then_reuses_the_saved_index(tmp_path, monkeypatch):
    shutil.copytree(SEEDS, tmp_path / "corpus")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("QA_")}, "QA_DATA_DIR": str(tmp_path / "data")}
    command = [str(QA_BOT), "index", "build", "--corpus", str(tmp_path / "corpus")]
    first = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0 and "1 article, 27 passages" in first.stdout
    assert "analysing [" in first.stderr and "indexing [" in first.stderr
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and again.stderr == ""  # opened, not rebuilt


def test_impossible_ranking_settings_are_bad_use_and_write_nothing(capsys, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"_id": "q1", "text": "x"}) + "\n")
    out_file = tmp_path / "run.txt"
    code, _, err = run(
        capsys, "retrieve", "--corpus", str(tmp_path), "--queries", str(queries), "--output", str(out_file), "--b", "2"
    )
    assert code == 2 and "0 <= b <= 1" in err and not out_file.exists()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


BBC_STYLE = {  # what the BBC set gives: no source, no published date
    "id": "business/001",
    "category": "business",
    "title": "Rail fares rise above inflation",
    "text": "Rail fares in Britain will rise by 3.9% in January, above inflation.\n\n"
    "Passenger groups said the fare rise would push commuters off the trains.",
}


def test_summary_of_skipped_files_is_one_line_and_verbose_lists_each(capsys, tmp_path):
    folder = tmp_path / "corpus"  # beside the data dir, not around it
    folder.mkdir()
    story = {"title": "Harbour flood", "text": "A storm flooded the harbour of Exampleton on Monday."}
    write_jsonl(folder / "a.jsonl", [{"id": f"a{i}", **story} for i in range(4)])  # three duplicates of a0
    (folder / "junk.txt").write_bytes(b"\x00\x01binary")
    (folder / "huge.txt").write_bytes(b"x" * 5_000_001)
    (folder / "cafe.txt").write_bytes("Café\n\nThe café by the harbour reopened.\n".encode("cp1252"))
    code, out, err = run(capsys, "ask", "Where did the storm flood?", "--corpus", str(folder))
    assert code == 0 and "Exampleton" in out
    assert err == (
        "qa-bot: 5 skipped (duplicate of another article ×3 · too large ×1 · binary data, not text ×1);"
        " 1 loaded with a note (not valid UTF-8 ×1); --verbose lists them\n"
    )
    code, _, err = run(capsys, "ask", "Where did the storm flood?", "--corpus", str(folder), "--verbose")
    assert code == 0 and len(err.splitlines()) == 6
    assert "qa-bot: note: cafe.txt: not valid UTF-8: decoded as Windows-1252 (best effort)\n" in err
    assert "qa-bot: skipped: a.jsonl:2: duplicate of article a0 (a.jsonl:1): loaded once\n" in err
    assert "qa-bot: skipped: junk.txt: binary data, not text\n" in err


def test_the_summary_is_the_same_when_the_snapshot_answers(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    folder.mkdir()
    story = {"title": "Harbour flood", "text": "A storm flooded the harbour of Exampleton on Monday."}
    write_jsonl(folder / "a.jsonl", [{"id": f"a{i}", **story} for i in range(3)])
    first = run(capsys, "ask", "Where did the storm flood?", "--corpus", str(folder))
    monkeypatch.setattr("retrieval.answering.library.load_corpora", None)  # reading the corpus again would fail
    assert run(capsys, "ask", "Where did the storm flood?", "--corpus", str(folder)) == first
    assert first[2] == "qa-bot: 2 skipped (duplicate of another article ×2); --verbose lists them\n"


def test_corpus_may_be_given_several_times_folders_and_jsonl_together(capsys, tmp_path):
    archive = write_jsonl(tmp_path / "bbc.jsonl", [BBC_STYLE])
    copy = write_jsonl(tmp_path / "again.jsonl", [{**BBC_STYLE, "id": "business/copy"}])
    argv = ["--corpus", str(SEEDS), "--corpus", str(archive), "--corpus", str(copy), "--json"]
    code, out, err = run(capsys, "ask", "Will rail fares rise?", *argv)
    assert code == 0 and json.loads(out)["passages"][0]["article"]["id"] == "business/001"
    assert err == "qa-bot: skipped: again.jsonl:1: duplicate of article business/001 (bbc.jsonl:1): loaded once\n"
    code, out, _ = run(capsys, "ask", "Who is Dmitry Peskov?", *argv)
    assert code == 0 and json.loads(out)["passages"][0]["id"] == "000_ed5a8209f2aae2b8#p2"
    code, out, _ = run(capsys, "passages", "--json", *argv)
    assert code == 0 and len(json.loads(out)) == 27 + 2


def test_retrieve_takes_several_corpus_files(capsys, tmp_path):
    one = write_jsonl(tmp_path / "one.jsonl", [{"_id": "d1", "title": "Storms", "text": "A hurricane hit Florida."}])
    two = write_jsonl(tmp_path / "two.jsonl", [{"_id": "d2", "title": "Markets", "text": "Stocks fell sharply."}])
    queries = write_jsonl(tmp_path / "q.jsonl", [{"_id": "q1", "text": "hurricane"}, {"_id": "q2", "text": "stocks"}])
    out_file = tmp_path / "run.txt"
    argv = [
        "retrieve",
        "--corpus",
        str(one),
        "--corpus",
        str(two),
        "--queries",
        str(queries),
        "--output",
        str(out_file),
    ]
    assert run(capsys, *argv)[0] == 0
    assert [line.split()[:3] for line in out_file.read_text().splitlines()] == [["q1", "Q0", "d1"], ["q2", "Q0", "d2"]]


def test_retrieve_weighs_the_title_by_default_and_takes_title_weight(capsys, tmp_path):
    # "solar" twice in one record's body, once in another's title: the title wins at the default
    # weight (3), the body when a title term counts once.
    corpus = write_jsonl(
        tmp_path / "docs.jsonl",
        [
            {"_id": "body", "title": "Weekly energy roundup", "text": "Solar farms grew. Solar panels got cheaper."},
            {"_id": "title", "title": "Solar", "text": "Panels on roofs now supply a tenth of the town's electricity."},
        ],
    )
    queries = write_jsonl(tmp_path / "q.jsonl", [{"_id": "q1", "text": "solar"}])
    out_file = tmp_path / "run.txt"
    argv = ["retrieve", "--corpus", str(corpus), "--queries", str(queries), "--output", str(out_file)]
    assert run(capsys, *argv)[0] == 0
    assert [line.split()[2] for line in out_file.read_text().splitlines()] == ["title", "body"]
    assert run(capsys, *argv, "--title-weight", "1")[0] == 0
    assert [line.split()[2] for line in out_file.read_text().splitlines()] == ["body", "title"]
    out_file.unlink()
    code, _, err = run(capsys, *argv, "--title-weight", "-1")
    assert code == 2 and "--title-weight must be at least 0" in err and not out_file.exists()
