"""Library.joined: a server's articles beside the base answer exactly as one corpus of both.

The oracles are rank-bm25 over the concatenated analysed passages (scores, top-k, idf) and
`Library.from_articles(base articles + server articles)` (whole answers), built from scratch.
"""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest
from rank_bm25 import BM25Plus

from retrieval.answering.library import Library
from retrieval.corpus.articles import Article, build_article
from retrieval.corpus.collection import Corpus, short_key
from retrieval.ranking.fuzzy import FuzzyVocabulary
from tests.conftest import FIXED_TODAY, shared_path


def article(article_id: str, title: str, *paragraphs: str, source: str | None = None) -> Article:
    return build_article(
        article_id,
        "\n\n".join(paragraphs),
        {"title": title, "source": source, "published": "2023-09-01"},
        title_in_body=False,
    )


BASE = [
    article(
        "storm",
        "Hurricane Idalia reaches Florida",
        "Hurricane Idalia made landfall near Keaton Beach on Wednesday morning with winds of 125 mph.",
        "Officials said the storm surge could reach 16 feet in parts of the Big Bend region.",
        "Thousands of residents were ordered to evacuate before the hurricane arrived.",
        source="USA Today",
    ),
    article(
        "summit",
        "Putin meets Kim at the cosmodrome",
        "Vladimir Putin and Kim Jong Un met at the Vostochny cosmodrome in Russia's far east.",
        "The US has previously accused North Korea of providing arms, though it is not clear if any deliveries "
        "have been made.",
        "Officials said the storm surge could reach 16 feet in parts of the Big Bend region.",  # repeats storm's
        source="Euronews",
    ),
    article(
        "rates",
        "Central bank holds interest rates",
        "The central bank kept its main interest rate unchanged at 5.25 percent on Thursday.",
        "Economists had expected the pause after inflation slowed for a third month.",
        source="Reuters",
    ),
]
SERVER = [
    article(
        "club-news",
        "Chess club tournament results",
        "The chess club tournament ended with Maria winning all seven rounds against strong opponents.",
        "The hurricane forced the club to postpone its autumn tournament by a week.",
        "Thousands of residents were ordered to evacuate before the hurricane arrived.",  # repeats the base's
    ),
    article(
        "club-rules",
        "New membership rules for the chess club",
        "Members must renew their membership before October; the club reportedly plans to raise fees.",
        "The chess club tournament ended with Maria winning all seven rounds against strong opponents.",  # own repeat
    ),
]
QUESTIONS = [
    "Did North Korea send arms?",
    "Who won the chess tournament?",
    "hurricane evacuation",
    "When did the hurricane make landfall?",
    "Did the club raise membership fees?",
    "interest rate inflation",
    "storm surge feet",
    "tournamnet postponed",  # a misspelling only the server's vocabulary corrects
    "What did the bank do?",
    "penguins on the moon",
]


@pytest.fixture(scope="module")
def base() -> Library:
    return Library.from_articles(BASE, today=lambda: FIXED_TODAY)


@pytest.fixture(scope="module")
def joined(base: Library) -> Library:
    return base.joined(SERVER)


@pytest.fixture(scope="module")
def whole() -> Library:
    return Library.from_articles(BASE + SERVER, today=lambda: FIXED_TODAY)


def analysed(library: Library) -> list[list[str]]:
    return [library.index.passage_terms(i) for i in range(library.index.size)]


def test_scores_and_top_k_equal_rank_bm25_over_the_concatenated_passages(joined: Library, whole: Library) -> None:
    docs = analysed(joined)
    assert docs == analysed(whole)  # the same passages in the same order: base first, then the server's
    config = joined.index.config
    reference = BM25Plus(docs, k1=config.k1, b=config.b, delta=config.delta)
    for question in QUESTIONS:
        terms = joined.index.analyzer.terms(question)
        expected = reference.get_scores(terms)
        assert np.array_equal(joined.index.engine.get_scores(terms), expected), question
        matching = [i for i, doc in enumerate(docs) if set(doc) & set(terms)]
        best = sorted(matching, key=lambda i: (-expected[i], i))[:5]
        found = joined.index.search(terms, 5)
        assert [i for i, _ in found] == best, question
        assert [s for _, s in found] == [expected[i] for i in best]
        for term in terms:
            assert joined.index.engine.idf(term) == (reference.idf.get(term) or 0.0)


