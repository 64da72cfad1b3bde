"""The members' cog, driven directly on the seed corpus: /ask, "Find sources", mentions, DMs and
follow-ups, the cooldown, and what /corpus stats counts."""

from __future__ import annotations

from types import SimpleNamespace

import discord
import pytest

from bot.cogs.asking import HELP_TEXT, Asking
from bot.render import answer_embed
from bot.store import ServerSettings
from bot.views import SORRY
from retrieval.answering.library import Library
from retrieval.answering.strictness import StrictLibrary
from tests.discord_fakes import (
    BOT_ID,
    GuildLibraries,
    Interaction,
    Member,
    Sent,
    fake_bot,
    holder_with,
    server_article,
)

GUILD = 10  # the guild of discord_fakes.Interaction
OTHER, THIRD = 77, 78

QUESTION = "Did North Korea send arms?"


class Channel:
    def __init__(self, messages=None, fail=False) -> None:
        self.messages = messages or {}
        self.fail = fail
        self.fetched: list[int] = []

    async def fetch_message(self, message_id: int):
        self.fetched.append(message_id)
        if self.fail or message_id not in self.messages:
            raise discord.NotFound(SimpleNamespace(status=404, reason="Not Found"), "Unknown Message")
        return self.messages[message_id]


class Message:
    def __init__(
        self,
        content: str,
        *,
        author_id: int = 1,
        author_bot: bool = False,
        guild: bool = True,
        mentions_bot: bool = True,
        reference=None,
        channel=None,
        embeds=(),
        fail_reply: int = 0,
        guild_id: int = GUILD,
    ) -> None:
        self.id = 555
        self.content = content
        self.author = SimpleNamespace(id=author_id, bot=author_bot)
        self.guild = SimpleNamespace(id=guild_id) if guild else None
        self.mentions = [SimpleNamespace(id=BOT_ID)] if mentions_bot else [SimpleNamespace(id=4)]
        self.reference = reference
        self.channel = channel or Channel()
        self.embeds = list(embeds)
        self.replies: list[Sent] = []
        self._fail_reply = fail_reply

    async def reply(self, content=None, **kwargs):
        if self._fail_reply:
            self._fail_reply -= 1
            raise discord.HTTPException(SimpleNamespace(status=500, reason="boom"), "boom")
        self.replies.append(Sent("reply", content, kwargs))


@pytest.fixture
def cog(seed_library):
    return Asking(fake_bot(holder_with(seed_library)))


def answered(sent: Sent) -> str:
    assert sent.embed is not None, sent
    return sent.embed.title


def bot_answer(question: str, library) -> Message:
    """A message the bot posted: an answer embed whose footer carries the question."""
    return Message("", author_id=BOT_ID, embeds=[answer_embed(library.answer(question))])


async def test_ask_acknowledges_then_answers_with_the_embed_and_buttons(cog):
    interaction = Interaction(cog.bot)
    await cog._respond(interaction, QUESTION, empty="help", private=False)
    defer, reply = interaction.sent
    assert defer == Sent("defer", None, {"thinking": True, "ephemeral": False})
    assert reply.how == "followup" and reply.kwargs["ephemeral"] is False
    assert reply.embed.title == QUESTION and len(reply.embed.fields) == 3
    assert [c.custom_id for c in reply.view.children] == ["qa:ctx", "qa:more:3:3", "qa:fb:up", "qa:fb:down"]
    assert reply.kwargs["allowed_mentions"].to_dict() == {"parse": []}
    assert cog.bot.holder.questions(GUILD) == (1, 0)


async def test_a_private_ask_and_a_no_match_answer(cog):
    interaction = Interaction(cog.bot)
    await cog._respond(interaction, "banana bread recipe?", empty="help", private=True)
    defer, reply = interaction.sent
    assert defer.kwargs == {"thinking": True, "ephemeral": True} and reply.kwargs["ephemeral"] is True
    assert reply.embed.fields == [] and reply.view is None
    assert "Nothing in the corpus answers this" in reply.embed.description
    assert cog.bot.holder.questions(GUILD) == (1, 1)


