"""Three servers, one bot: the real client against the fake Discord (issue 13's "Tests").

Servers A, B and C each have a "Moderator" role (Manage Server) and an "Editors" role, the same
names with different ids; A's Moderator role is QA_MODERATOR_ROLE_ID. Each server adds articles
of its own through `/corpus add` (an attachment downloaded from the fake's CDN); what one server
adds, changes or asks must never show in another, nor in direct messages.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.conftest import Running, Server, bot_for_servers, three_servers
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, FakeUser

BASE_TITLE = "‘Sensitive issues’ discussed by Putin and North Korea leader"  # the shipped seed article
BASE_QUESTION = "Did North Korea send arms?"

KELVALE = (
    "Kelvale harbour bridge closes for repairs",
    "The Kelvale harbour bridge will close for six weeks after engineers found corrosion in its steel cables.",
    "Ferries will carry commuters across the Kelvale harbour while the bridge is shut, the port authority said.",
)
VOSTRAND = (
    "Vostrand glacier lake keeps rising",
    "Hydrologists say the Vostrand glacier lake rose by two metres this month as meltwater poured in.",
    "Villages below the Vostrand glacier have been told to prepare for a possible evacuation.",
)
MERRITON = (
    "Frost ruins Merriton apple orchards",
    "A late frost destroyed most of the blossom in the Merriton apple orchards, growers said on Monday.",
    "Merriton cider makers expect to import apples this autumn for the first time in decades.",
)
KELVALE_Q = "Why is the Kelvale harbour bridge closed?"
VOSTRAND_Q = "Is the Vostrand glacier lake rising?"
MERRITON_Q = "What did the frost do to the Merriton orchards?"


def article(title: str, *paragraphs: str) -> bytes:
    return "\n\n".join((title, *paragraphs)).encode()


def sized(title: str, subject: str, size: int) -> bytes:
    """An article of about `size` bytes on `subject`: distinct sentences, so nothing is a duplicate."""
    sentences, n = [], 0
    while len(" ".join(sentences)) < size - len(title) - 10:
        n += 1
        sentences.append(f"Report {n} on {subject} notes change number {n} in the {subject} survey.")
    return article(title, " ".join(sentences))


def text_of(body: dict[str, Any]) -> str:
    """Everything a member reads in a message body: content and embeds (titles, fields, footers)."""
    return json.dumps({"content": body.get("content"), "embeds": body.get("embeds")}, ensure_ascii=False)


def cited_titles(body: dict[str, Any], titles: tuple[str, ...]) -> set[str]:
    """Which of `titles` the answer cites as a passage's source (a field's source line)."""
    fields = [f["value"] for embed in body.get("embeds") or [] for f in embed.get("fields") or []]
    return {t for t in titles if any(t in value for value in fields)}


ALL_TITLES = (BASE_TITLE, KELVALE[0], VOSTRAND[0], MERRITON[0])


async def run(
    fake: FakeDiscord,
    server: Server,
    name: str,
    options: dict | None = None,
    *,
    user: FakeUser | None = None,
    bypass: bool = False,
    channel=None,
) -> dict[str, Any]:
    """Run a slash command in `server` and return what the member is shown (the reply, or the
    follow-up after a defer)."""
    record = await fake.invoke_slash(
        name,
        options or {},
        user=user or server.moderator,
        channel=channel or server.channel,
        bypass_default_permissions=bypass,
    )
    response = await record.wait_response(10)
    if response["type"] == 4:
        return response["data"]
    return (await record.wait_followups(1, timeout=15))[0]


async def add(fake: FakeDiscord, server: Server, filename: str, data: bytes, **kwargs: Any) -> str:
    file = fake.add_attachment(filename, data, "text/plain")
    return text_of(await run(fake, server, "corpus add", {"file": file}, **kwargs))


async def ask(fake: FakeDiscord, server: Server, question: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("user", server.member)
    return await run(fake, server, "ask", {"question": question}, **kwargs)


async def listing(fake: FakeDiscord, server: Server) -> str:
    return text_of(await run(fake, server, "corpus list"))


async def store_of(running: Running):
    return await running.bot.database.get()


async def eventually(check, timeout: float = 5.0, what: str = "a condition") -> None:
    """Until the async `check()` is truthy (the store is written after the gateway event)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_b_manages_its_own_articles_and_nothing_of_a_changes_or_shows(tmp_path) -> None:
    async with FakeDiscord() as fake:
        world = three_servers(fake)
        a, b = world.a, world.b
        async with bot_for_servers(fake, tmp_path):
            assert "Added `kelvale`" in await add(fake, a, "kelvale.txt", article(*KELVALE))
            assert "Added `vostrand`" in await add(fake, b, "vostrand.txt", article(*VOSTRAND))

            # Each list shows the server's own articles, and the base (read-only) in both.
            a_list, b_list = await listing(fake, a), await listing(fake, b)
            assert "`kelvale`" in a_list and "`vostrand`" not in a_list
            assert "`vostrand`" in b_list and "`kelvale`" not in b_list
            assert "read-only" in a_list and "read-only" in b_list and BASE_TITLE in b_list

            # B's autocomplete offers B's articles only; A's, only A's.
            typed = await fake.autocomplete(
                "corpus remove", {"article": ""}, focused="article", user=b.moderator, channel=b.channel
            )
            await typed.wait_response()
            assert [c["value"] for c in typed.choices] == ["vostrand"]
            typed = await fake.autocomplete(
                "corpus remove", {"article": "vos"}, focused="article", user=a.moderator, channel=a.channel
            )
            await typed.wait_response()
            assert typed.choices == []

            # Answers: each server cites its own article, never the other's.
            assert cited_titles(await ask(fake, a, VOSTRAND_Q), ALL_TITLES) <= {BASE_TITLE}
            assert cited_titles(await ask(fake, b, VOSTRAND_Q), ALL_TITLES) == {VOSTRAND[0]}
            assert cited_titles(await ask(fake, b, KELVALE_Q), ALL_TITLES) <= {BASE_TITLE}
            assert cited_titles(await ask(fake, a, KELVALE_Q), ALL_TITLES) == {KELVALE[0]}

            # B cannot remove A's article (nor the base's) by naming it.
            refused = text_of(await run(fake, b, "corpus remove", {"article": "kelvale"}))
            assert "no article with the id `kelvale`" in refused
            assert "`kelvale`" in await listing(fake, a)

            # B changes a setting: A's settings stay as they were.
            assert "normal" in text_of(await run(fake, b, "settings strictness", {"level": "strict"}))
            assert "**Strictness**: normal" in text_of(await run(fake, a, "settings show"))
            assert "**Strictness**: strict" in text_of(await run(fake, b, "settings show"))

            # Stats count each server's own questions (A three, B two) and feedback (A's 👍 only in A).
            a_message = await _answer_message(fake, a, BASE_QUESTION)
            thanked = await fake.click(a_message, "qa:fb:up", user=a.member)
            assert "Thanks for the feedback" in text_of((await thanked.wait_followups(1))[0])
            a_stats, b_stats = text_of(await run(fake, a, "corpus stats")), text_of(await run(fake, b, "corpus stats"))
            assert "👍 1 · 👎 0" in a_stats and "👍 0 · 👎 0" in b_stats
            assert "Questions asked here since start: **3**" in a_stats
            assert "Questions asked here since start: **2**" in b_stats
            assert "1 of 200 articles" in a_stats and "1 of 200 articles" in b_stats

            # B removes its article: gone from B's answers and list; A's untouched.
            assert "Removed `vostrand`" in text_of(await run(fake, b, "corpus remove", {"article": "vostrand"}))
            assert cited_titles(await ask(fake, b, VOSTRAND_Q), ALL_TITLES) <= {BASE_TITLE}
            assert "`vostrand`" not in await listing(fake, b)
            assert cited_titles(await ask(fake, a, KELVALE_Q), ALL_TITLES) == {KELVALE[0]}
    assert fake.server_errors == []


