"""Quick-reply fixtures: the real QuickReplyService on a real, migrated SQLite database."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.engine.flow import load_flow
from bot.quickreply.service import QuickReplyService
from bot.replies import LIBRARY_DIR, load_library
from bot.replies.fill import AsyncRenderer
from bot.replies.library import SHARED_VARIABLES_FILE, load_shared_variables
from bot.sandbox import render_in_process
from bot.storage import Database


async def render_here(source: str, values: Mapping[str, object]) -> str:
    """The sandbox's in-process renderer (same dialect and caps, no worker process)."""
    return render_in_process(source, values)  # type: ignore[arg-type]


def quick_reply_service(db: Database, renderer: AsyncRenderer = render_here) -> QuickReplyService:
    return QuickReplyService(
        db,
        library=load_library(),
        shared_variables=load_shared_variables(LIBRARY_DIR / SHARED_VARIABLES_FILE),
        renderer=renderer,
        flow=load_flow(),
    )


@pytest.fixture
def service(db: Database) -> QuickReplyService:
    """The service rendering in process; a test module may override it with another renderer."""
    return quick_reply_service(db)
