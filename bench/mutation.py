"""Mutation run (issue 12): mutmut's full mutant set over the modules that decide what members see,
module by module, each against the unit tests that cover it.

    .venv/bin/python -m pip install -e '.[bench]'     # mutmut
    .venv/bin/python bench/mutation.py                # every target, in the order below
    .venv/bin/python bench/mutation.py render cogs    # some targets
    .venv/bin/python bench/mutation.py --max-children 2

For each target it prints the mutants killed out of those that are not equivalent, the score, and
every survivor with its diff. A mutant is called equivalent only in bench/mutation_equivalents.json,
with the mutated line (so an entry goes stale, and is reported, when the code under it changes) and
the reason no test can tell it from the original.

Each target runs in its own copy of the project under the system temp folder (mutmut writes a
`mutants/` tree and reads its settings from pyproject.toml), so the worktree is never touched.
CPU is the limit here: one mutant at a time by default, and only the listed test files run.
mutmut leaves decorated functions alone; the cogs and views keep their logic in plain methods so
that it is mutated (see the comments there).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EQUIVALENTS = REPO / "bench" / "mutation_equivalents.json"

# target -> (modules to mutate, the test files that cover them).
TARGETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "render": (("bot/render.py",), ("tests/test_render.py",)),
    "views": (("bot/views.py",), ("tests/test_views.py",)),
    "cogs": (
        ("bot/cogs/asking.py", "bot/cogs/moderation.py", "bot/cogs/settings.py", "bot/cogs/lifecycle.py"),
        ("tests/test_asking.py", "tests/test_moderation.py", "tests/test_settings_cog.py", "tests/test_lifecycle.py"),
    ),
    "holder": (("bot/holder.py",), ("tests/test_holder.py",)),
    "loader": (
        ("retrieval/corpus/loader.py",),
        (
            "tests/test_loader.py",
            "tests/test_snapshot.py",
            "tests/test_cli.py",
        ),  # the last two: several paths, the summary
    ),
    "relevance": (
        ("retrieval/relevance/*.py",),
        ("tests/test_confidence.py", "tests/test_relevance_features.py", "tests/test_asked_value.py"),
    ),
    "speaker": (
        ("retrieval/trust/attribution/speaker_match.py",),
        ("tests/test_speaker_match.py", "tests/test_asked_value.py"),
    ),
}
COPIED = ("bot", "retrieval", "tests", "seeds")
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


@dataclass
class Outcome:
    target: str
    total: int
    killed: int
    equivalent: list[tuple[str, str]]
    survivors: list[tuple[str, str, str]]  # name, status, diff
    stale: list[str]
    seconds: float

    @property
    def score(self) -> float:
        counted = self.total - len(self.equivalent)
        return self.killed / counted if counted else 1.0


def mutmut_settings(modules: tuple[str, ...], tests: tuple[str, ...]) -> str:
    def toml_list(items) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["bot", "retrieval"]\n'
        f"only_mutate = {toml_list(modules)}\n"
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-p", "no:randomly"]\n'
        'also_copy = ["seeds"]\n'
        "use_git_change_detection = false\n"
    )


def prepare(workdir: Path, modules: tuple[str, ...], tests: tuple[str, ...]) -> None:
    """A fresh copy of the code and tests; mutmut's own results are started afresh too."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "e2e")
    for name in COPIED:
        shutil.copytree(REPO / name, workdir / name, ignore=ignore)
    pyproject = (REPO / "pyproject.toml").read_text("utf-8")
    (workdir / "pyproject.toml").write_text(pyproject + mutmut_settings(modules, tests), "utf-8")


def mutmut(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("mutmut")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [str(exe), *args], cwd=workdir, env=env, text=True, capture_output=True, check=check, stdin=subprocess.DEVNULL
    )


def statuses(workdir: Path) -> dict[str, str]:
    from mutmut.stats import status_by_exit_code

    found: dict[str, str] = {}
    for meta in sorted((workdir / "mutants").rglob("*.meta")):
        data = json.loads(meta.read_text("utf-8"))
        for name, exit_code in data.get("exit_code_by_key", {}).items():
            found[name] = status_by_exit_code[exit_code]
    return found


def mutated_line(diff: str) -> str:
    """The first added line of a mutant's diff, stripped: what an equivalence entry pins."""
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            return line[1:].strip()
    return ""


def load_equivalents() -> dict[str, dict[str, str]]:
    if not EQUIVALENTS.exists():
        return {}
    return {entry["mutant"]: entry for entry in json.loads(EQUIVALENTS.read_text("utf-8"))}


def run_target(target: str, max_children: int, root: Path) -> Outcome:
    modules, tests = TARGETS[target]
    workdir = root / target
    prepare(workdir, modules, tests)
    started = time.perf_counter()
    done = mutmut(workdir, "run", "--max-children", str(max_children), check=False)
    seconds = time.perf_counter() - started
    found = statuses(workdir)
    if not found or all(status == "not checked" for status in found.values()):
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"{target}: mutmut produced no results (exit {done.returncode})")
    equivalents = load_equivalents()
    killed = sum(status in KILLED for status in found.values())
    equivalent, survivors, stale = [], [], []
    for name, status in sorted(found.items()):
        if status in KILLED:
            continue
        diff = mutmut(workdir, "show", name, check=False).stdout.strip()
        entry = equivalents.get(name)
        if entry is not None and entry["line"] == mutated_line(diff):
            equivalent.append((name, entry["reason"]))
            continue
        if entry is not None:
            stale.append(name)
        survivors.append((name, status, diff))
    return Outcome(target, len(found), killed, equivalent, survivors, stale, seconds)


def report(outcome: Outcome) -> None:
    counted = outcome.total - len(outcome.equivalent)
    print(
        f"\n=== {outcome.target}: {outcome.killed}/{counted} non-equivalent mutants killed "
        f"({outcome.score:.1%}); {outcome.total} mutants, {len(outcome.equivalent)} equivalent, "
        f"{len(outcome.survivors)} surviving; {outcome.seconds:.0f} s"
    )
    for name, reason in outcome.equivalent:
        print(f"  equivalent {name}: {reason}")
    for name in outcome.stale:
        print(f"  STALE equivalence entry (the code changed under it): {name}")
    for name, status, diff in outcome.survivors:
        print(f"\n  {status}: {name}")
        print(
            "    "
            + "\n    ".join(line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---"))
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", choices=[*TARGETS, []], help="default: all, in order")
    parser.add_argument("--max-children", type=int, default=1, help="mutants tested at once (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the work folders (to inspect with mutmut)")
    args = parser.parse_args(argv)
    root = Path(tempfile.gettempdir()) / f"qa-mutation-{os.getpid()}"
    outcomes = []
    try:
        for target in args.targets or list(TARGETS):
            outcome = run_target(target, args.max_children, root)
            report(outcome)
            outcomes.append(outcome)
    finally:
        if args.keep:
            print(f"\nwork folders kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print("\n=== summary")
    for o in outcomes:
        counted = o.total - len(o.equivalent)
        print(f"  {o.target:10} {o.killed:4}/{counted:<4} killed  {o.score:6.1%}  ({len(o.equivalent)} equivalent)")
    killed = sum(o.killed for o in outcomes)
    counted = sum(o.total - len(o.equivalent) for o in outcomes)
    if counted:
        print(f"  {'all':10} {killed:4}/{counted:<4} killed  {killed / counted:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
