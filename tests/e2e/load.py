"""Many members asking at once while a moderator reloads: shared by the test and bench/load.py."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

from tests.e2e.fake_discord import FakeDiscord

QUESTIONS = (
    "Did North Korea send arms?",
    "Who is Dmitry Peskov?",
    "What site did the two leaders visit?",
    "Why do Moscow and Pyongyang need each other?",
    "When did Kim leave Pyongyang?",
    "Which UN resolution forbids buying North Korean weapons?",
    "What is the best recipe for banana bread?",
    "Did Putin and Kim discuss trade?",
)


@dataclass(frozen=True)
class LoadReport:
    questions: int
    users: int
    answered: int
    seconds: float
    max_ack_s: float
    p50_answer_s: float
    p95_answer_s: float
    max_loop_stall_s: float
    reload_seconds: float | None

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        return [
            f"questions {self.questions} from {self.users} users: answered {self.answered} in {self.seconds:.2f} s "
            f"({self.per_second:.0f}/s)",
            f"answer time p50 {self.p50_answer_s * 1000:.0f} ms, p95 {self.p95_answer_s * 1000:.0f} ms; "
            f"slowest acknowledgement {self.max_ack_s * 1000:.0f} ms",
            f"largest event-loop stall {self.max_loop_stall_s * 1000:.0f} ms; reload during the run took "
            + (f"{self.reload_seconds:.2f} s" if self.reload_seconds is not None else "-"),
        ]


async def _loop_probe(stop: asyncio.Event, stalls: list[float], period: float = 0.01) -> None:
    """How late a short sleep wakes up: the loop's worst stall while everything else runs."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        await asyncio.sleep(period)
        stalls.append(loop.time() - started - period)


async def ask_many(fake: FakeDiscord, users: int, questions: int, *, reload_by=None, timeout: float = 60) -> LoadReport:
    askers = [fake.add_member(f"asker-{i}") for i in range(users)]
    stop, stalls = asyncio.Event(), []
    probe = asyncio.create_task(_loop_probe(stop, stalls))
    answer_times: list[float] = []
    acks: list[float] = []

    async def one(i: int) -> None:
        started = time.monotonic()
        record = await fake.invoke_slash("ask", {"question": QUESTIONS[i % len(QUESTIONS)]}, user=askers[i % users])
        await record.wait_followups(1, timeout=timeout)
        answer_times.append(time.monotonic() - started)
        acks.append(record.acknowledged_after)

    async def reload() -> float:
        started = time.monotonic()
        record = await fake.invoke_slash("corpus reload", user=reload_by)
        await record.wait_followups(1, timeout=timeout)
        return time.monotonic() - started

    started = time.monotonic()
    jobs = [asyncio.create_task(one(i)) for i in range(questions)]
    reloading = asyncio.create_task(reload()) if reload_by is not None else None
    results = await asyncio.gather(*jobs, return_exceptions=True)
    reload_seconds = await reloading if reloading else None
    elapsed = time.monotonic() - started
    stop.set()
    await probe
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures and len(failures) == len(results):
        raise failures[0]
    quantiles = statistics.quantiles(answer_times, n=20) if len(answer_times) > 1 else answer_times * 19
    return LoadReport(
        questions=questions,
        users=users,
        answered=len(answer_times),
        seconds=elapsed,
        max_ack_s=max(acks, default=0.0),
        p50_answer_s=statistics.median(answer_times) if answer_times else 0.0,
        p95_answer_s=quantiles[18] if quantiles else 0.0,
        max_loop_stall_s=max(stalls, default=0.0),
        reload_seconds=reload_seconds,
    )
