"""Attribution: whom each paragraph of an article reports, and the cue that says so.

Rules and lexicons, no tagger or model. A paragraph is read sentence by sentence (a quotation
is never cut in two); in each sentence the reporting constructions are found ("According to
Washington, …", "…, said Siemon Wezeman of SIPRI.", "Kremlin spokesman Dmitry Peskov had said …",
the full list in attribution_claims.py).

When they nest, the outermost source wins: the one the article relies on ("the president said …,
state media reported" → state media); a source inside a clause ("…, which she said has delayed",
"told CNN that according to …") counts only when the sentence has no other. A speaker is shown as
written, without titles or articles, with the organisation of "X of/from/at Y" kept: "Siemon
Wezeman (Stockholm International Peace Research Insitute)"; a source known only by a role is shown
with its organisation, "spokesperson, Hyundai", and bare only when the article ties it to none.

Names are read in the article's context: "Wezeman" is the "Siemon Wezeman" named before (with
"Mr"/"Mrs", one of that gender); "he"/"she" the last named person quoted or opening a sentence
whom the pronoun's gender fits (from a title, "Mary Roe, his sister,", or a pronoun continuing
them), or no one; in a relative clause, the sentence's subject. "It" is the organisation that
spoke in the last few paragraphs (never a spokesman); "the agency/ministry" the last one named
so; "the company" the sentence's own subject or the organisation last quoted or called so, but
never a person; "the paper/broadcaster/site" the outlet last quoted; "the statement" whose
statement was named ("in a statement, X said", "X released a statement", "a report by X"). A
paragraph that is only a quotation continues the quotation before it.
Whatever no rule recognises is the article's own voice: `speaker=None`, never a guess.

This module reads the paragraphs in order; the rules are in its siblings:
  attribution_lexicon   the lexicons, data/attribution_*.txt (cues, grammar words, titles, nouns,
                        places, genders)
  attribution_tokens    words with their offsets and punctuation
  attribution_phrases   what a stretch of words is: a name, a person, a speaker's noun phrase
  attribution_quotes    quotations, and sentences that keep them whole
  attribution_subjects  the subject before a reporting verb
  attribution_claims    the reporting constructions of one sentence
  attribution_names     the name inside a source's noun phrase
  attribution_memory    the names and speakers met so far, for surnames and pronouns
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from retrieval.trust.attribution.claims import CLOSING, PRIORITY, RECAP, Claim, Sentence
from retrieval.trust.attribution.lexicon import DOCUMENTS
from retrieval.trust.attribution.memory import ArticleMemory, Speaker
from retrieval.trust.attribution.names import name_runs, owned_documents
from retrieval.trust.attribution.quotes import (
    ends_in_open_quote,
    is_only_quotation,
    quote_spans,
    whole_quote_sentences,
)
from retrieval.trust.attribution.tokens import tokens_in

_UP_TO_THREE_WORDS = r"((?:[\w-]+ ){0,2}[\w-]+)"
_IN_A = r"in (?:a|an|its|his|her|their) " + _UP_TO_THREE_WORDS
_IN_DOCUMENT = re.compile(r"\b" + _IN_A)
_OPENING_IN_DOCUMENT = re.compile(r"\s*[\"“]?" + _IN_A, re.IGNORECASE)
# The sentence's subject put a document out, so "the statement said" later is the subject's.
_ISSUES_DOCUMENT = re.compile(
    r"\b(?:issued|released|put out|published|posted|sent|wrote|filed) (?:a|an) " + _UP_TO_THREE_WORDS
)


@dataclass(frozen=True, slots=True)
class Attribution:
    speaker: str | None  # who the passage reports; None: the article's own voice
    cue: str | None  # the reporting verb or phrase as written; None when inferred from context


class _ArticleReader:
    """Reads one article's paragraphs in order, remembering the names and speakers met so far."""

    def __init__(self) -> None:
        self._memory = ArticleMemory()
        self._previous = Attribution(None, None)
        self._previous_quoted = False
        self._open_quote: tuple[str, int] | None = None  # a speaker whose quotation runs on, and where
        self._paragraph = -1

    def know_names(self, paragraphs: Sequence[str]) -> None:
        """The article's names before its first paragraph is read: a name may open the article and
        be written mid-sentence only later."""
        for text in paragraphs:
            self._memory.know_names(tokens_in(text, 0, len(text)))

    def read(self, text: str) -> Attribution:
        self._memory.next_paragraph()
        self._paragraph += 1
        quotes = quote_spans(text)
        chosen: Attribution | None = None
        recap: Attribution | None = None
        for start, end in whole_quote_sentences(text, quotes):
            sentence = Sentence(text, start, end, quotes)
            runs = name_runs(sentence.tokens)
            subject = sentence.leading_noun_phrase(start)
            appositive = [t for t in sentence.tokens if subject and t.start > subject[-1].start]
            self._memory.start_sentence(
                sentence.tokens, subject, appositive if subject and subject[-1].raw.endswith(",") else []
            )
            found: list[tuple[Claim, Speaker]] = []
            for claim in sorted(sentence.claims(), key=lambda c: c.position):
                self._memory.remember_names([r for r in runs if r[-1].end <= claim.position])
                speaker = self._memory.speaker_of(claim)
                if speaker is not None:
                    found.append((claim, speaker))
            self._memory.remember_names(runs)
            for noun, owner in owned_documents(sentence.tokens):
                self._memory.remember_document(noun, self._memory.owner(owner))
            for issued in _ISSUES_DOCUMENT.finditer(text, start, end):
                for noun in _documents_named(issued):  # "Police Chief Ann Lee released a statement": hers
                    self._memory.remember_subject_document(noun)
            self._memory.remember_subject(subject)
            if not found:
                continue
            claim, speaker = _outermost(found)
            # "the company said in an emailed statement", and the same adjunct opening the sentence
            # ("In a statement Tuesday, Pakistan's military said"): the statement is the speaker's.
            opening = _OPENING_IN_DOCUMENT.match(text, start)
            for phrase in chain([opening] if opening else [], _IN_DOCUMENT.finditer(text, claim.position, end)):
                for noun in _documents_named(phrase):
                    self._memory.remember_document(noun, speaker)
            attribution = Attribution(speaker.name, claim.cue)
            if claim.role == RECAP:
                recap = recap or attribution
            elif chosen is None:
                chosen = attribution
        result = recap or chosen or self._continuation(text, quotes)
        self._previous, self._previous_quoted = result, bool(quotes)
        if result.speaker is not None:
            self._open_quote = (result.speaker, self._paragraph) if ends_in_open_quote(text, quotes) else None
        return result

    def _continuation(self, text: str, quotes: list[tuple[int, int]]) -> Attribution:
        """A paragraph that is only a quotation, after an attributed one with a quotation,
        continues that speaker's words; so does one after a quotation left open at the end of its
        paragraph (the mark of a quote running on), even past a caption or two between them."""
        if not is_only_quotation(text, quotes):
            return Attribution(None, None)
        if self._previous.speaker and self._previous_quoted:
            return Attribution(self._previous.speaker, None)
        if self._open_quote and self._paragraph - self._open_quote[1] <= 3:
            return Attribution(self._open_quote[0], None)
        return Attribution(None, None)


def _documents_named(phrase: re.Match[str]) -> list[str]:
    """The document nouns among a matched phrase's words: "an emailed statement" → ["statement"]."""
    return [word for word in phrase.group(1).lower().split() if word in DOCUMENTS]


def _outermost(found: list[tuple[Claim, Speaker]]) -> tuple[Claim, Speaker]:
    """The source the sentence relies on: "That's according to" and an opening "According to"
    first, then the last closing attribution, then the first leading one."""
    best = min(PRIORITY[claim.role] for claim, _ in found)
    candidates = [item for item in found if PRIORITY[item[0].role] == best]
    if best == PRIORITY[CLOSING]:
        return max(candidates, key=lambda item: item[0].position)
    return min(candidates, key=lambda item: item[0].position)


def attribute_paragraphs(paragraphs: Sequence[str]) -> list[Attribution]:
    """One Attribution per paragraph of one article, in order; earlier paragraphs are the context
    for pronouns, surnames and quotations that run on."""
    reader = _ArticleReader()
    reader.know_names(paragraphs)
    return [reader.read(text) for text in paragraphs]
