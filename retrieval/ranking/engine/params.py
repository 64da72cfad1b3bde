"""BM25 parameters, with rank-bm25's defaults for each variant."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

VARIANTS = ("okapi", "bm25l", "bm25plus")  # rank_bm25.BM25Okapi, BM25L, BM25Plus
# rank-bm25's constructors default delta differently: BM25L(delta=0.5), BM25Plus(delta=1).
DEFAULT_DELTA = {"bm25l": 0.5, "bm25plus": 1.0}


@dataclass(frozen=True)
class BM25Params:
    """Which rank-bm25 variant to reproduce, with its parameters.

    `delta` is used by BM25L and BM25Plus only; left as None it becomes that variant's rank-bm25
    default (0.5 for BM25L, 1.0 for BM25Plus). `epsilon` is used by Okapi only: terms with a
    negative idf get epsilon times the mean idf of the vocabulary instead.
    """

    variant: str = "okapi"
    k1: float = 1.5
    b: float = 0.75
    delta: float | None = None
    epsilon: float = 0.25

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, not {self.variant!r}")
        if self.delta is None and self.variant in DEFAULT_DELTA:
            object.__setattr__(self, "delta", DEFAULT_DELTA[self.variant])
        for name in ("k1", "b", "epsilon") + (("delta",) if self.delta is not None else ()):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, not {value!r}")
            object.__setattr__(self, name, float(value))
        # Outside these ranges BM25's length normalisation and saturation stop meaning anything.
        if self.k1 < 0 or not 0 <= self.b <= 1 or (self.delta is not None and self.delta < 0):
            raise ValueError(f"need k1 >= 0, 0 <= b <= 1 and delta >= 0: {self}")

    def to_dict(self) -> dict[str, Any]:
        return {"variant": self.variant, "k1": self.k1, "b": self.b, "delta": self.delta, "epsilon": self.epsilon}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> BM25Params:
        return cls(**{name: values[name] for name in ("variant", "k1", "b", "delta", "epsilon")})
