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

Hedges count only in the sentences that carry the question's claim, and a grammatical negation
("not", "n't", "no evidence") only where its clause holds some of the question or what it negates
points back to a claim ("to back it up"): "its demands had not been met", given as Moscow's reason
for leaving a deal, says nothing about whether it left. An elliptical negation ("Kim did not.")
negates what came before, so it counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from retrieval.corpus.sentences import sentence_spans
from retrieval.datafiles import data_classes
from retrieval.trust.attribution.attribute import Attribution
from retrieval.trust.hedges import (
    CLAUSE_BREAK,
    DISTANCING,
    NEGATION,
    UNCERTAIN,
    clause_start,
    find_hedges,
    hedge_kind,
)

ASSERTED = "asserted"
DENIED = "denied"
UNCERTAIN_STANCE = "uncertain"


_QUESTION_WORDS = data_classes("stance_questions.txt")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# How far after "do you know" / "can you tell me" a wh-word still makes a wh-question.
_WH_REACH = 4
# A sentence carries the claim when it holds at least this share of what the best sentence holds of
# the question: a claim is often spread over two sentences, each naming part of it.
CLAIM_SHARE = 0.5
# The word of a grammatical negation after which its scope starts; lexical denials ("denied",
# "never", "baseless") deny whatever they are said of.
_NEGATOR = re.compile(r"\b(?:no|not|cannot)\b|n[’']t\b", re.IGNORECASE)
_SCOPE_WORDS = data_classes("stance_scope.txt")


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


@lru_cache(maxsize=2048)  # ~11 passages a yes/no question: the last ~200 questions, a few MB
def _sentences_with_hedges(text: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Each sentence of a passage with its hedges and their kinds: the same whatever the question, and
    finding them is most of what a stance costs, so a passage shown again is not read again."""
    sentences = (text[start:end] for start, end in sentence_spans(text))
    return tuple((s, tuple((h, hedge_kind(h)) for h in find_hedges(s))) for s in sentences)


def claim_hedges(text: str, holds: Callable[[str], float]) -> list[str]:
    """The hedges of `text` about the question's claim. The claim is carried by the sentences holding
    at least CLAIM_SHARE of the question weight (`holds`) that the best sentence holds: their doubts
    count, and their negations where the negated clause is about the question. A negation anywhere
    counts when it points back ("to back it up") or stops short ("Russia did not."). A text that holds
    nothing of the question is read whole, every hedge counting."""
    sentences = _sentences_with_hedges(text)
    weights = [holds(sentence) for sentence, _ in sentences]
    best = max(weights, default=0.0)
    if best <= 0:
        return find_hedges(text)
    found = []
    for (sentence, hedges), weight in zip(sentences, weights, strict=True):
        carries_claim = weight >= CLAIM_SHARE * best
        for hedge, kind in hedges:
            if kind != NEGATION:
                keep = carries_claim
            else:
                reach = _negated(sentence, hedge, holds)
                keep = reach == _BACK or (carries_claim and reach == _ABOUT)
            if keep:
                found.append(hedge)
    return found


def passage_stance(
    text: str, hedges: Sequence[str], attribution: Attribution, holds: Callable[[str], float] | None = None
) -> str:
    """ "asserted", "denied" or "uncertain": what the passage's speaker commits to. With `holds` (the
    question weight a piece of text holds), only the hedges of the claim's sentences count."""
    if attribution.cue and any(hedge_kind(h) == NEGATION for h in find_hedges(attribution.cue)):
        return DENIED
    if holds is not None:
        hedges = claim_hedges(text, holds)
    kinds = {hedge_kind(hedge) for hedge in hedges}
    if UNCERTAIN in kinds or text.rstrip(' ”"’)').endswith("?"):
        return UNCERTAIN_STANCE
    if NEGATION in kinds:
        return DENIED
    if DISTANCING in kinds:
        return UNCERTAIN_STANCE
    return ASSERTED


_BACK = "back"  # the negation points back to a claim made before, or stops short
_ABOUT = "about"  # its clause holds some of the question


def _negated(sentence: str, hedge: str, holds: Callable[[str], float]) -> str | None:
    """What a negation hedge of `sentence` is about: _BACK, _ABOUT or None (another matter). What
    follows a grammatical negation in its clause, up to a word that starts another proposition
    ("because", "but"), is what it negates. A lexical denial ("denied", "never") is about whatever
    it is said of: _ABOUT, so it counts in the claim's sentences only (counting "The ministry denied
    it." after one made more false disputes on bench/stance.py)."""
    negator = _NEGATOR.search(hedge)
    start = sentence.find(hedge)
    if negator is None or start < 0:
        return _ABOUT
    after = start + negator.end()
    clause_end = CLAUSE_BREAK.search(sentence, start + len(hedge))
    end = clause_end.start() if clause_end else len(sentence)
    for word in _WORD.finditer(sentence.lower(), after, end):
        if word.group() in _SCOPE_WORDS["closes_scope"]:
            end = word.start()
            break
    negated_words = _WORD.findall(sentence[after:end].lower())
    if not negated_words or any(word in _SCOPE_WORDS["refers_back"] for word in negated_words):
        return _BACK
    begin = clause_start(sentence, start)
    for word in _WORD.finditer(sentence.lower(), begin, start):
        if word.group() in _SCOPE_WORDS["opens_clause"]:
            begin = word.end()
    return _ABOUT if holds(sentence[begin:end]) > 0 else None
