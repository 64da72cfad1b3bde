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

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(the passage answers the question) for each row of features."""
        if len(features) == 0:
            return np.zeros(0)
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def level(self, probability: float) -> str:
        if probability >= self.answer_at:
            return ANSWER
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
        }


@cache
def default_model() -> ConfidenceModel:
    return ConfidenceModel.from_dict(json.loads(MODEL_PATH.read_text("utf-8")))
