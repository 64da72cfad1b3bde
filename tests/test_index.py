"""The serving index: exact parity with rank-bm25 for the chosen settings, and saved indexes
that are reused when nothing changed and never served when broken."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import rank_bm25

from retrieval.answering.library import Library
from retrieval.corpus.collection import Corpus
from retrieval.corpus.loader import load_corpus
from retrieval.ranking import index
from retrieval.ranking.index import PassageIndex, RankingConfig
from tests.conftest import SEEDS, shared_path

QUERIES = [
    "Did North Korea send arms?",
    "Putin Kim handshake video Kremlin",
    "short-range ballistic missiles launched",
    "food shortages COVID",
    "hurricane landfall Florida damage",
    "stocks fell Wall Street inflation",
    "the",
]


def reference_top10(index: PassageIndex, terms: list[str]) -> list[tuple[int, float]]:
    """rank-bm25 over the same terms; ties to the earlier passage, as the index documents."""
    docs = [index.passage_terms(i) for i in range(index.size)]
    config = index.config
    bm25 = rank_bm25.BM25Plus(docs, k1=config.k1, b=config.b, delta=config.delta)
    scores = np.asarray(bm25.get_scores(terms))
    matched = [i for i, doc in enumerate(docs) if not set(terms).isdisjoint(doc)]
    order = sorted(matched, key=lambda i: (-scores[i], i))[:10]
    return [(i, float(scores[i])) for i in order]


def assert_parity(index: PassageIndex) -> None:
    for question in QUERIES:
        terms = index.analyzer.terms(question)
        ours = index.search(terms, 10)
        expected = reference_top10(index, terms)
        assert [i for i, _ in ours] == [i for i, _ in expected], question
        assert np.allclose([s for _, s in ours], [s for _, s in expected], rtol=0, atol=1e-6), question


def test_default_ranking_is_bm25plus_as_measured():
    assert RankingConfig() == RankingConfig("bm25plus", 1.2, 0.75, 1.0, True)


def test_parity_with_rank_bm25_on_the_seed(seed_library):
    assert_parity(seed_library.index)


def test_parity_with_rank_bm25_on_10k_news_passages():
    articles = load_corpus(shared_path("corpora", "news_sep2023.jsonl")).articles
    corpus = Corpus.from_articles(articles)
    corpus = Corpus.from_articles([a for a in articles if a.id in {p.article.id for p in corpus.passages[:10_000]}])
    assert len(corpus.passages) >= 10_000
    assert_parity(PassageIndex.build(corpus))


class Calls:
    def __init__(self) -> None:
        self.stages: list[str] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.stages.append(stage)


def load(corpus, data_dir, config=None):
    calls = Calls()
    library = Library.load(corpus, data_dir=data_dir, progress=calls, config=config)
    return library, calls.stages


def index_file(data_dir):
    (path,) = (data_dir / "index").glob("passages-*.bm25")
    return path


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


def test_an_unchanged_corpus_is_opened_not_rebuilt(corpus, tmp_path):
    first, stages = load(corpus, tmp_path / "data")
    assert "analysing" in stages and "indexing" in stages
    second, stages = load(corpus, tmp_path / "data")
    assert stages == []  # nothing analysed, nothing indexed
    question = "Did North Korea send arms?"
    assert second.answer(question).to_dict() == first.answer(question).to_dict()


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_a_broken_saved_index_is_rebuilt_never_served(corpus, tmp_path, damage):
    first, _ = load(corpus, tmp_path / "data")
    path = index_file(tmp_path / "data")
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) - 100]
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(json.dumps({"not": "an index"}).encode())
    path.write_bytes(bytes(data))
    second, stages = load(corpus, tmp_path / "data")
    assert "indexing" in stages
    question = "Who is Dmitry Peskov?"
    assert second.answer(question).to_dict() == first.answer(question).to_dict()
    _, stages = load(corpus, tmp_path / "data")
    assert stages == []  # the rebuilt index was saved again


def test_a_changed_corpus_or_setting_is_rebuilt(corpus, tmp_path):
    load(corpus, tmp_path / "data")
    (corpus / "new.txt").write_text("A new article\n\nA storm flooded the harbour of Exampleton.\n")
    library, stages = load(corpus, tmp_path / "data")
    assert "indexing" in stages and library.answer("Where did the storm flood?").confident
    _, stages = load(corpus, tmp_path / "data", config=RankingConfig(k1=1.5))
    assert "indexing" in stages
    assert len(list((tmp_path / "data" / "index").glob("*.bm25"))) == 1  # one slot per corpus, overwritten


def test_an_unwritable_data_dir_still_answers(corpus, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    library, _ = load(corpus, blocker)
    assert library.answer("Who is Dmitry Peskov?").confident


def test_contains_matches_the_passage_terms(seed_library):
    index = seed_library.index
    ids = np.arange(index.size, dtype=np.int32)
    for term in ["north", "korea", "weapon", "peskov", "never-seen-term", "2019"]:
        expected = [term in index.passage_terms(i) for i in ids]
        assert index.engine.contains(term, ids).tolist() == expected, term


def test_the_index_key_follows_the_analyzer_lexicons_only(seed_library, monkeypatch, tmp_path):
    from retrieval import datafiles
    from retrieval.ranking import index

    key = index.passages_key(seed_library.corpus, RankingConfig())
    copy = tmp_path / "data"
    shutil.copytree(datafiles._DATA_DIR, copy)
    monkeypatch.setattr(datafiles, "_DATA_DIR", copy)
    datafiles.data_fingerprint.cache_clear()
    try:
        (copy / "hedge_cues.txt").write_text("uncertain\\bperchance\\b\n")  # trust rules: no re-index
        assert index.passages_key(seed_library.corpus, RankingConfig()) == key
        with (copy / "synonyms.tsv").open("a") as lexicon:
            lexicon.write("ship\tvessel\n")
        datafiles.data_fingerprint.cache_clear()
        assert index.passages_key(seed_library.corpus, RankingConfig()) != key
    finally:
        datafiles.data_fingerprint.cache_clear()


def test_an_edited_passage_text_changes_the_index_key(tmp_path):
    """Same ids, same title, same number of passages, one word changed: the saved index must not
    be reused, or the old postings would rank the new text."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    article = folder / "storm.txt"
    article.write_text("Storm report\n\nThe storm hit the northern harbour.\n\nPower was cut.\n")
    first, _ = load(folder, tmp_path / "data")
    assert not first.answer("Did the storm hit the southern harbour?").passages[0].text.count("southern")
    article.write_text("Storm report\n\nThe storm hit the southern harbour.\n\nPower was cut.\n")
    second, stages = load(folder, tmp_path / "data")
    assert [p.id for p in second.corpus.passages] == [p.id for p in first.corpus.passages]
    assert "indexing" in stages  # rebuilt, not opened
    assert index.passages_key(second.corpus, RankingConfig()) != index.passages_key(first.corpus, RankingConfig())
    assert "southern" in second.answer("Did the storm hit the southern harbour?").passages[0].text
    # The title is part of what a passage is indexed with: a new title changes the key too.
    article.write_text("Storm update\n\nThe storm hit the southern harbour.\n\nPower was cut.\n")
    _, stages = load(folder, tmp_path / "data")
    assert "indexing" in stages


