"""Filler words of a member's question ("really", "lol", "that guy", the "many" of "how many") are
dropped before the question is read; whole words only, never their stems, never passages."""

import pytest

from retrieval.analysis.fillers import without_fillers
from retrieval.ranking.reading import read_question


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how many ppl did valve ban lol", "how          did valve ban    "),
        ("is the U.S. really totally broke?", "is the U.S.                broke?"),
        ("what did that guy say", "what did that     say"),
        ("Did North Korea ACTUALLY send arms?", "Did North Korea          send arms?"),
    ],
)
def test_filler_words_are_blanked_in_place(question, expected):
    assert without_fillers(question) == expected
    assert len(without_fillers(question)) == len(question)


@pytest.mark.parametrize(
    "question",
    [
        "what was the total cost",  # "totally" is a filler, "total" is not
        "is it likely to rain",  # "likely" holds no filler
        "how many U.S. states",  # the "u" of "U.S." stays
        "who is the guy's manager",  # a possessive is a name-like use, kept whole
        "is guyana in the news",
        "did something happen to the bus",  # "thing" inside a word
    ],
)
def test_words_that_only_contain_a_filler_stay(question):
    kept = without_fillers(question).split()
    assert [w for w in question.split() if w not in {"many"}] == kept


def test_an_opening_interjection_is_a_filler_only_where_the_message_starts():
    assert without_fillers("wait who wrote it") == "     who wrote it"
    assert without_fillers("  Wait, did he win?") == "      , did he win?"
    assert without_fillers("how long is the wait for surgery") == "how long is the wait for surgery"


def test_a_question_of_fillers_only_is_read_as_written():
    assert without_fillers("lol") == "lol"
    assert without_fillers("ok really?") == "ok really?"


def test_the_reading_drops_fillers_so_they_dilute_nothing(seed_library):
    index = seed_library.answerer.index
    casual = read_question("did north korea really send arms to russia lol", index)
    plain = read_question("did north korea send arms to russia", index)
    assert casual.terms == plain.terms
    assert casual.weights == plain.weights


def test_a_casual_question_finds_what_the_plain_one_finds(seed_library):
    casual = seed_library.answer("so did kim actually take a train all the way to russia lol")
    plain = seed_library.answer("did kim take a train all the way to russia")
    assert [p.id for p in casual.passages] == [p.id for p in plain.passages]
    assert casual.confidence == plain.confidence
