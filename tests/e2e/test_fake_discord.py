"""Proves tests/e2e/fake_discord against the real discord.py client.

A deliberately small bot (one slash command with autocomplete and an
attachment option, one permission-gated subcommand group with a modal, one
message context menu, one DynamicItem button, an on_message mention handler)
is run against the fake for every test. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import asyncio
import io
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.e2e.fake_discord import FakeDiscord, InteractionNotPossible, discord_compression, zstd_available

SUGGESTIONS = ["who won the election", "what moved the markets", "where is the storm heading"]


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"vote:(?P<count>\d+)"):
    """Survives restarts: the count lives in the custom_id, not in bot memory."""

    def __init__(self, count: int) -> None:
        super().__init__(discord.ui.Button(label=f"Helpful ({count})", custom_id=f"vote:{count}"))
        self.count = count

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match) -> VoteButton:
        return cls(int(match["count"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"votes: {self.count + 1}", view=vote_view(self.count + 1))


class AddArticle(discord.ui.Modal, title="Add an article"):
    headline = discord.ui.TextInput(label="Headline")
    text = discord.ui.TextInput(label="Text", style=discord.TextStyle.paragraph)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content=f"added: {self.headline.value} ({len(self.text.value)} chars)")

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        interaction.client.errors.append(error)


def vote_view(count: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(count))
    return view


def build_commands() -> list[app_commands.Command | app_commands.Group | app_commands.ContextMenu]:
    @app_commands.command(description="Ask a question about the news")
    @app_commands.describe(question="What you want to know", source="An article to answer from")
    async def ask(interaction: discord.Interaction, question: str, source: discord.Attachment | None = None) -> None:
        await interaction.response.defer(thinking=True)
        answer = f"answer to: {question}"
        if source is not None:
            answer += f"\n{source.filename}: {(await source.read()).decode()}"
        await interaction.followup.send(answer, view=vote_view(0))

    @ask.autocomplete("question")
    async def suggest(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=s, value=s) for s in SUGGESTIONS if s.startswith(current.lower())]

    corpus = app_commands.Group(
        name="corpus",
        description="Manage the article corpus",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @corpus.command(description="Reload the articles")
    async def reload(interaction: discord.Interaction, force: bool = False) -> None:
        await interaction.response.send_message(f"reloaded (force={force})", ephemeral=True)

    @corpus.command(description="Add an article")
    async def add(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(AddArticle())

    @app_commands.context_menu(name="Find sources")
    async def find_sources(interaction: discord.Interaction, message: discord.Message) -> None:
        listing = discord.File(io.BytesIO(f"1. {message.content}".encode()), filename="sources.txt")
        await interaction.response.send_message(f"sources for: {message.content}", file=listing, ephemeral=True)

    return [ask, corpus, find_sources]


class MiniBot(commands.Bot):
    def __init__(self, **options) -> None:
        # Default intents: no message_content, so the fake must blank unmentioned messages.
        options.setdefault("intents", discord.Intents.default())
        super().__init__(command_prefix=commands.when_mentioned, guild_ready_timeout=0.2, **options)
        self.errors: list[BaseException] = []
        self.seen: list[discord.Message] = []

    async def setup_hook(self) -> None:
        self.add_dynamic_items(VoteButton)
        for command in build_commands():
            self.tree.add_command(command)
        self.tree.on_error = self.on_app_command_error
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY (a courtesy to Discord's rate limit); skip it here."""

    async def on_error(self, event_method: str, /, *args, **kwargs) -> None:
        self.errors.append(sys.exc_info()[1])

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        self.errors.append(error)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        self.seen.append(message)
        if self.user not in message.mentions and not isinstance(message.channel, discord.DMChannel):
            return
        async with message.channel.typing():
            lines = [f"echo: {message.content}"]
            for attachment in message.attachments:
                lines.append(f"{attachment.filename}: {(await attachment.read()).decode()}")
            await message.add_reaction("👀")
            await message.reply("\n".join(lines), mention_author=False)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake
        assert fake.server_errors == []


@asynccontextmanager
async def running_bot(fake: FakeDiscord, compression: str | None = None, **options) -> AsyncIterator[MiniBot]:
    bot = MiniBot(**options)
    with fake.patched_discord(compression=compression):
        async with fake.run_bot(bot):
            yield bot
    assert bot.errors == []


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[MiniBot]:
    async with running_bot(fake) as bot:
        yield bot


async def assert_answers_slash(fake: FakeDiscord, question: str = "still there?") -> None:
    record = await fake.invoke_slash("ask", {"question": question})
    followups = await record.wait_followups(1)
    assert followups[0]["content"] == f"answer to: {question}"


