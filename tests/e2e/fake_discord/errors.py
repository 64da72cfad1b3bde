"""API errors with Discord's JSON error codes, and the harness's own error."""

from __future__ import annotations

from typing import Any


class APIError(Exception):
    """Raised by route handlers; the REST layer turns it into Discord's error JSON."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


class InteractionNotPossible(Exception):
    """A real Discord client could not send this interaction.

    Raised by the harness (not sent to the bot) for unregistered commands,
    unknown or missing options, permissions the user lacks, or clicking a
    component that is not on the message. It means the test is asking for
    something Discord would never deliver.
    """


def unknown_channel() -> APIError:
    return APIError(404, 10003, "Unknown Channel")


def unknown_message() -> APIError:
    return APIError(404, 10008, "Unknown Message")


def unknown_user() -> APIError:
    return APIError(404, 10013, "Unknown User")


def unknown_member() -> APIError:
    return APIError(404, 10007, "Unknown Member")


def unknown_guild() -> APIError:
    return APIError(404, 10004, "Unknown Guild")


def unknown_webhook() -> APIError:
    return APIError(404, 10015, "Unknown Webhook")


def unknown_interaction() -> APIError:
    return APIError(404, 10062, "Unknown interaction")


def missing_permissions() -> APIError:
    return APIError(403, 50013, "Missing Permissions")


def invalid_form_body(errors: dict[str, Any]) -> APIError:
    return APIError(400, 50035, "Invalid Form Body", errors)


def field_error(code: str, message: str) -> dict[str, Any]:
    """The innermost piece of an Invalid Form Body `errors` tree."""
    return {"_errors": [{"code": code, "message": message}]}


def missing_access() -> APIError:
    """What Discord answers for a guild (or its channels and commands) the application is not in."""
    return APIError(403, 50001, "Missing Access")
