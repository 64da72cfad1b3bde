"""The one gate every corpus path goes through (CLI, bot start, reload, upload).

A file it cannot use is reported with the reason and the rest still load: one bad article
never takes the index down. Every rule is enforced here so that no caller can skip one.
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.corpus.articles import Article, ArticleError, build_article, split_front_matter

ARTICLE_SUFFIXES = (".txt", ".md")
JSONL_SUFFIX = ".jsonl"
SIDECAR_SUFFIX = ".meta.json"
MAX_ARTICLE_BYTES = 5_000_000
MAX_JSONL_BYTES = 1_000_000_000  # a whole archive in one file; each record still obeys MAX_ARTICLE_BYTES
# Share of bytes that may be undecodable before "best effort" becomes "refused".
_MAX_REPLACED_SHARE = 0.01
_MAX_REPLACED_BYTES = 3  # a short file may still have a stray byte or two
_READ_BATCH_BYTES = 4 << 20
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


@dataclass(frozen=True, slots=True)
class Problem:
    """A file (or record) that was refused, or loaded with a caveat (`refused=False`)."""

    origin: str
    reason: str
    refused: bool = True

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass
class LoadResult:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class CorpusPathError(ValueError):
    """The corpus path itself is unusable (missing, not a folder or .jsonl file)."""


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Bytes to text, with a note when the decoding was only a best effort."""
    if not data.strip():
        raise ArticleError("empty file")
    if b"\x00" in data or len(_CONTROL_BYTES.findall(data[:65536])) > 0.02 * min(len(data), 65536):
        raise ArticleError("binary data, not text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    # Real UTF-8 sequences beside the bad bytes: a UTF-8 file with a few stray bytes. None: an
    # 8-bit encoding, and Windows-1252 is the usual suspect for text saved by desktop editors.
    tolerable = bad <= max(_MAX_REPLACED_BYTES, _MAX_REPLACED_SHARE * len(text))
    # Windows-1252 text can form the odd valid UTF-8 pair by chance ("ß" before a curly quote);
    # real UTF-8 has more good multi-byte characters than bad bytes.
    if sum(ord(c) > 127 and c != "\ufffd" for c in text) > bad and tolerable:
        return text, f"not valid UTF-8: {bad} undecodable bytes replaced (best effort)"
    try:
        return data.decode("cp1252"), "not valid UTF-8: decoded as Windows-1252 (best effort)"
    except UnicodeDecodeError:
        if not tolerable:
            raise ArticleError(f"not valid UTF-8 text ({bad} undecodable bytes): refused") from None
        return text, f"not valid UTF-8: {bad} undecodable bytes replaced (best effort)"


def parse_article_file(
    data: bytes, article_id: str, origin: str, sidecar: dict | None = None
) -> tuple[Article, str | None]:
    """Article file bytes (optional front matter) to an Article; the note says how it was decoded."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleError(f"too large ({len(data):,} bytes; the limit is {MAX_ARTICLE_BYTES:,})")
    text, note = decode_text(data)
    front, body = split_front_matter(text.lstrip("\ufeff"))
    meta = {**(sidecar or {}), **front}
    return build_article(article_id, body, meta, origin=origin), note


def safe_article_filename(name: str) -> str:
    """A file name that cannot escape the corpus folder or hide: letters, digits, `._-` only."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, "txt"
    elif not stem:  # ".hidden": the name is what follows the dot
        stem, suffix = suffix, "txt"
    suffix = suffix.lower() if "." + suffix.lower() in ARTICLE_SUFFIXES else "txt"
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:80] or "article"
    return f"{stem}.{suffix}"


def article_id_for(filename: str) -> str:
    """The id an article file gets: its stem, whatever folder it is in (so ids can clash across folders)."""
    return Path(filename).stem


def load_corpus(path: Path) -> LoadResult:
    """Every usable article under `path` (a folder of article and .jsonl files, or one .jsonl)."""
    path = Path(path)
    if not path.exists():
        raise CorpusPathError(f"corpus path does not exist: {path}")
    result = LoadResult()
    if path.is_dir():
        _load_folder(path, result)
    elif path.is_file() and path.name.endswith(JSONL_SUFFIX):
        _load_jsonl(path, path.name, result)
    else:  # a named pipe would block the first read forever
        raise CorpusPathError(f"corpus must be a folder or a .jsonl file: {path}")
    return _without_duplicates(result)


def load_corpora(paths: Sequence[Path]) -> LoadResult:
    """Several corpus paths (folders and .jsonl files) as one corpus, in the order given: an
    article found under two of them is loaded once, as within one path."""
    combined = LoadResult()
    read: set[Path] = set()
    for path in map(Path, paths):
        if path.resolve() in read:  # the same path given twice is read once
            continue
        read.add(path.resolve())
        loaded = load_corpus(path)
        combined.articles += loaded.articles
        combined.problems += loaded.problems
    return _without_duplicates(combined)


def _load_folder(root: Path, result: LoadResult) -> None:
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames):
            if (here / name).is_symlink():
                result.problems.append(Problem(_relative(here / name, root), "symbolic link: refused"))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink())
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            _load_file(here / name, root, real_root, result)


