"""Attribution: whom each paragraph of an article reports, and the cue that says so.

Rules and lexicons, no tagger or model. A paragraph is read sentence by sentence (a quotation
is never cut in two); in each sentence the reporting constructions are found:

  opening      "According to Washington, the meeting could …"
  closing      "…, Russian news agencies reported." / "“…,” said Siemon Wezeman of SIPRI."
  leading      "Kremlin spokesman Dmitry Peskov had said in advance …"
  framing      "Speaking to Euronews, Fyodor Tertitskiy … was skeptical …"
  participle   "US analyst Ankit Panda reacted …, describing … as “fascinating”."
  recap        "That's according to The Associated Press" (the source of the sentence before)

When they nest, the outermost source wins: the one the article relies on ("the president said …,
state media reported" → state media). A speaker is shown as written, without titles or articles,
with the organisation of "X of/from/at Y" kept: "Siemon Wezeman (Stockholm International Peace
Research Insitute)". Names are read in the article's context: "Wezeman" is the "Siemon Wezeman"
named before, "he"/"she" the last named person quoted or opening a sentence, "it" the last
organisation quoted, "the agency" the last agency named, and a paragraph that is only a quotation
continues the quotation before it. Whatever no rule recognises is the article's own voice:
`speaker=None`, never a guess.

Lexicons: data/attribution_*.txt (cues, grammar words, titles, nouns, places).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from retrieval.datafiles import data_lines
from retrieval.sentences import sentence_spans


@dataclass(frozen=True, slots=True)
class Attribution:
    speaker: str | None  # who the passage reports; None: the article's own voice
    cue: str | None  # the reporting verb or phrase as written; None when inferred from context


# --- Lexicons ------------------------------------------------------------------------------

def _word_classes(name: str) -> dict[str, frozenset[str]]:
    """WORD<TAB>CLASS lines as {class: words}; a word may be in several classes."""
    classes: dict[str, set[str]] = {}
    for line in data_lines(name):
        word, kind, *_ = line.split("\t") + [""]
        classes.setdefault(kind.strip(), set()).add(word.strip())
    return {kind: frozenset(words) for kind, words in classes.items()}


def _cue_flags() -> dict[str, frozenset[str]]:
    return {form: frozenset(flags.split(",")) for form, _, flags in
            (line.partition("\t") for line in data_lines("attribution_cues.txt"))}


def _refers_back() -> dict[str, frozenset[str]]:
    """"the agency" → capitalised words an agency's name may have ("Department", "Bureau")."""
    return {word: frozenset(names.split()) for word, kind, names in
            (line.split("\t") for line in data_lines("attribution_nouns.txt") if line.count("\t") == 2)
            if kind == "refers_back"}


_CUES = _cue_flags()
_GRAMMAR = _word_classes("attribution_grammar.txt")
_NOUNS = _word_classes("attribution_nouns.txt")
_TITLES = frozenset(data_lines("attribution_titles.txt"))
_PLACES = frozenset(data_lines("attribution_places.txt"))
_REFERS_BACK = _refers_back()

_DETERMINERS = _GRAMMAR["determiner"]
_AUXILIARIES = _GRAMMAR["auxiliary"] | _GRAMMAR["be"]
_BE = _GRAMMAR["be"]
_ADVERBS = _GRAMMAR["adverb"]
_TIME = _GRAMMAR["time"]
_OPENERS = _GRAMMAR["opener"]
_CONJUNCTIONS = _GRAMMAR["conjunction"]
_PREPOSITIONS = _GRAMMAR["preposition"]
_CONNECTORS = _GRAMMAR["connector"]
_PARTICLES = _GRAMMAR["particle"]
_ADDRESSEES = _GRAMMAR["addressee"]
_PARTY_PREFIXES = tuple(_GRAMMAR["party"])
_PERSON_PRONOUNS = _GRAMMAR["pronoun_person"]
_GROUP_PRONOUNS = _GRAMMAR["pronoun_group"]
_THING_PRONOUNS = _GRAMMAR["pronoun_thing"]
_SELF_PRONOUNS = _GRAMMAR["pronoun_self"]
_PRONOUNS = _PERSON_PRONOUNS | _GROUP_PRONOUNS | _THING_PRONOUNS | _SELF_PRONOUNS
_SOURCES = _NOUNS["source"]
_MODIFIERS = _NOUNS["modifier"]
_DOCUMENTS = _NOUNS["document"]
_REPORTS = _NOUNS["report"]
_ORGANISATION_WORDS = _NOUNS["organisation"]
# Lower-case words a speaker's noun phrase may contain ("senior Ukrainian defense ministry official").
_NOUN_PHRASE_WORDS = (_DETERMINERS | _GRAMMAR["possessive"] | _CONNECTORS | _SOURCES | _MODIFIERS
                      | _TITLES | _DOCUMENTS | _PARTICLES)
