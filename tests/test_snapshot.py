"""The corpus snapshot: a repeated load does not re-read the corpus, and a changed, corrupt,
partial or planted snapshot is rebuilt, never served."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import struct
import sys
import zlib
from pathlib import Path

import nltk
import pytest

from retrieval.answering import library as library_module
from retrieval.answering.library import Library
from retrieval.corpus import snapshot as snapshot_module
from retrieval.corpus.loader import load_corpora
from retrieval.corpus.snapshot import CorpusSnapshot
from tests.conftest import FIXED_TODAY, SEEDS

STORM = "Storm report\n\nA storm flooded the harbour of Exampleton on Monday, the mayor said.\n"


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    (folder / "storm.txt").write_text(STORM)
    (folder / "archive.jsonl").write_text(
        json.dumps({"id": "bbc/1", "title": "Rail fares rise", "text": "Rail fares in Britain rise by 3% in January."})
        + "\n"
    )
    return folder


@pytest.fixture
def reads(monkeypatch) -> list[tuple[Path, ...]]:
    """Every time the library really reads the corpus files (a snapshot miss)."""
    calls: list[tuple[Path, ...]] = []

    def counted(paths):
        calls.append(tuple(paths))
        return load_corpora(paths)

    monkeypatch.setattr(library_module, "load_corpora", counted)
    return calls


def load(paths, data_dir: Path) -> Library:
    return Library.load(paths, data_dir=data_dir, today=lambda: FIXED_TODAY)


def snapshot_file(data_dir: Path) -> Path:
    (found,) = (data_dir / "index").glob("corpus-*.snapshot")
    return found


def same_corpus(a: Library, b: Library) -> bool:
    return (
        [(p.id, p.text, p.article.title, p.article.source, p.article.published) for p in a.corpus.passages]
        == [(p.id, p.text, p.article.title, p.article.source, p.article.published) for p in b.corpus.passages]
        and [(x.content_hash, x.origin, x.dropped, x.paragraphs) for x in a.corpus.articles]
        == [(x.content_hash, x.origin, x.dropped, x.paragraphs) for x in b.corpus.articles]
        and a.corpus.also_in == b.corpus.also_in
        and a.problems == b.problems
    )


def test_a_repeated_load_opens_the_snapshot_and_answers_the_same(corpus, tmp_path, reads):
    (corpus / "junk.txt").write_bytes(b"\x00\x01binary")
    first = load(corpus, tmp_path / "data")
    second = load(corpus, tmp_path / "data")
    assert len(reads) == 1  # the second load read no corpus file
    assert same_corpus(first, second) and [str(p) for p in second.problems] == ["junk.txt: binary data, not text"]
    for question in ("Did North Korea send arms?", "Where did the storm flood?", "Do rail fares rise?"):
        assert second.answer(question).to_dict() == first.answer(question).to_dict()
    assert second.corpus.context("storm#p1") == second.corpus.article_passages("storm")


def _later(path: Path) -> None:
    """Move the file's mtime a second on, as a later edit would (the test runs faster than a tick)."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize(
    "change",
    ["edit same size", "edit", "add", "remove", "rename", "sidecar", "archive line"],
)
def test_any_change_to_the_inputs_rebuilds(corpus, tmp_path, reads, change, monkeypatch):
    monkeypatch.setattr(snapshot_module, "_RACY_NS", 0)  # sizes, times and names alone must see it
    load(corpus, tmp_path / "data")
    storm = corpus / "storm.txt"
    if change == "edit same size":
        storm.write_text(STORM.replace("Monday", "Friday"))
        _later(storm)
    elif change == "edit":
        storm.write_text(STORM.replace("harbour", "old harbour"))
    elif change == "add":
        (corpus / "quake.txt").write_text("Quake\n\nAn earthquake shook Exampleton.\n")
    elif change == "remove":
        storm.unlink()
    elif change == "rename":
        storm.rename(corpus / "tempest.txt")
    elif change == "sidecar":
        (corpus / "storm.txt.meta.json").write_text(json.dumps({"source": "Exampleton Gazette"}))
    else:
        with (corpus / "archive.jsonl").open("a") as archive:
            archive.write(json.dumps({"id": "bbc/2", "title": "Snow", "text": "Snow closed the roads."}) + "\n")
    library = load(corpus, tmp_path / "data")
    assert len(reads) == 2
    load(corpus, tmp_path / "data")
    assert len(reads) == 2  # and the rebuilt snapshot was saved
    assert same_corpus(library, Library.load(corpus, today=lambda: FIXED_TODAY))  # as read from scratch


