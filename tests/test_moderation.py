"""The moderators' cog, driven directly over a real SQLite store: who may use each command, what
add/remove/list/stats do to a server's own articles (and never to another server's, nor to the
base folder), the owner's reload and forget. (tests/e2e runs the same commands through the
loopback Discord.)"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import discord
import pytest

from bot.cogs import moderation
from bot.cogs.moderation import Moderation, NotModerator, NotOwner, fitted, report_embed
from bot.feedback import FeedbackStore, Verdict
from bot.holder import LibraryHolder, ReloadReport
from bot.libraries import ServerLibraries
from bot.render import safe_text
from bot.settings import Settings
from bot.store import ServerSettings, StoreUnavailable
from retrieval.answering.library import CorpusChange
from tests.discord_fakes import T0, Attachment, Clock, Guild, Interaction, Member, fake_bot

STORM = "Storm hits the coast\n\nA storm hit the coast on Monday, officials said.\n\nPower was cut to homes.\n"
FLOOD = "Floods in the valley\n\nThe river flooded the valley after days of rain.\n"
QUAKE = "Quake shakes the city\n\nAn earthquake shook the city at dawn, damaging old buildings.\n"
GALE = "Gale closes the port\n\nA gale closed the port of Exampleton for two days.\n\nFerries were cancelled.\n"
A, B = 10, 20  # two servers
OWNER = 4242


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


async def cog_over(folder, database=None, *, clock=None, **settings):
    """The cog over a loaded base `folder`, with `database` (a real store) behind the bot when given."""
    holder = LibraryHolder(folder)
    if folder.is_dir() and any(folder.iterdir()) or folder.is_file():
        await holder.load()
    bot = fake_bot(holder, owner_id=OWNER, settings=Settings(corpus_dir=folder, ask_cooldown_s=0, **settings))
    if database is not None:
        bot.database = database
        bot.libraries = ServerLibraries(holder, database)
        bot.feedback = FeedbackStore(database)
    return Moderation(bot, clock=clock or Clock()), bot


def moderator(guild_id: int = A, user_id: int = 1) -> Member:
    return Member(user_id, manage_guild=True, guild=Guild(guild_id))


def run(bot, guild_id: int = A, user: Member | None = None, command: str | None = None) -> Interaction:
    interaction = Interaction(bot, user or moderator(guild_id))
    interaction.command = SimpleNamespace(name=command) if command else None
    return interaction


def reply(interaction: Interaction) -> str:
    (sent,) = interaction.answers
    return sent.text


def files(folder):
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


async def own_ids(database, guild_id: int) -> list[str]:
    return [a.article_id for a in await (await database.get()).list_articles(guild_id)]


# --- who may run what ----------------------------------------------------------------------------


async def test_moderators_of_the_server_may_manage_its_articles(corpus):
    cog, _ = await cog_over(corpus, moderator_role_id=77)
    assert await cog.interaction_check(run(cog.bot, user=Member(1, manage_guild=True))) is True
    assert await cog.interaction_check(run(cog.bot, user=Member(2, role_ids=(5, 77)))) is True
    with pytest.raises(NotModerator, match=r"^Only moderators \(Manage Server, or a moderator role of this server\)"):
        await cog.interaction_check(run(cog.bot, user=Member(3, role_ids=(5,))))


async def test_the_configured_role_id_grants_nothing_in_a_server_it_does_not_belong_to(corpus):
    cog, _ = await cog_over(corpus, moderator_role_id=77)
    elsewhere = Member(2, role_ids=(77,), guild=Guild(B, role_ids=(5,)))  # role 77 is another server's
    with pytest.raises(NotModerator):
        await cog.interaction_check(run(cog.bot, user=elsewhere))


async def test_corpus_commands_need_a_server(corpus):
    cog, _ = await cog_over(corpus, moderator_role_id=77)
    with pytest.raises(NotModerator, match="^Corpus commands work in a server only.$"):
        await cog.interaction_check(Interaction(None, discord.Object(5)))


@pytest.mark.parametrize("command", ["reload", "forget"])
async def test_owner_commands_refuse_a_server_manager_who_is_not_the_owner(corpus, command):
    cog, _ = await cog_over(corpus)
    with pytest.raises(NotOwner, match=rf"^Only the bot's owner can use /corpus {command}: the base corpus"):
        await cog.interaction_check(run(cog.bot, user=Member(1, manage_guild=True), command=command))
    owner = Member(OWNER)  # no Manage Server needed: the owner's commands are about every server
    assert await cog.interaction_check(run(cog.bot, user=owner, command=command)) is True


async def test_the_owner_is_no_moderator_of_a_server_by_being_the_owner(corpus):
    cog, _ = await cog_over(corpus)
    with pytest.raises(NotModerator):
        await cog.interaction_check(run(cog.bot, user=Member(OWNER), command="add"))


# --- /corpus add -------------------------------------------------------------------------------


async def test_an_article_is_stored_for_the_server_and_answers_there_at_once(corpus, database):
    cog, bot = await cog_over(corpus, database)
    before = files(corpus)
    interaction = run(bot, A, Member(7, manage_guild=True, guild=Guild(A)))
    await cog._add(interaction, Attachment("Quake.TXT", QUAKE.encode()))
    assert interaction.sent[0].how == "defer" and interaction.sent[0].kwargs == {"thinking": True, "ephemeral": True}
    assert reply(interaction) == "Added `Quake` (1 passage); this server now has 1 article, 0.1 KB."
    assert files(corpus) == before  # nothing written to the base folder
    (stored,) = await (await database.get()).read_articles(A)
    assert (stored.article_id, stored.file_name, stored.content, stored.added_by, stored.added_at) == (
        "Quake",
        "Quake.txt",
        QUAKE.encode(),
        7,
        T0,
    )
    here = await bot.libraries.for_guild(A)
    assert "Quake" in {a.id for a in here.corpus.articles} and "storm" in {a.id for a in here.corpus.articles}
    elsewhere = await bot.libraries.for_guild(B)
    assert "Quake" not in {a.id for a in elsewhere.corpus.articles}
    assert "Quake" not in {a.id for a in bot.holder.library.corpus.articles}  # the base is untouched


async def test_the_reply_counts_the_passages_the_article_makes(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))
    interaction = run(bot)
    await cog._add(interaction, Attachment("gale.md", GALE.encode()))
    size = len(QUAKE) + len(GALE)
    assert reply(interaction) == f"Added `gale` (2 passages); this server now has 2 articles, {size / 1000:.1f} KB."


async def test_a_server_keeps_its_library_until_one_of_its_articles_changes(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))
    first = await bot.libraries.for_guild(A)
    assert await bot.libraries.for_guild(A) is first
    await cog._add(run(bot), Attachment("gale.txt", GALE.encode()))
    assert {"quake", "gale"} <= {a.id for a in (await bot.libraries.for_guild(A)).corpus.articles}


@pytest.mark.parametrize(
    ("upload", "used_by"),
    [
        ("n1.txt", "news.jsonl:1"),  # a .jsonl record
        ("flood.md", "sub/flood.txt"),  # a file in a subfolder
        ("storm.md", "storm.txt"),  # the same stem, another suffix
    ],
)
async def test_an_id_the_base_corpus_uses_is_refused_and_says_where(corpus, database, upload, used_by):
    cog, bot = await cog_over(corpus, database)
    interaction = run(bot)
    await cog._add(interaction, Attachment(upload, QUAKE.encode(), error=AssertionError("never downloaded")))
    stem = upload.rsplit(".", 1)[0]
    assert reply(interaction) == (
        f"The base corpus already has an article with the id `{stem}` (`{used_by}`): "
        "upload the file under another name."
    )
    assert await own_ids(database, A) == []


async def test_a_base_article_file_not_loaded_yet_also_holds_its_id(corpus, database):
    cog, bot = await cog_over(corpus, database)
    (corpus / "sub" / "quake.md").write_text(QUAKE)  # put there after the last reload
    interaction = run(bot)
    await cog._add(interaction, Attachment("quake.txt", QUAKE.encode()))
    assert "(`sub/quake.md`)" in reply(interaction)
    assert await own_ids(database, A) == []


async def test_hidden_files_and_other_kinds_of_file_do_not_hold_an_id(corpus, database):
    cog, bot = await cog_over(corpus, database)
    (corpus / ".hidden").mkdir()
    (corpus / ".hidden" / "quake.txt").write_text(QUAKE)
    (corpus / "quake.pdf").write_bytes(b"%PDF")
    interaction = run(bot)
    await cog._add(interaction, Attachment("quake.txt", QUAKE.encode()))
    assert reply(interaction).startswith("Added `quake`")


async def test_an_id_the_server_uses_is_refused_but_another_server_may_use_it(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot, A, Member(7, manage_guild=True, guild=Guild(A))), Attachment("quake.txt", QUAKE.encode()))
    again = run(bot, A)
    await cog._add(again, Attachment("quake.md", GALE.encode(), error=AssertionError("never downloaded")))
    assert reply(again) == (
        "This server already has an article with the id `quake` (added by <@7> <t:1795867200:d>): "
        "remove it first, or upload the file under another name."
    )
    other = run(bot, B)
    await cog._add(other, Attachment("quake.md", GALE.encode()))
    assert reply(other).startswith("Added `quake` (2 passages)")
    assert (await (await database.get()).get_article(A, "quake")).content == QUAKE.encode()
    assert (await (await database.get()).get_article(B, "quake")).content == GALE.encode()


async def test_an_upload_that_loses_the_race_to_the_same_id_changes_nothing(corpus, database, monkeypatch):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))
    store = await database.get()

    async def not_yet(guild_id, article_id):  # the other upload lands between the check and the add
        return None

    monkeypatch.setattr(store, "get_article", not_yet)
    interaction = run(bot)
    await cog._add(interaction, Attachment("quake.txt", GALE.encode()))
    assert reply(interaction) == "An article with the id `quake` was added meanwhile: nothing changed."
    (kept,) = await store.read_articles(A)
    assert kept.content == QUAKE.encode()


async def test_the_declared_size_is_checked_against_5_mb_before_downloading(corpus, database):
    cog, bot = await cog_over(corpus, database)
    interaction = run(bot)
    await cog._add(interaction, Attachment("big.txt", b"", size=5_000_001, error=AssertionError("downloaded")))
    (sent,) = interaction.sent
    assert sent.content == "That file is 5,000,001 bytes; articles may be at most 5,000,000."
    assert sent.kwargs == {"ephemeral": True}
    at_limit = run(bot)
    await cog._add(at_limit, Attachment("limit.txt", QUAKE.encode(), size=5_000_000))
    assert reply(at_limit).startswith("Added `limit`")


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"  \n", "empty file"), (b"Just a heading\n\nAnother heading\n", "no paragraph to answer from (only headings)")],
)
async def test_an_unusable_article_is_refused_with_the_reason(corpus, database, data, reason):
    cog, bot = await cog_over(corpus, database)
    interaction = run(bot)
    await cog._add(interaction, Attachment("empty.txt", data))
    assert reply(interaction) == f"empty.txt was not added: {reason}."
    assert interaction.answers[0].kwargs["allowed_mentions"].to_dict()["parse"] == []
    assert await own_ids(database, A) == []


async def test_a_failed_download_says_so_and_stores_nothing(corpus, database):
    cog, bot = await cog_over(corpus, database)

    class Gone(discord.HTTPException):
        def __init__(self) -> None:
            self.status = 503

    interaction = run(bot)
    await cog._add(interaction, Attachment("quake.txt", b"", size=10, error=Gone()))
    assert reply(interaction) == "Could not download `quake.txt` (503); please try again."
    assert await own_ids(database, A) == []


async def test_a_store_outage_says_so_and_changes_nothing(corpus):
    cog, bot = await cog_over(corpus)  # NoDatabase: every use fails as an unreachable store
    interaction = run(bot)
    await cog._add(interaction, Attachment("quake.txt", QUAKE.encode(), error=AssertionError("never downloaded")))
    assert reply(interaction) == (
        "quake.txt was not added: the bot's database cannot be reached right now (the database could not be "
        "reached (no database in this test)). Nothing was changed; please try again later."
    )


async def test_an_outage_during_the_add_keeps_the_servers_library(corpus, database, monkeypatch):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))
    held = await bot.libraries.for_guild(A)
    store = await database.get()

    async def fails(record, quota=None):
        raise StoreUnavailable("the database could not store the article (OperationalError: disk I/O error)")

    monkeypatch.setattr(store, "add_article", fails)
    interaction = run(bot)
    await cog._add(interaction, Attachment("gale.txt", GALE.encode()))
    assert reply(interaction).startswith("gale.txt was not added: the bot's database cannot be reached right now")
    assert await bot.libraries.for_guild(A) is held
    assert await own_ids(database, A) == ["quake"]


# --- quotas ------------------------------------------------------------------------------------


async def test_the_article_quota_refuses_with_its_number(corpus, database):
    cog, bot = await cog_over(corpus, database, quota_articles=2)
    for name in ("quake.txt", "gale.txt"):
        await cog._add(run(bot), Attachment(name, QUAKE.encode()))
    interaction = run(bot)  # refused before downloading anything
    await cog._add(interaction, Attachment("third.txt", QUAKE.encode(), error=AssertionError("downloaded")))
    assert reply(interaction) == (
        "`third.txt` was not added: this server has reached its limit of 2 articles; remove one to add another."
    )
    other = run(bot, B)  # the limit is per server
    await cog._add(other, Attachment("third.txt", QUAKE.encode()))
    assert reply(other).startswith("Added `third`")


async def test_the_size_quota_refuses_with_its_number_and_where_the_server_stands(corpus, database):
    cog, bot = await cog_over(corpus, database, quota_bytes=150)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))  # 83 bytes
    interaction = run(bot)
    await cog._add(interaction, Attachment("gale.txt", GALE.encode()))  # 98 more: 181 > 150
    assert reply(interaction) == (
        "`gale.txt` was not added: this server's articles may take at most 0.1 KB in all "
        "(it has 0.1 KB; this file is 0.1 KB)."
    )
    assert await own_ids(database, A) == ["quake"]


async def test_a_declared_size_that_lies_is_caught_by_the_stores_own_check(corpus, database):
    cog, bot = await cog_over(corpus, database, quota_bytes=150)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))  # 83 bytes
    interaction = run(bot)
    await cog._add(interaction, Attachment("gale.txt", GALE.encode(), size=10))  # says 10 bytes, is 98
    assert reply(interaction) == (
        "`gale.txt` was not added: this server's articles may take at most 0.1 KB in all "
        "(it has 0.1 KB; this file is 0.1 KB)."
    )
    assert await own_ids(database, A) == ["quake"]


async def test_the_hourly_quota_counts_removed_adds_and_frees_after_an_hour(corpus, database):
    clock = Clock()
    cog, bot = await cog_over(corpus, database, clock=clock, quota_adds_per_hour=2)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))
    await cog._remove(run(bot), "quake")
    clock.now += timedelta(minutes=30)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))
    clock.now += timedelta(minutes=29)
    interaction = run(bot)
    await cog._add(interaction, Attachment("gale.txt", GALE.encode()))
    assert reply(interaction) == (
        "`gale.txt` was not added: this server may add at most 2 articles per hour; please try again later."
    )
    clock.now += timedelta(minutes=2)  # the first add is now over an hour old
    later = run(bot)
    await cog._add(later, Attachment("gale.txt", GALE.encode()))
    assert reply(later).startswith("Added `gale`")


# --- /corpus remove and its autocomplete ---------------------------------------------------------


async def test_remove_deletes_only_the_servers_article(corpus, database):
    cog, bot = await cog_over(corpus, database)
    for guild_id in (A, B):
        await cog._add(run(bot, guild_id), Attachment("quake.txt", QUAKE.encode()))
    await cog._add(run(bot, A), Attachment("gale.txt", GALE.encode()))
    assert "quake" in {a.id for a in (await bot.libraries.for_guild(A)).corpus.articles}  # kept from here on
    before = files(corpus)
    interaction = run(bot, A)
    await cog._remove(interaction, "quake")
    assert reply(interaction) == f"Removed `quake`; this server now has 1 article, {len(GALE) / 1000:.1f} KB."
    assert await own_ids(database, A) == ["gale"] and await own_ids(database, B) == ["quake"]
    assert "quake" not in {a.id for a in (await bot.libraries.for_guild(A)).corpus.articles}
    assert "quake" in {a.id for a in (await bot.libraries.for_guild(B)).corpus.articles}
    assert files(corpus) == before


async def test_a_base_article_cannot_be_removed_from_discord(corpus, database):
    cog, bot = await cog_over(corpus, database)
    before = files(corpus)
    interaction = run(bot)
    await cog._remove(interaction, "storm")
    assert reply(interaction) == (
        "`storm` belongs to the base corpus, which only the bot's owner changes (on the host): "
        "it cannot be removed from Discord."
    )
    assert files(corpus) == before and "storm" in {a.id for a in bot.holder.library.corpus.articles}


async def test_another_servers_article_is_not_found_from_this_server(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot, B), Attachment("quake.txt", QUAKE.encode()))
    interaction = run(bot, A)
    await cog._remove(interaction, "quake")
    assert reply(interaction) == "This server has no article with the id `quake`."
    assert await own_ids(database, B) == ["quake"]


async def test_remove_during_an_outage_says_so(corpus):
    cog, bot = await cog_over(corpus)
    interaction = run(bot)
    await cog._remove(interaction, "quake")
    assert reply(interaction).startswith("quake was not removed: the bot's database cannot be reached right now")


async def test_autocomplete_offers_only_the_servers_own_articles_matching_what_is_typed(corpus, database):
    cog, bot = await cog_over(corpus, database, quota_adds_per_hour=100)
    for n in range(30):
        await cog._add(run(bot, A), Attachment(f"extra{n:02d}.txt", QUAKE.encode()))
    await cog._add(run(bot, B), Attachment("b-only.txt", QUAKE.encode()))
    everything = await cog._removable_choices(A, "")
    assert len(everything) == 25
    assert everything[0].name == "extra00 · 0.1 KB · added 2026-11-28" and everything[0].value == "extra00"
    assert [c.value for c in await cog._removable_choices(A, "RA29")] == ["extra29"]
    assert await cog._removable_choices(A, "storm") == []  # a base article is not removable
    assert await cog._removable_choices(A, "b-only") == []
    assert [c.value for c in await cog._removable_choices(B, "")] == ["b-only"]
    assert await cog._removable_choices(None, "") == []


async def test_autocomplete_offers_nothing_to_a_member_who_is_not_a_moderator(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))
    member = Interaction(bot, Member(3, guild=Guild(A)))
    assert await cog.remove_autocomplete(member, "") == []
    moderator_asks = Interaction(bot, moderator(A))
    assert [c.value for c in await cog.remove_autocomplete(moderator_asks, "")] == ["quake"]


async def test_autocomplete_names_stay_within_discords_100_characters(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot), Attachment("x" * 200 + ".txt", QUAKE.encode()))  # ids are cut to 80 characters
    (choice,) = await cog._removable_choices(A, "")
    assert choice.value == "x" * 80 and len(choice.name) <= 100


async def test_autocomplete_offers_nothing_when_the_store_is_down(corpus):
    cog, _ = await cog_over(corpus)
    assert await cog._removable_choices(A, "") == []


# --- /corpus list ------------------------------------------------------------------------------


async def test_list_shows_the_servers_articles_and_the_base_marked_read_only(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot, A, Member(7, manage_guild=True, guild=Guild(A))), Attachment("quake.txt", QUAKE.encode()))
    await cog._add(run(bot, B), Attachment("gale.txt", GALE.encode()))
    interaction = run(bot, A)
    await cog._list(interaction)
    (sent,) = interaction.answers
    assert sent.kwargs["ephemeral"] is True and sent.kwargs["allowed_mentions"].to_dict()["parse"] == []
    assert sent.embed.title == "Articles answering in this server"
    assert sent.embed.description.splitlines() == [
        "**This server's articles**",
        "1 of 200 articles, 0.1 KB of 10.0 MB",
        "• `quake` · 0.1 KB · added by <@7> <t:1795867200:d>",
        "",
        "**Base corpus (read-only): 3**",
        "• Record one — `n1`",
        "• Storm hits the coast — `storm`",
        "• Floods in the valley — `flood`",
    ]


async def test_list_says_when_the_server_has_none_and_the_base_is_off(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await (await database.get()).set_settings(A, ServerSettings(base_corpus=False))
    interaction = run(bot, A)
    await cog._list(interaction)
    lines = interaction.answers[0].embed.description.splitlines()
    assert lines[:2] == ["**This server's articles**", "None yet: add one with /corpus add."]
    assert lines[3] == "**Base corpus (read-only, turned off in this server): 3**"


async def test_list_during_an_outage_still_shows_the_base(corpus):
    cog, bot = await cog_over(corpus)
    interaction = run(bot)
    await cog._list(interaction)
    lines = interaction.answers[0].embed.description.splitlines()
    assert lines[1] == "This server's articles cannot be read right now (the bot's database is unreachable)."
    assert lines[-1] == "• Floods in the valley — `flood`"


async def test_a_long_list_stays_within_discords_4096_characters_and_says_how_many_more(tmp_path, database):
    folder = tmp_path / "c"
    folder.mkdir()
    for n in range(300):
        (folder / f"a{n:03d}.txt").write_text(f"Story {n} {'about the weather ' * 6}\n\nThe body of story {n}.\n")
    cog, bot = await cog_over(folder, database, quota_adds_per_hour=1000)
    for n in range(120):
        await cog._add(run(bot), Attachment(f"own{n:03d}-{'x' * 40}.txt", QUAKE.encode()))
    interaction = run(bot)
    await cog._list(interaction)
    description = interaction.answers[0].embed.description
    lines = description.splitlines()
    assert len(description) <= 4096
    own_more = next(line for line in lines if line.startswith("… and"))
    shown_own = sum(line.startswith("• `own") for line in lines)
    assert own_more == f"… and {120 - shown_own} more" and shown_own > 10
    shown_base = sum(line.startswith("• Story") for line in lines)
    assert lines[-1] == f"… and {300 - shown_base} more" and shown_base > 5
    assert "**Base corpus (read-only): 300**" in lines


def test_fitted_keeps_what_fits_and_counts_the_rest():
    assert fitted(["aaa", "bbb"], 7) == ["aaa", "bbb"]
    assert fitted(["aaa", "bbb", "ccc"], 11) == ["aaa", "bbb", "ccc"]
    eights = ["a" * 8] * 3  # 26 characters joined
    assert fitted(eights, 26) == eights
    assert fitted(eights, 25) == ["a" * 8, "… and 2 more"]  # 21 characters: room for one and the count
    assert fitted(eights, 20) == ["… and 3 more"]
    kept = fitted([f"line {n}" for n in range(100)], 100)
    assert len("\n".join(kept)) <= 100 and kept[-1] == f"… and {100 - len(kept) + 1} more"
    assert fitted([], 10) == []


# --- /corpus stats -----------------------------------------------------------------------------


async def test_stats_give_the_servers_own_numbers_only(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot, A), Attachment("quake.txt", QUAKE.encode()))
    await bot.holder.answer("Did the storm hit the coast?", k=3, guild_id=A)
    await bot.holder.answer("banana bread recipe?", k=3, guild_id=A)
    await bot.holder.answer("banana bread recipe?", k=3, guild_id=A)
    await bot.holder.answer("banana bread recipe?", k=3, guild_id=B)
    for guild_id, helpful in ((A, True), (B, False), (B, False)):
        await bot.feedback.record(Verdict("q", ("storm#p1",), guild_id, 5, 6, helpful))
    interaction = run(bot, A)
    await cog._stats(interaction)
    assert interaction.sent[0].kwargs == {"thinking": True, "ephemeral": True}
    sent = interaction.answers[0]
    assert sent.kwargs["ephemeral"] is True and sent.embed.title == "Corpus stats for this server"
    lines = sent.embed.description.splitlines()
    assert lines[:4] == [
        "Questions asked here since start: **3**",
        "No-match rate: **67%**",
        "Feedback: 👍 1 · 👎 0",
        "This server's articles: 1 of 200 articles, 0.1 KB of 10.0 MB",
    ]
    assert lines[4].startswith("Median answer time: **") and len(lines) == 5  # no totals for a moderator


async def test_the_owner_also_sees_the_totals_over_every_server(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot, A), Attachment("quake.txt", QUAKE.encode()))
    await cog._add(run(bot, B), Attachment("gale.txt", GALE.encode()))
    await bot.holder.answer("banana bread recipe?", k=3, guild_id=B)
    await bot.holder.answer("Did the storm hit the coast?", k=3, guild_id=None)
    await bot.feedback.record(Verdict("q", ("storm#p1",), B, 5, 6, False))
    interaction = run(bot, A, Member(OWNER, manage_guild=True, guild=Guild(A)))
    await cog._stats(interaction)
    lines = interaction.answers[0].embed.description.splitlines()
    assert lines[0] == "Questions asked here since start: **0**" and lines[2] == "Feedback: 👍 0 · 👎 0"
    assert lines[5:] == [
        "",
        "**Every server (you run the bot)**",
        "Questions since start: **2** (no match: 50%)",
        "Feedback: 👍 0 · 👎 1",
        "Servers with stored data: **2** (2 with articles of their own)",
        f"Their articles: **2**, {(len(QUAKE) + len(GALE)) / 1000:.1f} KB",
    ]


async def test_the_owner_sees_each_process_and_whether_its_base_version_differs(corpus, database):
    from bot.store import ProcessRecord

    cog, bot = await cog_over(corpus, database)
    store = await bot.database.get()
    await store.set_base_version("a" * 64)
    seen = datetime.now(UTC)
    processes = [
        ProcessRecord("host-1", 11, (0, 1), 4, "a" * 64, seen, seen),
        ProcessRecord("host-2", 22, None, None, "b" * 64, seen, seen),
    ]
    bot.changes = SimpleNamespace(processes=lambda: asyncio.sleep(0, processes))
    interaction = run(bot, A, Member(OWNER, manage_guild=True, guild=Guild(A)))
    await cog._stats(interaction)
    lines = interaction.answers[0].embed.description.splitlines()
    assert lines[-3:] == [
        "Base corpus version in the database: `aaaaaaaaaaaa`",
        "• host-1 pid 11, shards 0,1: `aaaaaaaaaaaa`",
        "• host-2 pid 22, shards all: `bbbbbbbbbbbb` ⚠ differs",
    ]


async def test_stats_before_any_question_and_with_a_failing_store(corpus):
    cog, bot = await cog_over(corpus)
    bot.feedback.working = False
    interaction = run(bot)
    await cog._stats(interaction)
    assert interaction.answers[0].embed.description.splitlines() == [
        "Questions asked here since start: **0**",
        "No-match rate: **n/a**",
        "Feedback: unavailable",
        "This server's articles: unavailable",
        "Median answer time: n/a",
    ]


async def test_stats_give_the_median_answer_time_in_milliseconds(corpus):
    cog, bot = await cog_over(corpus)
    bot.holder._answer_seconds.extend([0.1, 2.0, 3.0])
    interaction = run(bot)
    await cog._stats(interaction)
    assert interaction.answers[0].embed.description.splitlines()[4] == "Median answer time: **2000 ms**"


# --- /corpus reload (the owner's) ----------------------------------------------------------------


async def test_reload_reports_what_changed_in_the_base(corpus):
    cog, bot = await cog_over(corpus)
    (corpus / "storm.txt").write_text(STORM.replace("Monday", "Tuesday"))
    (corpus / "quake.txt").write_text(QUAKE)
    interaction = run(bot, user=Member(OWNER))
    await cog._reload_command(interaction)
    assert interaction.sent[0].how == "defer" and interaction.sent[0].kwargs == {"thinking": True}
    embed = interaction.sent[1].embed
    assert embed.title == "Base corpus reloaded"
    lines = embed.description.splitlines()
    assert lines[0].startswith("**4** articles, **5** passages, built in ") and lines[0].endswith(" s.")
    assert lines[1:] == ["+1 added · −0 removed · ~1 changed", "+ `quake`", "~ `storm`"]


async def test_a_servers_library_follows_a_reload_of_the_base(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot), Attachment("gale.txt", GALE.encode()))
    assert "quake" not in {a.id for a in (await bot.libraries.for_guild(A)).corpus.articles}
    (corpus / "quake.txt").write_text(QUAKE)
    await cog._reload_command(run(bot, user=Member(OWNER)))
    ids = {a.id for a in (await bot.libraries.for_guild(A)).corpus.articles}
    assert {"quake", "gale", "storm"} <= ids


async def test_a_failed_reload_says_the_previous_corpus_keeps_answering(corpus):
    cog, bot = await cog_over(corpus)
    for path in sorted(corpus.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    corpus.rmdir()
    interaction = run(bot, user=Member(OWNER))
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


def test_report_says_how_many_more_problems_past_15():
    lines = report_embed("R", report(problems=["x: y"] * 16)).description.splitlines()
    assert lines[-1] == "… and 1 more (see the bot's log)"


def test_report_stays_within_discords_4096_character_description():
    embed = report_embed("R", report(problems=["p" * 400 + " word"] * 15))
    assert len(embed.description) <= 4096


# --- /corpus forget (the owner's) ----------------------------------------------------------------


async def test_the_owner_forgets_a_server_the_bot_left(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot, B), Attachment("quake.txt", QUAKE.encode()))
    await cog._add(run(bot, A), Attachment("gale.txt", GALE.encode()))
    assert "quake" in {a.id for a in (await bot.libraries.for_guild(B)).corpus.articles}
    interaction = run(bot, A, Member(OWNER))
    await cog._forget(interaction, f" {B} ")
    assert reply(interaction) == f"Forgot server {B}: its 1 article(s), settings and feedback are deleted."
    store = await database.get()
    assert await store.stored_guild_ids() == {A}
    assert "quake" not in {a.id for a in (await bot.libraries.for_guild(B)).corpus.articles}


async def test_forget_refuses_a_server_the_bot_is_in_and_what_is_not_an_id(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot, B), Attachment("quake.txt", QUAKE.encode()))
    bot.get_guild = lambda guild_id: Guild(guild_id) if guild_id == B else None
    still_in = run(bot, A, Member(OWNER))
    await cog._forget(still_in, str(B))
    assert reply(still_in).startswith(f"The bot is still in server {B}: remove the bot from it first")
    for text, said in (("abc", "abc is not a server id (a number)."), ("0", "0 is not a server id.")):
        refused = run(bot, A, Member(OWNER))
        await cog._forget(refused, text)
        assert reply(refused) == said
    assert await own_ids(database, B) == ["quake"]


# --- logging and wiring ------------------------------------------------------------------------


def messages(caplog, logger="bot.cogs.moderation"):
    return [r.getMessage() for r in caplog.records if r.name == logger]


async def test_every_change_is_logged_with_who_made_it_and_where(corpus, database, caplog):
    caplog.set_level(logging.INFO)
    cog, bot = await cog_over(corpus, database)
    who = Member(5, manage_guild=True, guild=Guild(A))
    await cog._reload_command(run(bot, user=who))
    await cog._add(run(bot, user=who), Attachment("Quake.txt", QUAKE.encode()))
    await cog._add(run(bot, user=who), Attachment("empty.txt", b" "))
    await cog._remove(run(bot, user=who), "Quake")
    assert messages(caplog) == [
        f"corpus reload requested by member5 (5) in server {A}",
        f"corpus add: Quake ({len(QUAKE)} bytes) stored by member5 (5) in server {A}",
        f"corpus add of 'empty.txt' by member5 (5) in server {A} refused: empty file",
        f"corpus remove: Quake removed by member5 (5) in server {A}",
    ]


async def test_setup_adds_the_cog(corpus):
    _, bot = await cog_over(corpus)
    added = []

    async def add_cog(cog):
        added.append(cog)

    bot.add_cog = add_cog
    await moderation.setup(bot)
    assert isinstance(added[0], Moderation) and added[0].bot is bot


def test_the_corpus_group_has_the_owner_and_moderator_commands():
    names = {c.name for c in Moderation.corpus.commands}
    assert names == {"add", "remove", "list", "stats", "reload", "forget"}
    assert Moderation.corpus.default_permissions == discord.Permissions(manage_guild=True)


async def test_adds_at_the_same_moment_keep_each_servers_quota(corpus, database):
    cog, bot = await cog_over(corpus, database, quota_articles=1)
    racing = [run(bot, guild_id) for guild_id in (A, A, B, B)]
    names = ["quake.txt", "gale.txt", "quake.txt", "gale.txt"]
    data = [QUAKE, GALE, QUAKE, GALE]
    await asyncio.gather(*(cog._add(i, Attachment(n, d.encode())) for i, n, d in zip(racing, names, data, strict=True)))
    for guild_id in (A, B):
        replies = [reply(i) for i in racing if i.guild_id == guild_id]
        assert sum(r.startswith("Added") for r in replies) == 1
        assert sum("limit of 1 articles" in r for r in replies) == 1
        assert len(await own_ids(database, guild_id)) == 1


# --- what each reply pings, how it is acknowledged, and the replies of the rarer paths -----------


def pings_nobody(sent) -> bool:
    """A reply naming members (<@id>) or quoting a member's file name must notify nobody."""
    mentions = sent.kwargs.get("allowed_mentions")
    return mentions is not None and mentions.to_dict() == {"parse": []}


