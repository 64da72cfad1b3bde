"""The gateway websocket: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, dispatches.

Sharding: an IDENTIFY may carry `shard: [id, count]`; a guild's events go only to the session of
shard `(guild_id >> 22) % count`, DMs to shard 0. IDENTIFYs of one bucket (`id % max_concurrency`)
closer than `identify_interval` seconds apart (on the fake's clock) are refused with
INVALID_SESSION(false) and recorded, so a bot that does not pace its shards fails a test. A
session that would hold more than GUILDS_PER_SESSION guilds is closed with 4011.

A session outlives its connections: events dispatched while the bot is
disconnected (or sent on a socket that was dying) stay in the session's log
and are replayed on RESUME, as Discord does. Closing with 1000/1001 or an
INVALID_SESSION(false) ends the session; the next connection must IDENTIFY.
"""

from __future__ import annotations

import asyncio
import json
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from . import permissions as perms
from .clock import Clock
from .compression import encoder_for
from .models import FakeMessage
from .responses import dumps, json_response
from .waiting import Signal
from .world import World

# Opcodes.
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, VOICE_STATE_UPDATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11
GUILDS_PER_SESSION = 2500  # Discord's limit; beyond it an IDENTIFY is closed with 4011 (sharding required)


@dataclass(frozen=True)
class IdentifyRefusal:
    """An IDENTIFY refused for breaking its bucket's rate, for assertions."""

    shard: list[int] | None
    bucket: int
    seconds_after_previous: float  # on the fake's clock


@dataclass
class GatewayConnectionInfo:
    """What one websocket connection looked like, for assertions."""

    path: str  # "/" for DEFAULT_GATEWAY, "/resume" for resume_gateway_url
    compress: str | None
    opened_at: float
    started_with: str | None = None  # "identify" or "resume"
    text_frames: int = 0
    binary_frames: int = 0
    closed_at: float | None = None
    close_code: int | None = None


class _Connection:
    def __init__(self, ws: web.WebSocketResponse, request: web.Request, info: GatewayConnectionInfo) -> None:
        self.ws = ws
        self.transport = request.transport
        self.info = info
        self.encoder = encoder_for(info.compress)
        self.session: GatewaySession | None = None
        self.closed_by_server = False
        self.silent = False  # a zombie: the socket stays open but nothing reaches the client
        # The stream compressor is stateful: frames must be encoded and written in one order.
        self._lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        """Send one gateway message; ConnectionError if the socket is gone."""
        async with self._lock:
            if self.ws.closed:
                raise ConnectionResetError("websocket already closed")
            if self.silent:
                if payload.get("op") == DISPATCH:
                    raise ConnectionResetError("zombie connection")  # kept in the session log for a RESUME
                return
            data = self.encoder.encode(dumps(payload))
            if self.encoder.binary:
                await self.ws.send_bytes(data)
                self.info.binary_frames += 1
            else:
                await self.ws.send_str(data.decode())
                self.info.text_frames += 1

    async def close(self, code: int | None) -> None:
        self.closed_by_server = True
        self.info.close_code = code
        if code is None:
            self.transport.abort()  # no close frame: an abrupt TCP drop
        else:
            await self.ws.close(code=code, message=b"closed by fake_discord")


class GatewaySession:
    def __init__(self, intents: int, shard: list[int] | None) -> None:
        self.id = uuid.uuid4().hex
        self.intents = intents
        self.shard = shard
        self.seq = 0
        self.log: list[dict[str, Any]] = []  # dispatches, for replay on RESUME
        self.connection: _Connection | None = None
        self.ready = False
        self.identified_at = 0.0
        # Holds sequence numbers and socket order together (dispatch vs. replay).
        self.lock = asyncio.Lock()


