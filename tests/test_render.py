"""The embed renderer: Discord's limits, escaping, no live mentions, verbatim quotes."""

from __future__ import annotations

import discord
import pytest

from bot.render import (
    CONTENT_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
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
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert len(embed.title) <= TITLE_LIMIT
    assert all(len(f.value) <= FIELD_VALUE_LIMIT for f in embed.fields)
    assert len(embed.fields) >= 1
    # Cut values end at a word with an ellipsis, never inside an escape sequence.
    for field in embed.fields:
        assert not field.value.rstrip("…").endswith("\\")


def test_cut_words_never_splits_a_word():
    text = "alpha beta gamma delta"
    assert cut_words(text, 12) == "alpha beta…"
    assert cut_words(text, 100) == text
    assert len(message_text("x " * 3000)) <= CONTENT_LIMIT


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
    assert len(value) <= FIELD_VALUE_LIMIT and value.startswith("> word")
    assert cut_words("anything", 0) == "" and cut_words("anything", 1) == ""


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
