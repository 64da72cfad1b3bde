"""The relevance bar: its values at known corpus sizes, and coverage as an idf-weighted share."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.relevance.coverage import coverages, min_coverage


@pytest.mark.parametrize(
    ("passages", "bar"),
    [
        (1, 0.45),
        (30, 0.45),  # up to 30 passages: the small-corpus bar
        (300, 0.50),  # +0.05 for each tenfold growth
        (3_000, 0.55),
        (30_000, 0.60),
        (300_000, 0.65),
        (3_000_000, 0.70),
        (30_000_000, 0.70),  # capped
    ],
)
def test_the_bar_rises_by_0_05_per_tenfold_growth_up_to_0_70(passages, bar):
    assert min_coverage(passages) == pytest.approx(bar)


def test_the_bar_between_sizes_grows_with_the_log():
    assert min_coverage(31) > 0.45 and min_coverage(95) == pytest.approx(0.45 + 0.05 * np.log10(95 / 30))


def test_coverage_is_the_idf_share_of_distinct_terms_each_passage_holds():
    holds = {"storm": np.array([1, 0, 1]), "coast": np.array([1, 1, 0]), "rare": np.array([0, 0, 1])}
    idf = {"storm": 1.0, "coast": 1.0, "rare": 2.0}
    got = coverages(["storm", "coast", "rare", "storm"], holds.__getitem__, idf.__getitem__, 3)
    np.testing.assert_allclose(got, [0.5, 0.25, 0.75])  # "storm" twice still weighs once


def test_a_question_without_weight_covers_nothing():
    got = coverages([], lambda term: np.ones(2), lambda term: 1.0, 2)
    np.testing.assert_array_equal(got, [0.0, 0.0])
    got = coverages(["the"], lambda term: np.ones(2), lambda term: 0.0, 2)
    np.testing.assert_array_equal(got, [0.0, 0.0])


def test_a_question_of_little_weight_is_still_measured():
    got = coverages(["storm"], lambda term: np.array([1, 0]), lambda term: 0.5, 2)
    np.testing.assert_array_equal(got, [1.0, 0.0])