class Gateway:
    def __init__(
        self,
        world: World,
        signal: Signal,
        *,
        token: str,
        heartbeat_interval_ms: int,
        clock: Clock | None = None,
        max_concurrency: int = 1,
        identify_interval: float = 5.0,
        application_guild_count: int = 1,
        recommended_shards: int = 1,
    ) -> None:
        self.world = world
        self.recommended_shards = recommended_shards  # GET /gateway/bot's `shards`
        self.clock = clock or Clock()
        self.max_concurrency = max_concurrency
        self.identify_interval = identify_interval
        # How many guilds the application is in as far as 4011 and the recommended count go; only
        # the world's guilds are real, the rest make the fake a big bot without building thousands.
        self.application_guild_count = application_guild_count
        self._last_identify: dict[int, float] = {}  # bucket -> clock time of its latest accepted IDENTIFY
        self.identify_refusals: list[IdentifyRefusal] = []
        self.signal = signal
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        # Both set once the server knows its port.
        self.url = ""  # what DEFAULT_GATEWAY and GET /gateway point at
        self.resume_url = ""  # READY's resume_gateway_url: a different path, so tests can tell them apart
        self.sessions: dict[str, GatewaySession] = {}
        self.current: GatewaySession | None = None
        self.connections: list[GatewayConnectionInfo] = []
        self._live: set[_Connection] = set()
        self.heartbeats: list[float] = []
        self.identify_count = 0
        self.resume_count = 0
        self.identify_payloads: list[dict[str, Any]] = []
        self.presence_updates: list[dict[str, Any]] = []
        self.errors: list[str] = []  # tracebacks of bugs in this module, surfaced as server_errors

    # --------------------------------------------------------------- endpoint

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("encoding", "json") != "json":
            return json_response({"message": "only encoding=json is supported", "code": 0}, status=400)
        info = GatewayConnectionInfo(request.path, request.query.get("compress"), time.monotonic())
        try:
            encoder_for(info.compress)
        except ValueError as exc:
            return json_response({"message": str(exc), "code": 0}, status=400)
        # compress=False: Discord does not negotiate permessage-deflate; compression is the zlib/zstd stream.
        # timeout: how long a close waits for the peer's close frame (aiohttp's 10 s would stall stop()).
        ws = web.WebSocketResponse(compress=False, timeout=2.0)
        await ws.prepare(request)
        conn = _Connection(ws, request, info)
        self.connections.append(info)
        self._live.add(conn)
        try:
            if request.query.get("v") != "10":
                await conn.close(4012)  # Invalid API version
                return ws
            await conn.send(
                {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None}
            )
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    await conn.close(4002)  # discord.py only ever sends JSON text
                    break
                try:
                    payload = json.loads(message.data)
                except ValueError:
                    await conn.close(4002)
                    break
                await self._on_payload(conn, payload)
        except ConnectionError:
            pass  # the peer vanished mid-send; cleanup below
        except Exception:
            self.errors.append(f"gateway {request.path_qs}\n{traceback.format_exc()}")
            await conn.close(4000)
        finally:
            self._closed(conn)
        return ws

    async def _on_payload(self, conn: _Connection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == HEARTBEAT:
            self.heartbeats.append(time.monotonic())
            self.signal.notify()
            await conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op in (IDENTIFY, RESUME) and not isinstance(data, dict):
            await conn.close(4002)  # Decode error
        elif op == IDENTIFY:
            await self._identify(conn, data)
        elif op == RESUME:
            await self._resume(conn, data)
        elif conn.session is None:
            await conn.close(4003)  # Not authenticated
        elif op == PRESENCE_UPDATE:
            self.presence_updates.append(data)
        elif op == VOICE_STATE_UPDATE:
            pass  # the fake has no voice; accept and ignore rather than kill the session
        elif op == REQUEST_GUILD_MEMBERS:
            await self._send_member_chunk(conn.session, data)
        else:
            await conn.close(4001)  # Unknown opcode

    async def _identify(self, conn: _Connection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.close(4005)  # Already authenticated
            return
        if data.get("token") != self.token:
            await conn.close(4004)  # Authentication failed
            return
        if not isinstance(data.get("intents"), int):
            await conn.close(4013)  # Invalid intent(s)
            return
        if data["intents"] & perms.PRIVILEGED_INTENTS & ~self.world.privileged_intents:
            await conn.close(4014)  # Disallowed intent(s): not switched on for this application
            return
        shard = data.get("shard")
        if shard is not None and not _valid_shard(shard):
            await conn.close(4010)  # Invalid shard
            return
        shard_count = shard[1] if shard is not None else 1
        if -(-self.application_guild_count // shard_count) > GUILDS_PER_SESSION:
            await conn.close(4011)  # Sharding required
            return
        bucket = (shard[0] if shard is not None else 0) % self.max_concurrency
        now = self.clock.now()
        previous = self._last_identify.get(bucket)
        if previous is not None and now - previous < self.identify_interval:
            self.identify_refusals.append(IdentifyRefusal(shard, bucket, now - previous))
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            self.signal.notify()
            return
        self._last_identify[bucket] = now
        session = GatewaySession(data["intents"], shard)
        session.identified_at = now
        self.sessions[session.id] = session
        self.current = session
        self.identify_count += 1
        self.identify_payloads.append(data)
        conn.info.started_with = "identify"
        async with session.lock:
            self._attach(session, conn)
            await self._send_dispatch(session, "READY", self._ready_payload(session))
            if session.intents & perms.INTENT_GUILDS:
                include_members = bool(session.intents & perms.INTENT_GUILD_MEMBERS)
                for guild in self._guilds_of(session):
                    if not guild.unavailable:  # an outage's guild stays unavailable until it is back
                        payload = self.world.guild_create_payload(guild, include_members=include_members)
                        await self._send_dispatch(session, "GUILD_CREATE", payload)
            session.ready = True
        self.signal.notify()

    async def _resume(self, conn: _Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await conn.close(4004)
            return
        session = self.sessions.get(data.get("session_id"))
        if session is None:
            # Discord answers an unknown/expired session with INVALID_SESSION(false), not a close.
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        conn.info.started_with = "resume"
        previous = session.connection
        if previous is not None and previous is not conn:
            await previous.close(None)
        async with session.lock:
            self._attach(session, conn)
            last_seen = data.get("seq") or 0
            try:
                for frame in session.log:
                    if frame["s"] > last_seen:
                        await conn.send(frame)
            except ConnectionError:
                session.connection = None
                return
            await self._send_dispatch(session, "RESUMED", {}, log=False)
        self.resume_count += 1
        self.signal.notify()

    def _attach(self, session: GatewaySession, conn: _Connection) -> None:
        session.connection = conn
        conn.session = session
        self.current = session

    def _closed(self, conn: _Connection) -> None:
        self._live.discard(conn)
        conn.info.closed_at = time.monotonic()
        if conn.info.close_code is None:  # the server's own code, when it closed the socket
            conn.info.close_code = conn.ws.close_code
        session = conn.session
        if session is not None:
            if session.connection is conn:
                session.connection = None
            # A client closing with 1000/1001 ends its session (discord.py does so on close()).
            if not conn.closed_by_server and conn.ws.close_code in (1000, 1001):
                self._invalidate(session)
        self.signal.notify()

    def _invalidate(self, session: GatewaySession) -> None:
        self.sessions.pop(session.id, None)
        if self.current is session:
            self.current = None

    def _guilds_of(self, session: GatewaySession) -> list:
        """The guilds the bot is in that this session's shard owns."""
        return [g for g in self.world.bot_guilds() if _owns(session, g.id)]

    def _ready_payload(self, session: GatewaySession) -> dict[str, Any]:
        world = self.world
        data: dict[str, Any] = {
            "v": 10,
            "user": {**world.bot.payload(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self._guilds_of(session)],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_url,
            "application": {"id": str(world.application_id), "flags": world.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["fake-discord"],
        }
        if session.shard is not None:
            data["shard"] = session.shard
        return data

    async def _send_member_chunk(self, session: GatewaySession, data: dict[str, Any]) -> None:
        guild = self.world.guilds.get(int(data.get("guild_id") or 0))
        if guild is None or self.world.bot.id not in guild.members:
            return  # Discord ignores a request for a guild the bot is not in
        members = list(guild.members.values())
        wanted = {int(u) for u in data.get("user_ids") or []}
        if wanted:
            members = [m for m in members if m.user.id in wanted]
        query = (data.get("query") or "").lower()
        members = [m for m in members if m.user.username.lower().startswith(query)]
        if data.get("limit"):
            members = members[: data["limit"]]
        found = {m.user.id for m in members}
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in wanted - found],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        async with session.lock:
            await self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _send_dispatch(
        self, session: GatewaySession, event: str, data: dict[str, Any], *, log: bool = True
    ) -> None:
        """Number, log and (if connected) send one dispatch. Caller holds session.lock."""
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        if log:
            session.log.append(frame)
        conn = session.connection
        if conn is None:
            return
        try:
            await conn.send(frame)
        except ConnectionError:
            session.connection = None  # stays in the log; a RESUME replays it

    # ------------------------------------------------------------ for the harness

    @property
    def connected(self) -> bool:
        session = self.current
        return session is not None and session.ready and session.connection is not None

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        """The session that receives `guild_id`'s events (None: a DM, shard 0): the current one if it
        owns them, else the latest other session that does."""
        if self.current is not None and _owns(self.current, guild_id):
            return self.current
        owners = [s for s in self.sessions.values() if _owns(s, guild_id)]
        return max(owners, key=lambda s: s.identified_at) if owners else None

    def ready_shards(self) -> set[int]:
        """Shard ids with a READY session on a live socket (an unsharded session counts as 0)."""
        return {(s.shard[0] if s.shard else 0) for s in self.sessions.values() if s.ready and s.connection is not None}

    async def dispatch(
        self,
        event: str,
        build: Callable[[GatewaySession], dict[str, Any]],
        *,
        guild_id: int | None,
        intent: int = 0,
        to_members_only: bool = True,
    ) -> bool:
        """Dispatch to the session owning `guild_id` (None: a DM) if its intents allow; False if
        nobody would receive it. A guild's events reach the bot only while it is in the guild and
        the guild is available (to_members_only=False: the GUILD_DELETE telling it otherwise).

        `build` makes the payload for the session, because what a bot sees
        (e.g. message content) depends on the intents it identified with.
        """
        guild = self.world.guilds.get(guild_id) if guild_id is not None else None
        if to_members_only and guild is not None and (guild.unavailable or self.world.bot.id not in guild.members):
            return False
        session = self.session_for(guild_id)
        if session is None or (intent and not session.intents & intent):
            return False
        async with session.lock:
            await self._send_dispatch(session, event, build(session))
        return True

    async def dispatch_message(self, event: str, message: FakeMessage) -> bool:
        """MESSAGE_CREATE/UPDATE, gated by GUILD_MESSAGES or DIRECT_MESSAGES like Discord."""
        intent = perms.INTENT_GUILD_MESSAGES if message.guild_id is not None else perms.INTENT_DIRECT_MESSAGES

        def build(session: GatewaySession) -> dict[str, Any]:
            content_intent = bool(session.intents & perms.INTENT_MESSAGE_CONTENT)
            return self.world.message_payload(message, gateway=True, content_intent=content_intent)

        return await self.dispatch(event, build, guild_id=message.guild_id, intent=intent)

    async def dispatch_message_delete(self, message: FakeMessage) -> bool:
        intent = perms.INTENT_GUILD_MESSAGES if message.guild_id is not None else perms.INTENT_DIRECT_MESSAGES
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        return await self.dispatch("MESSAGE_DELETE", lambda _session: data, guild_id=message.guild_id, intent=intent)

    def _live_connection(self) -> _Connection:
        session = self.current
        if session is None or session.connection is None:
            raise RuntimeError("the bot has no live gateway connection")
        return session.connection

    async def send_reconnect(self) -> None:
        await self._live_connection().send({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def send_invalid_session(self, resumable: bool) -> None:
        conn = self._live_connection()
        if not resumable and conn.session is not None:
            self._invalidate(conn.session)
        await conn.send({"op": INVALID_SESSION, "d": resumable, "s": None, "t": None})

    def go_silent(self) -> None:
        self._live_connection().silent = True

    async def close_current(self, code: int | None) -> None:
        await self._live_connection().close(code)

    async def shutdown(self) -> None:
        for conn in list(self._live):
            await conn.close(1001)


def _valid_shard(shard: Any) -> bool:
    return (
        isinstance(shard, list)
        and len(shard) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in shard)
        and 0 <= shard[0] < shard[1]
    )


def _owns(session: GatewaySession, guild_id: int | None) -> bool:
    """Discord's rule: a guild belongs to shard (guild_id >> 22) % count; DMs to shard 0."""
    if session.shard is None:
        return True
    shard_id, count = session.shard
    return shard_id == (0 if guild_id is None else (guild_id >> 22) % count)