async def test_login_and_sync(fake: FakeDiscord, bot: MiniBot) -> None:
    registered = {c["name"]: c for c in fake.registered_commands()}
    assert set(registered) == {"ask", "corpus", "Find sources"}
    ask = registered["ask"]
    assert [(o["name"], o["type"], o.get("required", False)) for o in ask["options"]] == [
        ("question", 3, True),
        ("source", 11, False),
    ]
    assert ask["options"][0]["autocomplete"] is True
    corpus = registered["corpus"]
    assert corpus["default_member_permissions"] == str(discord.Permissions(manage_guild=True).value)
    assert [(o["name"], o["type"]) for o in corpus["options"]] == [("reload", 1), ("add", 1)]
    assert registered["Find sources"]["type"] == 3
    fetched = await bot.tree.fetch_commands()
    assert {c.id for c in fetched} == {int(c["id"]) for c in registered.values()}

    assert bot.user.id == fake.bot.id and bot.application_id == fake.application_id
    assert fake.intents == bot.intents.value and fake.heartbeats
    assert await bot.is_owner(await bot.fetch_user(fake.owner.id))
    assert not await bot.is_owner(await bot.fetch_user(fake.member.id))

    await asyncio.wait_for(bot.wait_until_ready(), 5)
    guild = bot.get_guild(fake.guild.id)
    assert guild.owner_id == fake.owner.id
    assert guild.get_channel(fake.channel.id).name == "general"
    assert guild.get_thread(fake.thread.id).parent_id == fake.channel.id
    assert {r.name for r in guild.roles} >= {"@everyone", "Moderator"}
    assert guild.me.guild_permissions.send_messages
    assert (await bot.fetch_channel(fake.channel.id)).name == "general"
    assert (await guild.fetch_member(fake.moderator.id)).get_role(fake.moderator_role.id) is not None


@pytest.mark.parametrize("where", ["channel", "thread", "dm"])
async def test_slash_deferred_then_followup(fake: FakeDiscord, bot: MiniBot, where: str) -> None:
    channel = fake.dm_channel(fake.member) if where == "dm" else getattr(fake, where)
    record = await fake.invoke_slash("ask", {"question": "who won?"}, channel=channel)
    response = await record.wait_response()
    assert response["type"] == 5  # in time: the fake refuses a callback after 3 s, as Discord does
    followups = await record.wait_followups(1)
    assert followups[0]["content"] == "answer to: who won?"
    # The first follow-up after a defer replaces the "thinking..." message.
    assert record.original is record.followup_messages[0]
    assert not record.original.loading and record.original.channel_id == channel.id

    async with aiohttp.ClientSession() as session:
        url = f"{fake.api_url}/interactions/{record.id}/{record.token}/callback"
        async with session.post(url, json={"type": 4, "data": {"content": "again"}}) as again:
            assert again.status == 400 and (await again.json())["code"] == 40060


async def test_subcommand_group_respects_default_permissions(fake: FakeDiscord, bot: MiniBot) -> None:
    record = await fake.invoke_slash("corpus reload", {"force": True}, user=fake.moderator)
    response = await record.wait_response()
    assert response["type"] == 4
    assert response["data"]["content"] == "reloaded (force=True)"
    assert record.original.ephemeral
    with pytest.raises(InteractionNotPossible):
        await fake.invoke_slash("corpus reload", {}, user=fake.member)


async def test_modal_submit_then_edit_original(fake: FakeDiscord, bot: MiniBot) -> None:
    shown = await fake.invoke_slash("corpus add", user=fake.moderator)
    assert (await shown.wait_response())["type"] == 9
    submitted = await fake.submit_modal(shown, {"Headline": "Storm weakens", "Text": "It moved north."})
    assert (await submitted.wait_response())["data"] == {"flags": 64}
    edits = await submitted.wait_edits(1)
    assert edits[0]["content"] == "added: Storm weakens (15 chars)"
    assert submitted.original.content == edits[0]["content"]
    assert submitted.original.ephemeral and not submitted.original.loading


async def test_mention_gets_reply_and_unmentioned_content_is_hidden(fake: FakeDiscord, bot: MiniBot) -> None:
    await fake.post_message(fake.channel, fake.member, "just chatting")
    question = await fake.post_message(fake.channel, fake.member, "what's new?", mention_bot=True)
    reply = await fake.wait_for_bot_message(fake.channel)
    assert reply.content == f"echo: {fake.bot.mention} what's new?"
    assert int(reply.body["message_reference"]["message_id"]) == question.id
    assert reply.body["allowed_mentions"]["replied_user"] is False
    assert fake.member not in reply.mentions
    assert question.reactions == ["👀"]
    assert fake.requests_to("POST", rf"/channels/{fake.channel.id}/typing")
    # Without the message content intent, the unmentioned message arrived blank.
    assert [m.content for m in bot.seen] == ["", f"{fake.bot.mention} what's new?"]
    fetched = await bot.get_channel(fake.channel.id).fetch_message(reply.id)
    assert fetched.reference.message_id == question.id


