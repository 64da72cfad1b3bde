"""`qa-bot`: every behaviour of the bot, tried from a terminal (and `make run` without a token)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import nullcontext
from pathlib import Path

from bot.settings import Settings, SettingsError
from bot.text_render import render_text
from retrieval.answering.answerer import DEFAULT_K, QuestionError, validate_question
from retrieval.answering.library import Library
from retrieval.corpus.loader import CorpusPathError, Problem, summarise_problems
from retrieval.evaluation.trec import DOCUMENT_RANKING, DOCUMENT_TITLE_WEIGHT
from retrieval.ranking.engine.params import VARIANTS
from retrieval.ranking.index import Progress, RankingConfig

EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # what a shell reports for a process stopped by SIGPIPE


class UsageError(Exception):
    """Bad use of the command: one line on stderr, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa-bot", description="Answers questions about news articles with sourced passages and caveats."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def corpus_arg(p: argparse.ArgumentParser, required: bool = False) -> None:
        p.add_argument(
            "--corpus",
            type=Path,
            action="append",
            required=required,
            help="a folder of articles and .jsonl files, or one .jsonl file; give it again to load several as one "
            "corpus" + ("" if required else " (default: QA_CORPUS_DIR or seeds/)"),
        )
        p.add_argument("--verbose", action="store_true", help="list every skipped file, not only how many")

    ask = sub.add_parser("ask", help="answer one question, or each line of a file with --batch")
    ask.add_argument("question", nargs="?")
    ask.add_argument(
        "--batch",
        type=Path,
        metavar="QUESTIONS.jsonl",
        help='one question per line, {"question": ...} or plain text ("-": standard input): one load, then one '
        "answer per line, in order (JSON lines with --json)",
    )
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
    corpus_arg(retrieve, required=True)
    retrieve.add_argument("--queries", type=Path, required=True)
    retrieve.add_argument("--top-k", type=int, default=100)
    retrieve.add_argument("--output", type=Path, required=True)
    retrieve.add_argument("--tag", default="qa-bot")
    defaults = DOCUMENT_RANKING  # document ranking, tuned apart from the bot's passages (bench/tune_documents.py)
    retrieve.add_argument(
        "--variant",
        choices=VARIANTS,
        default=defaults.variant,
        help=f"BM25 variant (default {defaults.variant}; bench/tune_ranking.py explains the choice)",
    )
    retrieve.add_argument("--k1", type=float, default=defaults.k1, help=f"default {defaults.k1:g}")
    retrieve.add_argument("--b", type=float, default=defaults.b, help=f"default {defaults.b:g}")
    retrieve.add_argument("--delta", type=float, default=defaults.delta, help="BM25L/BM25Plus only")
    retrieve.add_argument(
        "--title-weight",
        type=int,
        default=DOCUMENT_TITLE_WEIGHT,
        help=f"how many times a title term counts (BM25F field weight; 0 leaves the title out; "
        f"default {DOCUMENT_TITLE_WEIGHT})",
    )

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
    except BrokenPipeError:
        # The reader left (`qa-bot ask --batch … | head`): stop quietly, as a pipeline expects.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's final flush fails too
        return EXIT_BROKEN_PIPE
    except (UsageError, SettingsError, CorpusPathError, QuestionError, ValueError, OSError) as error:
        print(f"qa-bot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _library(args: argparse.Namespace, settings: Settings, progress: Progress | None = None) -> Library:
    paths = getattr(args, "corpus", None) or [settings.corpus_dir]
    library = Library.load(paths, data_dir=settings.data_dir, progress=progress)
    _report(library.problems, getattr(args, "verbose", False))
    return library


def _report(problems: list[Problem], verbose: bool) -> None:
    """Each problem with --verbose (or when there is one); else one line that counts them: a big
    archive has a hundred duplicates, and a hundred lines would bury the answer."""
    if verbose or len(problems) == 1:
        for problem in problems:
            print(f"qa-bot: {'skipped' if problem.refused else 'note'}: {problem}", file=sys.stderr)
    elif problems:
        print(f"qa-bot: {summarise_problems(problems)}; --verbose lists them", file=sys.stderr)


def _size(library: Library) -> str:
    articles, passages = len(library.corpus.articles), len(library.corpus.passages)
    return f"{articles:,} article{'s' * (articles != 1)}, {passages:,} passage{'s' * (passages != 1)}"


def _positive_k(k: int) -> int:
    if not 1 <= k <= 25:
        raise UsageError("-k must be between 1 and 25")
    return k


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch is not None:
        if args.question is not None:
            raise UsageError("give a question or --batch QUESTIONS.jsonl, not both")
        return _ask_batch(args, settings)
    if args.question is None:
        raise UsageError("give a question (or --batch QUESTIONS.jsonl)")
    question = validate_question(args.question)
    k = _positive_k(args.k)
    answer = _library(args, settings).answer(question, k=k)
    print(
        json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else render_text(answer),
        end="\n" if args.json else "",
    )
    return 0


def _ask_batch(args: argparse.Namespace, settings: Settings) -> int:
    k = _positive_k(args.k)
    from_stdin = str(args.batch) == "-"
    if not from_stdin and not args.batch.is_file():
        raise UsageError(f"questions file does not exist: {args.batch}")
    library = _library(args, settings)
    with nullcontext(sys.stdin.buffer) if from_stdin else args.batch.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue  # a blank line asks nothing; every record names its line
            record, question = _batch_question(number, raw)
            answer = library.answer(question, k=k) if question is not None else None
            if args.json:
                print(json.dumps({**record, **(answer.to_dict() if answer else {})}, ensure_ascii=False), flush=True)
            else:
                print(
                    f"(line {number}) " + (render_text(answer) if answer else f"error: {record['error']}\n"), flush=True
                )
    return 0


def _batch_question(number: int, raw: bytes) -> tuple[dict, str | None]:
    """One line of a batch: the start of its record (line number, the input's `id` if it has one)
    and its question; or an error record and None, for that line only."""
    record: dict = {"line": number}
    try:
        text = raw.decode("utf-8").lstrip("\ufeff").strip()
    except UnicodeDecodeError:
        return {**record, "error": "not UTF-8 text"}, None
    if text.startswith("{"):
        try:
            row = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return {**record, "error": 'not valid JSON (expected {"question": ...} or a line of text)'}, None
        if isinstance(row.get("id"), str | int) and not isinstance(row.get("id"), bool):
            record["id"] = row["id"]
        text = row.get("question")
        if not isinstance(text, str):
            return {**record, "error": 'a JSON line needs a "question" string'}, None
    try:
        return record, validate_question(text)
    except QuestionError as error:
        return {**record, "error": str(error)}, None


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
    if args.title_weight < 0:
        raise UsageError("--title-weight must be at least 0")
    config = RankingConfig(args.variant, args.k1, args.b, args.delta)  # checked before the output exists
    with args.output.open("w", encoding="utf-8") as out:
        loaded = retrieve_run(
            args.corpus,
            args.queries,
            out,
            top_k=args.top_k,
            tag=args.tag,
            config=config,
            data_dir=settings.data_dir,
            title_weight=args.title_weight,
        )
    _report(loaded.problems, args.verbose)
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
        return _chat(argparse.Namespace(k=DEFAULT_K, corpus=None, verbose=False), settings)
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
