"""`qa-bot ask` over a big corpus: the first call, and the repeated call that must open fast.

    .venv/bin/python bench/cli_speed.py [--before c8484a2] [--runs 5]

The corpus is the seed plus ../shared/corpora/news_sep2023.jsonl and bbc_news.jsonl (3,044
articles), copied into one temporary folder so that the "before" tree (whose --corpus takes one
path) reads exactly what this tree reads. The "before" tree is `git archive` of that commit in a
temporary folder, run with this venv's Python (its `bot` and `retrieval` come first on the path),
and removed at the end. For each tree, in one run:

- whole command: the wall time of `python -m bot ask QUESTION --corpus …`, first with an empty
  data dir (everything built), then `--runs` more times (what a moderator's repeated call costs),
  with the CPU time of those repeated calls (steadier than wall time when the cores are shared);
- phases of a repeated call, in a fresh process: imports, `Library.load` (the "open"), the first
  answer (numba loading its cached kernels, attribution of the candidates' articles);
- the stderr lines the command printed.

This tree is also timed with the three paths given as three --corpus options. A benchmark prints
figures; it never fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpora"
ARCHIVES = ("news_sep2023.jsonl", "bbc_news.jsonl")
QUESTION = "Did North Korea send arms?"

# Run in a fresh interpreter: the phases of one repeated call, as JSON on the last line.
_PHASES = """
import json, sys, time
from pathlib import Path
def now():
    return time.perf_counter(), time.process_time()
started = now()
import bot, bot.cli  # everything `qa-bot ask` imports
from retrieval.answering.library import Library
imported = now()
data_dir, question, *paths = sys.argv[1:]
library = Library.load([Path(p) for p in paths] if len(paths) > 1 else Path(paths[0]), data_dir=Path(data_dir))
loaded = now()
library.answer(question)
answered = now()
spans = {"imports": (started, imported), "load": (imported, loaded), "first answer": (loaded, answered)}
print(json.dumps({**{k: [b[0] - a[0], b[1] - a[1]] for k, (a, b) in spans.items()}, "tree": bot.__file__}))
"""


def export_tree(rev: str, into: Path) -> Path:
    """The files of commit `rev` (no git metadata, nothing added to the repository)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def command_seconds(tree: Path, data_dir: Path, corpus_args: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system) of one `qa-bot ask`, and what it printed on stderr.
    CPU time is the steadier figure on a shared machine: waiting for a core does not count."""
    env = {**os.environ, "PYTHONPATH": str(tree), "QA_DATA_DIR": str(data_dir)}
    cpu_before = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", QUESTION, *corpus_args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, _children_cpu() - cpu_before, result.stderr


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def phases(tree: Path, data_dir: Path, paths: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "QA_DATA_DIR": str(data_dir)}
    result = subprocess.run(
        [sys.executable, "-c", _PHASES, str(data_dir), QUESTION, *paths],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.splitlines()[-1])


class Setup:
    """One tree on one corpus argument list, with its own data dir."""

    def __init__(self, name: str, tree: Path, data_dir: Path, paths: list[str]) -> None:
        self.name, self.tree, self.data_dir, self.paths = name, tree, data_dir, paths
        self.corpus_args = [arg for path in paths for arg in ("--corpus", path)]
        self.repeated: list[float] = []
        self.cpu: list[float] = []

    def call(self) -> tuple[float, float, str]:
        return command_seconds(self.tree, self.data_dir, self.corpus_args)


def measure(setups: list[Setup], runs: int) -> dict[str, dict]:
    """First calls, then the repeated calls interleaved (setup A, B, C, A, B, C, ...) so that the
    machine's load drifts over all of them alike; then each one's phases."""
    first = {setup.name: setup.call() for setup in setups}
    for _ in range(runs):
        for setup in setups:
            wall, cpu, _ = setup.call()
            setup.repeated.append(wall)
            setup.cpu.append(cpu)
    figures = {}
    for setup in setups:
        split = phases(setup.tree, setup.data_dir, setup.paths)
        if not split["tree"].startswith(str(setup.tree)):
            raise SystemExit(f"{setup.name}: ran {split['tree']}, not the tree under {setup.tree}")
        seconds, _, stderr = first[setup.name]
        lines = stderr.splitlines()
        walls = setup.repeated
        spans = ", ".join(
            f"{name} {split[name][0]:.2f}/{split[name][1]:.2f} s" for name in ("imports", "load", "first answer")
        )
        print(
            f"{setup.name:<30} first {seconds:5.2f} s | repeated: median {statistics.median(walls):5.2f} s "
            f"(min {min(walls):.2f}, max {max(walls):.2f}), CPU {statistics.median(setup.cpu):.2f} s "
            f"| its phases, wall/CPU: {spans} | stderr {len(lines)} line{'s' * (len(lines) != 1)}",
            flush=True,
        )
        if lines:
            print(f"{'':<30} stderr[0]: {lines[0][:150]}")
        figures[setup.name] = {
            "repeated": statistics.median(setup.repeated),
            "cpu": statistics.median(setup.cpu),
            **split,
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="c8484a2", help="the commit to compare with (default c8484a2)")
    parser.add_argument("--runs", type=int, default=5, help="repeated calls per tree (default 5)")
    args = parser.parse_args()
    if not all((SHARED / name).is_file() for name in ARCHIVES):
        raise SystemExit(f"needs {', '.join(ARCHIVES)} in {SHARED} (only the development workspace has them)")
    with tempfile.TemporaryDirectory(prefix="cli-speed-") as tmp:
        work = Path(tmp)
        folder = work / "corpus"
        shutil.copytree(REPO / "seeds", folder)
        for name in ARCHIVES:
            shutil.copy(SHARED / name, folder / name)
        before = export_tree(args.before, work / "before")
        print(f"qa-bot ask {QUESTION!r} over seed + {' + '.join(ARCHIVES)}; {args.runs} repeated calls each")
        three = [str(REPO / "seeds"), *(str(SHARED / name) for name in ARCHIVES)]
        before_name, after_name = f"before ({args.before}), one folder", "this tree, one folder"
        figures = measure(
            [
                Setup(before_name, before, work / "data-before", [str(folder)]),
                Setup(after_name, REPO, work / "data-after", [str(folder)]),
                Setup("this tree, three --corpus", REPO, work / "data-three", three),
            ],
            args.runs,
        )
        old, new = figures[before_name], figures[after_name]
        print(
            f"repeated call, one folder: the whole command {old['repeated'] / new['repeated']:.1f}x faster "
            f"({old['cpu'] / new['cpu']:.1f}x less CPU); "
            f"the load {old['load'][0]:.2f} s -> {new['load'][0]:.2f} s ({old['load'][0] / new['load'][0]:.0f}x; "
            f"CPU {old['load'][1]:.2f} s -> {new['load'][1]:.2f} s)"
        )


if __name__ == "__main__":
    main()