async def test_every_add_reply_pings_nobody(corpus, database, monkeypatch):
    cog, bot = await cog_over(corpus, database, quota_bytes=150)
    replies = []
    for upload in (Attachment("storm.md", QUAKE.encode()), Attachment("quake.txt", QUAKE.encode())):  # base id; added
        replies.append(run(bot))
        await cog._add(replies[-1], upload)
    replies.append(run(bot))  # the server's own id
    await cog._add(replies[-1], Attachment("quake.md", GALE.encode(), error=AssertionError("never downloaded")))
    replies.append(run(bot))  # refused early by the size quota
    await cog._add(replies[-1], Attachment("gale.txt", GALE.encode()))
    replies.append(run(bot))  # a declared size that lies: refused by the store
    await cog._add(replies[-1], Attachment("gale.txt", GALE.encode(), size=10))
    store = await database.get()

    async def fails(record, quota=None):
        raise StoreUnavailable("disk I/O error")

    monkeypatch.setattr(store, "add_article", fails)
    replies.append(run(bot))
    await cog._add(replies[-1], Attachment("small.txt", b"Small\n\nA small story.\n"))
    texts = [reply(i) for i in replies]
    assert texts[0].startswith("The base corpus already has") and texts[1].startswith("Added `quake`")
    assert texts[2].startswith("This server already has") and texts[3] == texts[4]
    assert texts[5] == (
        "small.txt was not added: the bot's database cannot be reached right now (disk I/O error). "
        "Nothing was changed; please try again later."
    )
    assert all(pings_nobody(i.answers[0]) for i in replies)


