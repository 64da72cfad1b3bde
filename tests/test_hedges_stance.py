"""Hedges (words that weaken, question or deny a claim), yes/no questions and passage stance."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.datafiles import data_lines
from retrieval.trust.attribution.attribute import Attribution, attribute_paragraphs
from retrieval.trust.hedges import find_hedges, hedge_kind
from retrieval.trust.stance import is_yes_no_question, passage_stance
from tests.conftest import REPO

OWN_VOICE = Attribution(None, None)

# --- find_hedges ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hedges"),
    [
        # The seed's three examples for "Did North Korea send arms?"
        (
            "The US has previously accused North Korea of providing arms, though it is not clear if any "
            "deliveries have been made.",
            ["accused", "it is not clear"],
        ),
        ("SIPRI researchers have not seen any public evidence to back it up.", ["have not seen any public evidence"]),
        (
            "It is entirely credible that North Korea has large stocks of ammunition that would be compatible "
            "with the artillery systems being used by Russian forces.",
            [],
        ),
        # Neutral reporting verbs are cues, not hedges; distancing ones are both.
        ("Putin told reporters the talks went well, according to officials, who said so.", []),
        ("He claimed the talks went well and alleged a plot.", ["claimed", "alleged"]),
        ("Moscow denied the report.", ["denied"]),
        ("There is no evidence that arms were delivered.", ["no evidence"]),
        ("The talks reportedly went well.", ["reportedly"]),
        ("North Korea is said to have large stocks.", ["is said to"]),
        ("The deal appears to be close, but it remains to be seen.", ["appears to", "remains to be seen"]),
        ("The unconfirmed rumours were likely false.", ["unconfirmed", "rumours", "likely"]),
        ("Analysts were skeptical.", ["skeptical"]),
        # "May" the month, "might" the noun: not hedges; the modals are.
        ("The deal may collapse in May.", ["may"]),
        ("Talks began on May 5 and ended in early May.", []),
        ("Russia's military might is growing, and the deal might collapse.", ["might"]),
        ("They fought with all their might.", []),
        # A modal inside a quoted question asks; it does not weaken a claim.
        ("“Could this be the start of an arms pipeline?” she asked.", []),
        ("“It could be,” she said.", ["could"]),
        # Exact substrings in order, each once; curly and straight apostrophes.
        ("It could rain and it could snow.", ["could"]),
        ("It hasn’t rained and it hasn't snowed.", ["hasn’t rained", "hasn't snowed"]),
        ("It's not clear who won.", ["It's not clear"]),
        # Not negations of a claim: focus ("not only"), refusals to comment, concessive clauses.
        ("Russia is not only buying shells but also rockets.", []),
        ("White House officials said they could not comment; the ministry had no comment.", []),
        ("Even if Kim doesn’t travel next week, a summit is inevitable.", []),
        ("The shells are similar, if not identical.", []),
        # A counterfactual condition is not asserted.
        ("However, if Russia were to strike such a deal, it would be illegal.", ["if"]),
    ],
)
def test_find_hedges(text: str, hedges: list[str]):
    assert find_hedges(text) == hedges


@given(
    st.lists(
        st.sampled_from(
            [
                "may",
                "May",
                "might",
                "could",
                "not",
                "clear",
                "it",
                "is",
                "no",
                "evidence",
                "denied",
                "said",
                "claimed",
                "if",
                "even",
                "“",
                "”",
                "?",
                ",",
                ".",
                "reportedly",
                "hasn’t",
                "seen",
                "have",
                "likely",
                "the",
            ]
        ),
        max_size=30,
    )
)
def test_hedges_are_ordered_distinct_substrings(words: list[str]):
    text = " ".join(words)
    hedges = find_hedges(text)
    assert len(hedges) == len(set(hedges))
    cursor = 0
    for hedge in hedges:  # each found after the one before it
        position = text.find(hedge, cursor)
        assert position >= 0, (hedge, hedges)
        cursor = position + len(hedge)


@pytest.mark.parametrize(
    ("hedge", "kind"),
    [
        ("it is not clear", "uncertain"),
        ("could", "uncertain"),
        ("accused", "distancing"),
        ("reportedly", "distancing"),
        ("have not seen any public evidence", "negation"),
        ("denied", "negation"),
        ("something new", "uncertain"),
    ],  # a hedge the lexicon does not know still weakens the claim
)
def test_hedge_kind(hedge: str, kind: str):
    assert hedge_kind(hedge) == kind


# --- is_yes_no_question -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Did North Korea send arms?",
        "Has North Korea supplied weapons to Russia?",
        "Is North Korea developing a space programme?",
        "Can Russia use North Korean shells?",
        "Will Kim visit Russia again?",
        "Does North Korea have the production lines to make more ammunition?",
        "Were any deliveries made?",
        "Could the meeting lead to an arms deal?",
        "Didn't Putin promise satellites?",
        "So did the leaders shake hands?",
        "is it true that North Korea sent arms",
        "Whether North Korea sent arms to Russia?",
        "Tell me whether North Korea sent arms",
    ],
)
def test_yes_no_questions(question: str):
    assert is_yes_no_question(question)


@pytest.mark.parametrize(
    "question",
    [
        "Who is Dmitry Peskov?",
        "What site did the two leaders visit?",
        "Why do Moscow and Pyongyang need each other?",
        "How many weapons tests has North Korea carried out this year?",
        "Which UN resolution forbids it?",
        "When did Kim leave Pyongyang?",
        "In which year was North Korea founded?",
        "Do you know who Peskov is?",
        "Book me a flight to Dubai",
        "",
        "?",
    ],
)
def test_other_questions(question: str):
    assert not is_yes_no_question(question)


# --- passage_stance ---------------------------------------------------------------------------


def _seed_stance(snippet: str) -> str:
    from tests.test_attribution import find_paragraph, seed_attributions, seed_paragraphs

    index = find_paragraph(seed_paragraphs(), snippet)
    text = seed_paragraphs()[index]
    return passage_stance(text, find_hedges(text), seed_attributions()[index])


@pytest.mark.parametrize(
    ("snippet", "stance"),
    [
        ("The US has previously accused North Korea", "uncertain"),
        ("SIPRI researchers have not seen any public evidence", "denied"),
        ("It is entirely credible that North Korea", "asserted"),
        ("According to Washington, the meeting could lead", "uncertain"),
        ("The Russian president reportedly congratulated Kim", "uncertain"),  # a hedge in the article's voice
        ("Whether any deal is struck remains to be seen", "uncertain"),
        ("Kim arrived in a black limousine", "asserted"),
    ],
)
def test_seed_stances(snippet: str, stance: str):
    assert _seed_stance(snippet) == stance


def test_denial_by_the_speaker_outweighs_doubt_elsewhere():
    text = "Moscow denied the report, which could not be independently verified."
    (attribution,) = attribute_paragraphs([text])
    assert attribution == Attribution("Moscow", "denied")
    assert passage_stance(text, find_hedges(text), attribution) == "denied"
    # The same words reported in the article's own voice leave the claim open.
    assert passage_stance(text, ["could not be independently verified"], OWN_VOICE) == "uncertain"


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Bivens said there's no evidence to suggest Cavalcante was struck by the multiple shots.", "denied"),
        ("A new post-Cold War alliance?", "uncertain"),  # a passage that asks asserts nothing
        ("Last month, Pyongyang failed in its second attempt to put a spy satellite into orbit.", "asserted"),
        ("Ruggiero said there were no indications of it, but he said it probably plans to.", "uncertain"),
    ],
)
def test_stance_of_passages(text: str, stance: str):
    (attribution,) = attribute_paragraphs([text])
    assert passage_stance(text, find_hedges(text), attribution) == stance


# --- The lexicons ------------------------------------------------------------------------------

LEXICONS = sorted(
    p.name for p in (REPO / "retrieval" / "data").glob("*.txt") if re.match(r"(attribution|hedge|stance)_", p.name)
)


def test_lexicons_exist_and_say_what_they_are():
    assert {"attribution_cues.txt", "hedge_cues.txt", "stance_questions.txt"} <= set(LEXICONS)
    for name in LEXICONS:
        text = (REPO / "retrieval" / "data" / name).read_text("utf-8")
        assert text.startswith("#"), f"{name} needs a # header saying what it is and how it is used"
        assert data_lines(name), f"{name} has no entries"


def test_not_necessarily_is_no_denial_but_plain_negation_is():
    text = "And the reputation of the North Koreans has been that they don't necessarily keep their agreements."
    assert find_hedges(text) == []
    assert passage_stance(text, find_hedges(text), Attribution(None, None)) == "asserted"
    for denial in [
        "The ministry said it did not deliver any weapons.",
        "Ukraine is not a member of NATO.",
        "Kim did not.",
    ]:
        assert passage_stance(denial, find_hedges(denial), Attribution(None, None)) == "denied", denial


# --- whole words only ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hedges"),
    [
        # The evidence a negated verb says is missing ends at a word: "sign" is not "signature".
        ("Officials have not seen any signature on the deal.", ["have not seen"]),
        ("Officials have not seen any signs of it.", ["have not seen any signs"]),
        ("Notably, the blackout lasted a day and Biden's evidence was shown.", []),
    ],
)
def test_hedge_cues_match_whole_words(text: str, hedges: list[str]):
    assert find_hedges(text) == hedges


def _denying(hedges: tuple[str, ...]):
    from retrieval.answer import AnsweredPassage, ArticleRef

    article = ArticleRef("a", "Title", "Outlet", None, "2023-09-13")
    return [
        AnsweredPassage("a#p1", "It happened.", 1.0, 1, article, speaker="Officials", stance="asserted"),
        AnsweredPassage("a#p2", "It did not.", 1.0, 2, article, hedges=hedges, stance="denied"),
    ]


@pytest.mark.parametrize(
    ("hedges", "telling"),
    [
        # Words with a negation cue inside them ("den", "not", "lack") are no negation.
        (("have not seen any public evidence", "Biden aides' claims"), "have not seen any public evidence"),
        (("denied", "notably unverified"), "denied"),
        (("lacked proof", "blackout rumours"), "lacked proof"),
        (("never", "a hidden agenda"), "never"),
        # "n't" and "cannot" are negations too.
        (("haven’t seen any evidence", "allegations"), "haven’t seen any evidence"),
        (("cannot be verified", "rumours"), "cannot be verified"),
        # No negation at all: the last hedge that is not the reporting verb.
        (("allegations", "rumours"), "rumours"),
    ],
)
def test_a_denial_is_explained_by_a_whole_word_negation(hedges: tuple[str, ...], telling: str):
    from datetime import date

    from retrieval.trust.caveats import answer_caveats

    conflict = answer_caveats(_denying(hedges), date(2026, 11, 28))[0]
    assert conflict.kind == "conflict"
    assert conflict.text.endswith(f"Outlet in its own words: disputes it — “{telling}” (¶2).")


@pytest.mark.parametrize(
    ("stances", "contradict"),
    [
        (("asserted", "denied"), True),
        (("uncertain", "denied"), True),  # the seed's accusation beside SIPRI's missing evidence
        (("asserted", "uncertain"), False),  # a hedge, which the hedge caveat points out
        (("denied", "denied"), False),
    ],
)
def test_passages_disagree_only_when_one_disputes_what_another_does_not(stances, contradict):
    from dataclasses import replace
    from datetime import date

    from retrieval.trust.caveats import answer_caveats

    passages = [replace(p, stance=s) for p, s in zip(_denying(("did not",)), stances, strict=True)]
    kinds = [c.kind for c in answer_caveats(passages, date(2026, 11, 28))]
    assert ("conflict" in kinds) is contradict


# --- what the question's claim is ----------------------------------------------------------------


def _holds(*question_words: str):
    """The question weight a piece of text holds: one per question word in it."""
    return lambda text: float(sum(word in text.lower() for word in question_words))


GRAIN_DEAL = _holds("russia", "moscow", "grain", "deal", "withdr")  # "Did Russia pull out of the grain deal?"


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        # A negation about another matter, even in the claim's sentence, is no denial of the claim.
        (
            "The reason offered by Russia for its withdrawal from the deal was twofold: first, Moscow said "
            "that its demands to improve its own food exports had not been met.",
            "asserted",
        ),
        ("Russia withdrew from the grain deal. Those who rely on it, however, shouldn't be concerned.", "asserted"),
        # A negation in a sentence that holds little of the question does not count either, nor a doubt.
        ("Russia left the grain deal in July. Prices could rise, and supply was not enough.", "asserted"),
        # A negation whose clause is about the question denies it.
        ("Moscow has not withdrawn from the grain deal, officials said.", "denied"),
        ("Officials said there were no signs that Russia would leave the deal.", "denied"),
        # ... and so does one pointing back to the claim, or one with nothing after it.
        ("Reports say Russia quit the grain deal. Researchers have not seen any evidence to back it up.", "denied"),
        ("Did Moscow leave the grain deal? Russia did not.", "denied"),
        # What a negation negates ends where another proposition starts: "it" after "because" is
        # that proposition's, not a claim the negation points back to.
        ("Russia left the grain deal. Ships cannot sail because it left.", "asserted"),
        ("Russia left the grain deal. Ships cannot sail but it left.", "asserted"),
        # A denial said of another matter in a sentence that does not carry the claim is not one.
        ("Russia quit the grain deal in July. The ministry denied any food shortage.", "asserted"),
        # Doubt in the claim's own sentence still leaves it open.
        ("Russia could withdraw from the grain deal, officials said.", "uncertain"),
    ],
)
def test_only_the_hedges_about_the_question_decide_the_stance(text: str, stance: str):
    assert passage_stance(text, find_hedges(text), OWN_VOICE, GRAIN_DEAL) == stance


def test_without_the_question_every_hedge_of_the_passage_counts():
    text = "Russia left the grain deal in July. Prices could rise, and supply was not enough."
    assert passage_stance(text, find_hedges(text), OWN_VOICE) == "uncertain"
    # A passage holding nothing of the question is read whole.
    assert passage_stance("Supply was not enough.", ["was not enough"], OWN_VOICE, GRAIN_DEAL) == "denied"


@given(
    st.lists(
        st.sampled_from(
            [
                "Russia",
                "left",
                "the",
                "grain",
                "deal",
                "did",
                "not",
                "denied",
                "it",
                "could",
                "that",
                "no",
                "evidence",
                "of",
                ".",
                ",",
                "?",
                "“",
                "”",
                "and",
                "Moscow",
                "withdrew",
                "never",
                "Kim",
            ]
        ),
        max_size=40,
    ),
    st.floats(min_value=0.0, max_value=3.0),
)
def test_claim_hedges_are_hedges_of_the_text_and_stance_is_always_one_of_three(words: list[str], scale: float):
    from retrieval.trust.stance import claim_hedges

    text = " ".join(words)
    holds = lambda piece: scale * GRAIN_DEAL(piece)  # noqa: E731
    found = claim_hedges(text, holds)
    assert all(hedge in text for hedge in found)
    assert passage_stance(text, find_hedges(text), OWN_VOICE, holds) in {"asserted", "denied", "uncertain"}
