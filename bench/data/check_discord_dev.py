"""Check bench/data/discord_dev.jsonl against the corpora it was written over, and print its make-up.

Stdlib only, so it can be run before `make install`:

    python3 bench/data/check_discord_dev.py [--shared ../shared] [--set bench/data/discord_dev.jsonl] [-v]

Exit status 1 when any record is malformed or any gold snippet is not found (after normalisation) inside one
paragraph of the article the record names; the summary is printed either way.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SET = HERE / "discord_dev.jsonl"
DEFAULT_SHARED = HERE.parents[2] / "shared"  # the worktree sits next to ../shared

KINDS = {"question", "claim", "unanswerable"}
STYLES = {"paraphrase", "casual", "misspelt", "direct"}
SPLITS = {"fit", "eval"}
FIELDS = {"id", "kind", "style", "question", "gold", "answerable", "article_id", "split"}

# The same normalisation the eval format promises (../shared/eval/README.md): NFKC, straight quotes,
# collapsed whitespace, case folding.
QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
WORD = re.compile(r"[a-z0-9]+")
# Only to decide whether an unanswerable question shares any real word with the corpus.
STOPWORDS = set(
    "a an and are as at be been being but by can could did do does for from had has have he her his how i if in"
    " into is it its just like me my no not of off on or our she so than that the their them then there they"
    " this to u up was we were what whats when where which who why will with would yo you your get end going"
    " much many any ever even really".split()
)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(QUOTES)
    return " ".join(text.split()).casefold()


def load_articles(shared: Path) -> dict[str, dict]:
    """id -> {"category": outlet or BBC category or "seed", "paragraphs": [normalised paragraph, ...]}."""
    articles: dict[str, dict] = {}
    for name in ("news_sep2023.jsonl", "bbc_news.jsonl"):
        with open(shared / "corpora" / name, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                category = row.get("source") or row.get("category") or name
                paragraphs = [row["title"], *PARAGRAPH_BREAK.split(row["text"])]
                articles[row["id"]] = {"category": category, "paragraphs": [normalise(p) for p in paragraphs]}
    for path in sorted((shared / "seeds").glob("*.txt")):
        paragraphs = PARAGRAPH_BREAK.split(path.read_text(encoding="utf-8"))
        articles[path.stem] = {"category": "seed", "paragraphs": [normalise(p) for p in paragraphs]}
    return articles


def record_problems(record: dict) -> list[str]:
    problems = []
    if set(record) != FIELDS:
        problems.append(f"fields {sorted(set(record) ^ FIELDS)} missing or unexpected")
    kind = record.get("kind")
    if kind not in KINDS:
        problems.append(f"kind {kind!r}")
    if record.get("style") not in STYLES:
        problems.append(f"style {record.get('style')!r}")
    if record.get("split") not in SPLITS:
        problems.append(f"split {record.get('split')!r}")
    if not str(record.get("question", "")).strip():
        problems.append("empty question")
    gold = record.get("gold")
    if not isinstance(gold, list):
        problems.append("gold is not a list")
        gold = []
    if kind == "unanswerable":
        if record.get("answerable") is not False or gold or record.get("article_id") is not None:
            problems.append("unanswerable needs answerable false, gold [] and article_id null")
    elif kind in KINDS:
        if record.get("answerable") is not True or not 1 <= len(gold) <= 3 or not record.get("article_id"):
            problems.append("answerable record needs answerable true, 1-3 gold snippets and an article_id")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("-v", "--verbose", action="store_true", help="print where every snippet was found")
    args = parser.parse_args(argv)

    if not (args.shared / "corpora").is_dir():
        print(f"no corpora under {args.shared}: pass --shared", file=sys.stderr)
        return 2
    articles = load_articles(args.shared)
    records = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines() if line.strip()]

    errors: list[str] = []
    warnings: list[str] = []
    seen_ids: set[str] = set()
    seen_questions: set[str] = set()
    for record in records:
        rid = record.get("id", "?")
        errors += [f"{rid}: {p}" for p in record_problems(record)]
        if rid in seen_ids:
            errors.append(f"{rid}: duplicate id")
        seen_ids.add(rid)
        question = normalise(str(record.get("question", "")))
        if question in seen_questions:
            errors.append(f"{rid}: duplicate question")
        seen_questions.add(question)

        article_id = record.get("article_id")
        if article_id is None:
            continue  # record_problems has already said whether an answerable record lacks its article
        if article_id not in articles:
            errors.append(f"{rid}: no article {article_id!r}")
            continue
        for snippet in record.get("gold") or []:
            words = len(snippet.split())
            if not 5 <= words <= 15:
                warnings.append(f"{rid}: snippet of {words} words: {snippet!r}")
            needle = normalise(snippet)
            where = [n for n, p in enumerate(articles[article_id]["paragraphs"]) if needle in p]
            if not where:
                errors.append(f"{rid}: snippet not in one paragraph of {article_id}: {snippet!r}")
                continue
            # Another article carrying the same words (BBC has duplicate stories) is worth knowing, not an error.
            elsewhere = [
                a for a, art in articles.items() if a != article_id and any(needle in p for p in art["paragraphs"])
            ]
            if elsewhere:
                warnings.append(f"{rid}: snippet also in {', '.join(elsewhere)}: {snippet!r}")
            if args.verbose:
                print(f"{rid} {article_id} ¶{','.join(str(n) for n in where)} (¶0 = title): {snippet}")

    vocabulary = {w for art in articles.values() for p in art["paragraphs"] for w in WORD.findall(p)}
    for record in records:
        if record.get("kind") == "unanswerable":
            shared_words = {w for w in WORD.findall(normalise(record["question"])) if w not in STOPWORDS} & vocabulary
            if not shared_words:
                errors.append(f"{record['id']}: unanswerable question shares no word with the corpus")

    print_summary(records, articles)
    for line in warnings:
        print("warning:", line)
    for line in errors:
        print("ERROR:", line)
    print(f"\n{len(records)} records, {len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


def print_summary(records: list[dict], articles: dict[str, dict]) -> None:
    def table(title: str, counter: Counter) -> None:
        print(f"{title}: " + ", ".join(f"{key} {count}" for key, count in sorted(counter.items())))

    table("kind", Counter(r.get("kind") for r in records))
    table("split", Counter(r.get("split") for r in records))
    for kind in sorted(KINDS):
        of_kind = [r for r in records if r.get("kind") == kind]
        table(f"{kind} by style", Counter(r.get("style") for r in of_kind))
        table(f"{kind} by split", Counter(r.get("split") for r in of_kind))
        table(f"{kind} by style/split", Counter(f"{r.get('style')}/{r.get('split')}" for r in of_kind))
    by_kind: dict[str, set] = defaultdict(set)
    for r in records:
        if r.get("article_id") in articles:
            by_kind[r["kind"]].add(r["article_id"])
    every = set().union(*by_kind.values()) if by_kind else set()
    print(
        "distinct articles: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(by_kind.items())) + f", all {len(every)}"
    )
    table(
        "answerable records by category",
        Counter(articles[r["article_id"]]["category"] for r in records if r.get("article_id") in articles),
    )
    table("distinct articles by category", Counter(articles[a]["category"] for a in every))


if __name__ == "__main__":
    sys.exit(main())