async def test_an_outage_before_the_add_pings_nobody(corpus):
    cog, bot = await cog_over(corpus)
    interaction = run(bot)
    await cog._add(interaction, Attachment("quake.txt", QUAKE.encode()))
    assert pings_nobody(interaction.answers[0])


async def test_a_refusal_by_the_stores_quota_is_logged_with_who_and_the_limit(corpus, database, caplog):
    caplog.set_level(logging.INFO)
    cog, bot = await cog_over(corpus, database, quota_bytes=150)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))
    caplog.clear()
    await cog._add(
        run(bot, user=Member(5, manage_guild=True, guild=Guild(A))), Attachment("gale.txt", GALE.encode(), size=10)
    )
    assert messages(caplog) == [
        f"corpus add of gale.txt by member5 (5) in server {A} refused: the server's limit of 150 bytes is reached"
    ]


async def test_when_the_totals_cannot_be_read_the_add_still_says_it_was_added(corpus, database, monkeypatch, caplog):
    cog, bot = await cog_over(corpus, database)
    store = await database.get()

    add = store.add_article

    async def fails(guild_id):
        raise StoreUnavailable("usage query failed")

    async def add_then_fail(record, quota=None):  # the outage starts right after the article is stored
        await add(record, quota)
        monkeypatch.setattr(store, "usage", fails)

    monkeypatch.setattr(store, "add_article", add_then_fail)
    interaction = run(bot)
    await cog._add(interaction, Attachment("quake.txt", QUAKE.encode()))
    assert reply(interaction) == "Added `quake` (1 passage); this server's totals cannot be read right now."
    assert messages(caplog) == [f"server {A}: usage unavailable (usage query failed)"]


