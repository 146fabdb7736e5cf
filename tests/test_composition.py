"""The composition root builds every service once: the features share one wizard (one session cache)."""

from __future__ import annotations

from bot.services import build_services
from bot.storage import Database
from bot.storage.scheduled_jobs import JobRepository
from tests.quickreply_fixtures import render_here


async def test_one_wizard_serves_dispute_cases_and_quick_replies(db: Database) -> None:
    services = build_services(db, JobRepository(db), render_here)
    assert services.suggestions.wizard is services.wizard
    assert services.cases.wizard is services.wizard is services.share.wizard
    assert services.authoring.checker is services.checker
    assert services.suggestions.filling is services.filling
    assert services.filling.catalog is services.catalog is services.authoring.catalog
