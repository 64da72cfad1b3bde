"""Many members asking at once while a moderator reloads: shared by the test and bench/load.py."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

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
NO_MATCH = "Nothing in the corpus answers this"


def is_real_answer(body: dict[str, Any]) -> bool:
    """Passages, or the plain "nothing in the corpus answers this": not an apology or a refusal."""
    embeds = body.get("embeds") or []
    return bool(embeds) and bool(embeds[0].get("fields") or NO_MATCH in (embeds[0].get("description") or ""))


@dataclass(frozen=True)
class LoadReport:
    questions: int
    users: int
    answered: int  # real answers (passages or "nothing"); apologies and timeouts are not
    apologies: int
    unacknowledged: int  # not acknowledged within Discord's 3 s: the member saw "interaction failed"
    lost: int  # acknowledged, but no follow-up within the timeout
    answered_during_reload: int  # real answers the fake had before the reload's report
    seconds: float
    max_ack_s: float
    p50_answer_s: float
    p95_answer_s: float
    max_loop_stall_s: float
    reload_seconds: float | None
    reload_report: str | None  # the description of the reload's report embed

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        lines = [
            f"questions {self.questions} from {self.users} users: answered {self.answered} in {self.seconds:.2f} s "
            f"({self.per_second:.0f}/s); apologies {self.apologies}, not acknowledged within "
            f"3 s {self.unacknowledged}, acknowledged but never answered {self.lost}",
            f"answer time p50 {self.p50_answer_s * 1000:.0f} ms, p95 {self.p95_answer_s * 1000:.0f} ms; "
            f"slowest acknowledgement {self.max_ack_s * 1000:.0f} ms",
            f"largest event-loop stall {self.max_loop_stall_s * 1000:.0f} ms",
        ]
        if self.reload_seconds is not None:
            lines.append(
                f"reload took {self.reload_seconds:.2f} s; {self.answered_during_reload} answers arrived before "
                f"its report: {(self.reload_report or '-').splitlines()[0]}"
            )
        return lines


async def _loop_probe(stop: asyncio.Event, stalls: list[float], period: float = 0.01) -> None:
    """How late a short sleep wakes up: the loop's worst stall while everything else runs."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        await asyncio.sleep(period)
        stalls.append(loop.time() - started - period)


async def ask_many(
    fake: FakeDiscord,
    users: int,
    questions: int,
    *,
    reload_by=None,
    build_started: Callable[[], Awaitable[None]] | None = None,
    timeout: float = 60,
) -> LoadReport:
    """`questions` /ask from `users` members at once. With `reload_by`, a /corpus reload goes first
    and the questions are sent once it is acknowledged (and `build_started` has returned), so they
    arrive while the new index is being built."""
    askers = [fake.add_member(f"asker-{i}") for i in range(users)]
    stop, stalls = asyncio.Event(), []
    probe = asyncio.create_task(_loop_probe(stop, stalls))
    answer_times: list[float] = []
    acks: list[float] = []
    verdicts: list[tuple[bool, float]] = []  # (real answer?, when it arrived)
    reload_done: list[float] = []

    async def one(i: int) -> str:
        started = time.monotonic()
        record = await fake.invoke_slash("ask", {"question": QUESTIONS[i % len(QUESTIONS)]}, user=askers[i % users])
        await fake.wait_for(lambda: fake.acknowledged_or_expired(record), timeout, "an acknowledgement")
        if record.response is None:
            return "unacknowledged"
        try:
            (body, *_) = await record.wait_followups(1, timeout=timeout)
        except TimeoutError:
            return "lost"
        arrived = time.monotonic()
        verdicts.append((is_real_answer(body), arrived))
        answer_times.append(arrived - started)
        acks.append(record.acknowledged_after)
        return "answered"

    async def reload(record) -> tuple[float, str]:
        (body,) = await record.wait_followups(1, timeout=timeout)
        reload_done.append(time.monotonic())
        embeds = body.get("embeds") or []
        return reload_done[0] - started, embeds[0]["description"] if embeds else body.get("content") or ""

    started = time.monotonic()
    reloading = None
    if reload_by is not None:
        record = await fake.invoke_slash("corpus reload", user=reload_by)
        await record.wait_response(timeout=timeout)
        reloading = asyncio.create_task(reload(record))
        if build_started is not None:
            await build_started()
    jobs = [asyncio.create_task(one(i)) for i in range(questions)]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    reload_seconds, reload_report = await reloading if reloading else (None, None)
    elapsed = time.monotonic() - started
    stop.set()
    await probe
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures and len(failures) == len(results):
        raise failures[0]
    quantiles = statistics.quantiles(answer_times, n=20) if len(answer_times) > 1 else answer_times * 19
    real = [at for ok, at in verdicts if ok]
    return LoadReport(
        questions=questions,
        users=users,
        answered=len(real),
        apologies=len(verdicts) - len(real),
        unacknowledged=results.count("unacknowledged"),
        lost=results.count("lost"),
        answered_during_reload=sum(at < reload_done[0] for at in real) if reload_done else 0,
        seconds=elapsed,
        max_ack_s=max(acks, default=0.0),
        p50_answer_s=statistics.median(answer_times) if answer_times else 0.0,
        p95_answer_s=quantiles[18] if quantiles else 0.0,
        max_loop_stall_s=max(stalls, default=0.0),
        reload_seconds=reload_seconds,
        reload_report=reload_report,
    )
