"""Fit the confidence model (retrieval/data/confidence_model.json) on data no reported target is read from.

    .venv/bin/python bench/fit_confidence.py            # fit, print the held-out checks, write the model
    .venv/bin/python bench/fit_confidence.py --dry-run  # fit and print only

Fit data (never the targets of bench/quality.py):
- XQuAD halves drawn with seeds 3..8 (the targets use 0, 1, 2): questions about the loaded half, whose gold
  paragraph is the positive passage, and questions about the other half (every passage negative);
- the same halves with the 818 news articles beside them, so that answerable questions are also seen
  among tens of thousands of passages;
- small corpora, as a server's first articles are: one to five XQuAD articles drawn with seeds 20..39,
  their own questions answerable, a sample of the other articles' questions not;
- tests/data/offtopic_questions.txt over the seed, over seed + news and over seed + news + BBC;
- the dev set's split == "fit" part (bench/data/discord_dev.jsonl) and the fit-only set bench/data/news_fit.jsonl
  (221 questions, claims and unanswerable questions over articles the dev set does not use), over seed + news + BBC.

A passage-level logistic regression (scikit-learn) over retrieval.relevance.features.FEATURES; the
question's level comes from its best passage. Thresholds: `answer_at` lets at most ANSWER_FALSE of the
fit set's unanswerable questions reach `answer`; `related_at` keeps `none` for at most RELATED_MISS of
its answerable questions. A leave-one-corpus-out check refits without each group and scores it.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.quality import DEV_SET, NEWS, K, half, news_articles, xquad  # noqa: E402
from retrieval.analysis.claims import claim_question  # noqa: E402
from retrieval.answering.answerer import Answerer  # noqa: E402
from retrieval.corpus.articles import Article  # noqa: E402
from retrieval.corpus.collection import Corpus  # noqa: E402
from retrieval.corpus.loader import load_corpus  # noqa: E402
from retrieval.evaluation.metrics import normalize_for_match, read_questions  # noqa: E402
from retrieval.ranking.index import PassageIndex  # noqa: E402
from retrieval.relevance.confidence import MODEL_PATH, ConfidenceModel  # noqa: E402
from retrieval.relevance.features import FEATURES  # noqa: E402

FIT_SEEDS = (3, 4, 5, 6, 7, 8)
SMALL_SEEDS = tuple(range(20, 40))  # few-article corpora (never 0, 1, 2: the halves' targets)
SMALL_SIZES = (1, 1, 2, 3, 5)  # articles loaded, by seed
SMALL_OUT = 40  # questions about other articles asked of each small corpus
TOP = 20  # candidates per question the model is fitted on
ANSWER_FALSE = 0.035
RELATED_MISS = 0.005
QUESTION_MISS = 0.01  # answerable fit questions the question-level model may leave at `none`
OFFTOPIC = REPO / "tests" / "data" / "offtopic_questions.txt"
NEWS_FIT = REPO / "bench" / "data" / "news_fit.jsonl"  # fit-only questions over news articles the dev set does not use


@dataclass
class Question:
    group: str  # which corpus family it comes from (for leave-one-corpus-out)
    answerable: bool
    features: np.ndarray  # candidates x FEATURES
    labels: np.ndarray  # 1 where the candidate is a right passage


def collect(answerer: Answerer, group: str, items: Iterable[tuple[str, bool, object]]) -> list[Question]:
    """items: (question, answerable, is_right(passage text) or None)."""
    out = []
    for text, answerable, is_right in items:
        candidates = answerer.candidates(text)
        features = np.array([c.features for c in candidates]).reshape(-1, len(FEATURES))
        labels = np.array(
            [bool(is_right and is_right(answerer.corpus.passages[c.index].text)) for c in candidates], dtype=int
        )
        out.append(Question(group, answerable, features, labels))
    return out


def in_paragraph(paragraph: str):
    return lambda text: normalize_for_match(text) in paragraph


def with_snippet(gold: Sequence[str]):
    wanted = [normalize_for_match(g) for g in gold]
    return lambda text: any(g in normalize_for_match(text) for g in wanted)


def offtopic() -> list[str]:
    return [line for line in OFFTOPIC.read_text("utf-8").splitlines() if line and not line.startswith("#")]


# Features do not depend on the model: the fit runs with a placeholder, whatever the data file holds.
_PLACEHOLDER = ConfidenceModel(np.zeros(len(FEATURES)), 0.0, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), 1.0, 1.0)


def answerer_over(articles: Sequence[Article]) -> Answerer:
    return Answerer(PassageIndex.build(Corpus.from_articles(articles)), model=_PLACEHOLDER)


def fit_data(with_news_halves: bool = True) -> list[Question]:
    articles, questions = xquad()
    news = [a for path in NEWS[:1] for a in load_corpus(path).articles]
    seed = load_corpus(REPO / "seeds").articles
    data: list[Question] = []
    for seed_number in FIT_SEEDS:
        loaded = half(seed_number, len(articles))
        subset = [a for n, a in enumerate(articles) if n in loaded]
        items = [
            (q.question, q.article in loaded, in_paragraph(q.paragraph) if q.article in loaded else None)
            for q in questions
        ]
        data += collect(answerer_over(subset), "xquad", items)
        if with_news_halves and seed_number in FIT_SEEDS[:2]:
            data += collect(answerer_over(subset + news), "xquad+news", items)
    data += small_corpora(articles, questions)
    off = [(q, False, None) for q in offtopic()]
    data += collect(answerer_over(seed), "offtopic", off)
    data += collect(answerer_over(seed + news), "offtopic", off)
    everything = news_articles()
    big = answerer_over(everything)
    data += collect(big, "offtopic", off)
    for path, group in ((DEV_SET, "dev"), (NEWS_FIT, "news_fit")):
        if path.exists():
            data += chat_questions(big, group, [r for r in read_questions(path) if r.get("split") == "fit"])
    return data


def chat_questions(answerer: Answerer, group: str, rows: list[dict]) -> list[Question]:
    """Discord-style records (bench/data/README.md): questions as asked, claims as "Find sources" reads them."""
    items = [
        (
            claim_question(r["question"]) if r["kind"] == "claim" else r["question"],
            bool(r["answerable"]),
            with_snippet(r["gold"]) if r["answerable"] else None,
        )
        for r in rows
    ]
    return collect(answerer, group, items)


def small_corpora(articles: Sequence[Article], questions: Sequence) -> list[Question]:
    """A few XQuAD articles alone: in a one-article corpus every passage shares the title and no other
    article competes, which the halves (24 articles) never show the model."""
    data: list[Question] = []
    for seed_number in SMALL_SEEDS:
        rng = random.Random(seed_number)
        loaded = set(rng.sample(range(len(articles)), SMALL_SIZES[seed_number % len(SMALL_SIZES)]))
        own = [q for q in questions if q.article in loaded]
        others = rng.sample([q for q in questions if q.article not in loaded], SMALL_OUT)
        items = [(q.question, True, in_paragraph(q.paragraph)) for q in own]
        items += [(q.question, False, None) for q in others]
        data += collect(answerer_over([articles[n] for n in sorted(loaded)]), "small", items)
    return data


def fit(data: list[Question]) -> ConfidenceModel:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([q.features[:TOP] for q in data if len(q.features)])
    y = np.concatenate([q.labels[:TOP] for q in data if len(q.features)])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y)
    fitted = calibrate(ConfidenceModel(model.coef_[0], float(model.intercept_[0]), mean, scale, 1.0, 1.0), data)
    return fit_question_level(fitted, data)


def question_rows(model: ConfidenceModel, data: list[Question]) -> np.ndarray:
    """Per question: its most probable passage's features and that probability."""
    rows = []
    for q in data:
        if len(q.features) == 0:
            rows.append(np.zeros(len(FEATURES) + 1))
            continue
        p = model.probabilities(q.features)
        j = int(np.argmax(p))
        rows.append(np.append(q.features[j], p[j]))
    return np.array(rows)


