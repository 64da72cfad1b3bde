import contextlib
import json
import os
import socket
import stat
import threading

import pytest

from retrieval.corpus.loader import (
    CorpusPathError,
    article_id_for,
    load_corpus,
    parse_article_file,
    safe_article_filename,
)
from tests.conftest import SEED_FILE, SEEDS

ARTICLE = (
    "A title line\n\nFirst paragraph of the article, which says something.\n\nSecond paragraph, also a sentence.\n"
)


def write(folder, name, data):
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def reasons(result):
    return {p.origin: p.reason for p in result.problems}


def test_seed_loads_with_sidecar_metadata_and_without_the_advertisement():
    result = load_corpus(SEEDS)
    assert result.problems == []
    (article,) = result.articles
    assert article.id == "000_ed5a8209f2aae2b8"
    assert article.source == "Euronews" and article.published == "2023-09-13"
    assert article.title.startswith("‘Sensitive issues’ discussed by Putin")
    assert not any("Emirates" in p for p in article.paragraphs)
    assert any(p.startswith("Advertisement") for p in article.dropped)
    # The sidecar's metadata never leaks into the article text.
    assert not any("Euronews\n" in p or p == "Euronews" for p in article.paragraphs)


def test_non_breaking_spaces_are_normalised():
    raw = SEED_FILE.read_text("utf-8")
    assert raw.count("\u00a0") == 19
    article = load_corpus(SEEDS).articles[0]
    assert not any("\u00a0" in p for p in article.paragraphs)
    assert any(
        p.startswith("When asked about the possibility of military cooperation, the Russian president said everything")
        for p in article.paragraphs
    )


def test_bad_files_are_named_with_reasons_and_good_ones_still_load(tmp_path):
    write(tmp_path, "good.txt", ARTICLE)
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.md", b"   \n\n  ")
    write(tmp_path, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" * 20)
    write(tmp_path, "latin.txt", "Caf\u00e9 title\n\nA na\u00efve paragraph about the caf\u00e9.".encode("cp1252"))
    write(tmp_path, "copy.txt", ARTICLE)
    write(tmp_path, "only_meta.md", "---\ntitle: Nothing here\nsource: Nowhere\n---\n")
    write(tmp_path, "notes.pdf", b"%PDF-1.4")
    write(tmp_path, "huge.txt", b"word " * 1_000_001)  # the documented limit is 5 MB: 5,000,005 bytes
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text(ARTICLE.replace("First", "Outside"))
    os.symlink(outside, tmp_path / "link.txt")

    result = load_corpus(tmp_path)
    by_origin = reasons(result)
    assert [a.id for a in result.articles] == ["good", "latin"] or [a.id for a in result.articles] == ["copy", "latin"]
    assert "empty file" in by_origin["empty.txt"]
    assert "empty file" in by_origin["blank.md"]
    assert "binary" in by_origin["binary.txt"]
    assert "Windows-1252" in by_origin["latin.txt"]  # loaded, with a note saying how
    assert "café" in result.articles[1].paragraphs[0]
    assert "duplicate" in by_origin["good.txt"] or "duplicate" in by_origin["copy.txt"]
    assert "no article text" in by_origin["only_meta.md"]
    assert "not an article file" in by_origin["notes.pdf"]
    assert "too large" in by_origin["huge.txt"]
    assert "symbolic link" in by_origin["link.txt"]
    refused = {p.origin for p in result.problems if p.refused}
    assert "latin.txt" not in refused


def test_invalid_utf8_beyond_best_effort_is_refused():
    bad = b"Title\n\n" + bytes(range(0x80, 0x100)) * 3
    with pytest.raises(ValueError, match="UTF-8"):
        parse_article_file(bad.replace(b"\x81", b"\x81\x8d"), "x", "x.txt")


def test_front_matter_overrides_sidecar_and_is_not_article_text(tmp_path):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: Real title\nsource: The Outlet\npublished: 2024-02-03T10:00:00Z\nurl: https://example.org/a\n---\n"
        "Line one is body\n\nMore body text here.",
    )
    write(tmp_path, "a.md.meta.json", json.dumps({"source": "Sidecar Outlet", "language": "en"}))
    (article,) = load_corpus(tmp_path).articles
    assert article.title == "Real title"
    assert article.source == "The Outlet" and article.language == "en"
    assert article.published == "2024-02-03" and article.url == "https://example.org/a"
    # With a title in the front matter, the first line is still the title line of the file.
    assert article.paragraphs == ("More body text here.",)


