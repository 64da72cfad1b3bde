import contextlib
import json
import os
import socket
import stat
import threading
from pathlib import Path

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
    assert [a.id for a in result.articles] == ["copy", "latin"]  # files are read in name order
    assert reasons(result) == {
        "binary.txt": "binary data, not text",
        "blank.md": "empty file",
        "empty.txt": "empty file",
        "huge.txt": "too large (5,000,005 bytes; the limit is 5,000,000)",
        "latin.txt": "not valid UTF-8: decoded as Windows-1252 (best effort)",
        "link.txt": "symbolic link: refused",
        "notes.pdf": "not an article file (expected .txt, .md or .jsonl): skipped",
        "only_meta.md": "no article text (empty, only a title, only metadata or only boilerplate)",
        "good.txt": "duplicate of article copy (copy.txt): loaded once",
    }
    assert "café" in result.articles[1].paragraphs[0]
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
    assert by_origin == {
        "news.jsonl:3": "needs an 'id' (or '_id') and a 'text'",
        "news.jsonl:4": "not valid JSON (Expecting property name enclosed in double quotes)",
    }


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
    assert reasons(result) == {
        "secret.txt": "cannot be read (Permission denied)",
        "gone.txt": "disappeared while the corpus was being read",
    }
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
    assert by_origin["deep.jsonl:1"] == "JSON nested too deeply"
    assert by_origin["deep.txt.meta.json"] == "metadata ignored (nested too deeply)"
    assert [p.refused for p in result.problems if p.origin == "deep.txt.meta.json"] == [False]
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


def test_sidecars_that_are_not_json_objects_are_ignored_with_a_note(tmp_path):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "a.txt.meta.json", "[1, 2]")
    write(tmp_path, "b.txt", ARTICLE.replace("First", "Bee"))
    write(tmp_path, "b.txt.meta.json", "{not json")
    write(tmp_path, "c.txt", ARTICLE.replace("First", "Sea"))
    os.symlink(tmp_path / "a.txt.meta.json", tmp_path / "c.txt.meta.json")  # a link is never read
    result = load_corpus(tmp_path)
    assert [a.id for a in result.articles] == ["a", "b", "c"]
    assert [(p.origin, p.reason, p.refused) for p in result.problems] == [
        ("a.txt.meta.json", "metadata ignored (not a JSON object)", False),
        (
            "b.txt.meta.json",
            "metadata ignored (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
            False,
        ),
    ]


def test_jsonl_records_are_numbered_by_line_blank_lines_included(tmp_path):
    lines = [
        "",
        json.dumps({"id": "a", "title": "A", "text": "Text of a."}),
        "   ",
        "[1, 2]",
        json.dumps({"id": "b", "text": 5}),
        json.dumps({"id": "  ", "text": "no id"}),
        json.dumps({"_id": 7, "title": "Seven", "text": "Text of seven."}),
    ]
    path = write(tmp_path, "a.jsonl", "\n".join(lines) + "\n")
    result = load_corpus(path)
    assert [(a.id, a.origin, a.title) for a in result.articles] == [
        ("a", "a.jsonl:2", "A"),
        ("7", "a.jsonl:7", "Seven"),
    ]
    assert reasons(result) == {
        "a.jsonl:4": "not a JSON object",
        "a.jsonl:5": "needs an 'id' (or '_id') and a 'text'",
        "a.jsonl:6": "needs an 'id' (or '_id') and a 'text'",
    }


def test_a_jsonl_record_in_windows_1252_is_still_read():
    from retrieval.corpus.loader import _jsonl_record

    article = _jsonl_record('{"id": "x", "title": "Caf\u00e9", "text": "Un caf\u00e9."}'.encode("cp1252"), "f:1")
    assert article.title == "Café" and article.paragraphs == ("Un café.",)


def test_an_unreadable_jsonl_file_is_named(tmp_path, monkeypatch):
    write(tmp_path, "a.jsonl", json.dumps({"id": "a", "text": "x"}) + "\n")
    write(tmp_path, "b.txt", ARTICLE)
    real_open = type(tmp_path).open

    def refuse(path, *args, **kwargs):
        if path.name == "a.jsonl":
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(type(tmp_path), "open", refuse)
    result = load_corpus(tmp_path)
    assert reasons(result) == {"a.jsonl": "cannot be read (Permission denied)"}
    assert [a.id for a in result.articles] == ["b"]