async def test_messages_channels_and_webhooks_over_rest(fake: FakeDiscord, bot: MiniBot) -> None:
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    channel = bot.get_channel(fake.channel.id)
    sent = await channel.send("draft", embed=discord.Embed(title="Storm", description="Moving north"))
    stored = await fake.wait_for_bot_message(fake.channel)
    assert stored.id == sent.id and stored.embeds[0]["title"] == "Storm"
    await sent.edit(content="final")
    assert stored.content == "final" and stored.edits[0]["content"] == "final"

    posted = await fake.post_message(fake.channel, fake.member, "hello")
    assert [m.id async for m in channel.history(limit=10)] == [posted.id, sent.id]
    assert [m.id async for m in channel.history(after=sent)] == [posted.id]
    assert [m.id async for m in channel.history(around=sent, limit=3)] == [posted.id, sent.id]
    fetched = await channel.fetch_message(posted.id)
    assert fetched.content == "hello"  # REST is not subject to the gateway's content intent
    await fetched.add_reaction("✅")
    assert posted.reactions == ["✅"]
    await fetched.remove_reaction("✅", bot.user)
    assert posted.reactions == []
    with pytest.raises(discord.Forbidden):
        await fetched.edit(content="not yours")
    await sent.delete()
    assert stored.deleted
    with pytest.raises(discord.NotFound):
        await channel.fetch_message(sent.id)

    dm = await (await bot.fetch_user(fake.member.id)).create_dm()
    assert dm.id == fake.dm_channel(fake.member).id
    await dm.send("psst")
    assert (await fake.wait_for_bot_message(fake.dm_channel(fake.member))).content == "psst"

    guild = await bot.fetch_guild(fake.guild.id)
    assert guild.name == "Fake Guild"
    assert [c.name for c in await guild.fetch_channels()] == ["general"]
    assert (await bot.http.get_bot_gateway())[1] == fake.base_url.replace("http://", "ws://") + "/"

    record = await fake.invoke_slash("ask", {"question": "webhooks?"})
    await record.wait_followups(1)
    followup = discord.Webhook.partial(fake.application_id, record.token, client=bot)
    assert (await followup.fetch_message(record.original.id)).content == "answer to: webhooks?"
    await followup.delete_message(record.original.id)
    assert record.original.deleted


async def test_dm_message_is_visible_without_mention(fake: FakeDiscord, bot: MiniBot) -> None:
    dm = fake.dm_channel(fake.member)
    await fake.post_message(dm, fake.member, "hello in private")
    reply = await fake.wait_for_bot_message(dm)
    assert reply.content == "echo: hello in private"


async def test_message_context_menu(fake: FakeDiscord, bot: MiniBot) -> None:
    target = await fake.post_message(fake.channel, fake.owner, "Storm hits the coast")
    record = await fake.invoke_message_command("Find sources", target, user=fake.member)
    response = await record.wait_response()
    # Context-menu targets carry content even without the message content intent.
    assert response["type"] == 4
    assert response["data"]["content"] == "sources for: Storm hits the coast"
    assert response["data"]["flags"] & 64
    # Sent as multipart (payload_json + files[0]); the file is kept and served back.
    assert response["data"]["attachments"] == [{"id": 0, "filename": "sources.txt"}]
    (listing,) = record.original.attachments
    assert (listing.filename, listing.data) == ("sources.txt", b"1. Storm hits the coast")
    async with aiohttp.ClientSession() as session, session.get(listing.url) as download:
        assert await download.read() == b"1. Storm hits the coast"


async def test_dynamic_button_click(fake: FakeDiscord, bot: MiniBot) -> None:
    record = await fake.invoke_slash("ask", {"question": "markets?"})
    await record.wait_followups(1)
    message = record.original
    first = await fake.click(message, "vote:0")
    assert (await first.wait_response())["type"] == 7
    assert message.content == "votes: 1"
    # The button was rebuilt from its new custom_id, so the next click counts on.
    second = await fake.click(message, "vote:1")
    await second.wait_response()
    assert message.content == "votes: 2"
    with pytest.raises(InteractionNotPossible):
        await fake.click(message, "vote:0")


async def test_autocomplete(fake: FakeDiscord, bot: MiniBot) -> None:
    record = await fake.autocomplete("ask", {"question": "whe"}, focused="question")
    await record.wait_response()
    assert [c["value"] for c in record.choices] == ["where is the storm heading"]


async def test_attachments_are_readable(fake: FakeDiscord, bot: MiniBot) -> None:
    article = fake.add_attachment("article.txt", b"The storm weakened overnight.")
    record = await fake.invoke_slash("ask", {"question": "storm?", "source": article})
    followups = await record.wait_followups(1)
    assert followups[0]["content"] == "answer to: storm?\narticle.txt: The storm weakened overnight."

    note = fake.add_attachment("note.md", b"# Markets\nUp 2%.", content_type="text/markdown")
    await fake.post_message(fake.channel, fake.member, "read this", mention_bot=True, attachments=[note])
    reply = await fake.wait_for_bot_message(fake.channel)
    assert reply.content.endswith("note.md: # Markets\nUp 2%.")


async def test_zlib_stream(fake: FakeDiscord) -> None:
    async with running_bot(fake, compression="zlib-stream"):
        await assert_answers_slash(fake)
    connection = fake.gateway_connections[-1]
    assert connection.compress == "zlib-stream"
    assert connection.binary_frames > 3 and connection.text_frames == 0


@pytest.mark.skipif(not zstd_available(), reason="zstd-stream needs the zstandard package")
async def test_zstd_stream(fake: FakeDiscord) -> None:
    assert discord_compression() == "zstd-stream"
    async with running_bot(fake, compression="zstd-stream"):
        await assert_answers_slash(fake)
    connection = fake.gateway_connections[-1]
    assert connection.compress == "zstd-stream"
    assert connection.binary_frames > 3 and connection.text_frames == 0


