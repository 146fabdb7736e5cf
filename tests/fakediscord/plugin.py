"""Pytest fixtures for end-to-end tests against the fake Discord.

``fake_discord``: a started :class:`FakeDiscord` with discord.py patched to point at it; the test
fails at teardown if any request body broke Discord's spec (the project's vendored copy, or the one
``$DISPUTE_DESK_SPEC_DIR`` names). ``spec_validator``: the compiled validator.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from ._model import PATIENCE_S
from .server import FakeDiscord
from .spec import SpecProblem, SpecValidator, load_validator


def format_problems(problems: list[SpecProblem]) -> str:
    lines = [f"{len(problems)} request(s) broke Discord's API rules:"]
    lines += [f"  - {p}" for p in problems[:20]]
    if len(problems) > 20:
        lines.append(f"  ... and {len(problems) - 20} more")
    return "\n".join(lines)


@pytest.fixture
def spec_validator() -> SpecValidator:
    """The process-wide compiled validator."""
    return load_validator()


@contextlib.asynccontextmanager
async def checked_fake(shard_count: int = 1) -> AsyncIterator[FakeDiscord]:
    """A fake Discord with discord.py patched to it; spec problems or a crash of the fake fail the test."""
    # Discord's 3 s answer deadline is a speed target, measured by `make bench`; here a slow answer on
    # a busy machine must not fail a test of behaviour.
    async with FakeDiscord(interaction_deadline=PATIENCE_S, shard_count=shard_count) as fake:
        with fake.patch_discord():
            yield fake
        if fake.internal_errors:
            pytest.fail("the fake Discord crashed: " + "; ".join(fake.internal_errors), pytrace=False)
        problems = fake.spec_problems
        if problems:
            pytest.fail(format_problems(problems), pytrace=False)


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A running fake Discord with discord.py patched to it; spec problems fail the test."""
    async with checked_fake() as fake:
        yield fake


@pytest.fixture
async def sharded_fake_discord() -> AsyncIterator[FakeDiscord]:
    """The same with two shards: a bot must IDENTIFY with ``[id, 2]`` and guilds split between them."""
    async with checked_fake(shard_count=2) as fake:
        yield fake
