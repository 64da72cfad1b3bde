"""Names in a source's words: the people and organisations in a run of capitalised words, and the
name a source phrase comes down to without its title, owner, affiliation or determiners."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from retrieval.trust.attribution.lexicon import (
    ADVERBIAL_WORDS,
    ADVERBS,
    AFFILIATION_PREPOSITIONS,
    AUXILIARIES,
    CONJUNCTIONS,
    CONNECTORS,
    CUES,
    DETERMINERS,
    DOCUMENTS,
    NAME_PREPOSITIONS,
    OPENERS,
    PARTICLES,
    PLACES,
    POSSESSIVES,
    PREPOSITIONS,
    PRONOUNS,
    PUBLISHED,
    REFERS_BACK,
    ROLES,
)
from retrieval.trust.attribution.phrases import is_pure_name, looks_like_person
from retrieval.trust.attribution.tokens import Token, phrase_text

_ACRONYM = re.compile(r"\s*\([A-Z][A-Za-z.&]*\)$")
_OWNER_LINKS = frozenset({"by", "from"})  # not "of": "a report of Russian troops" names no owner
_SOURCE_LINKS = frozenset({"by", "from", "of"})  # "a report from KCNA", "a video released by the Kremlin"
_COMPLEMENTS = frozenset({"of", "to", "for"})  # "Director of Athletics", "Ambassador to Germany"
_MEDIUM = frozenset({"in", "on"})  # "Rathborn in the Independent", "Dodman on France24"
_ROLE_LINKS = frozenset({"for", "at", "of", "from", "with"})  # "a spokesperson for Hyundai"
_APPOSITIVE_OPENERS = frozenset({"a", "an", "the"})
# Words that open a sentence capitalised but never a person's name: "Then Arpaio", "Of Biles", "Adds Gandia".
_NOT_A_NAME_OPENING = OPENERS | CONJUNCTIONS | DETERMINERS | AUXILIARIES | ADVERBS | PREPOSITIONS
_RELATIVES = frozenset({"that", "which", "who", "whose", "based"})  # "an insurance company that …", "… based in"


def name_runs(tokens: Sequence[Token]) -> list[list[Token]]:
    """Runs of capitalised words, joined by of/and/the: candidate names of people and organisations."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        joins = (
            current and nxt is not None and nxt.capitalised and (tok.word in CONNECTORS | PARTICLES) and tok.lowercase
        )
        if (tok.capitalised and tok.word not in PRONOUNS) or joins:
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


def people_in(run: list[Token]) -> Iterator[list[Token]]:
    """Personal names in a run: split at joining words, titles and leading function words dropped.
    A name in quotation marks is an alias ("names including “Victor But”"), not a new person."""
    if run and run[0].raw.startswith(("“", '"')) and run[-1].raw.rstrip(",.;:").endswith(("”", '"')):
        return
    part: list[Token] = []
    for tok in [*run, None]:
        if tok is None or (tok.lowercase and tok.word not in PARTICLES):
            titled = [i for i, t in enumerate(part) if t.title]
            name = part[titled[-1] + 1 :] if titled else part
            while name and (name[0].word in _NOT_A_NAME_OPENING or name[0].word in CUES or name[0].is_time):
                name = name[1:]
            if len(name) >= 2 and looks_like_person(name):
                yield name
            part = []
        else:
            part.append(tok)


def split_affiliation(tokens: list[Token]) -> tuple[list[Token], str | None]:
    """ "Jane Roe of the Example Institute" → (Jane Roe, "Example Institute")."""
    for i, tok in enumerate(tokens):
        if i and tok.lowercase and tok.word in _MEDIUM and looks_like_person(strip_title(tokens[:i])[0]):
            return strip_title(tokens[:i])[0], None  # "said Jack Rathborn in the Independent": where, not whose
        if i and tok.lowercase and tok.word in AFFILIATION_PREPOSITIONS:
            name = strip_title(tokens[:i])[0]
            rest = tokens[i + 1 :]
            if rest and rest[0].word == "the":
                rest = rest[1:]
            if looks_like_person(name) and rest and rest[0].capitalised:
                return name, _ACRONYM.sub("", phrase_text(rest)) or None
            return tokens, None
    return tokens, None


def strip_title(tokens: list[Token]) -> tuple[list[Token], bool]:
    """ "Kremlin spokesman Dmitry Peskov" → (Dmitry Peskov, True): only the name after the last
    title, or after an unlisted lower-case word before a full name ("ER actress Julianna Margulies")."""
    for i in range(len(tokens) - 2, -1, -1):
        name = tokens[i + 1 :]
        unlisted = (
            tokens[i].lowercase
            and len(name) >= 2
            and tokens[i].word not in (PARTICLES | CONNECTORS | NAME_PREPOSITIONS | DETERMINERS | OPENERS)
        )
        if (tokens[i].title or unlisted) and looks_like_person(name):  # not "Justice Department"
            return name, True
    return tokens, False


