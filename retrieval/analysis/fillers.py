"""Words a question uses to frame the asking or to sound casual ("really", "lol", "that guy", the "many"
of "how many"): dropped from questions only, so they neither find passages nor dilute the share of the
question a passage must hold. The list is retrieval/data/question_fillers.txt.

Whole words are dropped before analysis, not their stems: "totally" is a filler, "total" is not."""

from __future__ import annotations

import re
from functools import cache

from retrieval.datafiles import data_lines


@cache
def _fillers() -> re.Pattern[str]:
    lines = sorted(data_lines("question_fillers.txt"), key=len, reverse=True)
    anywhere = "|".join(re.escape(w) for w in lines if not w.startswith("^"))
    opening = "|".join(re.escape(w[1:]) for w in lines if w.startswith("^"))
    # A word is a filler only as a whole word: not the "u" of "U.S.", not the "like" of "likely"; a "^"
    # word only where the message starts.
    word = rf"(?<![\w.'’-])(?:{anywhere})|^\s*(?:{opening})"
    return re.compile(rf"(?:{word})(?![\w'’-]|\.\w)", re.I)


def without_fillers(question: str) -> str:
    """The question with its filler words blanked out (offsets kept); as written when nothing but
    fillers is left."""
    stripped = _fillers().sub(lambda m: " " * len(m.group(0)), question)
    return stripped if re.search(r"\w", stripped) else question
