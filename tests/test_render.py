"""The embed renderer: Discord's limits, escaping, no live mentions, verbatim quotes."""

from __future__ import annotations

import discord
import pytest

from bot.render import (
    answer_embed,
    cut_words,
    message_text,
    question_from_embed,
)
from retrieval.answer import Answer, AnsweredPassage, ArticleRef, Caveat

ARTICLE = ArticleRef("a1", "A *bold* title with @everyone", "Outlet", "https://example.org/a?x=(1)", "2023-09-13")


def passage(text: str, n: int = 1, **extra) -> AnsweredPassage:
    return AnsweredPassage(id=f"a1#p{n}", text=text, score=1.0, paragraph=n, article=ARTICLE, **extra)


def embed_dict(embed: discord.Embed) -> dict:
    return embed.to_dict()


def test_caveats_come_first_and_passages_are_quoted_with_their_source():
    answer = Answer(
        "Did North Korea send arms?",
        True,
        (
            passage(
                "The US has previously accused North Korea of providing arms.",
                speaker="The US",
                cue="accused",
                hedges=("accused",),
                stance="uncertain",
            ),
        ),
        (Caveat("conflict", "The passages disagree."), Caveat("date", "Published 13 September 2023.")),
        query_terms=("north", "korea", "send", "weapon"),
    )
    embed = answer_embed(answer)
    assert embed.description.splitlines()[0].endswith("The passages disagree.")
    value = embed.fields[0].value
    assert value.startswith("> The US has previously accused **North** **Korea** of providing **arms**.")
    assert "Outlet" in value and "2023-09-13" in value and "¶1" in value
    assert "(<https://example.org/a?x=(1%29>)" in value
    assert "The US (accused)" in value and "“accused”" in value
    assert question_from_embed(embed) == "Did North Korea send arms?"


def test_markdown_and_mentions_in_article_text_are_escaped():
    answer = Answer(
        "q **bold** <@123456789012345678> @everyone",
        True,
        (passage("Text with ||spoiler|| and [link](http://x) <@&223456789012345678> @here"),),
        (),
    )
    embed = answer_embed(answer)
    value = embed.fields[0].value
    assert "\\|\\|spoiler\\|\\|" in value and "\\[link]" in value
    assert "<@&223456789012345678>" not in value and "<@123456789012345678>" not in embed.title
    assert "@everyone" not in embed.title.replace("@\u200beveryone", "")
    assert "@here" not in value.replace("@\u200bhere", "")
    assert "\\*\\*bold\\*\\*" in embed.title