async def test_roles_and_owner_commands_count_only_in_the_server_where_they_run(tmp_path) -> None:
    async with FakeDiscord() as fake:
        world = three_servers(fake)
        a, b = world.a, world.b
        async with bot_for_servers(fake, tmp_path):
            # B makes its own "Editors" role a moderator role.
            shown = text_of(await run(fake, b, "settings moderator-role", {"action": "add", "role": b.editors}))
            assert f"<@&{b.editors.id}>" in shown
            # Server admins let Editors see /corpus (Integrations), so Discord's own gate lets them through.
            refused = await add(fake, b, "crossover.txt", article(*MERRITON), user=world.crossover, bypass=True)
            assert "Only moderators" in refused  # A's "Editors" role grants nothing in B
            assert "Added `editor`" in await add(
                fake, b, "editor.txt", article(*MERRITON), user=world.b_editor, bypass=True
            )
            # Nor does B's setting make A's role of the same name a moderator role in A.
            refused = await add(fake, a, "crossover.txt", article(*MERRITON), user=world.crossover, bypass=True)
            assert "Only moderators" in refused
            assert "`crossover`" not in await listing(fake, b)

            # Manage Server in B is not the application's owner: no base reload, no forgetting servers.
            reload = text_of(await run(fake, b, "corpus reload"))
            assert "Only the bot's owner" in reload
            forget = text_of(await run(fake, b, "corpus forget", {"server_id": str(a.guild.id)}))
            assert "Only the bot's owner" in forget
            assert "Base corpus reloaded" in text_of(await run(fake, a, "corpus reload", user=fake.owner))
    assert fake.server_errors == []


