"""Property tests: any text through the analyzer, the answerer and the renderer is safe."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import answer_embed

LIVE_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d{17,20}>")
NASTY = st.sampled_from(
    [
        "@everyone",
        "@here",
        "<@123456789012345678>",
        "<@&223456789012345678>",
        "<@!323456789012345678>",
        "**",
        "||",
        "[text](https://evil.example)",
        "# heading",
        "```",
        "`",
        "\u200b",
        "\u202e",
        "\x00",
        "\x07",
        "'; DROP TABLE feedback; --",
        "$(rm -rf /)",
        "North Korea",
        "arms",
        "Putin",
        "Kim",
        "🙂",
        "\n",
        "?",
        # the words that make a question ask for a kind of value (retrieval/relevance/asked_value.py)
        "how much",
        "how many",
        "when",
        "what did",
        "say",
        "£3m",
        "in March",
    ]
)
QUESTIONS = st.lists(st.one_of(st.text(max_size=40), NASTY), max_size=30).map(" ".join)


def embed_text(embed) -> str:
    parts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    parts += [f"{f.name}\n{f.value}" for f in embed.fields]
    return "\n".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=QUESTIONS)
def test_any_question_is_answered_rendered_and_defused(seed_library, question):
    answer = seed_library.answer(question, k=5)
    article_text = "\n".join(seed_library.corpus.articles[0].paragraphs)
    for passage in answer.passages:
        assert passage.text in article_text  # verbatim from the corpus, never generated
    embed = answer_embed(answer)
    # Discord's limits: 6,000 characters in all, 256 in the title, 1,024 in a field value.
    assert len(embed) <= 6000 and len(embed.title or "") <= 256
    assert all(len(f.value) <= 1024 for f in embed.fields)
    assert not LIVE_MENTION.search(embed_text(embed))


@settings(max_examples=200, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass")))
)
def test_any_bytes_become_an_article_or_a_reason(data):
    """The loader's contract for uploads and reloads: an Article, or an ArticleError that says why."""
    from retrieval.corpus.articles import ArticleError
    from retrieval.corpus.loader import parse_article_file

    try:
        article, _ = parse_article_file(data, "upload", "upload.txt")
    except ArticleError as error:
        assert str(error)
    else:
        assert article.paragraphs and all(p.strip() for p in article.paragraphs)
