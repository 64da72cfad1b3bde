"""Acronyms the corpus defines for itself (retrieval/ranking/acronyms.py), read both ways."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.answering.answerer import Answerer
from retrieval.corpus.articles import build_article
from retrieval.corpus.collection import Corpus
from retrieval.ranking.acronyms import article_phrases, long_forms
from retrieval.ranking.index import PassageIndex


def forms(text: str, acronym: str) -> dict[str, bool]:
    return long_forms(article_phrases(text), acronym)


def test_a_long_form_is_a_capitalised_phrase_spelling_the_acronym():
    assert forms("The Football Association (FA) said.", "FA") == {"Football Association": True}
    assert forms("the Food and Drug Administration approved it", "FDA") == {"Food and Drug Administration": False}
    assert forms("shares in the London Stock Exchange's owner", "LSE") == {"London Stock Exchange": False}
    # Written out once in brackets and once plainly, the article counts once, as defining it.
    assert forms("The Football Association (FA) met. The Football Association said.", "FA") == {
        "Football Association": True
    }
    assert forms("members of the Football Association (the FA)", "FA") == {"Football Association": True}


def test_no_long_form_across_a_sentence_a_title_or_a_run_of_capitals():
    assert forms("It was the Final. Analysts said so.", "FA") == {}
    assert forms("Mr Prescott said", "MP") == {}
    assert forms("Mr Michael Portillo, the MP", "MP") == {}
    assert forms("FOOTBALL ASSOCIATION", "FA") == {}


def _library(*bodies: str) -> Answerer:
    articles = [build_article(f"a{i}", body, {}) for i, body in enumerate(bodies)]
    return Answerer(PassageIndex.build(Corpus.from_articles(articles)), today=lambda: date(2026, 12, 1))


FA_ARTICLES = (
    "Mourinho escapes charge\n\nJose Mourinho will not face Football Association action over his comments.\n\n"
    "The FA said it had studied the remarks.",
    "Club fined\n\nThe FA fined the club. A Football Association spokesman confirmed the fine.",
    "Weather\n\nRain is expected in the north on Friday, with sunshine later.",
)


def test_an_acronym_in_the_question_finds_the_passage_that_writes_it_out():
    answerer = _library(*FA_ARTICLES)
    answer = answerer.answer("is mourinho getting an FA charge?")
    assert answer.passages[0].text.startswith("Jose Mourinho will not face Football Association action")
    assert "Read “FA” as “Football Association”." in [c.text for c in answer.caveats if c.kind == "reading"]


def test_a_long_form_in_the_question_also_finds_the_acronym():
    answerer = _library(
        "Bid rejected\n\nThe LSE rejected the offer from Deutsche Boerse.",
        "Shares up\n\nShares in the London Stock Exchange rose. The LSE said trading was strong.",
        "Bid talks\n\nThe London Stock Exchange (LSE) met bidders again.",
        "Bread\n\nThe bakery made an offer for a shop.",
    )
    answer = answerer.answer("did the london stock exchange turn down the offer", k=5)
    assert answerer.read("did the london stock exchange turn down the offer").stands_for["lse"] == (
        ("london", "stock", "exchang"),
        False,
    )
    shown = [p.text for p in answer.passages]
    assert shown.index("The LSE rejected the offer from Deutsche Boerse.") < shown.index(
        "The bakery made an offer for a shop."
    )
    # Two words spell too many two-letter acronyms by chance: no "FA" for "football association".
    assert "fa" not in _library(*FA_ARTICLES).read("what did the football association say").stands_for


@pytest.mark.parametrize(
    "bodies",
    [
        # One article with both forms, no brackets: too little to tell a name from a coincidence.
        ("Club fined\n\nThe FA fined the club. A Football Association spokesman confirmed the fine.",),
        # A word that headlines shout is no acronym where the corpus mostly writes it as a word: "ICE"
        # of "SEA ICE MELTS" is the ice of the text, though the articles name a body with those initials.
        tuple(
            f"SEA ICE MELTS IN {place}\n\nThe ice is thin in {place}. Immigration and Customs Enforcement staff left."
            for place in ("Alaska", "Maine")
        )
        + tuple(f"Winter\n\nThe ice on the lake was thick in {year}." for year in (2019, 2020, 2021)),
    ],
)
def test_no_reading_without_enough_evidence(bodies):
    answerer = _library(*bodies)
    assert answerer.read("what did the fa say about sea ice").stands_for == {}


def test_a_bracketed_definition_is_enough_in_one_article():
    answerer = _library("Space\n\nThe International Space Station (ISS) will retire in 2030, NASA said.")
    assert answerer.read("when will the ISS retire").stands_for["station"] == (("iss",), False)


def test_a_definition_in_brackets_outweighs_names_that_share_the_initials():
    answerer = _library(
        "Derby\n\nSir Alex Ferguson and Arsene Wenger clashed again, and the FA looked into it.",
        "Touchline\n\nSir Alex Ferguson and Arsene Wenger shook hands; the FA welcomed it.",
        "Rules\n\nThe Football Association (FA) changed its rules on touchline bans.",
    )
    stands_for = answerer.read("what did the FA say").stands_for
    assert stands_for.get("footbal") == (("fa",), False) and "ferguson" not in stands_for


def test_a_stemmed_word_is_not_read_as_an_acronym():
    # "SARS" is analysed "sar"; SAR, the Special Administrative Region, is another matter.
    answerer = _library(
        "Hong Kong\n\nHong Kong is a Special Administrative Region (SAR) of China. The SAR has its own laws.",
        "Virus\n\nSARS spread from Guangdong to Hong Kong in 2003.",
    )
    assert "special" not in answerer.read("how did SARS spread").stands_for
    assert answerer.read("what is the SAR").stands_for.get("special") == (("sar",), False)


def test_the_reading_names_the_phrase_even_where_its_first_word_comes_earlier_alone():
    answerer = _library(
        *FA_ARTICLES,
        "Protest\n\nFootball supporters protested outside the Football Association headquarters.",
    )
    answer = answerer.answer("did fans protest at the FA", k=5)
    assert any(p.text.startswith("Football supporters protested") for p in answer.passages)
    readings = [c.text for c in answer.caveats if c.kind == "reading"]
    assert readings == ["Read “FA” as “Football Association”."]


def test_a_long_form_that_starts_with_the_acronyms_letters_is_still_named():
    answerer = _library(
        "Fine\n\nThe Securities and Exchange Commission fined the bank $5m on Monday.",
        "Probe\n\nThe SEC opened a probe. A Securities and Exchange Commission lawyer led it.",
        "Filing\n\nThe bank told the SEC about the fine. The Securities and Exchange Commission agreed.",
    )
    answer = answerer.answer("did the SEC fine the bank")
    assert any(p.text.startswith("The Securities and Exchange Commission fined the bank") for p in answer.passages)
    assert "Read “SEC” as “Securities and Exchange Commission”." in [
        c.text for c in answer.caveats if c.kind == "reading"
    ]