async def test_reconnect_request_resumes_and_replays(fake: FakeDiscord, bot: MiniBot) -> None:
    await fake.send_reconnect()
    # Dispatched while the bot is reconnecting: must arrive exactly once, via replay if need be.
    sent = await fake.post_message(fake.channel, fake.member, "during reconnect", mention_bot=True)
    await fake.wait_until_resumed()
    reply = await fake.wait_for_bot_message(fake.channel)
    assert int(reply.body["message_reference"]["message_id"]) == sent.id
    assert [m.id for m in bot.seen].count(sent.id) == 1
    assert fake.identify_count == 1 and fake.resume_count == 1
    assert fake.gateway_connections[-1].path == "/resume"
    assert fake.gateway_connections[-1].started_with == "resume"
    await assert_answers_slash(fake)


@pytest.mark.parametrize("resumable", [False, True])
async def test_invalid_session(fake: FakeDiscord, bot: MiniBot, resumable: bool) -> None:
    await fake.send_invalid_session(resumable)
    if resumable:
        await fake.wait_until_resumed()
        assert fake.identify_count == 1
    else:
        # A new IDENTIFY may come only 5 s after the first one (Discord's identify window), however
        # soon the session dies: wait past that window, on a busy machine too.
        await fake.wait_until_identified(count=2, timeout=20)
        assert fake.resume_count == 0
        # A dead session must not be resumed: discord.py goes back to DEFAULT_GATEWAY.
        assert fake.gateway_connections[-1].path == "/"
    await assert_answers_slash(fake)


@pytest.mark.parametrize("code", [None, 4000], ids=["tcp-drop", "close-4000"])
async def test_dropped_connection_resumes(fake: FakeDiscord, bot: MiniBot, code: int | None) -> None:
    await fake.close_gateway(code)
    await fake.wait_until_resumed()
    assert fake.identify_count == 1
    await assert_answers_slash(fake)


async def test_rest_429_with_via_is_retried(fake: FakeDiscord, bot: MiniBot) -> None:
    fake.fail_next("POST", r"/webhooks/\d+/[^/]+", status=429, retry_after=0.3)
    await assert_answers_slash(fake, "rate limited?")
    attempts = fake.requests_to("POST", r"/webhooks/\d+/[^/]+")
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.25


async def test_rest_500_is_retried(fake: FakeDiscord, bot: MiniBot) -> None:
    fake.fail_next("POST", r"/channels/\d+/messages", status=500)
    await fake.post_message(fake.channel, fake.member, "flaky?", mention_bot=True)
    reply = await fake.wait_for_bot_message(fake.channel)
    assert reply.content == f"echo: {fake.bot.mention} flaky?"
    attempts = fake.requests_to("POST", r"/channels/\d+/messages")
    assert [a.status for a in attempts] == [500, 200]


async def test_raw_gateway_session_with_members_intent(fake: FakeDiscord) -> None:
    """Without compress the gateway speaks plain JSON text frames; members come with the intent."""
    guilds_and_members = 1 << 0 | 1 << 1
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(fake.base_url.replace("http://", "ws://") + "/?v=10&encoding=json") as ws:
            assert (await ws.receive_json())["op"] == 10
            await ws.send_json({"op": 1, "d": None})
            assert (await ws.receive_json())["op"] == 11
            await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": guilds_and_members, "properties": {}}})
            ready, guild = await ws.receive_json(), await ws.receive_json()
            assert (ready["t"], ready["s"], guild["t"], guild["s"]) == ("READY", 1, "GUILD_CREATE", 2)
            assert ready["d"]["resume_gateway_url"].endswith("/resume")
            assert len(guild["d"]["members"]) == 4
            await ws.send_json(
                {"op": 8, "d": {"guild_id": str(fake.guild.id), "query": "mod", "limit": 0, "nonce": "n1"}}
            )
            chunk = await ws.receive_json()
            assert chunk["t"] == "GUILD_MEMBERS_CHUNK" and chunk["d"]["nonce"] == "n1"
            assert [m["user"]["id"] for m in chunk["d"]["members"]] == [str(fake.moderator.id)]
            await ws.send_json({"op": 42, "d": None})
            closing = await ws.receive()
            assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4001


async def test_rejects_what_discord_rejects(fake: FakeDiscord) -> None:
    auth = {"Authorization": f"Bot {fake.token}"}
    messages_url = f"{fake.api_url}/channels/{fake.channel.id}/messages"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{fake.api_url}/no/such/route", headers=auth) as unknown:
            assert unknown.status == 404 and unknown.headers["Content-Type"] == "application/json"
            assert await unknown.json() == {"message": "Unknown", "code": 0}
        async with session.get(f"{fake.api_url}/users/@me") as anonymous:
            assert anonymous.status == 401
        async with session.post(messages_url, json={"content": "x" * 2001}, headers=auth) as too_long:
            assert too_long.status == 400 and (await too_long.json())["code"] == 50035
        async with session.post(messages_url, json={"content": "  "}, headers=auth) as empty:
            assert empty.status == 400 and (await empty.json())["code"] == 50006
        gateway = fake.base_url.replace("http://", "ws://")
        async with session.ws_connect(f"{gateway}/?v=10&encoding=json") as ws:
            hello = await ws.receive_json()  # a text frame: no compress parameter, no compression
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 1000
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0, "properties": {}}})
            closing = await ws.receive()
            assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4004
        async with session.ws_connect(f"{gateway}/?v=6&encoding=json") as ws:
            closing = await ws.receive()
            assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4012


