"""Stance for yes/no questions: does a passage's speaker assert, deny or leave open its claim?

FactBank-style, from the passage's hedges (retrieval/trust/hedges.py) and who is speaking:
  - a speaker whose reporting verb is itself a denial ("Moscow denied …") denies, whatever
    doubts the passage records around it;
  - otherwise doubt wins: an uncertain hedge ("could", "it is not clear") leaves the claim open,
    whether the speaker or the article's own voice says it;
  - then a negation denies ("have not seen any public evidence"), even of claims the passage
    itself calls allegations or rumours;
  - distancing alone ("reportedly", "accused") means nobody in the passage vouches for the claim;
  - a passage that only asks (a heading such as "A new alliance?") asserts nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.datafiles import data_lines
from retrieval.trust.attribution.attribute import Attribution
from retrieval.trust.hedges import DISTANCING, NEGATION, UNCERTAIN, find_hedges, hedge_kind

ASSERTED = "asserted"
DENIED = "denied"
UNCERTAIN_STANCE = "uncertain"


def _question_words() -> dict[str, frozenset[str]]:
    classes: dict[str, set[str]] = {}
    for line in data_lines("stance_questions.txt"):
        word, _, kind = line.partition("\t")
        classes.setdefault(kind.strip(), set()).add(word.strip())
    return {kind: frozenset(words) for kind, words in classes.items()}


_QUESTION_WORDS = _question_words()
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# How far after "do you know" / "can you tell me" a wh-word still makes a wh-question.
_WH_REACH = 4


def is_yes_no_question(question: str) -> bool:
    """True for questions answered by yes or no ("Did…", "Has…", "Tell me whether…")."""
    words = _WORD.findall(question.lower().replace("’", "'"))
    while words and words[0] in _QUESTION_WORDS["filler"]:
        words.pop(0)
    if not words:
        return False
    if words[0] in _QUESTION_WORDS["wh"]:
        return False
    if any(word in _QUESTION_WORDS["whether"] for word in words):
        return True
    if words[0] not in _QUESTION_WORDS["opener"]:
        return False
    # "Do you know who Peskov is?" opens like a yes/no question but asks who.
    return not any(word in _QUESTION_WORDS["wh"] for word in words[1 : 1 + _WH_REACH])


def passage_stance(text: str, hedges: Sequence[str], attribution: Attribution) -> str:
    """ "asserted", "denied" or "uncertain": what the passage's speaker commits to."""
    if attribution.cue and any(hedge_kind(h) == NEGATION for h in find_hedges(attribution.cue)):
        return DENIED
    kinds = {hedge_kind(hedge) for hedge in hedges}
    if UNCERTAIN in kinds or text.rstrip(' ”"’)').endswith("?"):
        return UNCERTAIN_STANCE
    if NEGATION in kinds:
        return DENIED
    if DISTANCING in kinds:
        return UNCERTAIN_STANCE
    return ASSERTED
