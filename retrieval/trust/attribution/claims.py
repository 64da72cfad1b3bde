"""The reporting constructions in one sentence, each found as a claim: who is the source, by what cue.

opening      "According to Washington, the meeting could …"
closing      "…, Russian news agencies reported." / "“…,” said Siemon Wezeman of SIPRI."
leading      "Kremlin spokesman Dmitry Peskov had said in advance …"
framing      "Speaking to Euronews, Fyodor Tertitskiy … was skeptical …"
participle   "US analyst Ankit Panda reacted …, describing … as “fascinating”."
recap        "That's according to The Associated Press" (the source of the sentence before)
nested       "…, which she said has delayed …", "X told CNN that according to Y, …": inside a clause
             of the sentence; the source only when nothing outside that clause is
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from retrieval.trust.attribution.lexicon import (
    ADDRESSEES,
    ADVERBIAL_WORDS,
    AUXILIARIES,
    BE,
    CONJUNCTIONS,
    CONNECTORS,
    CUE,
    CUES,
    DETERMINERS,
    DOCUMENTS,
    GENDERED_NOUNS,
    MODIFIERS,
    NOUN_PHRASE_WORDS,
    PARTICLES,
    POSSESSIVES,
    PREPOSITIONS,
    PRONOUNS,
    PUBLISHED,
    REPORTS,
    SOURCES,
    SPEAKER_HEADS,
    TITLES,
)
from retrieval.trust.attribution.names import description_before_name, strip_title
from retrieval.trust.attribution.phrases import (
    fits_noun_phrase,
    is_name_word,
    is_noun_phrase,
    joins_name,
    looks_like_person,
    opens_adverbial,
)
from retrieval.trust.attribution.quotes import inside
from retrieval.trust.attribution.subjects import is_role, opens_with_participle, subject_before, verb_group
from retrieval.trust.attribution.tokens import CLAUSE_END, DASHES, Token, tokens_in, word_end

# The constructions, in the order the outermost source is chosen when they nest.
RECAP, OPENING, CLOSING, LEADING, FRAMING, PARTICIPLE, NESTED = (
    "recap",
    "opening",
    "closing",
    "leading",
    "framing",
    "participle",
    "nested",
)
PRIORITY = {role: rank for rank, role in enumerate((RECAP, OPENING, CLOSING, LEADING, FRAMING, PARTICIPLE, NESTED))}

_RECAP_PREFIX = re.compile(r"(?:that|this)(?:[’']s|\s+is|\s+was)", re.IGNORECASE)
_ACCORDING_END = re.compile(r"[,;]|\s[–—−-]\s|\s(?:which|who|whose|that)\s")
_CLAUSE_BREAK = re.compile(r"[,;]")
_CLAUSE_COMMA = re.compile(r",(?!\d)")  # not the comma of "100,000"
_CLAUSE_RESET = re.compile(r"[;:]")
_COORDINATED = re.compile(rf"(?:,\s*(?:{'|'.join(sorted(CONJUNCTIONS))})|\sbut)\s*$", re.IGNORECASE)
_RELATIVE = re.compile(r"[,\s”\"]\s*(?:which|who|whom|that)\s*$", re.IGNORECASE)  # "…, which she said has delayed"
_COMPLEMENT = re.compile(r"\sthat\s*$", re.IGNORECASE)  # "told CNN that according to …"
_NESTED_REPORT = re.compile(
    rf"\s+in\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?(?:{'|'.join(sorted(REPORTS, key=len, reverse=True))})"
    rf"\s+(?:(?:{'|'.join(sorted(PUBLISHED))})\s+)?(?:by|from)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Claim:
    role: str
    position: int  # where the construction starts in the paragraph
    source: tuple[Token, ...]  # the source's noun phrase as written
    cue: str
    after_according: bool = False  # "according to X": X is a source whatever its words


class Sentence:
    """One sentence of a paragraph, with the paragraph's quotations, for finding claims in."""

    def __init__(self, text: str, start: int, end: int, quotes: Sequence[tuple[int, int]]) -> None:
        self.text, self.start, self.end, self.quotes = text, start, end, quotes
        self.tokens = tokens_in(text, start, end)

    def claims(self) -> Iterator[Claim]:
        for match in CUE.finditer(self.text, self.start, self.end):
            if inside(match.start(), self.quotes):
                continue
            flags = CUES[" ".join(match.group().lower().split())]
            if match.group()[0].isupper() and not flags & {"source", "framing"}:
                continue  # "United States", "Said" in a name: reporting verbs are written in lower case
            yield from self._claims_at(match, flags)

    def _claims_at(self, match: re.Match[str], flags: frozenset[str]) -> list[Claim]:
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

    def _according(self, match: re.Match[str]) -> Claim | None:
        cut = _ACCORDING_END.search(self.text, match.end(), self.end)
        source = tokens_in(self.text, match.end(), cut.start() if cut else self.end)
        if not source or not (_names_a_source(source[0]) or description_before_name(source)):
            return None  # "went according to schedule", "according to plan": an idiom, not a source
        prefix = self.text[self.start : match.start()].strip()
        if _RECAP_PREFIX.fullmatch(prefix):
            role = RECAP
        elif _COMPLEMENT.search(" " + prefix):
            role = NESTED
        else:
            role = OPENING if self._adverbial_only(prefix) else CLOSING
        return Claim(role, match.start(), tuple(source), match.group(), after_according=True)

    def _framing(self, match: re.Match[str]) -> Claim | None:
        """ "Speaking to Euronews in September, Fyodor Tertitskiy, an expert …, was skeptical …"."""
        if not self._adverbial_only(self.text[self.start : match.start()]):
            return None
        comma = self.text.find(",", match.end(), self.end)
        if comma < 0:
            return None
        cue_end = match.end()
        for tok in self._tokens_from(match.end()):
            if not tok.capitalised or tok.is_time:
                break
            cue_end = word_end(tok)
            if tok.ends_clause:
                break
        subject = self.leading_noun_phrase(comma + 1)
        if not subject:
            return None
        return Claim(FRAMING, match.start(), subject, self.text[match.start() : cue_end])

    def _participle(self, match: re.Match[str]) -> Claim | None:
        """ "…, describing …": the main clause's subject speaks."""
        if not self.text[self.start : match.start()].rstrip().endswith(","):
            return None
        following = self._tokens_from(match.end())
        if following and following[0].word == "to":
            return None  # "adding to the turmoil": not speech
        subject = self.leading_noun_phrase(self.start)
        if not subject or (len(subject) == 1 and subject[0].word in PRONOUNS):
            return None  # "He filled a biography …, writing": too far from a named speaker to trust
        return Claim(PARTICIPLE, match.start(), subject, match.group())

    def _inverted(self, match: re.Match[str]) -> Claim | None:
        """ "“…,” said Siemon Wezeman of SIPRI in a statement": the subject after the verb."""
        prefix = self.text[self.start : match.start()].rstrip()
        if not prefix.endswith(CLAUSE_END) or not any(ch.isalpha() for ch in prefix):
            return None
        following = self._tokens_from(match.end())
        # "said restaurant manager Thomas James", "said his coach Peter Stanley": a few words describing
        # the speaker before the full name, which is the source.
        described = description_before_name(following)
        subject: list[Token] = list(following[:described])  # kept: "the manager" may refer to him later
        for i, tok in enumerate(following):
            if i < described:
                continue
            nxt = following[i + 1] if i + 1 < len(following) else Token("", 0, 0)
            acronym = tok.raw.startswith("(") and tok.bare.isupper()  # "(SIPRI)"
            if tok.capitalised or tok.word in PARTICLES or acronym:
                subject.append(tok)
            elif not subject and (tok.word in DETERMINERS | POSSESSIVES | TITLES | MODIFIERS | SOURCES):
                subject.append(tok)
            elif (
                subject
                and tok.lowercase
                and (tok.word in SPEAKER_HEADS | MODIFIERS or tok.possessive)
                and _leads_a_noun(subject)
            ):
                subject.append(tok)  # "said a spokesman", "said the victim's brother": an owner, then a source noun
            elif not subject and tok.lowercase and nxt.capitalised and not tok.ends_clause:
                subject.append(tok)  # "said pediatrician Dr. Mark Corkins": an occupation before the name
            elif subject and (joins_name(following, i) or (tok.word == "the" and is_name_word(nxt))):
                subject.append(tok)
            elif subject and tok.title and nxt.capitalised:
                subject.append(tok)  # "said The New Statesman's Europe correspondent Ido Vock"
            else:
                break
            if tok.ends_clause or (tok.raw.endswith(".") and not (tok.title or len(tok.bare) == 1)):
                break  # a full stop ends the subject, but not that of "Dr." or an initial
        if not subject or not (described or is_noun_phrase(subject)):
            return None
        if subject[-1].lowercase and not (
            subject[-1].raw.rstrip("”\"’'").endswith(_ENDS_SENTENCE)
            or not self.text[subject[-1].end : self.end].strip()  # a headline's "…, says minister"
            or (prefix.endswith(_QUOTE_CLOSED) and subject[-1].ends_clause)
        ):
            # "said the people in the complex are friendly", "Arkles, senior counsel, said the federal
            # government, along with the states, has resisted": the noun begins what was said. After a
            # quotation ("“…,” said the spokesman, adding") or at the sentence's end it is the speaker.
            return None
        if not (subject[-1].ends_clause or self._adjunct_only(subject[-1].end)):
            return None  # "…, said Easley, the professor": an appositive may follow the name
        return Claim(CLOSING, match.start(), tuple(subject), match.group())

    def _subject_verb(self, match: re.Match[str], flags: frozenset[str]) -> list[Claim]:
        """ "X (had) said …" or "…, X said": the subject before the verb."""
        before = [t for t in self.tokens if t.end <= match.start()]
        after = self._tokens_from(match.end())
        plural_noun = match.group().endswith("s") and bool(after) and after[0].word == "of"
        adjacent = bool(after) and not self.text[match.end() : after[0].start].strip() and after[0].raw[0].isalpha()
        noun_form = match.group().lower().endswith("s")  # "reports", "claims"; never "said" ("she said has")
        if plural_noun or (adjacent and noun_form and after[0].word in AUXILIARIES):
            return []  # "the KCNA reports should …", "reports of": a noun ("he said, have left" is a verb)
        if before and before[-1].word in POSSESSIVES:
            return []  # "His comments follow …": after a possessive the form is a noun, never a verb
        form = match.group().lower()
        if (
            adjacent
            and form in _SAID_TO_BE
            and after[0].word == "to"
            and len(after) > 1
            and after[1].word in _INFINITIVE_AFTER_PASSIVE
        ):
            return []  # "the person said to have been in charge": a passive ("claimed to have" is not)
        j, cue_start, auxiliaries = verb_group(before, match.start())
        if j and before[j - 1].word == "to":
            return []  # "reluctance to criticize": an infinitive has no subject of its own
        if " " not in form:
            if form.endswith("ing") != any(a in BE for a in auxiliaries):
                return []  # "were warned" is passive; "accusing" needs "is"
        subject_start, subject = subject_before(before[:j])
        prefix = self.text[self.start : subject_start]
        if subject and not is_noun_phrase(subject) and prefix.rstrip().endswith(_QUOTE_CLOSED):
            # "“…,” national team coordinator Tom Forster said": after a quotation, a few words
            # describing the speaker may come before the full name; the name is the source.
            subject = _described_full_name(subject)
        if not subject or not is_noun_phrase(subject):
            return []
        if "document" in flags and subject[-1].word not in DOCUMENTS:
            return []
        cue_end = match.end()
        if "addressee" in flags:
            cue_end = self._addressee_end(match.end())
        if self._clause_start(prefix) or self._after_role_appositive(prefix, subject):
            role = LEADING
        elif prefix.rstrip().endswith(CLAUSE_END + tuple(DASHES)) and self._adjunct_only(cue_end):
            role = CLOSING
        elif _RELATIVE.search(prefix) and self._clause_follows(cue_end):
            role = NESTED
        else:
            return []
        claim = Claim(role, subject_start, tuple(subject), self.text[cue_start:cue_end])
        publisher = self._report_publisher(cue_start, cue_end) if role == CLOSING else None
        return [claim, publisher] if publisher else [claim]

    def _report_publisher(self, cue_start: int, cue_end: int) -> Claim | None:
        """ "Kim said in a report by KCNA": the report's publisher is the outer source."""
        nested = _NESTED_REPORT.match(self.text, cue_end, self.end)
        if not nested:
            return None
        cut = _ACCORDING_END.search(self.text, nested.end(), self.end)
        publisher = tokens_in(self.text, nested.end(), cut.start() if cut else self.end)
        if not publisher:
            return None
        return Claim(
            CLOSING, nested.start(), tuple(publisher), self.text[cue_start : nested.end()].strip(), after_according=True
        )

    # -- pieces --

    def _tokens_from(self, position: int) -> list[Token]:
        return [t for t in self.tokens if t.start >= position]

    def leading_noun_phrase(self, position: int) -> tuple[Token, ...]:
        """The noun phrase opening the clause at `position`, after leading adverbials."""
        tokens = self._tokens_from(position)
        while opens_adverbial(tokens):
            comma = next((i for i, t in enumerate(tokens) if t.raw.endswith(",")), None)
            if comma is None:
                return ()
            tokens = tokens[comma + 1 :]
        phrase: list[Token] = []
        for i, tok in enumerate(tokens):
            if inside(tok.start, self.quotes):
                break
            if not fits_noun_phrase(tokens, i):
                break
            phrase.append(tok)
            if tok.ends_clause:
                break
        while phrase and phrase[-1].word in CONNECTORS | DETERMINERS:
            phrase.pop()
        return tuple(phrase) if is_noun_phrase(phrase) else ()

    def _after_role_appositive(self, prefix: str, subject: Sequence[Token]) -> bool:
        """ "Bout's US lawyer, Steve Zissou, said": the name is set off after a role that opens the clause."""
        head = prefix.rstrip()
        if not head.endswith(","):
            return False
        cut = max(head.rfind(",", 0, len(head) - 1), head.rfind(";"), head.rfind(":"))
        role = tokens_in(self.text, self.start + cut + 1, self.start + len(head))
        if not self._clause_start(prefix[: cut + 1] if cut >= 0 else ""):
            return False
        return (is_role(role) and is_noun_phrase(role)) or _describes_a_person(role, subject)

    def _clause_follows(self, position: int) -> bool:
        """ "which he said took place": the relative clause goes on after the cue with its verb."""
        following = [t for t in self._tokens_from(position) if t.bare]
        if not following or inside(following[0].start, self.quotes):
            return False
        first = following[0]
        return first.lowercase and not (first.word in PREPOSITIONS | DETERMINERS | {"that"} or first.is_time)

    def _addressee_end(self, position: int) -> int:
        """Where "told reporters" / "told USA TODAY" / "told the court" ends, for the cue."""
        end = position
        following = self._tokens_from(position)
        if following and following[0].word in DETERMINERS | POSSESSIVES:
            # "told the magazine", "told his monthly news conference": up to the head noun
            for tok in following[1:4]:
                if tok.word in PREPOSITIONS or tok.is_time or not tok.lowercase:
                    break  # "told The Washington Post" is read below, as a name
                end = word_end(tok)
                if tok.ends_clause or tok.raw.endswith("."):
                    break
            if end > position:
                return end
        for i, tok in enumerate(following):
            if i == 0 and tok.word in ADDRESSEES and tok.lowercase:  # "told us", not "told US TV"
                return word_end(tok)
            if not (tok.capitalised or (i == 0 and tok.word == "the")) or tok.is_time:
                return _with_head_noun(following, i, end)
            end = word_end(tok)
            if tok.ends_clause or tok.raw.endswith("."):
                break
        return end

    def _adjunct_only(self, position: int) -> bool:
        """Whether the clause after `position` adds only when/where/how ("in a statement", "Monday")."""
        cut = _CLAUSE_BREAK.search(self.text, position, self.end)
        rest = tokens_in(self.text, position, cut.start() if cut else self.end)
        rest = [t for t in rest if t.bare]
        return not rest or rest[0].word in PREPOSITIONS or rest[0].is_time

    def _clause_start(self, prefix: str) -> bool:
        """Whether a subject after `prefix` opens a main clause: at the start of the sentence or
        after a colon, semicolon, ", and", ", but" or leading adverbials."""
        clause = _CLAUSE_RESET.split(prefix)[-1]
        return bool(_COORDINATED.search(clause)) or self._adverbial_only(clause)

    @staticmethod
    def _adverbial_only(prefix: str) -> bool:
        """ "In an interview," "When asked about X," "And on Monday," "So far,": no clause yet."""
        if any(mark in prefix for mark in '“”"'):
            return False
        *leading, last = (tokens_in(chunk, 0, len(chunk)) for chunk in _CLAUSE_COMMA.split(prefix))
        # "Speaking in Harrogate Mr Kennedy said": a participle's phrase, even with no comma after it
        return all(opens_adverbial(words) for words in leading if words) and (
            opens_with_participle(last) or all(t.word in ADVERBIAL_WORDS or t.is_time or t.describes for t in last)
        )