def test_expanded_search_equals_one_index_over_both(joined: Library, whole: Library) -> None:
    for question in QUESTIONS:
        reading = whole.answerer.read(question)
        assert joined.answerer.read(question) == reading
        for expanded in (reading.expanded, ("chess", "hurrican"), ("unknownword",)):
            found = joined.index.search_expanded(reading.terms, expanded, 0.5, 50)
            assert found == whole.index.search_expanded(reading.terms, expanded, 0.5, 50), (question, expanded)
    for term in ["chess", "hurrican", "storm", "unknownword"]:
        docs = [i for i, doc in enumerate(analysed(whole)) if term in doc]
        assert joined.index.engine.docs_with(term).tolist() == docs == whole.index.engine.docs_with(term).tolist()


def test_statistics_and_vocabulary_are_the_unions(joined: Library, whole: Library, base: Library) -> None:
    docs = analysed(whole)
    vocabulary = list(dict.fromkeys(t for doc in docs for t in doc))  # rank-bm25's first-appearance order
    assert list(joined.index.engine.vocabulary) == vocabulary
    assert len(joined.index.engine.vocabulary) == len(vocabulary)
    # 5 server paragraphs: one repeats the base, one repeats another server article
    assert joined.index.size == len(docs) == len(base.corpus.passages) + 3
    everything = np.arange(len(docs))
    for term in ["hurricane", "chess", "club", "arm", "rate", "unknownword"]:
        term = (joined.index.analyzer.terms(term) or [term])[0]
        df = sum(term in doc for doc in docs)
        assert joined.index.df(term) == df == whole.index.df(term), term
        assert joined.index.relevance_idf(term) == whole.index.relevance_idf(term)
        held = joined.index.engine.contains(term, everything)
        assert held.tolist() == [term in doc for doc in docs]


def test_answers_equal_one_library_over_both(joined: Library, whole: Library) -> None:
    for question in QUESTIONS:
        assert joined.answer(question) == whole.answer(question), question
        assert joined.answer(question, k=2, offset=2) == whole.answer(question, k=2, offset=2), question
    assert joined.answerer.answer_claim("Maria won the chess tournament") == whole.answerer.answer_claim(
        "Maria won the chess tournament"
    )


def test_a_misspelling_of_a_server_word_is_corrected_over_the_union(joined: Library, base: Library) -> None:
    assert base.index.fuzzy.correct("tournamnet") is None
    assert joined.index.fuzzy.correct("tournamnet") == "tournament"
    reading = joined.answerer.read("tournamnet postponed")
    assert "tournament" in reading.stands_for


def test_layered_fuzzy_corrects_as_one_vocabulary_over_both(base: Library) -> None:
    # Two server terms one edit from "storme"-like misspellings, beside the base's "storm" family:
    # the most frequent closest term over the union wins, whichever layer holds it.
    server = [
        article("s1", "Stormy weather", "Stormy stormy stormy weather kept the stormy sailors ashore."),
        article("s2", "Surges", "A surgeon studied the surges; surgeon surgeon surgeon."),
    ]
    joined = base.joined(server)
    whole = Library.from_articles(BASE + server)
    union_df = {t: whole.index.df(t) for t in whole.index.engine.vocabulary}
    one = FuzzyVocabulary(union_df)
    for word in ["stormyy", "surgeonn", "surgess", "hurricanne", "evacuatte", "landfalll", "cosmodrom", "membershop"]:
        assert joined.index.fuzzy.correct(word) == one.correct(word), word


def test_a_text_in_the_base_and_the_server_is_one_result_listing_both(joined: Library, whole: Library) -> None:
    text = "Thousands of residents were ordered to evacuate before the hurricane arrived."
    found = [p for p in joined.corpus.passages if p.text == text]
    assert [p.id for p in found] == ["storm#p3"]
    assert [a.id for a in joined.corpus.also_in.get("storm#p3", ())] == ["club-news"]
    assert joined.corpus.also_in.get("storm#p2") == whole.corpus.also_in.get("storm#p2")  # the base's own
    assert [a.id for a in joined.corpus.also_in["storm#p2"]] == ["summit"]
    own = "The chess club tournament ended with Maria winning all seven rounds against strong opponents."
    assert [p.id for p in joined.corpus.passages if p.text == own] == ["club-news#p1"]
    assert [a.id for a in joined.corpus.also_in["club-news#p1"]] == ["club-rules"]
    assert dict(joined.corpus.also_in) == dict(whole.corpus.also_in)
    answer = joined.answer("Were residents ordered to evacuate before the hurricane?")
    assert [p.id for p in answer.passages].count("storm#p3") == 1
    shown = next(p for p in answer.passages if p.id == "storm#p3")
    assert [a.id for a in shown.also_in] == ["club-news"]