def fit_question_level(model: ConfidenceModel, data: list[Question]) -> ConfidenceModel:
    """Whether the corpus has passages on the question at all (answerable or not), for `none`."""
    from sklearn.linear_model import LogisticRegression

    x = question_rows(model, data)
    y = np.array([q.answerable for q in data], dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    fitted = LogisticRegression(C=1.0, max_iter=3000).fit((x - mean) / scale, y)
    with_question = replace(
        model,
        question_weights=fitted.coef_[0],
        question_bias=float(fitted.intercept_[0]),
        question_mean=mean,
        question_scale=scale,
    )
    answerable = np.array(
        [with_question.question_probability(r[:-1], r[-1]) for r, q in zip(x, data, strict=True) if q.answerable]
    )
    return replace(with_question, question_at=float(np.quantile(answerable, QUESTION_MISS)))


def best_probabilities(model: ConfidenceModel, data: list[Question]) -> np.ndarray:
    return np.array([model.probabilities(q.features).max() if len(q.features) else 0.0 for q in data])


def calibrate(model: ConfidenceModel, data: list[Question]) -> ConfidenceModel:
    best = best_probabilities(model, data)
    negative = np.array([not q.answerable for q in data])
    answerable = best[~negative]
    answer_at = float(np.quantile(best[negative], 1 - ANSWER_FALSE)) if negative.any() else 0.5
    related_at = float(np.quantile(answerable, RELATED_MISS)) if len(answerable) else 0.0
    return replace(model, answer_at=answer_at, related_at=min(related_at, answer_at))


def report(model: ConfidenceModel, data: list[Question], label: str) -> None:
    best = best_probabilities(model, data)
    rows = []
    for answerable in (True, False):
        chosen = [i for i, q in enumerate(data) if q.answerable == answerable]
        if not chosen:
            continue
        rows_q = question_rows(model, [data[i] for i in chosen])
        levels = [
            model.level(best[i], model.question_probability(r[:-1], r[-1])) for i, r in zip(chosen, rows_q, strict=True)
        ]
        shown_right = [
            any(
                data[i].labels[j]
                for j in np.argsort(-model.probabilities(data[i].features))[:K]
                if model.probabilities(data[i].features)[j] >= model.related_at
            )
            if len(data[i].features)
            else False
            for i in chosen
        ]
        if answerable:
            rows.append(f"answerable {len(chosen)}: right passage among the best {K} shown {np.mean(shown_right):.3f}")
            rows.append(
                f"  level answer {levels.count('answer') / len(levels):.3f}, "
                f"none {levels.count('none') / len(levels):.3f}"
            )
        else:
            rows.append(
                f"unanswerable {len(chosen)}: never answer {1 - levels.count('answer') / len(levels):.3f}, "
                f"none {levels.count('none') / len(levels):.3f}"
            )
    print(f"{label}: " + "; ".join(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    data = fit_data()
    groups = sorted({q.group for q in data})
    print("fit questions per group: " + ", ".join(f"{g} {sum(q.group == g for q in data)}" for g in groups))
    model = fit(data)
    print("weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, model.weights, strict=True)))
    print(f"thresholds: answer_at {model.answer_at:.3f}, related_at {model.related_at:.3f}")
    report(model, data, "fit set (in-sample)")
    for group in groups:
        rest = [q for q in data if q.group != group]
        held = [q for q in data if q.group == group]
        if any(q.answerable for q in rest) and any(not q.answerable for q in rest):
            report(fit(rest), held, f"leave out {group}")
    if not args.dry_run:
        import json

        MODEL_PATH.write_text(json.dumps(model.to_dict(), indent=1) + "\n", "utf-8")
        print(f"wrote {MODEL_PATH.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