async def test_every_remove_reply_pings_nobody_and_is_private(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot), Attachment("quake.txt", QUAKE.encode()))
    gone, missing = run(bot), run(bot)
    await cog._remove(gone, "quake")
    await cog._remove(missing, "quake")
    assert reply(missing) == "This server has no article with the id `quake`."
    down_cog, down_bot = await cog_over(corpus)
    down = run(down_bot)
    await down_cog._remove(down, "quake")
    assert reply(down) == (
        "quake was not removed: the bot's database cannot be reached right now (the database could not be "
        "reached (no database in this test)). Nothing was changed; please try again later."
    )
    for interaction in (gone, missing, down):
        assert interaction.sent[0].how == "defer" and interaction.sent[0].kwargs == {
            "thinking": True,
            "ephemeral": True,
        }
        assert pings_nobody(interaction.answers[0])


async def test_an_unknown_id_is_quoted_cut_to_100_characters(corpus, database):
    cog, bot = await cog_over(corpus, database)
    interaction = run(bot)
    await cog._remove(interaction, "y" * 150)
    assert reply(interaction) == f"This server has no article with the id `{'y' * 99}…`."


async def test_autocomplete_offers_an_id_of_exactly_discords_100_characters(corpus, database):
    from bot.store import ServerArticle

    cog, bot = await cog_over(corpus, database)
    store = await database.get()
    for article_id in ("z" * 100, "w" * 101):
        await store.add_article(ServerArticle(A, article_id, f"{article_id}.txt", QUAKE.encode(), 1, T0))
    assert [c.value for c in await cog._removable_choices(A, "")] == ["z" * 100]


