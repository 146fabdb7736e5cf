import io
import json
import re
from argparse import Namespace

import pytest

from bot.cli.engine import check_command, draft_command, main, try_command
from bot.disputes.engine.flow import Flow
from tests.engine_fixtures import ROOT


def draft(answers: str | None = None, stdin: str = "", **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = Namespace(
        schema=kwargs.get("schema", False),
        answers=answers,
        format=kwargs.get("fmt", "json"),
        tone=None,
        now="2026-11-28T12:00:00Z",
    )
    code = draft_command(args, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_bad_answers_exit_2_with_one_line_per_problem() -> None:
    answers = {"platform": "fiverr", "dispute_type": "scope_creep", "extra_price": "lots", "colour": "red"}
    code, out, err = draft("-", json.dumps(answers))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert any(line.startswith("colour: unknown question id") for line in lines)
    assert any(line.startswith("extra_price:") and "allowed" in line for line in lines)
    assert any(line.startswith("agreed_scope: missing") for line in lines)
    assert any(line.startswith("out_of_scope_work_done: missing (allowed: yes or no)") for line in lines)


def test_not_json_exits_2() -> None:
    assert draft("-", "not json")[0] == 2
    assert draft("/nonexistent.json")[0] == 2


def test_schema_lists_questions() -> None:
    code, out, _ = draft(schema=True)
    schema = json.loads(out)
    ids = [q["id"] for q in schema["questions"]]
    assert code == 0 and ids[:2] == ["platform", "dispute_type"]
    order_value = next(q for q in schema["questions"] if q["id"] == "order_value")
    assert order_value["kind"] == "money" and "when" in order_value


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.json")), ids=lambda p: p.stem)
def test_every_example_drafts(example) -> None:
    code, out, err = draft(str(example))
    assert code == 0, err
    assert json.loads(out)["drafts"]


def test_check_walks_every_reachable_outcome_in_every_tone_within_limits(flow: Flow, capsys) -> None:
    """The one exhaustive walk of the suite: every path of the flow, every draft in every tone."""
    assert check_command(Namespace(now="2026-11-28T12:00:00Z")) == 0
    out = capsys.readouterr().out
    figures = re.search(r"check: ok — flow valid; (\d+) paths \(each against every goal\), (\d+) drafts rendered", out)
    assert figures, out
    paths, renders = int(figures[1]), int(figures[2])
    assert paths > 1000
    # paths that differ only by the goal render the same drafts: each is rendered once, in 3 tones
    goals = len(flow.by_id["goal"].options)
    assert renders >= paths // goals * 3


def test_try_without_a_terminal_explains_draft_and_exits_2(capsys) -> None:
    assert try_command(Namespace(now=None), stdin=io.StringIO("")) == 2
    assert "draft --answers" in capsys.readouterr().err


def test_main_dispatches(capsys) -> None:
    assert main(["draft", "--schema"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 1


def test_an_amount_whose_symbol_contradicts_the_currency_is_a_warning_not_a_silent_conversion() -> None:
    answers = {
        "platform": "direct",
        "dispute_type": "scope_creep",
        "currency": "EUR",
        "agreed_scope": "eight app screens",
        "new_items": "an admin dashboard",
        "extra_price": "$900",
        "out_of_scope_work_done": False,
    }
    code, out, err = draft("-", json.dumps(answers))
    assert code == 0, err
    warnings = json.loads(out)["warnings"]
    assert any("'$900' (USD) but the currency is EUR" in warning for warning in warnings)


def test_a_zero_amount_is_refused() -> None:
    answers = {
        "platform": "direct",
        "dispute_type": "late_payment",
        "invoice_number": "1",
        "invoice_amount": 0,
        "invoice_due_date": "2026-11-01",
    }
    code, _, err = draft("-", json.dumps(answers))
    assert code == 2 and err.startswith("invoice_amount: 0 is below the minimum")


def test_impossible_timelines_are_warnings_naming_both_dates() -> None:
    answers = json.loads((ROOT / "examples" / "stripe-chargeback.json").read_text())
    answers |= {"delivered_at": "2026-11-26T10:00:00Z", "request_received_at": "2026-11-25T08:00:00Z"}
    code, out, err = draft("-", json.dumps(answers))
    assert code == 0, err
    warnings = json.loads(out)["warnings"]
    assert any(
        "the request or dispute (25 Nov 2026) is dated before the delivery" in w and "(26 Nov 2026)" in w
        for w in warnings
    ), warnings
    answers |= {"delivered_at": "2026-12-02T10:00:00Z"}
    warnings = json.loads(draft("-", json.dumps(answers))[1])["warnings"]
    assert any("Dated in the future: the delivery (2 Dec 2026)" in w for w in warnings), warnings


def test_euros_on_a_fiverr_order_are_a_warning_not_silently_dollars(s1_answers: dict) -> None:
    code, out, err = draft("-", json.dumps({**s1_answers, "order_value": "€1500"}))
    assert code == 0, err
    warnings = json.loads(out)["warnings"]
    assert any("'€1500' (EUR) but the currency is USD" in warning for warning in warnings)
    code, out, err = draft("-", json.dumps(s1_answers))
    assert not any("currency is" in warning for warning in json.loads(out)["warnings"])