# Verbs whose "X <verb> to be/have" is a passive report about X, not X speaking.
_SAID_TO_BE = frozenset({"said", "reported", "alleged", "rumored", "rumoured", "believed", "thought"})
_INFINITIVE_AFTER_PASSIVE = frozenset({"be", "have", "been", "being"})
_QUOTE_CLOSED = (",”", ',"', "?”", '?"', "!”", '!"')


def _leads_a_noun(words: Sequence[Token]) -> bool:
    """Whether the words so far only lead up to a noun: a determiner or possessive, a modifier, or an
    owner's name ("a", "his", "the victim's", "Evans'", "a senior")."""
    return all(t.word in DETERMINERS | POSSESSIVES | MODIFIERS or t.possessive or _owner_in_s(t) for t in words)


def _owner_in_s(tok: Token) -> bool:
    """ "Evans' brother": the apostrophe after an s, stripped from the word as a closing quote would be.
    Read here only, before a noun that follows the verb; in a name ("Farmers' Almanac") it stays part
    of the name."""
    return tok.capitalised and tok.raw.endswith(("s'", "s’"))


_ENDS_SENTENCE = tuple(".!?")


def _described_full_name(subject: list[Token]) -> list[Token]:
    """The full name ending `subject` when only a few words describing the person come before it
    ("national team coordinator Tom Forster", "Wales' team physiotherapist Mark Davies"), else []."""
    n = description_before_name(subject)
    name = subject[n:]
    return name if n and all(t.capitalised for t in name) else []


