"""Ranking on the seed, the relevance threshold, caveats and the JSON contract."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from retrieval.evaluation.metrics import evaluate, normalize_for_match, read_questions
from retrieval.trust.caveats import age
from tests.conftest import shared_path

OFFTOPIC = [
    line
    for line in (Path(__file__).parent / "data" / "offtopic_questions.txt").read_text("utf-8").splitlines()
    if line and not line.startswith("#")
]


def texts(answer) -> list[str]:
    return [normalize_for_match(p.text) for p in answer.passages]


@pytest.mark.parametrize(
    ("question", "snippet"),
    [
        ("Who is Dmitry Peskov?", "kremlin spokesman dmitry peskov"),
        ("What site did the two leaders visit?", "vostochny cosmodrome"),
        ("When did Kim leave Pyongyang?", "sunday evening"),
        ("Did the two leaders shake hands?", "shook hands"),
        ("Which UN resolution forbids buying North Korean weapons?", "2009 united nations security resolution"),
        ("Is North Korea testing short range missiles?", "short-range ballistic missiles"),
    ],
)
def test_seed_questions_find_their_passage_first(seed_library, question, snippet):
    answer = seed_library.answer(question)
    assert answer.confident
    assert snippet in texts(answer)[0]


def test_mission_example_shows_the_accusation_and_the_missing_evidence_together(seed_library):
    answer = seed_library.answer("Did North Korea send arms?")
    joined = " | ".join(texts(answer))
    assert "accused north korea of providing arms" in joined
    assert "have not seen any public evidence" in joined
    accusation = next(p for p in answer.passages if "accused North Korea" in p.text)
    assert "it is not clear" in accusation.hedges
    conflict = next(c for c in answer.caveats if c.kind == "conflict")
    assert accusation.id in conflict.passages
    assert "SIPRI" in conflict.text or "Wezeman" in conflict.text
    # ¶22's "North Korean arms" matched through the demonym: a form of the name asked, not a reading
    # of the question worth a caveat (the README shows this answer's caveats).
    assert [c.kind for c in answer.caveats] == ["conflict", "hedge", "single_source", "date"]


def test_seed_dev_set(seed_library):
    report = evaluate(read_questions(shared_path("eval", "seed_dev.jsonl")), seed_library.answer)
    figures = report.figures()
    assert figures["hit@3"] >= 0.95, report.failures
    assert figures["no_match_accuracy"] == 1.0, report.failures
    assert figures["caveat_accuracy"] == 1.0, report.failures


def test_offtopic_questions_get_no_match_on_the_seed(seed_library):
    answers = [seed_library.answer(question) for question in OFFTOPIC]
    assert not any(a.confident for a in answers)
    # Measured 29 of 30 `none`, 1 `related` (they are fit data of the confidence model: bench/fit_confidence.py).
    refused = [a for a in answers if a.confidence == "none"]
    assert len(refused) >= 28
    for answer in refused:
        assert not answer.passages and answer.caveats[0].kind == "no_match"
        assert answer.caveats[0].text.startswith("Nothing in the corpus answers this")
    for answer in answers:
        if answer.confidence == "related":
            assert answer.caveats[0].kind == "low_confidence"


def test_threshold_holds_on_the_seed_plus_818_news_articles(news_and_seed_library):
    answers = [news_and_seed_library.answer(q) for q in OFFTOPIC]
    # Never shown as an answer; most are `none`, the others `related`.
    # Measured 4 of 30 shown as `answer` (9 before the confidence model), the rest none or related.
    assert sum(a.confident for a in answers) <= 4
    answerable = [q for q in read_questions(shared_path("eval", "seed_dev.jsonl")) if q["answerable"]]
    shown = [news_and_seed_library.answer(q["question"]).confidence for q in answerable]
    assert shown.count("none") == 0


def test_mission_example_keeps_its_conflict_over_seed_and_818_news(news_and_seed_library):
    answer = news_and_seed_library.answer("Did North Korea send arms?")
    joined = " | ".join(texts(answer))
    assert "accused north korea of providing arms" in joined and "it is not clear" in joined
    assert "have not seen any public evidence" in joined
    conflict = next(c for c in answer.caveats if c.kind == "conflict")
    assert "SIPRI" in conflict.text or "Wezeman" in conflict.text
    # No passage about another matter (the 2019 nuclear-inventory paragraph) fills a stance slot.
    assert "inventory" not in joined and "economic benefit" not in joined


def test_every_passage_is_verbatim_and_answers_never_raise(seed_library):
    article_text = " ".join(seed_library.corpus.articles[0].paragraphs)
    for question in ["", "   ", "?", "🙂", "the of and", "@everyone <@&1> ```code```", "x" * 5000, "\u202eevil\u200b"]:
        answer = seed_library.answer(question)
        assert not answer.confident
    for p in seed_library.answer("What did Putin and Kim discuss?", k=10).passages:
        assert p.text in article_text and len(p.text) <= 700


def test_more_passages_continue_without_repeating(seed_library):
    first = seed_library.answer("Did North Korea send arms?", k=3)
    more = seed_library.answer("Did North Korea send arms?", k=3, offset=3)
    assert {p.id for p in first.passages}.isdisjoint(p.id for p in more.passages)


def test_json_contract(seed_library):
    payload = json.loads(json.dumps(seed_library.answer("Who is Fyodor Tertitskiy?").to_dict()))
    assert set(payload) == {"question", "confident", "confidence", "passages", "caveats"}
    assert payload["confidence"] == "answer" and payload["confident"] is True
    passage = payload["passages"][0]
    assert set(passage) == {
        "id",
        "text",
        "score",
        "paragraph",
        "article",
        "also_in",
        "speaker",
        "cue",
        "hedges",
        "stance",
    }
    assert set(passage["article"]) == {"id", "title", "source", "url", "published"}
    assert passage["article"]["source"] == "Euronews" and passage["stance"] is None
    assert all(set(c) == {"kind", "text", "passages"} for c in payload["caveats"])


def test_single_source_and_date_caveats(seed_library):
    answer = seed_library.answer("Who is Dmitry Peskov?")
    kinds = {c.kind: c for c in answer.caveats}
    assert "one article" in kinds["single_source"].text
    assert kinds["date"].text == "Published 13 September 2023, over three years ago."


@pytest.mark.parametrize(
    ("then", "today", "expected"),
    [
        ("2023-09-13", date(2026, 11, 28), "over three years ago"),
        ("2023-09-13", date(2024, 9, 13), "one year ago"),
        ("2023-09-13", date(2023, 9, 13), "today"),
        ("2023-09-13", date(2023, 9, 16), "three days ago"),
        ("2023-09-13", date(2023, 10, 5), "three weeks ago"),
        ("2023-09-13", date(2024, 2, 20), "over five months ago"),
        ("2023-09-13", date(2023, 9, 1), "dated in the future"),
    ],
)
def test_age_reads_like_a_person(then, today, expected):
    assert age(then, today) == expected


def test_a_one_article_corpus_answers_a_question_it_holds(seed_library):
    # On one article no other article competes: the margin over the next passage used to read as
    # doubt and this was `related` (fit data now holds one- to five-article corpora).
    answer = seed_library.answer("Where did Putin and Kim meet?")
    assert answer.confidence == "answer" and answer.confident
    assert any("met his North Korean counterpart in eastern Russia" in p.text for p in answer.passages)


def test_a_third_passage_of_one_article_gives_way_only_to_another_article_of_its_level():
    from retrieval.answering.answerer import at_most_per_article

    # (article, level), best first: three answering passages of a, then c's (answering) and b's (below related)
    items = [("a", 2), ("a", 2), ("a", 2), ("c", 2), ("b", 0)]
    article, level = (lambda item: item[0]), (lambda item: item[1])
    # with levels: c (same level) takes a's third place, b (lower) does not
    assert at_most_per_article(items, article, 3, 2, level)[:3] == [("a", 2), ("a", 2), ("c", 2)]
    without_c = [items[0], items[1], items[2], items[4]]
    assert at_most_per_article(without_c, article, 3, 2, level)[:3] == [("a", 2), ("a", 2), ("a", 2)]
    # without levels any other article takes the place
    assert at_most_per_article(without_c, article, 3, 2)[:3] == [("a", 2), ("a", 2), ("b", 0)]


def _stance_answer(probabilities: dict[str, float]):
    """Three articles on one matter; the candidates' probabilities are set by hand (passage id -> p),
    so the stance rule is tested apart from the fitted model."""
    from retrieval.answering.answerer import Answerer, Candidate
    from retrieval.corpus.articles import build_article
    from retrieval.corpus.collection import Corpus
    from retrieval.ranking.index import PassageIndex

    articles = [
        build_article(
            "a",
            "Arms talk\n\nOfficials said North Korea has sent arms to Russia for the war."
            "\n\nThe officials said the arms North Korea sent to Russia were shells.",
            {},
        ),
        build_article(
            "b",
            "Deliveries\n\nIt is not clear if North Korea has sent any arms to Russia so far."
            "\n\nResearchers at the institute have not seen any public evidence of deliveries of arms to Russia.",
            {},
        ),
        build_article("c", "Other\n\nNorth Korea denied it had hidden arms from inspectors in 2019.", {}),
    ]
    answerer = Answerer(PassageIndex.build(Corpus.from_articles(articles)), today=lambda: date(2026, 12, 1))
    ids = [p.id for p in answerer.corpus.passages]
    ranked = sorted(probabilities, key=lambda i: -probabilities[i])
    answerer._candidates = lambda reading: [  # noqa: SLF001
        Candidate(ids.index(i), 10.0 - n, probabilities[i]) for n, i in enumerate(ranked)
    ]
    return answerer.answer("Has North Korea sent arms to Russia?", k=3)


def test_the_other_side_comes_from_an_article_shown_under_an_answer_never_from_a_bystander():
    from retrieval.relevance.confidence import default_model

    answer_at = default_model().answer_at
    # a answers twice; b's "not clear" is shown beside it just below answer level (more than half as
    # probable as a's best); c merely shares words and says "denied".
    top, near = answer_at + 0.05, answer_at - 0.05
    answer = _stance_answer({"a#p1": top, "a#p2": top - 0.01, "b#p1": near, "c#p1": near - 0.01})
    assert answer.confidence == "answer"
    # b is shown as part of the answer, so its other paragraph (the missing evidence) takes the place of
    # a's second "asserted"; c's "denied" is about another matter and never does.
    assert [p.id for p in answer.passages] == ["a#p1", "b#p1", "b#p2"]
    assert [p.stance for p in answer.passages] == ["asserted", "uncertain", "denied"]


def test_a_filler_shown_beside_the_answer_at_the_related_bar_lends_no_other_side():
    from retrieval.relevance.confidence import default_model

    answer_at, related_at = default_model().answer_at, default_model().related_at
    # b's paragraph fills the third place only because nothing else does: under a twentieth of a's
    # probability, it shares words with the question rather than being about it.
    top = min(0.99, answer_at + 0.3)
    answer = _stance_answer({"a#p1": top, "a#p2": top - 0.01, "b#p1": max(related_at, top / 20)})
    assert answer.confidence == "answer"
    assert [p.id for p in answer.passages] == ["a#p1", "a#p2", "b#p1"]


def test_the_likeliest_passage_never_gives_way_to_another_stance():
    from types import SimpleNamespace

    from retrieval.answering.answerer import _with_both_sides

    def passage(id_: str, article: str, stance: str):
        return SimpleNamespace(id=id_, article=SimpleNamespace(id=article), stance=stance)

    # a holds the first two places, so "each article keeps its voice" would pick a's first passage
    # to make room for the denial; the first place is the likeliest answer and stays.
    ranked = [passage("a1", "a", "asserted"), passage("a2", "a", "uncertain"), passage("b1", "b", "asserted")]
    denial = passage("c1", "c", "denied")
    assert [p.id for p in _with_both_sides([*ranked, denial], 3)] == ["a1", "a2", "c1", "b1"]
    # below the first place, a passage whose article is shown twice still gives way before a lower one
    ranked = [passage("a1", "a", "asserted"), passage("a2", "a", "asserted"), passage("b1", "b", "asserted")]
    assert [p.id for p in _with_both_sides([*ranked, denial], 3)] == ["a1", "b1", "c1", "a2"]


def test_under_a_related_reply_no_other_paragraph_is_drawn_in():
    from retrieval.relevance.confidence import default_model

    related = (default_model().answer_at + default_model().related_at) / 2
    answer = _stance_answer({"a#p1": related, "a#p2": related * 0.95, "b#p1": related * 0.9, "c#p1": related * 0.8})
    assert answer.confidence in ("related", "none")
    assert "b#p2" not in [p.id for p in answer.passages]


def test_a_negation_about_another_matter_does_not_dispute_the_question():
    from retrieval.answering.answerer import Answerer, Candidate
    from retrieval.corpus.articles import build_article
    from retrieval.corpus.collection import Corpus
    from retrieval.ranking.index import PassageIndex
    from retrieval.relevance.confidence import default_model

    articles = [
        build_article(
            "a",
            "Grain\n\nRussia pulled out of the grain deal on Monday. Moscow said its demands on fertiliser "
            "exports had not been met.\n\nThe Kremlin later said Russia had not left the grain deal.",
            {},
        ),
    ]
    answerer = Answerer(PassageIndex.build(Corpus.from_articles(articles)), today=lambda: date(2026, 12, 1))
    above = min(0.99, default_model().answer_at + 0.3)
    answerer._candidates = lambda reading: [  # noqa: SLF001
        Candidate(i, 10.0 - i, above - i / 100) for i in range(len(answerer.corpus.passages))
    ]
    answer = answerer.answer("Did Russia pull out of the grain deal?", k=3)
    # "had not been met" is Moscow's reason, not a denial that it left; "had not left the grain deal" is one.
    assert [(p.id, p.stance) for p in answer.passages] == [("a#p1", "asserted"), ("a#p2", "denied")]


@pytest.mark.parametrize("with_denial", [False, True])
def test_the_other_side_drawn_from_an_answering_article_is_about_the_claim(with_denial: bool):
    from retrieval.answering.answerer import Answerer, Candidate
    from retrieval.corpus.articles import build_article
    from retrieval.corpus.collection import Corpus
    from retrieval.ranking.index import PassageIndex
    from retrieval.relevance.confidence import default_model

    paragraphs = [
        "Officials said North Korea has sent arms to Russia for the war.",
        "Officials said the arms North Korea sent to Russia were shells.",
        "Russia did not hold the parade this year.",  # shares a name, says nothing of the claim
    ] + (["North Korea has not sent arms to Russia, its envoy said."] if with_denial else [])
    article = build_article("a", "Arms\n\n" + "\n\n".join(paragraphs), {})
    answerer = Answerer(PassageIndex.build(Corpus.from_articles([article])), today=lambda: date(2026, 12, 1))
    above = min(0.99, default_model().answer_at + 0.3)
    answerer._candidates = lambda reading: [  # noqa: SLF001
        Candidate(0, 10.0, above),
        Candidate(1, 9.0, above - 0.01),
    ]
    answer = answerer.answer("Has North Korea sent arms to Russia?", k=3)
    other_side = [("a#p4", "denied")] if with_denial else []
    assert [(p.id, p.stance) for p in answer.passages][2:] == other_side
