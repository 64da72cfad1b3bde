"""Settings from the environment: every number is checked, and a refusal names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cooldown import Cooldown
from bot.settings import Secret, Settings, SettingsError


def settings(**env: str) -> Settings:
    return Settings.from_env(env, dotenv_path=None)


def test_defaults_when_nothing_is_set(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no seeds/ here: the shipped one beside the package
    s = settings()
    assert s.ask_cooldown_s == 10.0 and s.moderator_role_id is None and s.dev_guild_id is None
    assert s.data_dir == Path("data") and s.feedback_db == Path("data") / "feedback.sqlite3"
    assert s.log_level == "INFO" and not s.discord_token
    assert s.corpus_dir == Path(__file__).resolve().parents[1] / "seeds"


def test_values_are_read_and_trimmed():
    s = settings(
        DISCORD_TOKEN=" tok ",
        QA_CORPUS_DIR="corpus",
        QA_DATA_DIR="/tmp/qa",
        QA_MODERATOR_ROLE_ID=" 123456789012345678 ",
        QA_ASK_COOLDOWN_S="2.5",
        QA_DEV_GUILD_ID="42",
        QA_LOG_LEVEL="debug",
    )
    assert s.discord_token.reveal() == "tok"
    assert s.corpus_dir == Path("corpus") and s.data_dir == Path("/tmp/qa")
    assert s.moderator_role_id == 123456789012345678 and s.dev_guild_id == 42
    assert s.ask_cooldown_s == 2.5 and s.log_level == "DEBUG"
    assert settings(QA_ASK_COOLDOWN_S="0").ask_cooldown_s == 0.0


def test_the_environment_overrides_the_dotenv_file(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("QA_ASK_COOLDOWN_S=3\nQA_LOG_LEVEL=warning\n")
    s = Settings.from_env({"QA_ASK_COOLDOWN_S": "4"}, dotenv_path=dotenv)
    assert s.ask_cooldown_s == 4.0 and s.log_level == "WARNING"


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
def test_a_cooldown_that_is_not_a_finite_number_is_refused_by_name(text):
    # nan compared false with every wait (no cooldown at all); inf overflowed the wait message.
    with pytest.raises(SettingsError, match=r"QA_ASK_COOLDOWN_S .*finite.*" + repr(text).replace("'", "'")):
        settings(QA_ASK_COOLDOWN_S=text)


@pytest.mark.parametrize(("text", "message"), [("-1", "cannot be negative"), ("ten", "must be a number")])
def test_a_negative_or_non_numeric_cooldown_is_refused_by_name(text, message):
    with pytest.raises(SettingsError, match=f"QA_ASK_COOLDOWN_S {message}"):
        settings(QA_ASK_COOLDOWN_S=text)


@pytest.mark.parametrize("key", ["QA_MODERATOR_ROLE_ID", "QA_DEV_GUILD_ID"])
@pytest.mark.parametrize("text", ["nan", "inf", "1e5", "12.5", "-5", "0", str(2**64)])
def test_ids_must_be_positive_64_bit_integers(key, text):
    with pytest.raises(SettingsError, match=key):
        settings(**{key: text})


@pytest.mark.parametrize("key", ["QA_MODERATOR_ROLE_ID", "QA_DEV_GUILD_ID"])
def test_the_largest_discord_id_is_accepted(key):
    s = settings(**{key: str(2**64 - 1)})
    assert getattr(s, key.removeprefix("QA_").lower()) == 2**64 - 1


def test_a_secret_never_shows_itself():
    secret = Secret("abc.def")
    assert repr(secret) == str(secret) == "Secret('********')" and f"{secret}" == "Secret('********')"
    assert secret.reveal() == "abc.def" and bool(secret)
    assert repr(Secret("")) == "Secret('')" and not Secret("")
    assert "abc.def" not in repr(settings(DISCORD_TOKEN="abc.def"))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_cooldown_counts_per_member_and_says_how_long_to_wait():
    clock = Clock()
    cooldown = Cooldown(10, clock)
    assert cooldown.retry_after(1) == 0.0
    clock.now += 4
    assert cooldown.retry_after(1) == pytest.approx(6.0)
    assert cooldown.retry_after(2) == 0.0  # another member is not held back
    clock.now += 6
    assert cooldown.retry_after(1) == 0.0  # exactly the pause later
    clock.now += 9.9
    assert cooldown.retry_after(1) == pytest.approx(0.1)
    assert Cooldown.message(0.1) == "You're asking quickly: please wait 1 s before your next question."
    assert Cooldown.message(6.4) == "You're asking quickly: please wait 6 s before your next question."


def test_a_zero_cooldown_never_holds_anyone_back():
    cooldown = Cooldown(0, Clock())
    assert [cooldown.retry_after(1) for _ in range(3)] == [0.0, 0.0, 0.0]


def test_the_cooldown_forgets_members_whose_pause_is_over():
    clock = Clock()
    cooldown = Cooldown(10, clock)
    for user in range(10_001):
        cooldown.retry_after(user)
    clock.now += 20
    cooldown.retry_after(-1)
    assert cooldown.retry_after(0) == 0.0  # forgotten: free to ask
    assert len(cooldown._last) == 2
    clock.now += 1
    assert cooldown.retry_after(0) == pytest.approx(9.0)