def test_a_jsonl_archive_over_its_limit_is_refused(tmp_path, monkeypatch):
    from retrieval.corpus import loader

    write(tmp_path, "a.jsonl", json.dumps({"id": "a", "text": "x"}) + "\n")
    write(tmp_path, "b.txt", ARTICLE)
    monkeypatch.setattr(loader, "MAX_JSONL_BYTES", 10)
    result = load_corpus(tmp_path)
    size = (tmp_path / "a.jsonl").stat().st_size
    assert reasons(result) == {"a.jsonl": f"too large ({size:,} bytes; the limit is 10)"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Title\n\nText with a bell\x07 and a null \x00.", "binary data, not text"),
        # Over 2 % control bytes in the first 64 KiB: binary.
        (b"T\n\n" + b"\x01" * 3 + b"a" * 97, "binary data, not text"),
    ],
)
def test_binary_data_is_refused(data, reason):
    with pytest.raises(ValueError, match=f"^{reason}$"):
        parse_article_file(data, "x", "x.txt")


def test_a_few_control_bytes_are_still_text():
    article, note = parse_article_file(b"Title\n\nText " + b"a" * 100 + b" with one stray \x01.", "x", "x.txt")
    assert note is None and article.paragraphs[0].startswith("Text aaa")


def test_a_byte_order_mark_is_not_part_of_the_title():
    article, note = parse_article_file("\ufeffTitle\n\nBody text.".encode(), "x", "x.txt")
    assert article.title == "Title" and note is None


@pytest.mark.parametrize(
    ("bad_bytes", "decoded_as"),
    [
        (3, "replaced"),  # up to three stray bytes in a short UTF-8 text: replaced
        (4, "refused"),  # more, in a text this short: neither UTF-8 nor Windows-1252
    ],
)
def test_stray_bytes_in_utf8_are_tolerated_up_to_a_limit(bad_bytes, decoded_as):
    data = "Tïtle\n\nNaïve café text.".encode() + b" \x81" * bad_bytes  # 0x81 is no Windows-1252 character
    if decoded_as == "replaced":
        article, note = parse_article_file(data, "x", "x.txt")
        assert note == f"not valid UTF-8: {bad_bytes} undecodable bytes replaced (best effort)"
    else:
        with pytest.raises(ValueError, match=rf"^not valid UTF-8 text \({bad_bytes} undecodable bytes\): refused$"):
            parse_article_file(data, "x", "x.txt")


def test_a_long_utf8_text_may_have_one_percent_stray_bytes():
    body = ("Naïve café text. " * 60).encode()  # 1,027 characters: 10 stray bytes are under 1 %
    article, note = parse_article_file(b"Title\n\n" + body + b"\x81" * 10, "x", "x.txt")
    assert note == "not valid UTF-8: 10 undecodable bytes replaced (best effort)"
    with pytest.raises(ValueError, match="refused"):
        parse_article_file(b"Title\n\n" + body + b"\x81" * 14, "x", "x.txt")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.final.MD", "report-final.md"),
        ("notes", "notes.txt"),
        ("-_-.txt", "article.txt"),
        ("ünïcode name.txt", "n-code-name.txt"),
        ("x" * 100 + ".txt", "x" * 80 + ".txt"),
        ("ａｂｃ.txt", "abc.txt"),  # NFKC: full-width letters are letters
    ],
)
def test_safe_article_filename_more(name, expected):
    assert safe_article_filename(name) == expected


def test_problems_say_where_and_why():
    from retrieval.corpus.loader import Problem

    assert str(Problem("a.txt", "empty file")) == "a.txt: empty file"
    assert Problem("a.txt", "x").refused is True


# --- what the first mutation run showed untested -------------------------------------------------


def test_a_record_of_exactly_5_mb_is_not_too_large():
    from retrieval.corpus.loader import _jsonl_record

    line = b"{" + b" " * (5_000_000 - 2) + b"\n"
    with pytest.raises(ValueError, match="^not valid JSON"):  # parsed, not refused for its size
        _jsonl_record(line, "f:1")
    with pytest.raises(ValueError, match="^record too large"):
        _jsonl_record(line + b" ", "f:1")


def test_an_article_file_of_exactly_5_mb_is_read(tmp_path):
    write(tmp_path, "zeros.txt", b"\x00" * 5_000_000)  # read, then refused as binary
    write(tmp_path, "over.txt", b"\x00" * 5_000_001)
    assert reasons(load_corpus(tmp_path)) == {
        "zeros.txt": "binary data, not text",
        "over.txt": "too large (5,000,001 bytes; the limit is 5,000,000)",
    }


def test_a_jsonl_archive_exactly_at_its_limit_loads(tmp_path, monkeypatch):
    from retrieval.corpus import loader

    path = write(tmp_path, "a.jsonl", json.dumps({"id": "a", "title": "A", "text": "Text."}) + "\n")
    monkeypatch.setattr(loader, "MAX_JSONL_BYTES", path.stat().st_size)
    assert [a.id for a in load_corpus(tmp_path).articles] == ["a"]


