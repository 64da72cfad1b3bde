"""UnionBM25: indexes searched together score exactly as rank-bm25 over their concatenated documents.

The oracle is rank-bm25 built over `base docs + server docs` as one corpus; union doc ids are the
positions in that concatenation. Scores must be the same bits (so that ties tie), top-k the same
ids under the engine's contract (documents containing a query term, ties to the lower doc id).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from retrieval.analysis.analyzer import default_analyzer
from retrieval.ranking.engine import BM25Params, SparseBM25, UnionBM25, pairs
from tests.conftest import shared_path
from tests.test_engine import EDGE_DOCS, EDGE_QUERIES, RANK_BM25, VARIANTS, assert_same_ranking, rank_bm25_top_k


def check_union(parts: list[list[list[str]]], queries: list[list[str]], params: BM25Params, k: int = 10) -> None:
    union = UnionBM25([SparseBM25.build(docs, params) for docs in parts])
    check_union_of(union, [doc for docs in parts for doc in docs], queries, params, k)


def check_union_of(union: UnionBM25, docs: list[list[str]], queries: list[list[str]], params: BM25Params, k: int):
    extra = {"epsilon": params.epsilon} if params.variant == "okapi" else {"delta": params.delta}
    reference = RANK_BM25[params.variant](docs, k1=params.k1, b=params.b, **extra)
    assert union.n_docs == len(docs) and union.avgdl == reference.avgdl
    for query in queries:
        assert np.array_equal(union.get_scores(query), reference.get_scores(query)), query
        assert_same_ranking(union.top_k(query, k), rank_bm25_top_k(reference, docs, query, k))
        for token in query:
            assert union.idf(token) == (reference.idf.get(token) or 0.0), token


# Terms only the base has, only the server has, in both, in most docs of the union but not of
# one part (Okapi's floor moves), repeated tokens, empty docs.
BASE = EDGE_DOCS
SERVER = [
    ["storm", "hurricane", "hurricane", "common"],
    ["server", "only", "common", "majority"],
    [],
    ["hurricane", "florida", "wind", "common", "majority", "majority", "majority", "extra", "long", "doc"],
]
QUERIES = EDGE_QUERIES + [["hurricane"], ["server", "storm"], ["only", "unknown", "only"], ["majority", "hurricane"]]


@pytest.mark.parametrize("variant", VARIANTS)
def test_base_plus_server_scores_as_one_corpus(variant: str) -> None:
    check_union([BASE, SERVER], QUERIES, BM25Params(variant))
    check_union([BASE, SERVER], QUERIES, BM25Params(variant), k=2)
    check_union([SERVER, BASE], QUERIES, BM25Params(variant))  # order decides doc ids and Okapi's vocabulary order


@pytest.mark.parametrize("variant", VARIANTS)
def test_three_parts_and_empty_parts(variant: str) -> None:
    params = BM25Params(variant)
    check_union([BASE, SERVER, [["late", "storm"], ["late"]]], QUERIES + [["late"]], params)
    check_union([BASE, [], SERVER], QUERIES, params)
    check_union([BASE, [[]]], QUERIES, params)


@pytest.mark.parametrize("variant", VARIANTS)
def test_one_part_scores_exactly_as_the_index_alone(variant: str) -> None:
    index = SparseBM25.build(BASE, BM25Params(variant))
    union = UnionBM25([index])
    for query in QUERIES:
        assert union.top_k(query, 5) == index.top_k(query, 5)
        assert np.array_equal(union.get_scores(query), index.get_scores(query))
        assert [union.idf(t) for t in query] == [index.idf(t) for t in query]


def test_union_statistics_and_membership() -> None:
    union = UnionBM25([SparseBM25.build(BASE, BM25Params()), SparseBM25.build(SERVER, BM25Params())])
    assert union.n_docs == 12
    assert union.term_df("common") == 7 + 3 and union.term_df("hurricane") == 2 and union.term_df("nope") == 0
    ids = np.arange(12)
    assert np.flatnonzero(union.contains("storm", ids)).tolist() == [0, 1, 8]
    assert np.flatnonzero(union.contains("hurricane", ids)).tolist() == [8, 11]
    assert not union.contains("nope", ids).any()
    assert union.top_k(["nope"], 5) == [] and union.top_k([], 5) == [] and union.top_k(["storm"], 0) == []


def test_parts_must_share_parameters() -> None:
    with pytest.raises(ValueError):
        UnionBM25([SparseBM25.build(BASE, BM25Params("okapi")), SparseBM25.build(SERVER, BM25Params("bm25plus"))])
    with pytest.raises(ValueError):
        UnionBM25([])


WORDS = [f"w{i}" for i in range(12)]
corpora = st.lists(st.lists(st.sampled_from(WORDS), min_size=0, max_size=12), min_size=0, max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=corpora,
    server=corpora,
    variant=st.sampled_from(VARIANTS),
    queries=st.lists(st.lists(st.sampled_from(WORDS + ["zz"]), min_size=0, max_size=6), min_size=1, max_size=6),
    k=st.integers(1, 30),
)
def test_random_unions_match_rank_bm25(base, server, variant, queries, k) -> None:
    docs = base + server
    if sum(map(len, docs)) == 0:
        return  # rank-bm25 divides by zero on a corpus without tokens
    check_union([base, server], queries, BM25Params(variant), k)


@pytest.mark.parametrize("variant", VARIANTS)
def test_larger_random_unions_match_rank_bm25(variant: str) -> None:
    rng = np.random.default_rng(5)
    vocabulary = [f"t{i}" for i in range(80)]
    weights = 1 / np.arange(1, len(vocabulary) + 1)
    weights /= weights.sum()

    def corpus(n_docs: int, words: list[str]) -> list[list[str]]:
        p = weights[: len(words)] / weights[: len(words)].sum()
        return [rng.choice(words, size=rng.integers(0, 30), p=p).tolist() for _ in range(n_docs)]

    base, server = corpus(400, vocabulary[:60]), corpus(20, vocabulary[20:])  # each has terms the other lacks
    queries = [rng.choice(vocabulary + ["zz"], size=rng.integers(1, 9)).tolist() for _ in range(40)]
    check_union([base, server], queries, BM25Params(variant))


def test_sparse_pair_coding_scores_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # A very long document makes the (tf, length) key space too big to mark: the sorted path.
    monkeypatch.setattr(pairs, "_DENSE_KEYS", 0)
    for variant in VARIANTS:
        check_union([BASE, SERVER], QUERIES, BM25Params(variant))


def news_articles(limit: int) -> list[str]:
    texts = []
    with open(shared_path("corpora", "news_sep2023.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            texts.append(json.loads(line)["text"])
            if len(texts) == limit:
                break
    return texts


@pytest.mark.parametrize("variant", VARIANTS)
def test_seed_plus_twenty_server_articles_match_rank_bm25(variant: str, seed_library, tmp_path: Path) -> None:
    analyzer = default_analyzer()
    base_docs = [seed_library.index.passage_terms(i) for i in range(seed_library.index.size)]
    server_docs = [analyzer.terms(p) for text in news_articles(20) for p in text.split("\n") if p.strip()]
    params = seed_library.index.config.params if variant == "bm25plus" else BM25Params(variant)  # the bot's own
    SparseBM25.build(base_docs, params).save(tmp_path / "base.sbm25", "k")
    base = SparseBM25.load(tmp_path / "base.sbm25", "k")  # memory-mapped, as the bot serves it
    union = UnionBM25([base, SparseBM25.build(server_docs, params)])
    dev = [json.loads(line)["question"] for line in shared_path("eval", "seed_dev.jsonl").read_text().splitlines()]
    rng = np.random.default_rng(2)
    from_server = [
        server_docs[d][: int(rng.integers(2, 7))] for d in rng.choice(len(server_docs), size=20) if server_docs[d]
    ]
    queries = [analyzer.terms(q) for q in dev] + from_server
    check_union_of(union, base_docs + server_docs, queries, params, k=10)
    # The server's articles do change the base's scores: N, df and the average length are the union's.
    alone = base.top_k(queries[0], 3)
    assert alone and [s for _, s in union.top_k(queries[0], 3)] != [s for _, s in alone]


def test_okapi_floor_uses_the_union_vocabulary() -> None:
    # "a" is in most documents of the base and of the union, so its idf is the floor both times,
    # but the server's rare terms raise the union's mean idf and with it the floor.
    base_docs = [["a", "b"], ["a", "c"], ["a"], ["a", "d"], ["a"]]
    server_docs = [["x"], ["y"], ["a", "z"]]
    base = SparseBM25.build(base_docs, BM25Params())
    union = UnionBM25([base, SparseBM25.build(server_docs, BM25Params())])
    reference = BM25Okapi(base_docs + server_docs)
    assert union.idf("a") == reference.idf["a"] == 0.25 * reference.average_idf
    assert union.idf("a") != base.idf("a")
    assert union.idf("x") == reference.idf["x"] > 0
