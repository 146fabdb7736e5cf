"""Many simulated sellers at once: the S1 wizard walked concurrently, every acknowledgement timed.

Used by the crowd tests (no answer lost, no session lost or mixed up) and by `make bench` (latency
per step beside a bare discord.py bot under the same crowd).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from tests.fakediscord import FakeDiscord, FakeGuild, FakeUser
from tests.s1 import s1_answers
from tests.wizard_driver import answer_step, is_outcome


def answers_for(index: int) -> dict[str, Any]:
    """S1 with values unique to each seller, so a mixed-up session shows."""
    answers = s1_answers()
    answers["order_value"] = 1000 + index
    answers["buyer_message"] = f"Seller {index}: I am not satisfied. Please cancel the order."
    return answers


@dataclass
class CrowdResult:
    users: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # From the click to the moment the wizard message shows the next step (after a deferred edit too).
    completions: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    message_of: dict[int, int] = field(default_factory=dict)

    @property
    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]


async def _walk(
    fake: FakeDiscord, user: FakeUser, index: int, result: CrowdResult, timeout: float, guild: FakeGuild | None
) -> None:
    answers = answers_for(index)
    try:
        where: dict[str, Any] = {"guild": guild} if guild is not None else {"dm": True}
        started = await fake.slash("dispute start", user=user, **where)
        await started.response(timeout=timeout)
        result.latencies["start"].append(started.ack_latency)
        message = await started.message(timeout=timeout)
        result.message_of[user.id] = message.id
        for step in range(1, 16):
            message = fake.messages[message.id]
            if is_outcome(message):
                return
            made = await answer_step(fake, message, user, answers, timeout=timeout)
            loop = asyncio.get_running_loop()
            result.completions.append(loop.time() - made[-1].sent_at)
            for number, interaction in enumerate(made):
                result.latencies[f"step {step}" + ("b" if number else "")].append(interaction.ack_latency)
        result.failures.append(f"user {index}: no outcome after 15 steps")
    except Exception as exc:  # a lost or late answer: record it, let the others finish
        result.failures.append(f"user {index}: {type(exc).__name__}: {exc}")


async def run_crowd(
    fake: FakeDiscord, users: int, *, timeout: float = 10.0, guilds: Sequence[FakeGuild] = ()
) -> CrowdResult:
    """``users`` sellers walk S1 at once; ``timeout`` bounds each wait for an answer that may be lost.

    In DMs by default; with ``guilds``, seller ``i`` works in ``guilds[i % len(guilds)]`` (one guild
    per shard spreads the crowd over the processes that run them).
    """
    sellers = [fake.add_user(f"seller{i}") for i in range(users)]
    result = CrowdResult(users, 0.0)
    started = time.perf_counter()
    walks = (
        _walk(fake, user, i, result, timeout, guilds[i % len(guilds)] if guilds else None)
        for i, user in enumerate(sellers)
    )
    await asyncio.gather(*walks)
    result.seconds = time.perf_counter() - started
    return result


async def run_bare_crowd(fake: FakeDiscord, users: int, steps: int) -> CrowdResult:
    """The baseline: the same number of users each sending ``steps`` trivial commands in turn."""
    sellers = [fake.add_user(f"baseline{i}") for i in range(users)]
    result = CrowdResult(users, 0.0)

    async def walk(user: FakeUser) -> None:
        try:
            for step in range(steps):
                sent = await fake.slash("ping", user=user, dm=True)
                await sent.response(timeout=10)
                result.latencies[f"step {step}"].append(sent.ack_latency)
                result.completions.append(sent.ack_latency)
        except Exception as exc:
            result.failures.append(f"{user.username}: {type(exc).__name__}: {exc}")

    started = time.perf_counter()
    await asyncio.gather(*(walk(user) for user in sellers))
    result.seconds = time.perf_counter() - started
    return result


def saved_answers(database: Path) -> dict[int, dict[str, Any]]:
    """Each user's saved wizard answers, read from the bot's SQLite file after it stopped."""
    with sqlite3.connect(database) as db:
        return {
            user_id: json.loads(state)["engine"]["answers"]
            for user_id, state in db.execute("SELECT user_id, state FROM dispute_sessions")
        }


async def saved_answers_postgres(url: str, schema: str) -> dict[int, dict[str, Any]]:
    """The same, read from a PostgreSQL schema."""
    connection = await asyncpg.connect(url, server_settings={"search_path": schema})
    try:
        rows = await connection.fetch("SELECT user_id, state FROM dispute_sessions")
    finally:
        await connection.close()
    return {int(row["user_id"]): json.loads(row["state"])["engine"]["answers"] for row in rows}


def crowd_problems(
    fake: FakeDiscord, database: Path, saved: Mapping[int, dict[str, Any]] | None = None
) -> list[str]:
    """Sessions of the crowd's sellers that were lost or hold another seller's answers."""
    crowd = [user for user in fake.users.values() if user.username.startswith("seller")]
    sellers = {user.id: index for index, user in enumerate(crowd)}
    if saved is not None:
        return mixed_up_sessions(saved, sellers)
    return mixed_up_sessions(saved_answers(database), sellers)


def mixed_up_sessions(rows: Mapping[int, dict[str, Any]], sellers: Mapping[int, int]) -> list[str]:
    """Compare each seller's saved answers with what that seller typed; return the differences."""
    problems = []
    for user_id, index in sellers.items():
        saved = rows.get(user_id)
        if saved is None:
            problems.append(f"seller {index}: no session saved")
            continue
        expected = answers_for(index)
        for key in ("order_value", "buyer_message", "platform", "dispute_type", "revisions_used", "goal"):
            if saved.get(key) != expected[key]:
                problems.append(f"seller {index}: {key} is {saved.get(key)!r}, typed {expected[key]!r}")
    return problems