async def test_an_empty_question_gets_the_help_text_and_is_not_counted(cog):
    interaction = Interaction(cog.bot)
    await cog._respond(interaction, "  \n", empty="Ask me something.", private=False)
    assert interaction.sent == [Sent("response", "Ask me something.", {"ephemeral": True})]
    assert cog.bot.holder.questions(GUILD)[0] == 0


async def test_the_cooldown_holds_a_member_back_politely(seed_library):
    cog = Asking(fake_bot(holder_with(seed_library), cooldown_s=30))
    first, second = Interaction(cog.bot), Interaction(cog.bot)
    await cog._respond(first, QUESTION, empty="", private=False)
    await cog._respond(second, QUESTION, empty="", private=False)
    (sent,) = second.sent
    assert sent.how == "response" and sent.kwargs == {"ephemeral": True}
    assert sent.content.startswith("You're asking quickly: please wait ") and sent.content.endswith(
        " s before your next question."
    )
    assert cog.bot.holder.questions(GUILD)[0] == 1


async def test_find_sources_uses_the_message_text_or_an_answers_question(cog, seed_library):
    interaction = Interaction(cog.bot)
    await cog.find_sources(interaction, Message(QUESTION))
    assert answered(interaction.sent[1]) == QUESTION and interaction.sent[1].kwargs["ephemeral"] is True
    on_answer = Interaction(cog.bot)
    await cog.find_sources(on_answer, bot_answer(QUESTION, seed_library))
    assert answered(on_answer.sent[1]) == QUESTION
    other_embed = Interaction(cog.bot)
    embed = discord.Embed(description="Putin and Kim met in Vostochny")
    await cog.find_sources(other_embed, Message("", embeds=[embed]))
    # a posted claim is read as the yes/no question it makes, so stances apply to it
    assert answered(other_embed.sent[1]) == "Is it true that Putin and Kim met in Vostochny?"
    nothing = Interaction(cog.bot)
    await cog.find_sources(nothing, Message(" "))
    assert nothing.sent == [Sent("response", "That message has no text I can look up.", {"ephemeral": True})]


async def test_a_mention_is_answered_as_a_reply_that_pings_nobody(cog):
    message = Message(f"<@{BOT_ID}> {QUESTION} <@!{BOT_ID}>")
    await cog._on_message(message)
    (reply,) = message.replies
    assert answered(reply) == QUESTION
    assert reply.kwargs["mention_author"] is False
    assert reply.kwargs["allowed_mentions"].to_dict() == {"parse": []}
    assert cog.bot.holder.questions(GUILD)[0] == 1


async def test_dms_are_answered_without_a_mention(cog):
    message = Message(QUESTION, guild=False, mentions_bot=False)
    await cog._on_message(message)
    assert answered(message.replies[0]) == QUESTION


@pytest.mark.parametrize(
    "message",
    [
        Message(QUESTION, mentions_bot=False),  # in a server, not for the bot
        Message(f"<@{BOT_ID}> {QUESTION}", author_bot=True),  # another bot
        Message(f"<@{BOT_ID}> {QUESTION}", author_id=BOT_ID),  # the bot itself
    ],
)
async def test_messages_not_for_the_bot_are_ignored(cog, message):
    await cog._on_message(message)
    assert message.replies == [] and cog.bot.holder.questions(GUILD)[0] == 0


async def test_nothing_is_answered_before_the_bot_knows_who_it_is(cog):
    cog.bot.user = None
    message = Message(f"<@{BOT_ID}> {QUESTION}")
    await cog._on_message(message)
    assert message.replies == []


async def test_a_bare_mention_gets_the_help_text(cog):
    message = Message(f"<@{BOT_ID}>")
    await cog._on_message(message)
    assert message.replies == [
        Sent(
            "reply",
            HELP_TEXT,
            {"mention_author": False, "allowed_mentions": message.replies[0].kwargs["allowed_mentions"]},
        )
    ]
    assert message.replies[0].kwargs["allowed_mentions"].to_dict()["parse"] == []
    assert cog.bot.holder.questions(GUILD)[0] == 0