_NAME_PREPOSITIONS = _GRAMMAR["in_name"]
_AFFILIATION_PREPOSITIONS = _GRAMMAR["affiliation"]
_PUBLISHED = _GRAMMAR["published"]
_SOURCE_LINKS = frozenset({"by", "from", "of"})  # "a report from KCNA", "a video released by the Kremlin"
_SPEAKER_HEADS = _SOURCES | _TITLES  # lower-case words a speaker's noun phrase may end in
_ADVERBIAL_WORDS = _OPENERS | _CONJUNCTIONS | _ADVERBS  # may open or make up a leading adverbial


def _cue_pattern() -> re.Pattern[str]:
    forms = sorted(_CUES, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, form.split())) for form in forms)
    return re.compile(rf"(?<![\w’'-])(?:{alternatives})(?![\w’'-])", re.IGNORECASE)


_CUE = _cue_pattern()
_TOKEN = re.compile(r"[^\s:]+:?|:")  # "happened:Southwest" is two words
_LEADING_PUNCT = "“\"‘'(["
_TRAILING_PUNCT = "”\"’'),.;:!?]"
_DASHES = frozenset("–—−-")
_CLAUSE_END = (",", ";", ":", "”", '"', "''")
_ACRONYM = re.compile(r"\s*\([A-Z][A-Za-z.&]*\)$")
_POSSESSIVE_END = re.compile(r"[’']s$")
_RECAP_PREFIX = re.compile(r"(?:that|this)(?:[’']s|\s+is|\s+was)", re.IGNORECASE)
_ACCORDING_END = re.compile(r"[,;]|\s[–—−-]\s|\s(?:which|who|whose|that)\s")
_CLAUSE_BREAK = re.compile(r"[,;]")
_CLAUSE_RESET = re.compile(r"[;:]")
_COORDINATED = re.compile(rf",\s*(?:{'|'.join(sorted(_CONJUNCTIONS))})\s*$", re.IGNORECASE)
_NESTED_REPORT = re.compile(
    rf"\s+in\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?(?:{'|'.join(sorted(_REPORTS, key=len, reverse=True))})"
    rf"\s+(?:(?:{'|'.join(sorted(_PUBLISHED))})\s+)?(?:by|from)\s+", re.IGNORECASE)


# --- Words ---------------------------------------------------------------------------------

