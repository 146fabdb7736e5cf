"""Quick-reply fixtures: the real Services on a real, migrated SQLite database."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.replies.fill import AsyncRenderer
from bot.sandbox import render_in_process
from bot.services import Services, build_services
from bot.storage import Database
from bot.storage.scheduled_jobs import JobRepository


async def render_here(source: str, values: Mapping[str, object]) -> str:
    """The sandbox's in-process renderer (same dialect and caps, no worker process)."""
    return render_in_process(source, values)  # type: ignore[arg-type]


def quick_reply_service(db: Database, renderer: AsyncRenderer = render_here) -> Services:
    """Every service, built by the bot's own composition root as the running bot builds them."""
    return build_services(db, JobRepository(db), renderer)


@pytest.fixture
def service(db: Database) -> Services:
    """The service rendering in process; a test module may override it with another renderer."""
    return quick_reply_service(db)