async def test_mentions_share_the_cooldown(seed_library):
    cog = Asking(fake_bot(holder_with(seed_library), cooldown_s=30))
    first, second = Message(f"<@{BOT_ID}> {QUESTION}"), Message(f"<@{BOT_ID}> {QUESTION}")
    await cog._on_message(first)
    await cog._on_message(second)
    assert second.replies[0].content.startswith("You're asking quickly")
    assert second.replies[0].kwargs["mention_author"] is False
    assert cog.bot.holder.questions(GUILD)[0] == 1


def follow_up(previous: Message, *, resolved: bool = False, fail: bool = False) -> Message:
    reference = SimpleNamespace(message_id=321, resolved=None)
    channel = Channel({321: previous}, fail=fail)
    return Message(f"<@{BOT_ID}> and who denied it?", reference=reference, channel=channel)


async def test_a_follow_up_leans_on_the_answer_it_replies_to_and_counts_once(cog, seed_library):
    # "and who denied it?" alone finds nothing; with the question it replies to it does.
    message = follow_up(bot_answer(QUESTION, seed_library))
    await cog._on_message(message)
    assert answered(message.replies[0]) == f"{QUESTION} and who denied it?"
    assert message.channel.fetched == [321]
    assert cog.bot.holder.questions(GUILD) == (1, 0)


@pytest.mark.parametrize(
    "previous",
    [
        Message("", author_id=42, embeds=[]),  # somebody else's message
        Message("hello", author_id=BOT_ID),  # the bot's, but no answer embed
        Message("", author_id=BOT_ID, embeds=[discord.Embed(title="Corpus stats")]),  # not an answer
    ],
)
async def test_a_reply_to_anything_but_an_answer_is_a_question_of_its_own(cog, previous):
    message = follow_up(previous)
    await cog._on_message(message)
    assert message.replies[0].embed.title == "and who denied it?"
    assert message.replies[0].embed.fields == []
    assert cog.bot.holder.questions(GUILD) == (1, 1)


async def test_a_reply_whose_message_is_gone_is_a_question_of_its_own(cog, seed_library):
    message = follow_up(bot_answer(QUESTION, seed_library), fail=True)
    await cog._on_message(message)
    assert message.replies[0].embed.title == "and who denied it?"
    assert cog.bot.holder.questions(GUILD)[0] == 1


async def test_a_confident_answer_needs_no_follow_up(cog, seed_library):
    message = follow_up(bot_answer("Did Putin meet Kim?", seed_library))
    message.content = f"<@{BOT_ID}> {QUESTION}"
    await cog._on_message(message)
    assert answered(message.replies[0]) == QUESTION and message.channel.fetched == []


async def test_a_failure_is_logged_and_the_member_told(cog, caplog):
    async def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    cog.bot.holder.answer = broken
    message = Message(f"<@{BOT_ID}> {QUESTION}")
    await cog._on_message(message)
    assert message.replies[0].content == SORRY
    assert message.replies[0].kwargs["mention_author"] is False
    assert "answering message 555 from user 1 failed" in caplog.text


async def test_a_failure_that_cannot_even_be_reported_is_logged(cog, caplog):
    async def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    cog.bot.holder.answer = broken
    message = Message(f"<@{BOT_ID}> {QUESTION}", fail_reply=1)
    await cog._on_message(message)
    assert "could not tell user 1 about the failure" in caplog.text


async def test_find_sources_is_registered_as_a_message_command(cog):
    menu = cog.find_sources_menu
    assert menu.name == "Find sources" and menu.type == discord.AppCommandType.message


# --- what the first mutation run showed untested -------------------------------------------------


def cached(previous: Message) -> discord.Message:
    """A replied-to message discord.py already has (reference.resolved), as a real Message."""
    message = discord.Message.__new__(discord.Message)
    message.author = previous.author
    message.embeds = previous.embeds
    return message


async def test_a_follow_up_to_a_cached_answer_is_not_fetched_again(cog, seed_library):
    message = follow_up(bot_answer(QUESTION, seed_library))
    message.reference.resolved = cached(bot_answer(QUESTION, seed_library))
    message.channel.messages = {}  # fetching would fail
    await cog._on_message(message)
    assert answered(message.replies[0]) == f"{QUESTION} and who denied it?"
    assert message.channel.fetched == []


