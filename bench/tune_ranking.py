"""Choose the BM25 variant and parameters by measurement: SciFact train to tune, test to confirm.

    .venv/bin/python bench/tune_ranking.py            # the full grid (100 configs, ~6 min)
    .venv/bin/python bench/tune_ranking.py --quick    # a pruned grid (30 configs: k1 {0.9, 1.2, 1.5}, b {0.5, 0.75})

For every config of the grid (variant x k1 x b, x delta for BM25L/BM25Plus):
- SciFact **train** nDCG@10 and Recall@100 (809 queries), which is what configs are ranked by;
- seed_dev hit@1 / hit@3 / MRR / no-match accuracy: the whole answering path
  (`Library.load(seeds, config=...).answer`), relevance threshold included.
Then, for the best 3 configs by train nDCG@10, rank-bm25's defaults for each variant and the
project's current `RankingConfig()`: SciFact **test** nDCG@10 and Recall@100 (300 queries).
Test figures are reported, never used to choose.

SciFact documents are analysed once with the project's analyzer (the same text that
`retrieval.evaluation.trec.retrieve_run` indexes with `title_weight=1`: title + paragraphs); each config
then only builds a ranker (`retrieval.ranking.index.build_ranker`) and runs the queries. The in-process
run is checked against `retrieve_run` once, so the cached path measures the same thing as
`qa-bot retrieve --title-weight 1`. This grid chooses the bot's passage ranking (`RankingConfig()`);
`qa-bot retrieve`'s own defaults (title weight, k1) are chosen by bench/tune_documents.py.

`--idf` prints what each variant's idf does to the seed corpus, where the article title is
indexed with each of the 27 passages (rank-bm25's Okapi floors negative idf to 0.25 x mean idf).
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(REPO), str(BENCH)]

import scifact  # noqa: E402  (bench/scifact.py: data paths, qrels, scoring)

SEED_DEV = scifact.SHARED / "eval" / "seed_dev.jsonl"
SEEDS = REPO / "seeds"

VARIANTS = ("okapi", "bm25l", "bm25plus")
K1 = (0.6, 0.9, 1.2, 1.5, 2.0)
B = (0.3, 0.5, 0.75, 0.9)
DELTA = (0.5, 1.0)
QUICK_K1, QUICK_B = (0.9, 1.2, 1.5), (0.5, 0.75)
# rank-bm25's constructor defaults: k1=1.5, b=0.75, delta 0.5 (BM25L) or 1.0 (BM25Plus).
RANK_BM25_DEFAULTS = {"okapi": (1.5, 0.75, 1.0), "bm25l": (1.5, 0.75, 0.5), "bm25plus": (1.5, 0.75, 1.0)}
BEST_N = 3


@dataclass(frozen=True)
class Result:
    variant: str
    k1: float
    b: float
    delta: float | None
    train_ndcg10: float
    train_r100: float
    seed: dict
    seconds: float

    def label(self) -> str:
        delta = "" if self.delta is None else f" delta={self.delta:g}"
        return f"{self.variant} k1={self.k1:g} b={self.b:g}{delta}"


def grid(quick: bool) -> list[tuple[str, float, float, float | None]]:
    k1s, bs = (QUICK_K1, QUICK_B) if quick else (K1, B)
    out = []
    for variant, k1, b in itertools.product(VARIANTS, k1s, bs):
        for delta in (None,) if variant == "okapi" else DELTA:
            out.append((variant, k1, b, delta))
    return out


def config_of(variant: str, k1: float, b: float, delta: float | None):
    from retrieval.ranking.index import RankingConfig

    return RankingConfig(variant=variant, k1=k1, b=b, delta=1.0 if delta is None else delta)


class SciFact:
    """SciFact analysed once: document terms and, per split, the judged queries' terms."""

    title_weight = 1  # how many times `docs` counts each title (what retrieve_run is compared with)

    def __init__(self) -> None:
        from retrieval.analysis.analyzer import default_analyzer
        from retrieval.corpus.loader import load_corpus
        from retrieval.evaluation.trec import read_queries

        started = time.perf_counter()
        analyzer = default_analyzer()
        loaded = load_corpus(scifact.SCIFACT / "corpus.jsonl")
        self.skipped = [str(p) for p in loaded.problems]
        self.ids = [a.id for a in loaded.articles]
        # Exactly what retrieve_run indexes for a record with title_weight=1.
        self.docs = [analyzer.terms(a.title + "\n" + "\n".join(a.paragraphs)) for a in loaded.articles]
        self.qrels = {split: scifact.read_qrels(split) for split in scifact.SPLITS}
        texts = dict(read_queries(scifact.SCIFACT / "queries.jsonl"))
        self.queries = {split: [(q, analyzer.terms(texts[q])) for q in qrels] for split, qrels in self.qrels.items()}
        self.seconds = time.perf_counter() - started

    def run(self, config, split: str) -> dict[str, dict[str, float]]:
        from retrieval.ranking.index import build_ranker

        ranker = build_ranker(self.docs, config)
        # Scores rounded as `qa-bot retrieve` writes them (6 decimals), so that trec_eval's tie
        # rule (equal scores: doc id order) sees the same ties and the figures are the CLI's.
        return {
            qid: {self.ids[doc]: float(f"{score:.6f}") for doc, score in ranker.top_k(terms, scifact.TOP_K)}
            for qid, terms in self.queries[split]
        }

    def score(self, config, split: str) -> dict[str, float]:
        return scifact.score_run(self.run(config, split), self.qrels[split])

    def check_against_retrieve_run(self, config, split: str) -> bool:
        """Is the cached in-process run the run `retrieve_run` (what `qa-bot retrieve` calls) writes?"""
        from retrieval.evaluation.trec import retrieve_run

        with tempfile.TemporaryDirectory(prefix="tune-") as tmp:
            queries = Path(tmp) / "queries.jsonl"
            scifact.write_queries(self.qrels[split], queries)
            out = io.StringIO()
            retrieve_run(
                scifact.SCIFACT / "corpus.jsonl",
                queries,
                out,
                top_k=scifact.TOP_K,
                config=config,
                title_weight=self.title_weight,
            )
        reference: dict[str, list[tuple[str, str]]] = {}
        for line in out.getvalue().splitlines():
            qid, _q0, doc, _rank, score, _tag = line.split()
            reference.setdefault(qid, []).append((doc, score))
        mine = {q: [(d, f"{s:.6f}") for d, s in docs.items()] for q, docs in self.run(config, split).items()}
        return {q: v for q, v in mine.items() if v} == reference