@pytest.mark.parametrize("text_len", [700, 5000])
def test_every_limit_holds_for_long_content(text_len):
    long_words = " ".join(["wordy*_`~|"] * (text_len // 11))
    passages = tuple(
        passage(long_words[:700], n, hedges=tuple(f"hedge {i}" * 10 for i in range(20)), speaker="S" * 300, cue="said")
        for n in range(1, 26)
    )
    caveats = tuple(Caveat("hedge", long_words) for _ in range(10))
    answer = Answer("Q" * 1000 + " " + "w" * 999, True, passages, caveats, query_terms=("wordi",))
    embed = answer_embed(answer)
    # Discord's limits, written out: 6,000 in all, 256 title, 4,096 description, 1,024 per field
    # value, 25 fields, 2,048 footer.
    assert len(embed) <= 6000
    assert len(embed.title) <= 256
    assert len(embed.description) <= 4096
    assert len(embed.fields) <= 25
    assert all(len(f.value) <= 1024 for f in embed.fields)
    assert len(embed.footer.text) <= 2048
    assert len(embed.fields) >= 1
    # Cut values end at a word with an ellipsis, never inside an escape sequence.
    for field in embed.fields:
        assert not field.value.rstrip("…").endswith("\\")


def test_cut_words_never_splits_a_word():
    text = "alpha beta gamma delta"
    assert cut_words(text, 12) == "alpha beta…"
    assert cut_words(text, 100) == text
    assert len(message_text("x " * 3000)) <= 2000


def test_no_match_answer_has_no_fields():
    answer = Answer("banana?", False, (), (Caveat("no_match", "Nothing in the corpus answers this."),))
    embed = answer_embed(answer)
    assert embed.fields == [] and "Nothing in the corpus answers this" in embed.description


def test_an_overlong_source_never_breaks_the_field_limit():
    long_source = ArticleRef("a1", "Title", "Outlet " * 500, "https://example.org/" + "x" * 400, "2023-09-13")
    answer = Answer(
        "q",
        True,
        (
            AnsweredPassage(
                id="a1#p1",
                text="word " * 139,
                score=1.0,
                paragraph=1,
                article=long_source,
                speaker="S" * 900,
                cue="said",
            ),
        ),
        (),
    )
    value = answer_embed(answer).fields[0].value
    assert len(value) <= 1024 and value.startswith("> word")
    assert cut_words("anything", 0) == "" and cut_words("anything", 1) == ""


def test_at_most_25_fields_however_many_passages():
    passages = tuple(passage(f"Short passage number {n}.", n) for n in range(1, 31))
    embed = answer_embed(Answer("q", True, passages, ()))
    assert len(embed.fields) == 25  # Discord allows 25 fields
    assert [f.name for f in embed.fields][-1] == "[25]"


@pytest.mark.parametrize("size", range(150, 1000, 41))
def test_the_6000_character_total_holds_whatever_the_passage_size(size):
    words = ("lorem " * size)[:size]
    passages = tuple(passage(words, n) for n in range(1, 26))
    caveats = (Caveat("hedge", "caveat " * 150),)
    embed = answer_embed(Answer("question " * 20, True, passages, caveats))
    assert len(embed) <= 6000
    assert len(embed) > 6000 - 1100  # only as many passages dropped as needed


def test_a_long_question_fits_the_2048_character_footer_and_is_read_back():
    question = "why " * 750
    embed = answer_embed(Answer(question, False, (), (Caveat("no_match", "Nothing."),)))
    assert len(embed.footer.text) <= 2048 and embed.footer.text.startswith("Q: why why")
    assert len(embed.title) <= 256
    assert question.startswith(question_from_embed(embed))


# --- exact layout --------------------------------------------------------------------------------

from bot.render import (  # noqa: E402
    _fit_total,
    caveats_text,
    code,
    notes_line,
    passage_field_value,
    source_line,
)

OTHER = ArticleRef("a2", "Other", "Wire", None, None)


def plain_passage(**changes) -> AnsweredPassage:
    fields = dict(
        id="a1#p4",
        text="Line one.\nLine two.",
        score=1.0,
        paragraph=4,
        article=ArticleRef("a1", "A title", "Outlet", "https://example.org/x>y", "2023-09-13"),
    )
    return AnsweredPassage(**{**fields, **changes})


def test_a_passage_field_is_quote_source_and_notes_exactly():
    p = plain_passage(
        speaker="US", cue="accused", hedges=("accused", "not clear"), stance="uncertain", also_in=(OTHER,) * 2
    )
    assert passage_field_value(p, frozenset({"line"})) == (
        "> **Line** one.\n> **Line** two.\n"
        "— [A title](<https://example.org/x%3Ey>) · Outlet · 2023-09-13 · ¶4\n"
        "🗣️ US (accused) · ❔ “accused”, “not clear” · stance: uncertain · also in 2 other articles"
    )


def test_notes_for_the_articles_own_voice_and_one_other_article():
    assert notes_line(plain_passage(also_in=(OTHER,))) == "🗣️ the article itself · also in 1 other article"
    assert notes_line(plain_passage()) == "🗣️ the article itself"


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a", True),
        ("http://example.org/a", True),
        ("ftp://example.org/a", False),
        ("javascript:alert(1)", False),
        (None, False),
        ("https://example.org/" + "x" * 279, True),  # 299 characters
        ("https://example.org/" + "x" * 280, False),  # 300: too long to be worth a link
    ],
)
def test_only_short_web_urls_become_links(url, linked):
    article = ArticleRef("a1", "Title", None, url, None)
    line = source_line(plain_passage(article=article))  # links by default
    assert line == (f"— [Title](<{url}>) · ¶4" if linked else "— Title · ¶4")
    assert source_line(plain_passage(article=article), False) == "— Title · ¶4"


def test_source_parts_are_cut_to_their_own_lengths():
    article = ArticleRef("a1", "T" * 200, "S" * 150, None, "2023-09-13")
    line = source_line(plain_passage(article=article), False)
    title, source, published, paragraph = line.removeprefix("— ").split(" · ")
    assert (len(title), len(source), published, paragraph) == (120, 100, "2023-09-13", "¶4")