def _row(*components: dict) -> dict:
    return {"type": 1, "components": list(components)}


def _button(**fields) -> dict:
    return {"type": 2, "style": 1, "label": "Go", "custom_id": "go", **fields}


def _select(n_options: int = 3, option: dict | None = None, **fields) -> dict:
    options = [{"label": f"option {i}", "value": f"v{i}", **(option or {})} for i in range(n_options)]
    return {"type": 3, "custom_id": "pick", "options": options, **fields}


# Discord's own limits, written out: a fake that accepted these would let a regression through.
REJECTED_COMPONENTS = {
    "26 select options": [_row(_select(26))],
    "0 select options": [_row(_select(0))],
    "option label of 101": [_row(_select(1, {"label": "x" * 101}))],
    "option value of 101": [_row(_select(1, {"value": "x" * 101}))],
    "option description of 101": [_row(_select(1, {"description": "x" * 101}))],
    "placeholder of 151": [_row(_select(placeholder="x" * 151))],
    "select custom_id of 101": [_row(_select(custom_id="x" * 101))],
    "select sharing its row": [_row(_select(), _button())],
    "button without custom_id": [_row({"type": 2, "style": 1, "label": "Go"})],
    "button without label or emoji": [_row({"type": 2, "style": 1, "custom_id": "go"})],
    "button label of 81": [_row(_button(label="x" * 81))],
    "button custom_id of 101": [_row(_button(custom_id="x" * 101))],
    "link button without url": [_row({"type": 2, "style": 5, "label": "Read"})],
    "link button with a custom_id": [
        _row({"type": 2, "style": 5, "label": "Read", "url": "https://a.example", "custom_id": "r"})
    ],
    "unknown component type": [_row({"type": 99, "custom_id": "x"})],
    "text input in a message": [_row({"type": 4, "custom_id": "x", "label": "x", "style": 1})],
    "6 buttons in a row": [_row(*(_button(custom_id=str(i)) for i in range(6)))],
    "6 action rows": [_row(_button(custom_id=str(i))) for i in range(6)],
    "duplicate custom_id": [_row(_button(), _button())],
}
ACCEPTED_COMPONENTS = {
    "25 options at 100 characters": [
        _row(_select(25, {"label": "x" * 100, "description": "y" * 100}, placeholder="z" * 150))
    ],
    "button label of 80, custom_id of 100": [_row(_button(label="x" * 80, custom_id="y" * 100))],
    "emoji-only button": [_row({"type": 2, "style": 2, "custom_id": "e", "emoji": {"name": "👍"}})],
    "link button": [_row({"type": 2, "style": 5, "label": "Read", "url": "https://a.example"})],
    "select alone, buttons below": [_row(_select()), _row(_button(), _button(custom_id="b"))],
}


async def _post(fake: FakeDiscord, body: dict, channel=None) -> tuple[int, dict]:
    url = f"{fake.api_url}/channels/{(channel or fake.channel).id}/messages"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=body, headers={"Authorization": f"Bot {fake.token}"}) as response:
            return response.status, await response.json()


@pytest.mark.parametrize("components", REJECTED_COMPONENTS.values(), ids=REJECTED_COMPONENTS.keys())
async def test_components_discord_rejects_are_rejected(fake: FakeDiscord, components) -> None:
    status, body = await _post(fake, {"content": "pick one", "components": components})
    assert (status, body["code"]) == (400, 50035) and "components" in body["errors"]
    assert fake.bot_messages() == []


@pytest.mark.parametrize("components", ACCEPTED_COMPONENTS.values(), ids=ACCEPTED_COMPONENTS.keys())
async def test_components_within_discords_limits_are_accepted(fake: FakeDiscord, components) -> None:
    status, _ = await _post(fake, {"content": "pick one", "components": components})
    assert status == 200


@pytest.mark.parametrize(
    "allowed, accepted",
    [
        ({"parse": ["users"], "users": ["1"]}, False),
        ({"parse": ["roles"], "roles": ["1"]}, False),
        ({"parse": ["users", "roles"], "users": ["1"]}, False),
        ({"parse": ["admins"]}, False),
        ({"users": [str(i) for i in range(101)]}, False),
        ({"parse": ["users"], "roles": ["1"]}, True),
        ({"users": [str(i) for i in range(100)]}, True),
        ({"parse": [], "replied_user": False}, True),
    ],
)
async def test_allowed_mentions_conflicts_are_rejected(fake: FakeDiscord, allowed, accepted) -> None:
    status, body = await _post(fake, {"content": "hi", "allowed_mentions": allowed})
    if accepted:
        assert status == 200
    else:
        assert (status, body["code"]) == (400, 50035) and "allowed_mentions" in body["errors"]