async def test_direct_messages_answer_from_the_base_only(tmp_path) -> None:
    async with FakeDiscord() as fake:
        world = three_servers(fake)
        b = world.b
        async with bot_for_servers(fake, tmp_path):
            assert "Added" in await add(fake, b, "vostrand.txt", article(*VOSTRAND))
            assert cited_titles(await ask(fake, b, VOSTRAND_Q), ALL_TITLES) == {VOSTRAND[0]}
            dm = fake.dm_channel(b.member)
            await fake.post_message(dm, b.member, VOSTRAND_Q)
            reply = await fake.wait_for_bot_message(dm, timeout=15)
            assert VOSTRAND[0] not in text_of(reply.body) and "Vostrand glacier lake rose" not in text_of(reply.body)
            await fake.post_message(dm, b.member, BASE_QUESTION)
            reply = await fake.wait_for_bot_message(dm, timeout=15)
            assert cited_titles(reply.body, ALL_TITLES) == {BASE_TITLE}
            slash = await run(fake, b, "ask", {"question": VOSTRAND_Q}, user=b.member, channel=dm)
            assert cited_titles(slash, ALL_TITLES) <= {BASE_TITLE}
    assert fake.server_errors == []


async def _silent(fake: FakeDiscord, channel, after: int) -> bool:
    await asyncio.sleep(0.5)
    return all(m.id <= after for m in fake.bot_messages(channel))


async def test_base_off_and_mention_channels_apply_to_their_own_server_only(tmp_path) -> None:
    async with FakeDiscord() as fake:
        world = three_servers(fake)
        a, b = world.a, world.b
        async with bot_for_servers(fake, tmp_path):
            assert "Added" in await add(fake, b, "vostrand.txt", article(*VOSTRAND))
            assert "on → off" in text_of(await run(fake, b, "settings base-corpus", {"enabled": False}))
            assert cited_titles(await ask(fake, b, BASE_QUESTION), ALL_TITLES) == set()
            assert cited_titles(await ask(fake, b, VOSTRAND_Q), ALL_TITLES) == {VOSTRAND[0]}
            assert cited_titles(await ask(fake, a, BASE_QUESTION), ALL_TITLES) == {BASE_TITLE}
            assert "turned off in this server" in await listing(fake, b)

            changed = text_of(await run(fake, b, "settings mention-channels", {"action": "add", "channel": b.side}))
            assert f"<#{b.side.id}>" in changed
            ignored = await fake.post_message(b.channel, b.member, VOSTRAND_Q, mention_bot=True)
            await fake.post_message(b.side, b.member, VOSTRAND_Q, mention_bot=True)
            answered = await fake.wait_for_bot_message(b.side, timeout=15)
            assert cited_titles(answered.body, ALL_TITLES) == {VOSTRAND[0]}
            assert await _silent(fake, b.channel, ignored.id)
            # A never chose channels: a mention in A's general is answered.
            await fake.post_message(a.channel, a.member, BASE_QUESTION, mention_bot=True)
            assert cited_titles((await fake.wait_for_bot_message(a.channel, timeout=15)).body, ALL_TITLES) == {
                BASE_TITLE
            }
    assert fake.server_errors == []


