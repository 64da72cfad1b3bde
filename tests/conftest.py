"""Shared fixtures: the shipped seed corpus, ../shared when present, a fixed clock."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_FILE = SEEDS / "000_ed5a8209f2aae2b8.txt"
SHARED = REPO.parent / "shared"
FIXED_TODAY = date(2026, 11, 28)


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip: a user's clone has no ../shared."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available (only the development workspace has ../shared)")
    return path


@pytest.fixture
async def database(tmp_path):
    """The bot's store on a fresh SQLite file."""
    from bot.database import Database
    from bot.settings import Settings

    opened = Database(Settings(data_dir=tmp_path / "data"))
    yield opened
    await opened.close()


@pytest.fixture(scope="session")
def seed_library():
    from retrieval.answering.library import Library

    return Library.load(SEEDS, today=lambda: FIXED_TODAY)


@pytest.fixture(scope="session")
def related_only_library(seed_library):
    """The seed library with its model's `answer` level out of reach: what reaches `answer` in the
    seed library is `related` here, whatever the fitted parameters make of the seed questions."""
    import copy
    from dataclasses import replace

    library = copy.copy(seed_library)
    library.answerer = copy.copy(seed_library.answerer)
    library.answerer.model = replace(seed_library.answerer.model, answer_at=1.01)
    return library


@pytest.fixture(scope="session")
def news_and_seed_library(tmp_path_factory):
    """The seed plus the 818 news articles of September 2023, when ../shared has them."""
    import shutil

    from retrieval.answering.library import Library

    news = shared_path("corpora", "news_sep2023.jsonl")
    folder = tmp_path_factory.mktemp("combined")
    shutil.copytree(SEEDS, folder, dirs_exist_ok=True)
    shutil.copy(news, folder / news.name)
    return Library.load(folder, today=lambda: FIXED_TODAY)
