"""Benchmark corpora and queries built from the real news text in ../shared/corpora/.

Real passages are runs of consecutive sentences of one article, cut once they reach a
passage-like length (paragraph breaks are not kept: news paragraphs range from one line to 200
words). Corpora larger than the real text are topped up with synthetic passages
that recombine real sentences, so vocabulary and term statistics stay those of real news while
every passage stays distinct.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CORPORA_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpora"
ARTICLE_FILES = ("news_sep2023.jsonl", "bbc_news.jsonl")
QUESTION_SOURCES = ("xquad_en/xquad.en.json", "../eval/seed_dev.jsonl")

MIN_PASSAGE_WORDS = 50  # sentences are gathered until a passage has at least this many words
SYNTHETIC_WORDS = (35, 65)  # a synthetic passage's target length is drawn uniformly from this range
MAX_SENTENCES = 16  # enough sentences per draw to reach the longest target
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Corpus:
    passages: list[str]
    n_real: int  # the first n_real passages are real text; the rest are recombined sentences


def real_passages() -> list[str]:
    """Every article cut, in order, into runs of sentences of at least MIN_PASSAGE_WORDS words."""
    passages: list[str] = []
    for name in ARTICLE_FILES:
        with open(CORPORA_DIR / name, encoding="utf-8") as lines:
            for line in lines:
                pending: list[str] = []
                n_words = 0
                for sentence in _SENTENCE_END.split(json.loads(line)["text"].strip()):
                    pending.append(" ".join(sentence.split()))
                    n_words += len(sentence.split())
                    if n_words >= MIN_PASSAGE_WORDS:
                        passages.append(" ".join(pending))
                        pending, n_words = [], 0
                if pending:
                    passages.append(" ".join(pending))
    return passages


def build_corpus(size: int, seed: int = 0) -> Corpus:
    """`size` distinct passages: the real ones first (cut to `size`), then synthetic ones."""
    real = real_passages()
    if size <= len(real):
        return Corpus(passages=real[:size], n_real=size)
    sentences = sorted({s for p in real for s in _SENTENCE_END.split(p) if len(s.split()) >= 4})
    words = np.array([len(s.split()) for s in sentences])
    rng = np.random.default_rng(seed)
    seen: set[str] = set(real)
    passages = list(real)
    while len(passages) < size:
        wanted = size - len(passages)
        picks = rng.integers(0, len(sentences), size=(wanted, MAX_SENTENCES))
        targets = rng.integers(SYNTHETIC_WORDS[0], SYNTHETIC_WORDS[1] + 1, size=wanted)
        # Number of sentences needed for each row to reach its target length.
        lengths = (np.cumsum(words[picks], axis=1) < targets[:, None]).sum(axis=1) + 1
        for row, n in zip(picks.tolist(), np.minimum(lengths, MAX_SENTENCES).tolist(), strict=True):
            text = " ".join(sentences[i] for i in row[:n])
            if text not in seen:  # a repeated draw is redrawn on the next pass of the loop
                seen.add(text)
                passages.append(text)
    return Corpus(passages=passages, n_real=len(real))


def questions() -> list[str]:
    """Real questions: XQuAD's English questions and the project's development questions."""
    found: list[str] = []
    xquad = json.loads((CORPORA_DIR / QUESTION_SOURCES[0]).read_text(encoding="utf-8"))
    for article in xquad["data"]:
        for paragraph in article["paragraphs"]:
            found.extend(qa["question"] for qa in paragraph["qas"])
    dev = CORPORA_DIR / QUESTION_SOURCES[1]
    if dev.exists():
        found.extend(json.loads(line)["question"] for line in dev.read_text(encoding="utf-8").splitlines() if line)
    return found
