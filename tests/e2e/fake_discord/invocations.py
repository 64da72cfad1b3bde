"""Client side of interactions: the INTERACTION_CREATE payloads a Discord user's client causes.

The builders refuse (InteractionNotPossible) whatever a real client could not
send: commands the bot never registered, options that do not exist or have the
wrong type, missing required options, permissions the user lacks, contexts the
command excludes, components that are not on the message. That keeps tests
honest: an interaction the fake delivers is one Discord could deliver.
"""

from __future__ import annotations

import secrets
from typing import Any

from . import permissions as perms
from .errors import InteractionNotPossible
from .models import FakeAttachment, FakeChannel, FakeMessage, FakeRole, FakeUser
from .world import World

# Application command types.
CHAT_INPUT, MESSAGE_COMMAND = 1, 3
# Interaction contexts.
CONTEXT_GUILD, CONTEXT_BOT_DM = 0, 1

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
_SELECT_TYPES = {3, 5, 6, 7, 8}


def interaction_payload(
    world: World,
    *,
    kind: int,
    user: FakeUser,
    channel: FakeChannel,
    data: dict[str, Any],
    message: FakeMessage | None = None,
    locale: str = "en-US",
) -> dict[str, Any]:
    """The common envelope discord.py's Interaction.__init__ reads."""
    in_guild = channel.guild_id is not None
    payload: dict[str, Any] = {
        "id": str(world.ids.next()),
        "application_id": str(world.application_id),
        "type": kind,
        "token": secrets.token_urlsafe(48),
        "version": 1,
        "data": data,
        "channel_id": str(channel.id),
        "channel": channel.payload(),
        "app_permissions": str(world.channel_permissions(world.bot, channel)),
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "context": CONTEXT_GUILD if in_guild else CONTEXT_BOT_DM,
        # Guild install: key "0" is the guild, or "0" when used in the bot's DMs.
        "authorizing_integration_owners": {"0": str(channel.guild_id) if in_guild else "0"},
    }
    if in_guild:
        guild = world.guilds[channel.guild_id]
        if user.id not in guild.members:
            raise InteractionNotPossible(f"{user.username} is not a member of {guild.name!r}")
        if world.bot.id not in guild.members or guild.unavailable:
            raise InteractionNotPossible(f"the bot is not in {guild.name!r} (or it is unavailable)")
        payload.update(
            guild_id=str(channel.guild_id),
            guild={"id": str(channel.guild_id), "locale": "en-US", "features": []},
            guild_locale="en-US",
            member=world.member_payload(user, with_permissions=True, guild=guild),
        )
    else:
        payload["user"] = user.payload()
    if message is not None:
        payload["message"] = world.message_payload(message)
    return payload


def _find_command(world: World, name: str, kind: int, channel: FakeChannel) -> dict[str, Any]:
    command = world.find_command(name, kind, channel.guild_id)
    if command is None:
        known = sorted(c["name"] for cmds in world.commands.values() for c in cmds if c["type"] == kind)
        raise InteractionNotPossible(f"the bot registered no type-{kind} command {name!r} here (registered: {known})")
    return command


def _check_usable(world: World, command: dict[str, Any], user: FakeUser, channel: FakeChannel, bypass: bool) -> None:
    """Discord's own gate, applied before the bot ever sees the interaction."""
    contexts = command.get("contexts")
    if channel.guild_id is None:
        allowed = CONTEXT_BOT_DM in contexts if contexts is not None else command.get("dm_permission", True)
        if not allowed:
            raise InteractionNotPossible(f"command {command['name']!r} is not available in DMs")
        return
    if contexts is not None and CONTEXT_GUILD not in contexts:
        raise InteractionNotPossible(f"command {command['name']!r} is not available in guilds")
    required = command.get("default_member_permissions")
    if required is None or bypass:
        return
    granted = world.permissions_of(user, world.guilds[channel.guild_id])
    # "0" means: nobody but administrators until a server admin grants it.
    lacking = perms.missing(int(required), granted) or (int(required) == 0 and not granted & perms.ADMINISTRATOR)
    if lacking:
        raise InteractionNotPossible(
            f"{user.username} may not use {command['name']!r}: default_member_permissions={required}, "
            f"user has {granted} (pass bypass_default_permissions=True to simulate a server-side override)"
        )


