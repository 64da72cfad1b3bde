"""The components under an answer: Discord's limits, and what each one does when clicked,
including after the corpus changed. Discord's numbers are written out here on purpose."""

from __future__ import annotations

import logging
import re
from types import SimpleNamespace

import discord
import pytest

from bot.render import answer_embed
from bot.store import ServerSettings
from bot.views import SORRY, ContextSelect, FeedbackButton, MoreButton, answer_view, replying_on_failure
from retrieval.answer import Answer, AnsweredPassage, ArticleRef
from retrieval.corpus.collection import short_key
from tests.discord_fakes import GuildLibraries, Interaction, Member, fake_bot, holder_with, server_article

QUESTION = "Did North Korea send arms?"


def long_answer(n: int) -> Answer:
    article = ArticleRef("a", "Title word " * 30, None, None, None)
    passages = tuple(AnsweredPassage(f"a#p{i}", "word " * 200, 1.0, i, article) for i in range(1, n + 1))
    return Answer("q", True, passages, ())


def components(view: discord.ui.View) -> list[dict]:
    return [c for row in view.to_components() for c in row["components"]]


@pytest.mark.parametrize("n", [1, 3, 25])
def test_every_component_is_within_discords_limits(n):
    view = answer_view(long_answer(n), k=n)
    rows = view.to_components()
    assert len(rows) <= 5 and all(len(r["components"]) <= 5 for r in rows)
    for row in rows:  # a select menu has a row to itself
        kinds = [c["type"] for c in row["components"]]
        assert 3 not in kinds or kinds == [3]
    for c in components(view):
        assert len(c["custom_id"]) <= 100
        if c["type"] == 3:
            assert 1 <= len(c["options"]) <= 25
            assert len(c["placeholder"]) <= 150
            for option in c["options"]:
                assert 1 <= len(option["label"]) <= 100 and 1 <= len(option["value"]) <= 100
                assert len(option["description"]) <= 100
        else:
            assert c["type"] == 2 and 1 <= len(c["label"]) <= 80


def test_an_answer_gets_context_more_and_feedback_and_a_no_match_nothing():
    view = answer_view(long_answer(3), k=3)
    assert [c["custom_id"] for c in components(view)] == ["qa:ctx", "qa:more:3:3", "qa:fb:up", "qa:fb:down"]
    assert view.timeout is None  # survives restarts
    select = components(view)[0]
    assert select["placeholder"] == "Show context…"
    assert select["options"][0]["label"].startswith("[1] ¶1 · Title word Title") and select["options"][0][
        "label"
    ].endswith("…")
    assert select["options"][2]["value"] == short_key("a#p3", "word " * 200)
    buttons = components(view)[1:]
    assert [(b["label"], b["emoji"]["name"], b["style"]) for b in buttons] == [
        ("More passages", "➕", 2),
        ("Helpful", "👍", 3),
        ("Not helpful", "👎", 4),
    ]
    assert answer_view(Answer("q", False, (), ()), k=3) is None


def test_more_is_offered_only_after_a_full_page_and_before_50_passages():
    assert "qa:more:2:3" not in str(components(answer_view(long_answer(2), k=3)))
    later = components(answer_view(long_answer(3), k=3, offset=6))
    assert [c["custom_id"] for c in later][:2] == ["qa:ctx", "qa:more:9:3"]
    assert later[0]["options"][0]["label"].startswith("[7] ")
    assert "qa:more" not in str(components(answer_view(long_answer(3), k=3, offset=47)))
    assert "qa:more:49:3" in str(components(answer_view(long_answer(3), k=3, offset=46)))