def test_the_base_itself_does_not_see_the_servers_articles(base: Library, joined: Library) -> None:
    assert base.corpus.also_in.get("storm#p3") is None
    assert base.corpus.passage("club-news#p1") is None
    assert all(p.article.id in {"storm", "summit", "rates"} for p in base.answer("chess club tournament").passages)


def test_lookups_by_id_short_key_and_article_cover_both(joined: Library, whole: Library) -> None:
    corpus = joined.corpus
    assert [a.id for a in corpus.articles] == ["storm", "summit", "rates", "club-news", "club-rules"]
    assert [a.id for a in corpus.articles[-2:]] == ["club-news", "club-rules"]
    assert [p.id for p in corpus.passages] == [p.id for p in whole.corpus.passages]
    assert corpus.passages[-1].id == whole.corpus.passages[-1].id
    for p in whole.corpus.passages:
        assert corpus.passage(p.id) == p
        assert corpus.passage_id_for_key(short_key(p.id, p.text)) == p.id
        assert corpus._by_id.get(p.id) == whole.corpus._by_id[p.id]
    assert corpus.passage("club-rules#p2") is None  # a repeat is not indexed, as in one corpus
    assert corpus.passage_id_for_key(short_key("club-news#p1", "another text")) is None
    for a in BASE + SERVER:
        assert corpus.article_passages(a.id) == whole.corpus.article_passages(a.id)
    assert corpus.context("club-news#p2") == whole.corpus.context("club-news#p2")
    assert corpus.context("rates#p1") == whole.corpus.context("rates#p1")
    for p in whole.corpus.passages:
        assert joined.answerer.describe(p.id) == whole.answerer.describe(p.id)


def test_an_article_id_already_in_the_base_is_left_out_and_named(base: Library) -> None:
    clash = article("rates", "Another rates story", "The chess club tournament moved to a bigger hall.")
    joined = base.joined([clash, SERVER[1]])
    assert [a.id for a in joined.corpus.articles] == ["storm", "summit", "rates", "club-rules"]
    assert [p.reason for p in joined.problems] == ["article id 'rates' is already used"]
    assert joined.corpus.article_passages("rates") == base.corpus.article_passages("rates")
    only_clash = base.joined([clash])
    assert [p.reason for p in only_clash.problems] == ["article id 'rates' is already used"]
    assert only_clash.index.engine is base.index.engine and list(only_clash.corpus.articles) == list(BASE)
    assert only_clash.footprint() < 2_000  # nothing of its own: the base is not counted


def test_joining_a_joined_library_joins_the_base_with_both(base: Library, whole: Library) -> None:
    twice = base.joined(SERVER[:1]).joined(SERVER[1:])
    assert twice.base is base
    assert [p.id for p in twice.corpus.passages] == [p.id for p in whole.corpus.passages]
    for question in QUESTIONS[:4]:
        assert twice.answer(question) == whole.answer(question)


def test_a_server_repeating_only_base_text_answers_like_the_base_with_its_article_listed(base: Library) -> None:
    copy = article("copy", "A copy", "Economists had expected the pause after inflation slowed for a third month.")
    joined = base.joined([copy])
    assert joined.index.engine is base.index.engine  # nothing new to index: N and df are the base's
    assert [a.id for a in joined.corpus.also_in["rates#p2"]] == ["copy"]
    assert joined.answer("Did economists expect the pause?") == Library.from_articles(BASE + [copy]).answer(
        "Did economists expect the pause?"
    )


def _many(n: int, prefix: str) -> list[Article]:
    return [
        article(
            f"{prefix}{i}",
            f"Report {i} on the regional council",
            f"Council meeting {i} discussed the budget for road {i} and the bridge over river {i * 7}.",
            f"Residents of district {i} asked for a new school and a bus line number {i + 3}.",
        )
        for i in range(n)
    ]


