"""Renders an `Answer` as plain text for the terminal (`qa-bot ask`, `qa-bot chat`)."""

from __future__ import annotations

import textwrap

from retrieval.answer import Answer, AnsweredPassage

_WIDTH = 100


def source_line(p: AnsweredPassage) -> str:
    parts = [f"“{p.article.title}”"]
    parts += [x for x in (p.article.source, p.article.published) if x]
    parts.append(f"¶{p.paragraph}")
    line = " · ".join(parts)
    if p.article.url:
        line += f"\n  {p.article.url}"
    if p.also_in:
        line += "\n  also in: " + "; ".join(f"“{a.title}”" + (f" ({a.source})" if a.source else "") for a in p.also_in)
    return line


RELATED_LINE = "RELATED, NOT AN ANSWER: the closest passages the corpus has; they may not answer the question."


def render_text(answer: Answer) -> str:
    lines = [f"Q: {answer.question}", ""]
    if answer.confidence == "related":
        lines += [RELATED_LINE, ""]
    if answer.caveats:
        lines.append("Caveats:")
        for caveat in answer.caveats:
            lines += textwrap.wrap(
                f"[{caveat.kind}] {caveat.text}", _WIDTH, initial_indent="  - ", subsequent_indent="    "
            )
        lines.append("")
    for number, p in enumerate(answer.passages, 1):
        lines += textwrap.wrap(p.text, _WIDTH, initial_indent=f"[{number}] ", subsequent_indent="    ")
        lines.append("    — " + source_line(p).replace("\n", "\n    "))
        notes = []
        notes.append(f"speaker: {p.speaker_label or 'the article itself'}")
        if p.hedges:
            notes.append("hedges: " + ", ".join(f"“{h}”" for h in p.hedges))
        if p.stance:
            notes.append(f"stance: {p.stance}")
        lines.append("    " + " · ".join(notes))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
