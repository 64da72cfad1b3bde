"""The Discord adapter and the `qa-bot` command line around `retrieval`.

`create_bot` is imported lazily so that the command line does not pay for importing discord.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.client import QABot
    from bot.settings import Settings


def create_bot(settings: Settings | None = None, **overrides: Any) -> QABot:
    from bot.client import create_bot as _create_bot

    return _create_bot(settings, **overrides)


__all__ = ["create_bot"]
