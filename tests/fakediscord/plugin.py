"""Pytest fixtures for end-to-end tests against the fake Discord.

``fake_discord``: a started :class:`FakeDiscord` with discord.py patched to point at it; the test
fails at teardown if any request body broke Discord's spec. ``spec_validator``/``spec_dir`` skip
the test when Discord's OpenAPI description is absent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .server import FakeDiscord
from .spec import SPEC_MISSING_REASON, SpecProblem, SpecValidator, find_spec_dir, load_validator


def format_problems(problems: list[SpecProblem]) -> str:
    lines = [f"{len(problems)} request(s) broke Discord's API rules:"]
    lines += [f"  - {p}" for p in problems[:20]]
    if len(problems) > 20:
        lines.append(f"  ... and {len(problems) - 20} more")
    return "\n".join(lines)


@pytest.fixture
def spec_dir() -> Path:
    """The folder holding Discord's openapi.json; skips the test if absent."""
    found = find_spec_dir()
    if found is None:
        pytest.skip(SPEC_MISSING_REASON)
    return found


@pytest.fixture
def spec_validator(spec_dir: Path) -> SpecValidator:
    """The process-wide compiled validator; skips the test if the spec is absent."""
    validator = load_validator(spec_dir)
    assert validator is not None
    return validator


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A running fake Discord with discord.py patched to it; spec problems fail the test."""
    async with FakeDiscord() as fake:
        with fake.patch_discord():
            yield fake
        if fake.internal_errors:
            pytest.fail("the fake Discord crashed: " + "; ".join(fake.internal_errors), pytrace=False)
        problems = fake.spec_problems
        if problems:
            pytest.fail(format_problems(problems), pytrace=False)
