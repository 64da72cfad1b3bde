"""FakeDiscord: the one object tests use.

It owns the HTTP/websocket server on 127.0.0.1 (REST, gateway, attachment
downloads), the in-memory world, and the helpers that act as Discord users
(post a message, run a slash command, click a button), as server admins
(roles, channel permission overwrites), or as a misbehaving Discord
(reconnect requests, invalid sessions, dropped or silent sockets, 429/5xx,
latency, rate limits, expired interaction tokens via advance_clock).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractContextManager as ContextManager
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import discord
import discord.http
from aiohttp import web

from . import discord_patch
from .clock import Clock
from .errors import InteractionNotPossible
from .faults import FaultPlan, RecordedRequest
from .gateway import Gateway, GatewayConnectionInfo
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    InteractionRecord,
    Interactions,
)
from .invocations import (
    ATTACHMENT_SIZE_LIMIT,
    command_data,
    component_data,
    interaction_payload,
    message_command_data,
    modal_submit_data,
)
from .models import FakeAttachment, FakeChannel, FakeGuild, FakeMessage, FakeRole, FakeUser
from .permissions import INTENT_GUILD_MEMBERS, INTENT_GUILDS, INTENT_MESSAGE_CONTENT
from .rest import API_PREFIX, RestApi
from .waiting import Signal
from .world import World

T = TypeVar("T")


class FakeDiscord:
    """A Discord-compatible server for one bot application.

    The world: application `application_id` with bot user `bot`; guild `guild`
    owned by `owner` (also the application's owner), with text channel
    `channel`, thread `thread`, roles @everyone, `moderator_role` (MANAGE_GUILD,
    MANAGE_MESSAGES) and the bot's managed role; members `owner`, `moderator`
    (has the Moderator role) and `member` (no roles). DM channels are made on
    demand by `dm_channel(user)`.

    More guilds: `add_guild` (own owner, @everyone, "general" channel, roles and members; names
    may repeat across guilds, ids never do); a user joins several with `join_guild`. The bot's
    membership changes with `bot_joins`, `bot_removed` (silent while no bot is connected: the next
    READY just leaves the guild out), `guild_outage` and `guild_recovers`.
    """

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        heartbeat_interval_ms: int = 1000,
        interaction_timeout: float = 3.0,
        privileged_intents: int = INTENT_GUILD_MEMBERS | INTENT_MESSAGE_CONTENT,
        recommended_shards: int = 1,
        max_concurrency: int = 1,
        identify_interval: float = 5.0,
        application_guild_count: int = 1,
        guild_shard: tuple[int, int] | None = None,
    ) -> None:
        """privileged_intents: those switched on for the application in the developer portal;
        an IDENTIFY asking for another privileged intent is closed with 4014.

        Sharding: GET /gateway/bot answers `recommended_shards` and `max_concurrency`; IDENTIFYs of
        one bucket less than `identify_interval` s apart are refused (`identify_refusals`); an
        application in `application_guild_count` guilds must shard (4011 above 2,500 per session);
        guild_shard=(id, count) gives the guild an id that shard `id` of `count` owns."""
        self.token = token
        self._signal = Signal()
        self.clock = Clock()
        self.world = World(privileged_intents=privileged_intents, guild_shard=guild_shard)
        self._gateway = Gateway(
            self.world,
            self._signal,
            token=token,
            heartbeat_interval_ms=heartbeat_interval_ms,
            clock=self.clock,
            max_concurrency=max_concurrency,
            identify_interval=identify_interval,
            application_guild_count=application_guild_count,
            recommended_shards=recommended_shards,
        )
        self._interactions = Interactions(
            self.world, self._gateway, self._signal, self.clock, timeout=interaction_timeout
        )
        self._faults = FaultPlan()
        self._rest = RestApi(self.world, self._gateway, self._interactions, self._signal, self._faults, token=token)
        self._runner: web.AppRunner | None = None
        self._claimed: set[int] = set()  # bot messages already returned by wait_for_bot_message
        self.base_url = ""

    # ------------------------------------------------------------- the world

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot(self) -> FakeUser:
        return self.world.bot

    @property
    def owner(self) -> FakeUser:
        return self.world.owner

    @property
    def moderator(self) -> FakeUser:
        return self.world.moderator

    @property
    def member(self) -> FakeUser:
        return self.world.member

    @property
    def guild(self) -> FakeGuild:
        return self.world.guild

    @property
    def channel(self) -> FakeChannel:
        return self.world.channel

    @property
    def thread(self) -> FakeChannel:
        return self.world.thread

    @property
    def moderator_role(self) -> FakeRole:
        return self.world.moderator_role

    def add_member(self, username: str, roles: Iterable[FakeRole] = (), *, guild: FakeGuild | None = None) -> FakeUser:
        """A new member of `guild` (default: `guild`) with `roles`; add members before the bot
        connects so GUILD_CREATE lists them."""
        guild = guild or self.guild
        return self.world.add_member(username, self._own_roles(guild, roles), guild=guild)

    def join_guild(self, user: FakeUser, guild: FakeGuild, roles: Iterable[FakeRole] = ()) -> None:
        """An existing user (a member of another guild, say) becomes a member of `guild` too."""
        self.world.join(guild, user, self._own_roles(guild, roles))

    @staticmethod
    def _own_roles(guild: FakeGuild, roles: Iterable[FakeRole]) -> list[int]:
        ids = [r.id for r in roles]
        foreign = [i for i in ids if i not in guild.roles]
        if foreign:  # Discord cannot give a member another guild's role
            raise InteractionNotPossible(f"roles {foreign} are not roles of {guild.name!r}")
        return ids

    def add_role(self, name: str, permissions: int = 0, *, guild: FakeGuild | None = None) -> FakeRole:
        """A new role of `guild` (default: `guild`); add it before the bot connects so GUILD_CREATE lists it."""
        return self.world.add_role(name, permissions, guild=guild)

    def add_guild(self, name: str, owner: FakeUser | None = None, *, with_bot: bool = True) -> FakeGuild:
        """Another guild: its own @everyone, "general" channel (`guild.text_channels[0]`), owner (a new
        user unless given: the application's owner is `owner`) and, with_bot, the bot. Add guilds
        before the bot connects, or use `bot_joins` to announce one."""
        return self.world.add_guild(name, owner, with_bot=with_bot)

    def add_channel(self, guild: FakeGuild, name: str) -> FakeChannel:
        """Another text channel; add it before the bot connects so GUILD_CREATE lists it."""
        return self.world.add_channel(guild, name)

    @property
    def guilds(self) -> list[FakeGuild]:
        return list(self.world.guilds.values())

    # ------------------------------------------------- the bot's guilds change

    async def bot_joins(self, guild: FakeGuild) -> None:
        """The bot is invited to `guild`: GUILD_CREATE without `unavailable` (discord.py's on_guild_join)."""
        self.world.add_bot_to(guild)
        await self._guild_create(guild, joined=True)

    async def bot_removed(self, guild: FakeGuild) -> None:
        """The bot is kicked, or the server deleted: GUILD_DELETE without `unavailable` (on_guild_remove).
        While no bot is connected the removal is silent, as with Discord: the next READY just does
        not list the guild."""
        self.world.remove_bot_from(guild)
        await self._gateway.dispatch(
            "GUILD_DELETE", lambda _s: {"id": str(guild.id)}, guild_id=guild.id, to_members_only=False
        )

    async def guild_outage(self, guild: FakeGuild) -> None:
        """An outage: GUILD_DELETE with `unavailable: true` (on_guild_unavailable); the bot stays a member."""
        guild.unavailable = True
        data = {"id": str(guild.id), "unavailable": True}
        await self._gateway.dispatch("GUILD_DELETE", lambda _s: data, guild_id=guild.id, to_members_only=False)

    async def guild_recovers(self, guild: FakeGuild) -> None:
        """The outage ends: GUILD_CREATE with `unavailable: false` (on_guild_available)."""
        guild.unavailable = False
        await self._guild_create(guild, joined=False)

    async def _guild_create(self, guild: FakeGuild, *, joined: bool) -> None:
        def build(session) -> dict[str, Any]:
            members = bool(session.intents & INTENT_GUILD_MEMBERS)
            return self.world.guild_create_payload(guild, include_members=members, joined=joined)

        await self._gateway.dispatch("GUILD_CREATE", build, guild_id=guild.id, intent=INTENT_GUILDS)

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        return self.world.dm_channel(user)

    async def set_overwrite(
        self, channel: FakeChannel, target: FakeRole | FakeUser, *, allow: int = 0, deny: int = 0
    ) -> None:
        """A channel permission overwrite for a role (the guild's id is @everyone) or a member;
        the bot is told with CHANNEL_UPDATE, as Discord does."""
        kind = 0 if isinstance(target, FakeRole) else 1
        channel.overwrites[target.id] = (kind, allow, deny)
        await self._gateway.dispatch(
            "CHANNEL_UPDATE", lambda _session: channel.payload(), guild_id=channel.guild_id, intent=INTENT_GUILDS
        )

    async def set_role_permissions(self, role: FakeRole, permissions: int) -> None:
        """Change a role's guild permissions (GUILD_ROLE_UPDATE is dispatched)."""
        role.permissions = permissions
        guild = next(g for g in self.world.guilds.values() if role.id in g.roles)
        data = {"guild_id": str(guild.id), "role": role.payload()}
        await self._gateway.dispatch(
            "GUILD_ROLE_UPDATE", lambda _session: data, guild_id=guild.id, intent=INTENT_GUILDS
        )

    @property
    def bot_role(self) -> FakeRole:
        """The role Discord made for the bot when it joined (Send Messages, Embed Links, ...)."""
        return self.world.bot_role

    @property
    def interaction_timeout(self) -> float:
        """Seconds the bot has to acknowledge an interaction; a later callback gets 404/10062."""
        return self._interactions.timeout

    def acknowledged_or_expired(self, record: InteractionRecord) -> bool:
        """True once the bot acknowledged `record`, or can no longer (its deadline passed)."""
        return record.response is not None or self.clock.now() - record.dispatched_at > self.interaction_timeout

    def advance_clock(self, seconds: float) -> None:
        """Skip the fake's clock ahead: interaction deadlines (3 s, 15 min) pass without sleeping."""
        self.clock.advance(seconds)

    # ------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        # Room for an upload at Discord's attachment limit plus its JSON.
        app = web.Application(client_max_size=ATTACHMENT_SIZE_LIMIT + 1024 * 1024)
        self._rest.install(app)
        app.router.add_get("/", self._gateway.handle)
        app.router.add_get("/resume", self._gateway.handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.world.base_url = self.base_url
        self._gateway.url = f"ws://127.0.0.1:{port}/"
        self._gateway.resume_url = f"ws://127.0.0.1:{port}/resume"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._gateway.shutdown()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        return self.base_url + API_PREFIX

    def patched_discord(self, *, compression: str | None = None) -> ContextManager[None]:
        """Point discord.py's Route.BASE / DEFAULT_GATEWAY / Asset.BASE here; restored on exit.

        compression: None keeps discord.py's own choice; "zlib-stream" or
        "zstd-stream" forces one (zstd needs the zstandard package).
        """
        return discord_patch.pointed_at(self.api_url, self._gateway.url, self.base_url, compression=compression)

    @asynccontextmanager
    async def run_bot(self, client: discord.Client, *, timeout: float = 10.0) -> AsyncIterator[discord.Client]:
        """Run `client.start(token)` until the block ends, then close it and wait for it.

        Entered once the client has identified (READY and GUILD_CREATE sent).
        Raises the client's own exception if it dies first (e.g. LoginFailure).
        """
        if discord.http.Route.BASE != self.api_url:
            raise RuntimeError(f"enter fake.patched_discord() first: discord.py points at {discord.http.Route.BASE}")
        count = self._gateway.identify_count + 1
        task = asyncio.create_task(client.start(self.token), name="fake-discord-client")
        failed = False
        try:
            waiter = asyncio.ensure_future(self.wait_until_identified(timeout, count=count))
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if not waiter.done():
                waiter.cancel()
                task.result()
                raise RuntimeError("the client stopped before it identified")
            waiter.result()
            yield client
        except BaseException:
            failed = True
            raise
        finally:
            await client.close()
            done, _ = await asyncio.wait({task}, timeout=timeout)
            if not done:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            elif not failed and not task.cancelled() and task.exception() is not None:
                raise task.exception()

    # --------------------------------------------------------------- waiting

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, what: str = "a condition") -> T:
        """Wait until predicate() is truthy: re-checked on every event the fake sees and every 50 ms."""
        return await self._signal.wait_for(predicate, timeout, what)

    async def wait_until_identified(self, timeout: float = 5.0, *, count: int = 1) -> None:
        """Until `count` IDENTIFYs happened and that session got READY (+ GUILD_CREATE) on a live socket."""
        await self.wait_for(
            lambda: self._gateway.identify_count >= count and self._gateway.connected, timeout, f"IDENTIFY #{count}"
        )

    async def wait_until_shards_ready(self, shard_ids: Iterable[int], timeout: float = 15.0) -> None:
        """Until each of `shard_ids` has a READY session on a live socket."""
        wanted = set(shard_ids)
        await self.wait_for(lambda: wanted <= self._gateway.ready_shards(), timeout, f"shards {sorted(wanted)} READY")

    def ready_shards(self) -> set[int]:
        return self._gateway.ready_shards()

    @property
    def identify_refusals(self) -> list:
        """IDENTIFYs refused for coming too soon after another of their bucket (IdentifyRefusal)."""
        return list(self._gateway.identify_refusals)

    def shard_of_session_for(self, guild_id: int | None) -> int | None:
        """Which shard's session receives `guild_id`'s events (None: a DM); None if no session does."""
        session = self._gateway.session_for(guild_id)
        if session is None:
            return None
        return session.shard[0] if session.shard else 0

    async def wait_until_resumed(self, timeout: float = 5.0, *, count: int = 1) -> None:
        """Until `count` successful RESUMEs happened and the session is live again."""
        await self.wait_for(
            lambda: self._gateway.resume_count >= count and self._gateway.connected, timeout, f"RESUME #{count}"
        )

    # ----------------------------------------------------- acting as a user

    def _require_session(self) -> None:
        if self._gateway.current is None:
            raise RuntimeError("no gateway session: start the bot and await fake.wait_until_identified() first")

    async def post_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        content: str = "",
        *,
        mention_bot: bool = False,
        reply_to: FakeMessage | None = None,
        attachments: Iterable[FakeAttachment] = (),
    ) -> FakeMessage:
        """A user posts a message (MESSAGE_CREATE).

        mention_bot prefixes "<@bot>" to the content. A reply pings the replied-to
        author, as the Discord client does by default. What the bot receives
        follows its intents: no GUILD_MESSAGES/DIRECT_MESSAGES intent, no event;
        no MESSAGE_CONTENT intent, blank content/embeds/attachments/components
        unless the bot is mentioned or it is a DM.
        """
        self._require_session()
        if channel.is_dm and author not in channel.recipients:
            raise InteractionNotPossible(f"{author.username} is not in that DM")
        guild = self.world.guild_of(channel)
        if guild is not None and author.id not in guild.members:
            raise InteractionNotPossible(f"{author.username} is not a member of {guild.name!r}")
        if mention_bot and self.bot.mention not in content:
            content = f"{self.bot.mention} {content}".strip()
        message = self.world.create_user_message(channel, author, content, reply_to, list(attachments))
        await self._gateway.dispatch_message("MESSAGE_CREATE", message)
        return message

    async def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user: FakeUser,
        channel: FakeChannel,
        message: FakeMessage | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        self._require_session()
        payload = interaction_payload(
            self.world, kind=kind, user=user, channel=channel, data=data, message=message, locale=locale
        )
        record = InteractionRecord(
            payload, user=user, channel=channel, signal=self._signal, clock=self.clock, message=message
        )
        self._interactions.add(record)
        guild_id = int(payload["guild_id"]) if payload.get("guild_id") else None
        await self._gateway.dispatch("INTERACTION_CREATE", lambda _session: payload, guild_id=guild_id)
        return record

    async def invoke_slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: FakeUser | None = None,
        channel: FakeChannel | None = None,
        locale: str = "en-US",
        bypass_default_permissions: bool = False,
    ) -> InteractionRecord:
        """Run "/name" (or a subcommand: "corpus reload") with typed option values.

        Option values: str/int/float/bool, FakeUser, FakeChannel, FakeRole,
        FakeAttachment; the fake fills `resolved`. Defaults: user=member,
        channel=channel.
        """
        user, channel = user or self.member, channel or self.channel
        data = command_data(
            self.world,
            name,
            options or {},
            user=user,
            channel=channel,
            bypass_default_permissions=bypass_default_permissions,
        )
        return await self._interact(APPLICATION_COMMAND, data, user=user, channel=channel, locale=locale)

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        *,
        focused: str,
        user: FakeUser | None = None,
        channel: FakeChannel | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        """The user is typing into option `focused`; the answer is in `record.choices`."""
        user, channel = user or self.member, channel or self.channel
        data = command_data(self.world, name, options, user=user, channel=channel, focused=focused)
        return await self._interact(AUTOCOMPLETE, data, user=user, channel=channel, locale=locale)

    async def invoke_message_command(
        self, name: str, target: FakeMessage, *, user: FakeUser | None = None, bypass_default_permissions: bool = False
    ) -> InteractionRecord:
        """Apps ▸ `name` on `target` (message context menu), in the target's channel."""
        user = user or self.member
        channel = self.world.channel_by_id(target.channel_id)
        data = message_command_data(
            self.world, name, target, user=user, channel=channel, bypass_default_permissions=bypass_default_permissions
        )
        return await self._interact(APPLICATION_COMMAND, data, user=user, channel=channel)

    async def click(
        self, message: FakeMessage, custom_id: str, *, user: FakeUser | None = None, values: list[str] | None = None
    ) -> InteractionRecord:
        """Press the button (or pick `values` in the select) `custom_id` on `message`."""
        user = user or self.member
        data = component_data(message, custom_id, values)
        channel = self.world.channel_by_id(message.channel_id)
        return await self._interact(MESSAGE_COMPONENT, data, user=user, channel=channel, message=message)

    async def tampered_click(
        self,
        message: FakeMessage,
        custom_id: str,
        *,
        channel: FakeChannel,
        user: FakeUser,
        values: list[str] | None = None,
    ) -> InteractionRecord:
        """A component of `message` arriving as if clicked in `channel` (another server's, say).

        No Discord client can do this (the API checks a click against the message it names), so
        `click` refuses it; this exists for defence in depth: a bot must not take a custom id or a
        select value as proof of where a passage belongs."""
        data = component_data(message, custom_id, values)
        return await self._interact(MESSAGE_COMPONENT, data, user=user, channel=channel, message=message)

    async def submit_modal(
        self, shown: InteractionRecord, values: dict[str, str | list[str]], *, user: FakeUser | None = None
    ) -> InteractionRecord:
        """Submit the modal the bot answered `shown` with; values keyed by input custom_id or label."""
        if shown.response_type != MODAL:
            raise InteractionNotPossible(f"interaction {shown.id} was not answered with a modal")
        data = modal_submit_data(shown.response["data"], values)
        return await self._interact(
            MODAL_SUBMIT, data, user=user or shown.user, channel=shown.channel, message=shown.message
        )

    def add_attachment(self, filename: str, data: bytes, content_type: str | None = None) -> FakeAttachment:
        """A file served over HTTP by the fake, to attach to post_message or pass as an option."""
        return self.world.add_attachment(filename, data, content_type)

    # ----------------------------------------------------- what the bot did

    def registered_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Commands as stored after the bot's bulk overwrite (with ids), global or for a guild."""
        return list(self.world.commands.get(guild_id, []))

    def bot_messages(self, channel: FakeChannel | None = None) -> list[FakeMessage]:
        """Messages the bot POSTed to /channels/{id}/messages, oldest first."""
        return [
            m
            for m in self.world.messages.values()
            if m.origin == "rest" and (channel is None or m.channel_id == channel.id)
        ]

    async def wait_for_bot_message(
        self, channel: FakeChannel, predicate: Callable[[FakeMessage], bool] | None = None, timeout: float = 5.0
    ) -> FakeMessage:
        """The oldest bot message in `channel` (matching predicate) not returned by an earlier call.

        `.body` holds the JSON the bot sent (embeds, components, allowed_mentions, message_reference).
        """

        def unclaimed() -> FakeMessage | None:
            for message in self.bot_messages(channel):
                if message.id not in self._claimed and (predicate is None or predicate(message)):
                    return message
            return None

        message = await self.wait_for(unclaimed, timeout, f"a bot message in channel {channel.name or channel.id}")
        self._claimed.add(message.id)
        return message

    def get_message(self, message_id: int) -> FakeMessage:
        return self.world.messages[message_id]

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every REST request, in arrival order (paths relative to /api/v10)."""
        return self._rest.requests

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        """Recorded requests whose method matches and whose path fully matches the regex `path`."""
        pattern = re.compile(path)
        return [r for r in self._rest.requests if r.method == method.upper() and pattern.fullmatch(r.path)]

    @property
    def interactions(self) -> list[InteractionRecord]:
        return list(self._interactions.records.values())

    @property
    def server_errors(self) -> list[str]:
        """Tracebacks of bugs in the fake itself; a test should end with this empty."""
        return self._rest.server_errors + self._gateway.errors

    @property
    def heartbeats(self) -> list[float]:
        """time.monotonic() of every heartbeat (op 1) received."""
        return self._gateway.heartbeats

    @property
    def identify_count(self) -> int:
        return self._gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self._gateway.resume_count

    @property
    def gateway_connections(self) -> list[GatewayConnectionInfo]:
        return self._gateway.connections

    @property
    def intents(self) -> int | None:
        """Intents of the latest IDENTIFY."""
        payloads = self._gateway.identify_payloads
        return payloads[-1]["intents"] if payloads else None

    @property
    def presence_updates(self) -> list[dict[str, Any]]:
        return self._gateway.presence_updates

    # ------------------------------------------------- acting as bad weather

    async def send_reconnect(self) -> None:
        """Op 7: the bot should reconnect to resume_gateway_url and RESUME."""
        await self._gateway.send_reconnect()

    async def send_invalid_session(self, resumable: bool) -> None:
        """Op 9; with resumable=False the session is gone and the bot must IDENTIFY again."""
        await self._gateway.send_invalid_session(resumable)

    def stop_answering_gateway(self) -> None:
        """A zombie connection: the socket stays open, but no heartbeat ACK or event reaches the bot
        any more (events wait in the session for a RESUME). discord.py must notice and reconnect."""
        self._gateway.go_silent()

    async def close_gateway(self, code: int | None = 4000) -> None:
        """Close the bot's socket with `code`, or code=None: drop the TCP connection without a close frame."""
        await self._gateway.close_current(code)

    def fail_next(
        self,
        method: str,
        path: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: float = 0.2,
        body: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next `times` requests matching method and regex `path` with `status`.

        `path` must fully match the path after /api/v10 (e.g. r"/webhooks/\\d+/.+").
        429s carry Via, retry_after (seconds) and global=false, so discord.py retries them.
        """
        self._faults.add(method, path, status=status, times=times, retry_after=retry_after, body=body)

    def rate_limit(self, method: str, path: str, *, limit: int, per: float) -> None:
        """A per-route bucket: `limit` requests per `per` seconds for each channel/guild/webhook
        in the path (`path` a regex over the path after /api/v10), with X-RateLimit-* headers."""
        self._rest.ratelimits.limit_route(method, path, limit=limit, per=per)

    def rate_limit_globally(self, *, limit: int, per: float) -> None:
        """At most `limit` bot requests per `per` seconds overall (interaction endpoints exempt)."""
        self._rest.ratelimits.limit_globally(limit=limit, per=per)

    def delay_next(self, method: str, path: str, seconds: float, *, times: int = 1) -> None:
        """Hold the next `times` matching requests `seconds` in transit (network latency).

        A request whose client hangs up meanwhile never reaches the fake: it is recorded
        with status 499 and has no effect, as a message that never left the bot.
        """
        self._faults.add(method, path, status=None, times=times, delay=seconds)