def _retained_by_join(base: Library, server: list[Article]) -> tuple[int, Library]:
    base.joined(server)  # the base's lazily built lookups (vocabulary for corrections, text digests) first
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        joined = base.joined(server)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before, joined


def test_joining_costs_the_servers_passages_not_the_bases() -> None:
    server = _many(20, "srv")
    small, _ = _retained_by_join(Library.from_articles(_many(300, "a")), server)
    large, joined = _retained_by_join(Library.from_articles(_many(3000, "a")), server)
    # A copy of the base's per-passage dicts would grow ~10x with the base (6,000 passages: > 500 KB).
    assert large < 1.5 * small + 50_000, (small, large)
    assert large < 400_000
    assert joined.footprint() < 2 * 2**20


def test_footprint_counts_the_servers_passages() -> None:
    base = Library.from_articles(_many(200, "a"))
    assert 2 * base.joined(_many(10, "s")).footprint() < base.joined(_many(40, "s")).footprint()


def test_real_news_beside_a_real_base_answers_as_one_corpus() -> None:
    def read(name: str, n: int, prefix: str) -> list[Article]:
        out = []
        with shared_path("corpora", name).open(encoding="utf-8") as lines:
            for i, line in zip(range(n), lines, strict=False):
                record = json.loads(line)
                meta = {"title": record.get("title") or "untitled", "source": record.get("source")}
                out.append(build_article(f"{prefix}{i}", record["text"], meta, title_in_body=False))
        return out

    base_articles, server = read("news_sep2023.jsonl", 120, "n"), read("bbc_news.jsonl", 20, "b")
    joined = Library.from_articles(base_articles, today=lambda: FIXED_TODAY).joined(server)
    whole = Library.from_articles(base_articles + server, today=lambda: FIXED_TODAY)
    questions = [a.title for a in server + base_articles[:20]] + ["Did North Korea send arms?", "economy grwoth"]
    for question in questions:
        assert joined.answer(question) == whole.answer(question), question


def test_snapshot_state_leaves_out_what_joining_computes(base: Library, joined: Library) -> None:
    state = base.corpus.__getstate__()
    assert "_text_hashes" not in state and "article_ids" not in state
    assert isinstance(base.corpus, Corpus) and "passages" in state


def test_base_passages_notes_are_made_once_for_every_server(base: Library) -> None:
    first, second = base.joined(SERVER[:1]), base.joined(SERVER[1:])
    notes = base.answerer._annotator.notes("summit#p2")
    assert first.answerer._annotator.notes("summit#p2") is notes  # not annotated again per server
    assert second.answerer._annotator.notes("summit#p2") is notes
    assert first.answerer._titles is base.answerer._titles
    own = first.answerer._annotator.notes("club-news#p2")
    assert own.hedges == () and base.corpus.passage("club-news#p2") is None
    assert second.answerer._annotator.notes("club-rules#p1").hedges == ("reportedly",)


def test_an_acronym_whose_evidence_is_split_between_base_and_server_is_read_over_both() -> None:
    base_fa = [
        article("fa-1", "Charge dropped", "Jose Mourinho will not face Football Association action.", "The FA said so.")
    ]
    server_fa = [
        article("fa-2", "Club fined", "The FA fined the club.", "A Football Association spokesman confirmed it.")
    ]
    base_only = Library.from_articles(base_fa, today=lambda: FIXED_TODAY)
    joined = base_only.joined(server_fa)
    whole = Library.from_articles(base_fa + server_fa, today=lambda: FIXED_TODAY)
    question = "is mourinho getting an FA charge?"
    assert "footbal" not in base_only.answerer.read(question).stands_for  # one article is too little
    assert joined.answerer.read(question).stands_for == whole.answerer.read(question).stands_for
    assert joined.answerer.read(question).stands_for["footbal"] == (("fa",), False)


def test_servers_share_the_bases_phrases_but_never_each_others_articles(base: Library) -> None:
    one = base.joined([article("notes", "Drill", "The Quick Reaction Force (QRF) trained at dawn.")])
    other = base.joined([article("notes", "Drill", "The Queens Rowing Federation (QRF) met at noon.")])
    assert one.index.acronyms.articles is other.index.acronyms.articles is base.index.acronyms.articles
    assert one.answerer.read("when did the QRF train").stands_for.get("reaction") == (("qrf",), False)
    assert other.answerer.read("when did the QRF meet").stands_for.get("row") == (("qrf",), False)
