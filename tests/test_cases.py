"""Realistic cases with reference answers (tests/cases/cases.toml), through `draft --format json` in every tone.

Rendered in-process through the same command function the CLI runs (no subprocess), so the 26
cases x 3 tones take well under a second.
"""

from __future__ import annotations

import io
import json
import tomllib
from argparse import Namespace
from pathlib import Path
from typing import Any

import pytest

from bot.cli.engine import draft_command
from bot.tones import TONES
from tests.engine_fixtures import TYPES

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES: list[dict[str, Any]] = tomllib.loads((CASES_DIR / "cases.toml").read_text(encoding="utf-8"))["case"]
FACES_BUYER = {"buyer", "public"}


def outcome_of(case: dict[str, Any], tone: str) -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    answers = str(CASES_DIR / f"{case['file']}.json")
    args = Namespace(schema=False, answers=answers, format="json", tone=tone, now=case["now"])
    assert draft_command(args, stdout=out, stderr=err) == 0, err.getvalue()
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def everything(outcome: dict[str, Any]) -> str:
    parts = [outcome["summary"], *outcome["evidence"], *outcome["caveats"], *outcome["warnings"]]
    for deadline in outcome["deadlines"]:
        parts += [deadline["label"], deadline["due"]]
    for option in outcome["options"]:
        parts += [option["title"], *option["pros"], *option["cons"]]
    for draft in outcome["drafts"]:
        parts += [draft["title"], draft["text"], *draft["notes"]]
    return "\n".join(parts)


def test_every_type_has_at_least_two_cases_and_every_case_its_answers() -> None:
    per_type: dict[str, int] = {}
    for case in CASES:
        answers = json.loads((CASES_DIR / f"{case['file']}.json").read_text(encoding="utf-8"))
        assert case["file"].startswith(answers["dispute_type"])
        per_type[answers["dispute_type"]] = per_type.get(answers["dispute_type"], 0) + 1
        assert case["situation"] and case["pins"]
    assert set(per_type) == TYPES
    assert min(per_type.values()) >= 2


def with_pending_marks(case: dict[str, Any]) -> Any:
    if "pending" not in case:
        return case
    return pytest.param(case, marks=pytest.mark.xfail(reason=case["pending"], strict=True))


@pytest.mark.parametrize("case", [with_pending_marks(case) for case in CASES], ids=[case["file"] for case in CASES])
def test_case_says_what_it_must_and_nothing_it_must_not(case: dict[str, Any]) -> None:
    for tone in TONES:
        outcome = outcome_of(case, tone)
        where = f"{case['file']} ({tone})"
        assert [d["id"] for d in outcome["drafts"]] == case["drafts"], where
        recommended = [o["id"] for o in outcome["options"] if o["recommended"]]
        assert recommended == [case["recommended"]], where
        text = everything(outcome)
        for wanted in case["say"]:
            assert wanted in text, f"{where}: the outcome does not say {wanted!r}"
        for banned in case["never"]:
            assert banned.lower() not in text.lower(), f"{where}: the outcome says {banned!r}"
        facing = "\n".join(d["text"] for d in outcome["drafts"] if d["audience"] in FACES_BUYER)
        buyer = "\n".join(d["text"] for d in outcome["drafts"] if d["audience"] == "buyer")
        for wanted in case["buyer_say"]:
            assert wanted in buyer, f"{where}: no buyer draft says {wanted!r}"
        for banned in case["buyer_never"]:
            assert banned.lower() not in facing.lower(), f"{where}: a buyer-facing draft says {banned!r}"
        public = "\n".join(d["text"] for d in outcome["drafts"] if d["audience"] == "public")
        for banned in case.get("public_never", []):
            assert banned.lower() not in public.lower(), f"{where}: a public draft says {banned!r}"


def drafted(tmp_path: Path, answers: dict[str, Any], tone: str) -> dict[str, Any]:
    """The JSON outcome `draft` prints for these answers in this tone (the cases' fixed now)."""
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    args = Namespace(schema=False, answers=str(path), format="json", tone=tone, now="2026-11-28T12:00:00Z")
    assert draft_command(args, stdout=out, stderr=err) == 0, err.getvalue()
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_an_hourly_statement_concedes_nothing_the_seller_did_not_offer(tmp_path: Path) -> None:
    # hourly_dispute-2 without its give_up_manual answer: a 'good terms' goal alone gives nothing away.
    answers = json.loads((CASES_DIR / "hourly_dispute-2.json").read_text(encoding="utf-8"))
    del answers["give_up_manual"]
    for tone in TONES:
        outcome = drafted(tmp_path, answers, tone)
        assert [d["id"] for d in outcome["drafts"]] == ["hourly_dispute_response"], tone
        assert [o["id"] for o in outcome["options"] if o["recommended"]] == ["defend_tracked"], tone
        statement = outcome["drafts"][0]["text"]
        assert "do not contest" not in statement, tone
        assert "the manual hours included" in statement, tone
        assert "the messages and files that show the work done in those hours" in statement, tone


@pytest.mark.parametrize(
    ("went", "asked"),
    [(None, "review the refund request"), ("2026-11-25", "that the refund be reviewed")],
)
def test_a_late_upwork_support_summary_makes_one_request_from_the_status_the_seller_reports(
    tmp_path: Path, went: str | None, asked: str
) -> None:
    answers = json.loads((CASES_DIR / "cancellation_after_delivery-2.json").read_text(encoding="utf-8"))
    answers.pop("refunded_date")
    if went is not None:
        answers["refunded_date"] = went
    for tone in TONES:
        summary = next(d["text"] for d in drafted(tmp_path, answers, tone)["drafts"] if d["id"] == "support_summary")
        requests = ["review the refund request", "that it not be refunded", "that the refund be reviewed", ", or, if"]
        assert [r for r in requests if r in summary] == [asked], tone
