"""An `Answer` as one Discord embed, within every Discord limit, with nothing that can ping.

Content is decided in `retrieval`; this module only lays it out. Article and question text is
markdown-escaped; when something must be shortened it is cut at a word boundary, outside any
markdown, and marked with an ellipsis.
"""

from __future__ import annotations

import discord
from discord.utils import escape_markdown, escape_mentions

from retrieval.analysis.analyzer import default_analyzer
from retrieval.answer import Answer, AnsweredPassage

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_VALUE_LIMIT = 1024
FIELDS_LIMIT = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000
QUESTION_PREFIX = "Q: "  # the footer carries the question, so buttons work after a restart

COLOUR_CONFIDENT = discord.Colour.blurple()
COLOUR_CAVEAT = discord.Colour.gold()
COLOUR_NO_MATCH = discord.Colour.light_grey()
COLOUR_RELATED = discord.Colour.dark_teal()  # the closest passages, which may not answer: never the answer's colour
RELATED_LINE = "**Related, not an answer:** the closest passages the corpus has."
_CAVEAT_ICONS = {
    "conflict": "⚖️",
    "hedge": "❔",
    "attribution": "🗣️",
    "unnamed_source": "👤",
    "single_source": "📰",
    "date": "🗓️",
    "no_match": "🔍",
    "low_confidence": "🧭",
    "reading": "🔤",
}


def safe_text(text: str) -> str:
    """Escaped for markdown, and mention syntax defused (AllowedMentions.none() is the real guard)."""
    return escape_mentions(escape_markdown(text, as_needed=False))


def cut_words(text: str, limit: int) -> str:
    """`text` if it fits, else its longest word-boundary prefix that fits with "…"."""
    if len(text) <= limit:
        return text
    if limit < 2:
        return ""
    cut = text.rfind(" ", 0, limit)
    if cut <= 0:
        cut = limit - 1
    head = text[:cut].rstrip()
    while head.endswith("\\"):  # never leave half of an escape sequence
        head = head[:-1]
    return head + "…"


def highlighted(text: str, terms: frozenset[str]) -> str:
    """Escaped passage text with the words that matched the question in bold."""
    out: list[str] = []
    last = 0
    for start, end, word_terms in default_analyzer().words(text):
        if terms.isdisjoint(word_terms):
            continue
        out.append(safe_text(text[last:start]))
        out.append(f"**{safe_text(text[start:end])}**")
        last = end
    out.append(safe_text(text[last:]))
    return "".join(out)


def source_line(p: AnsweredPassage, with_link: bool = True) -> str:
    title = safe_text(p.article.title)
    title = cut_words(title, 120)
    if with_link and p.article.url and p.article.url.startswith(("https://", "http://")) and len(p.article.url) < 300:
        title = f"[{title}](<{p.article.url.replace(')', '%29').replace('>', '%3E')}>)"
    parts = [title] + [cut_words(safe_text(x), 100) for x in (p.article.source, p.article.published) if x]
    parts.append(f"¶{p.paragraph}")
    return "— " + " · ".join(parts)


def notes_line(p: AnsweredPassage) -> str:
    parts = [f"🗣️ {safe_text(p.speaker_label) if p.speaker_label else 'the article itself'}"]
    if p.hedges:
        parts.append("❔ " + ", ".join(f"“{safe_text(h)}”" for h in p.hedges))
    if p.stance:
        parts.append(f"stance: {p.stance}")
    if p.also_in:
        parts.append(f"also in {len(p.also_in)} other article{'s' if len(p.also_in) > 1 else ''}")
    return " · ".join(parts)


def passage_field_value(p: AnsweredPassage, terms: frozenset[str]) -> str:
    """Quote, source and notes in ≤ 1024 characters, simplifying before ever cutting."""
    attempts = (
        (highlighted(p.text, terms), True),
        (safe_text(p.text), True),
        (safe_text(p.text), False),
    )
    for body, link in attempts:
        value = f"> {body.replace(chr(10), chr(10) + '> ')}\n{source_line(p, link)}\n{notes_line(p)}"
        if len(value) <= FIELD_VALUE_LIMIT:
            return value
    tail = f"\n{cut_words(source_line(p, False), 300)}\n{cut_words(notes_line(p), 200)}"
    body = cut_words(safe_text(p.text).replace("\n", " "), FIELD_VALUE_LIMIT - len(tail) - 2)
    return f"> {body}{tail}"


def caveats_text(answer: Answer) -> str:
    lines = [f"{_CAVEAT_ICONS.get(c.kind, '⚠️')} {safe_text(c.text)}" for c in answer.caveats]
    if answer.confidence == "related":
        lines.insert(0, RELATED_LINE)
    return cut_words("\n".join(lines), 1500)


def answer_embed(answer: Answer, first_number: int = 1) -> discord.Embed:
    """One embed: caveats first, then each passage as a quote with its source."""
    if answer.confidence == "related":
        colour = COLOUR_RELATED
    elif not answer.confident:
        colour = COLOUR_NO_MATCH
    elif any(c.kind in ("conflict", "hedge") for c in answer.caveats):
        colour = COLOUR_CAVEAT
    else:
        colour = COLOUR_CONFIDENT
    embed = discord.Embed(
        title=cut_words(safe_text(answer.question), TITLE_LIMIT) or "Question",
        description=caveats_text(answer) or None,
        colour=colour,
    )
    terms = frozenset(answer.query_terms)
    for number, p in enumerate(answer.passages[:FIELDS_LIMIT], first_number):
        embed.add_field(name=f"[{number}]", value=passage_field_value(p, terms), inline=False)
    # Footers show plain text (no markdown), but mention syntax is defused there too.
    embed.set_footer(text=cut_words(QUESTION_PREFIX + escape_mentions(answer.question), FOOTER_LIMIT))
    _fit_total(embed)
    return embed


def question_from_embed(embed: discord.Embed) -> str | None:
    """The question an answer embed was for (its footer), or None if it is not one of ours."""
    text = embed.footer.text if embed.footer else None
    if not text or not text.startswith(QUESTION_PREFIX):
        return None
    return text[len(QUESTION_PREFIX) :].rstrip("…") or None


def _fit_total(embed: discord.Embed) -> None:
    """Drop trailing passages until the embed is within Discord's 6000-character total."""
    while len(embed) > EMBED_TOTAL_LIMIT and len(embed.fields) > 1:
        embed.remove_field(len(embed.fields) - 1)
    if len(embed) > EMBED_TOTAL_LIMIT and embed.description:
        embed.description = cut_words(
            embed.description, max(0, len(embed.description) - (len(embed) - EMBED_TOTAL_LIMIT) - 1)
        )


def message_text(text: str) -> str:
    """Plain message content: escaped and within 2000 characters."""
    return cut_words(safe_text(text), CONTENT_LIMIT)


def code(text: str) -> str:
    """`text` in a code span: shown exactly (Discord does not unescape inside code), minus backticks."""
    return f"`{text.replace('`', 'ˋ')}`"
