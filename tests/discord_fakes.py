"""Stand-ins for the few discord.py objects the cogs and views touch, recording what is sent.

Unit tests drive the cogs' and views' code directly with these; tests/e2e runs the real client
against the loopback Discord server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import discord

from bot.cooldown import Cooldown
from bot.holder import LibraryHolder
from bot.settings import Settings
from bot.store import ServerSettings

BOT_ID = 999
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # "now" for tests that set the clock


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Sent:
    how: str  # "response", "followup", "defer" or "reply"
    content: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def embed(self) -> discord.Embed | None:
        return self.kwargs.get("embed")

    @property
    def view(self) -> discord.ui.View | None:
        view = self.kwargs.get("view")
        return None if view is discord.utils.MISSING else view

    @property
    def text(self) -> str:
        """Everything a member reads in it: content, embed title and description."""
        embed = self.embed
        return " ".join(x for x in (self.content, embed and embed.title, embed and embed.description) if x)


GUILD_ID = 10  # the guild an Interaction and a Member are in unless told otherwise
_UNSET: Any = object()


class Guild:
    """A guild that knows its roles' ids (get_role), and whether Discord reports it unavailable."""

    def __init__(self, guild_id: int = GUILD_ID, role_ids: tuple[int, ...] = (), *, unavailable: bool = False) -> None:
        self.id = guild_id
        self.role_ids = set(role_ids)
        self.unavailable = unavailable

    def get_role(self, role_id: int) -> Any:
        return SimpleNamespace(id=role_id, guild=self) if role_id in self.role_ids else None

    def __repr__(self) -> str:
        return f"<Guild {self.id}>"


class Member(discord.Member):
    """A guild member with chosen permissions and roles (discord.Member needs a live guild). Its
    guild holds its roles unless `guild` is given, so a role of another server can be tested."""

    def __init__(
        self,
        user_id: int = 1,
        *,
        manage_guild: bool = False,
        role_ids: tuple[int, ...] = (),
        guild: Guild | None = None,
    ) -> None:
        self._fake = (user_id, manage_guild, role_ids, guild if guild is not None else Guild(GUILD_ID, role_ids))

    id = property(lambda self: self._fake[0])
    guild = property(lambda self: self._fake[3])
    guild_permissions = property(lambda self: discord.Permissions(manage_guild=self._fake[1]))
    roles = property(lambda self: [SimpleNamespace(id=r) for r in self._fake[2]])
    bot = property(lambda self: False)

    def __str__(self) -> str:
        return f"member{self.id}"

    def __repr__(self) -> str:
        return f"<Member {self.id}>"


class Response:
    def __init__(self, log: list[Sent]) -> None:
        self._log = log
        self._done = False

    def is_done(self) -> bool:
        return self._done

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        assert not self._done, "an interaction is answered once"
        self._done = True
        self._log.append(Sent("response", content, kwargs))

    async def defer(self, **kwargs: Any) -> None:
        assert not self._done, "an interaction is answered once"
        self._done = True
        self._log.append(Sent("defer", None, kwargs))


class Followup:
    def __init__(self, log: list[Sent]) -> None:
        self._log = log

    async def send(self, content: str | None = None, **kwargs: Any) -> None:
        self._log.append(Sent("followup", content, kwargs))


class Interaction:
    def __init__(
        self, client: Any, user: Any = None, message: Any = None, guild_id: Any = _UNSET, *, channel_id: int = 20
    ) -> None:
        self.client = client
        self.user = user if user is not None else Member()
        self.message = message
        # The member's own guild unless told (None: a direct message): a command runs where the member is.
        if guild_id is _UNSET:
            member_guild = getattr(self.user, "guild", None)
            guild_id = member_guild.id if member_guild else GUILD_ID
        self.guild_id = guild_id
        self.guild = None if guild_id is None else SimpleNamespace(id=guild_id)
        self.channel_id = channel_id
        self.command: Any = None  # the app command run, for cog checks (SimpleNamespace(name=...) will do)
        self.sent: list[Sent] = []
        self.response = Response(self.sent)
        self.followup = Followup(self.sent)

    @property
    def answers(self) -> list[Sent]:
        """What was sent, acknowledgements left out."""
        return [s for s in self.sent if s.how != "defer"]


class Attachment:
    def __init__(self, filename: str, data: bytes, size: int | None = None, error: Exception | None = None) -> None:
        self.filename = filename
        self.size = len(data) if size is None else size
        self._data = data
        self._error = error

    async def read(self) -> bytes:
        if self._error is not None:
            raise self._error
        return self._data