async def test_quotas_refuse_with_their_numbers(tmp_path) -> None:
    async with FakeDiscord() as fake:
        world = three_servers(fake)
        a, b, c = world.servers
        async with bot_for_servers(fake, tmp_path, quota_articles=2, quota_bytes=2500, quota_adds_per_hour=3):
            # B: the number of articles.
            assert "Added" in await add(fake, b, "b1.txt", sized("Lake one", "lake", 800))
            assert "Added" in await add(fake, b, "b2.txt", sized("Lake two", "river", 800))
            refused = await add(fake, b, "b3.txt", sized("Lake three", "pond", 800))
            assert "limit of 2 articles" in refused and "not added" in refused
            # C: the bytes, over all its articles.
            assert "Added" in await add(fake, c, "c1.txt", sized("Orchard one", "orchard", 2000))
            refused = await add(fake, c, "c2.txt", sized("Orchard two", "vineyard", 800))
            assert "at most 2.5 KB in all" in refused
            # A: adds per hour, which a removal does not give back; B's and C's refusals cost A nothing.
            for n in range(3):
                assert "Added" in await add(fake, a, f"a{n}.txt", sized(f"Bridge {n}", f"bridge{n}", 500))
                assert "Removed" in text_of(await run(fake, a, "corpus remove", {"article": f"a{n}"}))
            refused = await add(fake, a, "a3.txt", sized("Bridge 3", "bridge3", 500))
            assert "at most 3 articles per hour" in refused
            assert "2 of 2 articles" in text_of(await run(fake, b, "corpus stats"))
            assert "`c2`" not in await listing(fake, c) and "`b3`" not in await listing(fake, b)
    assert fake.server_errors == []


async def test_two_servers_adding_at_the_same_moment(tmp_path) -> None:
    async with FakeDiscord() as fake:
        world = three_servers(fake)
        b, c = world.b, world.c
        async with bot_for_servers(fake, tmp_path):
            # The same file name in both servers, sent together: each gets its own article.
            b_file = fake.add_attachment("report.txt", article(*VOSTRAND), "text/plain")
            c_file = fake.add_attachment("report.txt", article(*MERRITON), "text/plain")
            records = await asyncio.gather(
                fake.invoke_slash("corpus add", {"file": b_file}, user=b.moderator, channel=b.channel),
                fake.invoke_slash("corpus add", {"file": c_file}, user=c.moderator, channel=c.channel),
            )
            replies = await asyncio.gather(*(r.wait_followups(1, timeout=15) for r in records))
            assert all("Added `report`" in text_of(r[0]) for r in replies), replies
            assert cited_titles(await ask(fake, b, VOSTRAND_Q), ALL_TITLES) == {VOSTRAND[0]}
            assert cited_titles(await ask(fake, c, MERRITON_Q), ALL_TITLES) == {MERRITON[0]}
            assert cited_titles(await ask(fake, b, MERRITON_Q), ALL_TITLES) <= {BASE_TITLE}

            # Two of B's moderators add one file name at the same moment: one article, one refusal.
            b_owner = fake.world.user(b.guild.owner_id)
            first = fake.add_attachment("same.txt", article(*KELVALE), "text/plain")
            second = fake.add_attachment("same.txt", article(*MERRITON), "text/plain")
            records = await asyncio.gather(
                fake.invoke_slash("corpus add", {"file": first}, user=b.moderator, channel=b.channel),
                fake.invoke_slash("corpus add", {"file": second}, user=b_owner, channel=b.channel),
            )
            replies = [text_of(r[0]) for r in await asyncio.gather(*(r.wait_followups(1, timeout=15) for r in records))]
            assert sum("Added `same`" in r for r in replies) == 1, replies
            assert sum("already has" in r or "meanwhile" in r for r in replies) == 1, replies
            assert (await listing(fake, b)).count("`same`") == 1
    assert fake.server_errors == []


