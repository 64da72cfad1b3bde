"""Choose how `qa-bot retrieve` ranks whole documents: the title's weight and the BM25 settings.

    .venv/bin/python bench/tune_documents.py                        # the grid (180 configs, ~1.5 min)
    .venv/bin/python bench/tune_documents.py --json /tmp/docs.json  # also keep every figure

The title is a field: its terms count `title_weight` times in the document (BM25F with one
shared length normalisation, Robertson, Zaragoza & Taylor 2004, "Simple BM25 extension to
multiple weighted fields": field-weighted term frequencies are summed *before* BM25's saturation,
so a title word cannot add more than a body word's saturated weight). Weight 1 is what
`retrieve_run` indexed before (title + paragraphs as one text), weight 0 leaves the title out.

Configs (variant x k1 x b x title weight) are ranked by SciFact **train** nDCG@10 only. Then, for
the best 3 by train and for the old default (title weight 1, `RankingConfig()`), SciFact **test**
nDCG@10 and Recall@100, each with the paired 95% CI of its per-query difference from the old
default, on train and on test. Test figures are reported, never used to choose.

Only document retrieval is tuned here; the bot's passage index (`PassageIndex`, the Answerer)
keeps `RankingConfig()` (bench/tune_ranking.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(REPO), str(BENCH)]

import scifact  # noqa: E402  (bench/scifact.py: data paths, qrels, scoring)
from tune_ranking import SciFact, paired_difference  # noqa: E402

VARIANTS = ("bm25plus", "okapi")
K1 = (0.9, 1.2, 1.5, 2.0, 2.5)
B = (0.5, 0.75, 0.9)
TITLE_WEIGHTS = (0, 1, 2, 3, 4, 5)
BEST_N = 3


class SciFactFields(SciFact):
    """SciFact analysed once, title and paragraphs apart, so each title weight only rebuilds a ranker."""

    def __init__(self) -> None:
        super().__init__()
        from retrieval.analysis.analyzer import default_analyzer
        from retrieval.corpus.loader import load_corpus
        from retrieval.evaluation.trec import document_terms

        analyzer = default_analyzer()
        articles = load_corpus(scifact.SCIFACT / "corpus.jsonl").articles
        self.fields = [(analyzer.terms(a.title), analyzer.terms("\n".join(a.paragraphs))) for a in articles]
        self._document_terms = document_terms

    def with_title_weight(self, weight: int) -> SciFactFields:
        self.docs = [self._document_terms(title, body, weight) for title, body in self.fields]
        self.title_weight = weight
        return self


def label(key: tuple) -> str:
    variant, k1, b, weight = key
    return f"{variant} k1={k1:g} b={b:g} title x{weight}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write every figure here (outside the repo, please)")
    args = parser.parse_args(argv)
    scifact.require_shared(
        scifact.SCIFACT / "corpus.jsonl",
        scifact.SCIFACT / "queries.jsonl",
        scifact.qrels_path("train"),
        scifact.qrels_path("test"),
    )
    scifact._import_ir_measures()
    from retrieval.evaluation.trec import DOCUMENT_RANKING, DOCUMENT_TITLE_WEIGHT
    from retrieval.ranking.index import RankingConfig

    started = time.perf_counter()
    data = SciFactFields()
    print(f"SciFact analysed in {time.perf_counter() - started:.1f} s: {len(data.fields)} documents")
    old = RankingConfig()
    baseline_key = (old.variant, old.k1, old.b, 1)
    default_key = (DOCUMENT_RANKING.variant, DOCUMENT_RANKING.k1, DOCUMENT_RANKING.b, DOCUMENT_TITLE_WEIGHT)

    train: dict[tuple, dict[str, dict[str, float]]] = {}
    for weight in TITLE_WEIGHTS:
        data.with_title_weight(weight)
        for variant, k1, b in itertools.product(VARIANTS, K1, B):
            config = RankingConfig(variant=variant, k1=k1, b=b)
            train[variant, k1, b, weight] = scifact.per_query_scores(data.run(config, "train"), data.qrels["train"])
        best = max((k for k in train if k[3] == weight), key=lambda k: sum(train[k]["nDCG@10"].values()))
        print(f"  title x{weight}: best train nDCG@10 {_mean(train[best]['nDCG@10']):.4f} ({label(best)})", flush=True)
    grid_seconds = time.perf_counter() - started

    order = sorted(train, key=lambda k: (-_mean(train[k]["nDCG@10"]), -_mean(train[k]["R@100"])))
    print(f"\nTop 15 of {len(order)} configs by SciFact train nDCG@10 (809 queries):")
    for rank, key in enumerate(order[:15], 1):
        diff, half = paired_difference(train[key]["nDCG@10"], train[baseline_key]["nDCG@10"])
        print(
            f"  {rank:>2}  {label(key):<36} nDCG@10 {_mean(train[key]['nDCG@10']):.4f}  "
            f"R@100 {_mean(train[key]['R@100']):.4f}  vs old default {diff:+.4f} ± {half:.4f}"
        )
    print("\nTrain nDCG@10 by title weight (rows) and k1 (columns), b=0.75:")
    for variant in VARIANTS:
        print(f"  {variant:<9}" + "".join(f"  k1={k1:<4g}" for k1 in K1))
        for weight in TITLE_WEIGHTS:
            cells = "".join(f"  {_mean(train[variant, k1, 0.75, weight]['nDCG@10']):.4f} " for k1 in K1)
            print(f"  title x{weight}  {cells}")

    chosen = {key: f"train #{order.index(key) + 1}" for key in order[:BEST_N]}
    for key, why in ((baseline_key, "old default"), (default_key, "retrieve's default")):
        chosen[key] = (chosen[key] + ", " if key in chosen else "") + why
    first = next(iter(chosen))
    same = data.with_title_weight(first[3]).check_against_retrieve_run(RankingConfig(*first[:3]), "test")
    print(f"\nin-process run identical to retrieve_run's ({label(first)}, test): {same}")
    print(f"\nSciFact test (300 queries); differences are paired, from the old default ({label(baseline_key)}):")
    print(f"  {'config':<36} {'why':<34} {'train':>6} {'Δ train, 95% CI':>17} {'test':>6} {'R@100':>6} Δ test, 95% CI")
    tests = []
    baseline_test = None
    for key in sorted(chosen, key=lambda k: k != baseline_key):
        data.with_title_weight(key[3])
        values = scifact.per_query_scores(data.run(RankingConfig(*key[:3]), "test"), data.qrels["test"])
        baseline_test = baseline_test or values["nDCG@10"]
        d_train, h_train = paired_difference(train[key]["nDCG@10"], train[baseline_key]["nDCG@10"])
        d_test, h_test = paired_difference(values["nDCG@10"], baseline_test)
        row = {
            "variant": key[0],
            "k1": key[1],
            "b": key[2],
            "title_weight": key[3],
            "why": chosen[key],
            "train_ndcg10": _mean(train[key]["nDCG@10"]),
            "train_r100": _mean(train[key]["R@100"]),
            "test_ndcg10": _mean(values["nDCG@10"]),
            "test_r100": _mean(values["R@100"]),
            "train_diff": [d_train, h_train],
            "test_diff": [d_test, h_test],
        }
        tests.append(row)
        print(
            f"  {label(key):<36} {chosen[key]:<34} {row['train_ndcg10']:.4f} {f'{d_train:+.4f} ± {h_train:.4f}':>17} "
            f"{row['test_ndcg10']:.4f} {row['test_r100']:.4f} {d_test:+.4f} ± {h_test:.4f}"
        )
    print(f"  ({scifact.PUBLISHED})")
    print(f"\ntimes: grid {grid_seconds:.0f} s, all {time.perf_counter() - started:.0f} s")
    if args.json:
        grid = [
            {"config": list(k), "train_ndcg10": _mean(v["nDCG@10"]), "train_r100": _mean(v["R@100"])}
            for k, v in train.items()
        ]
        args.json.write_text(json.dumps({"grid": grid, "test": tests}, indent=1), "utf-8")
    return 0


def _mean(values: dict[str, float]) -> float:
    return sum(values.values()) / len(values)


if __name__ == "__main__":
    sys.exit(main())
