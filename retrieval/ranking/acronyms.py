"""Acronyms a corpus defines for itself: "FA" is the Football Association where articles that write
"FA" also write "Football Association"; "London Stock Exchange" is "LSE" where they write both.

No lexicon can list every body a news corpus names, and a member writes whichever form comes to mind.
So the pairs are read from the corpus, in the manner of Schwartz & Hearst's (2003) acronym finder:
a capitalised phrase whose initials spell the acronym (small words such as "of" skipped), in an article
that writes the acronym in capitals. A pair counts where it is defined in brackets ("the Football
Association (FA)") or found together in MIN_ARTICLES articles, and only the dominant long form of an
acronym is kept. Only the passages that hold the acronym are read, when a question needs it, so
nothing is built or saved with the index.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LOOK = 20  # passages holding the acronym that are read (their articles, whole)
MIN_ARTICLES = 2  # articles with both forms, where no article defines the acronym in brackets
DOMINANT = 0.6  # the long form's share of the acronym's pairs
MIN_LETTERS, MAX_LETTERS = 2, 6
# The share of the passages holding the term that write it in capitals: "ice" is a word that a
# headline may shout, "fa" is the FA.
CAPITALISED = 0.5
MIN_RUN = 3  # question words read as an acronym
SAMPLE = 200  # passages holding a term read to judge whether the corpus writes it in capitals
ARTICLES_KEPT = 20_000  # articles whose phrases are remembered (a few KB each)
TERMS_KEPT = 100_000  # question terms whose reading is remembered (a vocabulary is not bounded)
# The small words a long form may hold between its capitalised words ("Food and Drug Administration").
SMALL_WORDS = r"(?:of|and|for|the|on|in|&|de)"
# A capitalised word goes on in lower case ("Deutsche", "McDonald's"): neither an acronym nor a run
# of capitals is taken for a name. Phrases are such words with small words between, in one sentence.
_NAME = r"[A-Z][a-z\u00e0-\u00ff][\w'’-]*"
_PHRASE = re.compile(rf"(?<![\w'’-]){_NAME}(?:(?: {SMALL_WORDS})* {_NAME})+(?![\w'’-])")
_WORD_IN_PHRASE = re.compile(rf"{_NAME}|{SMALL_WORDS}")
# A title opens a name, never a body's long form ("Mr Peston" is no MP).
_TITLES = frozenset({"Mr", "Mrs", "Ms", "Dr", "Sir", "Lord", "Lady", "Dame", "St"})
_CAPITALS = re.compile(rf"\b[A-Z]{{{MIN_LETTERS},{MAX_LETTERS}}}(?=s?\b)")
_BRACKETED = re.compile(rf" \((?:the )?([A-Z]{{{MIN_LETTERS},{MAX_LETTERS}}})s?\)")


@dataclass(frozen=True, slots=True)
class ArticlePhrases:
    """What one article offers: the acronyms it writes, and its capitalised phrases as words, each
    word with the acronym written in brackets right after it, if any ("Association (FA)": "FA")."""

    capitals: frozenset[str]
    phrases: tuple[tuple[tuple[str, str], ...], ...]


def article_phrases(text: str) -> ArticlePhrases:
    def bracketed(end: int) -> str:
        found = _BRACKETED.match(text, end)
        return found.group(1) if found else ""

    phrases = tuple(
        tuple((w.group(0), bracketed(match.start() + w.end())) for w in _WORD_IN_PHRASE.finditer(match.group(0)))
        for match in _PHRASE.finditer(text)
    )
    return ArticlePhrases(frozenset(_CAPITALS.findall(text)), phrases)


def long_forms(article: ArticlePhrases, acronym: str) -> dict[str, bool]:
    """Each span of the article's phrases whose capitalised words' initials spell `acronym`, and
    whether the article defines it in brackets: "the Football Association (FA)" -> {"Football
    Association": True}. Not a span that a title opens or follows ("Mr Michael Portillo" is no MP)."""
    out: dict[str, bool] = {}
    n = len(acronym)
    for words in article.phrases:
        names = [i for i, (w, _) in enumerate(words) if w[0].isupper()]
        initials = "".join(words[i][0][0] for i in names)
        start = initials.find(acronym)
        while start >= 0:
            first, last = names[start], names[start + n - 1]
            if words[first][0] not in _TITLES and (first == 0 or words[first - 1][0] not in _TITLES):
                form = re.sub(r"['’]s$", "", " ".join(w for w, _ in words[first : last + 1]))
                out[form] = out.get(form, False) or words[last][1] == acronym
            start = initials.find(acronym, start + 1)
    return out


class CorpusAcronyms:
    """Acronym <-> long form pairs of one index's corpus, found on demand and remembered.

    Only a word that the corpus mostly writes in capitals is looked up ("FA", "NASA", not the "GO" or
    "ICE" of a shouted headline), judged on a sample of the passages that hold it."""

    def __init__(self, index, articles: dict | None = None) -> None:  # index: a PassageIndex
        self._index = index
        self._found: dict[str, tuple[str, ...] | None] = {}
        # Keyed by id and content: a server's index shares its base's, and two servers may each have
        # an article "notes" of their own.
        self.articles: dict[tuple[str, str], ArticlePhrases] = {} if articles is None else articles

    def capitalised_share(self, term: str) -> float:
        """The share of (a sample of) the passages holding `term` that write it in capitals, in their
        text or their article's title (the index counts a title's terms in each of its passages)."""
        ids = self._index.engine.docs_with(term)
        if len(ids) == 0:
            return 0.0
        if len(ids) > SAMPLE:
            ids = ids[np.linspace(0, len(ids) - 1, SAMPLE).astype(int)]
        acronym = term.upper()
        written = re.compile(rf"\b{acronym}(?=s?\b)")
        passages = self._index.corpus.passages
        held = 0
        for i in ids.tolist():
            passage = passages[i]
            # The substring test first: most passages lack the capitals, and `in` costs a tenth of a search.
            held += any(acronym in text and written.search(text) for text in (passage.text, passage.article.title))
        return held / len(ids)

    def long_form(self, term: str) -> tuple[str, ...] | None:
        """The terms of the long form the corpus gives the acronym `term` ("fa" -> footbal associ)."""
        # One lookup, not `in` then `[]`: another thread's clear() may come between (answers run in a
        # thread pool). () is never stored: a long form has terms, or there is none.
        found = self._found.get(term, ())
        if found != ():
            return found
        if len(self._found) >= TERMS_KEPT:
            self._found.clear()
        found = self._found[term] = self._find(term)
        return found

    def _find(self, term: str) -> tuple[str, ...] | None:
        acronym = term.upper()
        if not (MIN_LETTERS <= len(term) <= MAX_LETTERS and term.isascii() and term.isalpha()):
            return None
        if self.capitalised_share(term) < CAPITALISED:
            return None
        corpus = self._index.corpus
        pairs: Counter[str] = Counter()
        defined: Counter[str] = Counter()
        for article in dict.fromkeys(corpus.passages[i].article for i, _ in self._index.search([term], LOOK)):
            found = self._phrases_of(article)
            if acronym not in found.capitals:
                continue
            for form, in_brackets in long_forms(found, acronym).items():
                pairs[form] += 1
                if in_brackets:
                    defined[form] += 1
        # A definition in brackets outweighs any number of names that happen to share the initials.
        chosen = defined or pairs
        if not chosen:
            return None
        form, count = chosen.most_common(1)[0]
        if count / sum(chosen.values()) < DOMINANT or (count < MIN_ARTICLES and not defined):
            return None
        terms = tuple(t for t in self._index.analyzer.terms(form) if t != term)
        return terms or None

    def _phrases_of(self, article) -> ArticlePhrases:
        key = (article.id, article.content_hash)
        found = self.articles.get(key)
        if found is None:
            if len(self.articles) >= ARTICLES_KEPT:
                self.articles.clear()
            passages = self._index.corpus.article_passages(article.id)
            found = self.articles[key] = article_phrases("\n".join((article.title, *(p.text for p in passages))))
        return found

    def expansions(
        self, terms: Sequence[str], as_written: frozenset[str] | None = None
    ) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """(question terms, terms they stand for): an acronym's long form, and the acronym of a run of
        the question's terms that spells one ("london stock exchang" -> lse). Only a term in
        `as_written` (the question's words the analysis kept as they are; all, when not given) is read
        as an acronym: "SARS" is analysed "sar", and SAR is another body."""
        out: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        present = set(terms)
        for term in dict.fromkeys(terms):
            if as_written is not None and term not in as_written:
                continue
            form = self.long_form(term)
            if form and not set(form) <= present:
                out.append(((term,), form))
        # Two words spell too many two-letter acronyms by chance ("Stock Exchange", SE): three and up.
        for size in range(MIN_RUN, MAX_LETTERS + 1):
            for start in range(len(terms) - size + 1):
                run = tuple(terms[start : start + size])
                initials = "".join(t[0] for t in run)
                if initials in present or not initials.isalpha():
                    continue
                if self.long_form(initials) == run:
                    out.append((run, (initials,)))
        return out