async def test_a_restart_keeps_every_servers_articles_and_settings(tmp_path) -> None:
    async with FakeDiscord() as fake:
        world = three_servers(fake)
        a, b, c = world.servers
        async with bot_for_servers(fake, tmp_path):
            await add(fake, a, "kelvale.txt", article(*KELVALE))
            await add(fake, b, "vostrand.txt", article(*VOSTRAND))
            await add(fake, c, "merriton.txt", article(*MERRITON))
            await run(fake, b, "settings base-corpus", {"enabled": False})
            await run(fake, b, "settings mention-channels", {"action": "add", "channel": b.side})
            await run(fake, c, "settings moderator-role", {"action": "add", "role": c.editors})
        async with bot_for_servers(fake, tmp_path):  # a new process, the same data dir
            for server, own in ((a, "kelvale"), (b, "vostrand"), (c, "merriton")):
                assert f"`{own}`" in await listing(fake, server)
            shown = text_of(await run(fake, b, "settings show"))
            assert "**Base corpus**: off" in shown and f"<#{b.side.id}>" in shown
            assert f"<@&{c.editors.id}>" in text_of(await run(fake, c, "settings show"))
            assert "**Base corpus**: on" in text_of(await run(fake, a, "settings show"))
            assert cited_titles(await ask(fake, b, BASE_QUESTION), ALL_TITLES) == set()
            assert cited_titles(await ask(fake, c, MERRITON_Q), ALL_TITLES) == {MERRITON[0]}
            assert cited_titles(await ask(fake, a, KELVALE_Q), ALL_TITLES) == {KELVALE[0]}
    assert fake.server_errors == []


def _jump(running: Running, days: float) -> None:
    """The lifecycle's clock, `days` ahead of now (its sweep compares it with when a server left)."""
    lifecycle = running.bot.get_cog("Lifecycle")
    lifecycle.clock = lambda: datetime.now(UTC) + timedelta(days=days)


async def _own_articles(running: Running, server: Server) -> list[str]:
    return [info.article_id for info in await (await store_of(running)).list_articles(server.guild.id)]


