"""Server side of interactions: callbacks, follow-ups and the @original message.

Rules enforced because a real bot breaks on them in production:
  * one callback per interaction (400, code 40060), and only within
    `timeout` seconds of dispatch (404, code 10062 "Unknown interaction");
  * callback types must suit the interaction (no autocomplete result for a
    slash command, no message update for a command);
  * follow-ups and @original edits only after the interaction was acknowledged, and only
    while its token is valid (15 minutes: 401, code 50027 "Invalid Webhook Token");
  * after a deferred (type 5) response the first follow-up, or an edit of
    @original, replaces the "thinking..." message instead of adding one.
"""

from __future__ import annotations

from typing import Any

from .clock import Clock
from .errors import APIError, field_error, invalid_form_body, unknown_interaction, unknown_message, unknown_webhook
from .gateway import Gateway
from .models import (
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    MESSAGE_CHAT_INPUT_COMMAND,
    MESSAGE_CONTEXT_MENU_COMMAND,
    MESSAGE_DEFAULT,
    FakeChannel,
    FakeMessage,
    FakeUser,
)
from .validation import check_autocomplete, check_message, check_modal
from .waiting import Signal
from .world import Upload, World

# Interaction types.
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5

# Callback types.
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9

TOKEN_LIFETIME_S = 15 * 60

_ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}


