"""The founding case S1 (brief §1), end to end through `draft`, in each tone."""

import io
import json
import re
from argparse import Namespace

import pytest

from bot.cli.engine import draft_command
from bot.disputes.engine.wording import check_wording
from tests.engine_fixtures import ROOT

S1_FILE = str(ROOT / "examples" / "s1-fiverr-cancellation.json")
FORBIDDEN_TO_BUYER = re.compile(
    r"(?i)review|star|rating|cancel the order or|paypal|pay\b|payment|e-?mail|"
    r"outside fiverr|whatsapp|phone"
)


def run_draft(tone: str, fmt: str = "json") -> dict:
    out, err = io.StringIO(), io.StringIO()
    args = Namespace(schema=False, answers=S1_FILE, format=fmt, tone=tone, now="2026-11-28T12:00:00Z")
    assert draft_command(args, stdout=out, stderr=err) == 0, err.getvalue()
    return json.loads(out.getvalue())


@pytest.mark.parametrize("tone", ["friendly", "neutral", "firm"])
def test_s1(tone: str) -> None:
    result = run_draft(tone)
    assert result["case"] == "fiverr/cancellation_after_delivery"
    drafts = {d["id"]: d for d in result["drafts"]}
    assert {d["tone"] for d in result["drafts"]} == {tone}

    decline = drafts["decline_with_path_forward"]
    assert decline["audience"] == "buyer"
    text = decline["text"]
    # The refusal is said as what happens instead ("Rather than a cancellation, ..."), not as a bare "declining".
    assert "rather than a cancellation" in text.lower() and "declining" not in text
    assert "fix it at no cost" in text  # free fixes ...
    assert "$150" in text and "3 days" in text and "custom extra" in text  # ... apart from priced extras
    assert len(text) <= 2000

    support = drafts["support_summary"]
    assert support["audience"] == "support"
    assert "18 Nov 2026, 12:00 UTC" in support["text"] and "27 Nov 2026, 06:00 UTC" in support["text"]
    assert "not satisfied" in support["text"]

    assert drafts["review_reply"]["audience"] == "public"

    (deadline,) = result["deadlines"]
    assert "cancellation request" in deadline["label"]
    assert deadline["hours_left"] == pytest.approx(18, abs=0.5)
    assert deadline["as_of"] and deadline["source"].startswith("Fiverr")

    options = {o["id"]: o for o in result["options"]}
    assert {"stand_firm", "partial_refund", "accept_cancellation"} <= set(options)
    assert "$900" in options["partial_refund"]["title"]  # 60% of $1,500, from the facts file
    assert any("$1,500" in con for con in options["accept_cancellation"]["cons"])
    assert sum(o["recommended"] for o in result["options"]) == 1

    assert result["evidence"] and result["caveats"]
    for draft in result["drafts"]:
        if draft["audience"] == "buyer":
            assert not FORBIDDEN_TO_BUYER.search(draft["text"]), (draft["id"], draft["text"])
            assert check_wording(draft["text"], platform="fiverr", audience="buyer") == []
    assert result["warnings"] == []


def test_s1_tones_keep_the_facts() -> None:
    texts = {
        tone: {d["id"]: d["text"] for d in run_draft(tone)["drafts"]}
        for tone in ("friendly", "neutral", "firm")
    }
    for draft_id in texts["neutral"]:
        numbers = {tone: sorted(re.findall(r"\d+(?:[.,]\d+)*", texts[tone][draft_id])) for tone in texts}
        assert numbers["friendly"] == numbers["neutral"] == numbers["firm"], draft_id
        assert len({texts[tone][draft_id] for tone in texts}) == 3, (
            f"{draft_id}: tones should differ in wording"
        )


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_s1_human_formats(fmt: str) -> None:
    out = io.StringIO()
    args = Namespace(schema=False, answers=S1_FILE, format=fmt, tone=None, now="2026-11-28T12:00:00Z")
    assert draft_command(args, stdout=out, stderr=io.StringIO()) == 0
    assert "about 18 hours left" in out.getvalue()