def after_possessive(tokens: list[Token]) -> list[Token]:
    """ "Consumer Reports’ Fisher" → Fisher, "Russia’s Putin" → Putin (a name after an owner)."""
    owners = [i for i, t in enumerate(tokens[:-1]) if t.possessive]
    rest = tokens[owners[-1] + 1 :] if owners else tokens
    return rest if is_pure_name(rest) else tokens


def document_source(tokens: list[Token], after_according: bool) -> list[Token] | None:
    """ "a video released by the Kremlin" → Kremlin, "the KCNA report" → KCNA. None for a document
    that names no source in a subject ("The footage revealed …": no speaker)."""
    for i, tok in enumerate(tokens):
        if (
            tok.lowercase and tok.word in DOCUMENTS and not description_before_name(tokens[i:])
        ):  # "study co-author Beth Shapiro"
            rest = tokens[i + 1 :]
            if rest and rest[0].word in PUBLISHED:
                rest = rest[1:]
            if rest and rest[0].word in _SOURCE_LINKS:
                return strip_determiners(rest[1:]) or None
            named = [t for t in tokens[:i] if t.capitalised and not t.is_time]  # not "a September 15 memo"
            if named:
                return named
            return tokens if after_according else None
    return tokens


DESCRIPTION_WORDS = 4  # "senior inside linebacker", "national team coordinator"


def description_before_name(tokens: Sequence[Token]) -> int:
    """How many words describe a person before the full name that comes next, or 0 where no full
    name follows them: a few plain lower-case words ("restaurant manager", "director of telecoms
    research"), which an owner may open ("his coach", "Pakistan's climate change minister")."""
    start = n = _owner_length(tokens)
    while n < len(tokens) and n - start < DESCRIPTION_WORDS and _describing_word(tokens[n], n == start):
        n += 1
    name: list[Token] = []
    for tok in tokens[n:]:
        if not tok.capitalised:
            break
        name.append(tok)
        if tok.ends_clause or (tok.raw.endswith(".") and not (tok.title or len(tok.bare) == 1)):
            break
    person = strip_title(name)[0]
    return n if n > start and len(person) >= 2 and looks_like_person(person) else 0


def _owner_length(tokens: Sequence[Token]) -> int:
    """The owner opening a description: "his", "Wales'", "New Zealand's", "the country's"."""
    if tokens and tokens[0].word in POSSESSIVES:
        return 1
    after_the = bool(tokens) and tokens[0].word == "the"
    for j, tok in enumerate(tokens[:3]):
        if not (tok.capitalised or after_the and (j == 0 or tok.possessive)) or tok.ends_clause:
            return 0
        if tok.possessive or (tok.capitalised and tok.bare.endswith("s") and tok.raw.endswith(("'", "’"))):
            return j + 1  # "Pakistan's", "Wales'", "the country's"
    return 0


def _describing_word(tok: Token, first: bool) -> bool:
    plain = tok.lowercase and all(part.isalpha() for part in tok.bare.split("-"))
    if not plain or tok.ends_clause or tok.raw.endswith(".") or tok.is_time:
        return False
    if tok.word in _INSIDE_DESCRIPTION:
        return not first
    return tok.word not in _NOT_DESCRIBING


_NOT_DESCRIBING = PREPOSITIONS | CONNECTORS | DETERMINERS | PRONOUNS | AUXILIARIES | ADVERBIAL_WORDS
_INSIDE_DESCRIPTION = frozenset({"of"})  # "director of telecoms research Tony Lavender", never first


def owned_documents(tokens: Sequence[Token]) -> Iterator[tuple[str, list[Token]]]:
    """Documents a sentence ties to a named source, whatever it says of them: "a 2011 report by the
    Equal Justice Initiative", "a statement posted on Facebook by Punkin Chunkin" → (noun, name)."""
    for i, tok in enumerate(tokens):
        if not (tok.lowercase and tok.word in DOCUMENTS) or tok.ends_clause:
            continue
        j = i + 1
        # "released this month by", "posted on Facebook by", "to parents from"
        if j < len(tokens) and (tokens[j].word in PUBLISHED or tokens[j].word == "to"):
            link = next((k for k in range(j + 1, min(j + 5, len(tokens))) if tokens[k].word in _OWNER_LINKS), None)
            if link is None or any(t.ends_clause for t in tokens[j:link]):
                continue
            j = link
        if j >= len(tokens) or tokens[j].word not in _OWNER_LINKS:
            continue
        start = j + 2 if j + 1 < len(tokens) and tokens[j + 1].word == "the" else j + 1
        runs = name_runs(tokens[start:])  # "the Centers for Disease Control and Prevention" whole
        run = strip_determiners(runs[0]) if runs and runs[0][0] is tokens[start] else []
        if run and not all(t.is_time for t in run):
            yield tok.word, run


def strip_determiners(tokens: list[Token]) -> list[Token]:
    """ "the country’s state-owned news agencies" → "state-owned news agencies"; time words after a
    name go too ("the Kremlin on Wednesday")."""
    i = 0
    while i < len(tokens) and (tokens[i].word in DETERMINERS or tokens[i].possessive and tokens[i].lowercase):
        i += 1
    tokens = tokens[i:]
    while len(tokens) > 1 and tokens[-1].is_time:
        tokens = tokens[:-1]
    return tokens