def test_a_field_too_long_with_bold_is_shown_plain_then_without_its_link():
    words = "word " * 176  # 880 characters: bold markers push it over 1,024
    p = plain_passage(text=words.strip())
    value = passage_field_value(p, frozenset({"word"}))
    assert "**" not in value and "(<https://example.org/x%3Ey>)" in value and len(value) <= 1024
    text = ("word " * 94).strip() + "\n" + ("word " * 94).strip()  # fits only without the link
    value = passage_field_value(plain_passage(text=text), frozenset({"word"}))
    quoted = text.replace("\n", "\n> ")
    assert value == f"> {quoted}\n— A title · Outlet · 2023-09-13 · ¶4\n🗣️ the article itself"


def test_a_field_of_exactly_1024_characters_keeps_its_bold_and_link():
    tail = "\n— [A title](<https://example.org/x%3Ey>) · Outlet · 2023-09-13 · ¶4\n🗣️ the article itself"
    text = "x" * (1024 - 2 - len(tail))
    value = passage_field_value(plain_passage(text=text), frozenset())
    assert value == f"> {text}{tail}" and len(value) == 1024


def test_a_field_that_cannot_fit_is_cut_to_exactly_1024_characters():
    p = plain_passage(text="x" * 2000 + "\nsecond line", speaker="Sam " * 100, cue="said")
    value = passage_field_value(p, frozenset())
    assert len(value) == 1024 and value.startswith("> xxx")
    body, source, notes = value.split("\n")
    assert 190 < len(notes) <= 200 and notes.endswith("…")
    assert source == "— A title · Outlet · 2023-09-13 · ¶4"
    long_source = plain_passage(
        text="y " * 600, article=ArticleRef("a1", "T " * 60, "S " * 50, None, "P " * 60), hedges=("h " * 150,)
    )
    value = passage_field_value(long_source, frozenset())
    _, source, notes = value.split("\n")
    assert 290 < len(source) <= 300 and 190 < len(notes) <= 200
    assert "\n> " not in value and value.startswith("> y y")


def test_caveat_lines_have_their_icons_and_are_cut_at_1500():
    caveats = (
        Caveat("conflict", "a"),
        Caveat("hedge", "b"),
        Caveat("attribution", "c"),
        Caveat("single_source", "d"),
        Caveat("date", "e"),
        Caveat("no_match", "f"),
        Caveat("new_kind", "g"),
    )
    assert caveats_text(Answer("q", True, (), caveats)).splitlines() == [
        "⚖️ a",
        "❔ b",
        "🗣️ c",
        "📰 d",
        "🗓️ e",
        "🔍 f",
        "⚠️ g",
    ]
    text = caveats_text(Answer("q", True, (), (Caveat("hedge", "w " * 2000),)))
    assert 1495 <= len(text) <= 1500 and text.endswith("…")


@pytest.mark.parametrize(
    ("caveats", "confident", "colour"),
    [
        ((Caveat("conflict", "x"),), True, discord.Colour.gold()),
        ((Caveat("date", "x"), Caveat("hedge", "x")), True, discord.Colour.gold()),
        ((Caveat("date", "x"),), True, discord.Colour.blurple()),
        ((), True, discord.Colour.blurple()),
        ((Caveat("no_match", "x"),), False, discord.Colour.light_grey()),
    ],
)
def test_the_colour_says_confident_caveated_or_nothing_found(caveats, confident, colour):
    passages = (passage("Some text."),) if confident else ()
    assert answer_embed(Answer("q", confident, passages, caveats)).colour == colour


def test_fields_are_numbered_full_width_and_an_empty_question_still_has_a_title():
    embed = answer_embed(Answer("", True, (passage("One."), passage("Two.", 2)), ()), first_number=4)
    assert [(f.name, f.inline) for f in embed.fields] == [("[4]", False), ("[5]", False)]
    assert embed.title == "Question" and embed.description is None


def test_the_question_is_read_back_from_our_footer_only():
    assert question_from_embed(discord.Embed()) is None
    assert question_from_embed(discord.Embed().set_footer(text="hello")) is None
    assert question_from_embed(discord.Embed().set_footer(text="Q: ")) is None
    assert question_from_embed(answer_embed(Answer("Who is Malcolm X", False, (), ()))) == "Who is Malcolm X"
    assert question_from_embed(discord.Embed().set_footer(text="Q: a long question…")) == "a long question"


def test_code_spans_show_text_exactly_without_backticks():
    assert code("a`b*c") == "`aˋb*c`"


def embed_of(description: str, n_fields: int, field_size: int = 1000) -> discord.Embed:
    embed = discord.Embed(title="t", description=description)
    for n in range(1, n_fields + 1):
        embed.add_field(name=f"[{n}]", value="v" * field_size, inline=False)
    return embed