async def test_custom_ids_are_read_back_and_clamped():
    async def item_for(custom_id):
        cls = MoreButton if custom_id.startswith("qa:more") else FeedbackButton
        match = re.fullmatch(cls.__discord_ui_compiled_template__, custom_id)
        return await cls.from_custom_id(None, None, match)

    more = await item_for("qa:more:9999:99")
    assert (more.offset, more.k) == (50, 10)
    more = await item_for("qa:more:6:0")
    assert (more.offset, more.k) == (6, 1)
    assert (await item_for("qa:fb:up")).helpful is True and (await item_for("qa:fb:down")).helpful is False
    options = [discord.SelectOption(label="x", value="y")]
    select = await ContextSelect.from_custom_id(None, SimpleNamespace(options=options), None)
    assert [o.value for o in select.item.options] == ["y"]
    assert [(o.label, o.value) for o in ContextSelect().item.options] == [("-", "-")]


def posted(answer: Answer, k: int = 3):
    """The message the bot posted for `answer`, as Discord gives it back on a click."""
    view = answer_view(answer, k)
    return SimpleNamespace(
        embeds=[answer_embed(answer)], components=[discord.ActionRow(row) for row in view.to_components()]
    )


@pytest.fixture
def bot(seed_library):
    return fake_bot(holder_with(seed_library))


async def choose(bot, message, key: str) -> Interaction:
    select = ContextSelect()
    select.item._values = [key]
    interaction = Interaction(bot, message=message)
    await select.callback(interaction)
    return interaction


async def test_show_context_gives_the_paragraphs_around_the_passage(bot, seed_library):
    answer = seed_library.answer(QUESTION)
    chosen = answer.passages[0]
    interaction = await choose(bot, posted(answer), short_key(chosen.id, chosen.text))
    (sent,) = interaction.sent
    assert sent.kwargs["ephemeral"] is True and sent.kwargs["allowed_mentions"].to_dict() == {"parse": []}
    assert sent.embed.title.startswith("‘Sensitive issues’ discussed by Putin")
    paragraphs = sent.embed.description.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[1].startswith(f"**▶ ¶{chosen.paragraph}** ")
    assert paragraphs[0].startswith(f"**¶{chosen.paragraph - 1}** ")
    assert len(sent.embed.description) <= 4096 and len(sent.embed.title) <= 256


async def test_a_stale_show_context_choice_says_the_passage_changed(bot, seed_library):
    answer = seed_library.answer(QUESTION)
    chosen = answer.passages[0]
    # The same passage id, with the text it had before an edit: the key no longer matches.
    interaction = await choose(bot, posted(answer), short_key(chosen.id, chosen.text + " (edited)"))
    assert interaction.sent[0].content == (
        "That passage is not in this server's corpus (it may have changed or been removed since this answer)."
    )
    assert interaction.sent[0].kwargs == {"ephemeral": True}
    nothing_chosen = ContextSelect()
    nothing_chosen.item._values = []
    empty = Interaction(bot)
    await nothing_chosen.callback(empty)
    assert empty.sent[0].content.startswith("That passage is not in this server's corpus")


async def test_more_passages_continues_the_question_for_whoever_clicks(bot, seed_library):
    message = posted(seed_library.answer(QUESTION, k=1), k=1)
    interaction = Interaction(bot, message=message)
    await MoreButton(1, 1).callback(interaction)
    defer, sent = interaction.sent
    assert defer.kwargs == {"ephemeral": True, "thinking": True}
    assert sent.kwargs["ephemeral"] is True and sent.kwargs["allowed_mentions"].to_dict() == {"parse": []}
    assert [f.name for f in sent.embed.fields] == ["[2]"]
    assert sent.embed.fields[0].value != message.embeds[0].fields[0].value
    assert [c.custom_id for c in sent.view.children][:2] == ["qa:ctx", "qa:more:2:1"]
    assert bot.holder.questions(10)[0] == 0  # a page of the same question


async def test_more_passages_says_when_there_are_no_more(bot, seed_library):
    interaction = Interaction(bot, message=posted(seed_library.answer(QUESTION)))
    await MoreButton(50, 3).callback(interaction)
    assert interaction.sent[-1].content == "No more relevant passages for this question."
    assert interaction.sent[-1].kwargs == {"ephemeral": True}


