"""`qa-bot ask --batch`: one load, then one answer per input line, in input order; a bad line
gives an error record for that line and the rest go on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from retrieval.answering.library import Library
from tests.conftest import SEEDS

QA_BOT = Path(sys.executable).with_name("qa-bot")


@pytest.fixture(autouse=True)
def data_dir_outside_the_repo(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "qa-data"))


@pytest.fixture
def loads(monkeypatch) -> list[object]:
    calls: list[object] = []
    real = Library.load.__func__

    def counted(cls, path, **kwargs):
        calls.append(path)
        return real(cls, path, **kwargs)

    monkeypatch.setattr(Library, "load", classmethod(counted))
    return calls


LINES = [
    '{"id": "d02", "question": "Who is Dmitry Peskov?"}',
    "Did North Korea send arms?",
    '{"question": "Who is Dmitry Peskov?", "note": "an extra field is ignored"',  # not valid JSON
    "",  # blank: asks nothing
    '{"id": 7, "text": "a question under another key"}',
    '{"question": "   "}',
    "What is the price of tea in Lisbon?",
]


def batch_file(tmp_path: Path, lines: list[str] = LINES, extra: bytes = b"") -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_bytes("\n".join(lines).encode() + b"\n" + extra)
    return path


def test_one_record_per_line_in_input_order_and_bad_lines_go_on(capsys, tmp_path, loads):
    questions = batch_file(tmp_path, extra=b"\xff\xfe not utf-8\n" + b"Who is Fyodor Tertitskiy?\n")
    code = main(["ask", "--batch", str(questions), "--json", "-k", "2", "--corpus", str(SEEDS)])
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and err == "" and len(loads) == 1  # one load for the whole file
    assert [r["line"] for r in records] == [1, 2, 3, 5, 6, 7, 8, 9]
    assert records[0]["id"] == "d02" and records[0]["question"] == "Who is Dmitry Peskov?"
    assert records[0]["passages"][0]["id"] == "000_ed5a8209f2aae2b8#p2" and len(records[0]["passages"]) <= 2
    assert records[1]["question"] == "Did North Korea send arms?" and records[1]["confident"]
    assert "id" not in records[1] and "error" not in records[1]
    assert records[2] == {"line": 3, "error": 'not valid JSON (expected {"question": ...} or a line of text)'}
    assert records[3] == {"line": 5, "id": 7, "error": 'a JSON line needs a "question" string'}
    assert records[4]["line"] == 6 and records[4]["error"].startswith("Please ask a question")
    assert records[5]["question"] == "What is the price of tea in Lisbon?" and not records[5]["confident"]
    assert [c["kind"] for c in records[5]["caveats"]] == ["no_match"] and records[5]["passages"] == []
    assert records[6] == {"line": 8, "error": "not UTF-8 text"}
    assert records[7]["question"] == "Who is Fyodor Tertitskiy?" and records[7]["passages"]


def test_each_record_is_the_answer_a_single_ask_gives(capsys, tmp_path):
    questions = batch_file(tmp_path, ["Did North Korea send arms?", "Who is Fyodor Tertitskiy?"])
    main(["ask", "--batch", str(questions), "--json", "--corpus", str(SEEDS)])
    batch = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for record in batch:
        main(["ask", record["question"], "--json", "--corpus", str(SEEDS)])
        assert {k: v for k, v in record.items() if k != "line"} == json.loads(capsys.readouterr().out)


def test_without_json_each_answer_is_text_in_order(capsys, tmp_path):
    questions = batch_file(tmp_path, ["Who is Dmitry Peskov?", '{"question": ""}', "Who is Fyodor Tertitskiy?"])
    assert main(["ask", "--batch", str(questions), "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    first, error, third = (
        out.index("(line 1) Q: Who is Dmitry Peskov?"),
        out.index("(line 2) error: Please ask"),
        out.index("(line 3) Q: Who is Fyodor Tertitskiy?"),
    )
    assert first < error < third and "Kremlin spokesman" in out[first:error]


def test_batch_reads_standard_input(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "QA_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [str(QA_BOT), "ask", "--batch", "-", "--json", "--corpus", str(SEEDS)],
        input='Who is Dmitry Peskov?\n{"question": "Did North Korea send arms?"}\n',
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["question"] for line in result.stdout.splitlines()] == [
        "Who is Dmitry Peskov?",
        "Did North Korea send arms?",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ask", "--batch", "/nonexistent/q.jsonl"], "questions file does not exist"),
        (["ask", "x", "--batch", "q.jsonl"], "not both"),
        (["ask"], "give a question"),
        (["ask", "--batch", "q.jsonl", "-k", "0"], "-k must be between 1 and 25"),
    ],
)
def test_bad_batch_use_is_one_line_and_exit_code_2(capsys, argv, message):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.startswith("qa-bot: ") and message in err and err.count("\n") == 1


def test_a_reader_that_stops_early_ends_the_batch_quietly(tmp_path):
    questions = batch_file(tmp_path, ["Who is Dmitry Peskov?"] * 200)
    env = {"PATH": "/usr/bin:/bin", "QA_DATA_DIR": str(tmp_path / "data")}
    command = [str(QA_BOT), "ask", "--batch", str(questions), "--json", "--corpus", str(SEEDS)]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141 and json.loads(first)["line"] == 1
    assert stderr == ""