def test_fitting_drops_the_last_fields_first_and_keeps_one():
    embed = embed_of("d" * 1000, 8)
    _fit_total(embed)
    assert [f.name for f in embed.fields] == ["[1]", "[2]", "[3]", "[4]"]
    assert len(embed) == 1 + 1000 + 4 * 1003 and embed.description == "d" * 1000


def test_an_embed_of_exactly_6000_characters_is_left_alone():
    embed = embed_of("d" * (6000 - 1 - 2 * 1003), 2)
    assert len(embed) == 6000
    _fit_total(embed)
    assert len(embed.fields) == 2 and len(embed) == 6000 and not embed.description.endswith("…")


def test_when_one_field_is_left_the_description_is_cut_to_fit():
    embed = embed_of("d" * 4096, 1, 1024)
    embed.set_footer(text="f" * 2048)
    _fit_total(embed)
    assert len(embed.fields) == 1 and embed.description.endswith("…")
    assert len(embed) == 5999  # one word: cut exactly, with its ellipsis
    spaced = embed_of("word " * 819, 1, 1024)
    spaced.set_footer(text="f" * 2048)
    _fit_total(spaced)
    assert 5990 <= len(spaced) <= 6000 and spaced.description.endswith("word…")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abcd", 4, "abcd"),  # exactly the limit: kept whole
        ("abcde", 4, "abc…"),  # one word: cut inside it
        ("abc", 2, "a…"),
        ("abc", 1, ""),
        (" abcdef", 4, " ab…"),  # a space only at the start is no word boundary
        ("a bcdef", 4, "a…"),
        ("ab    cdef", 6, "ab…"),  # spaces before the cut go
        ("ab\\\\\\ cdef", 7, "ab…"),  # never end on an escape's backslash
        ("alpha beta gamma", 11, "alpha beta…"),
        ("alpha beta gamma", 10, "alpha…"),
    ],
)
def test_cut_words_exactly(text, limit, expected):
    assert cut_words(text, limit) == expected


def test_a_cut_field_joins_its_lines_and_cuts_the_source_line_at_300():
    published = "P" * 92 + " QQQQ"  # a space at index 300 of the source line
    article = ArticleRef("a1", "T" * 100, "S" * 100, None, published)
    p = plain_passage(text="one two\nthree " + "x" * 2000, article=article)
    body, source, notes = passage_field_value(p, frozenset()).split("\n")
    assert body == "> one two three…"
    assert len(source) <= 300 and source.endswith("…")


def test_cut_caveats_stay_within_1500_characters():
    text = caveats_text(Answer("q", True, (), (Caveat("hedge", "a" * 1498 + " bbbb"),)))
    assert len(text) <= 1500


def test_fitting_keeps_one_field_even_when_the_description_must_be_cut():
    embed = embed_of("d" * 4096, 3, 1024)
    embed.set_footer(text="f" * 2048)
    _fit_total(embed)
    assert [f.name for f in embed.fields] == ["[1]"] and len(embed) <= 6000


def test_a_one_character_description_goes_when_nothing_else_can():
    embed = embed_of("d", 1, 6500)
    _fit_total(embed)
    assert embed.description == "" and len(embed.fields) == 1


def test_related_answers_have_their_own_colour_and_first_line():
    from bot.render import COLOUR_CAVEAT, COLOUR_CONFIDENT, COLOUR_NO_MATCH
    from bot.text_render import render_text

    related = Answer(
        "Who built the Vostochny launch pad?",
        False,
        (passage("Putin and Kim toured the Vostochny Cosmodrome."),),
        (Caveat("low_confidence", "These passages may not answer the question."),),
        confidence="related",
    )
    embed = answer_embed(related)
    assert embed.colour is not None and embed.colour.value == 0x11806A  # dark teal: its own, never None
    assert embed.colour not in (COLOUR_CONFIDENT, COLOUR_CAVEAT, COLOUR_NO_MATCH)
    assert embed.description.splitlines()[0].startswith("**Related, not an answer:**")
    assert len(embed.fields) == 1
    lines = render_text(related).splitlines()
    assert lines[0] == "Q: Who built the Vostochny launch pad?"
    assert lines[2].startswith("RELATED, NOT AN ANSWER")
    answered = Answer("Q?", True, (passage("Text."),), ())
    assert answer_embed(answered).colour == COLOUR_CONFIDENT
    assert "RELATED" not in render_text(answered)
    assert related.to_dict()["confidence"] == "related" and related.to_dict()["confident"] is False
