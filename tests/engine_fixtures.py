"""Fixtures of the engine tests (listed in conftest.pytest_plugins)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.disputes.engine.flow import Flow, load_flow

ROOT = Path(__file__).resolve().parent.parent
S1_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
# The thirteen dispute types of the domain brief (its table, section 2).
TYPES = {
    "cancellation_after_delivery",
    "scope_creep",
    "revision_loop",
    "partial_refund_demand",
    "deadline_trouble",
    "leverage_threat",
    "negative_review",
    "escrow_withheld",
    "hourly_dispute",
    "chargeback",
    "late_payment",
    "deposit_refund",
    "work_used_after_refund",
}


@pytest.fixture
def flow() -> Flow:
    return load_flow()


@pytest.fixture
def s1_answers() -> dict[str, Any]:
    return json.loads((ROOT / "examples" / "s1-fiverr-cancellation.json").read_text())
