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
    words = sorted(data_lines("question_fillers.txt"), key=len, reverse=True)
    # A word is a filler only as a whole word: not the "u" of "U.S.", not the "like" of "likely".
    return re.compile(rf"(?<![\w.'’-])(?:{'|'.join(map(re.escape, words))})(?![\w'’-]|\.\w)", re.I)


def without_fillers(question: str) -> str:
    """The question with its filler words blanked out (offsets kept); as written when nothing but
    fillers is left."""
    stripped = _fillers().sub(lambda m: " " * len(m.group(0)), question)
    return stripped if re.search(r"\w", stripped) else question
