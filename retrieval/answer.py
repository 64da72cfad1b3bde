"""The values every surface renders: an `Answer` holds passages with their sources and caveats.

Everything a member sees is decided in `retrieval`; the CLI and the Discord bot only render
these values. `Answer.to_dict()` is the stable JSON contract (see README, "The JSON answer").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """Where a passage comes from, as shown to a reader."""

    id: str
    title: str
    source: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD, when known

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published,
        }


@dataclass(frozen=True, slots=True)
class AnsweredPassage:
    """One returned passage: verbatim text, its source and what the trust rules found in it."""

    id: str
    text: str
    score: float
    paragraph: int
    article: ArticleRef
    also_in: tuple[ArticleRef, ...] = ()
    speaker: str | None = None
    cue: str | None = None
    hedges: tuple[str, ...] = ()
    stance: str | None = None  # "asserted" | "denied" | "uncertain" for yes/no questions

    @property
    def speaker_label(self) -> str | None:
        """ "Speaker (cue)" as every surface shows it; None for the article's own voice."""
        if not self.speaker:
            return None
        return f"{self.speaker} ({self.cue})" if self.cue else self.speaker

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "score": round(float(self.score), 6),
            "paragraph": self.paragraph,
            "article": self.article.to_dict(),
            "also_in": [a.to_dict() for a in self.also_in],
            "speaker": self.speaker,
            "cue": self.cue,
            "hedges": list(self.hedges),
            "stance": self.stance,
        }


@dataclass(frozen=True, slots=True)
class Caveat:
    # conflict | hedge | attribution | unnamed_source | single_source | date | no_match | low_confidence | reading
    kind: str
    text: str
    passages: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "passages": list(self.passages)}


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    confident: bool
    passages: tuple[AnsweredPassage, ...] = ()
    caveats: tuple[Caveat, ...] = ()
    # Words of the question that took part in matching, for highlighting; not part of the JSON.
    query_terms: tuple[str, ...] = field(default=(), compare=False)
    # "answer" (the passages answer it), "related" (the closest passages, which may not answer it)
    # or "none" (nothing shown); given or else read from `confident`.
    confidence: str = ""

    def __post_init__(self) -> None:
        if not self.confidence:
            object.__setattr__(self, "confidence", "answer" if self.confident else "none")

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "confident": self.confident,
            "confidence": self.confidence,
            "passages": [p.to_dict() for p in self.passages],
            "caveats": [c.to_dict() for c in self.caveats],
        }
