"""The founding case S1 (brief §1), as answers and as what a seller types or clicks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
S1_FILE = ROOT / "examples" / "s1-fiverr-cancellation.json"
S1_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def s1_answers() -> dict[str, Any]:
    answers: dict[str, Any] = json.loads(S1_FILE.read_text())
    return answers


def typed(value: Any) -> str:
    """How a person would enter an answer: yes/no, numbers as text, the rest as is."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)
