"""The layering the project relies on: retrieval is pure, never knows about Discord, and its
packages are the pipeline's stages in order — a stage imports only from itself, earlier stages
and the shared value modules."""

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

# The pipeline, written here rather than read from the code so that a new import against the
# flow fails this test instead of quietly redefining the order.
STAGES = ["corpus", "analysis", "ranking", "relevance", "trust", "answering", "evaluation"]
SHARED = {"answer", "datafiles"}  # value types and lexicon reading, used by every stage

RETRIEVAL = REPO / "retrieval"


def _runtime_imports(tree: ast.Module) -> list[str]:
    """Every module a file imports when it runs, at any depth, leaving out `if TYPE_CHECKING:`."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.extend(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append(child.module)
                found.extend(f"{child.module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "retrieval" or len(parts) < 2:
        return None
    return parts[1]


def _modules() -> list[Path]:
    return sorted(RETRIEVAL.rglob("*.py"))


def test_retrieval_never_imports_discord_or_the_bot():
    modules = _modules()
    assert len(modules) > 20
    for path in modules:
        for imported in _runtime_imports(ast.parse(path.read_text("utf-8"))):
            assert imported.split(".")[0] not in {"discord", "bot"}, (path, imported)


def test_every_package_of_retrieval_is_a_stage_or_shared():
    top = {p.stem if p.is_file() else p.name for p in RETRIEVAL.iterdir()}
    top -= {"__init__", "__pycache__", "data"}
    assert top == set(STAGES) | SHARED


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(RETRIEVAL)))
def test_no_stage_imports_a_later_stage(path):
    own = path.relative_to(RETRIEVAL).parts[0].removesuffix(".py")
    if own in SHARED or own == "__init__":
        allowed = SHARED
    else:
        allowed = SHARED | set(STAGES[: STAGES.index(own) + 1])
    for imported in _runtime_imports(ast.parse(path.read_text("utf-8"))):
        stage = _stage_of(imported)
        if stage is None:
            continue
        # `from retrieval.trust.attribution import attribute` names a module, not a stage.
        assert stage in allowed, f"{path.relative_to(REPO)} ({own}) imports {imported}"


def test_the_checker_sees_a_later_import_and_ignores_type_checking_ones():
    # The rule above is only as good as the import scan: prove it finds what it must.
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from retrieval.answering.library import Library\n"
        "def f():\n    import retrieval.trust.stance\n"
    )
    imports = _runtime_imports(ast.parse(source))
    assert "retrieval.trust.stance" in imports
    assert not any(name.startswith("retrieval.answering") for name in imports)