def command_data(
    world: World,
    name: str,
    options: dict[str, Any],
    *,
    user: FakeUser,
    channel: FakeChannel,
    focused: str | None = None,
    bypass_default_permissions: bool = False,
) -> dict[str, Any]:
    """`data` of a slash command (or, with focused, autocomplete) interaction.

    `name` may name a subcommand: "corpus reload" or "corpus article add".
    """
    top, *path = name.split()
    command = _find_command(world, top, CHAT_INPUT, channel)
    _check_usable(world, command, user, channel, bypass_default_permissions)
    definitions = command.get("options") or []
    kinds: list[int] = []
    for part in path:
        sub = next((o for o in definitions if o["name"] == part and o["type"] in (1, 2)), None)
        if sub is None:
            raise InteractionNotPossible(f"/{top} has no subcommand or group {part!r}")
        kinds.append(sub["type"])
        definitions = sub.get("options") or []
    if any(o["type"] in (1, 2) for o in definitions):
        raise InteractionNotPossible(f"/{name} is a group: name one of its subcommands")

    resolved: dict[str, dict[str, Any]] = {}
    values = _option_values(world, definitions, options, focused, resolved, channel)
    for part, kind in zip(reversed(path), reversed(kinds), strict=False):
        values = [{"type": kind, "name": part, "options": values}]
    data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": CHAT_INPUT, "options": values}
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    if resolved:
        data["resolved"] = resolved
    return data


def _option_values(
    world: World,
    definitions: list[dict[str, Any]],
    given: dict[str, Any],
    focused: str | None,
    resolved: dict[str, dict[str, Any]],
    channel: FakeChannel,
) -> list[dict[str, Any]]:
    by_name = {d["name"]: d for d in definitions}
    unknown = set(given) - set(by_name)
    if unknown:
        raise InteractionNotPossible(f"unknown option(s) {sorted(unknown)}; the command has {sorted(by_name)}")
    if focused is not None and focused not in given:
        raise InteractionNotPossible(f"the focused option {focused!r} needs the text typed so far")
    result = []
    for definition in definitions:
        name = definition["name"]
        if name not in given:
            if definition.get("required") and focused is None:
                raise InteractionNotPossible(f"required option {name!r} is missing")
            continue
        if name == focused:
            if not definition.get("autocomplete"):
                raise InteractionNotPossible(f"option {name!r} does not have autocomplete")
            # While typing, Discord sends the raw text whatever the option's type.
            result.append({"type": definition["type"], "name": name, "value": str(given[name]), "focused": True})
            continue
        value = _typed_value(world, definition, given[name], resolved, channel)
        result.append({"type": definition["type"], "name": name, "value": value})
    return result


def _typed_value(
    world: World, definition: dict[str, Any], value: Any, resolved: dict[str, dict[str, Any]], channel: FakeChannel
) -> Any:
    kind, name = definition["type"], definition["name"]

    def wrong(expected: str) -> InteractionNotPossible:
        return InteractionNotPossible(f"option {name!r} expects {expected}, got {value!r}")

    if kind in (3, 4, 10):
        python_type = {3: str, 4: int, 10: (int, float)}[kind]
        if not isinstance(value, python_type) or isinstance(value, bool):
            raise wrong({3: "a str", 4: "an int", 10: "a number"}[kind])
        choices = definition.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise wrong(f"one of the choices {[c['value'] for c in choices]}")
        if kind == 3 and not definition.get("min_length", 0) <= len(value) <= definition.get("max_length", 6000):
            raise wrong("a str within min_length/max_length")
        if kind != 3 and not definition.get("min_value", value) <= value <= definition.get("max_value", value):
            raise wrong("a value within min_value/max_value")
        return value
    if kind == 5:
        if not isinstance(value, bool):
            raise wrong("a bool")
        return value
    if kind == 6 or (kind == 9 and isinstance(value, FakeUser)):
        if not isinstance(value, FakeUser):
            raise wrong("a FakeUser")
        _resolve_user(world, value, resolved, channel)
        return str(value.id)
    if kind == 7:
        if not isinstance(value, FakeChannel):
            raise wrong("a FakeChannel")
        types = definition.get("channel_types")
        if types and value.type not in types:
            raise wrong(f"a channel of type {types}")
        entry = {**value.payload(), "permissions": str(world.channel_permissions(world.bot, value))}
        resolved.setdefault("channels", {})[str(value.id)] = entry
        return str(value.id)
    if kind in (8, 9):
        if not isinstance(value, FakeRole):
            raise wrong("a FakeRole" if kind == 8 else "a FakeUser or FakeRole")
        resolved.setdefault("roles", {})[str(value.id)] = value.payload()
        return str(value.id)
    if kind == 11:
        if not isinstance(value, FakeAttachment):
            raise wrong("a FakeAttachment (fake.add_attachment)")
        # Files uploaded as a command option are ephemeral attachments (kept only while needed).
        resolved.setdefault("attachments", {})[str(value.id)] = {**value.payload(), "ephemeral": True}
        return str(value.id)
    raise InteractionNotPossible(f"option {name!r} has a type ({kind}) the fake does not know")


