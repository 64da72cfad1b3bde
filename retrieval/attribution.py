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
state media reported" → state media). Names are read in the article's context: "Wezeman" is the
"Siemon Wezeman" named before, "he"/"she" the last named person quoted, "it" the last
organisation quoted, and a paragraph that is only a quotation continues the quotation before it.
Whatever no rule recognises is the article's own voice: `speaker=None`, never a guess.

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
_PERSON_PRONOUNS = _GRAMMAR["pronoun_person"]
_GROUP_PRONOUNS = _GRAMMAR["pronoun_group"]
_THING_PRONOUNS = _GRAMMAR["pronoun_thing"]
_PRONOUNS = _PERSON_PRONOUNS | _GROUP_PRONOUNS | _THING_PRONOUNS
_SOURCES = _NOUNS["source"]
_MODIFIERS = _NOUNS["modifier"]
_DOCUMENTS = _NOUNS["document"]
_REPORTS = _NOUNS["report"]
_ORGANISATION_WORDS = _NOUNS["organisation"]
# Lower-case words a speaker's noun phrase may contain ("senior Ukrainian defense ministry official").
_NOUN_PHRASE_WORDS = (_DETERMINERS | _GRAMMAR["possessive"] | _CONNECTORS | _SOURCES | _MODIFIERS
                      | _TITLES | _DOCUMENTS | _PARTICLES)
# Prepositions that may sit inside a name when a capitalised word follows ("Roe of the Institute").
_NAME_PREPOSITIONS = frozenset({"of", "from", "at", "for", "on", "in"})
_AFFILIATION_PREPOSITIONS = frozenset({"of", "from", "at"})


def _cue_pattern() -> re.Pattern[str]:
    forms = sorted(_CUES, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, form.split())) for form in forms)
    return re.compile(rf"(?<![\w’'-])(?:{alternatives})(?![\w’'-])", re.IGNORECASE)


_CUE = _cue_pattern()
_TOKEN = re.compile(r"\S+")
_LEADING_PUNCT = "“\"‘'(["
_TRAILING_PUNCT = "”\"’'),.;:!?]"
_DASHES = frozenset("–—−-")
_CLAUSE_END = (",", ";", ":", "”", '"')
_ACRONYM = re.compile(r"\s*\([A-Z][A-Za-z.&]*\)$")
_RECAP = re.compile(r"(?:that|this)(?:[’']s|\s+is|\s+was)", re.IGNORECASE)
_ACCORDING_END = re.compile(r"[,;]|\s(?:which|who|whose|that)\s")
_CLAUSE_BREAK = re.compile(r"[,;]")
_NESTED_REPORT = re.compile(
    rf"\s+in\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?(?:{'|'.join(sorted(_REPORTS))})"
    r"\s+(?:(?:carried|published|issued|released)\s+)?(?:by|from)\s+", re.IGNORECASE)