async def test_a_reply_must_quote_a_message_of_the_same_channel(fake: FakeDiscord, bot: MiniBot) -> None:
    elsewhere = await fake.post_message(fake.thread, fake.member, "in the thread")
    status, body = await _post(fake, {"content": "re", "message_reference": {"message_id": str(elsewhere.id)}})
    assert (status, body["code"]) == (400, 50035) and "message_reference" in body["errors"]
    named = {"message_id": str(elsewhere.id), "channel_id": str(fake.thread.id)}
    status, body = await _post(fake, {"content": "re", "message_reference": named})
    assert (status, body["code"]) == (400, 50035)
    lenient = {"message_id": str(elsewhere.id), "fail_if_not_exists": False}
    status, body = await _post(fake, {"content": "re", "message_reference": lenient})
    assert status == 200 and "message_reference" not in body  # sent, but not as a reply
    here = await fake.post_message(fake.channel, fake.member, "in general")
    status, body = await _post(fake, {"content": "re", "message_reference": {"message_id": str(here.id)}})
    assert status == 200 and body["message_reference"]["message_id"] == str(here.id)


async def test_interaction_tokens_expire_after_15_minutes(fake: FakeDiscord, bot: MiniBot) -> None:
    record = await fake.invoke_slash("ask", {"question": "still valid?"})
    await record.wait_followups(1)
    followup = discord.Webhook.partial(fake.application_id, record.token, client=bot)
    fake.advance_clock(14 * 60 + 59)
    await followup.send("at 14:59")
    await followup.edit_message(record.original.id, content="edited at 14:59")
    fake.advance_clock(2)  # 15:01 after the interaction
    with pytest.raises(discord.HTTPException) as expired:
        await followup.send("at 15:01")
    assert (expired.value.status, expired.value.code) == (401, 50027)
    with pytest.raises(discord.HTTPException) as expired_edit:
        await followup.edit_message(record.original.id, content="too late")
    assert (expired_edit.value.status, expired_edit.value.code) == (401, 50027)
    assert [f["content"] for f in record.followups] == ["answer to: still valid?", "at 14:59"]


SEND_MESSAGES, EMBED_LINKS, READ_MESSAGE_HISTORY = 1 << 11, 1 << 14, 1 << 16


async def test_messages_the_bot_may_not_send_are_forbidden(fake: FakeDiscord, bot: MiniBot) -> None:
    embed = {"content": "x", "embeds": [{"title": "t", "description": "d"}]}
    await fake.set_overwrite(fake.channel, fake.world.guild.everyone_role, deny=SEND_MESSAGES)
    status, body = await _post(fake, {"content": "hi"})
    assert (status, body["code"]) == (403, 50013)
    status, _ = await _post(fake, {"content": "hi"}, channel=fake.thread)  # threads need Send Messages in Threads
    assert status == 200
    await fake.set_overwrite(fake.channel, fake.bot_role, allow=SEND_MESSAGES)  # a role overwrite beats @everyone
    assert (await _post(fake, {"content": "hi"}))[0] == 200
    await fake.set_overwrite(fake.channel, fake.bot, allow=SEND_MESSAGES, deny=EMBED_LINKS)
    assert (await _post(fake, {"content": "plain text"}))[0] == 200
    status, body = await _post(fake, embed)
    assert (status, body["code"]) == (403, 50013)
    status, body = await _post(fake, embed, channel=fake.thread)  # a thread takes its parent's overwrites
    assert (status, body["code"]) == (403, 50013)
    await fake.set_overwrite(fake.channel, fake.bot, deny=READ_MESSAGE_HISTORY)
    question = await fake.post_message(fake.channel, fake.member, "reply to me")
    status, body = await _post(fake, {"content": "re", "message_reference": {"message_id": str(question.id)}})
    assert (status, body["code"]) == (403, 50013)
    # discord.py learnt the overwrites from CHANNEL_UPDATE and raises Forbidden for what Discord refuses.
    channel = bot.get_channel(fake.channel.id)
    await fake.wait_for(lambda: not channel.permissions_for(channel.guild.me).read_message_history, 5, "the update")
    with pytest.raises(discord.Forbidden):
        await channel.send("re", reference=discord.MessageReference(message_id=question.id, channel_id=channel.id))
    assert [m.content for m in fake.bot_messages(fake.channel)] == ["hi", "plain text"]


async def test_a_zombie_connection_is_closed_and_resumed(fake: FakeDiscord) -> None:
    # discord.py gives up on a socket that has been silent for heartbeat_timeout seconds (60 by default).
    async with running_bot(fake, heartbeat_timeout=2.0) as bot:
        zombie = fake.gateway_connections[-1]
        fake.stop_answering_gateway()
        sent = await fake.post_message(fake.channel, fake.member, "while silent", mention_bot=True)
        await fake.wait_until_resumed(timeout=15)
        assert zombie.close_code == 4000  # closed by discord.py, which then resumed on a new socket
        assert fake.gateway_connections[-1].started_with == "resume" and fake.identify_count == 1
        reply = await fake.wait_for_bot_message(fake.channel)
        assert int(reply.body["message_reference"]["message_id"]) == sent.id  # replayed on RESUME
        assert [m.id for m in bot.seen].count(sent.id) == 1
        await assert_answers_slash(fake)


async def test_a_privileged_intent_the_application_lacks_closes_with_4014() -> None:
    async with FakeDiscord(privileged_intents=0) as fake:
        intents = discord.Intents.default()
        intents.message_content = True
        with pytest.raises(discord.PrivilegedIntentsRequired):
            async with running_bot(fake, intents=intents):
                pass
        assert fake.gateway_connections[-1].close_code == 4014 and fake.identify_count == 0
        async with running_bot(fake):  # default intents are not privileged
            await assert_answers_slash(fake)


