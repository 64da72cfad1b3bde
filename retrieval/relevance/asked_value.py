"""The kind of value a question asks for, and whether a passage holds one.

"How much did the station cost?" is answered by a passage that gives an amount of money, "how many
nests were destroyed?" by one that gives a number, "when will the runway open?" by one that gives a
date, "what did the CEO say?" by one that reports someone's words. A passage on the right matter
without such a value tells the member about it, but does not answer: it may be shown as related, never
as the answer. Read from the words of English questions, not from any corpus.
"""

from __future__ import annotations

import re

MONEY, COUNT, TIME, SPEECH = "money", "count", "time", "speech"

_HOW_MUCH = re.compile(r"\bhow\s+much\b", re.I)
_HOW_MANY = re.compile(r"\bhow\s+many\b", re.I)
# Words of a question about a price or a sum: with "how much", or asking "what price / what salary".
_MONEY_WORDS = (
    r"cost|costs|costing|price|prices|priced|pay|pays|paid|paying|spend|spends|spent|spending|salary|salaries|"
    r"wage|wages|money|cash|worth|fee|fees|fine|fined|fund|funds|funding|funded|charge|charges|charged|earn|"
    r"earns|earned|earning|earnings|budget|invest|invested|investment|raise|raised|sell|sold|buy|bought|"
    r"owe|owes|owed|debt|debts|compensation|tickets?|contract|deal|bill|bills|tax|taxes|donate|donated|give|gave"
)
_MONEY_QUESTION = re.compile(rf"\b(?:{_MONEY_WORDS})\b", re.I)
_WHAT_MONEY = re.compile(
    r"\bwhat(?:s|'s|’s|\s+is|\s+was|\s+were|\s+are)?\s+(?:the\s+)?(?:price|cost|salary|fee|fine)\b", re.I
)

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|"
    r"millions?|billions?|trillions?|dozens?|half|quarter|third|double|twice|triple"
)
_NUMBER = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I)
_CURRENCY = (
    r"dollars?|pounds?|euros?|yen|yuan|rupees?|francs?|pence|cents?|usd|gbp|eur|bucks|quid|roubles?|rubles?|"
    r"won|pesos?|kronor|krona|krone|dinars?|rand|shekels?|lira"
)
_MONEY = re.compile(
    rf"[£$€¥₹₽]\s?\d|\d[\d,.]*\s?(?:m|bn|k|p)?\s*(?:{_CURRENCY})\b|\d+p\b"
    rf"|\b(?:{_NUMBER_WORDS}|a)\s+(?:million|billion|thousand\s+)?(?:{_CURRENCY})\b"
    r"|\bfree\b|\bfor\s+nothing\b",
    re.I,
)

# Asked at the start of the question: "why do T cells matter for how long protection lasts" asks why.
_WHEN = re.compile(
    r"^\W*(?:(?:so|and|but|ok|okay|hey|wait|also)\W+)?(?:(?:in|on|by|since|until|from)\s+)?"
    r"(?:when|(?:what|which)\s+(?:year|date|day|month|time)|how\s+long)\b",
    re.I,
)
_MONTHS = (
    r"january|february|april|june|july|august|september|october|november|december|jan|feb|apr|jun|jul|"
    r"aug|sept?|oct|nov|dec"
)
_UNITS = r"seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies)|weekends?|season"
_TIME = re.compile(
    # "May" and "March" are months only beside a day's number: otherwise a verb in most passages.
    rf"\b(?:1[0-9]|20)\d\d(?:s)?\b|\b(?:{_MONTHS})\b\.?|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    rf"|\b(?:may|march)\s+\d|\d\s+(?:may|march)\b|\b(?:in|by|since|until|from|of|last|next|this|early|late|mid)"
    rf"[\s-]+(?:may|march)\b"
    rf"|\b(?:today|tonight|tomorrow|yesterday|soon|recently|ago)\b"
    rf"|\b(?:next|last|this|coming|past|within|until|by|since|after|before|following|\d+|{_NUMBER_WORDS})"
    rf"\s+(?:{_UNITS})\b|\b(?:spring|summer|autumn|winter)\b|\d\s?(?:am|pm|a\.m\.|p\.m\.)"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)\b|\b(?:early|late|mid)[- ](?:\d|{_UNITS})|\bcentury\b",
    re.I,
)


# "When imperialism changes a state's norms, what is it called?": the "when" opens a condition.
_WHEN_CLAUSE = re.compile(r"^\W*when\b[^,?]*,\s*(?:what|who|whom|which|how|where|why)\b", re.I)
# "What did Putin say about …", "how did residents react": answered by what someone said.
_SPEECH = re.compile(
    r"^\W*(?:(?:so|and|but|ok|okay|hey|wait|also)\W+)?(?:what|how)\s+(?:did|does|do|has|have|had|would|will)\s+"
    r"(?:[\w'’.-]+\s+){1,6}?(?:say|said|tell|told|think|reply|respond|react|comment|claim|announce|write|tweet|post"
    r"|argue|insist|admit|warn|explain|describe)\b",
    re.I,
)
# What a related reply adds where none of its passages holds the kind of value asked for.
MISSING = {
    MONEY: "None of them gives an amount of money.",
    COUNT: "None of them gives a number.",
    TIME: "None of them gives a date or time.",
    SPEECH: "None of them reports what someone said.",
}


def asked_value(question: str) -> str | None:
    """MONEY, COUNT, TIME, SPEECH, or None where the question asks for no particular kind of value."""
    if _HOW_MANY.search(question):
        return COUNT
    if (_HOW_MUCH.search(question) and _MONEY_QUESTION.search(question)) or _WHAT_MONEY.search(question):
        return MONEY
    if _HOW_MUCH.search(question):
        return COUNT  # "how much rain fell": an amount, of whatever unit
    if _WHEN.search(question) and not _WHEN_CLAUSE.search(question):
        return TIME
    if _SPEECH.search(question):
        return SPEECH
    return None


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