_DOCUMENT_SOURCE = re.compile(r"(?:released|published|issued|posted|sent|made|carried|aired|shared)?\s*(?:by|from|of)",
                              re.IGNORECASE)


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
    def is_dash(self) -> bool:
        return self.raw in _DASHES

    @property
    def title(self) -> bool:
        return self.word.rstrip(".") in _TITLES


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    return [_Tok(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def _phrase(tokens: Sequence[_Tok]) -> str:
    """The words as written, without the punctuation around them; "(SIPRI)" stays whole."""
    words = [t.raw for t in tokens]
    words[0] = words[0].lstrip(_LEADING_PUNCT)
    words[-1] = words[-1].rstrip(_TRAILING_PUNCT)
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
    if first in _OPENERS | _CONJUNCTIONS | _TIME | _ADVERBS:
        return True
    participle = first.endswith(("ing", "ed")) and first not in _PLACES
    return participle and len(tokens) > 1 and tokens[1].word in _PREPOSITIONS | _DETERMINERS | _OPENERS


def _looks_like_person(tokens: Sequence[_Tok]) -> bool:
    """A personal name: one to four name words, none of an organisation, not a place or acronym."""
    if not 1 <= len(tokens) <= 4 or not _is_pure_name(tokens):
        return False
    if any(t.word in _ORGANISATION_WORDS or t.word in _DETERMINERS for t in tokens):
        return False
    if _phrase(tokens).lower() in _PLACES or all(t.word in _PLACES for t in tokens):
        return False
    return not (len(tokens) == 1 and tokens[0].bare.isupper())


def _is_noun_phrase(tokens: Sequence[_Tok]) -> bool:
    """Whether `tokens` can be a speaker's noun phrase (not narration that ends in a cue word)."""
    if not tokens or len(tokens) > 12:
        return False
    if len(tokens) == 1 and tokens[0].word in _PRONOUNS:
        return True
    if tokens[0].word in (_CONNECTORS - _DETERMINERS) | _NAME_PREPOSITIONS | _OPENERS:
        return False
    for i, tok in enumerate(tokens):
        if tok.capitalised or tok.word in _NOUN_PHRASE_WORDS or (tok.possessive and tok.lowercase):
            continue
        if _joins_name(tokens, i):
            continue
        return False
    head = tokens[-1]
    if head.possessive or head.word in _DETERMINERS | _CONNECTORS:
        return False
    return head.capitalised or head.word in _SOURCES | _TITLES or (
        head.word in _DOCUMENTS and any(t.capitalised for t in tokens[:-1]))


# --- Quotations and sentences ----------------------------------------------------------------

def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation; curly or straight marks, mixed; an unclosed one runs to the end."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for i, ch in enumerate(text):
        if opened is None and ch in "“\"":
            opened = i
        elif opened is not None and ch in "”\"":
            spans.append((opened, i + 1))
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

RECAP, OPENING, CLOSING, LEADING, FRAMING, PARTICIPLE = (
    "recap", "opening", "closing", "leading", "framing", "participle")
_PRIORITY = {RECAP: 0, OPENING: 1, CLOSING: 2, LEADING: 3, FRAMING: 4, PARTICIPLE: 5}


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
            claim = None
            if "source" in flags:
                claim = self._according(match)
            elif "framing" in flags:
                claim = self._framing(match)
            else:
                if "invert" in flags:
                    claim = self._inverted(match)
                if claim is None and "verb" in flags:
                    claim = self._subject_verb(match, flags)
                if claim is None and "participle" in flags:
                    claim = self._participle(match)
            if claim is not None:
                yield claim

    # -- the constructions --

    def _according(self, match: re.Match[str]) -> _Claim | None:
        cut = _ACCORDING_END.search(self.text, match.end(), self.end)
        source = _tokens(self.text, match.end(), cut.start() if cut else self.end)
        if not source:
            return None
        prefix = self.text[self.start:match.start()].strip()
        role = RECAP if _RECAP.fullmatch(prefix) else OPENING if self._adverbial_only(prefix) else CLOSING
        return _Claim(role, match.start(), tuple(source), match.group(), after_according=True)

    def _framing(self, match: re.Match[str]) -> _Claim | None:
        """"Speaking to Euronews in September, Fyodor Tertitskiy, an expert …, was skeptical …"."""
        if not self._adverbial_only(self.text[self.start:match.start()]):
            return None
        comma = self.text.find(",", match.end(), self.end)
        if comma < 0:
            return None
        audience = [t for t in self._tokens_from(match.end())]
        cue_end = match.end()
        for tok in audience:
            if not tok.capitalised or tok.word in _TIME:
                break
            cue_end = tok.start + len(tok.raw.rstrip(_TRAILING_PUNCT))
            if tok.ends_clause:
                break
        subject = self._leading_noun_phrase(comma + 1)
        if not subject:
            return None
        return _Claim(FRAMING, match.start(), subject, self.text[match.start():cue_end])

    def _participle(self, match: re.Match[str]) -> _Claim | None:
        """"…, describing …": the main clause's subject speaks."""
        if not self.text[self.start:match.start()].rstrip().endswith(","):
            return None
        subject = self._leading_noun_phrase(self.start)
        return _Claim(PARTICIPLE, match.start(), subject, match.group()) if subject else None

    def _inverted(self, match: re.Match[str]) -> _Claim | None:
        """"“…,” said Siemon Wezeman of SIPRI in a statement": the subject after the verb."""
        prefix = self.text[self.start:match.start()].rstrip()
        if not prefix.endswith(_CLAUSE_END) or not any(ch.isalpha() for ch in prefix):
            return None
        following = self._tokens_from(match.end())
        subject: list[_Tok] = []
        for i, tok in enumerate(following):
            nxt = following[i + 1] if i + 1 < len(following) else None
            if tok.capitalised or tok.word in _PARTICLES or (tok.raw.startswith("(") and tok.bare.isupper()):
                subject.append(tok)
            elif not subject and (tok.word in _DETERMINERS | _TITLES | _MODIFIERS | _SOURCES):
                subject.append(tok)
            elif subject and tok.word in _AFFILIATION_PREPOSITIONS | {"the"} and nxt is not None and (
                    nxt.capitalised or nxt.word == "the"):
                subject.append(tok)
            else:
                break
            if tok.ends_clause or tok.raw.endswith("."):
                break
        if not subject or not _is_noun_phrase(subject):
            return None
        if not (subject[-1].ends_clause or self._adjunct_only(subject[-1].end)):
            return None  # "…, said Easley, the professor": an appositive may follow the name
        return _Claim(CLOSING, match.start(), tuple(subject), match.group())

    def _subject_verb(self, match: re.Match[str], flags: frozenset[str]) -> _Claim | None:
        """"X (had) said …" or "…, X said": the subject before the verb."""
        before = [t for t in self.tokens if t.end <= match.start()]
        after = self._tokens_from(match.end())
        if after and after[0].word in _AUXILIARIES:
            return None  # "the KCNA reports should …": a noun, not a verb
        cue_start, auxiliaries, j = match.start(), [], len(before)
        adjacent = True
        while j > 0:
            tok = before[j - 1]
            if tok.ends_clause or tok.is_dash:
                break
            if tok.lowercase and tok.word in _AUXILIARIES:
                auxiliaries.append(tok.word)
                if adjacent:
                    cue_start = tok.start
            elif (tok.lowercase and tok.word in _ADVERBS) or tok.word in _TIME:
                adjacent = False
            else:
                break
            j -= 1
        form = match.group().lower()
        if " " not in form:
            if form.endswith("ing") != any(a in _BE for a in auxiliaries):
                return None  # "were warned" is passive; "accusing" needs "is"
        subject_start, subject = self._subject_before(before[:j])
        if not subject or not _is_noun_phrase(subject):
            return None
        cue_end = match.end()
        if "addressee" in flags:
            cue_end = self._addressee_end(match.end())
        prefix = self.text[self.start:subject_start]
        if self._clause_start(prefix):
            role = LEADING
        elif prefix.rstrip().endswith(_CLAUSE_END + tuple(_DASHES)) and self._adjunct_only(cue_end):
            role = CLOSING
        else:
            return None
        nested = _NESTED_REPORT.match(self.text, cue_end, self.end) if role == CLOSING else None
        if nested:  # "Kim said in a report by KCNA": the report's publisher is the outer source
            cut = _ACCORDING_END.search(self.text, nested.end(), self.end)
            publisher = _tokens(self.text, nested.end(), cut.start() if cut else self.end)
            if publisher:
                return _Claim(CLOSING, subject_start, tuple(publisher),
                              self.text[cue_start:nested.end()].strip(), after_according=True)
        return _Claim(role, subject_start, tuple(subject), self.text[cue_start:cue_end])

    # -- pieces --

    def _tokens_from(self, position: int) -> list[_Tok]:
        return [t for t in self.tokens if t.start >= position]

    def _subject_before(self, before: list[_Tok]) -> tuple[int, list[_Tok]]:
        """The subject ending where `before` ends, past an appositive: "Kim Jun-rak, a spokesperson
        for …, confirmed", "Bolton – an expert on North Korea − said"."""
        segments = _segments(before)
        nearest = segments[0] if segments else []
        nearest = _subject_segment(nearest)
        if nearest and not _is_role(nearest):
            return nearest[0].start, nearest
        if nearest:  # a role: the name it describes comes before it, if any
            named = segments[1] if len(segments) > 1 else []
        else:  # empty: an appositive ends just before the verb
            named = segments[1] if len(segments) > 1 else []
            if named and _is_role(named):
                named = segments[2] if len(segments) > 2 else []
        named = _strip_leading(named)
        if _is_pure_name(named) and named[0].word not in _OPENERS:
            return named[0].start, named
        return (nearest[0].start, nearest) if nearest else (0, [])

    def _leading_noun_phrase(self, position: int) -> tuple[_Tok, ...]:
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
            if not (tok.capitalised or tok.word in _NOUN_PHRASE_WORDS or _joins_name(tokens, i)):
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
                return tok.start + len(tok.raw.rstrip(_TRAILING_PUNCT))
            if not (tok.capitalised or (i == 0 and tok.word == "the")) or tok.word in _TIME:
                break
            end = tok.start + len(tok.raw.rstrip(_TRAILING_PUNCT))
            if tok.ends_clause or tok.raw.endswith("."):
                break
        return end

    def _adjunct_only(self, position: int) -> bool:
        """Whether the clause after `position` adds only when/where/how ("in a statement", "Monday")."""
        cut = _CLAUSE_BREAK.search(self.text, position, self.end)
        rest = _tokens(self.text, position, cut.start() if cut else self.end)
        rest = [t for t in rest if t.bare]
        return not rest or rest[0].word in _PREPOSITIONS or rest[0].word in _TIME

    def _clause_start(self, prefix: str) -> bool:
        """Whether a subject after `prefix` opens a main clause: at the start of the sentence or
        after a colon, semicolon, ", and", ", but" or leading adverbials."""
        clause = re.split(r"[;:]", prefix)[-1]
        if re.search(r",\s*(?:and|but|yet)\s*$", clause, re.IGNORECASE):
            return True
        return self._adverbial_only(clause)

    @staticmethod
    def _adverbial_only(prefix: str) -> bool:
        """"In an interview," "When asked about X," "And on Monday," "So far,": no clause yet."""
        if any(mark in prefix for mark in "“”\""):
            return False
        chunks = (_tokens(chunk, 0, len(chunk)) for chunk in prefix.split(","))
        return all(_opens_adverbial(words) for words in chunks if words)


def _segments(before: list[_Tok]) -> list[list[_Tok]]:
    """The comma- or dash-separated stretches of `before`, nearest first (the first may be empty)."""
    segments: list[list[_Tok]] = [[]]
    for tok in reversed(before):
        if tok.is_dash:
            segments.append([])
            continue
        if tok.ends_clause:
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
    while i < len(tokens) and (tokens[i].word in _CONJUNCTIONS or tokens[i].word in _TIME):
        i += 1
    return tokens[i:]


def _is_role(tokens: Sequence[_Tok]) -> bool:
    """An appositive describing someone: "a spokesperson for …", "South Korea’s vice defense minister"."""
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
        if tok.capitalised or joins:
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
            while name and (name[0].word in _OPENERS | _CONJUNCTIONS | _DETERMINERS | _TIME):
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
    """"Kremlin spokesman Dmitry Peskov" → (Dmitry Peskov, True): only the name after the last title."""
    for i in range(len(tokens) - 2, -1, -1):
        if tokens[i].title and _is_pure_name(tokens[i + 1:]):
            return tokens[i + 1:], True
    return tokens, False


def _document_source(tokens: list[_Tok], after_according: bool) -> list[_Tok] | None:
    """"a video released by the Kremlin" → Kremlin, "the KCNA report" → KCNA. None for a document
    that names no source in a subject ("The footage revealed …": no speaker)."""
    for i, tok in enumerate(tokens):
        if tok.lowercase and tok.word in _DOCUMENTS:
            rest = tokens[i + 1:]
            if rest:
                link = _DOCUMENT_SOURCE.fullmatch(" ".join(t.word for t in rest[:2])) or \
                    _DOCUMENT_SOURCE.fullmatch(rest[0].word)
                if link:
                    skip = 2 if len(rest) > 1 and rest[1].word in ("by", "from", "of") else 1
                    return _strip_determiners(rest[skip:]) or None
            named = [t for t in tokens[:i] if t.capitalised]
            if named:
                return named
            return tokens if after_according else None
    return tokens


def _strip_determiners(tokens: list[_Tok]) -> list[_Tok]:
    """"the country’s state-owned news agencies" → "state-owned news agencies"; time words after a
    name go too ("the Kremlin on Wednesday")."""
    i = 0
    while i < len(tokens) and (tokens[i].word in _DETERMINERS or (tokens[i].possessive and tokens[i].lowercase)):
        i += 1
    tokens = tokens[i:]
    while tokens and tokens[-1].word in _TIME and (tokens[-1].capitalised or len(tokens) > 1):
        tokens = tokens[:-1]
        if tokens and tokens[-1].word in ("on", "last", "this", "early", "late"):
            tokens = tokens[:-1]
    return tokens


class _ArticleReader:
    """Reads one article's paragraphs in order, remembering the names and speakers met so far."""

    def __init__(self) -> None:
        self._people: dict[str, str] = {}  # full name in lower case → how to show it; latest last
        self._organisations: list[str] = []  # latest last
        self._speakers: list[_Speaker] = []
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
            self._remember_names(runs)
            if not found:
                continue
            claim, speaker = _outermost(found)
            attribution = Attribution(speaker.name, claim.cue)
            if claim.role == RECAP:
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
        """"he"/"she": the last named person quoted; "they": the last source of this or the
        paragraph before; "it": the last organisation of this or the paragraph before."""
        recent = [s for s in reversed(self._speakers) if s.paragraph >= self._paragraph - 1]
        if pronoun in _PERSON_PRONOUNS:
            candidates = [s for s in reversed(self._speakers) if s.is_person]
        elif pronoun in _THING_PRONOUNS:
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
    if best == _PRIORITY[CLOSING]:
        return max(candidates, key=lambda item: item[0].position)
    return min(candidates, key=lambda item: item[0].position)


def attribute_paragraphs(paragraphs: Sequence[str]) -> list[Attribution]:
    """One Attribution per paragraph of one article, in order; earlier paragraphs are the context
    for pronouns, surnames and quotations that run on."""
    reader = _ArticleReader()
    return [reader.read(text) for text in paragraphs]
