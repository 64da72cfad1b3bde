"""The kind of value a question asks for, and whether a passage holds one.

"How much did the station cost?" is answered by a passage that gives an amount of money, "how many
nests were destroyed?" by one that gives a number, "when will the runway open?" by one that gives a
date, "what did the CEO say?" by one that reports someone's words. A passage on the right matter
without such a value tells the member about it, but does not answer: it may be shown as related, never
as the answer. Read from the words of English questions, not from any corpus.

Only what the question itself opens with counts: "why does he care how much Canada pays" asks why, and
"did the council say how much the stadium costs?" (or the claim "the council won't say how much …") is
answered by a passage saying it would not.
"""

from __future__ import annotations

import re

MONEY, COUNT, TIME, SPEECH = "money", "count", "time", "speech"

# What a member may put before the question itself: "so", "lol", "does anyone know", "can u tell me".
_LEAD = (
    r"^\W*(?:(?:so|and|but|ok|okay|hey|wait|also|yo|lol|pls|please|guys|um|hmm)\W+)*"
    r"(?:(?:do|does)\s+(?:you|u|anyone|anybody)\s+know\W+|(?:can|could)\s+(?:you|u|someone|anyone)\s+tell\s+me\W+"
    r"|any(?:one|body)\s+know\W+|i\s+wonder\W+|wondering\W+)?"
    r"(?:(?:in|on|by|since|until|from|for|of|to)\s+)?"
)
_HOW_MUCH = re.compile(_LEAD + r"how\s+much\b", re.I)
_HOW_MANY = re.compile(_LEAD + r"how\s+many\b", re.I)
# Words of a question about a price or a sum: with "how much", or asking "what price / what salary".
_MONEY_WORDS = (
    r"cost|costs|costing|price|prices|priced|pay|pays|paid|paying|spend|spends|spent|spending|salary|salaries|"
    r"wage|wages|money|cash|worth|fee|fees|fine|fined|fund|funds|funding|funded|charge|charges|charged|earn|"
    r"earns|earned|earning|earnings|budget|invest|invested|investment|raise|raised|sell|sold|buy|bought|"
    r"owe|owes|owed|debt|debts|compensation|tickets?|contract|deal|bill|bills|tax|taxes|donate|donated|give|gave"
)
_MONEY_QUESTION = re.compile(rf"\b(?:{_MONEY_WORDS})\b", re.I)
# "How much did prices rise?": a change, given as a share as often as a sum, so any number answers it.
_CHANGE = re.compile(
    r"\b(?:rise|rises|rose|risen|rising|fall|falls|fell|fallen|falling|increase[sd]?|decrease[sd]?|drop(?:s|ped)?|"
    r"grow|grows|grew|grown|jump(?:s|ed)?|climb(?:s|ed)?|soar(?:s|ed)?|surge[sd]?|slump(?:s|ed)?|plunge[sd]?|"
    r"shrink|shrank|shrunk|cut|cuts|up|down|more|less|higher|lower|change[sd]?)\b",
    re.I,
)
_WHAT_MONEY = re.compile(
    _LEAD + r"what(?:s|'s|’s|\s+is|\s+was|\s+were|\s+are)?\s+(?:the\s+|his\s+|her\s+|their\s+|its\s+)?"
    r"(?:price|cost|salary|fee|fine)\b",
    re.I,
)

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|"
    r"millions?|billions?|trillions?|dozens?|half|quarter|third|double|twice|triple"
)
# "None died", "a handful of nests": an answer to "how many", if not a figure.
_NUMBER = re.compile(
    rf"\d|\b(?:{_NUMBER_WORDS}|zero|none|nobody|no\s+one|once|a\s+couple|a\s+handful|several|scores\s+of)\b", re.I
)
_CURRENCY = (
    r"dollars?|pounds?|euros?|yen|yuan|rupees?|francs?|pence|cents?|usd|gbp|eur|chf|inr|bucks|quid|grand|"
    r"roubles?|rubles?|won|pesos?|kronor|krona|krone|dinars?|rand|shekels?|lira|baht|naira|dirhams?|zloty|lakh|crore"
)
# A figure is read from its first digit only (the look-behind): a long run of digits costs one pass.
_MONEY = re.compile(
    rf"[£$€¥₹₽]\s?\d|(?<![\d,.])\d[\d,.]*+\s?(?:m|bn|k|p)?\s*(?:(?-i:[A-Z][a-z]+)\s+)?(?:{_CURRENCY})\b"
    rf"|(?<!\d)\d++p\b|\b(?:usd|chf|inr|rs\.?|eur|gbp)\s?\d"
    rf"|\b(?:{_NUMBER_WORDS}|a)\s+(?:million|billion|thousand\s+)?(?:{_CURRENCY})\b"
    r"|\bfree\b|\bfor\s+nothing\b|\bcosts?\s+nothing\b",
    re.I,
)