async def test_a_follow_up_to_a_deleted_message_is_a_question_of_its_own(cog, seed_library):
    message = follow_up(bot_answer(QUESTION, seed_library), fail=True)
    message.reference.resolved = SimpleNamespace(id=321)  # discord.DeletedReferencedMessage stands here
    await cog._on_message(message)
    assert message.replies[0].embed.title == "and who denied it?" and message.channel.fetched == [321]


async def test_a_reference_without_a_message_id_is_not_followed(cog, seed_library):
    message = follow_up(bot_answer(QUESTION, seed_library))
    message.reference.message_id = None
    message.channel.messages = {None: bot_answer(QUESTION, seed_library)}
    await cog._on_message(message)
    assert message.replies[0].embed.title == "and who denied it?" and message.channel.fetched == []


async def test_someone_elses_copy_of_an_answer_is_no_follow_up(cog, seed_library):
    copied = bot_answer(QUESTION, seed_library)
    copied.author = SimpleNamespace(id=42, bot=False)
    message = follow_up(copied)
    await cog._on_message(message)
    assert message.replies[0].embed.title == "and who denied it?"


@pytest.mark.parametrize("surface", ["slash", "mention"])
async def test_the_cooldown_is_per_member(seed_library, surface):
    cog = Asking(fake_bot(holder_with(seed_library), cooldown_s=30))
    for user in (1, 2):
        if surface == "slash":
            interaction = Interaction(cog.bot, user=SimpleNamespace(id=user))
            await cog._respond(interaction, QUESTION, empty="", private=False)
            assert answered(interaction.sent[-1]) == QUESTION
        else:
            message = Message(f"<@{BOT_ID}> {QUESTION}", author_id=user)
            await cog._on_message(message)
            assert answered(message.replies[0]) == QUESTION
    assert cog.bot.holder.questions(GUILD)[0] == 2


async def test_replies_that_are_not_answers_ping_nobody_either(seed_library, caplog):
    cog = Asking(fake_bot(holder_with(seed_library), cooldown_s=30))
    await cog._on_message(Message(f"<@{BOT_ID}> {QUESTION}"))
    held_back = Message(f"<@{BOT_ID}> {QUESTION}")
    await cog._on_message(held_back)

    async def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    cog.bot.holder.answer = broken
    cog.bot.cooldown.seconds = 0
    failed = Message(f"<@{BOT_ID}> {QUESTION}")
    await cog._on_message(failed)
    for reply in (held_back.replies[0], failed.replies[0]):
        assert reply.kwargs["allowed_mentions"].to_dict() == {"parse": []} and reply.kwargs["mention_author"] is False
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "answering message 555 from user 1 failed"
    ]


async def test_an_unreportable_failure_is_logged_with_the_member(cog, caplog):
    async def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    cog.bot.holder.answer = broken
    await cog._on_message(Message(f"<@{BOT_ID}> {QUESTION}", author_id=3, fail_reply=1))
    assert caplog.records[-1].getMessage() == "could not tell user 3 about the failure"


async def test_find_sources_on_an_embed_without_text(cog):
    interaction = Interaction(cog.bot)
    await cog.find_sources(interaction, Message("", embeds=[discord.Embed(title="Only a title")]))
    assert interaction.sent[0].content == "That message has no text I can look up."


async def test_the_find_sources_menu_calls_find_sources(cog):
    interaction = Interaction(cog.bot)
    await cog.find_sources_menu.callback(interaction, Message(QUESTION))
    assert answered(interaction.sent[-1]) == QUESTION


class Tree:
    def __init__(self) -> None:
        self.commands: dict[tuple[str, object], object] = {}

    def add_command(self, command) -> None:
        self.commands[(command.name, command.type)] = command

    def remove_command(self, name, *, type):  # noqa: A002 - discord.py's keyword
        return self.commands.pop((name, type))


async def test_loading_the_cog_adds_the_menu_and_unloading_removes_it(cog):
    from bot.cogs import asking

    cog.bot.tree = Tree()
    await cog.cog_load()
    assert cog.bot.tree.commands == {("Find sources", discord.AppCommandType.message): cog.find_sources_menu}
    await cog.cog_unload()
    assert cog.bot.tree.commands == {}
    added = []

    async def add_cog(c):
        added.append(c)

    cog.bot.add_cog = add_cog
    await asking.setup(cog.bot)
    assert isinstance(added[0], Asking) and added[0].bot is cog.bot


