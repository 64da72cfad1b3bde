"""Bot processes as separate OS processes, pointed at the loopback Discord of the test.

The parent (a test) runs the FakeDiscord in its own event loop and starts each bot with
`BotProcess.start`: `python -m tests.e2e.launcher` in a child, configured by the environment like a
deployed bot (QA_* keys, .env ignored) plus where the fake listens. The child points discord.py
there — `Route.BASE` for REST and `DiscordWebSocket.DEFAULT_GATEWAY`, which discord.py connects to
when the shard count is given — then runs the bot exactly as `qa-bot run` does (bot/run.py:
signals, clean exit). Its log goes to a file the test can read and wait on.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.e2e.fake_discord import FakeChannel, FakeDiscord, FakeMessage

REPO = Path(__file__).resolve().parents[2]
FAKE_API = "QA_TEST_FAKE_API"
FAKE_GATEWAY = "QA_TEST_FAKE_GATEWAY"
FAKE_CDN = "QA_TEST_FAKE_CDN"
IDENTIFY_WINDOW = "QA_TEST_IDENTIFY_WINDOW_S"  # the shortened bucket window of the e2e tests
SEEDS = REPO / "seeds"
PATIENCE_S = 60.0  # for anything that crosses processes on a shared 2-core machine


class BotProcess:
    def __init__(self, name: str, env: Mapping[str, str], log_path: Path) -> None:
        self.name = name
        self.env = dict(env)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> BotProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        env = {**os.environ, **self.env, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.launcher"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a host loses power."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    async def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait for the clean exit (the bot drains its replies first)."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.process.poll() is None:
            if loop.time() > deadline:
                self.process.kill()
                self.process.wait(10)
                raise AssertionError(f"{self.name} did not stop within {timeout} s:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.1)
        return self.process.returncode

    async def wait_for_log(self, text: str, timeout: float = 60.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while text not in self.log():
            if not self.alive():
                raise AssertionError(f"{self.name} exited before logging {text!r}:\n{self.log()[-3000:]}")
            if loop.time() > deadline:
                raise AssertionError(f"{self.name} never logged {text!r}:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.1)


def message_text(message: FakeMessage) -> str:
    return (str(message.content) + str(message.embeds)).replace("**", "")  # matched words are bold


class Cluster:
    """Bot processes, one folder per "host" (its own copy of the base corpus and its data dir), on one
    database and one loopback Discord; the ask helpers act as a member."""

    def __init__(self, fake: FakeDiscord, root: Path, url: str, *, identify_window_s: float, **env: str) -> None:
        self.fake = fake
        self.identify_window_s = identify_window_s
        self.extra_env = env
        self.root = root
        self.url = url
        self.processes: list[BotProcess] = []

    def host_dir(self, host: str) -> Path:
        corpus = self.root / host / "corpus"
        if not corpus.exists():
            shutil.copytree(SEEDS, corpus)
        return self.root / host

    def process(self, host: str, shard_count: int, shard_ids: Sequence[int]) -> BotProcess:
        folder = self.host_dir(host)
        env = (
            child_env(self.fake, identify_window_s=self.identify_window_s)
            | {
                "QA_CORPUS_DIR": str(folder / "corpus"),
                "QA_DATA_DIR": str(folder / "data"),
                "QA_DATABASE_URL": self.url,
                "QA_SHARD_COUNT": str(shard_count),
                "QA_SHARD_IDS": ",".join(map(str, shard_ids)),
                "QA_ASK_COOLDOWN_S": "0",
                "QA_DEV_GUILD_ID": str(self.fake.guild.id),
                "QA_MODERATOR_ROLE_ID": str(self.fake.moderator_role.id),
                "QA_VERSION_CHECK_S": "0",  # only notifications deliver changes in these tests
                "QA_LOG_LEVEL": "INFO",
            }
            | self.extra_env
        )
        name = f"{len(self.processes)}-{host}-shards{'-'.join(map(str, shard_ids))}of{shard_count}"  # one log each
        started = BotProcess(name, env, self.root / "logs" / f"{name}.log").start()
        self.processes.append(started)
        return started

    async def start(self, shard_count: int, hosts: Sequence[str]) -> list[BotProcess]:
        """One process per host, shard i on host i, all started together; back once every shard is READY."""
        started = [self.process(host, shard_count, [i]) for i, host in enumerate(hosts)]
        await self.ready(shard_count, started)
        return started

    async def ready(self, shard_count: int, processes: Sequence[BotProcess]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2 * PATIENCE_S
        while not set(range(shard_count)) <= self.fake.ready_shards():
            for process in processes:
                if not process.alive():
                    raise AssertionError(f"{process.name} exited:\n{process.log()[-3000:]}")
            if loop.time() > deadline:
                raise AssertionError("shards never READY:\n" + "\n".join(p.log()[-2000:] for p in processes))
            await asyncio.sleep(0.1)
        for process in processes:  # the change listener is up: nothing it should hear can slip by
            await process.wait_for_log("change listener connected", PATIENCE_S)

    async def stop_all(self) -> None:
        for process in self.processes:
            if process.alive():
                await process.stop()
        self.processes = [p for p in self.processes if p.alive()]

    async def ask(self, channel: FakeChannel, question: str) -> str:
        mention = not channel.is_dm
        await self.fake.post_message(channel, self.fake.member, question, mention_bot=mention)
        return message_text(await self.fake.wait_for_bot_message(channel, timeout=PATIENCE_S))

    async def ask_until(self, channel: FakeChannel, question: str, expected: str) -> str:
        """Ask again (every 0.5 s at most) until an answer contains `expected`: a change crossing
        processes arrives when it arrives; the test only needs it to arrive."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE_S
        while True:
            answer = await self.ask(channel, question)
            if expected in answer:
                return answer
            if loop.time() > deadline:
                logs = "\n".join(p.log()[-2000:] for p in self.processes)
                raise AssertionError(f"never answered with {expected!r}; last answer: {answer[:300]}\n{logs}")
            await asyncio.sleep(0.5)


def child_env(fake, *, identify_window_s: float) -> dict[str, str]:
    """Where the fake listens, for the child."""
    return {
        FAKE_API: fake.api_url,
        FAKE_GATEWAY: fake._gateway.url,
        FAKE_CDN: fake.base_url,
        IDENTIFY_WINDOW: str(identify_window_s),
        "DISCORD_TOKEN": fake.token,
    }


def _exit_with_parent() -> None:
    """A test or bench killed outright must not leave its bots running, reconnecting forever."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _child() -> int:
    from bot.client import create_bot
    from bot.identify import IdentifyPacer
    from bot.run import _serve, configure_logging
    from bot.settings import Settings
    from bot.store.errors import StoreConfigError, StoreInUse
    from tests.e2e.fake_discord.discord_patch import pointed_at

    _exit_with_parent()
    settings = Settings.from_env(dotenv_path=None)
    configure_logging(settings.log_level)
    bot = create_bot(settings)
    bot.identify_pacer = IdentifyPacer(interval_s=float(os.environ[IDENTIFY_WINDOW]), margin_s=0.2)
    with pointed_at(os.environ[FAKE_API], os.environ[FAKE_GATEWAY], os.environ[FAKE_CDN]):
        try:
            asyncio.run(_serve(bot, settings.discord_token.reveal()))
        except (StoreInUse, StoreConfigError) as error:
            print(f"cannot start: {error}", flush=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(_child())
