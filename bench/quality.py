"""The quality table: the bot and plain rank-bm25 side by side, on every question set, in one run.

    .venv/bin/python bench/quality.py                    # everything (~3 min on the 2 shared cores)
    .venv/bin/python bench/quality.py --skip scifact,dev # a quicker subset
    .venv/bin/python bench/quality.py --json /tmp/q.json # also keep the figures (outside the repo)

Sets (data read in place from ../shared, nothing copied):
- seed: ../shared/eval/seed_dev.jsonl over seeds/ (hit@1, hit@3, unanswerable answered `none`).
- xquad: the 48 XQuAD articles loaded whole (title with "_" read as a space), 1,190 questions.
- halves: for seeds 0, 1, 2, `random.Random(seed).shuffle(list(range(48)))`, the first 24 loaded;
  questions about them must be shown their paragraph, questions about the others must not be answered.
- dev: bench/data/discord_dev.jsonl (its split == "eval" part) over seeds/ + 818 news + 2,225 BBC.
- scifact: SciFact test nDCG@10, the bot through `qa-bot retrieve` (bench/scifact.py).

The baseline is the issue's plain rank-bm25: `BM25Okapi` defaults, lowercase `\\w+` tokens, NLTK Snowball,
no stopwords, the title and the paragraph as one document, no threshold (so it always "answers").
A shown passage is right when its text lies inside the gold paragraph (XQuAD) or contains a gold snippet
(../shared/eval/README.md), both after `normalize_for_match`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nltk.stem.snowball import EnglishStemmer
from rank_bm25 import BM25Okapi

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from retrieval.answering.answerer import Answerer  # noqa: E402
from retrieval.corpus.articles import Article, build_article  # noqa: E402
from retrieval.corpus.collection import Corpus  # noqa: E402
from retrieval.corpus.loader import load_corpus  # noqa: E402
from retrieval.evaluation.metrics import normalize_for_match, read_questions  # noqa: E402
from retrieval.ranking.index import PassageIndex  # noqa: E402

SHARED = REPO.parent / "shared"
XQUAD = SHARED / "corpora" / "xquad_en" / "xquad.en.json"
SEED_DEV = SHARED / "eval" / "seed_dev.jsonl"
NEWS = (SHARED / "corpora" / "news_sep2023.jsonl", SHARED / "corpora" / "bbc_news.jsonl")
DEV_SET = REPO / "bench" / "data" / "discord_dev.jsonl"
HALF_SEEDS = (0, 1, 2)
K = 3
LEVELS = ("answer", "related", "none")


@dataclass(frozen=True)
class Shown:
    """What one system showed for a question: the confidence level and the passage texts, best first."""

    level: str
    texts: tuple[str, ...]


Ask = Callable[[str], Shown]


# --- the two systems -------------------------------------------------------------------------


def bot_system(articles: Sequence[Article]) -> tuple[Answerer, Ask, Ask]:
    """The bot over `articles`: its answerer, a question asker and a claim asker ("Find sources")."""
    answerer = Answerer(PassageIndex.build(Corpus.from_articles(articles)))

    def shown(answer) -> Shown:
        level = getattr(answer, "confidence", "answer" if answer.confident else "none")
        return Shown(level, tuple(p.text for p in answer.passages))

    def ask(question: str) -> Shown:
        return shown(answerer.answer(question, k=K))

    def claim(text: str) -> Shown:
        return shown(answerer.answer_claim(text, k=K))

    return answerer, ask, claim


_TOKEN = re.compile(r"\w+")


class BaselineAnalyzer:
    """The issue's baseline tokens: lowercase \\w+ runs, Snowball-stemmed, no stopwords."""

    def __init__(self) -> None:
        self._stem = EnglishStemmer().stem
        self._memo: dict[str, str] = {}

    def __call__(self, text: str) -> list[str]:
        out = []
        for word in _TOKEN.findall(text.lower()):
            stem = self._memo.get(word)
            if stem is None:
                stem = self._memo[word] = self._stem(word)
            out.append(stem)
        return out


def baseline_system(documents: Sequence[tuple[str, str]]) -> Ask:
    """rank-bm25's BM25Okapi over (title, paragraph) documents; always answers with its top 3."""
    analyze = BaselineAnalyzer()
    bm25 = BM25Okapi([analyze(f"{title}\n{text}") for title, text in documents])
    texts = [text for _, text in documents]

    def ask(question: str) -> Shown:
        scores = bm25.get_scores(analyze(question))
        top = sorted(range(len(texts)), key=lambda i: -scores[i])[:K]
        return Shown("answer", tuple(texts[i] for i in top))

    return ask


def article_documents(articles: Iterable[Article]) -> list[tuple[str, str]]:
    return [(a.title, p) for a in articles for p in a.paragraphs]


# --- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XQuadQuestion:
    question: str
    article: int  # index of the XQuAD article
    paragraph: str  # the gold paragraph, normalised