async def test_route_rate_limits_carry_discords_headers(fake: FakeDiscord) -> None:
    fake.rate_limit("POST", r"/channels/\d+/messages", limit=2, per=30)
    statuses, headers = [], []
    for channel in (fake.channel, fake.channel, fake.channel, fake.thread):
        url = f"{fake.api_url}/channels/{channel.id}/messages"
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json={"content": "x"}, headers={"Authorization": f"Bot {fake.token}"}) as r:
                statuses.append(r.status)
                headers.append(r.headers)
                if r.status == 429:
                    refused = await r.json()
    # Two per channel: the third in #general is refused, the thread has a bucket of its own.
    assert statuses == [200, 200, 429, 200]
    assert [h["X-RateLimit-Remaining"] for h in headers] == ["1", "0", "0", "1"]
    assert all(h["X-RateLimit-Limit"] == "2" for h in headers)
    assert len({h["X-RateLimit-Bucket"] for h in headers}) == 1  # one route, one bucket id
    assert 0 < float(headers[2]["X-RateLimit-Reset-After"]) <= 30
    assert float(headers[2]["X-RateLimit-Reset"]) > time.time()
    assert headers[2]["X-RateLimit-Scope"] == "user" and "X-RateLimit-Global" not in headers[2]
    assert headers[2]["Via"] and int(headers[2]["Retry-After"]) >= 1
    assert refused["global"] is False and 0 < refused["retry_after"] <= 30


async def test_discord_py_waits_for_an_exhausted_bucket_instead_of_hitting_it(fake: FakeDiscord, bot: MiniBot) -> None:
    fake.rate_limit("POST", r"/channels/\d+/messages", limit=2, per=0.5)
    channel = bot.get_channel(fake.channel.id)
    await asyncio.gather(*(channel.send(f"message {i}") for i in range(5)))
    attempts = fake.requests_to("POST", rf"/channels/{fake.channel.id}/messages")
    # discord.py read Remaining: 0 and slept until the reset: every request fit in a window.
    assert [a.status for a in attempts] == [200] * 5
    assert sorted(m.content for m in fake.bot_messages(fake.channel)) == [f"message {i}" for i in range(5)]


async def test_a_global_429_is_waited_out_and_retried(fake: FakeDiscord, bot: MiniBot) -> None:
    fake.rate_limit_globally(limit=2, per=0.5)
    channel = bot.get_channel(fake.channel.id)
    for i in range(3):
        await channel.send(f"message {i}")
    attempts = [a for a in fake.requests if a.method == "POST" and a.path.endswith("/messages")]
    assert [(a.status, a.rate_limit_scope) for a in attempts] == [
        (200, None),
        (200, None),
        (429, "global"),
        (200, None),
    ]
    assert [m.content for m in fake.bot_messages(fake.channel)] == ["message 0", "message 1", "message 2"]
    # Interaction endpoints are not bound to the global limit: with nothing else allowed for a
    # minute, a slash command is still acknowledged and answered.
    fake.rate_limit_globally(limit=0, per=60)
    await assert_answers_slash(fake)


# ------------------------------------------------------------------ several guilds

MANAGE_GUILD = 1 << 5


