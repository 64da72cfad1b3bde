"""Three confidence levels, fuzzy and lexicon reading of questions, claims read as yes/no questions."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.analysis.analyzer import default_analyzer
from retrieval.analysis.claims import claim_question, question_body
from retrieval.analysis.expansion import default_expander
from retrieval.answering.library import Library
from retrieval.corpus.articles import build_article
from retrieval.ranking.fuzzy import FuzzyVocabulary
from retrieval.relevance.confidence import ConfidenceModel
from retrieval.relevance.features import FEATURES
from retrieval.trust.caveats import question_reading


def test_levels_follow_the_two_thresholds():
    n = len(FEATURES)
    model = ConfidenceModel(np.zeros(n), 0.0, np.zeros(n), np.ones(n), answer_at=0.6, related_at=0.2)
    assert [model.level(p) for p in (0.95, 0.6, 0.59, 0.2, 0.19, 0.0)] == [
        "answer",
        "answer",
        "related",
        "related",
        "none",
        "none",
    ]
    assert model.probabilities(np.zeros((2, n))).tolist() == [0.5, 0.5]


def test_fuzzy_corrects_long_misspellings_to_the_most_frequent_closest_term():
    vocabulary = FuzzyVocabulary({"verstappen": 5, "verstappan": 1, "mourinho": 3, "word": 9, "libya": 4})
    assert vocabulary.correct("verstapen") == "verstappen"  # one deletion
    assert vocabulary.correct("mourinio") == "mourinho"
    assert vocabulary.correct("world") is None  # five letters: an everyday word, never bent to "word"
    assert vocabulary.correct("vrstppn") is None  # three edits away


def test_countries_lexicon_reads_demonyms_and_capitals_as_the_country():
    analyzer = default_analyzer()
    expander = default_expander()
    found = {e.terms for e in expander.expand(analyzer.terms("What did the French say?"))}
    assert tuple(analyzer.terms("France")) in found
    found = {e.terms for e in expander.expand(analyzer.terms("Is Moscow sending troops?"))}
    assert tuple(analyzer.terms("Russia")) in found


def test_state_lexicon_reads_the_names_of_a_states_people_as_the_state():
    analyzer = default_analyzer()
    expander = default_expander()
    for question, state in (("how many iowans died?", "Iowa"), ("what do New Yorkers think?", "New York")):
        found = {e.terms for e in expander.expand(analyzer.terms(question))}
        assert tuple(analyzer.terms(state)) in found, question
    # the country Georgia and the state share one line: Georgians are found once, as Georgia
    found = [e.terms for e in expander.expand(analyzer.terms("what did Georgians vote for?"))]
    assert found.count(tuple(analyzer.terms("Georgia"))) == 1


def test_a_chat_claim_becomes_the_yes_no_question_it_makes():
    assert claim_question("north korea is literally sending shells to russia now") == (
        "Is it true that north korea is literally sending shells to russia now?"
    )
    assert claim_question("lol apparently apple is buying netflix smh") == "Is it true that apple is buying netflix?"
    assert claim_question("did putin meet kim?") == "did putin meet kim?"
    assert question_body("Is it true that Kim met Putin?") == "Kim met Putin?"


def test_related_answers_are_marked_and_never_confident(seed_library):
    answer = seed_library.answer("How has COVID affected North Korea?")
    assert answer.confidence in ("answer", "related")
    related = [
        seed_library.answer(q)
        for q in (
            "Which rockets did the space agency build?",
            "What did Kim eat at the dinner?",
            "How has COVID affected North Korea?",
        )
    ]
    for a in related:
        payload = a.to_dict()
        assert payload["confident"] == (payload["confidence"] == "answer")
        if a.confidence == "related":
            assert a.caveats[0].kind == "low_confidence" and a.passages


def test_find_sources_on_a_chat_claim_gets_stances(seed_library):
    answer = seed_library.answerer.answer_claim("north korea is already sending weapons to russia lol")
    assert answer.question.startswith("Is it true that north korea")
    assert answer.passages and all(p.stance for p in answer.passages)


@pytest.fixture(scope="module")
def racing_library():
    return Library.from_articles(
        [
            build_article(
                "race",
                "Verstappen wins in Suzuka\n\nMax Verstappen won the Japanese Grand Prix at Suzuka on Sunday, "
                "ahead of both McLaren drivers.\n\nThe Dutch driver has now won nine races in a row.",
                {},
            ),
            build_article(
                "farm",
                "Harvest report\n\nFarmers in Iowa expect a record corn harvest after a wet spring.",
                {},
            ),
        ]
    )


def test_a_misspelt_name_that_decided_the_passages_is_named_in_a_reading_caveat(racing_library):
    answer = racing_library.answer("who won the race at suzuka, verstapen?")
    reading = [c for c in answer.caveats if c.kind == "reading"]
    assert answer.passages and answer.passages[0].article.id == "race"
    assert [c.text for c in reading] == ["Read “verstapen” as “Verstappen”."]


def test_a_correction_that_only_completes_the_word_is_still_named(racing_library):
    # A country's demonym ("Korea" -> "Korean") goes unsaid; a correction never does, even one that
    # only adds a letter: the reader did not write that name.
    answer = racing_library.answer("who won the race at suzuka, verstappe?")
    assert [c.text for c in answer.caveats if c.kind == "reading"] == ["Read “verstappe” as “Verstappen”."]


def test_a_lexicon_reading_names_the_word_as_written_once(racing_library):
    answer = racing_library.answer("what do iowans expect from the corn harvest")
    assert answer.passages[0].article.id == "farm"
    assert [c.text for c in answer.caveats if c.kind == "reading"] == ["Read “iowans” as “Iowa”."]


def test_several_readings_of_one_word_are_one_clause():
    caveat = question_reading([("died", "killed"), ("died", "deaths"), ("verstapen", "Verstappen")])
    assert caveat.text == "Read “died” as “killed” or “deaths”; “verstapen” as “Verstappen”."
