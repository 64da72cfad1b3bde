"""Whether a speaker, as attribution shows it, is an unnamed source: "officials", "a person familiar
with the matter", "two sources close to the talks" — someone the article relies on but does not name."""

from __future__ import annotations

from retrieval.trust.attribution.lexicon import KNOWS, UNNAMED


def is_unnamed_source(speaker: str) -> bool:
    """The speaker's head noun (before "familiar with …" and before an organisation after a comma or
    in brackets) names nobody; a capitalised word before it describes them ("Senate source")."""
    words = speaker.split(",")[0].split("(")[0].split()
    end = next((i for i, w in enumerate(words) if i and w.lower() in KNOWS), len(words))
    return bool(words[:end]) and words[end - 1].lower() in UNNAMED