def _load_file(file: Path, root: Path, real_root: Path, result: LoadResult) -> None:
    origin = _relative(file, root)
    if file.is_symlink():
        result.problems.append(Problem(origin, "symbolic link: refused"))
        return
    if not file.resolve().is_relative_to(real_root):
        result.problems.append(Problem(origin, "outside the corpus folder: refused"))
        return
    kind = _not_regular(file)
    if kind:
        # Opening a named pipe blocks until something writes to it: the reload would hang.
        result.problems.append(Problem(origin, f"not a regular file ({kind}): refused"))
        return
    if file.name.endswith(JSONL_SUFFIX):
        _load_jsonl(file, origin, result)
        return
    if file.suffix.lower() not in ARTICLE_SUFFIXES:
        result.problems.append(Problem(origin, "not an article file (expected .txt, .md or .jsonl): skipped"))
        return
    try:
        size = file.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise ArticleError(f"too large ({size:,} bytes; the limit is {MAX_ARTICLE_BYTES:,})")
        sidecar = _read_sidecar(file, origin, result)
        article, note = parse_article_file(file.read_bytes(), article_id_for(file.name), origin, sidecar)
    except ArticleError as error:
        result.problems.append(Problem(origin, str(error)))
        return
    except FileNotFoundError:
        result.problems.append(Problem(origin, "disappeared while the corpus was being read"))
        return
    except OSError as error:
        result.problems.append(Problem(origin, f"cannot be read ({error.strerror or error})"))
        return
    if note:
        result.problems.append(Problem(origin, note, refused=False))
    result.articles.append(article)


def _not_regular(file: Path) -> str | None:
    """What a file is when it is not a regular one (the loader reads regular files only), else None."""
    try:
        mode = file.lstat().st_mode
    except OSError:
        return None  # gone or unreadable: reading it says so, with the reason
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _read_sidecar(file: Path, origin: str, result: LoadResult) -> dict | None:
    sidecar = file.with_name(file.name + SIDECAR_SUFFIX)
    if not sidecar.is_file() or sidecar.is_symlink():
        return None
    try:
        data = json.loads(sidecar.read_bytes()[:MAX_ARTICLE_BYTES])
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data
    except RecursionError:
        result.problems.append(Problem(origin + SIDECAR_SUFFIX, "metadata ignored (nested too deeply)", refused=False))
    except (ValueError, OSError) as error:
        result.problems.append(Problem(origin + SIDECAR_SUFFIX, f"metadata ignored ({error})", refused=False))
        return None


def _load_jsonl(file: Path, origin: str, result: LoadResult) -> None:
    try:
        size = file.stat().st_size
        if size > MAX_JSONL_BYTES:
            raise ArticleError(f"too large ({size:,} bytes; the limit is {MAX_JSONL_BYTES:,})")
        handle = file.open("rb")
    except ArticleError as error:
        result.problems.append(Problem(origin, str(error)))
        return
    except OSError as error:
        result.problems.append(Problem(origin, f"cannot be read ({error.strerror or error})"))
        return
    with handle:
        number = 0
        # Read in batches of lines: reading one line at a time between bursts of parsing kept
        # the GIL from the event loop for seconds at a time during reloads (bench/load.py).
        while batch := handle.readlines(_READ_BATCH_BYTES):
            for line in batch:
                number += 1
                if not line.strip():
                    continue
                where = f"{origin}:{number}"
                try:
                    result.articles.append(_jsonl_record(line, where))
                except ArticleError as error:
                    result.problems.append(Problem(where, str(error)))


def _jsonl_record(line: bytes, where: str) -> Article:
    if len(line) > MAX_ARTICLE_BYTES:
        raise ArticleError(f"record too large ({len(line):,} bytes)")
    try:
        record = json.loads(decode_text(line)[0])
    except json.JSONDecodeError as error:
        raise ArticleError(f"not valid JSON ({error.msg})") from None
    except RecursionError:
        raise ArticleError("JSON nested too deeply") from None
    if not isinstance(record, dict):
        raise ArticleError("not a JSON object")
    article_id = str(record.get("id") or record.get("_id") or "").strip()
    text = record.get("text")
    if not article_id or not isinstance(text, str):
        raise ArticleError("needs an 'id' (or '_id') and a 'text'")
    return build_article(article_id, text, record, title_in_body=False, origin=where)


def summarise_problems(problems: Sequence[Problem]) -> str:
    """One line for many problems: how many files or records were skipped or noted, and why,
    most frequent reason first ("3 skipped (duplicate of another article ×2 · too large ×1)")."""
    parts = []
    for refused, label in ((True, "skipped"), (False, "loaded with a note")):
        reasons = Counter(_reason_kind(p.reason) for p in problems if p.refused == refused)
        if reasons:
            listed = " · ".join(f"{kind} ×{count:,}" for kind, count in reasons.most_common())
            parts.append(f"{sum(reasons.values()):,} {label} ({listed})")
    return "; ".join(parts)


def _reason_kind(reason: str) -> str:
    """A reason without what names one file: "too large (6,000,000 bytes; ...)" -> "too large"."""
    # The two messages of _without_duplicates name articles: counted by their fixed words.
    if reason.startswith("duplicate of article "):
        return "duplicate of another article"
    if reason.startswith("article id ") and " already used by " in reason:
        return "article id already used"
    return re.split(r" \(|: ", reason, maxsplit=1)[0]


def _without_duplicates(result: LoadResult) -> LoadResult:
    seen_ids: dict[str, Article] = {}
    seen_content: dict[str, Article] = {}
    kept: list[Article] = []
    for article in result.articles:
        twin = seen_content.get(article.content_hash)
        if twin is not None:
            result.problems.append(
                Problem(article.origin, f"duplicate of article {twin.id} ({twin.origin}): loaded once")
            )
            continue
        if article.id in seen_ids:
            result.problems.append(
                Problem(
                    article.origin, f"article id {article.id} already used by {seen_ids[article.id].origin}: skipped"
                )
            )
            continue
        seen_ids[article.id] = seen_content[article.content_hash] = article
        kept.append(article)
    result.articles = kept
    return result


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