# --- /corpus list: acknowledgement, outage, no base, and the 4096-character fit ---------------------


async def test_list_is_acknowledged_privately_and_an_outage_is_logged_with_the_base_shown_as_on(corpus, caplog):
    cog, bot = await cog_over(corpus)
    interaction = run(bot)
    await cog._list(interaction)
    assert interaction.sent[0].how == "defer" and interaction.sent[0].kwargs == {"thinking": True, "ephemeral": True}
    assert interaction.answers[0].embed.description.splitlines()[3] == "**Base corpus (read-only): 3**"
    assert messages(caplog) == [
        f"server {A}: its articles cannot be listed (the database could not be reached (no database in this test))"
    ]


async def test_list_without_a_loaded_base_shows_the_servers_articles_only(tmp_path, database):
    from bot.store import ServerArticle

    cog, bot = await cog_over(tmp_path / "nothing-here", database)
    assert not bot.holder.loaded
    interaction = run(bot)
    await cog._list(interaction)
    assert interaction.answers[0].embed.description.splitlines() == [
        "**This server's articles**",
        "None yet: add one with /corpus add.",
    ]
    store = await database.get()  # with no base to share with, the server's list may use all 4096 characters
    for n in range(80):
        await store.add_article(ServerArticle(A, f"own{n:03d}-{'x' * 30}", "f.txt", b"x", 1, T0))
    interaction = run(bot)
    await cog._list(interaction)
    description = interaction.answers[0].embed.description
    assert 3600 < len(description) <= 4096 and "Base corpus" not in description