_HEAD_NOUN_WORDS = 2  # "told the BBC News website", "told the Kyiv Independent news site"


def _with_head_noun(following: Sequence[Token], i: int, end: int) -> int:
    """ "the BBC News website": a name after "the" may end in a lower-case noun or two, when the
    clause ends there (punctuation, a preposition or a time word next)."""
    if i < 2 or following[0].word != "the":
        return end
    for j in range(i, min(i + _HEAD_NOUN_WORDS, len(following))):
        tok = following[j]
        if not (tok.lowercase and tok.bare.isalpha()) or tok.word in PREPOSITIONS | DETERMINERS or tok.is_time:
            return end
        after = following[j + 1] if j + 1 < len(following) else None
        if tok.ends_clause or tok.raw.endswith(".") or after is None or after.word in PREPOSITIONS or after.is_time:
            return word_end(tok)
    return end


def _describes_a_person(role: Sequence[Token], name: Sequence[Token]) -> bool:
    """ "Deputy Mayor of Market Drayton, Mark Whittle,", "Reed's father, Joey Reed,": a title written
    in capitals or a word for a relative, which `is_role` (lower-case roles only) does not read as
    one, before a person's name. Not a name before its role ("Lord Bach, Minister for …,") nor a
    name before a party ("Sen. Dianne Feinstein, D-Calif.,")."""
    words = list(role)
    if not words or len(words) > 8 or any(t.ends_clause for t in words[:-1]):
        return False
    if looks_like_person(strip_title(words)[0]) or not looks_like_person(strip_title(list(name))[0]):
        return False
    return any(t.title or t.word in GENDERED_NOUNS for t in words) and all(
        t.capitalised or t.possessive or t.word in NOUN_PHRASE_WORDS | GENDERED_NOUNS for t in words
    )


def _names_a_source(first: Token) -> bool:
    """Whether the words after "according to" can start a source: a name, a determiner or possessive
    ("the report", "his lawyer"), a number ("two officials") or a source noun ("police")."""
    return (
        not first.lowercase
        or first.word in DETERMINERS | POSSESSIVES | SPEAKER_HEADS | MODIFIERS | DOCUMENTS | PRONOUNS
        or first.possessive
    )


def _listed(claim: Claim | None) -> list[Claim]:
    return [] if claim is None else [claim]