def test_jsonl_records_load_and_bad_lines_are_named(tmp_path):
    rows = [
        {
            "id": "n1",
            "title": "One",
            "text": "First para.\nSecond para.",
            "source": "cnn.com",
            "published": "2023-09-01",
        },
        {"_id": "n2", "title": "Two", "text": "Only para."},
        {"title": "no id", "text": "x"},
    ]
    lines = [json.dumps(r) for r in rows] + ["{not json"]
    path = write(tmp_path, "news.jsonl", "\n".join(lines) + "\n")
    result = load_corpus(path)
    assert [a.id for a in result.articles] == ["n1", "n2"]
    assert result.articles[0].paragraphs == ("First para.", "Second para.")
    by_origin = reasons(result)
    assert "'id'" in by_origin["news.jsonl:3"]
    assert "not valid JSON" in by_origin["news.jsonl:4"]


def test_unusable_corpus_paths_raise(tmp_path):
    with pytest.raises(CorpusPathError, match="does not exist"):
        load_corpus(tmp_path / "missing")
    with pytest.raises(CorpusPathError, match="folder or a .jsonl"):
        load_corpus(write(tmp_path, "a.txt", ARTICLE))


def test_unreadable_and_vanishing_files_are_reported(tmp_path, monkeypatch):
    # Simulated: tests run as root in CI, and root can read a chmod 0 file.
    write(tmp_path, "secret.txt", ARTICLE)
    write(tmp_path, "gone.txt", ARTICLE.replace("First", "Gone"))
    write(tmp_path, "fine.txt", ARTICLE.replace("First", "Fine"))
    real_read = type(tmp_path).read_bytes

    def read_bytes(path):
        if path.name == "secret.txt":
            raise PermissionError(13, "Permission denied")
        if path.name == "gone.txt":
            raise FileNotFoundError(2, "No such file")
        return real_read(path)

    monkeypatch.setattr(type(tmp_path), "read_bytes", read_bytes)
    result = load_corpus(tmp_path)
    assert "cannot be read (Permission denied)" in reasons(result)["secret.txt"]
    assert "disappeared" in reasons(result)["gone.txt"]
    assert [a.id for a in result.articles] == ["fine"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd.txt"),
        ("..\\..\\evil.md", "evil.md"),
        ("My Article (final).TXT", "My-Article-final.txt"),
        (".hidden", "hidden.txt"),
        ("report.exe", "report.txt"),
        ("", "article.txt"),
    ],
)
def test_safe_article_filename(name, expected):
    assert safe_article_filename(name) == expected


def test_impossible_dates_deep_nesting_and_windows_line_endings(tmp_path):
    write(tmp_path, "bad-date.md", "---\ntitle: T\npublished: 2023-02-30\n---\nT\n\nBody text here.\n")
    write(
        tmp_path,
        "crlf.md",
        "---\r\ntitle: Windows title\r\nsource: Outlet\r\n---\r\nWindows title\r\n\r\nBody from Windows.\r\n",
    )
    write(
        tmp_path,
        "deep.jsonl",
        "[" * 100_000 + "\n" + json.dumps({"id": "ok", "title": "Fine", "text": "Fine text."}) + "\n",
    )
    write(tmp_path, "deep.txt.meta.json", "[" * 100_000)
    write(tmp_path, "deep.txt", "Deep\n\nA body whose sidecar is nested too deeply.\n")
    result = load_corpus(tmp_path)
    by_origin = reasons(result)
    assert "not a valid YYYY-MM-DD date" in by_origin["bad-date.md"]
    assert "nested too deeply" in by_origin["deep.jsonl:1"]
    assert "nested too deeply" in by_origin["deep.txt.meta.json"]
    articles = {a.id: a for a in result.articles}
    assert articles["crlf"].title == "Windows title" and articles["crlf"].source == "Outlet"
    assert articles["crlf"].paragraphs == ("Body from Windows.",)
    assert {"ok", "deep"} <= set(articles)


def test_a_stray_byte_does_not_turn_utf8_into_mojibake():
    data = "Café title\n\nA naïve café — “quoted” text.".encode() + b"\xff"
    article, note = parse_article_file(data, "x", "x.txt")
    assert "naïve café — “quoted”" in article.paragraphs[0]
    assert "1 undecodable bytes replaced" in note


def test_windows_1252_with_a_chance_utf8_pair_stays_windows_1252():
    data = "Gruß title\n\nThe “Gruß” and a café owner — the naïve one.".encode("cp1252")
    article, note = parse_article_file(data, "x", "x.txt")
    assert "“Gruß” and a café owner — the naïve" in article.paragraphs[0] and "Windows-1252" in note