def fake_base(titles):
    """A holder serving a base of articles with these titles (ids b0, b1, ...), nothing built."""
    from tests.discord_fakes import holder_with

    articles = [SimpleNamespace(id=f"b{n}", title=t) for n, t in enumerate(titles)]
    return holder_with(SimpleNamespace(corpus=SimpleNamespace(articles=articles)))


async def test_list_cuts_a_base_title_to_80_characters(corpus):
    cog, bot = await cog_over(corpus)
    bot.holder = fake_base(["word " * 30, "x" * 80 + " and more"])  # the second one's first space is its 81st
    interaction = run(bot)
    await cog._list(interaction)
    assert interaction.answers[0].embed.description.splitlines()[-2:] == [
        f"• {'word ' * 15}{'word'}… — `b0`",
        f"• {'x' * 79}… — `b1`",
    ]


@pytest.mark.parametrize("first_title", range(20, 60))
async def test_the_base_list_fills_the_4096_characters_and_no_more(corpus, first_title):
    """As many base lines as fit: one more (with its count) would pass Discord's 4096 characters. The
    first title's length moves where the list ends, down to no room left at all (at 40 characters)."""
    cog, bot = await cog_over(corpus)
    bot.holder = fake_base(["t" * first_title] + ["t" * 30] * 199)
    interaction = run(bot)
    await cog._list(interaction)
    description = interaction.answers[0].embed.description
    lines = description.splitlines()
    shown = sum(line.startswith("• t") for line in lines)
    assert lines[-1] == f"… and {200 - shown} more" and len(description) <= 4096
    if first_title == 40:
        assert len(description) == 4096
    next_line = f"• {'t' * 30} — `b{shown}`"
    one_more = len(description) - len(lines[-1]) + len(next_line) + 1 + len(f"… and {199 - shown} more")
    assert one_more > 4096


