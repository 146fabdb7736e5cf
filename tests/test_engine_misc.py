import ast
import re
from pathlib import Path

import pytest

from bot.disputes.engine import wording
from bot.disputes.engine.wording import buyer_threats, check_wording, off_platform_phrases, review_phrases
from bot.rendering import DraftTemplateError, render_template, split_message

ROOT = Path(__file__).resolve().parent.parent


def test_engine_and_rendering_import_neither_discord_nor_aiosqlite() -> None:
    files = [*sorted((ROOT / "bot" / "disputes" / "engine").rglob("*.py")), ROOT / "bot" / "rendering.py"]
    assert len(files) > 10, "the engine moved: point this test at it"
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] not in {"discord", "aiosqlite"}, f"{path}: imports {name}"


@pytest.mark.parametrize(
    ("text", "platform", "audience", "rule"),
    [
        ("Let's move this outside Fiverr", "fiverr", "buyer", "fiverr_held"),
        ("Send the payment to my PayPal", "fiverr", "buyer", "fiverr_held"),
        ("call me on +44 7700 900123", "upwork", "buyer", "off_platform"),
        ("write to me at jo@example.com", "upwork", "buyer", "off_platform"),
        ("please change your review", "upwork", "buyer", "reviews"),
        ("I will take legal action", "direct", "buyer", "threat"),
        ("Do it or I leave 1 star", "fiverr", "buyer", "reviews"),
    ],
)
def test_wording_warnings(text: str, platform: str, audience: str, rule: str) -> None:
    assert rule in {warning.rule for warning in check_wording(text, platform=platform, audience=audience)}


def test_wording_allows_direct_payment_talk_and_support_reviews() -> None:
    assert (
        check_wording("You can pay here: https://example.com/pay", platform="direct", audience="buyer") == []
    )
    assert check_wording("The buyer threatened a review", platform="fiverr", audience="support") == []
    assert check_wording("Dates 2026-11-18 and 2026-11-27", platform="fiverr", audience="buyer") == []


def test_wording_reports_each_phrase_once_as_written() -> None:
    found = check_wording("Please PAY by PayPal; pay today, paypal is fine", platform="fiverr", audience="buyer")
    assert [w.phrase for w in found if w.rule == "fiverr_held"] == ["PAY", "PayPal"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Leave me five \u017ftars", ["\u017ftars"]),  # long s: IGNORECASE reads it as "s"
        ("\u0130 will report you", ["\u0130 will report"]),  # dotted capital I: lower() makes it two characters
        ("Rated one STAR, r\u0131ted by\u2026", ["Rated", "one STAR"]),  # dotless i in another word
        ("My E-MAIL is me@example.com", []),
    ],
)
def test_wording_matches_letters_as_case_insensitive_matching_does(text: str, expected: list[str]) -> None:
    assert review_phrases(text) + [p for p in buyer_threats(text) if p not in review_phrases(text)] == expected


def test_off_platform_phrases_find_addresses_only_with_an_at_sign() -> None:
    assert off_platform_phrases("Write to me@example.com or ME@EXAMPLE.COM") == ["me@example.com"]
    assert off_platform_phrases("Write to me at example dot com") == []


def test_case_insensitive_wording_patterns_are_written_in_lowercase() -> None:
    """Wording matches lowercased text against each pattern without (?i): an uppercase letter or
    escape (\\B, \\W, \\S, \\D) in a pattern would change what it finds."""
    patterns = [v for v in vars(wording).values() if isinstance(v, re.Pattern) and v.flags & re.IGNORECASE]
    assert len(patterns) >= 4
    for pattern in patterns:
        assert pattern.pattern == pattern.pattern.lower(), pattern.pattern


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    text = "a" * 50 + "\n\n" + "b" * 50
    assert split_message(text, 60) == ["a" * 50, "b" * 50]
    assert split_message("one two three", 8) == ["one two", "three"]
    assert split_message("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_message("   ") == []


def test_missing_value_is_an_error_never_a_blank() -> None:
    with pytest.raises(DraftTemplateError, match=r"agreed_scope|undefined"):
        render_template("drafts/scope_boundary_quote.j2", {"tone": "neutral"})
