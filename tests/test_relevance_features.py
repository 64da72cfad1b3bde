"""Hand-computed features on tiny candidate lists, and the confidence model's decisions and file format."""

from __future__ import annotations

import math

import numpy as np
import pytest

from retrieval.relevance.confidence import ConfidenceModel, default_model
from retrieval.relevance.features import FEATURES, QuestionTerms, candidate_features

N = 14  # the number of features the model reads


def _lookup(table: dict[str, list[int]], n: int):
    return lambda term: np.asarray(table.get(term, [0] * n), dtype=float)


def _features(terms, scores, articles, held, in_text=None, n_passages=1000):
    n = len(scores)
    return candidate_features(terms, scores, articles, _lookup(held, n), _lookup(in_text or held, n), n_passages)


def _column(rows: np.ndarray, name: str) -> list[float]:
    return rows[:, FEATURES.index(name)].tolist()


def test_there_are_fourteen_features_in_a_fixed_order():
    assert len(FEATURES) == N
    assert FEATURES[0] == "coverage" and FEATURES[-2:] == ("coverage_gap", "alone_coverage")


def test_every_feature_of_a_three_candidate_question():
    # alpha weighs 2, beta and gamma 1 each: the question's idf mass is 4 and its top idf 2.
    terms = QuestionTerms({"alpha": 2.0, "beta": 1.0, "gamma": 1.0})
    held = {"alpha": [1, 0, 1], "beta": [1, 1, 0], "gamma": [0, 1, 0]}
    text = {"alpha": [1, 0, 0], "beta": [1, 1, 0]}  # gamma only ever in a title, alpha in title for #2
    rows = _features(terms, [8.0, 4.0, 2.0], ["a", "a", "b"], held, text, n_passages=1000)
    assert rows.shape == (3, N)
    assert _column(rows, "coverage") == [0.75, 0.5, 0.5]
    assert _column(rows, "text_coverage") == [0.75, 0.25, 0.0]
    assert _column(rows, "rarest_missing") == [0.5, 1.0, 0.5]
    assert _column(rows, "score_share") == [1.0, 0.5, 0.25]
    # a's best is 8, b's best is 2: each candidate against the best of the other article
    assert _column(rows, "article_margin") == [0.75, 0.25, -0.75]
    assert _column(rows, "score_per_idf") == [2.0, 1.0, 0.5]
    assert _column(rows, "expanded_share") == [0.0, 0.0, 0.0]
    assert _column(rows, "question_terms") == pytest.approx([math.log(4)] * 3)
    assert _column(rows, "corpus_size") == pytest.approx([3.0] * 3)
    assert _column(rows, "coverage_x_size") == pytest.approx([2.25, 1.5, 1.5])
    assert _column(rows, "unknown_share") == [0.0, 0.0, 0.0]
    assert _column(rows, "best_coverage") == [0.75, 0.75, 0.75]
    assert _column(rows, "coverage_gap") == [0.0, 0.25, 0.25]


def test_expanded_terms_count_at_their_weight_and_coverage_is_capped_at_one():
    # "auto" stands in for "car"; the question's own mass is car + red = 4.
    terms = QuestionTerms({"car": 2.0, "auto": 1.0, "red": 2.0}, expanded=frozenset({"auto"}))
    assert terms.total == 4.0
    held = {"car": [1, 0], "red": [1, 1], "auto": [1, 1]}
    rows = _features(terms, [5.0, 2.5], ["a", "b"], held, n_passages=10)
    assert _column(rows, "coverage") == [1.0, 0.75]  # 5/4 capped, then (2 + 1)/4
    assert _column(rows, "text_coverage") == [1.0, 0.5]  # an expanded term never counts as text
    assert _column(rows, "expanded_share") == pytest.approx([1 / 5, 1 / 3])
    assert _column(rows, "rarest_missing") == [0.0, 1.0]  # the second lacks car, the top-idf word
    assert _column(rows, "score_per_idf") == [1.0, 0.5]  # over all five weights, expanded included
    assert _column(rows, "question_terms") == pytest.approx([math.log(3)] * 2)  # the two written terms
    assert _column(rows, "corpus_size") == pytest.approx([1.0, 1.0])
    assert _column(rows, "best_coverage") == [1.0, 1.0]
    assert _column(rows, "coverage_gap") == [0.0, 0.25]