def test_a_file_rewritten_within_one_clock_tick_is_caught_by_its_content(corpus, tmp_path, reads, monkeypatch):
    """Same size, same times, same inode (a second write in the tick of the first): only the
    content can tell, and a recently changed file is checked by content."""
    load(corpus, tmp_path / "data")
    stats_then = snapshot_module._fingerprint([corpus])
    (corpus / "storm.txt").write_text(STORM.replace("Monday", "Friday"))
    monkeypatch.setattr(snapshot_module, "_fingerprint", lambda sources: stats_then)
    library = load(corpus, tmp_path / "data")
    assert len(reads) == 2 and "Friday" in library.corpus.passage("storm#p1").text


def _header(path: Path) -> dict:
    _, length, _ = struct.unpack_from("<8sII", path.read_bytes())
    return json.loads(path.read_bytes()[16 : 16 + length])


def test_content_checks_stop_once_no_file_is_recent(corpus, tmp_path, reads, monkeypatch):
    first = load(corpus, tmp_path / "data")
    assert "storm.txt" in " ".join(_header(snapshot_file(tmp_path / "data"))["recent"])  # just written: recent
    monkeypatch.setattr(snapshot_module, "_RACY_NS", 0)  # as if the files were older now
    load(corpus, tmp_path / "data")  # checks their content once more, then drops the checks
    assert _header(snapshot_file(tmp_path / "data"))["recent"] == {}
    monkeypatch.setattr(snapshot_module, "_digest", lambda path: pytest.fail(f"{path} read by content again"))
    assert same_corpus(first, load(corpus, tmp_path / "data")) and len(reads) == 1


def test_a_change_while_the_corpus_is_read_saves_no_snapshot(corpus, tmp_path, monkeypatch):
    def edit_while_reading(paths):
        loaded = load_corpora(paths)
        (corpus / "storm.txt").write_text(STORM.replace("harbour", "old harbour"))
        _later(corpus / "storm.txt")
        return loaded

    monkeypatch.setattr(library_module, "load_corpora", edit_while_reading)
    load(corpus, tmp_path / "data")
    assert not list((tmp_path / "data" / "index").glob("corpus-*.snapshot"))


def test_a_changed_cleaning_rule_or_loader_rebuilds(corpus, tmp_path, reads, monkeypatch):
    rules = tmp_path / "boilerplate_patterns.txt"
    rules.write_text("^Advertisement$\n")
    monkeypatch.setattr(snapshot_module, "_CODE", (*snapshot_module._CODE, rules))
    load(corpus, tmp_path / "data")
    rules.write_text("^Advertisement$\n^Sign up\n")
    load(corpus, tmp_path / "data")
    assert len(reads) == 2


def test_another_nltk_or_python_rebuilds(corpus, tmp_path, reads, monkeypatch):
    real = nltk.__version__
    load(corpus, tmp_path / "data")
    monkeypatch.setattr(nltk, "__version__", "0.0")  # Punkt splits the long paragraphs
    load(corpus, tmp_path / "data")
    monkeypatch.setattr(nltk, "__version__", real)
    load(corpus, tmp_path / "data")  # the snapshot of the real version was overwritten: its slot is one
    monkeypatch.setattr(sys, "version_info", (3, 99, 0))  # NFKC's tables come with Python
    load(corpus, tmp_path / "data")
    assert len(reads) == 4


def test_the_key_covers_the_code_and_data_that_make_passages():
    names = {path.name for path in snapshot_module._CODE}
    assert {"loader.py", "articles.py", "cleaning.py", "passages.py", "collection.py", "snapshot.py"} <= names
    assert {"boilerplate_patterns.txt", "sentence_abbreviations.txt", "answer.py"} <= names


