"""/settings driven directly over a real SQLite store: who may run it, what each change replies,
stores and announces, Discord's limits, and an outage. Discord's numbers are written out here."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest

from bot.client import create_bot
from bot.cogs.settings import OUTAGE, NotManager, SettingsCommands
from bot.store import ServerSettings, open_store
from tests.discord_fakes import GuildLibraries, Interaction, Member, StoreDatabase, fake_bot, holder_with

GUILD, OTHER = 10, 77  # GUILD is discord_fakes.Interaction's
MANAGER = Member(5, manage_guild=True)


@pytest.fixture
async def cog(seed_library, tmp_path):
    bot = fake_bot(holder_with(seed_library), cooldown_s=2.0)
    bot.libraries = GuildLibraries(bot.holder)
    store = await open_store("", tmp_path)
    bot.database = StoreDatabase(store)
    yield SettingsCommands(bot)
    await store.close()


async def stored(cog, guild=GUILD) -> ServerSettings:
    return await cog.bot.database.store.get_settings(guild)


async def run(method, *args, guild=GUILD, user=MANAGER) -> str:
    """Run one command body; what the member reads back."""
    interaction = Interaction(method.__self__.bot, user=user, guild_id=guild)
    await method(interaction, *args)
    defer, reply = interaction.sent
    assert defer.kwargs == {"ephemeral": True, "thinking": True}
    assert reply.kwargs["ephemeral"] is True and reply.kwargs["allowed_mentions"].to_dict() == {"parse": []}
    assert len(reply.content) <= 2000
    return reply.content


async def test_only_members_with_manage_server_in_this_server_pass(cog):
    assert await cog.interaction_check(Interaction(cog.bot, user=MANAGER)) is True
    with pytest.raises(NotManager, match="Only members with Manage Server in this server"):
        await cog.interaction_check(Interaction(cog.bot, user=Member(6, role_ids=(1234,))))
    with pytest.raises(NotManager, match="in a server only"):
        await cog.interaction_check(Interaction(cog.bot, user=SimpleNamespace(id=5), guild_id=None))


async def test_the_command_is_guild_only_hidden_behind_manage_server_and_within_discords_limits():
    bot = create_bot()
    await bot.add_cog(SettingsCommands(bot))
    command = bot.tree.get_command("settings").to_dict(bot.tree)
    assert int(command["default_member_permissions"]) == 1 << 5  # MANAGE_GUILD only
    assert command["dm_permission"] is False  # guild only
    options = {o["name"]: o for o in command["options"]}
    assert set(options) == {"show", "moderator-role", "mention-channels", "base-corpus", "strictness", "cooldown"}
    for option in options.values():
        assert 1 <= len(option["name"]) <= 32 and 1 <= len(option["description"]) <= 100
        for parameter in option.get("options", []):
            assert len(parameter["name"]) <= 32 and 1 <= len(parameter["description"]) <= 100
            assert len(parameter.get("choices", [])) <= 25
    assert [c["value"] for c in options["strictness"]["options"][0]["choices"]] == ["strict", "normal", "lenient"]
    (seconds,) = options["cooldown"]["options"]
    assert (seconds["type"], seconds["min_value"], seconds["max_value"], seconds["required"]) == (10, 0, 3600, False)
    channel = options["mention-channels"]["options"][1]
    assert channel["type"] == 7 and not {10, 11, 12} & set(channel["channel_types"])  # no threads: their parent


async def test_show_lists_every_setting_and_where_ask_visibility_is_set(cog):
    text = await run(cog._show)
    assert text.splitlines() == [
        "**Moderator roles**: none (Manage Server only)",
        "**Mentions answered in**: every channel",
        "**Base corpus**: on",
        "**Strictness**: normal (answers, and the closest related passages marked as such)",
        "**Cooldown**: the bot's default (2 s)",
        "-# Who can see `/ask` in which channel is Discord's own: Server Settings → Integrations.",
    ]


async def test_moderator_roles_are_added_and_removed_with_before_and_after(cog, caplog):
    with caplog.at_level(logging.INFO):
        assert await run(cog._moderator_role, "add", SimpleNamespace(id=41)) == (
            "**Moderator roles**: none (Manage Server only) → <@&41>"
        )
    assert "server 10: member5 (5) changed Moderator roles: none (Manage Server only) -> <@&41>" in caplog.messages
    assert await run(cog._moderator_role, "add", SimpleNamespace(id=42)) == (
        "**Moderator roles**: <@&41> → <@&41>, <@&42>"
    )
    assert (await stored(cog)).moderator_role_ids == {41, 42}
    assert await run(cog._moderator_role, "remove", SimpleNamespace(id=41)) == (
        "**Moderator roles**: <@&41>, <@&42> → <@&42>"
    )
    assert (await stored(cog)).moderator_role_ids == {42}
    assert cog.bot.server_settings.changes == [GUILD, GUILD, GUILD]
    assert await stored(cog, OTHER) == ServerSettings()  # another server is untouched


async def test_everyone_and_a_21st_role_are_refused_and_nothing_changes(cog):
    assert await run(cog._moderator_role, "add", SimpleNamespace(id=GUILD)) == (
        "@everyone cannot be a moderator role: every member would moderate. Nothing was changed."
    )
    for role in range(101, 121):
        await run(cog._moderator_role, "add", SimpleNamespace(id=role))
    assert await run(cog._moderator_role, "add", SimpleNamespace(id=99)) == (
        "A server can have at most 20 moderator roles. Nothing was changed."
    )
    assert len((await stored(cog)).moderator_role_ids) == 20
    text = await run(cog._show)
    assert "<@&110> and 10 more" in text  # cut, within a message


async def test_mention_channels_from_every_channel_to_a_list_and_back(cog):
    first, second = SimpleNamespace(id=301), SimpleNamespace(id=302)
    assert await run(cog._mention_channels, "add", first) == "**Mentions answered in**: every channel → <#301>"
    assert await run(cog._mention_channels, "add", second) == "**Mentions answered in**: <#301> → <#301>, <#302>"
    await run(cog._mention_channels, "remove", first)
    assert await run(cog._mention_channels, "remove", second) == (
        "**Mentions answered in**: <#302> → no channel (mentions are not answered; /ask is)"
    )
    assert (await stored(cog)).mention_channel_ids == frozenset()
    assert await run(cog._mention_channels, "all", None) == (
        "**Mentions answered in**: no channel (mentions are not answered; /ask is) → every channel"
    )
    assert (await stored(cog)).mention_channel_ids is None


async def test_mention_channel_changes_that_cannot_be_made_say_why(cog):
    assert (await run(cog._mention_channels, "remove", SimpleNamespace(id=301))).startswith(
        "Mentions are answered in every channel: add the channels to answer in first"
    )
    assert await run(cog._mention_channels, "add", None) == "Name the channel to add. Nothing was changed."
    for channel in range(1, 51):
        await run(cog._mention_channels, "add", SimpleNamespace(id=channel))
    assert (await run(cog._mention_channels, "add", SimpleNamespace(id=99))).startswith("At most 50 channels")
    assert len((await stored(cog)).mention_channel_ids) == 50
    assert await run(cog._mention_channels, "all", None)  # every list fits in one message


async def test_base_corpus_off_is_stored_and_drops_the_servers_libraries(cog):
    assert await run(cog._base_corpus, False) == "**Base corpus**: on → off"
    assert (await stored(cog)).base_corpus is False
    assert cog.bot.libraries.changes == [GUILD] and cog.bot.server_settings.changes == [GUILD]
    assert await run(cog._base_corpus, False) == "**Base corpus** is already off. Nothing was changed."
    assert cog.bot.libraries.changes == [GUILD] and cog.bot.server_settings.changes == [GUILD]


async def test_strictness_and_cooldown(cog):
    assert await run(cog._strictness, "strict") == (
        "**Strictness**: normal (answers, and the closest related passages marked as such) → strict (only "
        "passages that answer; a merely related result is shown as nothing found)"
    )
    assert await run(cog._strictness, "loose") == "Strictness is one of strict, normal, lenient. Nothing was changed."
    assert cog.bot.libraries.changes == []  # only the base corpus switch rebuilds libraries
    assert await run(cog._cooldown, 30.0) == "**Cooldown**: the bot's default (2 s) → 30 s"
    assert (await stored(cog)).cooldown_s == 30.0
    for bad in (float("nan"), float("inf"), -1.0, 3600.5):
        assert (await run(cog._cooldown, bad)).startswith("The cooldown is a number of seconds from 0 to 3600.")
    assert await run(cog._cooldown, None) == "**Cooldown**: 30 s → the bot's default (2 s)"
    assert await stored(cog) == ServerSettings(strictness="strict")


async def test_a_store_outage_changes_nothing_and_says_so(cog):
    cog.bot.database.down = True
    assert await run(cog._base_corpus, False) == OUTAGE
    assert cog.bot.server_settings.changes == [] and cog.bot.libraries.changes == []
    shown = await run(cog._show)  # the values in use, said to be so
    assert shown.endswith("*The database cannot be reached: these are the settings in use now.*")
    cog.bot.database.down = False
    assert await stored(cog) == ServerSettings()


async def test_two_moderators_changing_at_once_both_keep_their_change(cog):
    await asyncio.gather(
        run(cog._strictness, "lenient"),
        run(cog._base_corpus, False),
        run(cog._moderator_role, "add", SimpleNamespace(id=41)),
        run(cog._cooldown, 12.0),
    )
    assert await stored(cog) == ServerSettings(
        moderator_role_ids=frozenset({41}), base_corpus=False, strictness="lenient", cooldown_s=12.0
    )


async def test_each_server_changes_only_its_own_settings(cog):
    await run(cog._strictness, "strict", guild=OTHER)
    await run(cog._base_corpus, False)
    assert await stored(cog, OTHER) == ServerSettings(strictness="strict")
    assert await stored(cog) == ServerSettings(base_corpus=False)
    assert cog.bot.server_settings.changes == [OTHER, GUILD]


async def test_exactly_ten_items_are_all_named_without_and_more(cog):
    for role in range(201, 211):
        await run(cog._moderator_role, "add", SimpleNamespace(id=role))
    roles_line = (await run(cog._show)).splitlines()[0]
    assert roles_line == "**Moderator roles**: " + ", ".join(f"<@&{r}>" for r in range(201, 211))


async def test_a_change_waits_for_another_change_in_the_same_server(cog):
    lock = cog._lock(GUILD)  # held as another moderator's change would hold it
    await lock.acquire()
    pending = asyncio.ensure_future(run(cog._base_corpus, False))
    for _ in range(20):
        await asyncio.sleep(0)
    # Not even read until the other change is stored: reading first would overwrite that change.
    assert not pending.done() and cog.bot.database.reads == 0
    lock.release()
    assert await pending == "**Base corpus**: on → off"


async def test_the_outage_log_says_which_server_who_and_why(cog, caplog):
    cog.bot.database.down = True
    with caplog.at_level(logging.ERROR):
        await run(cog._strictness, "strict")
    assert caplog.messages == ["server 10: settings change by member5 (5) failed (database is down (test))"]


async def test_show_during_an_outage_logs_and_shows_this_servers_settings_in_use(cog, caplog):
    cog.bot.server_settings.settings[GUILD] = ServerSettings(strictness="lenient", base_corpus=False)
    cog.bot.database.down = True
    with caplog.at_level(logging.ERROR):
        text = await run(cog._show)
    assert caplog.messages == ["server 10: settings cannot be read for /settings show (database is down (test))"]
    assert "**Base corpus**: off" in text.splitlines()
    assert "**Strictness**: lenient (related passages shown more readily (never as an answer))" in text.splitlines()


async def test_cooldown_bounds_zero_and_an_hour_are_accepted(cog):
    assert await run(cog._cooldown, 0.0) == "**Cooldown**: the bot's default (2 s) → 0 s"
    assert (await stored(cog)).cooldown_s == 0.0
    assert await run(cog._cooldown, 3600.0) == "**Cooldown**: 0 s → 3600 s"
    assert (await stored(cog)).cooldown_s == 3600.0


async def test_removing_a_channel_while_every_channel_answers_explains_how(cog):
    assert await run(cog._mention_channels, "remove", SimpleNamespace(id=301)) == (
        "Mentions are answered in every channel: add the channels to answer in first "
        "(the first one added replaces every channel). Nothing was changed."
    )


async def test_who_may_change_settings_is_told_exactly_why_not(cog):
    with pytest.raises(NotManager) as refused:
        await cog.interaction_check(Interaction(cog.bot, user=Member(6)))
    assert str(refused.value) == "Only members with Manage Server in this server can change its settings."
    for user, guild in ((SimpleNamespace(id=5), GUILD), (MANAGER, None)):  # not a member; a DM
        with pytest.raises(NotManager) as refused:
            await cog.interaction_check(Interaction(cog.bot, user=user, guild_id=guild))
        assert str(refused.value) == "Settings work in a server only."