def test_text_coverage_is_capped_at_one_too():
    terms = QuestionTerms({"car": 2.0, "auto": 2.0}, expanded=frozenset({"auto"}))
    # contains() says nothing is held, in_text() claims the word: text coverage still stays within 1
    rows = candidate_features(
        terms,
        [1.0],
        ["a"],
        lambda term: np.zeros(1),
        lambda term: np.full(1, 3.0),
        10,
    )
    assert _column(rows, "text_coverage") == [1.0]
    assert _column(rows, "coverage") == [0.0]
    assert _column(rows, "expanded_share") == [0.0]  # nothing covered: no share, not 0/0


def test_every_expanded_term_a_passage_holds_adds_to_its_coverage():
    # "auto" and "motor" both stand in for "car": a passage holding both counts both weights.
    terms = QuestionTerms({"car": 2.0, "auto": 1.0, "motor": 1.0, "red": 2.0}, expanded=frozenset({"auto", "motor"}))
    rows = _features(terms, [3.0], ["a"], {"red": [1], "auto": [1], "motor": [1]})
    assert _column(rows, "coverage") == [1.0]  # (2 + 1 + 1) / 4
    assert _column(rows, "expanded_share") == [0.5]  # 2 of the 4 covered


def test_a_question_made_only_of_expanded_terms_weighs_them_all():
    terms = QuestionTerms({"x": 1.0, "y": 3.0}, expanded=frozenset({"x", "y"}))
    assert terms.total == 4.0
    rows = _features(terms, [2.0], ["a"], {"y": [1]})
    assert _column(rows, "coverage") == [0.75]
    assert _column(rows, "expanded_share") == [1.0]
    assert _column(rows, "question_terms") == [0.0]
    assert _column(rows, "rarest_missing") == [0.0]


def test_total_counts_written_terms_only():
    assert QuestionTerms({"a": 1.0, "b": 2.0}).total == 3.0
    assert QuestionTerms({"a": 1.0, "b": 2.0}, expanded=frozenset({"b"})).total == 1.0


def test_unknown_share_is_the_idf_share_of_words_no_passage_uses():
    terms = QuestionTerms(
        {"known": 1.0, "gone": 3.0, "alias": 2.0},
        expanded=frozenset({"alias"}),
        unknown=frozenset({"gone", "alias"}),  # an unknown expanded term is not the question's own word
    )
    rows = _features(terms, [1.0, 0.5], ["a", "b"], {"known": [1, 1]})
    assert _column(rows, "unknown_share") == [0.75, 0.75]
    assert _column(rows, "rarest_missing") == [1.0, 1.0]  # "gone" is both rarest and missing


def test_rarest_missing_takes_the_rarest_of_several_missing_words():
    terms = QuestionTerms({"a": 4.0, "b": 2.0, "c": 1.0})
    rows = _features(terms, [3.0, 2.0], ["p", "q"], {"a": [1, 0], "b": [0, 0], "c": [0, 1]})
    assert _column(rows, "rarest_missing") == [0.5, 1.0]


def test_score_share_uses_the_best_score_even_below_one():
    terms = QuestionTerms({"a": 1.0})
    rows = _features(terms, [0.5, 0.25], ["p", "q"], {"a": [1, 1]})
    assert _column(rows, "score_share") == [1.0, 0.5]
    assert _column(rows, "article_margin") == [0.5, -0.5]