def test_paths_in_another_order_are_another_corpus(corpus, tmp_path, reads):
    archive = corpus / "archive.jsonl"
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(corpus / "storm.txt", folder)
    one = load([folder, archive], tmp_path / "data")
    other = load([archive, folder], tmp_path / "data")
    assert len(reads) == 2
    assert [a.id for a in one.corpus.articles] == ["storm", "bbc/1"]
    assert [a.id for a in other.corpus.articles] == ["bbc/1", "storm"]


def _damage(data: bytes, how: str) -> bytes:
    if how == "a letter changed":  # still a valid pickle: only the checksum can tell
        assert b"harbour" in data
        return data.replace(b"harbour", b"harbonr")
    if how == "flip":
        return data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 0xFF]) + data[len(data) // 2 + 1 :]
    if how == "truncate":
        return data[:-100]
    if how == "header only":
        return data[:200]
    if how == "empty":
        return b""
    return json.dumps({"not": "a snapshot"}).encode()


@pytest.mark.parametrize("how", ["a letter changed", "flip", "truncate", "header only", "empty", "garbage"])
def test_a_broken_snapshot_is_rebuilt_never_served(corpus, tmp_path, reads, how):
    first = load(corpus, tmp_path / "data")
    path = snapshot_file(tmp_path / "data")
    path.write_bytes(_damage(path.read_bytes(), how))
    second = load(corpus, tmp_path / "data")
    assert len(reads) == 2 and same_corpus(first, second)
    load(corpus, tmp_path / "data")
    assert len(reads) == 2  # saved whole again


def _with_payload(path: Path, payload: bytes) -> None:
    """Rewrite a snapshot around another payload, header and checksums made to match."""
    data = path.read_bytes()
    magic, length, _ = struct.unpack_from("<8sII", data)
    header = json.loads(data[16 : 16 + length])
    header.update(length=len(payload), crc32=zlib.crc32(payload))
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<8sII", magic, len(encoded), zlib.crc32(encoded)) + encoded + payload)


class _Planted:
    """Unpickled, it would call `call(*args)`."""

    def __init__(self, call, *args) -> None:
        self.call, self.args = call, args

    def __reduce__(self):
        return self.call, self.args


@pytest.mark.parametrize("call", ["pathlib", "our own code"])
def test_a_planted_snapshot_cannot_run_code(corpus, tmp_path, reads, monkeypatch, call):
    load(corpus, tmp_path / "data")
    marker = tmp_path / "pwned"
    if call == "pathlib":
        planted = _Planted(Path.touch, marker)
    else:  # a function of the corpus package itself, taking plain values

        def spy(path: str) -> None:
            Path(path).touch()

        spy.__module__, spy.__qualname__ = snapshot_module.__name__, "_spy"
        monkeypatch.setattr(snapshot_module, "_spy", spy, raising=False)
        planted = _Planted(spy, str(marker))
    _with_payload(snapshot_file(tmp_path / "data"), pickle.dumps(planted))
    library = load(corpus, tmp_path / "data")
    assert not marker.exists() and len(reads) == 2 and library.corpus.passage("storm#p1")


def test_a_snapshot_of_something_else_is_not_served(corpus, tmp_path, reads):
    load(corpus, tmp_path / "data")
    _with_payload(snapshot_file(tmp_path / "data"), pickle.dumps({"corpus": "not one"}))
    load(corpus, tmp_path / "data")
    assert len(reads) == 2


def test_a_missing_corpus_path_reads_no_snapshot(tmp_path):
    snapshot = CorpusSnapshot(tmp_path / "s.snapshot", [tmp_path / "nowhere"])
    assert snapshot.read() is None
    snapshot.write(None)  # nothing to fingerprint: nothing written
    assert not (tmp_path / "s.snapshot").exists()


def test_an_unwritable_data_dir_still_answers(corpus, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert load(corpus, blocker).answer("Where did the storm flood?").confident
