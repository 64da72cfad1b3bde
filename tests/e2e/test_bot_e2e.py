"""The real bot end to end: commands, mentions, buttons, moderation and gateway faults."""

from __future__ import annotations

import json
import sqlite3

import discord

from bot.client import intents
from tests.e2e.conftest import Running, bot_on
from tests.e2e.fake_discord import FakeDiscord

DEFER = 5
EPHEMERAL = 64
QUESTION = "Did North Korea send arms?"


def embed_of(body: dict) -> dict:
    (embed,) = body["embeds"]
    return embed


def all_text(embed: dict) -> str:
    parts = [embed.get("title", ""), embed.get("description", "") or ""]
    parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts).replace("**", "")  # matched words are bold


def custom_ids(message) -> list[str]:
    return [c["custom_id"] for row in message.components for c in row["components"]]


async def ask(env: Running, question: str = QUESTION, **options):
    record = await env.fake.invoke_slash("ask", {"question": question, **options})
    response = await record.wait_response()
    (followup,) = await record.wait_followups(1)
    return record, response, followup


async def test_login_syncs_commands_to_the_dev_guild_with_moderator_permissions(env: Running):
    commands = {c["name"]: c for c in env.fake.registered_commands(env.fake.guild.id)}
    assert set(commands) == {"ask", "corpus", "settings", "Find sources"}
    assert commands["Find sources"]["type"] == 3
    assert int(commands["corpus"]["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    assert int(commands["settings"]["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    assert commands["ask"].get("default_member_permissions") is None
    subcommands = {o["name"] for o in commands["corpus"]["options"]}
    assert subcommands == {"reload", "add", "remove", "list", "stats", "forget"}
    assert env.fake.registered_commands(None) == []  # never a global sync on start
    assert env.fake.intents == intents().value
    assert not intents().message_content


async def test_ask_defers_then_answers_with_sourced_passages(env: Running):
    record, response, followup = await ask(env)
    assert response["type"] == DEFER and not (response.get("data") or {}).get("flags", 0) & EPHEMERAL
    # Acknowledged before the answer was sent (the fake itself refuses a callback after 3 s).
    callbacks = env.fake.requests_to("POST", rf"/interactions/{record.id}/.+/callback")
    followups = env.fake.requests_to("POST", rf"/webhooks/\d+/{record.token}")
    assert env.fake.requests.index(callbacks[0]) < env.fake.requests.index(followups[0])
    embed = embed_of(followup)
    assert len(embed["fields"]) == 3
    text = all_text(embed)
    assert "Euronews" in text and "2023-09-13" in text and "¶" in text
    assert "accused **North** **Korea** of **providing** **arms**" in embed["fields"][0]["value"]
    assert followup["allowed_mentions"] == {"parse": []}
    assert "qa:fb:up" in custom_ids(record.followup_messages[0])


async def test_private_ask_stays_ephemeral(env: Running):
    record, response, followup = await ask(env, private=True)
    assert response["data"]["flags"] & EPHEMERAL
    assert record.followup_messages[0].ephemeral


async def test_unanswerable_question_says_nothing_in_the_corpus_answers(env: Running):
    _, _, followup = await ask(env, "What is the best recipe for banana bread?")
    embed = embed_of(followup)
    assert "Nothing in the corpus answers this" in embed["description"]
    assert not embed.get("fields")


ZERO_WIDTH = "\u200b"


def embed_json(embed: dict) -> str:
    return json.dumps(embed, ensure_ascii=False)


async def test_mention_is_answered_as_a_reply_that_pings_nobody(env: Running):
    fake = env.fake
    question = await fake.post_message(fake.channel, fake.member, "who is Dmitry Peskov?", mention_bot=True)
    reply = await fake.wait_for_bot_message(fake.channel)
    assert int(reply.body["message_reference"]["message_id"]) == question.id
    assert reply.body["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert fake.member not in reply.mentions  # the reply did not ping the asker
    (embed,) = reply.embeds
    assert embed["fields"] and embed["title"] == "who is Dmitry Peskov?"
    assert "Kremlin spokesman" in all_text(embed)


async def test_everyone_and_role_mentions_come_back_dead(env: Running):
    fake = env.fake
    role, member = fake.moderator_role.id, fake.member.id
    content = f"@everyone @here <@&{role}> <@{member}> who is Dmitry Peskov?"
    await fake.post_message(fake.channel, fake.member, content, mention_bot=True)
    reply = await fake.wait_for_bot_message(fake.channel)
    assert reply.body["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert not reply.body.get("content")  # everything is in the embed
    (embed,) = reply.embeds
    rendered = embed_json(embed)
    # The question is shown (title and footer), with every mention defused by a zero-width space.
    for raw in ("@everyone", "@here", f"<@&{role}>", f"<@{member}>"):
        assert raw not in rendered
    defused = f"@{ZERO_WIDTH}everyone @{ZERO_WIDTH}here <@{ZERO_WIDTH}&{role}> <@{ZERO_WIDTH}{member}>"
    assert embed["title"].startswith(defused) and defused in embed["footer"]["text"]
    assert not reply.mention_everyone and not reply.mention_role_ids and not reply.mentions


async def test_reply_to_an_answer_is_a_follow_up_question(env: Running):
    fake = env.fake
    follow_up = "and who denied it?"
    # Alone it answers nothing: only the follow-up path (the question it replies to) can answer it.
    assert not env.bot.holder.library.answer(follow_up, 3).confident
    await fake.post_message(fake.channel, fake.member, QUESTION, mention_bot=True)
    answer = await fake.wait_for_bot_message(fake.channel)
    await fake.post_message(fake.channel, fake.member, follow_up, mention_bot=True, reply_to=answer)
    reply = await fake.wait_for_bot_message(fake.channel)
    (embed,) = reply.embeds
    assert embed["title"] == f"{QUESTION} {follow_up}" and embed["fields"]
    # A reply to someone else's message is not a follow-up: the question stands alone.
    other = await fake.post_message(fake.channel, fake.moderator, "North Korea sent arms, says a report")
    await fake.post_message(fake.channel, fake.member, follow_up, mention_bot=True, reply_to=other)
    alone = (await fake.wait_for_bot_message(fake.channel)).embeds[0]
    assert alone["title"] == follow_up and not alone.get("fields")


async def test_dm_questions_are_answered(env: Running):
    fake = env.fake
    dm = fake.dm_channel(fake.member)
    await fake.post_message(dm, fake.member, "Which UN resolution forbids buying North Korean weapons?")
    reply = await fake.wait_for_bot_message(dm)
    assert "2009 United Nations Security Resolution" in all_text(reply.embeds[0])


async def test_find_sources_on_a_posted_claim(env: Running):
    fake = env.fake
    claim = await fake.post_message(
        fake.channel, fake.moderator, "North Korea sent Russia loads of ammunition, it's obvious"
    )
    record = await fake.invoke_message_command("Find sources", claim)
    (followup,) = await record.wait_followups(1)
    assert record.response["data"]["flags"] & EPHEMERAL
    assert "ammunition" in all_text(embed_of(followup)).lower()


async def test_more_passages_context_and_feedback_buttons(env: Running):
    fake = env.fake
    record, _, _ = await ask(env)
    answer = record.followup_messages[0]
    first_ids = {f["value"] for f in answer.embeds[0]["fields"]}

    more = await fake.click(answer, "qa:more:3:3", user=fake.moderator)
    (more_body,) = await more.wait_followups(1)
    more_fields = embed_of(more_body)["fields"]
    assert more_fields and {f["value"] for f in more_fields}.isdisjoint(first_ids)
    assert more_fields[0]["name"] == "[4]"
    assert more.followup_messages[0].ephemeral

    select = next(c for row in answer.components for c in row["components"] if c["custom_id"] == "qa:ctx")
    chosen = select["options"][0]["value"]
    context = await fake.click(answer, "qa:ctx", values=[chosen])
    response = await context.wait_response()
    assert response["data"]["flags"] & EPHEMERAL and "▶" in response["data"]["embeds"][0]["description"]

    vote = await fake.click(answer, "qa:fb:up")
    assert "Thanks" in (await vote.wait_followups(1))[0]["content"]
    rows = (
        sqlite3.connect(env.data_dir / "qa-bot.sqlite3")
        .execute("SELECT question, passage_ids, guild_id, channel_id, user_id, verdict FROM feedback")
        .fetchall()
    )
    assert len(rows) == 1
    question, passage_ids, guild_id, channel_id, user_id, verdict = rows[0]
    assert (question, guild_id, channel_id, user_id, verdict) == (
        QUESTION,
        fake.guild.id,
        fake.channel.id,
        fake.member.id,
        "helpful",
    )
    assert len(passage_ids.split()) == 3 and all("#p" in p for p in passage_ids.split())


async def test_buttons_keep_working_after_a_restart(tmp_path):
    async with FakeDiscord() as fake:
        async with bot_on(fake, tmp_path / "one") as first:
            record, _, _ = await ask(first)
            old_answer = record.followup_messages[0]
        # A new bot process: nothing in memory but what the message carries.
        async with bot_on(fake, tmp_path / "two"):
            more = await fake.click(old_answer, "qa:more:3:3")
            (body,) = await more.wait_followups(1)
            assert embed_of(body)["fields"]
            vote = await fake.click(old_answer, "qa:fb:down")
            assert "Thanks" in (await vote.wait_followups(1))[0]["content"]
        assert fake.server_errors == []


async def test_corpus_reload_refused_for_members_and_moderators_and_done_for_the_owner(env: Running):
    fake = env.fake
    refused = await fake.invoke_slash("corpus reload", user=fake.member, bypass_default_permissions=True)
    response = await refused.wait_response()
    assert "Only the bot's owner" in response["data"]["content"] and response["data"]["flags"] & EPHEMERAL
    refused = await fake.invoke_slash("corpus reload", user=fake.moderator)
    assert "Only the bot's owner" in (await refused.wait_response())["data"]["content"]

    (env.corpus_dir / "storm.txt").write_text(
        "Hurricane Idalia hits Florida\n\nHurricane Idalia made landfall near Keaton Beach as a Category 3 storm.\n"
    )
    done = await fake.invoke_slash("corpus reload", user=fake.owner)
    (report,) = await done.wait_followups(1)
    description = embed_of(report)["description"]
    assert "+1 added" in description and "`storm`" in description

    _, _, followup = await ask(env, "Where did Hurricane Idalia make landfall?")
    assert "Keaton Beach" in all_text(embed_of(followup))


async def test_broken_file_during_reload_is_reported_and_answers_go_on(env: Running):
    fake = env.fake
    (env.corpus_dir / "broken.txt").write_bytes(b"\x00\x01\x02binary junk" * 50)
    (env.corpus_dir / "empty.md").write_bytes(b"")
    done = await fake.invoke_slash("corpus reload", user=fake.owner)
    (report,) = await done.wait_followups(1)
    description = embed_of(report)["description"]
    assert "broken.txt: binary data" in description and "empty.md: empty file" in description
    _, _, followup = await ask(env)
    assert len(embed_of(followup)["fields"]) == 3


async def test_corpus_add_list_and_remove(env: Running):
    fake = env.fake
    article = (
        b"---\ntitle: Storm report\nsource: Example News\npublished: 2023-08-30\n---\n"
        b"Storm report\n\nThe storm flooded the harbour of Exampleton overnight.\n"
    )
    base_files = sorted(p.name for p in env.corpus_dir.iterdir())
    attachment = fake.add_attachment("Storm Report (final).md", article, content_type=None)
    added = await fake.invoke_slash("corpus add", {"file": attachment}, user=fake.moderator)
    (report,) = await added.wait_followups(1)
    assert report["content"].startswith("Added `Storm-Report-final` (1 passage); this server now has 1 article")
    assert sorted(p.name for p in env.corpus_dir.iterdir()) == base_files  # stored, not written to the base
    _, _, followup = await ask(env, "Which harbour did the storm flood?")
    assert "Exampleton" in all_text(embed_of(followup))

    fake_pdf = fake.add_attachment("notes.txt", b"%PDF-1.4\x00\x00binary", content_type="text/plain")
    refused = await fake.invoke_slash("corpus add", {"file": fake_pdf}, user=fake.moderator)
    (refusal,) = await refused.wait_followups(1)
    assert "was not added: binary data" in refusal["content"]

    listing = await fake.invoke_slash("corpus list", user=fake.moderator)
    (body,) = await listing.wait_followups(1)
    assert "`Storm-Report-final`" in embed_of(body)["description"]
    assert "Base corpus (read-only)" in embed_of(body)["description"]

    typed = await fake.autocomplete("corpus remove", {"article": "storm"}, focused="article", user=fake.moderator)
    await typed.wait_response()
    assert [c["value"] for c in typed.choices] == ["Storm-Report-final"]

    removed = await fake.invoke_slash("corpus remove", {"article": "Storm-Report-final"}, user=fake.moderator)
    (report,) = await removed.wait_followups(1)
    assert report["content"] == "Removed `Storm-Report-final`; this server now has 0 articles, 0.0 KB."
    assert sorted(p.name for p in env.corpus_dir.iterdir()) == base_files


async def test_corpus_stats_counts_questions_and_feedback(env: Running):
    fake = env.fake
    await ask(env)
    await ask(env, "Book me a flight to Dubai")
    stats = await fake.invoke_slash("corpus stats", user=fake.moderator)
    (body,) = await stats.wait_followups(1)
    description = embed_of(body)["description"]
    assert "Questions asked here since start: **2**" in description and "No-match rate: **50%**" in description


async def test_reconnect_resumes_and_keeps_answering(env: Running):
    fake = env.fake
    await fake.send_reconnect()
    await fake.wait_until_resumed()
    assert fake.identify_count == 1
    _, _, followup = await ask(env)
    assert embed_of(followup)["fields"]


async def test_cooldown_answers_politely_and_is_per_member(tmp_path):
    async with FakeDiscord() as fake, bot_on(fake, tmp_path, ask_cooldown_s=60) as env:
        await ask(env, "Who is Dmitry Peskov?")
        again = await fake.invoke_slash("ask", {"question": "Who is Fyodor Tertitskiy?"})
        response = await again.wait_response()
        assert "please wait" in response["data"]["content"] and response["data"]["flags"] & EPHEMERAL
        other = await fake.invoke_slash("ask", {"question": "Who is Fyodor Tertitskiy?"}, user=fake.moderator)
        assert (await other.wait_response())["type"] == DEFER
        await fake.post_message(fake.channel, fake.member, "who is Kim?", mention_bot=True)
        assert "please wait" in (await fake.wait_for_bot_message(fake.channel)).content


async def test_a_base_article_cannot_be_removed_from_discord(env: Running):
    fake = env.fake
    removed = await fake.invoke_slash("corpus remove", {"article": "000_ed5a8209f2aae2b8"}, user=fake.moderator)
    (reply,) = await removed.wait_followups(1)
    assert "belongs to the base corpus" in reply["content"] and "cannot be removed from Discord" in reply["content"]
    assert (env.corpus_dir / "000_ed5a8209f2aae2b8.txt").exists()
    assert (env.corpus_dir / "000_ed5a8209f2aae2b8.txt.meta.json").exists()
    _, _, followup = await ask(env)
    assert embed_of(followup)["fields"]


async def test_adding_over_a_base_article_is_refused(env: Running):
    fake = env.fake
    # Another extension, same article id: the base would win the id and hide the server's article.
    attachment = fake.add_attachment("000_ed5a8209f2aae2b8.md", b"Other\n\nSomething else entirely.\n")
    added = await fake.invoke_slash("corpus add", {"file": attachment}, user=fake.moderator)
    (response,) = await added.wait_followups(1)
    assert "The base corpus already has an article with the id" in response["content"]
    assert "Putin" in (env.corpus_dir / "000_ed5a8209f2aae2b8.txt").read_text()
    assert not (env.corpus_dir / "000_ed5a8209f2aae2b8.md").exists()


async def test_more_passages_is_offered_only_after_a_full_page(env: Running):
    record, _, _ = await ask(env, "Who is Dmitry Peskov?")
    shown = len(embed_of(record.followups[0])["fields"])
    ids = custom_ids(record.followup_messages[0])
    assert ("qa:more:3:3" in ids) == (shown == 3)


async def test_a_failing_button_tells_the_member(env: Running, monkeypatch, caplog):
    record, _, _ = await ask(env)

    async def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(env.bot.holder, "answer", broken)
    more = await env.fake.click(record.followup_messages[0], "qa:more:3:3")
    (reply,) = await more.wait_followups(1)
    assert "something went wrong" in reply["content"]
    assert any("index exploded" in (r.exc_text or "") for r in caplog.records)


async def test_qa_bot_sync_publishes_commands_globally(tmp_path):
    from bot.run import _sync_global

    async with FakeDiscord() as fake, bot_on(fake, tmp_path) as env:
        with fake.patched_discord():
            assert await _sync_global(env.bot.settings) == 0
        assert {c["name"] for c in fake.registered_commands(None)} == {"ask", "corpus", "settings", "Find sources"}


async def test_questions_in_a_thread_are_answered_there(env: Running):
    fake = env.fake
    record = await fake.invoke_slash("ask", {"question": "Who is Dmitry Peskov?"}, channel=fake.thread)
    (followup,) = await record.wait_followups(1)
    assert "Kremlin spokesman" in all_text(embed_of(followup))
    await fake.post_message(fake.thread, fake.member, "who is Fyodor Tertitskiy?", mention_bot=True)
    reply = await fake.wait_for_bot_message(fake.thread)
    assert "Tertitskiy" in all_text(reply.embeds[0])


async def test_more_passages_is_not_held_back_by_the_cooldown(tmp_path):
    async with FakeDiscord() as fake, bot_on(fake, tmp_path, ask_cooldown_s=60) as env:
        record, _, _ = await ask(env)
        more = await fake.click(record.followup_messages[0], "qa:more:3:3", user=fake.member)
        (body,) = await more.wait_followups(1)
        assert embed_of(body)["fields"]


SEND_MESSAGES, EMBED_LINKS = 1 << 11, 1 << 14


async def test_a_channel_the_bot_may_not_write_in_refuses_its_reply_and_the_bot_serves_on(env: Running, caplog):
    fake = env.fake
    await fake.set_overwrite(fake.channel, fake.bot_role, deny=SEND_MESSAGES)
    await fake.post_message(fake.channel, fake.member, "who is Dmitry Peskov?", mention_bot=True)
    told = lambda: any("could not tell user" in r.getMessage() for r in caplog.records)  # noqa: E731
    await fake.wait_for(told, 5, "the bot giving up on the reply")
    # The answer and the apology were both refused as Discord refuses them: nothing was posted.
    assert [r.status for r in fake.requests_to("POST", rf"/channels/{fake.channel.id}/messages")] == [403, 403]
    assert fake.bot_messages(fake.channel) == []
    # Slash commands answer through the interaction, which channel permissions do not gate.
    _, _, followup = await ask(env, "Who is Dmitry Peskov?")
    assert embed_of(followup)["fields"]


async def test_without_embed_links_the_member_is_told_something_went_wrong(env: Running):
    fake = env.fake
    await fake.set_overwrite(fake.channel, fake.bot_role, deny=EMBED_LINKS)
    await fake.post_message(fake.channel, fake.member, "who is Dmitry Peskov?", mention_bot=True)
    reply = await fake.wait_for_bot_message(fake.channel)
    assert [r.status for r in fake.requests_to("POST", rf"/channels/{fake.channel.id}/messages")] == [403, 200]
    assert not reply.embeds and "something went wrong" in reply.content


async def test_the_bot_needs_no_privileged_intent(tmp_path):
    # An application with every privileged intent switched off in the developer portal (README, step 1).
    async with FakeDiscord(privileged_intents=0) as fake, bot_on(fake, tmp_path) as env:
        _, _, followup = await ask(env)
        assert embed_of(followup)["fields"]
        await fake.post_message(fake.channel, fake.member, "who is Dmitry Peskov?", mention_bot=True)
        assert (await fake.wait_for_bot_message(fake.channel)).embeds


MANAGE_GUILD = 1 << 5


async def test_the_moderator_role_is_enough_and_manage_server_is_enough(tmp_path):
    async with FakeDiscord() as fake:
        editors = fake.add_role("Corpus editors", permissions=0)  # no Manage Server
        editor = fake.add_member("editor", roles=[editors])
        admin = fake.add_member("server-admin", roles=[fake.add_role("Admins", permissions=MANAGE_GUILD)])
        bystander = fake.add_member("bystander")
        async with bot_on(fake, tmp_path, moderator_role_id=editors.id):
            # Discord hides /corpus from the role until an admin allows it under Integrations:
            # bypass_default_permissions is that override; the bot must then let the role in.
            by_role = await fake.invoke_slash("corpus stats", user=editor, bypass_default_permissions=True)
            (report,) = await by_role.wait_followups(1)
            assert embed_of(report)["title"] == "Corpus stats for this server"
            by_permission = await fake.invoke_slash("corpus list", user=admin)
            (listing,) = await by_permission.wait_followups(1)
            assert embed_of(listing)["title"] == "Articles answering in this server"
            refused = await fake.invoke_slash("corpus list", user=bystander, bypass_default_permissions=True)
            response = await refused.wait_response()
            assert "Only moderators" in response["data"]["content"] and response["data"]["flags"] & EPHEMERAL
            assert "embeds" not in response["data"] or not response["data"]["embeds"]


async def test_an_upload_declared_over_5_mb_is_refused_without_downloading_it(env: Running):
    fake = env.fake
    too_big = fake.add_attachment("huge.txt", b"Huge\n\n" + b"word " * 1_000_000)  # 5,000,006 bytes
    assert too_big.payload()["size"] > 5_000_000
    refused = await fake.invoke_slash("corpus add", {"file": too_big}, user=fake.moderator)
    response = await refused.wait_response()
    assert "5,000,000" in response["data"]["content"] and response["data"]["flags"] & EPHEMERAL
    assert too_big.downloads == 0 and not (env.corpus_dir / "huge.txt").exists()
    fits = fake.add_attachment("small.txt", b"Small storm\n\nA small storm passed over Exampleton.\n")
    added = await fake.invoke_slash("corpus add", {"file": fits}, user=fake.moderator)
    (report,) = await added.wait_followups(1)
    assert fits.downloads == 1 and report["content"].startswith("Added `small` (1 passage)")


async def test_show_context_on_a_passage_edited_since_the_answer_says_so(env: Running):
    fake = env.fake
    record, _, _ = await ask(env)
    answer = record.followup_messages[0]
    select = next(c for row in answer.components for c in row["components"] if c["custom_id"] == "qa:ctx")
    stale = select["options"][0]["value"]
    passage = answer.embeds[0]["fields"][0]["value"]
    assert "accused" in passage  # ¶11, "The US has previously accused North Korea of providing arms…"
    seed = env.corpus_dir / "000_ed5a8209f2aae2b8.txt"
    seed.write_text(seed.read_text().replace("has previously accused", "has repeatedly accused"))
    reload = await fake.invoke_slash("corpus reload", user=fake.owner)
    assert "~1 changed" in embed_of((await reload.wait_followups(1))[0])["description"]
    context = await fake.click(answer, "qa:ctx", values=[stale])
    response = await context.wait_response()
    assert "may have changed or been removed" in response["data"]["content"] and response["data"]["flags"] & EPHEMERAL
    assert not response["data"].get("embeds")
    # An option of a passage that did not change still shows its context.
    unchanged = await fake.click(answer, "qa:ctx", values=[select["options"][1]["value"]])
    assert "▶" in (await unchanged.wait_response())["data"]["embeds"][0]["description"]


async def test_an_answer_from_an_article_with_a_very_long_title_still_fits_discords_limits(env: Running):
    # Select option labels and descriptions are cut to Discord's 100 characters, or the fake
    # (like Discord) refuses the whole answer with a 400.
    fake = env.fake
    title = "Hurricane Idalia " + " ".join(f"update{i}" for i in range(60))  # ~440 characters
    opening = "Hurricane Idalia made landfall near Keaton Beach as a Category 3 storm, said"
    opening += " forecasters" + "s" * (100 - len(opening) - len(" forecasters"))  # a word ends at 100
    paragraph = opening + " in Tallahassee on Wednesday morning, as the storm moved north into Georgia."
    assert len(opening) == 100 and paragraph[100] == " "  # cutting at 101 would keep all 100 + "…"
    (env.corpus_dir / "long.txt").write_text(f"{title}\n\n{paragraph}\n")
    reload = await fake.invoke_slash("corpus reload", user=fake.owner)
    await reload.wait_followups(1)
    record, _, followup = await ask(env, "Where did Hurricane Idalia make landfall?")
    assert embed_of(followup)["fields"]
    assert [r.status for r in fake.requests_to("POST", rf"/webhooks/\d+/{record.token}")] == [200]
    select = next(c for row in followup["components"] for c in row["components"] if c["type"] == 3)
    assert all(len(o["label"]) <= 100 and len(o.get("description", "")) <= 100 for o in select["options"])
    assert any(len(o["label"]) > 90 for o in select["options"])  # the cut really happened near the limit
