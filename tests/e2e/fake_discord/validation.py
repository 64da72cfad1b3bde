"""Discord's documented limits on what a bot may send.

The point of enforcing them is that a bot which works against the fake should
not be rejected by real Discord: an answer of 2001 characters, an embed over
6000, duplicate custom_ids or an uppercase slash-command name all fail here
exactly as they would in production (400, code 50035 or 50006).
"""

from __future__ import annotations

import re
from typing import Any

from .errors import APIError, field_error, invalid_form_body

IS_COMPONENTS_V2 = 1 << 15
_SLASH_NAME = re.compile(r"^[-_'\w]{1,32}$")


def _too_long(limit: int) -> dict[str, Any]:
    return field_error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _length_between(low: int, high: int) -> dict[str, Any]:
    return field_error("BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def _required() -> dict[str, Any]:
    return field_error("BASE_TYPE_REQUIRED", "This field is required")


def check_message(body: dict[str, Any], *, file_count: int = 0, partial: bool = False) -> None:
    """Validate a message create (or, with partial=True, edit/update) body."""
    errors: dict[str, Any] = {}
    content = body.get("content")
    if content is not None and len(content) > 2000:
        errors["content"] = _too_long(2000)
    embeds = body.get("embeds") or []
    embed_errors = _check_embeds(embeds)
    if embed_errors:
        errors["embeds"] = embed_errors
    allowed = body.get("allowed_mentions")
    if allowed is not None:
        mention_errors = _check_allowed_mentions(allowed)
        if mention_errors:
            errors["allowed_mentions"] = mention_errors
    components = body.get("components") or []
    if not (body.get("flags") or 0) & IS_COMPONENTS_V2:
        component_errors = _check_action_rows(components)
        if component_errors:
            errors["components"] = component_errors
    if errors:
        raise invalid_form_body(errors)
    if partial:
        return
    has_something = (
        (content or "").strip()
        or embeds
        or components
        or file_count
        or body.get("attachments")
        or body.get("sticker_ids")
        or body.get("poll")
    )
    if not has_something:
        raise APIError(400, 50006, "Cannot send an empty message")


def _check_embeds(embeds: list[dict[str, Any]]) -> dict[str, Any]:
    if len(embeds) > 10:
        return _too_long(10)
    errors: dict[str, Any] = {}
    total = 0
    for index, embed in enumerate(embeds):
        problems: dict[str, Any] = {}
        for key, limit in (("title", 256), ("description", 4096)):
            text = embed.get(key) or ""
            total += len(text)
            if len(text) > limit:
                problems[key] = _too_long(limit)
        for key, limit in (("footer", 2048), ("author", 256)):
            part = embed.get(key) or {}
            text = part.get("text" if key == "footer" else "name") or ""
            total += len(text)
            if len(text) > limit:
                problems[key] = _too_long(limit)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems["fields"] = _too_long(25)
        for field_index, item in enumerate(fields):
            name, value = item.get("name") or "", item.get("value") or ""
            total += len(name) + len(value)
            field_problems: dict[str, Any] = {}
            if not name:
                field_problems["name"] = _required()
            elif len(name) > 256:
                field_problems["name"] = _too_long(256)
            if not value:
                field_problems["value"] = _required()
            elif len(value) > 1024:
                field_problems["value"] = _too_long(1024)
            if field_problems:
                problems.setdefault("fields", {})[str(field_index)] = field_problems
        if problems:
            errors[str(index)] = problems
    if total > 6000:
        errors.setdefault("_errors", []).append(
            {"code": "MESSAGE_EMBED_TOTAL_LENGTH", "message": "Embed size exceeds maximum size of 6000"}
        )
    return errors


BUTTON, STRING_SELECT, TEXT_INPUT = 2, 3, 4
_SELECTS = {STRING_SELECT, 5, 6, 7, 8}  # string, user, role, mentionable, channel selects
LINK, PREMIUM = 5, 6  # button styles that send no interaction


def _check_action_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    if len(rows) > 5:
        return _too_long(5)
    errors: dict[str, Any] = {}
    seen: set[str] = set()
    for row_index, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") != 1:
            errors[str(row_index)] = field_error("COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Top level must be action rows")
            continue
        if not 1 <= len(children) <= 5:
            errors[str(row_index)] = {"components": _length_between(1, 5)}
            continue
        if len(children) > 1 and any(c.get("type") in _SELECTS for c in children):
            # A select menu takes the whole width of its row.
            errors[str(row_index)] = {
                "components": field_error(
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width"
                )
            }
            continue
        for child_index, child in enumerate(children):
            problems = _check_component(child)
            custom_id = child.get("custom_id")
            if custom_id is not None and "custom_id" not in problems:
                if custom_id in seen:
                    problems["custom_id"] = field_error(
                        "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
                    )
                seen.add(custom_id)
            if problems:
                errors.setdefault(str(row_index), {}).setdefault("components", {})[str(child_index)] = problems
    return errors


def _check_component(child: dict[str, Any]) -> dict[str, Any]:
    kind = child.get("type")
    if kind == BUTTON:
        return _check_button(child)
    if kind in _SELECTS:
        return _check_select(child)
    allowed = ", ".join(str(k) for k in sorted({BUTTON, *_SELECTS}))
    return {"type": field_error("BASE_TYPE_CHOICES", f"Value must be one of ({allowed}).")}


def _check_custom_id(child: dict[str, Any], problems: dict[str, Any]) -> None:
    custom_id = child.get("custom_id")
    if not custom_id:
        problems["custom_id"] = _required()
    elif len(custom_id) > 100:
        problems["custom_id"] = _too_long(100)


def _check_button(button: dict[str, Any]) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    style = button.get("style")
    if style not in (1, 2, 3, 4, LINK, PREMIUM):
        problems["style"] = field_error("BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6).")
    elif style == LINK:
        if not button.get("url"):
            problems["url"] = _required()
        elif len(button["url"]) > 512:
            problems["url"] = _too_long(512)
        if button.get("custom_id") is not None:
            problems["custom_id"] = field_error(
                "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED", "A link button cannot have a custom id"
            )
    elif style != PREMIUM:
        _check_custom_id(button, problems)
        if button.get("url") is not None:
            problems["url"] = field_error("BUTTON_COMPONENT_URL_NOT_ALLOWED", "Only link buttons can have a url")
    if style != PREMIUM and not button.get("label") and not button.get("emoji"):
        problems["label"] = field_error("BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A label or an emoji is required")
    if len(button.get("label") or "") > 80:
        problems["label"] = _too_long(80)
    return problems


def _check_select(select: dict[str, Any]) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    _check_custom_id(select, problems)
    if len(select.get("placeholder") or "") > 150:
        problems["placeholder"] = _too_long(150)
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not 0 <= low <= 25:
        problems["min_values"] = field_error("NUMBER_TYPE_MAX", "int value should be between 0 and 25.")
    if not 1 <= high <= 25:
        problems["max_values"] = field_error("NUMBER_TYPE_MAX", "int value should be between 1 and 25.")
    if select.get("type") != STRING_SELECT:
        return problems
    options = select.get("options") or []
    if not 1 <= len(options) <= 25:
        problems["options"] = _length_between(1, 25)
        return problems
    if high > len(options):
        problems["max_values"] = field_error("SELECT_COMPONENT_MAX_VALUES", "max_values exceeds the options offered")
    option_errors: dict[str, Any] = {}
    values: set[str] = set()
    for index, option in enumerate(options):
        found: dict[str, Any] = {}
        for key in ("label", "value"):
            if not 1 <= len(option.get(key) or "") <= 100:
                found[key] = _length_between(1, 100)
        if len(option.get("description") or "") > 100:
            found["description"] = _too_long(100)
        if option.get("value") in values:
            found["value"] = field_error("SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "Option values must be unique")
        values.add(option.get("value"))
        if found:
            option_errors[str(index)] = found
    if option_errors:
        problems["options"] = option_errors
    return problems


def _check_allowed_mentions(allowed: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    parse = allowed.get("parse") or []
    unknown = [p for p in parse if p not in ("users", "roles", "everyone")]
    if unknown:
        errors["parse"] = field_error("BASE_TYPE_CHOICES", "Value must be one of ('roles', 'users', 'everyone').")
    for kind in ("users", "roles"):
        ids = allowed.get(kind) or []
        if len(ids) > 100:
            errors[kind] = _too_long(100)
        elif ids and kind in parse:
            # Parsing every mention of a kind and listing some of them contradict each other.
            errors.setdefault("_errors", []).append(
                {
                    "code": "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    "message": f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                }
            )
    return errors


def check_autocomplete(data: dict[str, Any]) -> None:
    choices = data.get("choices") or []
    if len(choices) > 25:
        raise invalid_form_body({"choices": _too_long(25)})
    errors: dict[str, Any] = {}
    for index, choice in enumerate(choices):
        problems: dict[str, Any] = {}
        if not 1 <= len(choice.get("name") or "") <= 100:
            problems["name"] = _length_between(1, 100)
        value = choice.get("value")
        if isinstance(value, str) and len(value) > 100:
            problems["value"] = _too_long(100)
        if problems:
            errors[str(index)] = problems
    if errors:
        raise invalid_form_body({"choices": errors})


def check_modal(data: dict[str, Any]) -> None:
    errors: dict[str, Any] = {}
    if not 1 <= len(data.get("title") or "") <= 45:
        errors["title"] = _length_between(1, 45)
    if not 1 <= len(data.get("custom_id") or "") <= 100:
        errors["custom_id"] = _length_between(1, 100)
    if not 1 <= len(data.get("components") or []) <= 5:
        errors["components"] = _length_between(1, 5)
    if errors:
        raise invalid_form_body(errors)


def check_commands(commands: list[dict[str, Any]]) -> None:
    """Validate a bulk-overwrite body (PUT .../commands)."""
    errors: dict[str, Any] = {}
    seen: set[tuple[str, int]] = set()
    for index, command in enumerate(commands):
        kind = command.get("type", 1)
        name = command.get("name") or ""
        problems: dict[str, Any] = {}
        if kind == 1:
            problems.update(_check_name_and_description(command))
            option_errors = _check_options(command.get("options") or [])
            if option_errors:
                problems["options"] = option_errors
        elif not 1 <= len(name) <= 32:
            problems["name"] = _length_between(1, 32)
        if (name, kind) in seen:
            problems["name"] = field_error(
                "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Command names must be unique: {name}"
            )
        seen.add((name, kind))
        if problems:
            errors[str(index)] = problems
    if sum(1 for c in commands if c.get("type", 1) == 1) > 100:
        errors["_errors"] = [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 100 or fewer in length."}]
    if errors:
        raise invalid_form_body(errors)


def _check_name_and_description(item: dict[str, Any]) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    name = item.get("name") or ""
    if not _SLASH_NAME.match(name) or name != name.lower():
        problems["name"] = field_error("APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")
    if not 1 <= len(item.get("description") or "") <= 100:
        problems["description"] = _length_between(1, 100)
    return problems


def _check_options(options: list[dict[str, Any]]) -> dict[str, Any]:
    if len(options) > 25:
        return _too_long(25)
    errors: dict[str, Any] = {}
    names: set[str] = set()
    optional_seen = False
    for index, option in enumerate(options):
        problems = _check_name_and_description(option)
        if option.get("name") in names:
            problems["name"] = field_error(
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique"
            )
        names.add(option.get("name"))
        if option.get("type") in (1, 2):
            nested = _check_options(option.get("options") or [])
            if nested:
                problems["options"] = nested
        elif option.get("required"):
            if optional_seen:
                problems["required"] = field_error(
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        if len(option.get("choices") or []) > 25:
            problems["choices"] = _too_long(25)
        if problems:
            errors[str(index)] = problems
    return errors