class Feedback:
    """A feedback store that keeps verdicts in a list, or fails (`working=False`)."""

    def __init__(self, working: bool = True) -> None:
        self.working = working
        self.verdicts: list[Any] = []

    async def record(self, verdict: Any) -> bool:
        if self.working:
            self.verdicts.append(verdict)
        return self.working

    async def counts(self, guild_id: int | None = None) -> dict[str, int] | None:
        if not self.working:
            return None
        verdicts = [v for v in self.verdicts if guild_id is None or getattr(v, "guild_id", None) == guild_id]
        helpful = sum(v.helpful for v in verdicts)
        return {"helpful": helpful, "not_helpful": len(verdicts) - helpful}


class BaseOnly:
    """Server libraries where every guild answers from the base (no store behind them)."""

    def __init__(self, holder: LibraryHolder) -> None:
        self.holder = holder

    async def for_guild(self, guild_id: int | None, *, base: bool = True) -> Any:
        return self.holder.library

    def changed(self, guild_id: int) -> None:
        pass


class NoDatabase:
    """A bot without a database: every use fails as an unreachable store does."""

    store = None

    async def get(self) -> Any:
        from bot.store import StoreUnavailable

        raise StoreUnavailable("the database could not be reached (no database in this test)")


class GuildLibraries:
    """Server libraries keyed by guild, recording what was asked: with the base on a guild answers
    from `joined[guild]` (default: the base), with it off from `own[guild]` (default: nothing)."""

    def __init__(self, holder: LibraryHolder, joined: dict | None = None, own: dict | None = None) -> None:
        self.holder = holder
        self.joined = dict(joined or {})
        self.own = dict(own or {})
        self.asked: list[tuple[int | None, bool]] = []
        self.changes: list[int] = []

    async def for_guild(self, guild_id: int | None, *, base: bool = True) -> Any:
        self.asked.append((guild_id, base))
        if guild_id is None:
            return self.holder.library
        if base:
            return self.joined.get(guild_id, self.holder.library)
        return self.own.get(guild_id)

    def changed(self, guild_id: int) -> None:
        self.changes.append(guild_id)


class FakeServerSettings:
    """Each guild's settings from a dict (the defaults otherwise), recording `changed` calls."""

    def __init__(self, settings: dict[int, ServerSettings] | None = None) -> None:
        self.settings = dict(settings or {})
        self.changes: list[int] = []

    async def get(self, guild_id: int | None) -> ServerSettings:
        return self.settings.get(guild_id, ServerSettings()) if guild_id is not None else ServerSettings()

    def changed(self, guild_id: int) -> None:
        self.changes.append(guild_id)


def fake_bot(
    holder: LibraryHolder,
    *,
    cooldown_s: float = 0.0,
    moderator_role_id: int | None = None,
    owner_id: int | None = None,
    settings: Settings | None = None,
    libraries: Any = None,
    server_settings: dict[int, ServerSettings] | None = None,
) -> Any:
    """`owner_id`: the application's owner, for `await bot.is_owner(user)`; `settings` replaces the defaults."""

    async def is_owner(user: Any) -> bool:
        return owner_id is not None and user.id == owner_id

    return SimpleNamespace(
        settings=settings or Settings(moderator_role_id=moderator_role_id, ask_cooldown_s=cooldown_s),
        holder=holder,
        libraries=libraries if libraries is not None else BaseOnly(holder),
        server_settings=FakeServerSettings(server_settings),
        cooldown=Cooldown(cooldown_s),
        feedback=Feedback(),
        database=NoDatabase(),
        user=SimpleNamespace(id=BOT_ID),
        is_owner=is_owner,
        guilds=[],
        get_guild=lambda guild_id: None,
        shard_ids=None,
        shard_count=1,
    )


def holder_with(library: Any, corpus_dir: Any = ".") -> LibraryHolder:
    """A holder already serving `library` (no build)."""
    holder = LibraryHolder(corpus_dir)
    holder._library = library
    return holder


class StoreDatabase:
    """The bot's Database over a given store (a real SQLite one in tests); `down=True` is an outage."""

    def __init__(self, store: Any = None) -> None:
        self.store = store
        self.down = False
        self.reads = 0

    async def get(self) -> Any:
        from bot.store import StoreUnavailable

        if self.down or self.store is None:
            raise StoreUnavailable("database is down (test)")
        self.reads += 1
        return self.store


HARBOUR = (
    b"Harbour reopens after storm\n\nThe harbour of Port Elling reopened on Friday after the storm closed it "
    b"for three days, the port authority said.\n\nFishing boats returned to their berths on Saturday morning.\n"
)


def server_article(data: bytes = HARBOUR, article_id: str = "harbour") -> Any:
    """A server's own article, parsed as the store's bytes are."""
    from retrieval.corpus.loader import parse_article_file

    return parse_article_file(data, article_id, f"{article_id}.txt")[0]
