"""The attribution lexicons, data/attribution_*.txt, as the word classes and cue table the rules use."""

from __future__ import annotations

import re

from retrieval.datafiles import data_classes, data_lines


def _cue_flags() -> dict[str, frozenset[str]]:
    return {
        form: frozenset(flags.split(","))
        for form, _, flags in (line.partition("\t") for line in data_lines("attribution_cues.txt"))
    }


def _refers_back() -> dict[str, frozenset[str]]:
    """ "the agency" → capitalised words an agency's name may have ("Department", "Bureau"); none
    for "the paper" or "the firm", whose names need not say so."""
    found: dict[str, frozenset[str]] = {}
    for line in data_lines("attribution_nouns.txt"):
        word, kind, *names = line.split("\t")
        if kind.strip() == "refers_back":
            found[word.strip()] = frozenset(" ".join(names).split())
    return found


def _genders() -> dict[str, tuple[str, str]]:
    """word → (gender, how it is used: pronoun, title or noun)."""
    return {
        word.strip(): (gender.strip(), kind.strip())
        for word, gender, kind in (line.split("\t") for line in data_lines("attribution_gender.txt"))
    }


CUES = _cue_flags()  # cue form in lower case, words single-spaced → its flags
_GRAMMAR = data_classes("attribution_grammar.txt")
_NOUNS = data_classes("attribution_nouns.txt")
TITLES = frozenset(data_lines("attribution_titles.txt"))
OCCUPATIONS = frozenset(data_lines("attribution_occupations.txt"))
TITLE_FORMS = {
    short: full for short, _, full in (line.partition("\t") for line in data_lines("attribution_title_forms.txt"))
}
PLACES = frozenset(data_lines("attribution_places.txt"))
REFERS_BACK = _refers_back()
_GENDER_WORDS = _genders()
GENDERS = {word: gender for word, (gender, _) in _GENDER_WORDS.items()}  # "mr" → "male", "she" → "female"
GENDERED_NOUNS = frozenset(word for word, (_, kind) in _GENDER_WORDS.items() if kind == "noun")

DETERMINERS = _GRAMMAR["determiner"]
AUXILIARIES = _GRAMMAR["auxiliary"] | _GRAMMAR["be"]
BE = _GRAMMAR["be"]
ADVERBS = _GRAMMAR["adverb"]
FLOATING = _GRAMMAR["floating"]
TIME = _GRAMMAR["time"]
OPENERS = _GRAMMAR["opener"]
CONJUNCTIONS = _GRAMMAR["conjunction"]
PREPOSITIONS = _GRAMMAR["preposition"]
CONNECTORS = _GRAMMAR["connector"]
PARTICLES = _GRAMMAR["particle"]
POSSESSIVES = _GRAMMAR["possessive"]
ADDRESSEES = _GRAMMAR["addressee"]
PARTY_PREFIXES = tuple(_GRAMMAR["party"])
PERSON_PRONOUNS = _GRAMMAR["pronoun_person"]
_GROUP_PRONOUNS = _GRAMMAR["pronoun_group"]
THING_PRONOUNS = _GRAMMAR["pronoun_thing"]
SELF_PRONOUNS = _GRAMMAR["pronoun_self"]
PRONOUNS = PERSON_PRONOUNS | _GROUP_PRONOUNS | THING_PRONOUNS | SELF_PRONOUNS
SOURCES = _NOUNS["source"]
MODIFIERS = _NOUNS["modifier"]
DOCUMENTS = _NOUNS["document"]
REPORTS = _NOUNS["report"]
ORGANISATION_WORDS = _NOUNS["organisation"]
NAMES_SUBJECT = _NOUNS["names_subject"]
UNNAMED = _NOUNS["unnamed"]
ROLES = _NOUNS["role"] | TITLES  # a person's role in an organisation: "spokesman, Contoso"
PERSON_NOUNS = _NOUNS["person"] | ROLES  # sources that are people: "it" is never one of them
# Lower-case words a speaker's noun phrase may contain ("senior Ukrainian defense ministry official").
NOUN_PHRASE_WORDS = DETERMINERS | POSSESSIVES | CONNECTORS | SOURCES | MODIFIERS | TITLES | DOCUMENTS | PARTICLES
NAME_PREPOSITIONS = _GRAMMAR["in_name"]
AFFILIATION_PREPOSITIONS = _GRAMMAR["affiliation"]
PUBLISHED = _GRAMMAR["published"]
KNOWS = _GRAMMAR["knows"]
SPEAKER_HEADS = SOURCES | TITLES  # lower-case words a speaker's noun phrase may end in
ADVERBIAL_WORDS = OPENERS | CONJUNCTIONS | ADVERBS  # may open or make up a leading adverbial


def _cue_pattern() -> re.Pattern[str]:
    # Longest first: the first alternative that matches wins, and "writing in" must beat "writing".
    forms = sorted(CUES, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, form.split())) for form in forms)
    return re.compile(rf"(?<![\w’'-])(?:{alternatives})(?![\w’'-])", re.IGNORECASE)


CUE = _cue_pattern()  # any cue form as a whole word, however it is spaced or capitalised
