"""One benchmark run in this source tree and in another (a worktree of an older commit), each in its
own process: `python bench/SCRIPT.py --child TREE` prints the tree's figures as its last stdout line,
in JSON.

Only the parent imports this module. A child answers `--child` before anything imports `bench`, so
that it imports the tree's own `bench` and `retrieval`, not this tree's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]


def run_child(script: str, tree: Path) -> Any:
    """What `script --child tree` printed last, read as JSON."""
    out = subprocess.run(
        [sys.executable, script, "--child", str(tree)], capture_output=True, text=True, check=True, cwd=tree
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def this_and_baseline(script: str, description: str, needs: Path) -> dict[str, Any]:
    """The command line `[--baseline TREE]`: the child's figures for this tree, then for TREE if given.
    Exits with a message when `needs` (data under ../shared) is absent."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--baseline", type=Path, help="source tree to compare with")
    args = parser.parse_args()
    if not needs.exists():
        sys.exit(f"{needs} is not there: this benchmark needs ../shared/corpora")
    runs = {"this tree": run_child(script, HERE)}
    if args.baseline:
        runs["baseline"] = run_child(script, args.baseline.resolve())
    return runs


def print_table(table: dict[str, dict[str, float | int]], width: int) -> None:
    """One row per figure of the first tree, one column per tree; a figure a tree lacks is nan."""
    names = list(table)
    print(f"{'figure':{width}}" + "".join(f"{n:>12}" for n in names))
    for key in table[names[0]]:
        cells = [table[n].get(key, float("nan")) for n in names]
        print(f"{key:{width}}" + "".join(f"{c:>12}" if isinstance(c, int) else f"{c:>12.3f}" for c in cells))