def xquad() -> tuple[list[Article], list[XQuadQuestion]]:
    data = json.loads(XQUAD.read_text("utf-8"))["data"]
    articles, questions = [], []
    for n, item in enumerate(data):
        title = item["title"].replace("_", " ")
        paragraphs = [p["context"] for p in item["paragraphs"]]
        articles.append(build_article(f"xquad{n:02d}", "\n\n".join(paragraphs), {"title": title}, title_in_body=False))
        for p in item["paragraphs"]:
            for qa in p["qas"]:
                questions.append(XQuadQuestion(qa["question"], n, normalize_for_match(p["context"])))
    return articles, questions


def half(seed: int, n: int = 48) -> set[int]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return set(order[: n // 2])


def news_articles() -> list[Article]:
    """seeds/ + the 818 news + the 2,225 BBC articles, as the bot loads them (first of a duplicate kept)."""
    articles: list[Article] = []
    seen: set[str] = set()
    for path in (REPO / "seeds", *NEWS):
        for article in load_corpus(path).articles:
            if article.content_hash not in seen and article.id not in seen:
                seen.update((article.content_hash, article.id))
                articles.append(article)
    return articles


# --- scoring ---------------------------------------------------------------------------------


def rank_in_paragraph(shown: Shown, paragraph: str) -> int | None:
    """1-based rank of the first shown passage whose text lies inside the gold paragraph."""
    return next((r for r, t in enumerate(shown.texts, 1) if normalize_for_match(t) in paragraph), None)


def rank_with_snippet(shown: Shown, gold: Sequence[str]) -> int | None:
    wanted = [normalize_for_match(g) for g in gold]
    return next((r for r, t in enumerate(shown.texts, 1) if any(g in normalize_for_match(t) for g in wanted)), None)


def share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


@dataclass
class Tally:
    """Per question: rank of the right passage (None: not shown) and the level."""

    ranks: list[int | None]
    levels: list[str]

    @classmethod
    def of(cls, pairs: Iterable[tuple[int | None, str]]) -> Tally:
        ranks, levels = [], []
        for rank, level in pairs:
            ranks.append(rank)
            levels.append(level)
        return cls(ranks, levels)

    def hit(self, k: int, level: str | None = None) -> float:
        return share([r is not None and r <= k and (level is None or v == level) for r, v in self.ranks_levels])

    @property
    def ranks_levels(self) -> list[tuple[int | None, str]]:
        return list(zip(self.ranks, self.levels, strict=True))

    def level_share(self, level: str) -> float:
        return share([v == level for v in self.levels])


# --- the sets --------------------------------------------------------------------------------

Row = tuple[str, float, float]  # (figure, bot, baseline)


def seed_rows() -> list[Row]:
    articles = load_corpus(REPO / "seeds").articles
    _, bot, _ = bot_system(articles)
    base = baseline_system(article_documents(articles))
    rows = read_questions(SEED_DEV)
    answerable = [r for r in rows if r.get("answerable", True)]
    unanswerable = [r for r in rows if not r.get("answerable", True)]
    out = []
    for ask in (bot, base):
        t = Tally.of((rank_with_snippet(s, r["gold"]), s.level) for r in answerable for s in [ask(r["question"])])
        u = Tally.of((None, ask(r["question"]).level) for r in unanswerable)
        out.append((t.hit(1), t.hit(3), u.level_share("none")))
    labels = ("seed_dev hit@1", "seed_dev hit@3", f"seed_dev unanswerable -> none ({len(unanswerable)})")
    return [(label, out[0][i], out[1][i]) for i, label in enumerate(labels)]


def xquad_rows(articles: list[Article], questions: list[XQuadQuestion]) -> list[Row]:
    _, bot, _ = bot_system(articles)
    base = baseline_system(article_documents(articles))
    tallies = []
    for ask in (bot, base):
        tallies.append(
            Tally.of((rank_in_paragraph(s, q.paragraph), s.level) for q in questions for s in [ask(q.question)])
        )
    bot_t, base_t = tallies
    return [
        ("xquad whole hit@1 (any level)", bot_t.hit(1), base_t.hit(1)),
        ("xquad whole hit@3 (any level)", bot_t.hit(3), base_t.hit(3)),
        ("xquad whole hit@3 as answer", bot_t.hit(3, "answer"), base_t.hit(3, "answer")),
        ("xquad whole share none", bot_t.level_share("none"), base_t.level_share("none")),
    ]


def halves_rows(articles: list[Article], questions: list[XQuadQuestion]) -> list[Row]:
    per_seed: dict[str, list[tuple[float, float]]] = {}
    for seed in HALF_SEEDS:
        loaded = half(seed, len(articles))
        subset = [a for n, a in enumerate(articles) if n in loaded]
        _, bot, _ = bot_system(subset)
        base = baseline_system(article_documents(subset))
        inside = [q for q in questions if q.article in loaded]
        outside = [q for q in questions if q.article not in loaded]
        figures = []
        for ask in (bot, base):
            t_in = Tally.of((rank_in_paragraph(s, q.paragraph), s.level) for q in inside for s in [ask(q.question)])
            t_out = Tally.of((None, ask(q.question).level) for q in outside)
            figures.append(
                {
                    "in-corpus paragraph shown": t_in.hit(K),
                    "in-corpus shown as answer": t_in.hit(K, "answer"),
                    "out-of-corpus never answer": 1 - t_out.level_share("answer"),
                    "out-of-corpus none": t_out.level_share("none"),
                }
            )
        for name in figures[0]:
            per_seed.setdefault(name, []).append((figures[0][name], figures[1][name]))
    rows = []
    for name, pairs in per_seed.items():
        seeds = " / ".join(f"{b:.3f}" for b, _ in pairs)
        rows.append(
            (f"halves {name} (mean; bot per seed {seeds})", _mean(p[0] for p in pairs), _mean(p[1] for p in pairs))
        )
    return rows


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values)


def dev_rows(split: str = "eval") -> list[Row]:
    rows = [r for r in read_questions(DEV_SET) if r.get("split") == split]
    articles = news_articles()
    _, bot, bot_claim = bot_system(articles)
    base = baseline_system(article_documents(articles))
    kinds = {kind: [r for r in rows if r["kind"] == kind] for kind in ("question", "claim", "unanswerable")}
    out = []
    for ask, claim in ((bot, bot_claim), (base, base)):
        q = Tally.of(
            (rank_with_snippet(s, r["gold"]), s.level) for r in kinds["question"] for s in [ask(r["question"])]
        )
        c = Tally.of((rank_with_snippet(s, r["gold"]), s.level) for r in kinds["claim"] for s in [claim(r["question"])])
        u = Tally.of((None, ask(r["question"]).level) for r in kinds["unanswerable"])
        out.append(
            {
                f"dev questions hit@3 any level ({len(kinds['question'])})": q.hit(3),
                "dev questions hit@3 as answer": q.hit(3, "answer"),
                "dev questions hit@1 any level": q.hit(1),
                f"dev claims hit@3 any level ({len(kinds['claim'])})": c.hit(3),
                "dev claims hit@3 as answer": c.hit(3, "answer"),
                f"dev unanswerable never answer ({len(kinds['unanswerable'])})": 1 - u.level_share("answer"),
                "dev unanswerable none": u.level_share("none"),
            }
        )
    return [(name, out[0][name], out[1][name]) for name in out[0]]


def scifact_rows() -> list[Row]:
    from bench import scifact

    qrels = scifact.read_qrels("test")
    with tempfile.TemporaryDirectory(prefix="quality-scifact-") as tmp:
        run, _ = scifact.run_cli("test", [], Path(tmp))
    bot = scifact.score_run(run, qrels)["nDCG@10"]
    docs, ids = [], []
    for line in (scifact.SCIFACT / "corpus.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            ids.append(str(row["_id"]))
            docs.append(f"{row.get('title', '')}\n{row.get('text', '')}")
    analyze = BaselineAnalyzer()
    bm25 = BM25Okapi([analyze(d) for d in docs])
    queries = {
        str(r["_id"]): r["text"]
        for r in map(json.loads, (scifact.SCIFACT / "queries.jsonl").read_text("utf-8").splitlines())
        if str(r["_id"]) in qrels
    }
    base_run = {}
    for qid, text in queries.items():
        scores = bm25.get_scores(analyze(text))
        top = sorted(range(len(ids)), key=lambda i: -scores[i])[:100]
        base_run[qid] = {ids[i]: float(scores[i]) for i in top}
    base = scifact.score_run(base_run, qrels)["nDCG@10"]
    return [("scifact test nDCG@10 (bot via qa-bot retrieve)", bot, base)]


SETS = ("seed", "xquad", "halves", "dev", "scifact")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", default="", help=f"comma-separated sets to skip, of {', '.join(SETS)}")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    for path in (XQUAD, SEED_DEV, *NEWS):
        if not path.exists():
            sys.exit(f"bench: shared data not found: {path}")
    table: list[Row] = []
    started = time.perf_counter()
    if "seed" not in skip:
        table += seed_rows()
    if not {"xquad", "halves"} <= skip:
        articles, questions = xquad()
        if "xquad" not in skip:
            table += xquad_rows(articles, questions)
        if "halves" not in skip:
            table += halves_rows(articles, questions)
    if "dev" not in skip:
        if DEV_SET.exists():
            table += dev_rows()
        else:
            print(f"(dev set {DEV_SET} not there yet: skipped)", file=sys.stderr)
    if "scifact" not in skip:
        table += scifact_rows()
    width = max(len(name) for name, _, _ in table)
    print(f"{'figure':<{width}}  {'bot':>6}  {'rank-bm25':>9}")
    for name, bot, base in table:
        print(f"{name:<{width}}  {bot:6.3f}  {base:9.3f}")
    print(f"({time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps([{"figure": n, "bot": b, "baseline": r} for n, b, r in table], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
