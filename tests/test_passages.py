from retrieval.corpus.articles import build_article
from retrieval.corpus.collection import Corpus
from retrieval.corpus.loader import load_corpus
from retrieval.corpus.passages import article_passages, is_heading, split_long
from tests.conftest import SEEDS


def test_seed_passages_have_stable_ids_and_paragraph_numbers():
    first = article_passages(load_corpus(SEEDS).articles[0])
    again = article_passages(load_corpus(SEEDS).articles[0])
    assert [p.id for p in first] == [p.id for p in again]
    assert first[0].id == "000_ed5a8209f2aae2b8#p1" and first[0].paragraph == 1
    assert first[-1].text.startswith("In response, South Korea and the United States")
    assert len(first) == 27


def test_long_paragraphs_split_at_sentences_verbatim():
    sentence = "Dr. Smith of St. Mary's said the U.S. plan was approved at 3 p.m. on Monday. "
    paragraph = (sentence * 20).strip()
    pieces = split_long(paragraph)
    assert len(pieces) > 1
    assert all(len(p) <= 700 for p in pieces)  # the documented passage size
    assert " ".join(pieces) == paragraph  # verbatim: nothing cut, nothing added
    assert all(p.endswith("Monday.") for p in pieces)  # never inside "Dr." or "U.S."


def test_overlong_sentence_splits_at_a_word_boundary():
    paragraph = " ".join(["word"] * 400)
    pieces = split_long(paragraph)
    assert all(len(p) <= 700 for p in pieces)  # the documented passage size
    assert all(not p.startswith(" ") and "wor d" not in p for p in pieces)
    assert " ".join(pieces) == paragraph


def test_split_pieces_get_dotted_ids():
    body = "Title\n\nShort one.\n\n" + ("A sentence that goes on for a while. " * 30)
    passages = article_passages(build_article("a", body))
    assert [p.id for p in passages][:2] == ["a#p1", "a#p2.1"]
    assert {p.paragraph for p in passages[1:]} == {2}


def test_headings_join_the_paragraph_they_introduce():
    body = (
        "Title\n\nWhere did the storm hit?\n\nThe storm hit the coast near Keaton Beach.\n\n"
        "Damage\n\nRoofs were torn off."
    )
    passages = article_passages(build_article("s", body))
    assert [p.text for p in passages] == [
        "Where did the storm hit?\nThe storm hit the coast near Keaton Beach.",
        "Damage\nRoofs were torn off.",
    ]
    assert [p.paragraph for p in passages] == [1, 2]
    assert is_heading("Where did the storm hit?")
    assert not is_heading("He also met Putin on his last foreign visit to Vladivostok in 2019.")


def test_same_text_in_several_articles_is_one_passage_with_also_in():
    shared = "The same wire paragraph appears in every paper that ran the story."
    articles = [build_article(i, f"Title {i}\n\nOwn paragraph of {i}.\n\n{shared}") for i in ("a", "b", "c")]
    corpus = Corpus.from_articles(articles)
    copies = [p for p in corpus.passages if p.text == shared]
    assert len(copies) == 1
    assert [ref.id for ref in corpus.also_in[copies[0].id]] == ["b", "c"]
    assert len(corpus.passages) == 4


def test_context_gives_neighbouring_passages():
    corpus = Corpus.from_articles(load_corpus(SEEDS).articles)
    around = corpus.context("000_ed5a8209f2aae2b8#p5", radius=1)
    assert [p.paragraph for p in around] == [4, 5, 6]


def test_short_keys_do_not_survive_an_edited_paragraph():
    from retrieval.corpus.collection import short_key

    before = Corpus.from_articles([build_article("a", "Title\n\nFirst version of the paragraph.")])
    after = Corpus.from_articles([build_article("a", "Title\n\nSecond, edited version.")])
    (passage,) = before.passages
    key = short_key(passage.id, passage.text)
    assert before.passage_id_for_key(key) == "a#p1"
    assert after.passage_id_for_key(key) is None  # same id, other text: not the passage that was shown


def test_a_speaker_line_ending_in_a_colon_keeps_its_quote():
    from retrieval.trust.annotations import Annotator

    body = (
        "Title\n\nIn a statement, Foreign Ministry spokeswoman Maria Zakharova said:\n\n"
        "“We have never supplied weapons to anyone in violation of the rules.”\n\n"
        "Background\n\nThe talks, Peskov said, went well."
    )
    corpus = Corpus.from_articles([build_article("z", body)])
    notes = Annotator(corpus)
    assert notes.notes("z#p1").attribution.speaker == "Maria Zakharova"
    assert notes.notes("z#p2").attribution.speaker and "Peskov" in notes.notes("z#p2").attribution.speaker


def test_hedges_are_found_for_the_passage_asked_about_not_its_whole_article(monkeypatch):
    from retrieval.trust import annotations

    body = (
        "Title\n\nThe minister said the talks may resume next week.\n\n"
        "Officials allegedly met in secret, the paper reported.\n\n"
        "The weather was fine."
    )
    corpus = Corpus.from_articles([build_article("h", body)])
    read: list[str] = []
    real = annotations.find_hedges
    monkeypatch.setattr(annotations, "find_hedges", lambda text: read.append(text) or real(text))
    notes = annotations.Annotator(corpus)
    assert notes.notes("h#p1").hedges == ("may",)
    assert read == ["The minister said the talks may resume next week."]
    assert notes.notes("h#p2").hedges == ("allegedly",)
    assert notes.notes("h#p1").hedges == ("may",)  # kept: not read again
    assert len(read) == 2
