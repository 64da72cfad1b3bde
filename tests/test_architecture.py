"""The layering the project relies on: retrieval is pure and never knows about Discord."""

import re

from tests.conftest import REPO


def test_retrieval_never_imports_discord_or_the_bot():
    modules = sorted((REPO / "retrieval").rglob("*.py"))
    assert len(modules) > 20
    for module in modules:
        source = module.read_text("utf-8")
        assert not re.search(r"^\s*(import|from)\s+(discord|bot)\b", source, re.MULTILINE), module