def _resolve_user(world: World, user: FakeUser, resolved: dict[str, dict[str, Any]], channel: FakeChannel) -> None:
    resolved.setdefault("users", {})[str(user.id)] = user.payload()
    guild = world.guild_of(channel)
    if guild is not None and user.id in guild.members:
        member = world.member_payload(user, with_user=False, with_permissions=True, guild=guild)
        resolved.setdefault("members", {})[str(user.id)] = member


def message_command_data(
    world: World,
    name: str,
    target: FakeMessage,
    *,
    user: FakeUser,
    channel: FakeChannel,
    bypass_default_permissions: bool = False,
) -> dict[str, Any]:
    """`data` of a message context-menu command used on `target`."""
    command = _find_command(world, name, MESSAGE_COMMAND, channel)
    _check_usable(world, command, user, channel, bypass_default_permissions)
    if target.deleted or target.channel_id != channel.id:
        raise InteractionNotPossible("the target message must exist in the channel the command is used in")
    data: dict[str, Any] = {
        "id": command["id"],
        "name": command["name"],
        "type": MESSAGE_COMMAND,
        "target_id": str(target.id),
        # Resolved messages carry content even without the message content intent.
        "resolved": {"messages": {str(target.id): world.message_payload(target)}},
    }
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    return data


def _find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    for component in components:
        if component.get("custom_id") == custom_id:
            return component
        children = list(component.get("components") or [])
        children += [component[key] for key in ("accessory", "component") if isinstance(component.get(key), dict)]
        found = _find_component(children, custom_id)
        if found is not None:
            return found
    return None


def component_data(message: FakeMessage, custom_id: str, values: list[str] | None) -> dict[str, Any]:
    """`data` of a click on a button or a choice in a select menu of `message`."""
    if message.deleted:
        raise InteractionNotPossible("the message was deleted")
    component = _find_component(message.components, custom_id)
    if component is None:
        raise InteractionNotPossible(f"message {message.id} has no component with custom_id {custom_id!r}")
    if component.get("disabled"):
        raise InteractionNotPossible(f"component {custom_id!r} is disabled")
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
    if component["type"] in _SELECT_TYPES:
        if values is None:
            raise InteractionNotPossible(f"select {custom_id!r} needs values")
        if not component.get("min_values", 1) <= len(values) <= component.get("max_values", 1):
            raise InteractionNotPossible(f"select {custom_id!r} takes min_values..max_values choices")
        offered = [o["value"] for o in component.get("options") or []]
        if component["type"] == 3 and not set(values) <= set(offered):
            raise InteractionNotPossible(f"select {custom_id!r} offers only {offered}")
        data["values"] = values
    elif values is not None:
        raise InteractionNotPossible(f"component {custom_id!r} is not a select menu")
    return data


def modal_submit_data(modal: dict[str, Any], values: dict[str, str | list[str]]) -> dict[str, Any]:
    """`data` of submitting the modal the bot answered with (callback type 9)."""
    used: set[str] = set()
    components = _submitted(modal.get("components") or [], values, used)
    unknown = set(values) - used
    if unknown:
        raise InteractionNotPossible(f"the modal has no inputs {sorted(unknown)}")
    return {"custom_id": modal["custom_id"], "components": components}


def _submitted(
    components: list[dict[str, Any]], values: dict[str, Any], used: set[str], label: str | None = None
) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for component in components:
        kind = component.get("type")
        if kind == 1:  # action row (legacy modal layout)
            result.append({"type": 1, "components": _submitted(component.get("components") or [], values, used)})
        elif kind == 18:  # label wrapping one input
            inner = _submitted([component["component"]], values, used, component.get("label"))
            if inner:
                result.append({"type": 18, "component": inner[0]})
        elif kind == 4 or kind in _SELECT_TYPES:
            custom_id = component["custom_id"]
            # discord.py generates custom_ids, so tests may name an input by its label instead.
            key = next((k for k in (custom_id, label, component.get("label")) if k is not None and k in values), None)
            if key is not None:
                used.add(key)
            if kind == 4:
                value = values[key] if key is not None else component.get("value") or ""
                if component.get("required", True) and not value:
                    raise InteractionNotPossible(
                        f"text input {label or component.get('label') or custom_id!r} is required"
                    )
                result.append({"type": 4, "custom_id": custom_id, "value": value})
            else:
                chosen = list(values[key]) if key is not None else []
                result.append({"type": kind, "custom_id": custom_id, "values": chosen})
    return result
