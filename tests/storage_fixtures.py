"""Storage fixtures: a real, migrated SQLite database in the test's temporary folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database file with every migration applied, closed after the test."""
    async with await Database.open(tmp_path / "db.sqlite3") as database:
        await database.migrate()
        yield database