class InteractionRecord:
    """One interaction the harness sent, and everything the bot did with it."""

    def __init__(
        self,
        payload: dict[str, Any],
        *,
        user: FakeUser,
        channel: FakeChannel,
        signal: Signal,
        clock: Clock,
        message: FakeMessage | None = None,
    ) -> None:
        self.payload = payload  # the INTERACTION_CREATE data as dispatched
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.user = user
        self.channel = channel
        self.message = message  # the message a component/modal interaction came from
        self.dispatched_at = clock.now()
        self.response: dict[str, Any] | None = None  # the callback body ({"type": .., "data": ..})
        self.responded_at: float | None = None
        self.original: FakeMessage | None = None  # what .../messages/@original refers to
        self.followups: list[dict[str, Any]] = []  # follow-up bodies (payload_json of multipart)
        self.followup_messages: list[FakeMessage] = []
        self.edits: list[dict[str, Any]] = []  # PATCH .../messages/@original bodies
        self._signal = signal

    @property
    def acknowledged_after(self) -> float | None:
        """Seconds from dispatch to the callback, None if the bot never answered."""
        return None if self.responded_at is None else self.responded_at - self.dispatched_at

    @property
    def response_type(self) -> int | None:
        return None if self.response is None else self.response["type"]

    @property
    def choices(self) -> list[dict[str, Any]]:
        """The autocomplete choices the bot answered with."""
        if self.response_type != AUTOCOMPLETE_RESULT:
            raise AssertionError(f"interaction {self.id} got no autocomplete result (response: {self.response})")
        return self.response["data"]["choices"]

    async def wait_response(self, timeout: float = 5.0) -> dict[str, Any]:
        """The callback body, once the bot sent one."""
        await self._signal.wait_for(lambda: self.response is not None, timeout, f"a callback to interaction {self.id}")
        return self.response

    async def wait_followups(self, n: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """All follow-up bodies, once there are at least n."""
        await self._signal.wait_for(
            lambda: len(self.followups) >= n, timeout, f"{n} follow-up(s) to interaction {self.id}"
        )
        return list(self.followups)

    async def wait_edits(self, n: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """All @original edit bodies, once there are at least n."""
        await self._signal.wait_for(
            lambda: len(self.edits) >= n, timeout, f"{n} edit(s) of interaction {self.id}'s original"
        )
        return list(self.edits)


class Interactions:
    def __init__(self, world: World, gateway: Gateway, signal: Signal, clock: Clock, *, timeout: float) -> None:
        self.world = world
        self.clock = clock
        self.gateway = gateway
        self.signal = signal
        self.timeout = timeout
        self.records: dict[int, InteractionRecord] = {}

    def add(self, record: InteractionRecord) -> None:
        self.records[record.id] = record

    def _by_token(self, application_id: int, token: str) -> InteractionRecord:
        if application_id == self.world.application_id:
            for record in self.records.values():
                if record.token == token:
                    if self.clock.now() - record.dispatched_at > TOKEN_LIFETIME_S:
                        raise APIError(401, 50027, "Invalid Webhook Token")
                    return record
        raise unknown_webhook()

    def _metadata(self, record: InteractionRecord) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(record.id),
            "type": record.type,
            "user": record.user.payload(),
            "authorizing_integration_owners": record.payload["authorizing_integration_owners"],
        }
        if record.message is not None:
            data["interacted_message_id"] = str(record.message.id)
        return data

    def _new_message(self, record: InteractionRecord, body: dict[str, Any], uploads: list[Upload]) -> FakeMessage:
        message_type = MESSAGE_DEFAULT
        if record.type == APPLICATION_COMMAND:
            is_slash = record.payload["data"].get("type", 1) == 1
            message_type = MESSAGE_CHAT_INPUT_COMMAND if is_slash else MESSAGE_CONTEXT_MENU_COMMAND
        return self.world.create_message_from_body(
            channel=record.channel,
            author=self.world.bot,
            body=body,
            uploads=uploads,
            origin="interaction",
            allow_ephemeral=True,
            message_type=message_type,
            webhook_id=self.world.application_id,
            interaction_metadata=self._metadata(record),
        )

    async def _announce(self, event: str, message: FakeMessage) -> None:
        if not message.ephemeral:  # ephemeral messages never reach the gateway
            await self.gateway.dispatch_message(event, message)

    async def callback(
        self, interaction_id: int, token: str, body: dict[str, Any], uploads: list[Upload], with_response: bool
    ) -> dict[str, Any] | None:
        """POST /interactions/{id}/{token}/callback."""
        record = self.records.get(interaction_id)
        if record is None or record.token != token:
            raise unknown_interaction()
        if record.response is not None:
            raise APIError(400, 40060, "Interaction has already been acknowledged.")
        if self.clock.now() - record.dispatched_at > self.timeout:
            raise unknown_interaction()
        kind = body.get("type")
        data = body.get("data") or {}
        from_message = record.message is not None
        if kind not in _ALLOWED_CALLBACKS[record.type] or (
            kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and not from_message
        ):
            problem = f"Invalid callback type {kind} for interaction type {record.type}"
            raise invalid_form_body({"type": field_error("INTERACTION_RESPONSE_TYPE_INVALID", problem)})

        message: FakeMessage | None = None
        event = "MESSAGE_CREATE"
        if kind == CHANNEL_MESSAGE:
            check_message(data, file_count=len(uploads))
            message = self._new_message(record, data, uploads)
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            flags = FLAG_LOADING | ((data.get("flags") or 0) & FLAG_EPHEMERAL)
            message = self._new_message(record, {"content": "", "flags": flags}, [])
        elif kind == DEFERRED_UPDATE:
            record.original = record.message
        elif kind == UPDATE_MESSAGE:
            check_message(data, file_count=len(uploads), partial=True)
            message, event = record.message, "MESSAGE_UPDATE"
            self.world.apply_edit(message, data, uploads)
            message.edits.append(data)
        elif kind == AUTOCOMPLETE_RESULT:
            check_autocomplete(data)
        else:
            check_modal(data)
        # Acknowledged from here on: a second callback racing this one gets 40060.
        record.response = body
        record.responded_at = self.clock.now()
        if message is not None:
            record.original = message
            await self._announce(event, message)
        self.signal.notify()

        if not with_response:
            return None
        summary: dict[str, Any] = {"id": str(record.id), "type": record.type}
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            summary.update(
                response_message_id=str(message.id),
                response_message_loading=message.loading,
                response_message_ephemeral=message.ephemeral,
            )
            resource["message"] = self.world.message_payload(message)
        return {"interaction": summary, "resource": resource}

    async def followup(
        self, application_id: int, token: str, body: dict[str, Any], uploads: list[Upload]
    ) -> dict[str, Any]:
        """POST /webhooks/{application_id}/{token}."""
        record = self._by_token(application_id, token)
        if record.response is None or record.type == AUTOCOMPLETE:
            raise unknown_webhook()
        check_message(body, file_count=len(uploads))
        original = record.original
        if original is not None and original.loading:
            # The first follow-up after a defer becomes the deferred message itself.
            self.world.apply_edit(original, body, uploads)
            original.flags &= ~FLAG_LOADING
            message = original
            await self._announce("MESSAGE_UPDATE", message)
        else:
            message = self._new_message(record, body, uploads)
            await self._announce("MESSAGE_CREATE", message)
        record.followups.append(body)
        record.followup_messages.append(message)
        self.signal.notify()
        return self.world.message_payload(message)

    def _webhook_message(self, record: InteractionRecord, message_id: str) -> FakeMessage:
        if message_id == "@original":
            message = record.original
        else:
            message = next((m for m in record.followup_messages if str(m.id) == message_id), None)
        if message is None or message.deleted:
            raise unknown_message()
        return message

    def get_message(self, application_id: int, token: str, message_id: str) -> dict[str, Any]:
        record = self._by_token(application_id, token)
        return self.world.message_payload(self._webhook_message(record, message_id))

    async def edit_message(
        self, application_id: int, token: str, message_id: str, body: dict[str, Any], uploads: list[Upload]
    ) -> dict[str, Any]:
        """PATCH /webhooks/{application_id}/{token}/messages/{id or @original}."""
        record = self._by_token(application_id, token)
        message = self._webhook_message(record, message_id)
        check_message(body, file_count=len(uploads), partial=True)
        self.world.apply_edit(message, body, uploads)
        message.flags &= ~FLAG_LOADING  # editing a deferred response replaces "thinking..."
        message.edits.append(body)
        if message_id == "@original":
            record.edits.append(body)
        await self._announce("MESSAGE_UPDATE", message)
        self.signal.notify()
        return self.world.message_payload(message)

    async def delete_message(self, application_id: int, token: str, message_id: str) -> None:
        record = self._by_token(application_id, token)
        message = self._webhook_message(record, message_id)
        message.deleted = True
        if not message.ephemeral:
            await self.gateway.dispatch_message_delete(message)
        self.signal.notify()