# --- a server's settings, applied ------------------------------------------------------------


def in_channel(channel_id: int, parent_id: int | None = None) -> Channel:
    channel = Channel()
    channel.id = channel_id
    if parent_id is not None:  # a thread
        channel.parent_id = parent_id
    return channel


def with_settings(library, *, bot_cooldown_s: float = 0.0, libraries=None, **settings) -> Asking:
    bot = fake_bot(holder_with(library), cooldown_s=bot_cooldown_s, libraries=libraries)
    bot.server_settings.settings[GUILD] = ServerSettings(**settings)
    return Asking(bot)


async def test_mentions_are_answered_only_in_the_servers_channels_a_thread_as_its_parent(seed_library):
    cog = with_settings(seed_library, bot_cooldown_s=30, mention_channel_ids=frozenset({301}))
    elsewhere = Message(f"<@{BOT_ID}> {QUESTION}", channel=in_channel(302))
    thread_elsewhere = Message(f"<@{BOT_ID}> {QUESTION}", channel=in_channel(401, parent_id=302))
    bare = Message(f"<@{BOT_ID}>", channel=in_channel(302))
    for message in (elsewhere, thread_elsewhere, bare):
        await cog._on_message(message)
        assert message.replies == []  # silently: no help text, no refusal
    assert cog.bot.holder.questions(GUILD)[0] == 0
    here = Message(f"<@{BOT_ID}> {QUESTION}", channel=in_channel(301))
    await cog._on_message(here)  # the ignored mentions took no turn of the cooldown
    assert answered(here.replies[0]) == QUESTION
    in_thread = Message(f"<@{BOT_ID}> {QUESTION}", author_id=2, channel=in_channel(402, parent_id=301))
    await cog._on_message(in_thread)
    assert answered(in_thread.replies[0]) == QUESTION
    dm = Message(QUESTION, guild=False, mentions_bot=False, author_id=3, channel=in_channel(302))
    await cog._on_message(dm)  # a server's channel list is no DM's business
    assert answered(dm.replies[0]) == QUESTION


async def test_ask_is_answered_in_any_channel_whatever_the_mention_channels(seed_library):
    cog = with_settings(seed_library, mention_channel_ids=frozenset())
    interaction = Interaction(cog.bot, channel_id=302)
    await cog._respond(interaction, QUESTION, empty="", private=False)
    assert answered(interaction.sent[-1]) == QUESTION


async def test_a_server_with_the_base_off_answers_from_its_own_articles_only(seed_library):
    own = Library.from_articles([server_article()])
    libraries = GuildLibraries(holder_with(seed_library), own={GUILD: own})
    cog = with_settings(seed_library, libraries=libraries, base_corpus=False)
    interaction = Interaction(cog.bot)
    await cog._respond(interaction, "When did the harbour reopen?", empty="", private=False)
    assert libraries.asked == [(GUILD, False)]
    passages = interaction.sent[-1].embed.fields
    assert passages and all("Harbour reopens after storm" in f.value for f in passages)
    seed_question = Interaction(cog.bot, user=Member(2))
    await cog._respond(seed_question, QUESTION, empty="", private=False)
    assert "Nothing in the corpus answers this" in seed_question.sent[-1].embed.description


async def test_base_off_and_no_articles_of_its_own_says_so_plainly(seed_library):
    libraries = GuildLibraries(holder_with(seed_library))  # nothing of its own
    cog = with_settings(seed_library, libraries=libraries, base_corpus=False)
    interaction = Interaction(cog.bot)
    await cog._respond(interaction, QUESTION, empty="", private=False)
    reply = interaction.sent[-1]
    assert reply.content.startswith("This server has no articles of its own and its base corpus is turned off")
    assert reply.embed is None and reply.view is None and reply.kwargs["allowed_mentions"].to_dict() == {"parse": []}
    message = Message(f"<@{BOT_ID}> {QUESTION}")
    await cog._on_message(message)
    assert message.replies[0].content == reply.content and message.replies[0].kwargs["mention_author"] is False
    assert libraries.asked == [(GUILD, False), (GUILD, False)]
    assert cog.bot.holder.questions(GUILD) == (0, 0)


