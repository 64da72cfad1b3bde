"""The fake's in-memory Discord: one application, its guilds (the bot in them or not), users, messages.

Everything the REST routes, the gateway and the harness agree on lives here,
together with the JSON shapes built from more than one object (messages,
guilds, the application).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import permissions as perms
from .errors import (
    field_error,
    invalid_form_body,
    missing_access,
    unknown_channel,
    unknown_guild,
    unknown_message,
    unknown_user,
)
from .models import (
    DM,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    GUILD_TEXT,
    MESSAGE_DEFAULT,
    MESSAGE_REPLY,
    PUBLIC_THREAD,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    SnowflakeFactory,
    iso_now,
)

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


@dataclass
class Upload:
    """A file part of a multipart request (`files[N]`)."""

    index: int
    filename: str
    data: bytes
    content_type: str | None


class World:
    def __init__(
        self,
        *,
        privileged_intents: int = perms.INTENT_GUILD_MEMBERS | perms.INTENT_MESSAGE_CONTENT,
        guild_shard: tuple[int, int] | None = None,
    ) -> None:
        self.ids = SnowflakeFactory()
        self.privileged_intents = privileged_intents  # switched on in the developer portal
        # Set by the server once it knows its port; attachment URLs need it.
        self.base_url: str | None = None

        self.application_id = self.ids.next()
        self.bot = FakeUser(self.application_id, "Fake QA Bot", bot=True)  # bot user id == application id
        self.owner = FakeUser(self.ids.next(), "guild-owner", global_name="Guild Owner")
        self.moderator = FakeUser(self.ids.next(), "moderator", global_name="Moderator")
        self.member = FakeUser(self.ids.next(), "plain-member", global_name="Plain Member")
        self.users = {u.id: u for u in (self.bot, self.owner, self.moderator, self.member)}

        self.guilds: dict[int, FakeGuild] = {}  # every guild of this world, the bot in it or not
        guild_id = self.ids.next() if guild_shard is None else self.ids.next_on_shard(*guild_shard)
        self.guild = self._new_guild(guild_id, "Fake Guild", self.owner)
        self.moderator_role = self.add_role(
            "Moderator", perms.MANAGE_GUILD | perms.MANAGE_MESSAGES, guild=self.guild, position=1
        )
        self.bot_role = self.guild.roles[self.guild.members[self.bot.id].role_ids[0]]
        self.bot_role.position = 2
        self.guild.members[self.owner.id].role_ids.append(self.moderator_role.id)
        for user, roles in ((self.moderator, [self.moderator_role.id]), (self.member, [])):
            self.guild.members[user.id] = FakeMember(user, roles)

        self.channel = self.guild.text_channels[0]
        self.thread = FakeChannel(
            self.ids.next(),
            PUBLIC_THREAD,
            "questions",
            guild_id=guild_id,
            parent_id=self.channel.id,
            owner_id=self.member.id,
        )
        self.guild.channels[self.thread.id] = self.thread

        self.dms: dict[int, FakeChannel] = {}  # recipient user id -> DM channel with the bot
        self.messages: dict[int, FakeMessage] = {}
        self.attachments: dict[int, FakeAttachment] = {}
        # None -> global commands, guild id -> that guild's commands.
        self.commands: dict[int | None, list[dict[str, Any]]] = {}

    @property
    def application_flags(self) -> int:
        flags = 0
        for intent, flag in perms.PRIVILEGED_INTENT_FLAGS.items():
            if self.privileged_intents & intent:
                flags |= flag
        return flags

    def _new_guild(self, guild_id: int, name: str, owner: FakeUser, *, with_bot: bool = True) -> FakeGuild:
        """A guild as Discord makes one: @everyone (the guild's id), a "general" text channel, the
        owner as a member, and, once the bot is invited, the bot with its managed role."""
        guild = FakeGuild(guild_id, name, owner_id=owner.id)
        self.guilds[guild_id] = guild
        guild.roles[guild_id] = FakeRole(guild_id, "@everyone", perms.EVERYONE_DEFAULT)
        guild.members[owner.id] = FakeMember(owner, [])
        general = FakeChannel(self.ids.next(), GUILD_TEXT, "general", guild_id=guild_id)
        guild.channels[general.id] = general
        if with_bot:
            self.add_bot_to(guild)
        return guild

    def add_guild(self, name: str, owner: FakeUser | None = None, *, with_bot: bool = True) -> FakeGuild:
        """Another guild with its own owner (a new user unless given), roles, members and channels."""
        if owner is None:
            owner = self.add_user(f"{name.lower().replace(' ', '-')}-owner")
        return self._new_guild(self.ids.next(), name, owner, with_bot=with_bot)

    def add_bot_to(self, guild: FakeGuild) -> None:
        """The bot joins: a member again, with its managed role (Discord makes a new one each time)."""
        managed = FakeRole(
            self.ids.next(),
            self.bot.username,
            perms.EVERYONE_DEFAULT,
            position=len(guild.roles),
            managed=True,
            bot_id=self.bot.id,
        )
        guild.roles[managed.id] = managed
        guild.members[self.bot.id] = FakeMember(self.bot, [managed.id])
        guild.unavailable = False

    def remove_bot_from(self, guild: FakeGuild) -> None:
        """The bot is kicked (or its application removed): no longer a member, its role deleted."""
        member = guild.members.pop(self.bot.id, None)
        for role_id in member.role_ids if member is not None else []:
            guild.roles.pop(role_id, None)

    def bot_guilds(self) -> list[FakeGuild]:
        """The guilds the bot is a member of (unavailable ones included), oldest first."""
        return [g for g in self.guilds.values() if self.bot.id in g.members]

    def add_user(self, username: str) -> FakeUser:
        user = FakeUser(self.ids.next(), username, global_name=username)
        self.users[user.id] = user
        return user

    def add_role(
        self, name: str, permissions: int = 0, *, guild: FakeGuild | None = None, position: int | None = None
    ) -> FakeRole:
        guild = guild or self.guild
        role = FakeRole(self.ids.next(), name, permissions, position=len(guild.roles) if position is None else position)
        guild.roles[role.id] = role
        return role

    def add_member(
        self, username: str, role_ids: list[int] | None = None, *, guild: FakeGuild | None = None
    ) -> FakeUser:
        """Another human member of the guild (load tests need many askers)."""
        user = self.add_user(username)
        (guild or self.guild).members[user.id] = FakeMember(user, list(role_ids or []))
        return user

    def join(self, guild: FakeGuild, user: FakeUser, role_ids: list[int] | None = None) -> None:
        """An existing user (a member elsewhere, say) joins `guild` too."""
        guild.members[user.id] = FakeMember(user, list(role_ids or []))

    def add_channel(self, guild: FakeGuild, name: str) -> FakeChannel:
        channel = FakeChannel(self.ids.next(), GUILD_TEXT, name, guild_id=guild.id, position=len(guild.channels))
        guild.channels[channel.id] = channel
        return channel

    # ----------------------------------------------------------------- lookups

    def user(self, user_id: int) -> FakeUser:
        try:
            return self.users[user_id]
        except KeyError:
            raise unknown_user() from None

    def channel_by_id(self, channel_id: int) -> FakeChannel:
        for guild in self.guilds.values():
            channel = guild.channels.get(channel_id)
            if channel is not None:
                return channel
        for dm in self.dms.values():
            if dm.id == channel_id:
                return dm
        raise unknown_channel()

    def guild_of(self, channel: FakeChannel) -> FakeGuild | None:
        return None if channel.guild_id is None else self.guilds[channel.guild_id]

    def bot_channel(self, channel_id: int) -> FakeChannel:
        """A channel as the bot may reach it over REST: one of a guild it is in, or a DM."""
        channel = self.channel_by_id(channel_id)
        guild = self.guild_of(channel)
        if guild is not None and self.bot.id not in guild.members:
            raise missing_access()
        return channel

    def bot_guild(self, guild_id: int) -> FakeGuild:
        """A guild the bot is in; Discord answers Missing Access for one it is not in."""
        guild = self.guilds.get(guild_id)
        if guild is None:
            raise unknown_guild()
        if self.bot.id not in guild.members:
            raise missing_access()
        return guild

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The bot's DM channel with `user`, created on first use like Discord does."""
        if user.id not in self.dms:
            self.dms[user.id] = FakeChannel(self.ids.next(), DM, recipients=[user])
        return self.dms[user.id]

    def permissions_of(self, user: FakeUser, guild: FakeGuild | None = None) -> int:
        """Guild-level permissions in `guild` (the first guild unless named): only that guild's roles count."""
        guild = guild or self.guild
        if user.id == guild.owner_id:
            return perms.ALL_PERMISSIONS
        member = guild.members.get(user.id)
        if member is None:
            return 0
        value = guild.everyone_role.permissions
        for role_id in member.role_ids:
            value |= guild.roles[role_id].permissions
        return perms.ALL_PERMISSIONS if value & perms.ADMINISTRATOR else value

    def channel_permissions(self, user: FakeUser, channel: FakeChannel) -> int:
        """Discord's order: guild permissions, then the channel's @everyone overwrite, the union of
        the member's role overwrites (deny, then allow), then the member's own. Threads use their parent's."""
        if channel.is_dm:
            return perms.EVERYONE_DEFAULT
        guild = self.guilds[channel.guild_id]
        value = self.permissions_of(user, guild)
        if value & perms.ADMINISTRATOR or user.id == guild.owner_id:
            return perms.ALL_PERMISSIONS
        source = self.channel_by_id(channel.parent_id) if channel.parent_id is not None else channel
        overwrites = source.overwrites
        if guild.id in overwrites:
            _, allow, deny = overwrites[guild.id]
            value = (value & ~deny) | allow
        member = guild.members.get(user.id)
        role_ids = member.role_ids if member is not None else []
        role_allow = role_deny = 0
        for role_id in role_ids:
            if role_id in overwrites:
                role_allow |= overwrites[role_id][1]
                role_deny |= overwrites[role_id][2]
        value = (value & ~role_deny) | role_allow
        if user.id in overwrites:
            _, allow, deny = overwrites[user.id]
            value = (value & ~deny) | allow
        return value

    def visible_message(self, channel_id: int, message_id: int) -> FakeMessage:
        """A message that GET /channels/{id}/messages/{id} can return."""
        message = self.messages.get(message_id)
        if message is None or message.deleted or message.ephemeral or message.channel_id != channel_id:
            raise unknown_message()
        return message

    def channel_history(self, channel_id: int) -> list[FakeMessage]:
        """Visible messages of a channel, newest first (Discord's order)."""
        found = [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted and not m.ephemeral]
        return sorted(found, key=lambda m: m.id, reverse=True)

    # -------------------------------------------------------------- attachments

    def add_attachment(self, filename: str, data: bytes, content_type: str | None = None) -> FakeAttachment:
        if self.base_url is None:
            raise RuntimeError("start the fake before adding attachments: their URLs point at its port")
        attachment_id = self.ids.next()
        path = f"attachments/{attachment_id}/{filename}"
        attachment = FakeAttachment(
            attachment_id,
            filename,
            data,
            url=f"{self.base_url}/{path}",
            proxy_url=f"{self.base_url}/media/{path}",
            content_type=content_type,
        )
        self.attachments[attachment_id] = attachment
        return attachment

    def _attachments_for(
        self, body: dict[str, Any], uploads: list[Upload], existing: list[FakeAttachment]
    ) -> list[FakeAttachment]:
        """Resolve a body's `attachments` list against uploaded files and kept attachments.

        discord.py describes new files as {"id": <index of files[index]>} and
        kept ones by their snowflake; files it does not describe are appended.
        """
        by_index = {u.index: u for u in uploads}
        kept_ids = {a.id: a for a in existing}
        result: list[FakeAttachment] = []
        described = body.get("attachments")
        if described is None:
            result.extend(existing)
        else:
            for entry in described:
                ident = int(entry["id"])
                if ident in kept_ids:
                    result.append(kept_ids[ident])
                elif ident in by_index:
                    upload = by_index.pop(ident)
                    result.append(
                        self.add_attachment(entry.get("filename") or upload.filename, upload.data, upload.content_type)
                    )
        for upload in by_index.values():
            result.append(self.add_attachment(upload.filename, upload.data, upload.content_type))
        return result

    # ----------------------------------------------------------------- messages

    def store(self, message: FakeMessage) -> FakeMessage:
        self.messages[message.id] = message
        if not message.ephemeral:
            self.channel_by_id(message.channel_id).last_message_id = message.id
        return message

    def resolve_mentions(
        self, content: str, allowed: dict[str, Any] | None, referenced: FakeMessage | None, guild_id: int | None
    ) -> tuple[list[FakeUser], list[int], bool]:
        """Who a message actually pings, honouring allowed_mentions like Discord (roles of its own guild only)."""
        guild_roles = self.guilds[guild_id].roles if guild_id is not None else {}
        parse = ["users", "roles", "everyone"] if allowed is None else allowed.get("parse", [])
        allowed_users = {int(u) for u in (allowed or {}).get("users", [])}
        allowed_roles = {int(r) for r in (allowed or {}).get("roles", [])}
        users: list[FakeUser] = []
        for raw in _USER_MENTION.findall(content):
            user = self.users.get(int(raw))
            if user is not None and user not in users and ("users" in parse or user.id in allowed_users):
                users.append(user)
        roles = [
            int(raw)
            for raw in _ROLE_MENTION.findall(content)
            if int(raw) in guild_roles and ("roles" in parse or int(raw) in allowed_roles)
        ]
        everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
        replied_user = True if allowed is None else allowed.get("replied_user", False)
        if referenced is not None and replied_user and referenced.author not in users:
            users.append(referenced.author)
        return users, roles, everyone

    def create_user_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        content: str,
        reply_to: FakeMessage | None,
        attachments: list[FakeAttachment],
    ) -> FakeMessage:
        """A message a (non-bot) user typed into the Discord client."""
        mentions, role_ids, everyone = self.resolve_mentions(content, None, reply_to, channel.guild_id)
        message = FakeMessage(
            id=self.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            origin="user",
            content=content,
            attachments=attachments,
            mentions=mentions,
            mention_role_ids=role_ids,
            mention_everyone=everyone,
            type=MESSAGE_REPLY if reply_to is not None else MESSAGE_DEFAULT,
            referenced=reply_to,
        )
        return self.store(message)

    def create_message_from_body(
        self,
        *,
        channel: FakeChannel,
        author: FakeUser,
        body: dict[str, Any],
        uploads: list[Upload],
        origin: str,
        allow_ephemeral: bool = False,
        message_type: int = MESSAGE_DEFAULT,
        webhook_id: int | None = None,
        interaction_metadata: dict[str, Any] | None = None,
    ) -> FakeMessage:
        """Create and store the message a bot's request body describes (validated by the caller)."""
        referenced = None
        reference = body.get("message_reference")
        if reference:
            referenced = self.messages.get(int(reference["message_id"]))
            named_channel = int(reference.get("channel_id") or channel.id)
            # A reply (type 0) quotes a message of the same channel; only forwards (type 1) cross channels.
            if referenced is not None and (
                referenced.deleted
                or referenced.ephemeral
                or referenced.channel_id != channel.id
                or named_channel != channel.id
            ):
                referenced = None
            if referenced is None and reference.get("fail_if_not_exists", True):
                raise invalid_form_body(
                    {"message_reference": field_error("MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")}
                )
        content = body.get("content") or ""
        users, roles, everyone = self.resolve_mentions(
            content, body.get("allowed_mentions"), referenced, channel.guild_id
        )
        flags = body.get("flags") or 0
        if not allow_ephemeral:
            flags &= ~FLAG_EPHEMERAL
        message = FakeMessage(
            id=self.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            origin=origin,
            content=content,
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            attachments=self._attachments_for(body, uploads, []),
            mentions=users,
            mention_role_ids=roles,
            mention_everyone=everyone,
            type=MESSAGE_REPLY if referenced is not None else message_type,
            flags=flags,
            tts=bool(body.get("tts")),
            referenced=referenced,
            webhook_id=webhook_id,
            interaction_metadata=interaction_metadata,
            body=body,
        )
        return self.store(message)

    def apply_edit(self, message: FakeMessage, body: dict[str, Any], uploads: list[Upload]) -> None:
        """PATCH semantics: only the fields present change. Callers record the edit where it belongs."""
        if "content" in body:
            message.content = body["content"] or ""
            message.mentions, message.mention_role_ids, message.mention_everyone = self.resolve_mentions(
                message.content, body.get("allowed_mentions"), message.referenced, message.guild_id
            )
        if "embeds" in body:
            message.embeds = list(body["embeds"] or [])
        if "components" in body:
            message.components = list(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            # Only SUPPRESS_EMBEDS/IS_COMPONENTS_V2 are editable; ephemeral/loading stay as they were.
            fixed = FLAG_EPHEMERAL | FLAG_LOADING
            message.flags = (message.flags & fixed) | (body["flags"] & ~fixed)
        if "attachments" in body or uploads:
            message.attachments = self._attachments_for(body, uploads, message.attachments)
        message.edited_timestamp = iso_now()

    def content_exempt(self, message: FakeMessage) -> bool:
        """Messages whose content Discord sends even without the message content intent."""
        return (
            self.channel_by_id(message.channel_id).is_dm
            or message.author.id == self.bot.id
            or self.bot in message.mentions
        )

    # ----------------------------------------------------------------- payloads

    def member_payload(
        self, user: FakeUser, *, with_user: bool = True, with_permissions: bool = False, guild: FakeGuild | None = None
    ) -> dict[str, Any]:
        """`user` as a member of `guild` (the first guild unless named): that guild's roles and permissions."""
        guild = guild or self.guild
        member = guild.members[user.id]
        permissions = self.permissions_of(user, guild) if with_permissions else None
        return member.payload(with_user=with_user, permissions=permissions)

    def message_payload(
        self, message: FakeMessage, *, gateway: bool = False, content_intent: bool = True
    ) -> dict[str, Any]:
        """A message as Discord returns it over REST, or (gateway=True) in MESSAGE_CREATE/UPDATE.

        Without the message content intent the gateway blanks content, embeds,
        attachments and components unless the message is exempt.
        """
        hidden = gateway and not content_intent and not self.content_exempt(message)
        in_guild = message.guild_id is not None
        data: dict[str, Any] = {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            "author": message.author.payload(),
            "content": "" if hidden else message.content,
            "timestamp": message.timestamp,
            "edited_timestamp": message.edited_timestamp,
            "tts": message.tts,
            "mention_everyone": message.mention_everyone,
            "mentions": [self._mention_payload(u, message.guild_id if gateway else None) for u in message.mentions],
            "mention_roles": [str(r) for r in message.mention_role_ids],
            "attachments": [] if hidden else [a.payload() for a in message.attachments],
            "embeds": [] if hidden else message.embeds,
            "components": [] if hidden else message.components,
            "pinned": False,
            "type": message.type,
            "flags": message.flags,
        }
        if message.reactions:
            data["reactions"] = [
                {
                    "count": 1,
                    "count_details": {"burst": 0, "normal": 1},
                    "me": True,
                    "me_burst": False,
                    "burst_colors": [],
                    "emoji": {"id": None, "name": emoji},
                }
                for emoji in message.reactions
            ]
        if message.webhook_id is not None:
            data["webhook_id"] = str(message.webhook_id)
            data["application_id"] = str(self.application_id)
        if message.interaction_metadata is not None:
            data["interaction_metadata"] = message.interaction_metadata
        if message.type == MESSAGE_REPLY:
            ref = message.referenced
            data["message_reference"] = {
                "type": 0,
                "channel_id": str(message.channel_id),
                "message_id": None if ref is None else str(ref.id),
                "guild_id": None if message.guild_id is None else str(message.guild_id),
            }
            data["referenced_message"] = (
                None if ref is None else self.message_payload(ref, gateway=gateway, content_intent=content_intent)
            )
        if gateway and in_guild:
            data["guild_id"] = str(message.guild_id)
            guild = self.guilds[message.guild_id]
            if message.webhook_id is None and message.author.id in guild.members:
                data["member"] = self.member_payload(message.author, with_user=False, guild=guild)
        return data

    def _mention_payload(self, user: FakeUser, guild_id: int | None) -> dict[str, Any]:
        data = user.payload()
        guild = self.guilds.get(guild_id) if guild_id is not None else None
        if guild is not None and user.id in guild.members:
            data["member"] = self.member_payload(user, with_user=False, guild=guild)
        return data

    def guild_payload(self, guild: FakeGuild | None = None) -> dict[str, Any]:
        """The guild object (GET /guilds/{id})."""
        guild = guild or self.guild
        text_channels = guild.text_channels
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": str(text_channels[0].id) if text_channels else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "application_id": None,
            "features": [],
            "roles": [r.payload() for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
        }

    def guild_create_payload(
        self, guild: FakeGuild | None = None, *, include_members: bool, joined: bool = False
    ) -> dict[str, Any]:
        """GUILD_CREATE: the guild plus gateway-only fields. Members other than the
        bot are sent only to bots with the GUILD_MEMBERS intent, as Discord does.

        `unavailable: false` marks a guild READY listed, or one back from an outage; for a guild the
        bot has just joined (joined=True) Discord leaves the field out, which is how discord.py
        tells on_guild_join from on_guild_available."""
        guild = guild or self.guild
        members = [m for m in guild.members.values() if include_members or m.user.id == self.bot.id]
        channels = [c for c in guild.channels.values() if c.type != PUBLIC_THREAD]
        threads = [c for c in guild.channels.values() if c.type == PUBLIC_THREAD]
        data = {
            **self.guild_payload(guild),
            "joined_at": guild.members[self.bot.id].joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "members": [self.member_payload(m.user, guild=guild) for m in members],
            "channels": [c.payload() for c in channels],
            "threads": [c.payload() for c in threads],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
        if joined:
            del data["unavailable"]
        return data

    def application_payload(self) -> dict[str, Any]:
        """GET /oauth2/applications/@me — discord.py's is_owner() reads `owner`/`team` from it."""
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot": self.bot.payload(),
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.application_flags,
            "owner": self.owner.payload(),
            "team": None,
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.bot_guilds()),
            "tags": [],
            "integration_types_config": {"0": {}},
        }

    # ----------------------------------------------------------------- commands

    def overwrite_commands(self, guild_id: int | None, body: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """PUT bulk overwrite. Ids survive for commands whose name and type stay."""
        previous = {(c["name"], c["type"]): c["id"] for c in self.commands.get(guild_id, [])}
        stored = []
        for item in body:
            command = dict(item)
            command.setdefault("type", 1)
            command.setdefault("description", "")
            permissions = command.get("default_member_permissions")
            command["default_member_permissions"] = None if permissions is None else str(permissions)
            command.setdefault("dm_permission", True)
            command.setdefault("nsfw", False)
            command["id"] = previous.get((command["name"], command["type"])) or str(self.ids.next())
            command["application_id"] = str(self.application_id)
            command["version"] = str(self.ids.next())
            if guild_id is not None:
                command["guild_id"] = str(guild_id)
            stored.append(command)
        self.commands[guild_id] = stored
        return stored

    def find_command(self, name: str, kind: int, guild_id: int | None) -> dict[str, Any] | None:
        """A guild's own command wins over a global one of the same name, as in the Discord client."""
        scopes = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == name and command["type"] == kind:
                    return command
        return None
