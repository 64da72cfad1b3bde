"""The kind of value a question asks for, and passages that hold one or not."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.relevance.asked_value import (
    COUNT,
    MONEY,
    SPEECH,
    TIME,
    asked_speaker,
    asked_value,
    holds_value,
    missing_value,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how much did beijing spend building the tiangong station?", MONEY),
        ("How much are tickets for the musical?", MONEY),
        ("whats the price of the new phone", MONEY),
        ("how many nests have been destroyed this year?", COUNT),
        ("how much rain fell in derna", COUNT),
        ("When will the new runway open?", TIME),
        ("so when did he resign", TIME),
        ("in what year did the war start?", TIME),
        ("how long did the strike last", TIME),
        ("what did walmart's boss say about the gun settlement?", SPEECH),
        ("what has the kremlin said about the talks", SPEECH),
        ("does anyone know how much tickets cost", MONEY),
        # a change is given as a share as often as a sum: any number answers it
        ("How much did UK natural gas prices rise in the year to July?", COUNT),
        # no particular kind of value
        ("How did Merck's shares react to the Vioxx news?", None),  # a market, not someone's words
        ("What does the new drone law say about airports?", None),  # what a document holds
        ("How long was the pit where the farmer buried his sheep?", None),  # a length
        ("When Putin met Kim what did they discuss?", None),  # a condition, then the question
        ("Why does Trump care so much about how much Canada pays", None),  # asks why
        ("Why did Trump say he would not be doing the debates?", None),
        ("why do t cells matter more than antibodies for how long protection lasts?", None),
        ("When imperialism changes a state's norms, what is it called?", None),
        ("Did North Korea send arms?", None),
        ("who paid for the stadium?", None),
    ],
)
def test_the_kind_of_value_a_question_asks_for(question, kind):
    assert asked_value(question) == kind


@pytest.mark.parametrize(
    ("kind", "text", "held"),
    [
        (MONEY, "The musical cost £3m to stage.", True),
        (MONEY, "Tickets start at 45 dollars.", True),
        (MONEY, "Entry is free for children.", True),
        (MONEY, "The deal was worth 2bn euros.", True),
        (MONEY, "The 8,500-year-old village lies under the lake.", False),
        (MONEY, "30. Tiger Woods (57 points)", False),
        (COUNT, "Three nests were found in Kent.", True),
        (COUNT, "Nests were found in East Sussex, Kent and Devon.", False),
        (TIME, "The runway should open in 2030.", True),
        (TIME, "Kim left Pyongyang on Sunday evening.", True),
        (TIME, "It reopens in March.", True),
        (TIME, "It reopened two weeks ago.", True),
        (MONEY, "The drug costs 10 Swiss francs a dose.", True),
        (MONEY, "It raised USD 5 million.", True),
        (COUNT, "Nobody was hurt.", True),
        (TIME, "The strike lasted for a month.", True),
        (TIME, "Polls close at 21:00.", True),
        (TIME, "Tickets are $5 a day.", False),  # a rate, not a date
        # "may" and "march" as words, "every year" as a frequency: no date
        (TIME, "Protesters may march on the airport, which 50m passengers will use every year.", False),
    ],
)
def test_whether_a_passage_holds_that_kind_of_value(kind, text, held):
    assert holds_value(kind, text) is held


def test_a_question_asking_for_no_value_is_held_by_any_passage():
    assert holds_value(None, "Anything at all.")


def test_someones_words_are_held_only_where_attribution_says_so():
    # the text alone cannot tell: trust/ reads who speaks, and without its word nobody does
    assert not holds_value(SPEECH, "“It hurt,” Tiger Woods said.")
    assert holds_value(SPEECH, "“It hurt,” Tiger Woods said.", reports_speech=True)


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("what did taylor swift herself say about dating travis kelce?", ("taylor", "swift", "herself")),
        ("so what has the Bank of England said about rates", ("the", "Bank", "of", "England")),
        ("what did walmart's boss tell investors", ("walmart's", "boss")),
        ("what did they say", ("they",)),
        ("how much did putin say it cost?", ()),  # asks an amount, not whose words
        ("what does the law say about drones?", ()),  # what a document holds
        ("did biden say anything?", ()),
    ],
)
def test_the_words_naming_whom_a_what_did_x_say_question_asks_about(question, words):
    assert asked_speaker(question) == words


def test_what_a_related_reply_says_is_missing():
    assert missing_value(MONEY) == "None of them gives an amount of money."
    assert missing_value(MONEY, ("putin",)) == "None of them gives an amount of money."
    assert missing_value(SPEECH) == "None of them reports what someone said."
    assert missing_value(SPEECH, ("the", "lib", "dems")) == "None of them reports what the lib dems said."


def _answerer(texts: dict[str, str]):
    from retrieval.answering.answerer import Answerer, Candidate
    from retrieval.corpus.articles import build_article
    from retrieval.corpus.collection import Corpus
    from retrieval.ranking.index import PassageIndex
    from retrieval.relevance.confidence import default_model

    articles = [build_article(name, text, {}) for name, text in texts.items()]
    answerer = Answerer(PassageIndex.build(Corpus.from_articles(articles)), today=lambda: date(2026, 12, 1))
    # Each passage set well above the answer bar by hand, so the rule is tested apart from the fitted model.
    above = min(0.99, default_model().answer_at + 0.3)
    answerer._candidates = lambda reading: [  # noqa: SLF001
        Candidate(i, 10.0 - i, above - i / 100) for i in range(len(answerer.corpus.passages))
    ]
    return answerer


def test_a_how_much_question_is_not_answered_by_a_passage_without_an_amount():
    answerer = _answerer(
        {"station": "Space station\n\nChina built the Tiangong space station over two years with three modules."}
    )
    answer = answerer.answer("how much did china spend building the tiangong station?")
    # On the matter, so still shown, but as related, saying what the passage lacks.
    assert answer.confidence == "related" and not answer.confident
    assert [p.id for p in answer.passages] == ["station#p1"]
    assert answer.caveats[0].kind == "low_confidence"
    assert answer.caveats[0].text.endswith("None of them gives an amount of money.")


def test_the_passage_with_the_amount_answers_and_comes_first():
    answerer = _answerer(
        {
            "station": "Space station\n\nChina built the Tiangong space station over two years with three modules.",
            "budget": "Budget\n\nChina spent $8bn building the Tiangong station, officials said.",
        }
    )
    answer = answerer.answer("how much did china spend building the tiangong station?")
    assert answer.confidence == "answer" and answer.confident
    assert [p.id for p in answer.passages] == ["budget#p1", "station#p1"]
    assert all(c.kind != "low_confidence" for c in answer.caveats)


def test_a_question_asking_for_no_value_is_answered_as_before():
    answerer = _answerer(
        {"station": "Space station\n\nChina built the Tiangong space station over two years with three modules."}
    )
    answer = answerer.answer("what did china build in space?")
    assert answer.confidence == "answer"


def test_a_what_did_they_say_question_is_answered_by_a_passage_that_reports_someone():
    answerer = _answerer(
        {
            "game": "Game\n\nTiger Woods limped through the first round of the championship on Thursday.",
            "quote": "Quote\n\n“It hurt, but I got through the first round,” Tiger Woods said of his limp.",
        }
    )
    answer = answerer.answer("what did tiger woods say about his limp after the first round?")
    assert answer.confidence == "answer"
    assert [p.id for p in answer.passages] == ["quote#p1", "game#p1"]
    assert answer.passages[0].speaker == "Tiger Woods"


_SWIFT = "Swift\n\nTravis Kelce has said he is happy. “Taylor Swift is the best thing that happened to me,” Kelce said."
_SWIFT_OWN = "Own words\n\n“I am very happy dating Travis Kelce,” Taylor Swift said in an interview."


def test_someone_elses_words_do_not_answer_what_the_named_party_said():
    answer = _answerer({"kelce": _SWIFT}).answer("what did taylor swift herself say about dating travis kelce?")
    assert answer.confidence == "related"
    assert answer.passages[0].speaker == "Travis Kelce"
    assert answer.caveats[0].text.endswith("None of them reports what taylor swift herself said.")


def test_the_named_partys_own_words_answer_and_come_first():
    answerer = _answerer({"kelce": _SWIFT, "swift": _SWIFT_OWN})
    answer = answerer.answer("what did taylor swift herself say about dating travis kelce?")
    assert answer.confidence == "answer"
    assert [p.speaker for p in answer.passages] == ["Taylor Swift", "Travis Kelce"]


def test_a_party_named_by_its_role_is_answered_by_whoever_the_article_names():
    answerer = _answerer({"boss": "Walmart\n\n“Sales were strong,” Doug McMillon, its chief executive, said."})
    answer = answerer.answer("what did walmart's boss tell investors about sales?")
    assert answer.confidence == "answer"
    assert answer.passages[0].speaker == "Doug McMillon"


def test_narration_alone_does_not_answer_what_someone_said():
    answerer = _answerer(
        {"game": "Game\n\nTiger Woods limped through the first round of the championship on Thursday."}
    )
    answer = answerer.answer("what did tiger woods say about his limp after the first round?")
    assert answer.confidence == "related"
    assert answer.caveats[0].text.endswith("None of them reports what tiger woods said.")
    answer = answerer.answer("what did they say about the limp in the first round?")
    assert answer.caveats[0].text.endswith("None of them reports what they said.")


def test_a_value_named_inside_a_yes_no_question_or_a_claim_is_not_asked_for():
    # "Did the council say how much ...?" is answered by a passage saying it would not.
    answerer = _answerer({"council": "Stadium\n\nThe council has refused to say how much the new stadium will cost."})
    answer = answerer.answer("did the council say how much the new stadium will cost?")
    assert answer.confidence == "answer"
    claim = answerer.answer_claim("the council won't say how much the new stadium will cost")
    assert claim.confidence == "answer"


def test_passages_held_below_the_bar_keep_their_order():
    from retrieval.answering.answerer import Candidate

    answerer = _answerer({"fuel": "Fuel\n\nPetrol prices went up sharply this spring.\n\nDiesel went up as well."})
    answerer._candidates = lambda reading: [  # noqa: SLF001
        Candidate(1, 9.0, 0.75),  # the higher score, the lower probability
        Candidate(0, 5.0, 0.95),
    ]
    answer = answerer.answer("how many times did petrol prices go up?")
    assert answer.confidence == "related"
    assert [p.id for p in answer.passages] == ["fuel#p1", "fuel#p2"]