@pytest.mark.parametrize("weight", [0.5, 0.3])
def test_expanded_search_adds_weighted_scores_of_the_expanded_terms(seed_library, weight):
    """rank-bm25's score of the question's terms plus `weight` times that of the expanded terms, over
    the passages holding any of them, best first (0.5 runs on the engine's top_k, 0.3 on full scores)."""
    idx = seed_library.index
    docs = [idx.passage_terms(i) for i in range(idx.size)]
    config = idx.config
    bm25 = rank_bm25.BM25Plus(docs, k1=config.k1, b=config.b, delta=config.delta)
    terms, expanded = idx.analyzer.terms("Did Kim travel by train?"), idx.analyzer.terms("weapons Russia")
    scores = np.asarray(bm25.get_scores(terms)) + weight * np.asarray(bm25.get_scores(expanded))
    matched = [i for i, doc in enumerate(docs) if not set(terms + expanded).isdisjoint(doc)]
    assert 0 < len(matched) < idx.size  # some passages hold none of the words: they must not come back
    expected = sorted(matched, key=lambda i: (-scores[i], i))[:8]
    ours = idx.search_expanded(terms, expanded, weight, 8)
    assert [i for i, _ in ours] == expected
    assert np.allclose([s for _, s in ours], scores[expected], rtol=0, atol=1e-9)