def test_small_weights_and_shares_below_one_are_not_floored_at_one():
    terms = QuestionTerms({"a": 0.25, "b": 0.25}, expanded=frozenset({"b"}))
    rows = _features(terms, [1.0, 0.5], ["p", "q"], {"a": [0, 1], "b": [1, 1]})
    assert _column(rows, "score_per_idf") == [2.0, 1.0]  # over 0.5, not over 1
    assert _column(rows, "expanded_share") == [1.0, 0.5]  # 0.25 / 0.25 and 0.25 / 0.5


def test_a_non_positive_best_score_leaves_scores_unscaled():
    terms = QuestionTerms({"a": 1.0})
    rows = _features(terms, [-1.0, -3.0], ["p", "q"], {"a": [1, 1]})
    assert _column(rows, "score_share") == [-1.0, -3.0]
    assert _column(rows, "article_margin") == [2.0, -2.0]


def test_single_precision_scores_are_divided_in_double_precision():
    terms = QuestionTerms({"a": 1.0})
    scores = np.asarray([3.0, 1.0], dtype=np.float32)
    rows = _features(terms, scores, ["p", "q"], {"a": [1, 1]})
    assert _column(rows, "score_share") == [1.0, 1 / 3]


def test_zero_scores_give_zero_shares_not_nan():
    terms = QuestionTerms({"a": 1.0})
    rows = _features(terms, [0.0, 0.0], ["p", "q"], {"a": [0, 0]})
    assert _column(rows, "score_share") == [0.0, 0.0]
    assert _column(rows, "article_margin") == [0.0, 0.0]
    assert _column(rows, "expanded_share") == [0.0, 0.0]


def test_margin_is_against_the_best_other_article():
    terms = QuestionTerms({"a": 1.0})
    rows = _features(terms, [6.0, 4.0, 3.0, 1.5], ["a", "b", "c", "a"], {"a": [1, 1, 1, 1]})
    # a: 6 - 4 (b); b: 4 - 6 (a); c: 3 - 6 (a); the second a passage: 1.5 - 4 (b)
    assert _column(rows, "article_margin") == pytest.approx([2 / 6, -2 / 6, -3 / 6, -2.5 / 6])
    # the best other article is the best by score, whatever the names' order
    named = _features(terms, [6.0, 4.0, 3.0], ["z", "m", "a"], {"a": [1, 1, 1]})
    assert _column(named, "article_margin") == pytest.approx([2 / 6, -2 / 6, -3 / 6])


def test_margin_in_a_one_article_list_is_against_the_best_other_candidate():
    terms = QuestionTerms({"a": 1.0})
    rows = _features(terms, [5.0, 3.0, 1.0], ["a", "a", "a"], {"a": [1, 1, 1]})
    assert _column(rows, "article_margin") == pytest.approx([0.4, -0.4, -0.8])
    alone = _features(terms, [5.0], ["a"], {"a": [1]})
    assert _column(alone, "article_margin") == [0.0]


def test_corpus_size_is_log10_of_the_passage_count_and_zero_for_one_or_none():
    terms = QuestionTerms({"a": 1.0})
    sizes = [_column(_features(terms, [1.0], ["a"], {"a": [1]}, n_passages=n), "corpus_size")[0] for n in (0, 1, 100)]
    assert sizes == pytest.approx([0.0, 0.0, 2.0])


def test_no_candidates_or_no_terms_give_zero_rows():
    empty = _features(QuestionTerms({"a": 1.0}), [], [], {})
    assert empty.shape == (0, N)
    blank = _features(QuestionTerms({}), [2.0, 1.0], ["a", "b"], {})
    assert blank.shape == (2, N)
    assert not blank.any()


# --- the model -------------------------------------------------------------------------------------


def _model(**overrides) -> ConfidenceModel:
    values = {
        "weights": np.zeros(N),
        "bias": 0.0,
        "mean": np.zeros(N),
        "scale": np.ones(N),
        "answer_at": 0.6,
        "related_at": 0.3,
    }
    values.update(overrides)
    return ConfidenceModel(**values)


