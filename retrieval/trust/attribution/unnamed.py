"""Whether a speaker, as attribution shows it, is an unnamed source: "officials", "a person familiar
with the matter", "two sources close to the talks" — someone the article relies on but does not name."""

from __future__ import annotations

from retrieval.trust.attribution.lexicon import KNOWS, UNNAMED


def speaker_head(speaker: str) -> str:
    """The head noun of a speaker as shown, in lower case: before "familiar with …" and before an
    organisation after a comma ("source close to the talks", "spokesperson, Hyundai")."""
    words = speaker.split(",")[0].split()
    end = next((i for i, w in enumerate(words) if i and w.lower() in KNOWS), len(words))
    return words[end - 1].lower() if words else ""


def is_unnamed_source(speaker: str) -> bool:
    """The speaker's head noun, before an affiliation in brackets, names nobody; a capitalised word
    before it describes them ("Senate source")."""
    return speaker_head(speaker.split("(")[0]) in UNNAMED