class GuildWatcher(MiniBot):
    """Records the guild events discord.py derives from GUILD_CREATE / GUILD_DELETE."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.guild_events: list[tuple[str, int]] = []

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.guild_events.append(("join", guild.id))

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        self.guild_events.append(("remove", guild.id))

    async def on_guild_unavailable(self, guild: discord.Guild) -> None:
        self.guild_events.append(("unavailable", guild.id))

    async def on_guild_available(self, guild: discord.Guild) -> None:
        self.guild_events.append(("available", guild.id))


async def test_each_guild_has_its_own_roles_members_and_permissions(fake: FakeDiscord) -> None:
    second = fake.add_guild("Second")
    # Same name as the first guild's Moderator role, another id, and no Manage Server.
    lookalike = fake.add_role("Moderator", 0, guild=second)
    fake.join_guild(fake.moderator, second, [lookalike])
    with pytest.raises(InteractionNotPossible):  # another guild's role cannot be given
        fake.join_guild(fake.member, second, [fake.moderator_role])
    async with running_bot(fake) as bot:
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        assert {g.id for g in bot.guilds} == {fake.guild.id, second.id}
        theirs = bot.get_guild(second.id)
        assert theirs.owner_id == second.owner_id != fake.owner.id
        assert [c.name for c in theirs.text_channels] == ["general"]
        assert lookalike.id != fake.moderator_role.id and theirs.get_role(fake.moderator_role.id) is None
        member = await theirs.fetch_member(fake.moderator.id)
        assert [r.id for r in member.roles[1:]] == [lookalike.id] and not member.guild_permissions.manage_guild

        # Discord's own gate uses the member's permissions in the guild where the command runs.
        channel = second.text_channels[0]
        with pytest.raises(InteractionNotPossible):
            await fake.invoke_slash("corpus reload", {}, user=fake.moderator, channel=channel)
        owner = fake.world.user(second.owner_id)
        record = await fake.invoke_slash("corpus reload", {}, user=owner, channel=channel)
        assert (await record.wait_response())["data"]["content"] == "reloaded (force=False)"
        assert int(record.payload["guild_id"]) == second.id
        assert int(record.payload["member"]["permissions"]) & MANAGE_GUILD
        with pytest.raises(InteractionNotPossible):  # not a member of the second guild
            await fake.invoke_slash("ask", {"question": "x"}, user=fake.member, channel=channel)

        # A message in the second guild carries that guild's id and the author's roles there.
        await fake.post_message(channel, fake.moderator, "hello there", mention_bot=True)
        await fake.wait_for(lambda: bot.seen, 5, "the message")
        assert bot.seen[-1].guild.id == second.id and bot.seen[-1].author.roles[-1].id == lookalike.id
    assert bot.errors == []


async def test_joins_removals_and_outages_reach_discord_py_as_different_events(fake: FakeDiscord) -> None:
    second = fake.add_guild("Second")
    third = fake.add_guild("Third", with_bot=False)
    bot = GuildWatcher()
    with fake.patched_discord():
        async with fake.run_bot(bot):
            await asyncio.wait_for(bot.wait_until_ready(), 5)
            assert {g.id for g in bot.guilds} == {fake.guild.id, second.id}
            # READY's lazily sent guilds are announced as available; only what follows matters here.
            assert sorted(bot.guild_events) == sorted([("available", fake.guild.id), ("available", second.id)])
            bot.guild_events.clear()
            auth = {"Authorization": f"Bot {fake.token}"}
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{fake.api_url}/guilds/{third.id}", headers=auth) as outside:
                    assert outside.status == 403 and (await outside.json())["code"] == 50001

            await fake.bot_joins(third)
            await fake.wait_for(lambda: ("join", third.id) in bot.guild_events, 5, "on_guild_join")
            assert bot.get_guild(third.id).name == "Third"

            await fake.guild_outage(second)
            await fake.wait_for(lambda: ("unavailable", second.id) in bot.guild_events, 5, "on_guild_unavailable")
            assert bot.get_guild(second.id).unavailable
            with pytest.raises(InteractionNotPossible):
                await fake.invoke_slash(
                    "ask", {"question": "x"}, user=second_owner(fake, second), channel=general(second)
                )
            await fake.guild_recovers(second)
            await fake.wait_for(lambda: ("available", second.id) in bot.guild_events, 5, "on_guild_available")
            assert not bot.get_guild(second.id).unavailable

            await fake.bot_removed(second)
            await fake.wait_for(lambda: ("remove", second.id) in bot.guild_events, 5, "on_guild_remove")
            assert bot.get_guild(second.id) is None
            with pytest.raises(discord.Forbidden) as no_access:
                await bot.fetch_guild(second.id)
            assert no_access.value.code == 50001
            with pytest.raises(discord.Forbidden):
                await bot.http.send_message(general(second).id, params=discord.http.handle_message_parameters("x"))
            with pytest.raises(InteractionNotPossible):
                await fake.invoke_slash(
                    "ask", {"question": "x"}, user=second_owner(fake, second), channel=general(second)
                )
            # Events of a guild the bot left reach it no more.
            seen = len(bot.seen)
            await fake.post_message(general(second), second_owner(fake, second), "anyone?", mention_bot=True)
            await asyncio.sleep(0.2)
            assert len(bot.seen) == seen
    assert bot.guild_events == [
        ("join", third.id),
        ("unavailable", second.id),
        ("available", second.id),
        ("remove", second.id),
    ]
    assert bot.errors == []


async def test_a_removal_while_the_bot_is_offline_shows_only_in_the_next_ready(fake: FakeDiscord) -> None:
    second = fake.add_guild("Second")
    async with running_bot(fake) as bot:
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        assert bot.get_guild(second.id) is not None
    await fake.bot_removed(second)  # nobody connected: no event, as with Discord
    restarted = GuildWatcher()
    with fake.patched_discord():
        async with fake.run_bot(restarted):
            await asyncio.wait_for(restarted.wait_until_ready(), 5)
            assert {g.id for g in restarted.guilds} == {fake.guild.id}
    assert restarted.guild_events == [("available", fake.guild.id)]  # nothing about the second guild


async def test_autocomplete_answers_beyond_discords_limits_are_refused(fake: FakeDiscord, monkeypatch) -> None:
    # 25 choices of 100 characters pass; a 26th, or 101 characters, is a 400 (50035) like Discord's.
    cases = ((["w" + "x" * 99] * 25, True), (["w"] * 26, False), (["w" + "x" * 100], False))
    async with running_bot(fake):
        for suggestions, accepted in cases:
            monkeypatch.setattr(sys.modules[__name__], "SUGGESTIONS", suggestions)
            record = await fake.autocomplete("ask", {"question": "w"}, focused="question")
            await fake.wait_for(lambda r=record: fake.requests_to("POST", rf"/interactions/{r.id}/.+/callback"), 5)
            status = fake.requests_to("POST", rf"/interactions/{record.id}/.+/callback")[0].status
            # discord.py only logs an autocomplete that failed; the refusal shows in the callback's status.
            assert (status, record.response is not None) == ((200, True) if accepted else (400, False)), suggestions


def general(guild):
    return guild.text_channels[0]


def second_owner(fake: FakeDiscord, guild):
    return fake.world.user(guild.owner_id)