async def test_direct_messages_answer_from_the_base_only(seed_library):
    server_only = Library.from_articles([server_article()])
    libraries = GuildLibraries(holder_with(seed_library), joined={GUILD: server_only})
    cog = with_settings(seed_library, libraries=libraries)
    dm = Message("When did the harbour reopen?", guild=False, mentions_bot=False)
    await cog._on_message(dm)
    assert libraries.asked == [(None, True)]
    assert "Harbour reopens" not in str(dm.replies[0].embed.to_dict())


@pytest.mark.parametrize("strictness", ["strict", "normal", "lenient"])
async def test_the_servers_strictness_decides_what_a_related_answer_shows(related_only_library, strictness):
    seed_library, question = related_only_library, QUESTION
    assert seed_library.answer(question).confidence == "related"
    cog = with_settings(seed_library, strictness=strictness)
    interaction = Interaction(cog.bot)
    await cog._respond(interaction, question, empty="", private=False)
    reply = interaction.sent[-1]
    assert reply.embed.to_dict() == answer_embed(StrictLibrary(seed_library, strictness).answer(question)).to_dict()
    if strictness == "strict":
        assert "Nothing in the corpus answers this" in reply.embed.description and reply.view is None
        assert cog.bot.holder.questions(GUILD) == (1, 1)
    else:
        assert reply.embed.description.startswith("**Related, not an answer:**") and reply.embed.fields


async def test_a_servers_cooldown_overrides_the_bots_in_that_server_only(seed_library):
    cog = with_settings(seed_library, bot_cooldown_s=0.0, cooldown_s=30.0)
    cog.bot.server_settings.settings[OTHER] = ServerSettings(cooldown_s=0.0)
    cog.bot.server_settings.settings[THIRD] = ServerSettings(cooldown_s=30.0)
    first, second = Interaction(cog.bot), Interaction(cog.bot)
    await cog._respond(first, QUESTION, empty="", private=False)
    await cog._respond(second, QUESTION, empty="", private=False)
    assert second.sent[0].content.startswith("You're asking quickly: please wait 30 s")
    mention = Message(f"<@{BOT_ID}> {QUESTION}")
    await cog._on_message(mention)
    assert mention.replies[0].content.startswith("You're asking quickly")
    for _ in range(2):  # the same member in a server without a pause
        elsewhere = Interaction(cog.bot, guild_id=OTHER)
        await cog._respond(elsewhere, QUESTION, empty="", private=False)
        assert answered(elsewhere.sent[-1]) == QUESTION
    # the same pause in a third server: waiting in the first does not hold the member back there
    third, third_again = Interaction(cog.bot, guild_id=THIRD), Interaction(cog.bot, guild_id=THIRD)
    await cog._respond(third, QUESTION, empty="", private=False)
    assert answered(third.sent[-1]) == QUESTION
    await cog._respond(third_again, QUESTION, empty="", private=False)
    assert third_again.sent[0].content.startswith("You're asking quickly")
    strict_bot = with_settings(seed_library, bot_cooldown_s=30.0, cooldown_s=0.0)
    for _ in range(2):  # a server's 0 beats the bot's 30
        interaction = Interaction(strict_bot.bot)
        await strict_bot._respond(interaction, QUESTION, empty="", private=False)
        assert answered(interaction.sent[-1]) == QUESTION


async def test_a_follow_up_in_a_server_leans_on_its_question_in_that_servers_library(seed_library):
    joined = seed_library.joined([server_article()])
    libraries = GuildLibraries(holder_with(seed_library), joined={GUILD: joined})
    cog = with_settings(seed_library, libraries=libraries)
    message = follow_up(bot_answer("When did the harbour reopen?", joined))
    await cog._on_message(message)
    assert answered(message.replies[0]) == "When did the harbour reopen? and who denied it?"
    assert "Harbour reopens after storm" in str(message.replies[0].embed.to_dict())
    assert libraries.asked == [(GUILD, True), (GUILD, True)]  # both tries in this server's library
    assert cog.bot.holder.questions(GUILD) == (1, 0) and cog.bot.holder.all_questions() == (1, 0)
