"""retrieval.ranking.engine reproduces rank-bm25 exactly, and its saved files load or are refused.

The oracle for top_k is rank-bm25 itself: its get_scores, ordered by score descending then doc
index ascending (a stable sort of -score: the engine's documented tie rule), keeping only the
documents that contain a query term — the engine never returns the others (see index.py).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from retrieval.ranking.engine import BM25Params, SparseBM25, storage
from tests.conftest import shared_path

RANK_BM25 = {"okapi": BM25Okapi, "bm25l": BM25L, "bm25plus": BM25Plus}
VARIANTS = tuple(RANK_BM25)
KEY = "corpus-v1"


def rank_bm25_top_k(reference, docs: list[list[str]], query: list[str], k: int) -> list[tuple[int, float]]:
    scores = reference.get_scores(query)
    order = np.argsort(-scores, kind="stable")
    matched = [d for d in order.tolist() if set(query) & set(docs[d])]
    return [(d, float(scores[d])) for d in matched[:k]]


def assert_same_ranking(ours: list[tuple[int, float]], theirs: list[tuple[int, float]]) -> None:
    assert [d for d, _ in ours] == [d for d, _ in theirs]
    assert np.allclose([s for _, s in ours], [s for _, s in theirs], rtol=0, atol=1e-6)


def check_parity(docs: list[list[str]], queries: list[list[str]], variant: str, k: int = 10) -> None:
    ours = SparseBM25.build(docs, BM25Params(variant))
    reference = RANK_BM25[variant](docs)
    for query in queries:
        # Same bits, not just close: ties must tie on both sides for the tie rule to agree.
        assert np.array_equal(ours.get_scores(query), reference.get_scores(query)), query
        assert_same_ranking(ours.top_k(query, k), rank_bm25_top_k(reference, docs, query, k))


# Small corpora with the edge cases: empty doc, a term in every doc, in more than half the docs
# (Okapi's negative idf), in exactly half (idf 0), duplicated docs (ties), repeated tokens.
EDGE_DOCS = [
    ["storm", "florida", "storm", "common"],
    ["storm", "georgia", "common", "half"],
    [],
    ["power", "outage", "florida", "common", "half"],
    ["power", "outage", "florida", "common", "half"],  # same as above: ties
    ["rain", "common", "half", "majority"],
    ["wind", "wind", "wind", "common", "majority"],
    ["evacuation", "order", "common", "majority", "majority"],
]
EDGE_QUERIES = [
    [],
    ["unknown"],
    ["unknown", "other"],
    ["storm"],
    ["storm", "storm"],
    ["florida", "unknown", "power"],
    ["common"],
    ["half"],
    ["majority", "storm"],
    ["outage"],
    ["wind", "evacuation", "rain", "georgia"],
    ["common", "storm", "common", "half", "wind", "order", "majority", "florida"],
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_edge_cases_match_rank_bm25(variant: str) -> None:
    check_parity(EDGE_DOCS, EDGE_QUERIES, variant, k=10)
    check_parity(EDGE_DOCS, EDGE_QUERIES, variant, k=2)


@pytest.mark.parametrize("variant", VARIANTS)
def test_tiny_corpus_with_negative_mean_idf_matches_rank_bm25(variant: str) -> None:
    # Most terms are in most docs, so Okapi's epsilon floor is itself negative.
    docs = [["a", "b", "c"], ["a", "b", "c", "d"], ["a", "b"], ["a", "c", "e"]]
    queries = [["a"], ["b", "e"], ["d", "a", "c"], ["e"], ["c", "c"]]
    check_parity(docs, queries, variant, k=4)


@pytest.mark.parametrize("variant", VARIANTS)
def test_random_corpora_match_rank_bm25(variant: str) -> None:
    rng = np.random.default_rng(7)
    vocabulary = [f"t{i}" for i in range(60)]
    weights = 1 / np.arange(1, len(vocabulary) + 1)  # Zipf-like: a few terms in most docs
    weights /= weights.sum()
    for n_docs in (1, 5, 40, 300):
        shortest = 0 if n_docs > 1 else 1  # rank-bm25 divides by zero on a corpus without tokens
        docs = [rng.choice(vocabulary, size=rng.integers(shortest, 25), p=weights).tolist() for _ in range(n_docs)]
        queries = [rng.choice(vocabulary + ["zz"], size=rng.integers(0, 9)).tolist() for _ in range(40)]
        check_parity(docs, queries, variant, k=10)


@pytest.mark.parametrize("variant", VARIANTS)
def test_nondefault_parameters_match_rank_bm25(variant: str) -> None:
    params = BM25Params(variant, k1=0.9, b=0.4, delta=0.7 if variant != "okapi" else None, epsilon=0.1)
    extra = {"epsilon": 0.1} if variant == "okapi" else {"delta": 0.7}
    reference = RANK_BM25[variant](EDGE_DOCS, k1=0.9, b=0.4, **extra)
    ours = SparseBM25.build(EDGE_DOCS, params)
    for query in EDGE_QUERIES:
        assert np.array_equal(ours.get_scores(query), reference.get_scores(query))


def test_unmatched_documents_are_never_returned() -> None:
    index = SparseBM25.build(EDGE_DOCS, BM25Params("bm25plus"))
    # BM25Plus gives every doc idf * delta per known term: rank-bm25 ranks all 8 docs.
    assert index.get_scores(["georgia"]).min() > 0
    assert [d for d, _ in index.top_k(["georgia"], 5)] == [1]
    assert index.top_k(["unknown"], 5) == []
    assert index.top_k([], 5) == []
    assert index.top_k(["storm"], 0) == []


def test_term_statistics() -> None:
    index = SparseBM25.build(EDGE_DOCS, BM25Params())
    reference = BM25Okapi(EDGE_DOCS)
    assert index.n_docs == len(EDGE_DOCS)
    assert index.term_df("common") == 7
    assert index.term_df("unknown") == 0
    assert index.idf("storm") == reference.idf["storm"] > 0
    assert index.idf("common") == reference.idf["common"] == 0.25 * reference.average_idf  # in 7 of 8: floored
    assert index.idf("half") == reference.idf["half"] == 0.0  # in exactly half the docs
    assert index.idf("unknown") == 0.0


def test_params_take_rank_bm25_defaults_per_variant() -> None:
    assert BM25Params("bm25l").delta == 0.5
    assert BM25Params("bm25plus").delta == 1.0
    assert BM25Params("okapi").epsilon == 0.25
    for bad in ({"variant": "bm25t"}, {"k1": -1.0}, {"b": 1.5}, {"k1": float("nan")}):
        with pytest.raises(ValueError):
            BM25Params(**bad)


def test_empty_corpora_build_save_load_and_answer_nothing(tmp_path: Path) -> None:
    for docs in ([], [[], []]):
        built = SparseBM25.build(docs, BM25Params())
        built.save(tmp_path / "empty.sbm25", KEY)
        for index in (built, SparseBM25.load(tmp_path / "empty.sbm25", KEY)):
            assert index.n_docs == len(docs)
            assert index.top_k(["anything"], 5) == []
            assert np.array_equal(index.get_scores(["anything"]), np.zeros(len(docs)))


@pytest.mark.parametrize("variant", VARIANTS)
def test_any_k_returns_the_k_best_in_order(variant: str) -> None:
    # Few distinct words and short docs: many exact ties, and k up to past the touched count.
    rng = np.random.default_rng(11)
    docs = [rng.choice(["a", "b", "c", "d", "e"], size=rng.integers(1, 4)).tolist() for _ in range(500)]
    index = SparseBM25.build(docs, BM25Params(variant))
    reference = RANK_BM25[variant](docs)
    for query, k in ((["a"], 1), (["a", "b"], 7), (["c", "d", "a"], 150), (["e", "b"], 499), (["a", "e"], 10**6)):
        assert_same_ranking(index.top_k(query, k), rank_bm25_top_k(reference, docs, query, k))


def test_build_reports_progress_up_to_the_total() -> None:
    calls: list[tuple[int, int]] = []
    SparseBM25.build(EDGE_DOCS, BM25Params(), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (len(EDGE_DOCS), len(EDGE_DOCS))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def news_passages(limit: int) -> list[str]:
    passages: list[str] = []
    with open(shared_path("corpora", "news_sep2023.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            passages += [p.strip() for p in json.loads(line)["text"].split("\n") if p.strip()]
            if len(passages) >= limit:
                return passages[:limit]
    return passages


def simple_tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@pytest.fixture(scope="module")
def news_sample() -> tuple[list[list[str]], list[list[str]]]:
    docs = [simple_tokens(p) for p in news_passages(10_000)]
    rng = np.random.default_rng(3)
    # Queries of 3-8 words taken from passages: realistic term statistics, repeats and all.
    queries = []
    for d in rng.choice(len(docs), size=25, replace=False):
        words = docs[d]
        start = int(rng.integers(0, max(len(words) - 8, 1)))
        queries.append(words[start : start + int(rng.integers(3, 9))])
    return docs, queries


@pytest.mark.parametrize("variant", VARIANTS)
def test_real_news_top_10_matches_rank_bm25(variant: str, news_sample) -> None:
    docs, queries = news_sample
    ours = SparseBM25.build(docs, BM25Params(variant))
    reference = RANK_BM25[variant](docs)
    full_lists = 0
    for query in queries:
        scores = reference.get_scores(query)
        assert np.array_equal(ours.get_scores(query), scores)
        found = ours.top_k(query, 10)
        assert_same_ranking(found, rank_bm25_top_k(reference, docs, query, 10))
        if len(found) == 10:  # 10+ docs contain a query term: equal to rank-bm25's unfiltered top 10
            full_lists += 1
            top = np.argsort(-scores, kind="stable")[:10]
            assert_same_ranking(found, [(int(d), float(scores[d])) for d in top])
    assert full_lists >= len(queries) // 2


# Storage: a loaded index answers exactly as the built one; every kind of bad file gives None.


@pytest.fixture
def saved(tmp_path: Path) -> tuple[SparseBM25, Path]:
    index = SparseBM25.build(EDGE_DOCS, BM25Params("bm25plus"))
    path = tmp_path / "index.sbm25"
    index.save(path, KEY)
    return index, path


def test_loaded_index_answers_like_the_built_one(saved) -> None:
    built, path = saved
    loaded = SparseBM25.load(path, KEY)
    assert loaded is not None
    assert loaded.params == built.params and loaded.n_docs == built.n_docs
    for query in EDGE_QUERIES:
        assert loaded.top_k(query, 10) == built.top_k(query, 10)
        assert np.array_equal(loaded.get_scores(query), built.get_scores(query))
    assert loaded.term_df("common") == 7 and loaded.idf("storm") == built.idf("storm")


def test_save_is_atomic_and_leaves_no_temp_files(saved) -> None:
    _, path = saved
    other = SparseBM25.build([["other", "corpus"]], BM25Params())
    other.save(path, KEY)  # replaces the file in place
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert path.stat().st_mode & 0o777 == 0o644
    assert SparseBM25.load(path, KEY).n_docs == 1


def test_failed_save_keeps_the_previous_file(saved) -> None:
    _, path = saved
    before = path.read_bytes()
    with pytest.raises(ValueError):
        SparseBM25.build([["bad\0term"]], BM25Params()).save(path, KEY)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_missing_file_or_other_key_loads_as_none(saved, tmp_path: Path) -> None:
    _, path = saved
    assert SparseBM25.load(tmp_path / "absent.sbm25", KEY) is None
    assert SparseBM25.load(path, "corpus-v2") is None
    assert SparseBM25.load(tmp_path, KEY) is None  # a directory


@pytest.mark.parametrize("size", [0, 5, 16, 100, -1])
def test_truncated_file_loads_as_none(saved, size: int) -> None:
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[:size] if size >= 0 else data[:-1])
    assert SparseBM25.load(path, KEY) is None


def test_trailing_bytes_load_as_none(saved) -> None:
    _, path = saved
    path.write_bytes(path.read_bytes() + b"\0")
    assert SparseBM25.load(path, KEY) is None


@pytest.mark.parametrize("where", [0, 12, 40, 0.5, -3])
def test_any_flipped_byte_loads_as_none(saved, where: float) -> None:
    _, path = saved
    data = bytearray(path.read_bytes())
    position = int(len(data) * where) if isinstance(where, float) else where % len(data)
    data[position] ^= 0x01
    path.write_bytes(bytes(data))
    assert SparseBM25.load(path, KEY) is None


def test_other_format_version_loads_as_none(saved, monkeypatch: pytest.MonkeyPatch) -> None:
    index, path = saved
    monkeypatch.setattr(storage, "FORMAT_VERSION", storage.FORMAT_VERSION + 1)
    index.save(path, KEY)
    monkeypatch.undo()
    assert SparseBM25.load(path, KEY) is None


def test_foreign_file_loads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "index.sbm25"
    path.write_bytes(os.urandom(4096))
    assert SparseBM25.load(path, KEY) is None
    path.write_bytes(b"")
    assert SparseBM25.load(path, KEY) is None


def test_inconsistent_arrays_with_valid_checksums_load_as_none(saved, monkeypatch: pytest.MonkeyPatch) -> None:
    # A writer bug, not corruption: the checksums pass, the structural checks must not.
    index, path = saved
    real_write = storage.write

    def write_out_of_range_doc(path, key, meta, arrays):
        arrays = dict(arrays, docs=np.full_like(arrays["docs"], meta["n_docs"]))
        real_write(path, key, meta, arrays)

    monkeypatch.setattr(storage, "write", write_out_of_range_doc)
    index.save(path, KEY)
    assert SparseBM25.load(path, KEY) is None


def test_file_of_the_previous_format_with_baked_weights_loads_as_none(saved, monkeypatch: pytest.MonkeyPatch) -> None:
    # Format 1 stored per-posting weights with N and the average length baked in: it must be
    # rebuilt, never read as postings of tf and length.
    index, path = saved
    segment = index.segment
    monkeypatch.setattr(storage, "FORMAT_VERSION", 1)
    meta = {"params": index.params.to_dict(), "n_docs": index.n_docs, "avgdl": index.avgdl}
    terms = np.frombuffer("\0".join(segment.vocabulary).encode(), dtype=np.uint8)
    weights = np.ones(len(segment.docs), dtype=np.float64)
    arrays = {"terms": terms, "idf": index._idf, "offsets": segment.offsets, "docs": segment.docs, "weights": weights}
    storage.write(path, KEY, meta, arrays)
    monkeypatch.undo()
    assert SparseBM25.load(path, KEY) is None


def test_out_of_range_pair_ids_with_valid_checksums_load_as_none(saved, monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernels index the pair table without bounds checks: a pair id past it must not load.
    index, path = saved
    real_write = storage.write

    def write_out_of_range_pair(path, key, meta, arrays):
        real_write(path, key, meta, dict(arrays, pairs=np.full_like(arrays["pairs"], len(arrays["pair_tf"]))))

    monkeypatch.setattr(storage, "write", write_out_of_range_pair)
    index.save(path, KEY)
    assert SparseBM25.load(path, KEY) is None


def test_postings_keep_each_term_frequency_and_document_length() -> None:
    # Weights are computed at query time from these, so they must survive exactly, saved or not.
    index = SparseBM25.build(EDGE_DOCS, BM25Params())
    segment = index.segment
    for token, term in segment.vocabulary.items():
        start, stop = segment.offsets[term], segment.offsets[term + 1]
        docs = segment.docs[start:stop].tolist()
        assert docs == [d for d, doc in enumerate(EDGE_DOCS) if token in doc]
        assert segment.pair_tf[segment.pairs[start:stop]].tolist() == [EDGE_DOCS[d].count(token) for d in docs]
        assert segment.pair_len[segment.pairs[start:stop]].tolist() == [len(EDGE_DOCS[d]) for d in docs]
    assert segment.total_length == sum(map(len, EDGE_DOCS)) and segment.n_docs == len(EDGE_DOCS)


def test_scoring_never_writes_past_its_scratch() -> None:
    # Once every document is touched, a repeated term used to store a doc id one slot past the
    # end of touched_docs (the kernels index without bounds checks): memory corruption, seen as a
    # rare segfault, and common with a server's few passages. The sentinel after the end must survive.
    from retrieval.ranking.engine import kernels

    index = SparseBM25.build([["storm", "rain"], ["storm"]], BM25Params())
    segment = index.segment
    n_docs = segment.n_docs
    buffers = [np.full(n_docs + 1, -7, dtype=np.int32), np.zeros(n_docs + 1), np.zeros(n_docs + 1, dtype=np.int32)]
    touched_docs, touched_scores, touched_stamps = (buffer[:n_docs] for buffer in buffers)
    slots = np.full(n_docs, -1, dtype=np.int32)
    start, stop = segment.postings("storm")
    repeated = np.array([start, start, start], dtype=np.int64), np.array([stop, stop, stop], dtype=np.int64)
    idf = np.full(3, index.idf("storm"))
    weighting = index._weighting
    touched = kernels.accumulate(
        *repeated, idf, np.zeros(3), segment.docs, segment.pairs, weighting.factors, weighting.k1_plus_1,
        slots, touched_docs, touched_scores, touched_stamps,
    )  # fmt: skip
    assert touched == 2 and sorted(touched_docs.tolist()) == [0, 1]
    assert buffers[0][n_docs] == -7
