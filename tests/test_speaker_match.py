"""Whether a shown speaker is the party a "what did X say" question names (trust/attribution/speaker_match)."""

from __future__ import annotations

import pytest

from retrieval.trust.attribution.speaker_match import is_asked_speaker, naming_words


@pytest.mark.parametrize(
    ("asked", "names"),
    [
        ("taylor swift herself", ["taylor", "swift"]),
        ("the lib dems", ["lib", "dems"]),
        ("walmart's boss", []),  # a role: whoever holds it may be named
        ("the dsu student's brother", []),
        ("that ukip guy", []),
        ("the police", []),
        ("they", []),
        ("Putin's", ["putin"]),
        ("the ceos", []),  # a role in the plural
    ],
)
def test_the_words_that_name_the_party(asked, names):
    assert naming_words(asked.split()) == names


@pytest.mark.parametrize(
    ("asked", "speaker", "same"),
    [
        ("taylor swift herself", "Travis Kelce", False),
        ("taylor swift", "Taylor Swift", True),
        ("swift", "Taylor Swift", True),
        ("mourino", "Jose Mourinho", True),  # a typo of five letters or more
        ("zelenskyy", "Volodymyr Zelensky", True),
        ("the lib dems", "Liberal Democrats", True),  # the start of the name's word
        ("sipri", "Siemon Wezeman (Stockholm International Peace Research Institute)", True),  # its initials
        ("dsu", "Delaware State University", True),  # three initials are enough
        ("ds", "Delaware State", False),  # two are not
        ("vetel", "Sebastian Vettel", True),  # a typo of five letters
        ("smyth", "Tom Smith", True),  # at the ratio: 80
        ("smyth", "Tom Smithers", False),
        ("the bank of england", "Andrew Bailey (Bank of England)", True),
        ("putin", "Peskov", False),
        ("kim", "Kimberly Ross", True),  # the start of a word: lenient, a name is seldom a prefix of another
        ("ian", "Brian Cox", False),  # inside a word is not its start
        ("trump", "spokesperson, Trump campaign", True),
        ("biden", "White House", False),
        ("walmart's boss", "Doug McMillon", True),
        ("the police", "Joe Bloggs", True),
    ],
)
def test_a_named_party_is_the_speaker_shown(asked, speaker, same):
    assert is_asked_speaker(asked.split(), speaker) is same


def test_a_reporting_verb_tied_to_no_one_may_be_the_partys():
    # "He assured monks and nuns that they could break their vows" for "what did Luther tell monks …"
    assert is_asked_speaker("luther".split(), None)
    assert not is_asked_speaker("luther".split(), "Pope Leo X")