def test_a_file_resolving_outside_the_corpus_is_refused(tmp_path):
    """A folder swapped for a link while the corpus is read: the file resolves elsewhere."""
    from retrieval.corpus.loader import LoadResult, _load_file

    root = tmp_path / "corpus"
    root.mkdir()
    outside = write(tmp_path, "outside.txt", ARTICLE)
    result = LoadResult()
    _load_file(outside, root, root.resolve(), result)
    assert [(p.origin, p.reason) for p in result.problems] == [(str(outside), "outside the corpus folder: refused")]
    assert result.articles == [] and outside.exists()


def test_devices_and_folders_are_not_regular_files(tmp_path):
    from retrieval.corpus.loader import _not_regular

    assert _not_regular(Path("/dev/null")) == "a device"
    assert _not_regular(tmp_path) == "not a file"
    assert _not_regular(write(tmp_path, "a.txt", ARTICLE)) is None
    assert _not_regular(tmp_path / "missing.txt") is None


def test_a_duplicate_does_not_stop_the_articles_after_it(tmp_path):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "b.txt", ARTICLE)  # the same text
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "a.md", ARTICLE.replace("First", "Other"))  # the same id
    write(tmp_path / "sub", "c.txt", ARTICLE.replace("First", "Third"))
    result = load_corpus(tmp_path)
    assert [a.id for a in result.articles] == ["a", "c"]
    assert reasons(result) == {
        "b.txt": "duplicate of article a (a.txt): loaded once",
        "sub/a.md": "article id a already used by a.txt: skipped",
    }


def test_a_best_effort_decoding_is_a_note_not_a_refusal(tmp_path):
    write(tmp_path, "latin.txt", "Caf\u00e9 title\n\nA na\u00efve caf\u00e9.".encode("cp1252"))
    assert [p.refused for p in load_corpus(tmp_path).problems] == [False]


@pytest.mark.parametrize(
    ("data", "note"),
    [
        # One good multi-byte character and one stray byte: no more good than bad, so Windows-1252.
        (b"Title\n\nCaf\xc3\xa9 \xe9", "not valid UTF-8: decoded as Windows-1252 (best effort)"),
        (b"Title\n\nCaf\xc3\xa9 \xe9 \xe9", "not valid UTF-8: decoded as Windows-1252 (best effort)"),
        # More good than bad: UTF-8 with the stray byte replaced.
        (b"Title\n\nCaf\xc3\xa9 na\xc3\xafve \xff", "not valid UTF-8: 1 undecodable bytes replaced (best effort)"),
        # U+0080 is a multi-byte character too; DEL (0x7f) is a single byte, no evidence of UTF-8.
        (
            b"Title\n\n" + "\u0080".encode() * 3 + b" \xe9",
            "not valid UTF-8: 1 undecodable bytes replaced (best effort)",
        ),
        (b"Title\n\nCaf\xe9 " + b"\x7f" * 3, "not valid UTF-8: decoded as Windows-1252 (best effort)"),
    ],
)
def test_utf8_with_stray_bytes_or_windows_1252(data, note):
    _, got = parse_article_file(data, "x", "x.txt")
    assert got == note


def test_one_nul_byte_makes_a_file_binary_and_two_percent_control_bytes_do_not():
    with pytest.raises(ValueError, match="^binary data, not text$"):
        parse_article_file(b"Title\n\n" + b"a " * 500 + b"\x00", "x", "x.txt")
    data = b"Title\n\n" + b"a" * 91 + b"\x01\x01"
    assert len(data) == 100
    article, _ = parse_article_file(data, "x", "x.txt")  # 2 in 100: not over 2 %
    with pytest.raises(ValueError, match="^binary data"):
        parse_article_file(data[:-3] + b"\x01\x01\x01", "x", "x.txt")


def test_a_byte_order_mark_is_dropped_even_from_a_best_effort_decoding():
    data = "\ufeff---\ntitle: Xinjiang report\n---\nXinjiang report\n\nCafé text.".encode() + b"\xff"
    article, note = parse_article_file(data, "x", "x.txt")
    assert article.title == "Xinjiang report" and article.paragraphs[0].startswith("Café text.")
    plain = "\ufeffXinjiang report\n\nCafé naïve text.".encode() + b"\xff"
    assert parse_article_file(plain, "x", "x.txt")[0].title == "Xinjiang report"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dir\\name.txt", "name.txt"),
        ("Xylophone X.txt", "Xylophone-X.txt"),
    ],
)
def test_safe_article_filename_backslashes_and_edges(name, expected):
    assert safe_article_filename(name) == expected