def name_after_title_complement(tokens: Sequence[Token]) -> list[Token] | None:
    """ "WSU Director of Athletics Pat Chun" → Pat Chun, "Ukraine's Ambassador to Germany Andrij
    Melnyk" → Andrij Melnyk: what follows a title's "of/to X" is X and then the name, which takes
    the last two words (a name seldom has more and the complement at least one)."""
    for i in range(len(tokens) - 2, 0, -1):
        if tokens[i].word in _COMPLEMENTS and tokens[i].lowercase and tokens[i - 1].title and tokens[i - 1].capitalised:
            rest = tokens[i + 1 :]
            if len(rest) >= 3 and all(t.capitalised for t in rest) and looks_like_person(rest[-2:]):
                return list(rest[-2:])
            return None
    return None


def role_with_organisation(tokens: Sequence[Token]) -> tuple[str, list[Token]] | None:
    """A source known by its role and organisation, to be shown "spokesperson, Hyundai": "a Hyundai
    spokesperson", "a spokesperson for Hyundai", "Goldman Sachs economists" → (role, organisation).
    None when the words before the role are a country or nationality ("U.S. officials", "Cuban official")."""
    tokens = strip_determiners(list(tokens))
    if len(tokens) < 2:
        return None
    head = tokens[-1]
    if head.lowercase and head.word in ROLES:
        organisation = list(tokens[:-1])
        if all(t.capitalised for t in organisation) and not _is_place(organisation):
            return head.bare, organisation
        return None
    for i, tok in enumerate(tokens):
        if i and tok.lowercase and tok.word in _ROLE_LINKS:
            role, organisation = tokens[:i], strip_determiners(tokens[i + 1 :])
            if (
                all(t.lowercase for t in role)
                and role[-1].word in ROLES
                and organisation
                and all(t.capitalised or t.word in NAME_PREPOSITIONS | DETERMINERS for t in organisation)
                and organisation[-1].capitalised
                and not _is_place(organisation)
            ):
                return phrase_text(role), organisation
            return None
    return None


def _is_place(tokens: Sequence[Token]) -> bool:
    return phrase_text(tokens).lower() in PLACES or all(t.word in PLACES for t in tokens)


def appositive_organisations(tokens: Sequence[Token]) -> Iterator[tuple[str, str]]:
    """(name, noun) for names set beside an organisation's noun: "one insurance company, State Farm,
    said", "State Farm, an insurance company,", "ABN Amro, the Netherlands' largest bank," — an
    organisation, though its name reads like a person's, and the one "the bank" then means."""
    for i, tok in enumerate(tokens):
        if tok.word in REFERS_BACK and tok.lowercase and tok.raw.endswith(",") and _heads_its_phrase(tokens, i):
            run = _capitalised_run(tokens, i + 1)
            if run and run[-1].raw.endswith(","):
                yield phrase_text(run), tok.word
        if (
            tok.raw.endswith(",")
            and tok.capitalised
            and i + 1 < len(tokens)
            and tokens[i + 1].word in _APPOSITIVE_OPENERS
        ):
            head = next((j for j in range(i + 2, min(i + 6, len(tokens))) if _ends_appositive(tokens, j)), None)
            if head is not None and tokens[head].word in REFERS_BACK and tokens[head].lowercase:
                start = i
                while start > 0 and tokens[start - 1].capitalised and not tokens[start - 1].ends_clause:
                    start -= 1
                name = strip_determiners(tokens[start : i + 1])
                if name and not (name[0].word.rstrip(",") in ADVERBIAL_WORDS or name[0].is_time):
                    yield phrase_text(name), tokens[head].word  # not "Separately, the group said"


def _heads_its_phrase(tokens: Sequence[Token], i: int) -> bool:
    """Whether noun i heads the phrase it ends: "one insurance company, State Farm," but not "the
    spokesman of the Sindh provincial government, Murtaza Wahab," (the name is the spokesman's)."""
    j = i
    while j > 0 and i - j < 4 and not (tokens[j - 1].ends_clause or tokens[j - 1].word in PREPOSITIONS):
        j -= 1
        if tokens[j].word in DETERMINERS or tokens[j].word == "one" or tokens[j].bare.isdigit():
            break  # the phrase's determiner or number: "the Sindh provincial government", "one company"
    return j == 0 or tokens[j - 1].word not in PREPOSITIONS


def _ends_appositive(tokens: Sequence[Token], j: int) -> bool:
    """Whether token j ends a short appositive's noun phrase: at a comma or full stop, or before a
    preposition or relative ("an insurance company based in …"); "a former county police chief" is
    headed by "chief", not by "county"."""
    if tokens[j].ends_clause or tokens[j].raw.endswith(".") or j + 1 == len(tokens):
        return True
    return tokens[j + 1].word in PREPOSITIONS | _RELATIVES


def _capitalised_run(tokens: Sequence[Token], start: int) -> list[Token]:
    run: list[Token] = []
    for tok in tokens[start:]:
        if not tok.capitalised:
            break
        run.append(tok)
        if tok.ends_clause:
            break
    return run
