"""The wording check on what a seller is about to send: every phrase the issue lists is flagged."""

from __future__ import annotations

import pytest

from bot.replies.wording import check_reply


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Could you send your email for the WP admin?", "fiverr_held"),
        ("If you're happy, please leave positive feedback!", "feedback_ask"),
        ("A 5★ would mean the world to me.", "stars"),
        ("Please rate me well, it helps my JSS.", "rate_me"),
        ("Please rate me well, it helps my JSS.", "jss"),
        ("I'll give you 10% off the next order if you leave honest feedback.", "incentive"),
        ("I can take Wise or Payoneer if that's easier.", "off_platform"),
        ("Write to me at alex at gmail dot com.", "off_platform"),
    ],
)
def test_every_phrase_of_the_issue_is_flagged_on_a_marketplace(text: str, rule: str) -> None:
    platform = "fiverr" if rule == "fiverr_held" else "upwork"
    rules = {w.rule for w in check_reply(text, platform=platform, audience="buyer")}
    assert rule in rules, rules


def test_an_honest_feedback_request_is_fine_on_upwork_but_not_on_fiverr() -> None:
    text = "If you have a moment when the contract closes, I'd welcome your honest feedback on how it went."
    assert check_reply(text, platform="upwork", audience="buyer") == []
    asked = "Please leave feedback when you can."
    assert check_reply(asked, platform="upwork", audience="buyer") == []
    assert {w.rule for w in check_reply(asked, platform="fiverr", audience="buyer")} == {"feedback_ask"}


def test_a_direct_client_may_get_an_email_address_and_a_payment_link() -> None:
    text = "You can pay by Wise; my email is alex@example.com."
    assert check_reply(text, platform="direct", audience="buyer") == []
    assert {w.rule for w in check_reply(text, platform="upwork", audience="buyer")} == {"off_platform"}


def test_a_phrase_is_reported_once() -> None:
    found = check_reply("Pay me by PayPal", platform="fiverr", audience="buyer")
    phrases = [w.phrase.lower() for w in found]
    assert phrases.count("paypal") == 1