@pytest.mark.parametrize(
    "message",
    [None, SimpleNamespace(embeds=[]), SimpleNamespace(embeds=[discord.Embed(title="x").set_footer(text="hi")])],
)
async def test_more_passages_without_a_question_asks_to_ask_again(bot, message):
    interaction = Interaction(bot, message=message)
    await MoreButton(3, 3).callback(interaction)
    assert interaction.sent == [interaction.sent[0]]
    assert interaction.sent[0].content == "I can't tell which question this was; please ask again."
    assert interaction.sent[0].kwargs == {"ephemeral": True}


@pytest.mark.parametrize("helpful", [True, False])
async def test_feedback_records_the_question_passages_and_who(bot, seed_library, helpful):
    answer = seed_library.answer(QUESTION)
    interaction = Interaction(bot, user=Member(7), message=posted(answer))
    await FeedbackButton(helpful).callback(interaction)
    assert interaction.sent[0].kwargs == {"ephemeral": True, "thinking": True}
    assert interaction.sent[1].content == "Thanks for the feedback!"
    (verdict,) = bot.feedback.verdicts
    assert verdict.question == QUESTION and verdict.helpful is helpful
    assert verdict.passage_ids == tuple(p.id for p in answer.passages)
    assert (verdict.guild_id, verdict.channel_id, verdict.user_id) == (10, 20, 7)


async def test_feedback_on_a_changed_corpus_keeps_only_passages_still_there(bot, seed_library):
    answer = seed_library.answer(QUESTION)
    message = posted(answer)
    select = message.components[0].children[0]
    select.options[0].value = short_key(answer.passages[0].id, "old text")  # edited since
    await FeedbackButton(True).callback(Interaction(bot, message=message))
    assert bot.feedback.verdicts[0].passage_ids == tuple(p.id for p in answer.passages[1:])


async def test_feedback_without_a_message_or_a_loaded_corpus_keeps_no_passages(bot, seed_library):
    await FeedbackButton(False).callback(Interaction(bot, message=None))
    assert bot.feedback.verdicts[0].passage_ids == () and bot.feedback.verdicts[0].question == ""
    bot.holder._library = None
    await FeedbackButton(False).callback(Interaction(bot, message=posted(seed_library.answer(QUESTION))))
    assert bot.feedback.verdicts[1].passage_ids == () and bot.feedback.verdicts[1].question == QUESTION


async def test_feedback_that_cannot_be_stored_is_still_thanked(bot, seed_library):
    bot.feedback.working = False
    interaction = Interaction(bot, message=posted(seed_library.answer(QUESTION)))
    await FeedbackButton(True).callback(interaction)
    assert interaction.sent[1].content == "Thanks! (Feedback could not be saved right now.)"
    assert interaction.sent[1].kwargs == {"ephemeral": True}


async def test_a_failing_component_tells_the_member_once(bot, caplog):
    async def broken(interaction):
        raise RuntimeError("index exploded")

    before = Interaction(bot, user=Member(7))
    await replying_on_failure(MoreButton(3, 3), before, broken)
    assert [(s.how, s.content, s.kwargs) for s in before.sent] == [("response", SORRY, {"ephemeral": True})]
    assert [r.getMessage() for r in caplog.records] == ["component qa:more:3:3 failed for user 7"]

    async def broken_after_defer(interaction):
        await interaction.response.defer()
        raise RuntimeError("later")

    after = Interaction(bot)
    await replying_on_failure(FeedbackButton(True), after, broken_after_defer)
    assert [(s.how, s.content, s.kwargs) for s in after.answers] == [("followup", SORRY, {"ephemeral": True})]


async def test_a_failure_that_cannot_be_reported_is_logged(bot, caplog):
    async def broken(interaction):
        raise RuntimeError("index exploded")

    interaction = Interaction(bot, user=Member(8))

    async def unreachable(*args, **kwargs):
        raise discord.HTTPException(SimpleNamespace(status=500, reason="x"), "down")

    interaction.response.send_message = unreachable
    with caplog.at_level(logging.WARNING):
        await replying_on_failure(MoreButton(3, 3), interaction, broken)
    assert caplog.records[-1].getMessage() == "could not tell user 8 about the failure"


