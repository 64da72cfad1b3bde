"""An article as the corpus holds it, and how article text (plain or with front matter) is parsed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from retrieval.answer import ArticleRef
from retrieval.corpus.cleaning import clean_paragraph, is_boilerplate, normalize_text

METADATA_KEYS = ("title", "source", "url", "published", "language")
# Accepted spellings in front matter, sidecars and JSON lines, mapped to our names.
_KEY_ALIASES = {"outlet": "source", "publisher": "source", "date": "published", "lang": "language"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class ArticleError(ValueError):
    """Article text that cannot become an article; the message says why, for the moderator."""


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    paragraphs: tuple[str, ...]  # cleaned body paragraphs in order; title and boilerplate excluded
    source: str | None = None
    url: str | None = None
    published: str | None = None  # YYYY-MM-DD
    language: str | None = None
    origin: str = ""  # where it was read from, for messages
    dropped: tuple[str, ...] = field(default=(), compare=False)  # boilerplate paragraphs removed
    # Identity of the article's words, for duplicate detection and change reports.
    content_hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.content_hash:
            digest = hashlib.blake2b(digest_size=12)
            for part in (self.title, *self.paragraphs):
                digest.update(part.casefold().encode("utf-8") + b"\x00")
            object.__setattr__(self, "content_hash", digest.hexdigest())

    @property
    def ref(self) -> ArticleRef:
        return ArticleRef(self.id, self.title, self.source, self.url, self.published)


def normalize_metadata(raw: dict[str, object]) -> dict[str, str]:
    """Keep the known keys with non-empty string values; dates become YYYY-MM-DD."""
    meta: dict[str, str] = {}
    for key, value in raw.items():
        name = _KEY_ALIASES.get(str(key).strip().lower(), str(key).strip().lower())
        if name not in METADATA_KEYS or value is None:
            continue
        text = clean_paragraph(str(value))
        if not text:
            continue
        if name == "published":
            match = _ISO_DATE.search(text)
            try:
                text = date.fromisoformat(match.group(0)).isoformat() if match else ""
            except ValueError:
                text = ""
            if not text:
                raise ArticleError(f"published date {text or str(value)[:40]!r} is not a valid YYYY-MM-DD date")
        meta[name] = text
    return meta


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """A leading `---` block of `key: value` lines, and the text after it."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # uploads from Windows
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields[key.strip()] = value.strip().strip("\"'")
    return fields, text[match.end() :]


def split_paragraphs(body: str) -> list[str]:
    """Paragraphs are separated by blank lines; a text with no blank line has one per line."""
    body = body.strip("\n")
    blocks = re.split(r"\n[ \t]*\n", body) if re.search(r"\n[ \t]*\n", body) else body.split("\n")
    return [p for p in (clean_paragraph(b) for b in blocks) if p]


def build_article(
    article_id: str,
    body: str,
    meta: dict[str, object] | None = None,
    *,
    title_in_body: bool = True,
    origin: str = "",
) -> Article:
    """Turn article text into an Article.

    With `title_in_body` the first non-empty line is the title (article files); JSON lines give
    the title as a field instead. Metadata may override the title.
    """
    fields = normalize_metadata(meta or {})
    paragraphs = split_paragraphs(normalize_text(body))
    title = fields.get("title")
    if title_in_body and paragraphs:
        first = paragraphs.pop(0)
        title = title or first
    if not title:
        title = paragraphs[0][:120] if paragraphs else ""
    kept = [p for p in paragraphs if not is_boilerplate(p)]
    dropped = tuple(p for p in paragraphs if is_boilerplate(p))
    if not kept:
        raise ArticleError("no article text (empty, only a title, only metadata or only boilerplate)")
    return Article(
        id=article_id,
        title=title,
        paragraphs=tuple(kept),
        source=fields.get("source"),
        url=fields.get("url"),
        published=fields.get("published"),
        language=fields.get("language"),
        origin=origin,
        dropped=dropped,
    )