def test_the_5_mb_limit_is_exact():
    with pytest.raises(ValueError, match="too large"):
        parse_article_file(b"T\n\n" + b"x" * 4_999_998, "x", "x.txt")
    # 5,000,000 bytes pass the size rule (and then fail only for being one unbroken word).
    with pytest.raises(ValueError) as refused:
        parse_article_file(b"T\n\n" + b"\x00" * 4_999_997, "x", "x.txt")
    assert "too large" not in str(refused.value)


def test_a_jsonl_record_over_5_mb_is_refused_and_the_others_load(tmp_path):
    small = json.dumps({"id": "ok", "title": "Fine", "text": "Fine text."})
    big = json.dumps({"id": "big", "title": "Big", "text": "w " * 2_500_001})
    write(tmp_path, "a.jsonl", small + "\n" + big + "\n")
    result = load_corpus(tmp_path)
    assert [a.id for a in result.articles] == ["ok"]
    assert "record too large (5,000,0" in reasons(result)["a.jsonl:2"]


def _load_with_hang_guard(path):
    """load_corpus in a thread; a FIFO it opens blocks until a writer comes, so after a while the
    test plays the writer to unblock it and reports the hang instead of hanging the suite."""
    outcome = {}

    def run():
        try:
            outcome["result"] = load_corpus(path)
        except Exception as error:  # re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30)
    hung = thread.is_alive()
    if hung:
        for fifo in [path, *path.rglob("*")] if path.is_dir() else [path]:
            if stat.S_ISFIFO(fifo.lstat().st_mode):
                with contextlib.suppress(OSError):
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(30)
    assert not hung, "the loader blocked on a named pipe"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_named_pipes_are_refused_not_read(tmp_path):
    write(tmp_path, "good.txt", ARTICLE)
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe.jsonl")
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "deep.md")
    result = _load_with_hang_guard(tmp_path)
    assert [a.id for a in result.articles] == ["good"]
    by_origin = reasons(result)
    for origin in ("pipe.txt", "pipe.jsonl", "sub/deep.md"):
        assert by_origin[origin] == "not a regular file (a named pipe): refused"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_a_named_pipe_as_the_corpus_path_is_unusable(tmp_path):
    os.mkfifo(tmp_path / "corpus.jsonl")
    with pytest.raises(CorpusPathError, match="folder or a .jsonl file"):
        _load_with_hang_guard(tmp_path / "corpus.jsonl")


def test_a_socket_is_refused_with_its_kind(tmp_path):
    write(tmp_path, "good.txt", ARTICLE)
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock.txt"))
        result = load_corpus(tmp_path)
    assert reasons(result)["sock.txt"] == "not a regular file (a socket): refused"
    assert [a.id for a in result.articles] == ["good"]


def test_symlinked_directories_are_refused_inside_and_outside(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "real").mkdir(parents=True)
    write(corpus / "real", "inside.txt", ARTICLE)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write(outside, "outside.txt", ARTICLE.replace("First", "Outside"))
    os.symlink(outside, corpus / "out-link")
    os.symlink(corpus / "real", corpus / "loop-link")
    result = load_corpus(corpus)
    assert [(a.id, a.origin) for a in result.articles] == [("inside", "real/inside.txt")]
    by_origin = reasons(result)
    assert by_origin["out-link"] == "symbolic link: refused"
    assert by_origin["loop-link"] == "symbolic link: refused"
    assert len(result.problems) == 2


def test_hidden_files_folders_and_sidecars_are_not_articles(tmp_path):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, ".removing-b.txt", ARTICLE.replace("First", "Hidden"))
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git", "c.txt", ARTICLE.replace("First", "Git"))
    write(tmp_path, "a.txt.meta.json", json.dumps({"source": "Outlet"}))
    result = load_corpus(tmp_path)
    assert [a.id for a in result.articles] == ["a"] and result.problems == []
    assert result.articles[0].source == "Outlet"


def test_the_same_id_in_two_folders_is_loaded_once_and_named(tmp_path):
    write(tmp_path, "storm.txt", ARTICLE)
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "storm.md", ARTICLE.replace("First", "Other"))
    result = load_corpus(tmp_path)
    assert [(a.id, a.origin) for a in result.articles] == [("storm", "storm.txt")]
    assert reasons(result) == {"sub/storm.md": "article id storm already used by storm.txt: skipped"}


def test_article_ids_are_file_stems():
    assert article_id_for("storm.txt") == "storm" and article_id_for("my.report.md") == "my.report"
