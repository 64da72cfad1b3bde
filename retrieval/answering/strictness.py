"""How readily a server is shown passages that are only `related` (its /settings strictness).

Defined through the confidence decision (retrieval/relevance/confidence.py), never past it: no
strictness turns a passage into an `answer` that the calibrated model does not call one.

- "normal": the model as fitted (today's behaviour).
- "strict": a `related` answer is shown as nothing found (`none`, the no-match caveat); only
  `answer` passages are ever shown.
- "lenient": the question-level threshold (`question_at`, below which a question gets `none`) is
  divided by LENIENT_QUESTION_FACTOR, so more questions get their closest passages shown as
  `related`, under the low-confidence caveat; `answer` is decided exactly as in "normal".
"""

from __future__ import annotations

import copy
import weakref
from dataclasses import dataclass, replace

from retrieval.answer import Answer
from retrieval.answering.answerer import DEFAULT_K, Answerer
from retrieval.answering.library import Library
from retrieval.relevance.confidence import NONE, RELATED
from retrieval.trust.caveats import no_match

STRICT, NORMAL, LENIENT = "strict", "normal", "lenient"
LEVELS = (STRICT, NORMAL, LENIENT)
LENIENT_QUESTION_FACTOR = 4.0

# A lenient answerer shares everything with the library's own but its model; made once per answerer.
_lenient: weakref.WeakKeyDictionary[Answerer, Answerer] = weakref.WeakKeyDictionary()


def lenient_answerer(answerer: Answerer) -> Answerer:
    made = _lenient.get(answerer)
    if made is None:
        made = copy.copy(answerer)
        made.model = replace(answerer.model, question_at=answerer.model.question_at / LENIENT_QUESTION_FACTOR)
        _lenient[answerer] = made
    return made


def at_strictness(answer: Answer, strictness: str) -> Answer:
    """`answer` as a server of this strictness sees it (for "lenient", see `StrictLibrary`)."""
    if strictness == STRICT and answer.confidence == RELATED:
        return Answer(answer.question, False, (), (no_match(),), answer.query_terms, NONE)
    return answer


@dataclass(frozen=True, slots=True)
class StrictLibrary:
    """A library answering at a strictness: what the bot passes where a `Library` answers."""

    library: Library
    strictness: str = NORMAL

    def __post_init__(self) -> None:
        if self.strictness not in LEVELS:
            raise ValueError(f"strictness must be one of {', '.join(LEVELS)}, got {self.strictness!r}")

    @property
    def corpus(self):
        return self.library.corpus

    def answer(self, question: str, k: int = DEFAULT_K, offset: int = 0) -> Answer:
        if self.strictness == LENIENT:
            return lenient_answerer(self.library.answerer).answer(question, k=k, offset=offset)
        return at_strictness(self.library.answer(question, k, offset), self.strictness)