class _Tok(NamedTuple):
    raw: str
    start: int
    end: int

    @property
    def bare(self) -> str:
        return self.raw.strip(_LEADING_PUNCT + _TRAILING_PUNCT)

    @property
    def word(self) -> str:
        return self.bare.lower()

    @property
    def capitalised(self) -> bool:
        bare = self.bare
        return bool(bare) and bare[0].isupper()

    @property
    def lowercase(self) -> bool:
        bare = self.bare
        return bool(bare) and bare[0].islower()

    @property
    def possessive(self) -> bool:
        return self.bare.endswith(("’s", "'s", "s’", "s'"))

    @property
    def ends_clause(self) -> bool:
        return self.raw.endswith(_CLAUSE_END)

    @property
    def ends_segment(self) -> bool:
        """A comma, or a quotation that closes a clause ("…surprised.” Romig said"); a quotation
        inside a phrase does not end it ("one of the “CITGO 6” who …")."""
        unquoted = self.raw.rstrip("”\"’'")
        return unquoted.endswith(",") or (unquoted != self.raw and unquoted[-1:] in tuple(".!?…"))

    @property
    def ends_sentence_part(self) -> bool:
        """A colon or semicolon: no appositive reaches across it ("Maryville: A professor says")."""
        return self.raw.endswith((":", ";"))

    @property
    def is_dash(self) -> bool:
        return self.raw in _DASHES

    @property
    def title(self) -> bool:
        return self.word.rstrip(".") in _TITLES

    @property
    def is_time(self) -> bool:
        return self.word in _TIME and not (len(self.bare) > 1 and self.bare.isupper())  # not "USA TODAY"


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    return [_Tok(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def _word_end(tok: _Tok) -> int:
    """Where the word of `tok` ends, before any closing punctuation."""
    return tok.start + len(tok.raw.rstrip(_TRAILING_PUNCT))


def _phrase(tokens: Sequence[_Tok]) -> str:
    """The words as written, without the punctuation around them; "(SIPRI)" stays whole."""
    words = [t.raw for t in tokens]
    words[0] = words[0].lstrip(_LEADING_PUNCT)
    words[-1] = _POSSESSIVE_END.sub("", words[-1].rstrip(_TRAILING_PUNCT))
    if "(" in words[-1]:
        words[-1] += ")"
    return " ".join(words)


def _is_name_word(tok: _Tok) -> bool:
    return tok.capitalised or tok.word in _PARTICLES


def _is_pure_name(tokens: Sequence[_Tok]) -> bool:
    """Only name words, ending in a capitalised one: "Kim Jun-rak", "de Long"."""
    return bool(tokens) and tokens[-1].capitalised and all(_is_name_word(t) for t in tokens)


def _joins_name(tokens: Sequence[_Tok], i: int) -> bool:
    """Whether the preposition at `i` sits inside a name: "Roe of the Example Institute"."""
    rest = tokens[i + 1:i + 3]
    return tokens[i].word in _NAME_PREPOSITIONS and bool(rest) and (
        rest[0].capitalised or (rest[0].word == "the" and len(rest) > 1 and rest[1].capitalised))


def _opens_adverbial(tokens: Sequence[_Tok]) -> bool:
    """Whether a stretch opens with an adverbial rather than a subject: "In an interview",
    "When asked", "Earlier", "Speaking to Euronews" (but not a name such as "Manning said")."""
    if not tokens:
        return False
    first = tokens[0].word
    if first in _ADVERBIAL_WORDS or tokens[0].is_time:
        return True
    participle = first.endswith(("ing", "ed")) and first not in _PLACES
    return participle and len(tokens) > 1 and tokens[1].word in _PREPOSITIONS | _DETERMINERS | _OPENERS


def _looks_like_person(tokens: Sequence[_Tok]) -> bool:
    """A personal name: one to four name words, none of an organisation, not a place or acronym."""
    if not 1 <= len(tokens) <= 4 or not _is_pure_name(tokens):
        return False
    if any(t.word in _ORGANISATION_WORDS | _DETERMINERS or t.raw.startswith("(") for t in tokens):
        return False  # "(GPS)" is a ticker, not part of a name
    if _phrase(tokens).lower() in _PLACES or all(t.word in _PLACES for t in tokens):
        return False
    return not (len(tokens) == 1 and tokens[0].bare.isupper())


def _fits_noun_phrase(tokens: Sequence[_Tok], i: int) -> bool:
    """Whether token `i` can be part of a speaker's noun phrase: a capitalised word, a listed
    lower-case one, "of"/"at" inside a name, a modifier before a source ("election officials")
    or an unlisted title before a full name ("ER actress Julianna Margulies")."""
    tok = tokens[i]
    if tok.capitalised or tok.word in _NOUN_PHRASE_WORDS or (tok.possessive and tok.lowercase):
        return True
    if tok.bare.isdigit() and i and tokens[i - 1].capitalised:
        return True  # "Bay News 9"
    if _joins_name(tokens, i):
        return True
    if any(t.word in _SPEAKER_HEADS for t in tokens[i + 1:i + 3]):
        return True
    following = tokens[i + 1:i + 3]
    return len(following) == 2 and all(t.capitalised for t in following)


def _is_noun_phrase(tokens: Sequence[_Tok]) -> bool:
    """Whether `tokens` can be a speaker's noun phrase (not narration that ends in a cue word)."""
    if not tokens or len(tokens) > 12:
        return False
    if len(tokens) == 1 and tokens[0].word in _PRONOUNS:
        return True
    if tokens[0].word in (_CONNECTORS - _DETERMINERS) | _NAME_PREPOSITIONS | _OPENERS:
        return False
    if not all(_fits_noun_phrase(tokens, i) for i in range(len(tokens))):
        return False
    head = tokens[-1]
    if head.possessive or head.word in _DETERMINERS | _CONNECTORS:
        return False
    named = head.capitalised or (head.bare.isdigit() and len(tokens) > 1 and tokens[-2].capitalised)
    return named or head.word in _SPEAKER_HEADS or (
        head.word in _DOCUMENTS and any(t.capitalised for t in tokens[:-1]))


# --- Quotations and sentences ----------------------------------------------------------------

def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation; curly or straight marks, mixed, and '' closing as some
    wires write it; an unclosed one runs to the end."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for i, ch in enumerate(text):
        if opened is None and ch in "“\"":
            opened = i
        elif opened is not None and (ch in "”\"" or text.startswith("''", i)):
            spans.append((opened, i + 1 + (ch == "'")))
            opened = None
    if opened is not None:
        spans.append((opened, len(text)))
    return spans


def _inside(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _sentences(text: str, quotes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans, with sentences that end inside a quotation joined to the next."""
    merged: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        if merged and any(q_start < merged[-1][1] and start < q_end for q_start, q_end in quotes):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _only_quotation(text: str, quotes: Sequence[tuple[int, int]]) -> bool:
    outside = "".join(ch for i, ch in enumerate(text) if not _inside(i, quotes))
    return bool(quotes) and not any(ch.isalnum() for ch in outside)


# --- Reporting constructions in a sentence ---------------------------------------------------

# How a claim is built (see the module docstring), in the order the outermost source is chosen.
_RECAP, _OPENING, _CLOSING, _LEADING, _FRAMING, _PARTICIPLE = (
    "recap", "opening", "closing", "leading", "framing", "participle")
_PRIORITY = {role: rank for rank, role in
             enumerate((_RECAP, _OPENING, _CLOSING, _LEADING, _FRAMING, _PARTICIPLE))}


@dataclass(frozen=True, slots=True)
class _Claim:
    role: str
    position: int  # where the construction starts in the paragraph
    source: tuple[_Tok, ...]  # the source's noun phrase as written
    cue: str
    after_according: bool = False  # "according to X": X is a source whatever its words


class _Sentence:
    """One sentence of a paragraph, with the paragraph's quotations, for finding claims in."""

    def __init__(self, text: str, start: int, end: int, quotes: Sequence[tuple[int, int]]) -> None:
        self.text, self.start, self.end, self.quotes = text, start, end, quotes
        self.tokens = _tokens(text, start, end)

    def claims(self) -> Iterator[_Claim]:
        for match in _CUE.finditer(self.text, self.start, self.end):
            if _inside(match.start(), self.quotes):
                continue
            flags = _CUES[" ".join(match.group().lower().split())]
            if match.group()[0].isupper() and not flags & {"source", "framing"}:
                continue  # "United States", "Said" in a name: reporting verbs are written in lower case
            yield from self._claims_at(match, flags)

    def _claims_at(self, match: re.Match[str], flags: frozenset[str]) -> list[_Claim]:
        if "source" in flags:
            return _listed(self._according(match))
        if "framing" in flags:
            return _listed(self._framing(match))
        claims = _listed(self._inverted(match)) if "invert" in flags else []
        if not claims and "verb" in flags:
            claims = self._subject_verb(match, flags)
        if not claims and "participle" in flags:
            claims = _listed(self._participle(match))
        return claims

    # -- the constructions --

    def _according(self, match: re.Match[str]) -> _Claim | None:
        cut = _ACCORDING_END.search(self.text, match.end(), self.end)
        source = _tokens(self.text, match.end(), cut.start() if cut else self.end)
        if not source:
            return None
        prefix = self.text[self.start:match.start()].strip()
        if _RECAP_PREFIX.fullmatch(prefix):
            role = _RECAP
        else:
            role = _OPENING if self._adverbial_only(prefix) else _CLOSING
        return _Claim(role, match.start(), tuple(source), match.group(), after_according=True)

    def _framing(self, match: re.Match[str]) -> _Claim | None:
        """"Speaking to Euronews in September, Fyodor Tertitskiy, an expert …, was skeptical …"."""
        if not self._adverbial_only(self.text[self.start:match.start()]):
            return None
        comma = self.text.find(",", match.end(), self.end)
        if comma < 0:
            return None
        cue_end = match.end()
        for tok in self._tokens_from(match.end()):
            if not tok.capitalised or tok.is_time:
                break
            cue_end = _word_end(tok)
            if tok.ends_clause:
                break
        subject = self.leading_noun_phrase(comma + 1)
        if not subject:
            return None
        return _Claim(_FRAMING, match.start(), subject, self.text[match.start():cue_end])

    def _participle(self, match: re.Match[str]) -> _Claim | None:
        """"…, describing …": the main clause's subject speaks."""
        if not self.text[self.start:match.start()].rstrip().endswith(","):
            return None
        following = self._tokens_from(match.end())
        if following and following[0].word == "to":
            return None  # "adding to the turmoil": not speech
        subject = self.leading_noun_phrase(self.start)
        if not subject or (len(subject) == 1 and subject[0].word in _PRONOUNS):
            return None  # "He filled a biography …, writing": too far from a named speaker to trust
        return _Claim(_PARTICIPLE, match.start(), subject, match.group())

    def _inverted(self, match: re.Match[str]) -> _Claim | None:
        """"“…,” said Siemon Wezeman of SIPRI in a statement": the subject after the verb."""
        prefix = self.text[self.start:match.start()].rstrip()
        if not prefix.endswith(_CLAUSE_END) or not any(ch.isalpha() for ch in prefix):
            return None
        following = self._tokens_from(match.end())
        subject: list[_Tok] = []
        for i, tok in enumerate(following):
            nxt = following[i + 1] if i + 1 < len(following) else _Tok("", 0, 0)
            acronym = tok.raw.startswith("(") and tok.bare.isupper()  # "(SIPRI)"
            if tok.capitalised or tok.word in _PARTICLES or acronym:
                subject.append(tok)
            elif not subject and (tok.word in _DETERMINERS | _TITLES | _MODIFIERS | _SOURCES):
                subject.append(tok)
            elif subject and (_joins_name(following, i) or (tok.word == "the" and _is_name_word(nxt))):
                subject.append(tok)
            else:
                break
            if tok.ends_clause or tok.raw.endswith("."):
                break
        if not subject or not _is_noun_phrase(subject):
            return None
        if not (subject[-1].ends_clause or self._adjunct_only(subject[-1].end)):
            return None  # "…, said Easley, the professor": an appositive may follow the name
        return _Claim(_CLOSING, match.start(), tuple(subject), match.group())

    def _subject_verb(self, match: re.Match[str], flags: frozenset[str]) -> list[_Claim]:
        """"X (had) said …" or "…, X said": the subject before the verb."""
        before = [t for t in self.tokens if t.end <= match.start()]
        after = self._tokens_from(match.end())
        plural_noun = match.group().endswith("s") and bool(after) and after[0].word == "of"
        if plural_noun or (after and after[0].word in _AUXILIARIES):
            return []  # "the KCNA reports should …", "reports of": a noun ("he said of" is a verb)
        j, cue_start, auxiliaries = _verb_group(before, match.start())
        if j and before[j - 1].word == "to":
            return []  # "reluctance to criticize": an infinitive has no subject of its own
        form = match.group().lower()
        if " " not in form:
            if form.endswith("ing") != any(a in _BE for a in auxiliaries):
                return []  # "were warned" is passive; "accusing" needs "is"
        subject_start, subject = self._subject_before(before[:j])
        if not subject or not _is_noun_phrase(subject):
            return []
        cue_end = match.end()
        if "addressee" in flags:
            cue_end = self._addressee_end(match.end())
        prefix = self.text[self.start:subject_start]
        if self._clause_start(prefix):
            role = _LEADING
        elif prefix.rstrip().endswith(_CLAUSE_END + tuple(_DASHES)) and self._adjunct_only(cue_end):
            role = _CLOSING
        else:
            return []
        claim = _Claim(role, subject_start, tuple(subject), self.text[cue_start:cue_end])
        publisher = self._report_publisher(cue_start, cue_end) if role == _CLOSING else None
        return [claim, publisher] if publisher else [claim]

    def _report_publisher(self, cue_start: int, cue_end: int) -> _Claim | None:
        """"Kim said in a report by KCNA": the report's publisher is the outer source."""
        nested = _NESTED_REPORT.match(self.text, cue_end, self.end)
        if not nested:
            return None
        cut = _ACCORDING_END.search(self.text, nested.end(), self.end)
        publisher = _tokens(self.text, nested.end(), cut.start() if cut else self.end)
        if not publisher:
            return None
        return _Claim(_CLOSING, nested.start(), tuple(publisher), self.text[cue_start:nested.end()].strip(),
                      after_according=True)

    # -- pieces --

    def _tokens_from(self, position: int) -> list[_Tok]:
        return [t for t in self.tokens if t.start >= position]

    def _subject_before(self, before: list[_Tok]) -> tuple[int, list[_Tok]]:
        """The subject ending where `before` ends, past an appositive: "Kim Jun-rak, a spokesperson
        for …, confirmed", "Bolton – an expert on North Korea − said"."""
        segments = _segments(before) + [[], []]
        nearest = _subject_segment(segments[0])
        if nearest and not _is_role(nearest):
            return nearest[0].start, nearest
        # A role ("a spokesperson for …") describes the name before it; with nothing before the
        # verb, an appositive has just ended and the name is one further back.
        named = segments[1]
        if not nearest and _is_role(named):
            named = segments[2]
        named = _strip_leading(named)
        if named and named[0].word not in _OPENERS and (_is_pure_name(named) or _is_noun_phrase(named)):
            return named[0].start, named  # "The family of Vadell, one of the “CITGO 6”, said"
        return (nearest[0].start, nearest) if nearest else (0, [])

    def leading_noun_phrase(self, position: int) -> tuple[_Tok, ...]:
        """The noun phrase opening the clause at `position`, after leading adverbials."""
        tokens = self._tokens_from(position)
        while _opens_adverbial(tokens):
            comma = next((i for i, t in enumerate(tokens) if t.raw.endswith(",")), None)
            if comma is None:
                return ()
            tokens = tokens[comma + 1:]
        phrase: list[_Tok] = []
        for i, tok in enumerate(tokens):
            if _inside(tok.start, self.quotes):
                break
            if not _fits_noun_phrase(tokens, i):
                break
            phrase.append(tok)
            if tok.ends_clause:
                break
        while phrase and phrase[-1].word in _CONNECTORS | _DETERMINERS:
            phrase.pop()
        return tuple(phrase) if _is_noun_phrase(phrase) else ()

    def _addressee_end(self, position: int) -> int:
        """Where "told reporters" / "told USA TODAY" ends, for the cue."""
        end = position
        for i, tok in enumerate(self._tokens_from(position)):
            if i == 0 and tok.word in _ADDRESSEES:
                return _word_end(tok)
            if not (tok.capitalised or (i == 0 and tok.word == "the")) or tok.is_time:
                break
            end = _word_end(tok)
            if tok.ends_clause or tok.raw.endswith("."):
                break
        return end

    def _adjunct_only(self, position: int) -> bool:
        """Whether the clause after `position` adds only when/where/how ("in a statement", "Monday")."""
        cut = _CLAUSE_BREAK.search(self.text, position, self.end)
        rest = _tokens(self.text, position, cut.start() if cut else self.end)
        rest = [t for t in rest if t.bare]
        return not rest or rest[0].word in _PREPOSITIONS or rest[0].is_time

    def _clause_start(self, prefix: str) -> bool:
        """Whether a subject after `prefix` opens a main clause: at the start of the sentence or
        after a colon, semicolon, ", and", ", but" or leading adverbials."""
        clause = _CLAUSE_RESET.split(prefix)[-1]
        return bool(_COORDINATED.search(clause)) or self._adverbial_only(clause)

    @staticmethod
    def _adverbial_only(prefix: str) -> bool:
        """"In an interview," "When asked about X," "And on Monday," "So far,": no clause yet."""
        if any(mark in prefix for mark in "“”\""):
            return False
        *leading, last = (_tokens(chunk, 0, len(chunk)) for chunk in prefix.split(","))
        return all(_opens_adverbial(words) for words in leading if words) and all(
            t.word in _ADVERBIAL_WORDS or t.is_time for t in last)


def _listed(claim: _Claim | None) -> list[_Claim]:
    return [] if claim is None else [claim]


def _verb_group(before: list[_Tok], verb_start: int) -> tuple[int, int, list[str]]:
    """Walk back from a reporting verb over what may stand between it and its subject ("had",
    "has previously", "on Thursday", "abruptly"): where the subject ends (an index into `before`),
    where the cue starts (adjacent auxiliaries belong to it: "had said") and the auxiliaries met."""
    j, cue_start, auxiliaries, adjacent = len(before), verb_start, [], True
    while j > 0:
        tok = before[j - 1]
        if tok.ends_clause or tok.is_dash:
            break
        if tok.lowercase and tok.word in _AUXILIARIES:
            auxiliaries.append(tok.word)
            if adjacent:
                cue_start = tok.start
        elif (tok.lowercase and tok.word in _ADVERBS) or tok.is_time or _is_manner_adverb(before, j - 1):
            adjacent = False
        else:
            break
        j -= 1
    return j, cue_start, auxiliaries


def _is_manner_adverb(tokens: Sequence[_Tok], i: int) -> bool:
    """"Musk abruptly said", "aides repeatedly told": an -ly word right after a name, pronoun or
    source (but "the family said": "family" follows a determiner)."""
    tok = tokens[i]
    if not (tok.lowercase and tok.word.endswith("ly")) or tok.word in _NOUN_PHRASE_WORDS or i == 0:
        return False  # "the Trump family said": "family" is the subject
    before = tokens[i - 1]
    return (before.capitalised and before.word not in _DETERMINERS) or before.word in _PRONOUNS | _SOURCES


def _segments(before: list[_Tok]) -> list[list[_Tok]]:
    """The comma- or dash-separated stretches of `before`, nearest first (the first may be empty),
    back to the last colon or semicolon."""
    segments: list[list[_Tok]] = [[]]
    for tok in reversed(before):
        if tok.ends_sentence_part:
            break
        if tok.is_dash:
            segments.append([])
            continue
        if tok.ends_segment:
            segments.append([])
        segments[-1].insert(0, tok)
    return segments


def _subject_segment(segment: list[_Tok]) -> list[_Tok]:
    """The part of the nearest segment that can be the subject: after its last clause opener
    ("…, though analysts stressed" → analysts; "When asked" → nothing)."""
    start = 0
    for i, tok in enumerate(segment):
        if tok.word in _OPENERS and not (i and _joins_name(segment, i)):
            start = i + 1
    return _strip_leading(segment[start:])


def _strip_leading(tokens: list[_Tok]) -> list[_Tok]:
    """Drop an opening conjunction and time phrase: "But", "Last week"."""
    i = 0
    while i < len(tokens) and (tokens[i].word in _CONJUNCTIONS or tokens[i].is_time):
        i += 1
    return tokens[i:]


def _is_role(tokens: Sequence[_Tok]) -> bool:
    """An appositive describing someone: "a spokesperson for …", "South Korea’s vice defense
    minister", "R-North Salt Lake"."""
    if tokens and tokens[0].word.startswith(_PARTY_PREFIXES):
        return True
    if not tokens or _is_pure_name(tokens):
        return False
    return tokens[0].lowercase or any(t.lowercase and (t.title or t.word in _SOURCES) for t in tokens)


# --- Names in an article ----------------------------------------------------------------------

class _Speaker(NamedTuple):
    name: str
    is_person: bool  # a named person, whom "he"/"she" may refer to
    paragraph: int


def _name_runs(tokens: Sequence[_Tok]) -> list[list[_Tok]]:
    """Runs of capitalised words, joined by of/and/the: candidate names of people and organisations."""
    runs: list[list[_Tok]] = []
    current: list[_Tok] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        joins = current and nxt is not None and nxt.capitalised and (
            tok.word in _CONNECTORS | _PARTICLES) and tok.lowercase
        if (tok.capitalised and tok.word not in _PRONOUNS) or joins:
            current.append(tok)
            initial = len(tok.bare) == 1 or tok.title
            if tok.ends_clause or tok.possessive or (tok.raw.endswith(".") and not initial):
                runs.append(current)
                current = []
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _people_in(run: list[_Tok]) -> Iterator[list[_Tok]]:
    """Personal names in a run: split at joining words, titles and leading function words dropped."""
    part: list[_Tok] = []
    for tok in [*run, None]:
        if tok is None or (tok.lowercase and tok.word not in _PARTICLES):
            titled = [i for i, t in enumerate(part) if t.title]
            name = part[titled[-1] + 1:] if titled else part
            while name and (name[0].word in _OPENERS | _CONJUNCTIONS | _DETERMINERS or name[0].is_time):
                name = name[1:]
            if len(name) >= 2 and _looks_like_person(name):
                yield name
            part = []
        else:
            part.append(tok)


def _split_affiliation(tokens: list[_Tok]) -> tuple[list[_Tok], str | None]:
    """"Jane Roe of the Example Institute" → (Jane Roe, "Example Institute")."""
    for i, tok in enumerate(tokens):
        if i and tok.lowercase and tok.word in _AFFILIATION_PREPOSITIONS:
            name = _strip_title(tokens[:i])[0]
            rest = tokens[i + 1:]
            if rest and rest[0].word == "the":
                rest = rest[1:]
            if _looks_like_person(name) and rest and rest[0].capitalised:
                return name, _ACRONYM.sub("", _phrase(rest)) or None
            return tokens, None
    return tokens, None


def _strip_title(tokens: list[_Tok]) -> tuple[list[_Tok], bool]:
    """"Kremlin spokesman Dmitry Peskov" → (Dmitry Peskov, True): only the name after the last
    title, or after an unlisted lower-case word before a full name ("ER actress Julianna Margulies")."""
    for i in range(len(tokens) - 2, -1, -1):
        name = tokens[i + 1:]
        unlisted = tokens[i].lowercase and len(name) >= 2 and tokens[i].word not in (
            _PARTICLES | _CONNECTORS | _NAME_PREPOSITIONS | _DETERMINERS | _OPENERS)
        if (tokens[i].title or unlisted) and _looks_like_person(name):  # not "Justice Department"
            return name, True
    return tokens, False


def _after_possessive(tokens: list[_Tok]) -> list[_Tok]:
    """"Consumer Reports’ Fisher" → Fisher, "Russia’s Putin" → Putin (a name after an owner)."""
    owners = [i for i, t in enumerate(tokens[:-1]) if t.possessive]
    rest = tokens[owners[-1] + 1:] if owners else tokens
    return rest if _is_pure_name(rest) else tokens


def _document_source(tokens: list[_Tok], after_according: bool) -> list[_Tok] | None:
    """"a video released by the Kremlin" → Kremlin, "the KCNA report" → KCNA. None for a document
    that names no source in a subject ("The footage revealed …": no speaker)."""
    for i, tok in enumerate(tokens):
        if tok.lowercase and tok.word in _DOCUMENTS:
            rest = tokens[i + 1:]
            if rest and rest[0].word in _PUBLISHED:
                rest = rest[1:]
            if rest and rest[0].word in _SOURCE_LINKS:
                return _strip_determiners(rest[1:]) or None
            named = [t for t in tokens[:i] if t.capitalised and not t.is_time]  # not "a September 15 memo"
            if named:
                return named
            return tokens if after_according else None
    return tokens


def _strip_determiners(tokens: list[_Tok]) -> list[_Tok]:
    """"the country’s state-owned news agencies" → "state-owned news agencies"; time words after a
    name go too ("the Kremlin on Wednesday")."""
    i = 0
    while i < len(tokens) and (tokens[i].word in _DETERMINERS or tokens[i].possessive and tokens[i].lowercase):
        i += 1
    tokens = tokens[i:]
    while len(tokens) > 1 and tokens[-1].is_time:
        tokens = tokens[:-1]
    return tokens


class _ArticleReader:
    """Reads one article's paragraphs in order, remembering the names and speakers met so far."""

    def __init__(self) -> None:
        self._people: dict[str, str] = {}  # full name in lower case → how to show it; latest last
        self._organisations: list[str] = []  # latest last
        self._speakers: list[_Speaker] = []
        self._persons: list[str] = []  # named people quoted or opening a sentence, for "he"/"she"
        self._paragraph = -1
        self._previous = Attribution(None, None)
        self._previous_quoted = False

    def read(self, text: str) -> Attribution:
        self._paragraph += 1
        quotes = _quote_spans(text)
        chosen: Attribution | None = None
        recap: Attribution | None = None
        for start, end in _sentences(text, quotes):
            sentence = _Sentence(text, start, end, quotes)
            runs = _name_runs(sentence.tokens)
            found: list[tuple[_Claim, _Speaker]] = []
            for claim in sorted(sentence.claims(), key=lambda c: c.position):
                self._remember_names([r for r in runs if r[-1].end <= claim.position])
                speaker = self._speaker(claim)
                if speaker is not None:
                    found.append((claim, speaker))
                    self._speakers.append(speaker)
                    if speaker.is_person:
                        self._persons.append(speaker.name)
            self._remember_names(runs)
            self._remember_subject(sentence.leading_noun_phrase(start))
            if not found:
                continue
            claim, speaker = _outermost(found)
            attribution = Attribution(speaker.name, claim.cue)
            if claim.role == _RECAP:
                recap = recap or attribution
            elif chosen is None:
                chosen = attribution
        result = recap or chosen or self._continuation(text, quotes)
        self._previous, self._previous_quoted = result, bool(quotes)
        return result

    def _continuation(self, text: str, quotes: list[tuple[int, int]]) -> Attribution:
        """A paragraph that is only a quotation, after an attributed one with a quotation,
        continues that speaker's words."""
        if self._previous.speaker and self._previous_quoted and _only_quotation(text, quotes):
            return Attribution(self._previous.speaker, None)
        return Attribution(None, None)

    def _speaker(self, claim: _Claim) -> _Speaker | None:
        tokens = list(claim.source)
        if len(tokens) == 1 and tokens[0].word in _SELF_PRONOUNS:
            return None  # the writer of a column: the article's own voice
        if len(tokens) == 1 and tokens[0].word in _PRONOUNS:
            return self._antecedent(tokens[0].word)
        definite = bool(tokens) and tokens[0].word == "the"
        tokens = _document_source(_strip_determiners(tokens), claim.after_according) or []
        tokens = _strip_determiners(tokens)
        if not tokens:
            return None
        if definite and len(tokens) == 1 and tokens[0].word in _REFERS_BACK:
            return self._organisation(tokens[0])
        name, affiliation = _split_affiliation(tokens)
        name, titled = _strip_title(name)
        name = _after_possessive(name)
        if not (titled or affiliation or _looks_like_person(name)):
            return _Speaker(_phrase(tokens), False, self._paragraph)
        if len(name) == 1 or (len(name) == 2 and name[0].word in _PARTICLES):
            known = self._full_name(name)
            if known is not None:
                return _Speaker(known, True, self._paragraph)
        shown = f"{_phrase(name)} ({affiliation})" if affiliation else _phrase(name)
        self._people.pop(_phrase(name).lower(), None)
        self._people[_phrase(name).lower()] = shown
        return _Speaker(shown, True, self._paragraph)

    def _antecedent(self, pronoun: str) -> _Speaker | None:
        """"he"/"she": the last named person quoted or opening a sentence; "they": the last source
        of this or the paragraph before; "it": the last organisation of this or the paragraph before."""
        if pronoun in _PERSON_PRONOUNS:
            return _Speaker(self._persons[-1], True, self._paragraph) if self._persons else None
        recent = [s for s in reversed(self._speakers) if s.paragraph >= self._paragraph - 1]
        if pronoun in _THING_PRONOUNS:
            candidates = [s for s in recent if not s.is_person]
        else:
            candidates = recent
        return candidates[0]._replace(paragraph=self._paragraph) if candidates else None

    def _organisation(self, noun: _Tok) -> _Speaker:
        """"the agency" → the last organisation named with one of the words an agency's name has."""
        heads = _REFERS_BACK[noun.word]
        for name in reversed(self._organisations):
            if heads & set(name.split()):
                return _Speaker(name, False, self._paragraph)
        return _Speaker(noun.bare, False, self._paragraph)

    def _full_name(self, surname: Sequence[_Tok]) -> str | None:
        """"Wezeman" → "Siemon Wezeman (…)", "Kim" → the last Kim named ("Kim Jun-rak")."""
        words = [t.bare.lower() for t in surname]
        for full, shown in reversed(self._people.items()):
            parts = full.split()
            if parts[-len(words):] == words or (len(words) == 1 and parts[0] == words[0]):
                self._people.pop(full)
                self._people[full] = shown
                return shown
        return None

    def _remember_subject(self, subject: Sequence[_Tok]) -> None:
        """A named person opening a sentence ("Romig did not hear…") may be the next "he"/"she".
        A lone word counts only as the surname of someone named before: "Wagner" may be a group."""
        name, titled = _strip_title(_strip_determiners(list(subject)))
        name = _after_possessive(name)
        if not name or not _looks_like_person(name):
            return
        known = self._full_name(name) if len(name) == 1 else None
        if known or len(name) > 1 or titled:
            self._persons.append(known or self._people.get(_phrase(name).lower(), _phrase(name)))

    def _remember_names(self, runs: list[list[_Tok]]) -> None:
        for run in runs:
            if any(t.word in _ORGANISATION_WORDS for t in run if t.capitalised):
                organisation = _phrase(_strip_determiners(run) or run)
                if organisation in self._organisations:
                    self._organisations.remove(organisation)
                self._organisations.append(organisation)
            for person in _people_in(run):
                key = _phrase(person).lower()
                self._people[key] = self._people.pop(key, _phrase(person))


def _outermost(found: list[tuple[_Claim, _Speaker]]) -> tuple[_Claim, _Speaker]:
    """The source the sentence relies on: "That's according to" and an opening "According to"
    first, then the last closing attribution, then the first leading one."""
    best = min(_PRIORITY[claim.role] for claim, _ in found)
    candidates = [item for item in found if _PRIORITY[item[0].role] == best]
    if best == _PRIORITY[_CLOSING]:
        return max(candidates, key=lambda item: item[0].position)
    return min(candidates, key=lambda item: item[0].position)


def attribute_paragraphs(paragraphs: Sequence[str]) -> list[Attribution]:
    """One Attribution per paragraph of one article, in order; earlier paragraphs are the context
    for pronouns, surnames and quotations that run on."""
    reader = _ArticleReader()
    return [reader.read(text) for text in paragraphs]
