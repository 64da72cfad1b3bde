"""The entities the fake keeps in memory, and their Discord JSON shapes.

Payload methods return what Discord's API returns for that object on its own;
shapes that depend on other objects (messages, members in context) are built
by `world.World`.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Channel types.
GUILD_TEXT = 0
DM = 1
PUBLIC_THREAD = 11

# Message flags.
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7

# Message types.
MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20
MESSAGE_CONTEXT_MENU_COMMAND = 23


class SnowflakeFactory:
    """Real-looking, strictly increasing snowflakes.

    They embed the current time because discord.py derives `created_at` from
    ids and uses message age to pick rate-limit buckets.
    """

    def __init__(self) -> None:
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        now_ms = int(time.time() * 1000)
        if now_ms <= self._last_ms:
            now_ms = self._last_ms
            self._increment += 1
        else:
            self._increment = 0
        self._last_ms = now_ms
        return ((now_ms - DISCORD_EPOCH_MS) << 22) | (self._increment & 0xFFF)

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """The next id that shard `shard_id` of `shard_count` owns ((id >> 22) % count): the
        timestamp part moves up to count-1 ms ahead, and later ids stay above it."""
        snowflake = self.next()
        stamp = snowflake >> 22
        stamp += (shard_id - stamp) % shard_count
        self._last_ms = stamp + DISCORD_EPOCH_MS
        return (stamp << 22) | (snowflake & 0x3FFFFF)


def iso_now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


@dataclass(eq=False)
class FakeUser:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }


@dataclass(eq=False)
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    bot_id: int | None = None  # set for the role Discord creates when a bot joins

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(eq=False)
class FakeMember:
    user: FakeUser
    role_ids: list[int]
    joined_at: str = field(default_factory=iso_now)
    nick: str | None = None

    def payload(self, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.role_ids],
            "joined_at": self.joined_at,
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class FakeChannel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    owner_id: int | None = None  # threads only
    recipients: list[FakeUser] = field(default_factory=list)  # DMs only
    last_message_id: int | None = None
    # Permission overwrites: target id -> (type 0 role / 1 member, allow bits, deny bits).
    overwrites: dict[int, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def is_dm(self) -> bool:
        return self.type == DM

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "last_message_id": None if self.last_message_id is None else str(self.last_message_id),
            "flags": 0,
        }
        if self.type == DM:
            data["recipients"] = [u.payload() for u in self.recipients]
            return data
        data.update(
            guild_id=str(self.guild_id),
            name=self.name,
            parent_id=None if self.parent_id is None else str(self.parent_id),
            rate_limit_per_user=0,
            nsfw=False,
        )
        if self.type == PUBLIC_THREAD:
            data.update(
                owner_id=str(self.owner_id),
                message_count=0,
                member_count=1,
                total_message_sent=0,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso_now(),
                    "locked": False,
                },
            )
        else:
            overwrites = [
                {"id": str(target), "type": kind, "allow": str(allow), "deny": str(deny)}
                for target, (kind, allow, deny) in self.overwrites.items()
            ]
            data.update(position=self.position, topic=None, permission_overwrites=overwrites)
        return data


@dataclass(eq=False)
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)  # text channels and threads
    unavailable: bool = False  # an outage: Discord sent GUILD_DELETE with unavailable=true

    @property
    def everyone_role(self) -> FakeRole:
        return self.roles[self.id]  # Discord gives @everyone the guild's id

    @property
    def text_channels(self) -> list[FakeChannel]:
        return [c for c in self.channels.values() if c.type == GUILD_TEXT]

    def role_named(self, name: str) -> FakeRole:
        """This guild's role called `name` (names repeat across guilds, ids never do)."""
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"guild {self.name!r} has no role {name!r}")


@dataclass(eq=False)
class FakeAttachment:
    """A file a user uploaded (or the bot sent), served back over HTTP at `url`."""

    id: int
    filename: str
    data: bytes
    url: str
    proxy_url: str
    content_type: str | None = None
    downloads: int = 0  # how often the bot fetched it from the CDN

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.proxy_url,
        }
        if self.content_type is not None:
            data["content_type"] = self.content_type
        return data


@dataclass(eq=False)
class FakeMessage:
    """A message as the fake stores it.

    `origin` says who made it: "user" (the harness), "rest" (the bot POSTed to
    /channels/{id}/messages) or "interaction" (an interaction response or
    follow-up). `body` is the JSON the bot sent to create it, `edits` the JSON
    of every later edit, so tests can assert on fields messages don't echo
    (allowed_mentions, message_reference as sent).
    """

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    origin: str
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[FakeAttachment] = field(default_factory=list)
    mentions: list[FakeUser] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    type: int = MESSAGE_DEFAULT
    flags: int = 0
    tts: bool = False
    referenced: FakeMessage | None = None
    reactions: list[str] = field(default_factory=list)  # emoji the bot reacted with
    webhook_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    body: dict[str, Any] | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & FLAG_LOADING)
