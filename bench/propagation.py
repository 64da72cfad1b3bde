"""Several bot processes on one PostgreSQL, through the loopback Discord: how fast changes reach them.

    .venv/bin/python bench/propagation.py [--processes 2] [--changes 100] [--passages 100000] [--questions 400]

Real bot processes (tests/e2e/launcher.py), one "host" folder each, a PostgreSQL started from the
installed binaries (tests/pg.py), the periodic version check off so only NOTIFY delivers.

1. Change propagation: `--changes` server articles written one after another through the store
   (each a different guild); for each, the time from the write's start to the log line in which
   each process applied it ("change applied", millisecond timestamps). p50 and max over all.
2. Base reload: a base of `--passages` passages written into every host's corpus folder, then
   /corpus reload through the process of shard 1; the time until each process logged the loaded
   corpus at that size (the others start once the first has built and announced it).
3. Throughput: `--questions` questions at once, half in DMs (shard 0), half by mention in the
   guild (shard 1), over the reloaded base: with `--processes` processes (one shard each), then
   with one process running both shards. Answers per second, and the CPU seconds each process
   (the bench's own, which runs the loopback Discord, included) spent during the burst.
A benchmark prints figures; it never fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import write_corpus  # noqa: E402
from bot.store import ServerArticle, open_store  # noqa: E402
from tests.e2e.fake_discord import FakeDiscord, FakeMessage  # noqa: E402
from tests.e2e.launcher import BotProcess, Cluster  # noqa: E402
from tests.pg import PostgresServer, find_bindir  # noqa: E402

WINDOW_S = 1.0
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ", re.M)
APPLIED = re.compile(r"^(\S+ \S+) INFO bot\.changes: change applied: guild (\d+) (\w+) version (\d+)$", re.M)
LOADED = re.compile(r"^(\S+ \S+) INFO bot\.holder: corpus loaded: (\d+) articles, (\d+) passages", re.M)
QUESTION = "Which UN resolution forbids buying North Korean weapons?"


def _when(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()  # the children log local time


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def propagation(cluster: Cluster, processes: list[BotProcess], changes: int) -> None:
    store = await open_store(cluster.url, Path())
    started: dict[int, float] = {}
    try:
        for i in range(changes):
            guild = 900_000_000_000_000_000 + i
            started[guild] = time.time()
            content = f"Bench article {i}\n\nA paragraph about change number {i}.\n".encode()
            await store.add_article(ServerArticle(guild, f"a{i}", f"a{i}.txt", content, 1, datetime.now(UTC)))
    finally:
        await store.close()
    delays: list[float] = []
    per_process: list[float] = []
    deadline = time.monotonic() + 120
    for process in processes:
        while True:
            seen = {int(g): _when(t) for t, g, kind, _v in APPLIED.findall(process.log()) if int(g) in started}
            if len(seen) == changes or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        mine = [seen[g] - started[g] for g in seen]
        delays += mine
        per_process.append(max(mine, default=float("nan")))
        print(f"  {process.name}: {len(seen)}/{changes} applied, max {max(mine, default=float('nan')):.3f} s")
    print(
        f"propagation over {changes} changes x {len(processes)} processes: p50 {statistics.median(delays):.3f} s,"
        f" p95 {_pct(delays, 0.95):.3f} s, max {max(delays):.3f} s (write start -> applied, 1 ms log resolution)"
    )


async def base_reload(cluster: Cluster, processes: list[BotProcess], hosts: list[str], passages: int) -> None:
    fake = cluster.fake
    first = cluster.host_dir(hosts[0]) / "corpus"
    made = time.perf_counter()
    write_corpus(first, passages)
    for host in hosts[1:]:
        shutil.copy(first / "archive.jsonl", cluster.host_dir(host) / "corpus" / "archive.jsonl")
    print(f"base reload: {passages:,} passages written to {len(hosts)} hosts in {time.perf_counter() - made:.1f} s")
    asked = time.time()
    record = await fake.invoke_slash("corpus reload", user=fake.owner)
    deadline = time.monotonic() + 900
    for process in processes:
        while True:  # the archive's duplicates are skipped, so the size is a little under --passages
            loaded = [(when, int(p)) for t, _a, p in LOADED.findall(process.log()) if (when := _when(t)) >= asked]
            if loaded or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        if loaded:
            print(
                f"  {process.name}: serving {loaded[-1][1]:,} passages"
                f" {loaded[-1][0] - asked:.1f} s after /corpus reload"
            )
        else:
            print(f"  {process.name}: never loaded the new base")
    await record.wait_followups(1, timeout=60)


async def throughput(cluster: Cluster, processes: list[BotProcess], questions: int) -> float:
    fake = cluster.fake
    dm = fake.dm_channel(fake.member)
    asked: list[FakeMessage] = []
    cpu_before = {p.name: _cpu_seconds(p.pid) for p in processes}
    own_before = time.process_time()
    started = time.perf_counter()
    for i in range(questions):
        if i % 2:
            asked.append(await fake.post_message(fake.channel, fake.member, QUESTION, mention_bot=True))
        else:
            asked.append(await fake.post_message(dm, fake.member, QUESTION))
    ids = {m.id for m in asked}

    def replied() -> int:
        return sum(1 for m in fake.bot_messages() if m.referenced is not None and m.referenced.id in ids)

    await fake.wait_for(lambda: replied() == questions, 600, "every answer")
    seconds = time.perf_counter() - started
    cpu = {p.name: _cpu_seconds(p.pid) - cpu_before[p.name] for p in processes}
    own = time.process_time() - own_before
    rate = questions / seconds
    print(
        f"throughput, {len(processes)} process(es): {questions} answers in {seconds:.1f} s = {rate:.1f} answers/s;"
        f" CPU s during the burst: bench+loopback Discord {own:.1f}, "
        + ", ".join(f"{name} {value:.1f}" for name, value in cpu.items())
    )
    return rate


async def main(count: int, changes: int, passages: int, questions: int) -> None:
    bindir = find_bindir()
    if bindir is None:
        sys.exit("no PostgreSQL binaries (Debian's postgresql package)")
    server = PostgresServer(bindir)
    with tempfile.TemporaryDirectory(prefix="qa-propagation-") as temp:
        try:
            server.init()
            server.start()
            url = server.create_database()
            hosts = [f"host-{chr(97 + i)}" for i in range(count)]
            async with FakeDiscord(guild_shard=(1, count), identify_interval=WINDOW_S) as fake:
                cluster = Cluster(fake, Path(temp), url, identify_window_s=WINDOW_S)
                try:
                    processes = await cluster.start(count, hosts)
                    await cluster.ask(fake.channel, QUESTION)  # warm: the first answers take the cold paths
                    await cluster.ask(fake.dm_channel(fake.member), QUESTION)
                    await propagation(cluster, processes, changes)
                    await base_reload(cluster, processes, hosts, passages)
                    await cluster.ask(fake.channel, QUESTION)
                    await cluster.ask(fake.dm_channel(fake.member), QUESTION)
                    several = await throughput(cluster, processes, questions)
                    await cluster.stop_all()
                    one = cluster.process(hosts[0], count, list(range(count)))  # opens the saved 100k index
                    await cluster.ready(count, [one])
                    await cluster.ask(fake.channel, QUESTION)
                    await cluster.ask(fake.dm_channel(fake.member), QUESTION)
                    single = await throughput(cluster, [one], questions)
                    print(f"throughput ratio {count} processes / 1 process: {several / single:.2f}")
                finally:
                    await cluster.stop_all()
        finally:
            server.remove()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=400)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped: the bot processes and PostgreSQL too
    asyncio.run(main(args.processes, args.changes, args.passages, args.questions))