def _question_model(**overrides) -> ConfidenceModel:
    values = {
        "question_weights": np.zeros(N + 1),
        "question_mean": np.zeros(N + 1),
        "question_scale": np.ones(N + 1),
        "question_at": 0.4,
    }
    values.update(overrides)
    return _model(**values)


def test_level_without_a_question_model_uses_the_two_thresholds():
    model = _model()
    assert [model.level(p) for p in (0.6, 0.5999, 0.3, 0.2999)] == ["answer", "related", "related", "none"]
    # a question probability means nothing without a question model
    assert model.level(0.1, 0.99) == "none"
    assert model.level(0.4, 0.0) == "related"


def test_level_with_a_question_model_decides_related_or_none_on_the_question():
    model = _question_model()
    assert model.level(0.7, 0.0) == "answer"
    assert model.level(0.6, 0.0) == "answer"
    assert model.level(0.5, 0.4) == "related"
    assert model.level(0.5, 0.3999) == "none"  # the passage passes related_at, the question does not
    assert model.level(0.1, 0.9) == "related"  # below related_at, but the question is covered
    assert model.level(0.1) == "none"  # no question probability: back to related_at


def test_probabilities_standardise_then_apply_the_logistic():
    weights = np.zeros(N)
    weights[0] = 1.0
    weights[2] = -1.0
    mean = np.zeros(N)
    mean[0] = 1.0
    scale = np.ones(N)
    scale[0] = 2.0
    model = _model(weights=weights, bias=0.5, mean=mean, scale=scale)
    rows = np.zeros((3, N))
    rows[0, 0] = 1.0  # z = 0 + 0.5
    rows[1, 0] = 1.0 + 2 * math.log(3)  # z = log 3 + 0.5
    rows[2, 0] = 1.0
    rows[2, 2] = 0.5  # z = 0 - 0.5 + 0.5
    expected = [1 / (1 + math.exp(-0.5)), 1 / (1 + math.exp(-math.log(3) - 0.5)), 0.5]
    assert model.probabilities(rows).tolist() == pytest.approx(expected)
    assert model.probabilities(np.zeros((0, N))).shape == (0,)


def test_probabilities_clip_extreme_scores():
    weights = np.zeros(N)
    weights[0] = 1.0
    model = _model(weights=weights)
    rows = np.zeros((2, N))
    rows[0, 0] = 1000.0
    rows[1, 0] = -1000.0
    high, low = model.probabilities(rows).tolist()
    assert high == pytest.approx(1.0)
    assert low == pytest.approx(1 / (1 + math.exp(50)), rel=1e-9, abs=0)
    one = model.probabilities(rows[:1])  # a single row is scored, not mistaken for no rows
    assert one.tolist() == pytest.approx([1.0])


def test_question_probability_reads_the_best_passage_and_its_probability():
    weights = np.zeros(N + 1)
    weights[-1] = 2.0  # the best probability
    weights[1] = 1.0
    mean = np.zeros(N + 1)
    mean[-1] = 0.5
    scale = np.ones(N + 1)
    scale[1] = 4.0
    model = _question_model(question_weights=weights, question_bias=-1.0, question_mean=mean, question_scale=scale)
    features = np.zeros(N)
    features[1] = 4.0
    # z = 2 * (0.75 - 0.5) + 4 / 4 - 1 = 0.5
    assert model.question_probability(features, 0.75) == pytest.approx(1 / (1 + math.exp(-0.5)))
    features[1] = -1e6
    assert model.question_probability(features, 0.75) == pytest.approx(1 / (1 + math.exp(50)), rel=1e-9, abs=0)
    features[1] = 1e6
    assert model.question_probability(features, 0.75) == pytest.approx(1.0)


def test_without_a_whole_question_model_the_best_probability_is_the_question_probability():
    assert _model().question_probability(np.zeros(N), 0.37) == 0.37
    assert _question_model(question_mean=None).question_probability(np.zeros(N), 0.37) == 0.37
    assert _question_model(question_scale=None).question_probability(np.zeros(N), 0.37) == 0.37