@pytest.mark.parametrize(
    "item", [ContextSelect(), MoreButton(3, 3), FeedbackButton(True)], ids=["context", "more", "feedback"]
)
async def test_every_component_tells_the_member_when_it_fails(bot, item, caplog):
    bot.holder._library = None  # "the corpus is not loaded yet"
    bot.feedback.record = None  # and a feedback store that cannot be called
    interaction = Interaction(bot, message=SimpleNamespace(embeds=[answer_embed(long_answer(1))], components=[]))
    await item.callback(interaction)
    assert interaction.answers[-1].content == SORRY
    assert caplog.records[0].getMessage().startswith(f"component {item.item.custom_id} failed for user 1")


def test_option_labels_and_descriptions_are_cut_within_100_characters():
    title = "a" * 91 + " bbbb"  # a space at index 100 of the label "[1] ¶1 · …"
    article = ArticleRef("a", title, None, None, None)
    answer = Answer("q", True, (AnsweredPassage("a#p1", "c" * 100 + " dddd", 1.0, 1, article),), ())
    (option,) = components(answer_view(answer, k=3))[0]["options"]
    assert len(option["label"]) <= 100 and len(option["description"]) <= 100


async def test_feedback_reads_options_from_rows_or_bare_components(bot, seed_library):
    answer = seed_library.answer(QUESTION)
    keys = [discord.SelectOption(label="x", value=short_key(p.id, p.text)) for p in answer.passages]
    message = SimpleNamespace(embeds=[answer_embed(answer)], components=[SimpleNamespace(options=keys)])
    await FeedbackButton(True).callback(Interaction(bot, message=message))
    assert bot.feedback.verdicts[0].passage_ids == tuple(p.id for p in answer.passages)


async def test_show_context_of_an_article_with_one_passage(tmp_path):
    from retrieval.answering.library import Library

    (tmp_path / "brief.txt").write_text("Brief note\n\nThe harbour reopened on Friday after the storm.\n")
    library = Library.load(tmp_path)
    bot = fake_bot(holder_with(library))
    (only,) = library.corpus.passages
    interaction = await choose(bot, None, short_key(only.id, only.text))
    embed = interaction.sent[0].embed
    assert embed.title == "Brief note"
    assert embed.description == "**▶ ¶1** The harbour reopened on Friday after the storm."


# --- components clicked in another server than the answer's ------------------------------------

A, B = 10, 77  # A is discord_fakes.Interaction's default guild
HARBOUR_QUESTION = "When did the harbour reopen?"


@pytest.fixture
def two_servers(seed_library):
    """Server A answers from the seed plus its own harbour article, server B from the seed alone."""
    holder = holder_with(seed_library)
    joined = seed_library.joined([server_article()])
    libraries = GuildLibraries(holder, joined={A: joined})
    return fake_bot(holder, libraries=libraries), joined


def harbour_key(answer: Answer) -> str:
    (passage, *_) = [p for p in answer.passages if p.article.id == "harbour"]
    return short_key(passage.id, passage.text)


async def test_a_context_choice_from_server_a_shows_nothing_of_it_in_server_b(two_servers):
    bot, joined = two_servers
    answer = joined.answer(HARBOUR_QUESTION)
    key = harbour_key(answer)
    select = ContextSelect()
    select.item._values = [key]
    in_b = Interaction(bot, message=posted(answer), guild_id=B)
    await select.callback(in_b)
    assert [s.content for s in in_b.sent] == [
        "That passage is not in this server's corpus (it may have changed or been removed since this answer)."
    ]
    assert in_b.sent[0].embed is None
    in_a = Interaction(bot, message=posted(answer), guild_id=A)
    await select.callback(in_a)
    assert in_a.sent[0].embed.title == "Harbour reopens after storm"
    assert bot.libraries.asked == [(B, True), (A, True)]


