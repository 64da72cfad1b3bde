"""How a question is read against one index: its own terms, fuzzy corrections of words the corpus
never uses, lexicon expansions (countries, informal words) and the acronyms the corpus defines, each
expanded term at a reduced weight."""

from __future__ import annotations

from dataclasses import dataclass, field

from retrieval.analysis.expansion import Expander, default_expander
from retrieval.analysis.fillers import without_fillers
from retrieval.ranking.index import PassageIndex

EXPANDED_WEIGHT = 0.5  # an expanded term's share of the weight of the word it stands for


@dataclass(frozen=True)
class Reading:
    terms: tuple[str, ...]  # the question's own terms, repeats kept
    weights: dict[str, float]  # every distinct term, expanded ones included, with its relevance weight
    # expanded term -> the question's term(s) it stands for, and whether it is a fuzzy correction
    stands_for: dict[str, tuple[tuple[str, ...], bool]] = field(default_factory=dict)
    unknown: frozenset[str] = frozenset()  # own terms no passage holds (even where a correction stands in)

    @property
    def expanded(self) -> tuple[str, ...]:
        return tuple(self.stands_for)


def read_question(text: str, index: PassageIndex, expander: Expander | None = None) -> Reading:
    text = without_fillers(text)
    terms = tuple(_singular(t, index) for t in index.analyzer.terms(text))
    own = tuple(dict.fromkeys(terms))
    weights = {t: index.relevance_idf(t) for t in own}
    stands_for: dict[str, tuple[tuple[str, ...], bool]] = {}
    unknown = set()
    for term in own:
        if index.df(term):
            continue
        unknown.add(term)
        corrected = index.fuzzy.correct(term)
        if corrected is not None and corrected not in weights:
            stands_for[corrected] = ((term,), True)
    for expansion in (expander or default_expander()).expand(list(terms)):
        for term in expansion.terms:
            if term not in weights and term not in stands_for and index.df(term):
                stands_for[term] = (expansion.matched, False)
    for matched, expansion in index.acronyms.expansions(list(terms), _as_written(text, index)):
        for term in expansion:
            if term not in weights and term not in stands_for:
                stands_for[term] = (matched, False)
    for term, (originals, _) in stands_for.items():
        # Never more than the word it stands for: a common expansion cannot outweigh a rare word.
        weights[term] = EXPANDED_WEIGHT * min(index.relevance_idf(term), max(weights[o] for o in originals))
    return Reading(terms, weights, stands_for, frozenset(unknown))


def _singular(term: str, index: PassageIndex) -> str:
    """A member's lower-case acronym plural ("stds", "mps") as the corpus's singular: the analyzer reads
    "STDs" as "std", but the stemmer keeps the "s" of a word it cannot tell is an acronym."""
    if len(term) > 2 and term.endswith("s") and term.isalpha() and not index.df(term) and index.df(term[:-1]):
        return term[:-1]
    return term


def _as_written(text: str, index: PassageIndex) -> frozenset[str]:
    """The question's terms that are its words as written, in lower case ("fa" from "FA"), not a stem
    or an expansion of one ("sar" from "SARS")."""
    return frozenset(
        terms[0]
        for start, end, terms in index.analyzer.words(text)
        if len(terms) == 1 and text[start:end].casefold().removesuffix("'s").removesuffix("’s") == terms[0]
    )
