"""How sure the bot is that a passage answers a question: a fitted logistic model and two thresholds.

`answer` (the passages answer it), `related` (the closest passages, shown under a caveat that says
plainly they may not answer), `none` (nothing shown). The parameters live in
retrieval/data/confidence_model.json, written by bench/fit_confidence.py from data that no reported
target is read from (README, "Relevance").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from retrieval.relevance.features import FEATURES

ANSWER, RELATED, NONE = "answer", "related", "none"
MODEL_FILE = "confidence_model.json"
MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / MODEL_FILE


@dataclass(frozen=True)
class ConfidenceModel:
    weights: np.ndarray  # one per FEATURES entry, applied to standardised features
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    answer_at: float  # probability at or above which a passage answers
    related_at: float  # probability at or above which a passage is at least related
    # Whether the corpus holds anything on the question at all: a question-level logistic model over
    # its best passage's features and probability (FEATURES + best_probability); below `question_at`, none.
    question_weights: np.ndarray | None = None
    question_bias: float = 0.0
    question_mean: np.ndarray | None = None
    question_scale: np.ndarray | None = None
    question_at: float = 0.0

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(the passage answers the question) for each row of features."""
        if len(features) == 0:
            return np.zeros(0)
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def question_probability(self, best_features: np.ndarray, best_probability: float) -> float:
        """P(the corpus has passages on the question), from its most probable passage."""
        if self.question_weights is None or self.question_mean is None or self.question_scale is None:
            return best_probability
        x = np.append(best_features, best_probability)
        z = float(((x - self.question_mean) / self.question_scale) @ self.question_weights + self.question_bias)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def level(self, probability: float, question_probability: float | None = None) -> str:
        """`answer` when the best passage answers; else `related` when the question is on something
        the corpus covers (or, without a question model, the passage passes `related_at`)."""
        if probability >= self.answer_at:
            return ANSWER
        if question_probability is not None and self.question_weights is not None:
            return RELATED if question_probability >= self.question_at else NONE
        if probability >= self.related_at:
            return RELATED
        return NONE

    @classmethod
    def from_dict(cls, values: dict) -> ConfidenceModel:
        names = tuple(values["features"])
        if names != FEATURES:
            raise ValueError(f"{MODEL_FILE} was fitted on features {names}, the code computes {FEATURES}")
        return cls(
            weights=np.asarray(values["weights"], dtype=float),
            bias=float(values["bias"]),
            mean=np.asarray(values["mean"], dtype=float),
            scale=np.asarray(values["scale"], dtype=float),
            answer_at=float(values["answer_at"]),
            related_at=float(values["related_at"]),
            **_question_part(values.get("question")),
        )

    def to_dict(self) -> dict:
        return {
            "features": list(FEATURES),
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "mean": [round(float(m), 6) for m in self.mean],
            "scale": [round(float(s), 6) for s in self.scale],
            "answer_at": round(self.answer_at, 4),
            "related_at": round(self.related_at, 4),
            "question": None
            if self.question_weights is None
            else {
                "weights": [round(float(w), 6) for w in self.question_weights],
                "bias": round(self.question_bias, 6),
                "mean": [round(float(m), 6) for m in self.question_mean],
                "scale": [round(float(s), 6) for s in self.question_scale],
                "at": round(self.question_at, 4),
            },
        }


def _question_part(values: dict | None) -> dict:
    if not values:
        return {}
    return {
        "question_weights": np.asarray(values["weights"], dtype=float),
        "question_bias": float(values["bias"]),
        "question_mean": np.asarray(values["mean"], dtype=float),
        "question_scale": np.asarray(values["scale"], dtype=float),
        "question_at": float(values["at"]),
    }


@cache
def default_model() -> ConfidenceModel:
    return ConfidenceModel.from_dict(json.loads(MODEL_PATH.read_text("utf-8")))