def test_fitted_keeps_exactly_what_fits_with_its_count():
    eights = ["a" * 8] * 8
    assert fitted(eights[:3], 21) == ["a" * 8, "… and 2 more"]  # 21 characters: exactly the budget
    assert fitted(eights[:3], 20) == ["… and 3 more"]
    assert fitted(eights[:4], 29) == ["a" * 8, "… and 3 more"]  # two lines and the count would take 30
    assert fitted(eights[:4], 30) == ["a" * 8, "a" * 8, "… and 2 more"]
    assert fitted(eights[:5], 38) == ["a" * 8, "a" * 8, "… and 3 more"]
    assert fitted(eights[:5], 39) == ["a" * 8] * 3 + ["… and 2 more"]
    assert fitted(eights, 48) == ["a" * 8] * 4 + ["… and 4 more"]
    assert fitted(["a" * 8] * 10, 21) == ["a" * 8, "… and 9 more"]  # "… and 10 more" would not fit


@pytest.mark.parametrize("lengths", [(8, 8, 8, 8), (3, 12, 1, 7, 20, 5), (9,) * 12, (1, 30, 2, 2, 2)])
def test_fitted_shows_the_longest_start_that_fits_with_its_count(lengths):
    lines = ["x" * n for n in lengths]
    for budget in range(sum(lengths) + len(lengths)):
        out = fitted(lines, budget)
        joined = "\n".join(out)
        if len("\n".join(lines)) <= budget:
            assert out == lines
            continue
        shown = len(out) - 1
        assert out == [*lines[:shown], f"… and {len(lines) - shown} more"]
        assert shown == 0 or len(joined) <= budget
        longer = "\n".join([*lines[: shown + 1], f"… and {len(lines) - shown - 1} more"])
        assert len(longer) > budget  # one more line would not fit


# --- /corpus forget: acknowledgement, the log, outages ----------------------------------------------


async def test_forget_is_acknowledged_privately_logged_and_pings_nobody_on_a_bad_id(corpus, database, caplog):
    caplog.set_level(logging.INFO)
    cog, bot = await cog_over(corpus, database)
    interaction = run(bot, A, Member(OWNER))
    await cog._forget(interaction, "1")  # 1 is a server id like any other
    assert interaction.sent[0].how == "defer" and interaction.sent[0].kwargs == {"thinking": True, "ephemeral": True}
    assert reply(interaction) == "Forgot server 1: its 0 article(s), settings and feedback are deleted."
    assert messages(caplog) == [f"server 1 forgotten by member{OWNER} ({OWNER}) in server {A}"]
    bad = run(bot, A, Member(OWNER))
    await cog._forget(bad, "<@1>")
    assert reply(bad) == "<@1> is not a server id (a number)." and pings_nobody(bad.answers[0])


