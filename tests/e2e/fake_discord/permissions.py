"""Discord permission bits and gateway intent bits, as documented by Discord.

Kept independent of discord.py on purpose: the fake must not borrow its
constants from the library it is testing.
"""

from __future__ import annotations

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38

ALL_PERMISSIONS = (1 << 51) - 1

# What @everyone gets in a freshly created guild, roughly.
EVERYONE_DEFAULT = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_MESSAGE_CONTENT = 1 << 15

# Privileged intents, and the application flag saying each is switched on in the developer portal
# (the *_LIMITED flags of an unverified bot in under 100 servers).
PRIVILEGED_INTENT_FLAGS = {
    INTENT_GUILD_PRESENCES: 1 << 13,  # GATEWAY_PRESENCE_LIMITED
    INTENT_GUILD_MEMBERS: 1 << 15,  # GATEWAY_GUILD_MEMBERS_LIMITED
    INTENT_MESSAGE_CONTENT: 1 << 19,  # GATEWAY_MESSAGE_CONTENT_LIMITED
}
PRIVILEGED_INTENTS = INTENT_GUILD_PRESENCES | INTENT_GUILD_MEMBERS | INTENT_MESSAGE_CONTENT


def missing(required: int, granted: int) -> int:
    """Bits of `required` not covered by `granted` (nothing is missing for administrators)."""
    if granted & ADMINISTRATOR:
        return 0
    return required & ~granted
