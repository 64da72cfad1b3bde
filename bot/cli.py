"""`qa-bot`: every behaviour of the bot, tried from a terminal (and `make run` without a token)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bot.settings import Settings, SettingsError
from bot.text_render import render_text
from retrieval.answering.answerer import DEFAULT_K, QuestionError, validate_question
from retrieval.answering.library import Library
from retrieval.corpus.loader import CorpusPathError
from retrieval.ranking.engine.params import VARIANTS
from retrieval.ranking.index import Progress, RankingConfig

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad use of the command: one line on stderr, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa-bot", description="Answers questions about news articles with sourced passages and caveats."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def corpus_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--corpus",
            type=Path,
            help="a folder of articles and .jsonl files, or one .jsonl file (default: QA_CORPUS_DIR or seeds/)",
        )

    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=DEFAULT_K, help="passages to return (default 3)")
    ask.add_argument("--json", action="store_true", help="print the JSON answer")
    corpus_arg(ask)

    chat = sub.add_parser("chat", help="interactive console")
    chat.add_argument("-k", type=int, default=DEFAULT_K)
    corpus_arg(chat)

    passages = sub.add_parser("passages", help="every indexed passage")
    passages.add_argument("--json", action="store_true")
    corpus_arg(passages)

    retrieve = sub.add_parser("retrieve", help="TREC run over a JSON-lines corpus (one document per record)")
    retrieve.add_argument("--corpus", type=Path, required=True)
    retrieve.add_argument("--queries", type=Path, required=True)
    retrieve.add_argument("--top-k", type=int, default=100)
    retrieve.add_argument("--output", type=Path, required=True)
    retrieve.add_argument("--tag", default="qa-bot")
    defaults = RankingConfig()
    retrieve.add_argument(
        "--variant",
        choices=VARIANTS,
        default=defaults.variant,
        help=f"BM25 variant (default {defaults.variant}; bench/tune_ranking.py explains the choice)",
    )
    retrieve.add_argument("--k1", type=float, default=defaults.k1)
    retrieve.add_argument("--b", type=float, default=defaults.b)
    retrieve.add_argument("--delta", type=float, default=defaults.delta, help="BM25L/BM25Plus only")

    evaluate = sub.add_parser("eval", help="hit@1, hit@3, MRR and no-match accuracy of a question set")
    evaluate.add_argument("questions", type=Path)
    evaluate.add_argument("--json", action="store_true")
    corpus_arg(evaluate)

    index = sub.add_parser("index", help="build and save the index now (it is otherwise built on first use)")
    index.add_argument("action", choices=["build"])
    corpus_arg(index)

    sub.add_parser("run", help="the Discord bot when DISCORD_TOKEN is set, else the console")
    sub.add_parser("sync", help="publish the slash commands globally (an explicit owner action)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return _COMMANDS[args.command](args, settings)
    except (UsageError, SettingsError, CorpusPathError, QuestionError, ValueError, OSError) as error:
        print(f"qa-bot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _library(args: argparse.Namespace, settings: Settings, progress: Progress | None = None) -> Library:
    path = getattr(args, "corpus", None) or settings.corpus_dir
    library = Library.load(path, data_dir=settings.data_dir, progress=progress)
    for problem in library.problems:
        print(f"qa-bot: {'skipped' if problem.refused else 'note'}: {problem}", file=sys.stderr)
    return library


def _size(library: Library) -> str:
    articles, passages = len(library.corpus.articles), len(library.corpus.passages)
    return f"{articles:,} article{'s' * (articles != 1)}, {passages:,} passage{'s' * (passages != 1)}"


def _positive_k(k: int) -> int:
    if not 1 <= k <= 25:
        raise UsageError("-k must be between 1 and 25")
    return k


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    question = validate_question(args.question)
    k = _positive_k(args.k)
    answer = _library(args, settings).answer(question, k=k)
    print(
        json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else render_text(answer),
        end="\n" if args.json else "",
    )
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    k = _positive_k(args.k)
    library = _library(args, settings)
    print(f"{_size(library)}. Ask a question; an empty line or Ctrl-D quits.")
    while True:
        try:
            line = input("? ")
        except EOFError:
            print()
            return 0
        if not line.strip():
            return 0
        print(render_text(library.answer(validate_question(line), k=k)))


def _passages(args: argparse.Namespace, settings: Settings) -> int:
    library = _library(args, settings)
    answerer = library.answerer
    rows = [answerer.describe(p.id).to_dict() for p in library.corpus.passages]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['id']}\t{row['text']}")
    return 0


def _retrieve(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.evaluation.trec import retrieve_run

    if args.top_k < 1:
        raise UsageError("--top-k must be at least 1")
    if not args.queries.is_file():
        raise UsageError(f"queries file does not exist: {args.queries}")
    config = RankingConfig(args.variant, args.k1, args.b, args.delta)  # checked before the output exists
    with args.output.open("w", encoding="utf-8") as out:
        loaded = retrieve_run(
            args.corpus, args.queries, out, top_k=args.top_k, tag=args.tag, config=config, data_dir=settings.data_dir
        )
    for problem in loaded.problems:
        print(f"qa-bot: skipped: {problem}", file=sys.stderr)
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.evaluation.metrics import evaluate, read_questions

    if not args.questions.is_file():
        raise UsageError(f"questions file does not exist: {args.questions}")
    questions = read_questions(args.questions)
    library = _library(args, settings)
    report = evaluate(questions, library.answer)
    figures = report.figures()
    if args.json:
        print(json.dumps({**figures, "failures": report.failures}, indent=2))
    else:
        for name, value in figures.items():
            print(f"{name:>18}: {value}")
        for failure in report.failures:
            print(f"  miss: {failure}")
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.discord_token:
        print("No DISCORD_TOKEN configured: starting the console. (Put a token in .env to run the Discord bot.)")
        return _chat(argparse.Namespace(k=DEFAULT_K, corpus=None), settings)
    from bot.run import run_bot

    return run_bot(settings)


class ProgressBar:
    """A one-line progress bar on stderr for long builds."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage and self._stage:
            print(file=sys.stderr)
        self._stage = stage
        filled = self.width * done // max(total, 1)
        print(
            f"\r{stage:>10} [{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{total:,}",
            end="",
            file=sys.stderr,
            flush=True,
        )
        if done >= total:
            print(file=sys.stderr)
            self._stage = ""


def _index(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    library = _library(args, settings, progress=ProgressBar())
    print(f"{_size(library)}; index ready in {time.perf_counter() - started:.1f} s (saved under {settings.data_dir})")
    return 0


def _sync(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.discord_token:
        raise UsageError("qa-bot sync needs DISCORD_TOKEN in the environment or .env")
    from bot.run import sync_global

    return sync_global(settings)


_COMMANDS = {
    "ask": _ask,
    "chat": _chat,
    "passages": _passages,
    "retrieve": _retrieve,
    "eval": _eval,
    "run": _run,
    "sync": _sync,
    "index": _index,
}