def test_parameters_are_written_rounded_and_read_back():
    model = _question_model(
        weights=np.full(N, 0.12345678),
        bias=-1.23456789,
        mean=np.full(N, 2.25000049),
        scale=np.full(N, 3.1234567),
        answer_at=0.612345,
        related_at=0.298765,
        question_weights=np.full(N + 1, 0.5000004),
        question_bias=0.7654321,
        question_mean=np.full(N + 1, 1.1111119),
        question_scale=np.full(N + 1, 2.2222222),
        question_at=0.456789,
    )
    written = model.to_dict()
    assert written == {
        "features": list(FEATURES),
        "weights": [0.123457] * N,
        "bias": -1.234568,
        "mean": [2.25] * N,
        "scale": [3.123457] * N,
        "answer_at": 0.6123,
        "related_at": 0.2988,
        "question": {
            "weights": [0.5] * (N + 1),
            "bias": 0.765432,
            "mean": [1.111112] * (N + 1),
            "scale": [2.222222] * (N + 1),
            "at": 0.4568,
        },
    }
    read = ConfidenceModel.from_dict(written)
    assert read.weights.tolist() == [0.123457] * N
    assert read.bias == -1.234568
    assert read.mean.tolist() == [2.25] * N
    assert read.scale.tolist() == [3.123457] * N
    assert (read.answer_at, read.related_at) == (0.6123, 0.2988)
    assert read.question_weights.tolist() == [0.5] * (N + 1)
    assert read.question_bias == 0.765432
    assert read.question_mean.tolist() == [1.111112] * (N + 1)
    assert read.question_scale.tolist() == [2.222222] * (N + 1)
    assert read.question_at == 0.4568
    assert read.to_dict() == written


def test_integer_parameters_are_read_as_float_arrays():
    written = _question_model().to_dict()
    ints = {key: [int(v) for v in written[key]] for key in ("weights", "mean", "scale")}
    question = {key: [int(v) for v in written["question"][key]] for key in ("weights", "mean", "scale")}
    read = ConfidenceModel.from_dict({**written, **ints, "question": {**written["question"], **question}})
    arrays = (read.weights, read.mean, read.scale, read.question_weights, read.question_mean, read.question_scale)
    assert [a.dtype for a in arrays] == [np.dtype("float64")] * 6


def test_a_model_without_question_part_reads_and_writes_none():
    written = _model().to_dict()
    assert written["question"] is None
    for question in (None, {}):
        read = ConfidenceModel.from_dict({**written, "question": question})
        assert read.question_weights is None
        assert read.question_mean is None and read.question_scale is None
        assert read.question_bias == 0.0 and read.question_at == 0.0
    absent = dict(written)
    del absent["question"]
    assert ConfidenceModel.from_dict(absent).question_weights is None


def test_a_model_fitted_on_other_features_is_refused():
    written = _model().to_dict()
    written["features"] = list(reversed(FEATURES))
    with pytest.raises(ValueError, match="fitted on features"):
        ConfidenceModel.from_dict(written)


def test_the_shipped_model_loads_with_one_weight_per_feature():
    model = default_model()
    assert model is default_model()
    assert model.weights.shape == (N,)
    assert model.mean.shape == (N,) and model.scale.shape == (N,)
    assert 0.0 < model.related_at <= model.answer_at < 1.0


def test_alone_coverage_is_the_coverage_where_no_other_article_competes():
    terms = QuestionTerms({"a": 3.0, "b": 1.0})
    held = {"a": [1, 0, 1], "b": [1, 1, 0]}
    alone = _features(terms, [5.0, 3.0, 1.0], ["x", "x", "x"], held)
    assert _column(alone, "alone_coverage") == [1.0, 0.25, 0.75]
    mixed = _features(terms, [5.0, 3.0, 1.0], ["x", "x", "y"], held)
    assert _column(mixed, "alone_coverage") == [0.0, 0.0, 0.0]