async def test_more_passages_clicked_in_server_b_answers_from_bs_library(two_servers):
    bot, joined = two_servers
    message = posted(joined.answer(HARBOUR_QUESTION, k=1), k=1)
    in_b = Interaction(bot, message=message, guild_id=B)
    await MoreButton(1, 1).callback(in_b)
    assert bot.libraries.asked == [(B, True)]
    assert "Harbour" not in str([s.embed and s.embed.to_dict() for s in in_b.sent]) + str(in_b.sent[-1].content)
    in_a = Interaction(bot, message=message, guild_id=A)
    await MoreButton(1, 1).callback(in_a)
    assert "Harbour reopens after storm" in str(in_a.sent[-1].embed.to_dict())
    assert bot.holder.questions(A) == (0, 0) and bot.holder.questions(B) == (0, 0)  # pages are no questions


async def test_feedback_goes_under_the_clicking_server_with_only_its_passages(two_servers):
    bot, joined = two_servers
    answer = joined.answer(HARBOUR_QUESTION)
    await FeedbackButton(True).callback(Interaction(bot, message=posted(answer), guild_id=B))
    await FeedbackButton(True).callback(Interaction(bot, message=posted(answer), guild_id=A))
    in_b, in_a = bot.feedback.verdicts
    assert in_b.guild_id == B and not any(pid.startswith("harbour") for pid in in_b.passage_ids)
    assert in_a.guild_id == A and in_a.passage_ids == tuple(p.id for p in answer.passages)


async def test_components_in_a_server_with_nothing_to_answer_from(seed_library):
    holder = holder_with(seed_library)
    bot = fake_bot(holder, libraries=GuildLibraries(holder), server_settings={A: ServerSettings(base_corpus=False)})
    answer = seed_library.answer(QUESTION)
    more = Interaction(bot, message=posted(answer))
    await MoreButton(3, 3).callback(more)
    assert more.answers[0].content.startswith("This server has no articles of its own and its base corpus is")
    assert more.answers[0].kwargs == {"ephemeral": True}  # only the member who clicked reads it
    chosen = answer.passages[0]
    context = await choose(bot, posted(answer), short_key(chosen.id, chosen.text))
    assert context.sent[0].content.startswith("That passage is not in this server's corpus")
    await FeedbackButton(False).callback(Interaction(bot, message=posted(answer)))
    assert bot.feedback.verdicts[0].passage_ids == () and bot.feedback.verdicts[0].guild_id == A
    assert bot.libraries.asked == [(A, False)] * 3


async def test_more_passages_follows_the_servers_strictness(related_only_library):
    seed_library, question = related_only_library, QUESTION
    assert seed_library.answer(question).confidence == "related"
    message = posted(seed_library.answer(question, k=1), k=1)
    for strictness, shown in (("normal", True), ("strict", False)):
        bot = fake_bot(holder_with(seed_library), server_settings={A: ServerSettings(strictness=strictness)})
        interaction = Interaction(bot, message=message)
        await MoreButton(1, 1).callback(interaction)
        reply = interaction.answers[-1]
        if shown:
            assert reply.embed.description.startswith("**Related, not an answer:**")
        else:
            assert reply.content == "No more relevant passages for this question."


async def test_a_more_button_from_offset_0_counts_only_in_the_server_clicked_in(two_servers):
    # A custom id "qa:more:0:k" reads back as a first page, which holder.answer counts as a question.
    bot, joined = two_servers
    message = posted(joined.answer(HARBOUR_QUESTION, k=1), k=1)
    match = re.fullmatch(MoreButton.__discord_ui_compiled_template__, "qa:more:0:1")
    button = await MoreButton.from_custom_id(None, None, match)
    await button.callback(Interaction(bot, message=message, guild_id=B))
    assert (button.offset, button.k) == (0, 1)
    assert bot.holder.questions(B) == (1, 1)  # asked, and B has nothing on the harbour
    assert bot.holder.all_questions() == (1, 1)  # nothing under direct messages or server A