async def test_forget_refuses_a_server_the_bot_is_still_in_with_the_whole_reason(corpus, database):
    cog, bot = await cog_over(corpus, database)
    bot.get_guild = lambda guild_id: Guild(guild_id)
    interaction = run(bot, A, Member(OWNER))
    await cog._forget(interaction, str(B))
    assert reply(interaction) == (
        f"The bot is still in server {B}: remove the bot from it first (its articles, settings and feedback are "
        "then kept for the grace period, or forgotten at once with this command)."
    )


async def test_forget_during_an_outage_says_nothing_was_changed(corpus):
    cog, bot = await cog_over(corpus)
    interaction = run(bot, A, Member(OWNER))
    await cog._forget(interaction, str(B))
    assert reply(interaction) == (
        f"Server {B} was not forgotten: the bot's database cannot be reached right now (the database could not be "
        "reached (no database in this test)). Nothing was changed; please try again later."
    )


async def test_forget_without_the_servers_totals_still_says_what_it_deleted(corpus, database, monkeypatch):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot, B), Attachment("quake.txt", QUAKE.encode()))
    store = await database.get()

    async def fails(guild_id):
        raise StoreUnavailable("usage query failed")

    monkeypatch.setattr(store, "usage", fails)
    interaction = run(bot, A, Member(OWNER))
    await cog._forget(interaction, str(B))
    assert reply(interaction) == f"Forgot server {B}: its articles, settings and feedback are deleted."
    assert await own_ids(database, B) == []


# --- the owner's views: processes, totals, reload --------------------------------------------------


def owner_stats(bot):
    return run(bot, A, Member(OWNER, manage_guild=True, guild=Guild(A)))


@pytest.mark.parametrize("count", [10, 11, 12])
async def test_the_owner_sees_at_most_ten_processes_and_how_many_more(corpus, database, count):
    from bot.store import ProcessRecord

    cog, bot = await cog_over(corpus, database)
    seen = datetime.now(UTC)
    processes = [ProcessRecord(f"h{n}", n, None, None, None, seen, seen) for n in range(count)]
    bot.changes = SimpleNamespace(processes=lambda: asyncio.sleep(0, processes))
    interaction = owner_stats(bot)
    await cog._stats(interaction)
    lines = interaction.answers[0].embed.description.splitlines()
    at = lines.index("Base corpus version in the database: `none`")
    assert lines[at + 1 :] == [f"• h{n} pid {n}, shards all: `none`" for n in range(10)] + (
        [f"… and {count - 10} more processes"] if count > 10 else []
    )


async def test_the_owner_sees_when_the_processes_cannot_be_read(corpus, database):
    cog, bot = await cog_over(corpus, database)

    async def fails():
        raise StoreUnavailable("no")

    bot.changes = SimpleNamespace(processes=fails)
    interaction = owner_stats(bot)
    await cog._stats(interaction)
    assert interaction.answers[0].embed.description.splitlines()[-1] == "Processes: unavailable"


async def test_the_owner_sees_when_the_stored_servers_cannot_be_read(corpus):
    cog, bot = await cog_over(corpus)
    interaction = owner_stats(bot)
    await cog._stats(interaction)
    assert interaction.answers[0].embed.description.splitlines()[-1] == "Stored servers: unavailable"


async def test_a_server_with_only_settings_stored_has_no_articles_of_its_own(corpus, database):
    cog, bot = await cog_over(corpus, database)
    await cog._add(run(bot, A), Attachment("quake.txt", QUAKE.encode()))
    await (await database.get()).set_settings(B, ServerSettings(base_corpus=False))
    interaction = owner_stats(bot)
    await cog._stats(interaction)
    lines = interaction.answers[0].embed.description.splitlines()
    assert "Servers with stored data: **2** (1 with articles of their own)" in lines


async def test_a_reload_tells_the_other_processes(corpus):
    cog, bot = await cog_over(corpus)
    published = []
    bot.changes = SimpleNamespace(publish_base=lambda: asyncio.sleep(0, published.append("base") or True))
    interaction = run(bot, user=Member(OWNER))
    await cog._reload_command(interaction)
    assert published == ["base"]
    assert interaction.answers[0].embed.footer.text is None


async def test_a_reload_the_database_cannot_hear_yet_says_the_others_follow_when_it_is_back(corpus):
    cog, bot = await cog_over(corpus)
    bot.changes = SimpleNamespace(publish_base=lambda: asyncio.sleep(0, False))  # kept for a later heartbeat
    interaction = run(bot, user=Member(OWNER))
    await cog._reload_command(interaction)
    embed = interaction.answers[0].embed
    assert embed.title == "Base corpus reloaded"
    assert embed.footer.text == (
        "The database cannot be reached right now: this process serves the reloaded corpus, and the other "
        "processes will be told to reload theirs when the database is back."
    )


async def test_a_failed_reload_is_logged_with_who_and_why(corpus, caplog):
    cog, bot = await cog_over(corpus)
    for path in sorted(corpus.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    corpus.rmdir()
    await cog._reload_command(run(bot, user=Member(OWNER)))
    assert messages(caplog)[-1] == (
        f"corpus reload by member{OWNER} ({OWNER}) in server {A} failed: corpus path does not exist: {corpus}"
    )


async def test_an_owner_command_refused_says_whose_the_base_is_and_what_moderators_use(corpus):
    cog, _ = await cog_over(corpus)
    with pytest.raises(NotOwner) as refused:
        await cog.interaction_check(run(cog.bot, user=Member(1, manage_guild=True), command="reload"))
    assert str(refused.value) == (
        "Only the bot's owner can use /corpus reload: the base corpus and the stored servers are theirs. "
        "This server's own articles are managed with /corpus add and /corpus remove."
    )


def test_report_lists_the_removed_ids_with_a_minus_sign():
    lines = report_embed("R", report(removed=["r1", "r2"])).description.splitlines()
    assert lines[1:] == ["+0 added · −2 removed · ~0 changed", "− `r1`, `r2`"]
