"""What a reader remembers of an article so far, to tell who "he", "it", "the agency" or "Wezeman" is."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import NamedTuple

from retrieval.trust.attribution.claims import NESTED, Claim
from retrieval.trust.attribution.lexicon import (
    CONJUNCTIONS,
    DOCUMENTS,
    GENDERED_NOUNS,
    GENDERS,
    NAMES_SUBJECT,
    OPENERS,
    ORGANISATION_WORDS,
    PARTICLES,
    PERSON_NOUNS,
    PERSON_PRONOUNS,
    PLACES,
    PREPOSITIONS,
    PRONOUNS,
    REFERS_BACK,
    SELF_PRONOUNS,
    SOURCES,
    THING_PRONOUNS,
    TITLE_FORMS,
)
from retrieval.trust.attribution.names import (
    after_possessive,
    appositive_organisations,
    document_source,
    name_after_title_complement,
    people_in,
    role_with_organisation,
    split_affiliation,
    strip_determiners,
    strip_title,
)
from retrieval.trust.attribution.phrases import looks_like_person
from retrieval.trust.attribution.tokens import Token, phrase_text
from retrieval.trust.attribution.unnamed import speaker_head

_ACRONYM = re.compile(r"\s*\([A-Z][A-Za-z.&]*\)$")  # "Goldman Sachs (GS)": the name without its ticker


class Speaker(NamedTuple):
    name: str
    is_person: bool  # a named person, whom "he"/"she" may refer to
    paragraph: int


class ArticleMemory:
    """The names and speakers met so far in one article, paragraph by paragraph."""

    def __init__(self) -> None:
        self._people: dict[str, str] = {}  # full name in lower case → how to show it; latest last
        self._organisations: list[str] = []  # latest last
        self._speakers: list[Speaker] = []
        self._persons: list[str] = []  # named people quoted or opening a sentence, for "he"/"she"
        self._genders: dict[str, str] = {}  # a person as shown → "male"/"female", when the article says
        self._titled: dict[str, str] = {}  # "governor" → the person last named with that title
        self._documents: dict[str, Speaker] = {}  # "statement" → whose statement was named last
        self._called: dict[str, str] = {}  # "company" → the organisation last called "the company"
        self._described: dict[str, str] = {}  # "ABN Amro" → "bank", set beside it: "the Netherlands' largest bank"
        self._subject: str | None = None  # the current sentence's own subject, when it is a name
        self._subject_person: str | None = None  # … when it is a person's name
        self._named_subjects: list[Speaker] = []  # organisations' names that opened sentences, latest last
        self._proper: set[str] = set()  # words written capitalised inside a sentence so far: names
        # … as a name's first word, anywhere in the article: what a lone word opening a sentence may be.
        # Not for "Legal experts say": a later "Legal Aid" says nothing of this "Legal".
        self._article_names: set[str] = set()
        self._paragraph = -1

    def know_names(self, tokens: Sequence[Token]) -> None:
        """The first words of names a paragraph writes inside its sentences, read over the whole
        article before its first paragraph: "Microsoft is celebrating …" opening the article is then a
        name "…, the company said" may mean, though "According to Microsoft" comes only later."""
        for before, tok in itertools.pairwise(tokens):
            # Not "Airlines" of "Alaska Airlines", nor a word after a full stop: a sentence's first.
            ends_sentence = before.raw.rstrip("”\"’')]").endswith((".", "!", "?", ":", "…"))
            if tok.capitalised and not before.capitalised and not ends_sentence:
                self._article_names.add(tok.bare)

    def next_paragraph(self) -> None:
        self._paragraph += 1

    def start_sentence(self, tokens: Sequence[Token], subject: Sequence[Token], after: Sequence[Token]) -> None:
        """The subject opening the sentence about to be read, and the words after it: "Progressive
        has seen …, the company said" names the company in its own subject; "Mary Roe, his sister,"
        and a pronoun subject continuing someone ("Jill Dougherty met Bout. She asked …") tell a
        person's gender. Names set beside an organisation's noun are organisations."""
        for organisation, noun in appositive_organisations(tokens):
            self._remember_organisation(organisation)
            self._described[organisation] = noun
        self._proper.update(t.bare for t in tokens[1:] if t.capitalised)
        tokens = strip_determiners(list(subject))
        self._subject = self._subject_person = None
        name, titled = strip_title(tokens)
        name = after_possessive(name)
        if name and looks_like_person(name) and name[0].word not in OPENERS | PREPOSITIONS:
            known = self._full_name(name) if len(name) == 1 else None
            if known or len(name) > 1 or titled:
                self._subject_person = known or self._people.get(phrase_text(name).lower(), phrase_text(name))
        if len(tokens) == 1 and tokens[0].word in GENDERS and tokens[0].word in PERSON_PRONOUNS:
            if self._persons and self._persons[-1] not in self._genders:
                self._genders[self._persons[-1]] = GENDERS[tokens[0].word]
            return
        if not tokens or not tokens[0].capitalised or any(t.word in CONJUNCTIONS for t in tokens):
            return  # "The US and Nato": two parties
        name = phrase_text(tokens)
        gender = _appositive_gender(after)
        if gender and looks_like_person(tokens):
            known = self._full_name(tokens) if len(tokens) == 1 else self._people.get(name.lower(), name)
            self._genders.setdefault(known or name, gender)
        if name.lower() in PLACES or all(t.word in PLACES for t in tokens) or name in self._genders:
            return  # a country or a person is not "the company"
        if len(tokens) == 1 and tokens[0].bare not in self._article_names:
            return  # a lone capitalised word opening a sentence may be any word ("Sales fell")
        if len(tokens) > 1 and looks_like_person(tokens) and name not in self._organisations:
            return  # "Jane Roe resigned, the company said": a person is not the company
        if tokens[-1].lowercase:
            return  # "The US stock market regulator is investigating …, the firm said": a description
        self._subject = name
        if not strip_title(tokens)[1]:
            self._named_subjects.append(Speaker(name, False, self._paragraph))

    def _remember_organisation(self, name: str) -> None:
        if name in self._organisations:
            self._organisations.remove(name)
        self._organisations.append(name)

    def speaker_of(self, claim: Claim) -> Speaker | None:
        """Who `claim`'s source is, read in the light of the article so far; remembered as the
        latest speaker, for the pronouns that follow."""
        speaker = self._resolve(claim)
        if speaker is not None:
            document = next((t.word for t in claim.source if t.lowercase and t.word in DOCUMENTS), None)
            if document:  # "a statement to parents from Superintendent Will Stout"
                self.remember_document(document, speaker)
            self._speakers.append(speaker)
            if speaker.is_person:
                self._persons.append(speaker.name)
        return speaker

    def _resolve(self, claim: Claim) -> Speaker | None:
        tokens = list(claim.source)
        if len(tokens) == 1 and tokens[0].word in SELF_PRONOUNS:
            return None  # the writer of a column: the article's own voice
        if len(tokens) == 1 and tokens[0].word in PRONOUNS:
            if claim.role == NESTED and tokens[0].word in PERSON_PRONOUNS and self._subject_person:
                # "Bremmer expanded on the talk, which he said took place …": the sentence's subject
                known = self._genders.get(self._subject_person)
                if known is None or known == GENDERS.get(tokens[0].word, known):
                    return Speaker(self._subject_person, True, self._paragraph)
            return self._antecedent(tokens[0].word)
        definite = bool(tokens) and tokens[0].word == "the"
        bare = strip_determiners(tokens)
        if definite and len(bare) == 1 and bare[0].word in DOCUMENTS:
            known = self._document(bare[0].word)  # "the statement said": whose statement was named before
            if known or not claim.after_according:
                return known  # "according to the survey" is the survey's, when nobody's survey was named
        tokens = document_source(bare, claim.after_according) or []
        tokens = strip_determiners(tokens)
        if not tokens:
            return None
        if definite and len(tokens) == 1 and tokens[0].word in REFERS_BACK:
            return self._organisation(tokens[0])
        gender = next((GENDERS[t.word.rstrip(".")] for t in tokens if t.word.rstrip(".") in GENDERS), None)
        complement = name_after_title_complement(tokens)
        if complement:
            name, affiliation, titled = complement, None, True
        else:
            name, affiliation = split_affiliation(tokens)
            name, titled = strip_title(name)
            name = after_possessive(name)
        if phrase_text(name) in self._organisations or not (titled or affiliation or looks_like_person(name)):
            holder = self._title_holder(tokens) if definite else None
            if holder:  # "the governor said": the governor named before
                return Speaker(holder, True, self._paragraph)
            return Speaker(self._role(tokens) or phrase_text(tokens), False, self._paragraph)
        if len(name) == 1 or (len(name) == 2 and name[0].word in PARTICLES):
            known = self._full_name(name, gender)
            if known is not None:
                return Speaker(known, True, self._paragraph)
        shown = f"{phrase_text(name)} ({affiliation})" if affiliation else phrase_text(name)
        self._people.pop(phrase_text(name).lower(), None)
        self._people[phrase_text(name).lower()] = shown
        if gender:
            self._genders.setdefault(shown, gender)
        self._remember_titles(tokens, shown)
        return Speaker(shown, True, self._paragraph)

    def _remember_titles(self, tokens: Sequence[Token], shown: str) -> None:
        """ "Gov. Ron DeSantis" → the governor is Ron DeSantis, for "the governor said" later."""
        for tok in tokens:
            if tok.title:
                word = tok.word.rstrip(".")
                self._titled[TITLE_FORMS.get(word, word)] = shown

    def _title_holder(self, tokens: Sequence[Token]) -> str | None:
        """ "the president", "the prime minister": the last person named with that title."""
        head = tokens[-1]
        if not (head.lowercase and head.title) or any(t.capitalised and not t.title for t in tokens):
            return None
        return self._titled.get(head.word)

    def remember_document(self, noun: str, speaker: Speaker) -> None:
        """Whose statement (letter, report) the article has named, for "the statement said" after it."""
        self._documents[noun] = speaker

    def owner(self, name: Sequence[Token]) -> Speaker:
        """A document's named source as a speaker, without titles; a surname is the person named before."""
        name = strip_title(list(name))[0] or list(name)
        if looks_like_person(name):
            known = self._full_name(name) if len(name) == 1 else None
            return Speaker(known or phrase_text(name), True, self._paragraph)
        return Speaker(phrase_text(name), False, self._paragraph)

    def remember_subject_document(self, noun: str) -> None:
        """The current sentence's subject, when it is a name, put out a `noun` (statement, letter)."""
        if self._subject_person:
            self.remember_document(noun, Speaker(self._subject_person, True, self._paragraph))
        elif self._subject:
            self.remember_document(noun, Speaker(self._subject, False, self._paragraph))

    def _document(self, noun: str) -> Speaker | None:
        known = self._documents.get(noun)
        if known is None or known.paragraph < self._paragraph - 3:
            return None
        return known._replace(paragraph=self._paragraph)

    def _role(self, tokens: Sequence[Token]) -> str | None:
        """ "a Hyundai spokesperson" → "spokesperson, Hyundai"; a lone "a spokesperson" after an
        organisation spoke in the same paragraph is that organisation's."""
        found = role_with_organisation(tokens)
        if found:
            role, organisation = found
            if not self._is_name(organisation):
                return None  # "Wildlife officials", "Several experts": capitalised only to open the sentence
            return f"{role}, {_ACRONYM.sub('', phrase_text(organisation))}"
        if len(tokens) != 1 or tokens[0].word not in PERSON_NOUNS or not tokens[0].lowercase:
            return None
        for speaker in reversed(self._speakers):
            if speaker.paragraph != self._paragraph:
                break
            if not speaker.is_person and not _is_role_name(speaker.name):
                return f"{tokens[0].bare}, {speaker.name}"
        return None

    def _antecedent(self, pronoun: str) -> Speaker | None:
        """ "he"/"she": the last named person quoted or opening a sentence whom the pronoun's gender
        fits; "they": the last source of this or the paragraph before; "it": the last organisation
        (not a spokesman) of this or the paragraph before."""
        if pronoun in PERSON_PRONOUNS:
            gender = GENDERS.get(pronoun)
            for person in reversed(self._persons):
                known = self._genders.get(person)
                if gender is None or known is None or known == gender:
                    if gender:
                        self._genders.setdefault(person, gender)
                    return Speaker(person, True, self._paragraph)
            return None
        recent = [s for s in reversed(self._speakers) if s.paragraph >= self._paragraph - 1]
        if pronoun in THING_PRONOUNS:  # "It added …" may come a few paragraphs after the organisation spoke
            candidates = [
                s
                for s in reversed(self._speakers)
                if s.paragraph >= self._paragraph - 3
                and not s.is_person
                and not _is_role_name(s.name)
                and s.name.lower() not in PLACES
            ]
        else:  # "they": a group or an organisation, not one named person
            candidates = [s for s in recent if not s.is_person]
        return candidates[0]._replace(paragraph=self._paragraph) if candidates else None

    def _organisation(self, noun: Token) -> Speaker:
        """ "the agency" → the last organisation named with one of the words an agency's name has;
        "the company" → the sentence's own subject, or the organisation last called so; "the paper"
        → the last organisation quoted in the last few paragraphs."""
        word, heads = noun.word, REFERS_BACK[noun.word]
        found = None
        if self._subject and (word in NAMES_SUBJECT or heads & set(self._subject.split())):
            found = self._subject
        if found is None:
            names = self._organisations + [s.name for s in self._speakers if not s.is_person]
            found = next((n for n in reversed(names) if self._goes_by(n, word, heads)), None)
        if found is None and (not heads or word in NAMES_SUBJECT):
            # Through a spokesman only for a noun no name says (an organisation, a paper): a person
            # quoted with their employer ("director, Center for Auto Safety") is not "the company".
            spoke = (self._speaking_organisation(s, through_role=not heads) for s in reversed(self._speakers))
            found = next(filter(None, spoke), None)
        if found is None and word in NAMES_SUBJECT:  # "Contoso reported a loss. …, the company said"
            found = next((s.name for s in reversed(self._named_subjects) if self._is_named_organisation(s)), None)
        if found is None:
            found = self._called.get(word)
        if found is None:
            return Speaker(noun.bare, False, self._paragraph)
        self._called[word] = found
        return Speaker(found, False, self._paragraph)

    def _goes_by(self, name: str, noun: str, heads: frozenset[str]) -> bool:
        """Whether "the <noun>" may mean the organisation `name`: its name has one of the noun's heads
        ("the agency": "Atomic Energy Agency"), or the article set the noun beside it."""
        return (
            self._described.get(name) == noun
            or bool(heads)
            and (bool(heads & set(name.split())) or noun in name.lower().split())
        )

    def _speaking_organisation(self, speaker: Speaker, through_role: bool) -> str | None:
        """The organisation that spoke, by its name or through its spokesman ("spokesman, Reporters
        Without Borders"), in the last few paragraphs."""
        if self._is_named_organisation(speaker):
            return speaker.name
        role, _, organisation = speaker.name.partition(", ")
        if through_role and organisation and _is_role_name(role) and speaker.paragraph >= self._paragraph - 3:
            return organisation
        return None

    def _is_named_organisation(self, speaker: Speaker) -> bool:
        """An organisation quoted in the last few paragraphs by its name (not "officials", not a
        country, not "Shares in Cairn Energy", whose first word is capitalised only to open a sentence)."""
        words = speaker.name.split()
        names = self._proper | self._article_names
        return (
            speaker.paragraph >= self._paragraph - 3
            and not speaker.is_person
            and words[-1].lower() not in SOURCES | PERSON_NOUNS
            and speaker.name.lower() not in PLACES
            and (words[0] in names or words[0].isupper() or words[0] in ORGANISATION_WORDS)
        )

    def _is_name(self, tokens: Sequence[Token]) -> bool:
        """Whether capitalised words are a name: more than one, an acronym, or a word the article also
        writes capitalised mid-sentence."""
        first = tokens[0].bare
        return len(tokens) > 1 or first.isupper() or first in self._proper

    def _full_name(self, surname: Sequence[Token], gender: str | None = None) -> str | None:
        """ "Wezeman" → "Siemon Wezeman (…)", "Kim" → the last Kim named ("Kim Jun-rak"); with "Mr"
        or "Mrs", the last one of that gender."""
        words = [t.bare.lower() for t in surname]
        for full, shown in reversed(self._people.items()):
            parts = full.split()
            if parts[-len(words) :] == words or (len(words) == 1 and parts[0] == words[0]):
                if gender and self._genders.get(shown, gender) != gender:
                    continue
                self._people.pop(full)
                self._people[full] = shown
                return shown
        return None

    def remember_subject(self, subject: Sequence[Token]) -> None:
        """A named person opening a sentence ("Romig did not hear…") may be the next "he"/"she".
        A lone word counts only as the surname of someone named before: "Wagner" may be a group."""
        name, titled = strip_title(strip_determiners(list(subject)))
        name = after_possessive(name)
        if not name or not looks_like_person(name) or name[0].word in OPENERS | PREPOSITIONS:
            return  # "To al Qaeda?" opens a sentence but names no one
        known = self._full_name(name) if len(name) == 1 else None
        if known or len(name) > 1 or titled:
            person = known or self._people.get(phrase_text(name).lower(), phrase_text(name))
            self._persons.append(person)
            if titled:
                self._remember_titles(subject, person)

    def remember_names(self, runs: list[list[Token]]) -> None:
        for i, run in enumerate(runs):
            before = runs[i - 1] if i else None
            if any(t.word in ORGANISATION_WORDS for t in run if t.capitalised):
                joined = before is not None and before[-1].possessive and before[-1].end + 1 == run[0].start
                named = before + run if joined else run  # "Madison Children's Museum", not "Museum"
                self._remember_organisation(phrase_text(strip_determiners(named) or named))
            elif again := self._named_again(phrase_text(strip_determiners(run) or run)):
                self._remember_organisation(again)  # "Vidler lists …" after "Vidler Water Company": the latest
            for person in people_in(run):
                key = phrase_text(person).lower()
                self._people[key] = self._people.pop(key, phrase_text(person))

    def _named_again(self, name: str) -> str | None:
        """The organisation met before that `name` names again, in full or by its first words."""
        if name in self._organisations:
            return name
        return next((o for o in reversed(self._organisations) if o.startswith(name + " ")), None)


def _is_role_name(name: str) -> bool:
    """ "spokesperson", "spokesperson, Hyundai", "source close to the talks": a person known only by a role."""
    return speaker_head(name) in PERSON_NOUNS


def _appositive_gender(after: Sequence[Token]) -> str | None:
    """ "Mary Roe, his sister, …" → female: a gendered noun in the appositive after a name (not a
    possessive pronoun, which is someone else's)."""
    for tok in after[:3]:
        if tok.lowercase and tok.word in GENDERED_NOUNS:
            return GENDERS[tok.word]
        if tok.ends_clause:
            break
    return None
