"""A claim posted as a chat message, read as the yes/no question it makes ("Find sources").

"north korea is literally sending shells to russia now" becomes "Is it true that north korea is
literally sending shells to russia now?": a yes/no question, so stances and the conflict caveat apply.
For ranking, the frame ("Is it true that") is dropped again (`question_body`): it is not what the
member asks about. Chat openers that carry no claim ("heard", "apparently", "lol") are dropped.
"""

from __future__ import annotations

import re

_FRAME = re.compile(
    r"^\s*(?:so\s+|but\s+)?(?:is|was|isn'?t)\s+it\s+(?:really\s+)?(?:true|the\s+case|right|correct)\s+(?:that\s+)?",
    re.I,
)
# Words a chat message opens or closes with that say how the member feels, not what is claimed.
_OPENERS = re.compile(
    r"^(?:(?:so|ok|okay|wait|yo|hey|lol|lmao|omg|wow|btw|fyi|breaking|apparently|reportedly|supposedly|"
    r"honestly|literally|basically|i\s+(?:heard|read|saw)|heard|saw|read|(?:i'?m\s+)?pretty\s+sure|i\s+think|"
    r"did\s+you\s+(?:know|hear|see)|fun\s+fact|news\s+flash|just\s+saw)(?:\s+that)?[\s,:!.-]+)+",
    re.I,
)
_CLOSERS = re.compile(r"(?:[\s,]+(?:lol|lmao|smh|tbh|imo|fr|lmfao|haha+|wtf|omg|right|no\s+way|ngl))+[\s?!.]*$", re.I)
_LINKS = re.compile(r"https?://\S+|<[@#!&]*\d+>")
# A message opening with one of these already asks something: it is answered as it stands.
_ASKS = re.compile(
    r"^(?:what|who|whom|whose|when|where|why|how|which|is|are|was|were|am|do|does|did|has|have|had|can|could|"
    r"will|would|should|shall|may|might|must|isn'?t|aren'?t|wasn'?t|weren'?t|don'?t|doesn'?t|didn'?t|hasn'?t|"
    r"haven'?t|can'?t|won'?t|tell\s+me|any(?:one|body)\s+know)\b",
    re.I,
)


def claim_question(message: str) -> str:
    """The yes/no question a chat message's claim makes; a message that already asks is kept."""
    text = " ".join(_LINKS.sub(" ", message).split())
    body = _CLOSERS.sub("", _OPENERS.sub("", text)).strip(" ?!.,;:-")
    if not body or _FRAME.match(text) or _ASKS.match(body):
        return text
    return f"Is it true that {body}?"


def question_body(question: str) -> str:
    """The question without an "Is it true that" frame: what is asked about."""
    return _FRAME.sub("", question, count=1)
