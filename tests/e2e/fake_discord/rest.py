"""The REST API under /api/v10, plus the attachment downloads ("CDN").

Every API request is recorded. The middleware then, in order: answers
unknown routes with 404 {"message": "Unknown", "code": 0}, applies an
injected fault if one matches, checks the bot token (webhook and interaction
routes are authorised by the token in their URL instead), and runs the route.
A bug in the fake itself is reported as a 400 (never a 5xx, which discord.py
would silently retry) and kept in `server_errors` for the test to fail on.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from . import permissions as perms
from .errors import APIError, field_error, invalid_form_body, missing_access, missing_permissions, unknown_member
from .faults import FaultPlan, RecordedRequest
from .gateway import Gateway
from .interactions import Interactions
from .models import PUBLIC_THREAD, FakeChannel, FakeGuild, FakeMessage
from .ratelimits import RateLimits
from .responses import json_response, no_content
from .validation import check_commands, check_message
from .waiting import Signal
from .world import Upload, World

API_PREFIX = "/api/v10"
CLIENT_GONE = 499  # recorded status of a request whose client hung up before it arrived (nginx's code)
_FILE_FIELD = re.compile(r"files\[(\d+)\]")
# Routes authorised by the token in their path rather than the Authorization header.
_TOKEN_IN_PATH = re.compile(r"^/(webhooks|interactions)/")

Handler = Callable[[web.Request], Awaitable[Any]]  # returns JSON-able data, or None for 204
Route = Callable[[web.Request], Awaitable[web.StreamResponse]]
# The parsed body, stashed by the middleware for the route handlers.
BODY = web.RequestKey("body", object)
UPLOADS = web.RequestKey("uploads", list)


class ClientGone(Exception):
    """The client closed the connection before the (delayed) request reached the fake."""


def _hung_up(request: web.Request) -> bool:
    return request.transport is None or request.transport.is_closing()


async def _in_transit(request: web.Request, seconds: float) -> None:
    """Latency: the request reaches the fake after `seconds`, unless the client hangs up first."""
    loop = asyncio.get_running_loop()
    arrives = loop.time() + seconds
    while (left := arrives - loop.time()) > 0 and not _hung_up(request):
        await asyncio.sleep(min(left, 0.02))
    if _hung_up(request):
        raise ClientGone


def _snowflake(request: web.Request, key: str) -> int:
    raw = request.match_info[key]
    if not raw.isdigit():
        raise invalid_form_body({key: field_error("NUMBER_TYPE_COERCE", f'Value "{raw}" is not snowflake.')})
    return int(raw)


class RestApi:
    def __init__(
        self,
        world: World,
        gateway: Gateway,
        interactions: Interactions,
        signal: Signal,
        faults: FaultPlan,
        *,
        token: str,
    ) -> None:
        self.world = world
        self.gateway = gateway
        self.interactions = interactions
        self.signal = signal
        self.faults = faults
        self.ratelimits = RateLimits()
        self.token = token
        self.requests: list[RecordedRequest] = []
        self.server_errors: list[str] = []

    # ------------------------------------------------------------ plumbing

    def install(self, app: web.Application) -> None:
        app.middlewares.append(self._middleware)
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/{user_id}", self.get_user),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway),
            ("GET", "/applications/{application_id}/commands", self.get_commands),
            ("PUT", "/applications/{application_id}/commands", self.put_commands),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self.get_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self.put_commands),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("GET", "/channels/{channel_id}/messages", self.get_messages),
            ("POST", "/channels/{channel_id}/messages", self.create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ("POST", "/channels/{channel_id}/typing", self.typing),
            ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self.add_reaction),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self.remove_reaction),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback),
            ("POST", "/webhooks/{application_id}/{token}", self.execute_webhook),
            ("GET", "/webhooks/{application_id}/{token}/messages/{message_id}", self.get_webhook_message),
            ("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}", self.edit_webhook_message),
            ("DELETE", "/webhooks/{application_id}/{token}/messages/{message_id}", self.delete_webhook_message),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API_PREFIX + path, self._wrap(handler))
        for prefix in ("/attachments", "/media/attachments"):
            app.router.add_get(prefix + "/{attachment_id}/{filename}", self.download_attachment)

    @staticmethod
    def _wrap(handler: Handler) -> Route:
        async def route(request: web.Request) -> web.StreamResponse:
            result = await handler(request)
            return no_content() if result is None else json_response(result)

        return route

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Route) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            try:
                return await handler(request)
            except web.HTTPException as exc:
                return json_response(
                    {"message": "Unknown" if exc.status == 404 else exc.reason, "code": 0}, status=exc.status
                )

        path = request.path[len(API_PREFIX) :]
        record = RecordedRequest(request.method, path, dict(request.query), None, [], at=time.monotonic())
        self.requests.append(record)
        try:
            response = await self._answer(request, handler, path, record)
        except ClientGone:
            record.status = CLIENT_GONE
            self.signal.notify()
            raise web.HTTPBadRequest() from None  # nobody is listening: aiohttp drops it
        except APIError as exc:
            response = json_response(exc.body(), status=exc.status)
        except Exception as exc:  # a bug in the fake: make it loud, not a retried 5xx
            self.server_errors.append(f"{request.method} {path}\n{traceback.format_exc()}")
            response = json_response({"message": f"fake_discord internal error: {exc!r}", "code": 0}, status=400)
        record.status = response.status
        self.signal.notify()
        return response

    async def _answer(
        self, request: web.Request, handler: Route, path: str, record: RecordedRequest
    ) -> web.StreamResponse:
        unmatched = request.match_info.http_exception
        if unmatched is not None:
            message = "Unknown" if unmatched.status == 404 else f"{unmatched.status}: {unmatched.reason}"
            return json_response({"message": message, "code": 0}, status=unmatched.status)
        body, uploads = await self._read_body(request)
        record.json = body
        record.files = [(u.filename, u.data) for u in uploads]
        request[BODY], request[UPLOADS] = body, uploads
        fault = self.faults.take(request.method, path)
        if fault is not None and fault.delay:
            await _in_transit(request, fault.delay)
        if fault is not None and fault.status is not None:
            return fault.response()
        if not _TOKEN_IN_PATH.match(path) and request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        verdict = self.ratelimits.check(request.method, path)
        record.rate_limit_scope = verdict.scope
        if verdict.refused is not None:
            return json_response(verdict.refused, status=429, headers=verdict.headers)
        try:
            response = await handler(request)
        except APIError as exc:
            response = json_response(exc.body(), status=exc.status)
        response.headers.update(verdict.headers)
        return response

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[Upload]]:
        """JSON body, or multipart with payload_json + files[N] as discord.py sends files."""
        if request.content_type == "multipart/form-data":
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge:
                raise APIError(413, 40005, "Request entity too large") from None
            body: Any = None
            uploads = []
            for name, value in form.items():
                if name == "payload_json":
                    body = json.loads(value)
                elif (match := _FILE_FIELD.fullmatch(name)) and isinstance(value, web.FileField):
                    # discord.py labels every file application/octet-stream; Discord sniffs the name.
                    guessed = mimetypes.guess_type(value.filename)[0]
                    uploads.append(Upload(int(match.group(1)), value.filename, value.file.read(), guessed))
            return body, uploads
        text = await request.text()
        if not text:
            return None, []
        try:
            return json.loads(text), []
        except ValueError:
            raise APIError(400, 50109, "The request body contains invalid JSON.") from None

    # --------------------------------------------------------------- users

    async def get_me(self, request: web.Request) -> Any:
        return {**self.world.bot.payload(), "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"}

    async def get_user(self, request: web.Request) -> Any:
        return self.world.user(_snowflake(request, "user_id")).payload()

    async def create_dm(self, request: web.Request) -> Any:
        recipient = self.world.user(int((request[BODY] or {}).get("recipient_id", 0)))
        return self.world.dm_channel(recipient).payload()

    async def get_application(self, request: web.Request) -> Any:
        return self.world.application_payload()

    async def get_gateway(self, request: web.Request) -> Any:
        limit = {
            "total": 1000,
            "remaining": 999,
            "reset_after": 14_400_000,
            "max_concurrency": self.gateway.max_concurrency,
        }
        return {"url": self.gateway.url, "shards": self.gateway.recommended_shards, "session_start_limit": limit}

    # ------------------------------------------------------------ commands

    def _command_scope(self, request: web.Request) -> int | None:
        if _snowflake(request, "application_id") != self.world.application_id:
            raise missing_access()
        if "guild_id" not in request.match_info:
            return None
        guild_id = _snowflake(request, "guild_id")
        if guild_id not in self.world.guilds or self.world.bot.id not in self.world.guilds[guild_id].members:
            raise missing_access()  # also for an id no guild has, as Discord does for commands
        return guild_id

    async def get_commands(self, request: web.Request) -> Any:
        return self.world.commands.get(self._command_scope(request), [])

    async def put_commands(self, request: web.Request) -> Any:
        scope = self._command_scope(request)
        body = request[BODY]
        if not isinstance(body, list):
            raise invalid_form_body(field_error("LIST_TYPE_CONVERT", "Must be an array."))
        check_commands(body)
        return self.world.overwrite_commands(scope, body)

    # -------------------------------------------------------------- guilds

    def _guild(self, request: web.Request) -> FakeGuild:
        return self.world.bot_guild(_snowflake(request, "guild_id"))

    async def get_guild(self, request: web.Request) -> Any:
        return self.world.guild_payload(self._guild(request))

    async def get_guild_channels(self, request: web.Request) -> Any:
        return [c.payload() for c in self._guild(request).channels.values() if c.type != PUBLIC_THREAD]

    async def get_member(self, request: web.Request) -> Any:
        guild = self._guild(request)
        user = self.world.user(_snowflake(request, "user_id"))
        if user.id not in guild.members:
            raise unknown_member()
        return self.world.member_payload(user, guild=guild)

    # ------------------------------------------------------------ channels

    async def get_channel(self, request: web.Request) -> Any:
        return self.world.bot_channel(_snowflake(request, "channel_id")).payload()

    async def get_messages(self, request: web.Request) -> Any:
        history = self.world.channel_history(self.world.bot_channel(_snowflake(request, "channel_id")).id)
        query = request.query
        limit = max(1, min(int(query.get("limit", 50)), 100))
        if "before" in query:
            history = [m for m in history if m.id < int(query["before"])]
        elif "after" in query:
            # Discord returns the oldest messages after the id, still newest first.
            history = sorted((m for m in history if m.id > int(query["after"])), key=lambda m: m.id)[:limit][::-1]
        elif "around" in query:
            around = int(query["around"])
            older = [m for m in history if m.id <= around][: (limit + 1) // 2]
            newer = [m for m in history if m.id > around][-(limit // 2) :] if limit > 1 else []
            history = newer + older
        return [self.world.message_payload(m) for m in history[:limit]]

    async def create_message(self, request: web.Request) -> Any:
        channel = self.world.bot_channel(_snowflake(request, "channel_id"))
        body, uploads = request[BODY] or {}, request[UPLOADS]
        check_message(body, file_count=len(uploads))
        self._check_may_send(channel, body, uploads)
        message = self.world.create_message_from_body(
            channel=channel, author=self.world.bot, body=body, uploads=uploads, origin="rest"
        )
        await self.gateway.dispatch_message("MESSAGE_CREATE", message)
        return self.world.message_payload(message)

    def _check_may_send(self, channel: FakeChannel, body: dict[str, Any], uploads: list[Upload]) -> None:
        """What the bot's permissions in the channel allow (interaction responses are exempt)."""
        if channel.is_dm:
            return
        needed = perms.VIEW_CHANNEL
        needed |= perms.SEND_MESSAGES_IN_THREADS if channel.type == PUBLIC_THREAD else perms.SEND_MESSAGES
        if body.get("embeds"):
            needed |= perms.EMBED_LINKS
        if uploads:
            needed |= perms.ATTACH_FILES
        if body.get("message_reference"):
            needed |= perms.READ_MESSAGE_HISTORY
        if perms.missing(needed, self.world.channel_permissions(self.world.bot, channel)):
            raise missing_permissions()

    def _message(self, request: web.Request) -> FakeMessage:
        channel = self.world.bot_channel(_snowflake(request, "channel_id"))
        return self.world.visible_message(channel.id, _snowflake(request, "message_id"))

    async def get_message(self, request: web.Request) -> Any:
        return self.world.message_payload(self._message(request))

    async def edit_message(self, request: web.Request) -> Any:
        message = self._message(request)
        if message.author is not self.world.bot:
            raise APIError(403, 50005, "Cannot edit a message authored by another user")
        body, uploads = request[BODY] or {}, request[UPLOADS]
        check_message(body, file_count=len(uploads), partial=True)
        self.world.apply_edit(message, body, uploads)
        message.edits.append(body)
        await self.gateway.dispatch_message("MESSAGE_UPDATE", message)
        return self.world.message_payload(message)

    async def delete_message(self, request: web.Request) -> Any:
        message = self._message(request)
        if message.author is not self.world.bot:
            in_guild = message.guild_id is not None
            guild = self.world.guilds.get(message.guild_id) if in_guild else None
            if guild is None or perms.missing(perms.MANAGE_MESSAGES, self.world.permissions_of(self.world.bot, guild)):
                raise missing_permissions()
        message.deleted = True
        await self.gateway.dispatch_message_delete(message)
        return None

    async def typing(self, request: web.Request) -> Any:
        self.world.bot_channel(_snowflake(request, "channel_id"))
        return None

    async def add_reaction(self, request: web.Request) -> Any:
        message = self._message(request)
        if request.match_info["emoji"] not in message.reactions:
            message.reactions.append(request.match_info["emoji"])
        return None

    async def remove_reaction(self, request: web.Request) -> Any:
        message = self._message(request)
        if request.match_info["emoji"] in message.reactions:
            message.reactions.remove(request.match_info["emoji"])
        return None

    # -------------------------------------------------------- interactions

    async def interaction_callback(self, request: web.Request) -> Any:
        with_response = request.query.get("with_response", "").lower() in ("1", "true")
        return await self.interactions.callback(
            _snowflake(request, "interaction_id"),
            request.match_info["token"],
            request[BODY] or {},
            request[UPLOADS],
            with_response,
        )

    async def execute_webhook(self, request: web.Request) -> Any:
        payload = await self.interactions.followup(
            _snowflake(request, "application_id"), request.match_info["token"], request[BODY] or {}, request[UPLOADS]
        )
        return payload if request.query.get("wait", "").lower() in ("1", "true") else None

    async def get_webhook_message(self, request: web.Request) -> Any:
        return self.interactions.get_message(
            _snowflake(request, "application_id"), request.match_info["token"], request.match_info["message_id"]
        )

    async def edit_webhook_message(self, request: web.Request) -> Any:
        return await self.interactions.edit_message(
            _snowflake(request, "application_id"),
            request.match_info["token"],
            request.match_info["message_id"],
            request[BODY] or {},
            request[UPLOADS],
        )

    async def delete_webhook_message(self, request: web.Request) -> Any:
        await self.interactions.delete_message(
            _snowflake(request, "application_id"), request.match_info["token"], request.match_info["message_id"]
        )
        return None

    # ---------------------------------------------------------------- CDN

    async def download_attachment(self, request: web.Request) -> web.StreamResponse:
        raw_id = request.match_info["attachment_id"]
        attachment = self.world.attachments.get(int(raw_id)) if raw_id.isdigit() else None
        if attachment is None or attachment.filename != request.match_info["filename"]:
            return json_response({"message": "Unknown", "code": 0}, status=404)
        attachment.downloads += 1
        return web.Response(body=attachment.data, content_type=attachment.content_type or "application/octet-stream")
