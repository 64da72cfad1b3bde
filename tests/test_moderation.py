"""The moderators' cog, driven directly: who may use it, and what add/remove/list/stats do to the
corpus folder and say. (tests/e2e runs the same commands through the loopback Discord.)"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import discord
import pytest

from bot.cogs import moderation
from bot.cogs.moderation import Moderation, NotModerator, report_embed
from bot.holder import LibraryHolder, ReloadReport
from bot.render import safe_text
from retrieval.answering.library import CorpusChange
from tests.discord_fakes import Attachment, Interaction, Member, fake_bot

STORM = "Storm hits the coast\n\nA storm hit the coast on Monday, officials said.\n\nPower was cut to homes.\n"
FLOOD = "Floods in the valley\n\nThe river flooded the valley after days of rain.\n"
QUAKE = "Quake shakes the city\n\nAn earthquake shook the city at dawn, damaging old buildings.\n"


async def cog_over(folder, **bot_options):
    holder = LibraryHolder(folder)
    if folder.is_dir() and any(folder.iterdir()) or folder.is_file():
        await holder.load()
    bot = fake_bot(holder, **bot_options)
    return Moderation(bot), bot


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "storm.txt").write_text(STORM)
    (folder / "storm.txt.meta.json").write_text(json.dumps({"source": "Outlet"}))
    (folder / "sub" / "flood.txt").write_text(FLOOD)
    records = [{"id": "n1", "title": "Record one", "text": "The first record of the archive."}]
    (folder / "news.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return folder


# --- who may manage the corpus -----------------------------------------------------------------


async def test_manage_server_or_the_moderator_role_may_manage_the_corpus(corpus):
    cog, _ = await cog_over(corpus, moderator_role_id=77)
    assert await cog.interaction_check(Interaction(None, Member(1, manage_guild=True))) is True
    assert await cog.interaction_check(Interaction(None, Member(2, role_ids=(5, 77)))) is True
    with pytest.raises(NotModerator, match=r"^Only moderators \(Manage Server, or the moderator role\)"):
        await cog.interaction_check(Interaction(None, Member(3, role_ids=(5,))))


async def test_without_a_moderator_role_setting_a_role_is_not_enough(corpus):
    cog, _ = await cog_over(corpus)
    with pytest.raises(NotModerator, match="Only moderators"):
        await cog.interaction_check(Interaction(None, Member(2, role_ids=(77,))))


async def test_corpus_commands_need_a_server(corpus):
    cog, _ = await cog_over(corpus, moderator_role_id=77)
    user = discord.Object(5)  # a user in a DM, not a guild member
    with pytest.raises(NotModerator, match="^Corpus commands work in a server only.$"):
        await cog.interaction_check(Interaction(None, user))


# --- /corpus add ---------------------------------------------------------------------------------


async def test_an_article_is_added_and_the_corpus_reloaded(corpus):
    cog, bot = await cog_over(corpus)
    (corpus / "quake.txt.meta.json").write_text(json.dumps({"source": "Stale sidecar"}))
    interaction = Interaction(bot)
    await cog._add(interaction, Attachment("Quake.TXT", QUAKE.encode()))
    assert (corpus / "Quake.txt").read_text() == QUAKE
    assert (corpus / "Quake.txt").stat().st_mode & 0o777 == 0o644
    assert (corpus / "quake.txt.meta.json").exists()  # another name's sidecar is left alone
    assert [s.how for s in interaction.sent] == ["defer", "followup"]
    assert interaction.sent[0].kwargs == {"thinking": True}
    report = interaction.sent[1].embed
    assert report.title == "Added Quake.txt"
    assert report.description.splitlines()[1] == "+1 added · −0 removed · ~0 changed"
    assert "+ `Quake`" in report.description.splitlines()
    assert "Quake" in {a.id for a in bot.holder.library.corpus.articles}
    assert not [p for p in corpus.iterdir() if p.name.startswith(".upload-")]


async def test_a_leftover_sidecar_of_the_same_name_is_removed_before_adding(corpus):
    cog, bot = await cog_over(corpus)
    (corpus / "quake.txt.meta.json").write_text(json.dumps({"source": "Stale sidecar"}))
    await cog._add(Interaction(bot), Attachment("quake.txt", QUAKE.encode()))
    assert not (corpus / "quake.txt.meta.json").exists()
    (quake,) = [a for a in bot.holder.library.corpus.articles if a.id == "quake"]
    assert quake.source is None


@pytest.mark.parametrize(
    ("upload", "used_by"),
    [
        ("n1.txt", "news.jsonl:1"),  # a .jsonl record
        ("flood.md", "sub/flood.txt"),  # a file in a subfolder
        ("storm.md", "storm.txt"),  # the same stem, another suffix
        ("storm.txt", "storm.txt"),  # the same name
    ],
)
async def test_an_upload_whose_id_is_already_used_is_refused(corpus, upload, used_by):
    cog, bot = await cog_over(corpus)
    before = {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file()}
    interaction = Interaction(bot)
    await cog._add(interaction, Attachment(upload, QUAKE.encode(), error=AssertionError("never downloaded")))
    (sent,) = interaction.sent
    assert sent.how == "response" and sent.kwargs == {"ephemeral": True}
    stem = upload.rsplit(".", 1)[0]
    assert sent.content == (
        f"An article with the id `{stem}` already exists (`{used_by}`): "
        "remove it first, or upload the file under another name."
    )
    assert {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file()} == before


async def test_an_article_file_not_loaded_yet_also_holds_its_id(corpus):
    cog, bot = await cog_over(corpus)
    (corpus / "sub" / "quake.md").write_text(QUAKE)  # put there after the last reload
    interaction = Interaction(bot)
    await cog._add(interaction, Attachment("quake.txt", QUAKE.encode()))
    assert "already exists (`sub/quake.md`)" in interaction.sent[0].content
    assert not (corpus / "quake.txt").exists()


async def test_hidden_files_and_other_kinds_of_file_do_not_hold_an_id(corpus):
    cog, bot = await cog_over(corpus)
    (corpus / ".removing-quake.txt").write_text(QUAKE)
    (corpus / ".hidden").mkdir()
    (corpus / ".hidden" / "quake.txt").write_text(QUAKE)
    (corpus / "quake.pdf").write_bytes(b"%PDF")
    interaction = Interaction(bot)
    await cog._add(interaction, Attachment("quake.txt", QUAKE.encode()))
    assert interaction.sent[-1].embed.title == "Added quake.txt"


async def test_the_declared_size_is_checked_against_5_mb_before_downloading(corpus):
    cog, bot = await cog_over(corpus)
    interaction = Interaction(bot)
    await cog._add(interaction, Attachment("big.txt", b"", size=5_000_001, error=AssertionError("downloaded")))
    (sent,) = interaction.sent
    assert sent.content == "That file is 5,000,001 bytes; articles may be at most 5,000,000."
    assert sent.kwargs == {"ephemeral": True}
    at_limit = Interaction(bot)
    await cog._add(at_limit, Attachment("limit.txt", QUAKE.encode(), size=5_000_000))
    assert at_limit.sent[-1].embed.title == "Added limit.txt"


async def test_a_single_jsonl_corpus_takes_no_uploads(corpus):
    cog, bot = await cog_over(corpus / "news.jsonl")
    interaction = Interaction(bot)
    await cog._add(interaction, Attachment("quake.txt", QUAKE.encode()))
    assert interaction.sent[0].content == (
        "The corpus is a single .jsonl file, not a folder: articles cannot be added here."
    )
    assert interaction.sent[0].kwargs == {"ephemeral": True}


async def test_an_unusable_article_is_refused_with_the_loaders_reason(corpus):
    cog, bot = await cog_over(corpus)
    interaction = Interaction(bot)
    await cog._add(interaction, Attachment("empty.txt", b"  \n"))
    assert [s.how for s in interaction.sent] == ["defer", "followup"]
    assert interaction.sent[1].content == "empty.txt was not added: empty file."
    assert interaction.sent[1].kwargs["allowed_mentions"].to_dict()["parse"] == []
    assert not (corpus / "empty.txt").exists()


async def test_a_failed_download_says_so_and_writes_nothing(corpus):
    cog, bot = await cog_over(corpus)

    class Gone(discord.HTTPException):
        def __init__(self) -> None:
            self.status = 503

    interaction = Interaction(bot)
    await cog._add(interaction, Attachment("quake.txt", b"", size=10, error=Gone()))
    assert interaction.sent[-1].content == "Could not download `quake.txt` (503); please try again."
    assert not (corpus / "quake.txt").exists()


async def test_an_upload_that_loses_the_race_changes_nothing(corpus, monkeypatch):
    cog, bot = await cog_over(corpus)

    def lost(target, data):
        raise FileExistsError(target)

    monkeypatch.setattr(moderation, "_write_new", lost)
    interaction = Interaction(bot)
    await cog._add(interaction, Attachment("quake.txt", QUAKE.encode()))
    assert interaction.sent[-1].content == "An article file named `quake.txt` was added meanwhile: nothing changed."
    assert "quake" not in {a.id for a in bot.holder.library.corpus.articles}


def test_write_new_never_replaces_a_file(tmp_path):
    target = tmp_path / "a.txt"
    moderation._write_new(target, b"first")
    with pytest.raises(FileExistsError):
        moderation._write_new(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


# --- /corpus remove and its autocomplete ---------------------------------------------------------


async def test_remove_deletes_the_file_and_its_sidecar_and_reloads(corpus):
    cog, bot = await cog_over(corpus)
    interaction = Interaction(bot)
    await cog._remove(interaction, "storm")
    assert not (corpus / "storm.txt").exists() and not (corpus / "storm.txt.meta.json").exists()
    assert [s.how for s in interaction.sent] == ["defer", "followup"]
    report = interaction.sent[1].embed
    assert report.title == "Removed storm"
    assert "− `storm`" in report.description.splitlines()
    assert "storm" not in {a.id for a in bot.holder.library.corpus.articles}
    assert not [p for p in corpus.iterdir() if p.name.startswith(".removing-")]


@pytest.mark.parametrize("article", ["n1", "flood", "nothing"])
async def test_only_files_directly_in_the_folder_can_be_removed(corpus, article):
    cog, bot = await cog_over(corpus)
    interaction = Interaction(bot)
    await cog._remove(interaction, article)
    (sent,) = interaction.sent
    assert sent.content == (
        "No article file with that id (articles inside a .jsonl file cannot be removed one by one)."
    )
    assert sent.kwargs == {"ephemeral": True}
    assert len(bot.holder.library.corpus.articles) == 3


async def test_removing_the_last_article_puts_everything_back(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "storm.txt").write_text(STORM)
    (folder / "storm.txt.meta.json").write_text("{}")
    cog, bot = await cog_over(folder)
    interaction = Interaction(bot)
    await cog._remove(interaction, "storm")
    assert (folder / "storm.txt").read_text() == STORM and (folder / "storm.txt.meta.json").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["storm.txt", "storm.txt.meta.json"]
    text = interaction.sent[-1].content
    assert text.startswith("Reload failed: no usable article in ") and text.endswith(
        "\nThe previous corpus keeps answering."
    )
    assert [a.id for a in bot.holder.library.corpus.articles] == ["storm"]


async def test_autocomplete_offers_removable_articles_matching_what_is_typed(corpus):
    for n in range(30):
        (corpus / f"extra{n:02d}.txt").write_text(f"Extra story number {n}\n\nBody of story {n}.\n")
    cog, _ = await cog_over(corpus)
    everything = cog._removable_choices("")
    assert len(everything) == 25
    assert everything[0].name == "Extra story number 0 (extra00)" and everything[0].value == "extra00"
    assert [c.value for c in cog._removable_choices("STORM")] == ["storm"]
    assert [c.value for c in cog._removable_choices("number 29")] == ["extra29"]
    assert cog._removable_choices("record") == [] and cog._removable_choices("valley") == []


async def test_autocomplete_names_stay_within_discords_100_characters(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "long.txt").write_text("A " + "very " * 40 + "long title\n\nSome body text here.\n")
    (folder / f"{'x' * 101}.txt").write_text("Short\n\nAn id too long for a choice value.\n")
    cog, _ = await cog_over(folder)
    (choice,) = cog._removable_choices("")
    assert choice.value == "long" and len(choice.name) <= 100 and choice.name.endswith("…")


async def test_nothing_is_removable_before_the_corpus_is_loaded(tmp_path):
    cog, _ = await cog_over(tmp_path)
    assert cog._removable() == {}


# --- /corpus list, stats, reload -----------------------------------------------------------------


async def test_list_shows_each_article_with_its_id_date_and_passages(corpus):
    cog, bot = await cog_over(corpus)
    interaction = Interaction(bot)
    await cog._list(interaction)
    (sent,) = interaction.sent
    assert sent.kwargs["ephemeral"] is True and sent.kwargs["allowed_mentions"].to_dict()["parse"] == []
    assert sent.embed.title == "3 articles, 4 passages"
    lines = sent.embed.description.splitlines()
    assert lines == [
        "• Record one — `n1` · undated · 1 passages",
        "• Storm hits the coast — `storm` · undated · 2 passages",
        "• Floods in the valley — `flood` · undated · 1 passages",
    ]


async def test_list_stops_at_40_articles_and_says_how_many_more(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    for n in range(43):
        (folder / f"a{n:02d}.txt").write_text(f"Story {n}\n\nThe body of story number {n}.\n")
    cog, bot = await cog_over(folder)
    interaction = Interaction(bot)
    await cog._list(interaction)
    description = interaction.sent[0].embed.description
    assert description.count("•") == 40 and description.endswith("\n… and 3 more")


async def test_stats_report_questions_no_matches_feedback_and_answer_time(corpus):
    cog, bot = await cog_over(corpus)
    await bot.holder.answer("Did the storm hit the coast?", k=3, guild_id=10)
    await bot.holder.answer("banana bread recipe?", k=3, guild_id=10)
    await bot.holder.answer("banana bread recipe?", k=3, guild_id=10)
    await bot.feedback.record(type("V", (), {"helpful": True})())
    interaction = Interaction(bot)
    await cog._stats(interaction)
    assert interaction.sent[0].how == "defer" and interaction.sent[0].kwargs == {"thinking": True, "ephemeral": True}
    sent = interaction.sent[1]
    assert sent.kwargs["ephemeral"] is True and sent.embed.title == "Corpus stats"
    lines = sent.embed.description.splitlines()
    assert lines[:3] == ["Questions asked since start: **3**", "No-match rate: **67%**", "Feedback: 👍 1 · 👎 0"]
    assert lines[3].startswith("Median answer time: **") and lines[3].endswith(" ms**")


async def test_stats_before_any_question_and_with_a_failing_store(corpus):
    cog, bot = await cog_over(corpus)
    bot.feedback.working = False
    interaction = Interaction(bot)
    await cog._stats(interaction)
    assert interaction.sent[1].embed.description.splitlines() == [
        "Questions asked since start: **0**",
        "No-match rate: **n/a**",
        "Feedback: unavailable",
        "Median answer time: n/a",
    ]


async def test_reload_reports_what_changed(corpus):
    cog, bot = await cog_over(corpus)
    (corpus / "storm.txt").write_text(STORM.replace("Monday", "Tuesday"))
    (corpus / "quake.txt").write_text(QUAKE)
    interaction = Interaction(bot)
    await cog._reload_command(interaction)
    assert interaction.sent[0].how == "defer" and interaction.sent[0].kwargs == {"thinking": True}
    embed = interaction.sent[1].embed
    assert embed.title == "Corpus reloaded"
    lines = embed.description.splitlines()
    assert lines[0].startswith("**4** articles, **5** passages, built in ") and lines[0].endswith(" s.")
    assert lines[1:] == ["+1 added · −0 removed · ~1 changed", "+ `quake`", "~ `storm`"]


async def test_a_failed_reload_says_the_previous_corpus_keeps_answering(corpus):
    cog, bot = await cog_over(corpus)
    for path in sorted(corpus.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    corpus.rmdir()
    interaction = Interaction(bot)
    await cog._reload_command(interaction)
    assert interaction.sent[1].content == (
        f"Reload failed: corpus path does not exist: {safe_text(str(corpus))}\nThe previous corpus keeps answering."
    )
    assert len(bot.holder.library.corpus.articles) == 3


def report(problems=(), added=(), removed=(), changed=()):
    return ReloadReport(CorpusChange(tuple(added), tuple(removed), tuple(changed)), 5, 9, 0.25, tuple(problems))


def test_report_lists_up_to_ten_ids_per_change_and_up_to_15_problems():
    embed = report(
        problems=[f"f{n}.txt: empty file" for n in range(17)],
        added=[f"a{n}" for n in range(10)],
        removed=[f"r{n}" for n in range(11)],
    )
    embed = report_embed("Reloaded", embed)
    lines = embed.description.splitlines()
    assert embed.title == "Reloaded" and embed.colour == discord.Colour.green()
    assert lines[0] == "**5** articles, **9** passages, built in 0.25 s."
    assert lines[1] == "+10 added · −11 removed · ~0 changed"
    assert lines[2] == "+ " + ", ".join(f"`a{n}`" for n in range(10))
    assert lines[3] == "**17 file(s) not loaded as-is:**"
    assert lines[4] == "• f0.txt: empty file" and lines[18] == "• f14.txt: empty file"
    assert lines[19] == "… and 2 more (see the bot's log)" and len(lines) == 20


def test_report_of_a_clean_reload_has_no_problem_lines():
    lines = report_embed("R", report(changed=["c"])).description.splitlines()
    assert lines == ["**5** articles, **9** passages, built in 0.25 s.", "+0 added · −0 removed · ~1 changed", "~ `c`"]
    lines = report_embed("R", report(problems=["x: y"] * 15)).description.splitlines()
    assert lines[-1] == "• x: y" and lines[-16] == "**15 file(s) not loaded as-is:**"


def test_report_stays_within_discords_4096_character_description():
    embed = report_embed("R", report(problems=["p" * 400 + " word"] * 15))
    assert len(embed.description) <= 4096


# --- what the first mutation run showed untested -------------------------------------------------


def messages(caplog, logger="bot.cogs.moderation"):
    return [r.getMessage() for r in caplog.records if r.name == logger]


async def test_every_corpus_change_is_logged_with_who_made_it(corpus, caplog):
    caplog.set_level(logging.INFO)
    cog, bot = await cog_over(corpus)
    who = Member(5, manage_guild=True)
    await cog._reload_command(Interaction(bot, who))
    await cog._add(Interaction(bot, who), Attachment("Quake.txt", QUAKE.encode()))
    await cog._add(Interaction(bot, who), Attachment("empty.txt", b" "))
    await cog._remove(Interaction(bot, who), "storm")
    assert messages(caplog) == [
        "corpus reload requested by member5 (5)",
        f"corpus add: {corpus / 'Quake.txt'} written by member5 (5)",
        "corpus add of 'empty.txt' by member5 (5) refused: empty file",
        f"corpus remove: {corpus / 'storm.txt'} deleted by member5 (5)",
    ]


async def test_a_failed_reload_and_a_kept_file_are_logged_with_who(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "storm.txt").write_text(STORM)
    cog, bot = await cog_over(folder)
    interaction = Interaction(bot, Member(6, manage_guild=True))
    await cog._remove(interaction, "storm")
    assert interaction.sent[0].kwargs == {"thinking": True}
    logged = messages(caplog)
    assert logged[0].startswith("corpus reload by member6 (6) failed: no usable article in ")
    assert logged[1] == f"corpus remove: {folder / 'storm.txt'} kept (reload failed) by member6 (6)"


def test_report_says_how_many_more_problems_past_15():
    lines = report_embed("R", report(problems=["x: y"] * 16)).description.splitlines()
    assert lines[-1] == "… and 1 more (see the bot's log)"


@pytest.mark.parametrize(("count", "more"), [(40, None), (41, "… and 1 more")])
async def test_list_shows_40_articles_then_says_how_many_more(tmp_path, count, more):
    folder = tmp_path / "c"
    folder.mkdir()
    for n in range(count):
        (folder / f"a{n:02d}.txt").write_text(f"Story {n}\n\nThe body of story number {n}.\n")
    cog, bot = await cog_over(folder)
    interaction = Interaction(bot)
    await cog._list(interaction)
    lines = interaction.sent[0].embed.description.splitlines()
    assert sum(line.startswith("•") for line in lines) == 40
    if more:
        assert lines[-1] == more
    else:
        assert lines[-1].startswith("•")


async def test_list_cuts_titles_at_90_characters(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "long.txt").write_text("a" * 90 + " bbbb\n\nThe body of the story.\n")
    cog, bot = await cog_over(folder)
    interaction = Interaction(bot)
    await cog._list(interaction)
    assert interaction.sent[0].embed.description == "• " + "a" * 89 + "… — `long` · undated · 1 passages"


async def test_stats_give_the_median_answer_time_in_milliseconds(corpus):
    cog, bot = await cog_over(corpus)
    bot.holder._answer_seconds.extend([0.1, 2.0, 3.0])
    interaction = Interaction(bot)
    await cog._stats(interaction)
    assert interaction.sent[1].embed.description.splitlines()[3] == "Median answer time: **2000 ms**"


async def test_autocomplete_takes_ids_of_up_to_100_characters_and_cuts_names_to_100(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / f"{'i' * 100}.txt").write_text("a" * 100 + " bb\n\nBody text.\n")  # a space at index 100
    cog, _ = await cog_over(folder)
    (choice,) = cog._removable_choices("")
    assert choice.value == "i" * 100 and len(choice.name) <= 100


def test_write_new_writes_through_a_hidden_temporary_file_beside_the_target(tmp_path, monkeypatch):
    seen = []
    real_link = os.link

    def link(source, target):
        seen.append((Path(source).parent, Path(source).name, sorted(p.name for p in tmp_path.iterdir())))
        real_link(source, target)

    monkeypatch.setattr(moderation.os, "link", link)
    moderation._write_new(tmp_path / "a.txt", b"text")
    ((folder, name, listing),) = seen
    assert folder == tmp_path and name.startswith(".upload-") and name.endswith(".tmp") and listing == [name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


async def test_setup_adds_the_cog(corpus):
    _, bot = await cog_over(corpus)
    added = []

    async def add_cog(cog):
        added.append(cog)

    bot.add_cog = add_cog
    await moderation.setup(bot)
    assert isinstance(added[0], Moderation) and added[0].bot is bot


async def test_the_article_list_is_cut_within_3900_characters(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    for n in range(40):  # the first title's length puts a space at index 3900 of the list
        title = "T" * (52 if n == 0 else 90)
        (folder / f"a{n:02d}.txt").write_text(f"{title}\n\nThe body of story number {n}.\n")
    cog, bot = await cog_over(folder)
    interaction = Interaction(bot)
    await cog._list(interaction)
    description = interaction.sent[0].embed.description
    assert len(description) <= 3900 and description.endswith("…")