# "how long is the barrier" asks a length, "how long did the strike last" a time.
_WHEN = re.compile(
    _LEAD + r"(?:when|(?:what|which)\s+(?:year|date|day|month|time)|how\s+long(?!\s+(?:is|was|are|were)\b))\b",
    re.I,
)
_MONTHS = (
    r"january|february|april|june|july|august|september|october|november|december|jan|feb|apr|jun|jul|"
    r"aug|sept?|oct|nov|dec"
)
_UNITS = r"seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|years?|decades?|centur(?:y|ies)|weekends?|season"
_TIME = re.compile(
    # "May" and "March" are months only beside a day's number: otherwise a verb in most passages.
    rf"\b(?:1[0-9]|20)\d\d(?:s)?\b|\b(?:{_MONTHS})\b\.?|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    rf"|\b(?:may|march)\s+\d|\d\s+(?:may|march)\b|\b(?:in|by|since|until|from|of|last|next|this|early|late|mid)"
    rf"[\s-]+(?:may|march)\b"
    rf"|\b(?:today|tonight|tomorrow|yesterday|soon|recently|ago|noon|midnight|overnight|christmas|easter)\b"
    rf"|\b(?:(?:next|last|this|coming|past|within|until|by|since|after|before|following|for|several|few)\s+"
    rf"(?:an?\s+)?|(?:\d+|{_NUMBER_WORDS})\s+)(?:{_UNITS})\b"
    rf"|\b(?:spring|summer|autumn|winter)\b|\d\s?(?:am|pm|a\.m\.|p\.m\.)"
    rf"|\b(?:this|yesterday|tomorrow)\s+(?:morning|afternoon|evening)\b|\b\d{{1,2}}:\d\d\b|\bq[1-4]\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)\b|\b(?:early|late|mid)[- ](?:\d|{_UNITS})|\bcentury\b|['’]\d0s\b",
    re.I,
)
# "When imperialism changes a state's norms, what is it called?", "when Putin met Kim what did they
# discuss": the "when" opens a condition, and another question word asks.
_WHEN_CLAUSE = re.compile(r"^\W*when\b[^?]*?[\s,](?:what|who|whom|which|how|where|why)\b", re.I)
# "What did Putin say about …": answered by what someone said. Only what a speaker did say: "what does
# the law say" asks what a document holds, "how did shares react" is no one's words.
_SPEECH = re.compile(
    _LEAD + r"what\s+(?:did|has|have|had)\s+(?P<who>(?:[\w'’.-]+\s+){1,6}?)"
    r"(?:say|said|tell|told|think|reply|replied|comment|claim|announce|write|tweet|post|argue|insist|admit|warn|explain|describe)\b",
    re.I,
)
# What a related reply adds where none of its passages holds the kind of value asked for.
MISSING = {
    MONEY: "None of them gives an amount of money.",
    COUNT: "None of them gives a number.",
    TIME: "None of them gives a date or time.",
    SPEECH: "None of them reports what someone said.",
}


def missing_value(kind: str, speaker: tuple[str, ...] = ()) -> str:
    """What a related reply adds where none of its passages holds the value asked for; for "what did
    X say", X as the member wrote it ("None of them reports what taylor swift herself said.")."""
    if kind == SPEECH and speaker:
        return f"None of them reports what {' '.join(speaker)} said."
    return MISSING[kind]


def asked_value(question: str) -> str | None:
    """MONEY, COUNT, TIME, SPEECH, or None where the question asks for no particular kind of value."""
    if _HOW_MANY.search(question):
        return COUNT
    if _HOW_MUCH.search(question):
        # "how much did it cost" wants a sum; "how much did prices rise" a change, a share as often
        if _MONEY_QUESTION.search(question) and not _CHANGE.search(question):
            return MONEY
        return COUNT  # "how much rain fell": an amount, of whatever unit
    if _WHAT_MONEY.search(question):
        return MONEY
    if _WHEN.search(question) and not _WHEN_CLAUSE.search(question):
        return TIME
    if _SPEECH.search(question):
        return SPEECH
    return None


def asked_speaker(question: str) -> tuple[str, ...]:
    """The words of a "what did X say" question that name whom it asks about, as written: "what did
    taylor swift herself say" → ("taylor", "swift", "herself"); () for any other question."""
    if asked_value(question) != SPEECH:
        return ()
    found = _SPEECH.search(question)
    return tuple(found.group("who").split()) if found else ()


def holds_value(kind: str | None, text: str, reports_speech: bool = False) -> bool:
    """Whether a passage's text holds a value of that kind (always, for no kind); for SPEECH, whether
    the passage reports what someone said, which attribution (trust/) reads, not this module."""
    if kind is None:
        return True
    if kind == SPEECH:
        return reports_speech
    if kind == MONEY:
        return bool(_MONEY.search(text))
    if kind == TIME:
        return bool(_TIME.search(text))
    return bool(_NUMBER.search(text))