async def test_leaving_a_server_keeps_its_data_for_the_grace_period_then_forgets_it(tmp_path) -> None:
    async with FakeDiscord() as fake:
        world = three_servers(fake)
        a, b, c = world.servers
        async with bot_for_servers(fake, tmp_path, forget_after_days=30) as running:
            await add(fake, a, "kelvale.txt", article(*KELVALE))
            await add(fake, b, "vostrand.txt", article(*VOSTRAND))
            await add(fake, c, "merriton.txt", article(*MERRITON))
            await run(fake, c, "settings base-corpus", {"enabled": False})
            lifecycle = running.bot.get_cog("Lifecycle")

            # An outage is not a removal: nothing is marked, nothing forgotten.
            await fake.guild_outage(b.guild)
            await fake.wait_for(lambda: running.bot.get_guild(b.guild.id).unavailable, 5, "B unavailable")
            await fake.bot_removed(c.guild)
            await fake.wait_for(lambda: running.bot.get_guild(c.guild.id) is None, 5, "C removed")

            async def c_marked() -> bool:
                return c.guild.id in await (await store_of(running)).guilds_left_before(datetime.now(UTC))

            await eventually(c_marked, what="C marked as left")
            _jump(running, 29)
            assert await lifecycle.forget_expired() == []
            assert await _own_articles(running, c) == ["merriton"]
            await fake.guild_recovers(b.guild)
            _jump(running, 31)
            assert await lifecycle.forget_expired() == [c.guild.id]
            assert await _own_articles(running, c) == []
            assert await _own_articles(running, b) == ["vostrand"] and await _own_articles(running, a) == ["kelvale"]

            # Invited back later, C starts from nothing: no articles, default settings.
            await fake.bot_joins(c.guild)
            await fake.wait_for(lambda: running.bot.get_guild(c.guild.id) is not None, 5, "C back")
            assert "None yet" in await listing(fake, c)
            assert "**Base corpus**: on" in text_of(await run(fake, c, "settings show"))
            await add(fake, c, "merriton.txt", article(*MERRITON))

        # Removed from B and C while the bot is offline: both found at the next start; C invites
        # the bot back within the grace period and keeps its article, B's is forgotten after it.
        await fake.bot_removed(b.guild)
        await fake.bot_removed(c.guild)
        async with bot_for_servers(fake, tmp_path, forget_after_days=30) as running:
            store = await store_of(running)

            async def both_marked() -> bool:
                return {b.guild.id, c.guild.id} <= set(await store.guilds_left_before(datetime.now(UTC)))

            await eventually(both_marked, what="B and C marked as left at start-up")
            lifecycle = running.bot.get_cog("Lifecycle")
            _jump(running, 29)
            assert await lifecycle.forget_expired() == []
            await fake.bot_joins(c.guild)

            async def c_back() -> bool:
                return c.guild.id not in await store.guilds_left_before(datetime.now(UTC))

            await eventually(c_back, what="C's mark cleared")
            _jump(running, 31)
            assert await lifecycle.forget_expired() == [b.guild.id]
            assert await _own_articles(running, b) == [] and await _own_articles(running, a) == ["kelvale"]
            assert await _own_articles(running, c) == ["merriton"]
            assert cited_titles(await ask(fake, c, MERRITON_Q), ALL_TITLES) == {MERRITON[0]}
    assert fake.server_errors == []


def _select_values(message: FakeMessage) -> list[str]:
    for row in message.components:
        for component in row.get("components") or []:
            if component.get("custom_id") == "qa:ctx":
                return [o["value"] for o in component["options"]]
    raise AssertionError(f"no context select on message {message.id}")


async def _answer_message(fake: FakeDiscord, server: Server, question: str) -> FakeMessage:
    record = await fake.invoke_slash("ask", {"question": question}, user=server.member, channel=server.channel)
    await record.wait_followups(1, timeout=15)
    return record.followup_messages[0]


async def test_a_component_from_one_servers_answer_shows_nothing_of_it_in_another(tmp_path) -> None:
    a_local = ("Kelvale council news", "The Kelvale council approved a new tram line along the harbour front.")
    b_local = ("Vostrand council news", "The Vostrand council voted to build flood walls below the glacier.")
    async with FakeDiscord() as fake:
        world = three_servers(fake)
        a, b = world.a, world.b
        async with bot_for_servers(fake, tmp_path):
            # Both servers have an article with the same id: passage ids alone cannot tell them apart.
            await add(fake, a, "council.txt", article(*a_local))
            await add(fake, b, "council.txt", article(*b_local))
            a_answer = await _answer_message(fake, a, "What did the Kelvale council approve?")
            a_values = _select_values(a_answer)

            # In A, A's select shows A's paragraph.
            shown = await fake.click(a_answer, "qa:ctx", user=a.member, values=a_values[:1])
            assert "tram line" in text_of((await shown.wait_response())["data"])

            # The same select arriving from B (no Discord client can send it; the bot must not trust it).
            forged = await fake.tampered_click(
                a_answer, "qa:ctx", channel=b.channel, user=b.member, values=a_values[:1]
            )
            body = text_of((await forged.wait_response())["data"])
            assert "tram line" not in body and "Kelvale" not in body and "not in this server" in body

            # B's own answer, and its select, show B's article of that id, never A's.
            b_answer = await _answer_message(fake, b, "What did the Vostrand council vote for?")
            b_shown = await fake.click(b_answer, "qa:ctx", user=b.member, values=_select_values(b_answer)[:1])
            body = text_of((await b_shown.wait_response())["data"])
            assert "flood walls" in body and "tram line" not in body
    assert fake.server_errors == []