def paired_difference(values: dict[str, float], reference: dict[str, float]) -> tuple[float, float]:
    """Mean per-query difference and the half-width of its 95% confidence interval (normal approximation)."""
    diffs = [values[q] - reference[q] for q in reference]
    n = len(diffs)
    mean = sum(diffs) / n
    variance = sum((d - mean) ** 2 for d in diffs) / (n - 1) if n > 1 else 0.0
    return mean, 1.96 * math.sqrt(variance / n)


def seed_figures(config, questions: list[dict]) -> dict:
    from retrieval.answering.library import Library
    from retrieval.evaluation.metrics import evaluate

    library = Library.load(SEEDS, config=config)
    report = evaluate(questions, library.answer)
    figures = report.figures()
    figures["misses"] = [f for f in report.failures if "no gold passage" in f or "expected no match" in f]
    return figures


def fmt_seed(seed: dict) -> str:
    return f"{seed['hit@1']:.3f}  {seed['hit@3']:.3f}  {seed['mrr']:.3f}  {seed['no_match_accuracy']:.2f}"


def idf_report() -> None:
    """Each variant's idf on the seed corpus: title words (in every passage) against the rest."""
    from retrieval.answering.library import Library
    from retrieval.ranking.index import PassageIndex, RankingConfig

    library = Library.load(SEEDS)
    index: PassageIndex = library.index
    n = index.size
    title = library.corpus.articles[0].title
    title_terms = list(dict.fromkeys(index.analyzer.terms(title)))
    print(
        f"\nSeed corpus: {n} passages; title {title!r} -> terms {title_terms} (in every passage: "
        f"{all(index.df(t) == n for t in title_terms)})"
    )
    import rank_bm25  # the reference implementation, for its idf tables

    docs = [index.passage_terms(i) for i in range(n)]
    bm25 = {"okapi": rank_bm25.BM25Okapi(docs), "bm25l": rank_bm25.BM25L(docs), "bm25plus": rank_bm25.BM25Plus(docs)}
    okapi = bm25["okapi"]
    dfs = Counter(index.df(t) for t in okapi.idf)
    raw = {df: math.log(n - df + 0.5) - math.log(df + 0.5) for df in dfs}
    mean = sum(raw[index.df(t)] for t in okapi.idf) / len(okapi.idf)
    print(
        f"  vocabulary {len(okapi.idf)} terms; Okapi raw idf mean {mean:.3f}, floor = 0.25 x mean = {0.25 * mean:.3f}"
        f" (given to every term with df > {n / 2:g})"
    )
    print(f"  {'df':>4} {'terms':>5}  {'okapi':>7} {'bm25l':>7} {'bm25plus':>8}")
    by_df = {}
    for term in okapi.idf:
        by_df.setdefault(index.df(term), term)
    for df in sorted(by_df):
        t = by_df[df]
        print(
            f"  {df:>4} {dfs[df]:>5}  {okapi.idf[t]:>7.3f} {bm25['bm25l'].idf[t]:>7.3f} {bm25['bm25plus'].idf[t]:>8.3f}"
        )
    floored = sorted(t for t in okapi.idf if index.df(t) > n / 2)
    outweighed = sorted(t for t in okapi.idf if okapi.idf[t] < 0.25 * mean and index.df(t) <= n / 2)
    print(f"  floored by Okapi (df > {n / 2:g}): {floored}")
    print(f"  rarer terms Okapi weighs *less* than the floored ones: {outweighed or 'none'}")
    share = {v: bm25[v].idf[title_terms[0]] / max(bm25[v].idf.values()) for v in VARIANTS}
    print("  a title word's idf as a share of a df=1 word's: " + ", ".join(f"{v} {share[v]:.1%}" for v in VARIANTS))

    # Does the weight Okapi leaves on title words ever beat a word that only some passages have?
    # Query = some title words + one other word w; a miss is a top passage without w.
    rankers = {
        v: PassageIndex.build(
            library.corpus, config=RankingConfig(variant=v, k1=1.5, b=0.75, delta=RANK_BM25_DEFAULTS[v][2])
        )
        for v in VARIANTS
    }
    others = sorted({t for i in range(index.size) for t in index.passage_terms(i)} - set(title_terms))
    print(
        f"  queries = title words + one of the {len(others)} other words; top passage lacks that word "
        "(rank-bm25 defaults):"
    )
    for prefix in (["north", "korea"], ["putin", "north", "korea", "leader"], title_terms):
        prefix = [t for t in prefix if t in title_terms]
        misses = {
            v: [w for w in others if w not in set(ix.passage_terms(ix.search(prefix + [w], 1)[0][0]))]
            for v, ix in rankers.items()
        }
        print(
            f"    {' '.join(prefix)} + w: "
            + ", ".join(f"{v} {len(m)}" for v, m in misses.items())
            + (
                f"   (okapi misses: {' '.join(misses['okapi'][:8])}{' ...' if len(misses['okapi']) > 8 else ''})"
                if misses["okapi"]
                else ""
            )
        )

    from retrieval.evaluation.metrics import normalize_for_match, read_questions

    differ = []
    for row in read_questions(SEED_DEV):
        gold = [normalize_for_match(g) for g in row.get("gold", [])]
        if not gold:
            continue
        ranks = {}
        for v, ix in rankers.items():
            hits = ix.search(ix.analyzer.terms(row["question"]), n)
            ranks[v] = next(
                (
                    r
                    for r, (i, _) in enumerate(hits, 1)
                    if any(g in normalize_for_match(library.corpus.passages[i].text) for g in gold)
                ),
                None,
            )
        if len(set(ranks.values())) > 1 or ranks["okapi"] != 1:
            differ.append(f"{row['id']} {ranks}")
    print(
        f"  seed_dev, ranking alone (no threshold): gold passage first for every variant: {not differ}"
        + (f"; differences: {differ}" if differ else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="pruned grid: k1 in {0.9,1.2,1.5}, b in {0.5,0.75}")
    parser.add_argument("--idf", action="store_true", help="only the seed-corpus idf report")
    parser.add_argument("--json", type=Path, help="also write every figure here (outside the repo, please)")
    args = parser.parse_args(argv)
    scifact.require_shared(
        scifact.SCIFACT / "corpus.jsonl",
        scifact.SCIFACT / "queries.jsonl",
        scifact.qrels_path("train"),
        scifact.qrels_path("test"),
        SEED_DEV,
    )
    if not SEEDS.is_dir():
        sys.exit(f"bench: the seed corpus is missing: {SEEDS}")
    scifact._import_ir_measures()
    if args.idf:
        idf_report()
        return 0

    from retrieval.evaluation.metrics import read_questions
    from retrieval.ranking.index import RankingConfig

    started = time.perf_counter()
    data = SciFact()
    print(
        f"SciFact analysed once in {data.seconds:.1f} s: {len(data.docs)} documents "
        f"({len(data.skipped)} skipped: {'; '.join(data.skipped) or '-'}), "
        f"{len(data.queries['train'])} train / {len(data.queries['test'])} test judged queries"
    )
    questions = read_questions(SEED_DEV)

    results: list[Result] = []
    points = grid(args.quick)
    for i, (variant, k1, b, delta) in enumerate(points, 1):
        t = time.perf_counter()
        config = config_of(variant, k1, b, delta)
        train = data.score(config, "train")
        seed = seed_figures(config, questions)
        result = Result(variant, k1, b, delta, train["nDCG@10"], train["R@100"], seed, time.perf_counter() - t)
        results.append(result)
        print(
            f"  [{i:>2}/{len(points)}] {result.label():<34} train nDCG@10 {result.train_ndcg10:.4f}  "
            f"R@100 {result.train_r100:.4f}  seed {fmt_seed(seed)}  ({result.seconds:.1f} s)",
            flush=True,
        )
    grid_seconds = time.perf_counter() - started

    # Ties (BM25Plus's delta changes nothing) list rank-bm25's default delta first.
    results.sort(
        key=lambda r: (-r.train_ndcg10, -r.train_r100, r.delta not in (None, RANK_BM25_DEFAULTS[r.variant][2]))
    )
    print(
        f"\nGrid ({len(results)} configs{', pruned' if args.quick else ''}), sorted by SciFact train nDCG@10"
        f" (seed_dev: {len(questions)} questions, relevance threshold in place):"
    )
    print(
        f"{'#':>3}  {'variant':<8} {'k1':>4} {'b':>5} {'delta':>5}  {'nDCG@10':>7} {'R@100':>6}   "
        f"{'hit@1':>5}  {'hit@3':>5}  {'MRR':>5}  {'nomatch':>4}"
    )
    for rank, r in enumerate(results, 1):
        delta = "-" if r.delta is None else f"{r.delta:g}"
        print(
            f"{rank:>3}  {r.variant:<8} {r.k1:>4g} {r.b:>5g} {delta:>5}  {r.train_ndcg10:>7.4f} {r.train_r100:>6.4f}   "
            f"{fmt_seed(r.seed)}"
        )

    print("\nTrain nDCG@10 by k1 (rows) and b (columns):")
    for variant in VARIANTS:
        for delta in (None,) if variant == "okapi" else DELTA:
            cells = {(r.k1, r.b): r.train_ndcg10 for r in results if r.variant == variant and r.delta == delta}
            k1s, bs = sorted({k for k, _ in cells}), sorted({b for _, b in cells})
            print(f"  {variant}{'' if delta is None else f' delta={delta:g}'}: " + "  ".join(f"b={b:<5g}" for b in bs))
            for k1 in k1s:
                print(f"    k1={k1:<4g} " + "  ".join(f"{cells[k1, b]:.4f} " for b in bs))

    # Test: the best 3 by train, rank-bm25's defaults per variant, the project's current default.
    # Configs that rank identically (rank-bm25's BM25Plus adds idf x delta to *every* document,
    # so delta never changes its ranking) count once: the best 3 are 3 different rankings.
    chosen: dict[tuple, str] = {}
    seen: set[tuple] = set()
    for rank, r in enumerate(results, 1):
        if len(chosen) == BEST_N:
            break
        same_ranking = (r.variant, r.k1, r.b, r.train_ndcg10, r.train_r100)
        if same_ranking not in seen:
            seen.add(same_ranking)
            chosen[r.variant, r.k1, r.b, r.delta] = f"train #{rank}"
    for variant, (k1, b, delta) in RANK_BM25_DEFAULTS.items():
        key = (variant, k1, b, None if variant == "okapi" else delta)
        chosen[key] = (chosen[key] + ", " if key in chosen else "") + "rank-bm25 default"
    current = RankingConfig()
    key = (current.variant, current.k1, current.b, None if current.variant == "okapi" else current.delta)
    chosen[key] = (chosen[key] + ", " if key in chosen else "") + "project default"

    t = time.perf_counter()
    first = next(iter(chosen))
    same = data.check_against_retrieve_run(config_of(*first), "test")
    print(f"\nin-process run identical to retrieve_run's ({first[0]} k1={first[1]:g} b={first[2]:g}, test): {same}")
    by_key = {(r.variant, r.k1, r.b, r.delta): r for r in results}
    tests = []
    print(f"\nSciFact test ({len(data.qrels['test'])} queries) for the chosen configs:")
    print(
        f"  {'config':<34} {'why':<36} {'train nDCG@10':>13} {'test nDCG@10':>12} {'test R@100':>10}  "
        f"{'test nDCG@10 - train #1, 95% CI':<32} seed hit@1/hit@3/MRR"
    )
    reference = None
    for key, why in chosen.items():
        config = config_of(*key)
        values = scifact.per_query_scores(data.run(config, "test"), data.qrels["test"])
        test = {name: sum(v.values()) / len(v) for name, v in values.items()}
        reference = reference or values["nDCG@10"]
        r = by_key.get(key)
        if r is None:  # not in the (pruned) grid
            train = data.score(config, "train")
            r = Result(*key, train["nDCG@10"], train["R@100"], seed_figures(config, questions), 0.0)
        diff, half = paired_difference(values["nDCG@10"], reference)
        tests.append(
            {
                **asdict(r),
                "why": why,
                "test_ndcg10": test["nDCG@10"],
                "test_r100": test["R@100"],
                "test_ndcg10_minus_best": diff,
                "ci95_half_width": half,
            }
        )
        print(
            f"  {r.label():<34} {why:<36} {r.train_ndcg10:>13.4f} {test['nDCG@10']:>12.4f} {test['R@100']:>10.4f}  "
            f"{f'{diff:+.4f} ± {half:.4f}':<32} {r.seed['hit@1']:.3f}/{r.seed['hit@3']:.3f}/{r.seed['mrr']:.3f}"
        )
    print(f"  ({scifact.PUBLISHED})")
    print(f"\ntimes: analysis {data.seconds:.1f} s, grid {grid_seconds:.0f} s, test {time.perf_counter() - t:.0f} s")

    for row in tests:
        print(f"seed_dev misses, {row['variant']} k1={row['k1']:g} b={row['b']:g}: {row['seed']['misses'] or 'none'}")
    if args.json:
        args.json.write_text(json.dumps({"grid": [asdict(r) for r in results], "test": tests}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
