"""The review's leak probes (issue 11, item 10): each must be removed, or be listed as kept."""

from __future__ import annotations

import pytest

from bot.anonymise import anonymise, anonymise_report


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("Hi, this is John Smith from Acme Ltd. I want a refund.", "John"),
        ("Hi, this is John Smith from Acme Ltd. I want a refund.", "Smith"),
        ("Hi, this is John Smith from Acme Ltd. I want a refund.", "Acme"),
        ("My name is Priya and I am not happy.", "Priya"),
        ("See acme-design.com for the brief", "acme-design"),
        ("pay me at paypal.me/johnsmith", "johnsmith"),
        ("message me on t.me/jsmith_work", "jsmith"),
        ("join discord.gg/abcDEF12", "abcDEF12"),
        ("the order fo1234abcd is late", "fo1234abcd"),
        ("about order 48213 again", "48213"),
        ("order #A7731 was cancelled", "A7731"),
        ("I paid 1487.50 dollars for this", "1487"),
        ("I paid 1,487.50 euros for this", "1,487"),
        ("Thanks Ana, but no.", "Ana"),  # the seller's own first name (display name "Ana Silva")
        ("A\u200bna S\u200cilva signed it", "ilva"),  # zero-width tricks
        ("email j\u200bs@exa\u200dmple.com", "mple.com"),
        ("call +1\u2060 555\u2060 123 4567", "555"),
    ],
)
def test_probe_does_not_leak(text: str, leak: str) -> None:
    shared = anonymise(text, names=["Ana Silva", "ana_s"])
    assert leak not in shared, shared


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u200e", "\u200f", "\u061c", "\ufeff", "\u00ad", "\u200b"])
def test_invisible_and_direction_characters_are_stripped(mark: str) -> None:
    assert mark not in anonymise(f"refund {mark}ten{mark} dollars")


def test_an_unknown_name_is_listed_for_checking_not_claimed_removed() -> None:
    report = anonymise_report("The work was approved. J\u200bohn\u200c Smith said so.")
    assert "John Smith" in report.check

def test_report_says_what_was_removed_and_what_to_check() -> None:
    report = anonymise_report(
        "Hi, this is John Smith from Acme Ltd. Order 48213, see https://x.example/a. Bob Lee agreed.",
        names=["Ana Silva"],
    )
    assert report.removed["link"] == 1 and report.removed["order id"] == 1
    assert report.removed["name"] >= 1 and report.removed["company"] == 1
    # A name no pattern knows is not claimed as removed: it is listed for the user to check.
    assert "Bob Lee" in report.text
    assert "Bob Lee" in report.check
    assert "names removed" not in report.summary()
    assert "check" in report.summary().lower()


@pytest.mark.parametrize(
    "text",
    [
        "I sent a payment reminder and forwarded the files.",
        "Best Regards, and thanks for the formatting work.",
        "The order was delivered on time after 5 revisions.",
    ],
)
def test_ordinary_words_are_kept(text: str) -> None:
    assert anonymise(text) == text
