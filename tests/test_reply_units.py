"""The one plural helper, dates against today, signatures and platform names: small pure parts."""

from __future__ import annotations

import pytest

from bot.replies.fill import signature
from bot.replies.platforms import PlatformError, load_platforms, parse_platforms
from bot.replies.units import days_phrase, plural, quantity


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0, "revision", "no revisions"),
        (1, "day", "1 day"),
        (2, "day", "2 days"),
        (0.5, "day", "half a day"),
        (0.5, "hour", "half an hour"),
        (1.5, "hour", "1.5 hours"),
        (1200, "revision", "1,200 revisions"),
        (3, "business day", "3 business days"),
        (2, "fix", "2 fixes"),
        (2, "delivery", "2 deliveries"),
    ],
)
def test_quantity_reads_as_english(value: float, unit: str, expected: str) -> None:
    assert quantity(value, unit) == expected


def test_plural_and_days_against_today() -> None:
    assert [plural(u) for u in ("day", "day", "key", "box")] == ["days", "days", "keys", "boxes"]
    assert [days_phrase(d) for d in (0, 1, -1, 6, -45)] == [
        "today",
        "tomorrow",
        "yesterday",
        "in 6 days",
        "45 days ago",
    ]


@pytest.mark.parametrize(
    ("sign_off", "name", "expected"),
    [
        ("Best regards", "Alex", "Best regards,\nAlex"),
        ("Best regards,", "Alex", "Best regards,\nAlex"),
        ("Best regards, Ana", "Alex", "Best regards,\nAna"),
        ("Best regards, Alex", "Alex", "Best regards,\nAlex"),
        ("Cheers - Alex", "Alex", "Cheers - Alex"),
        ("Thanks", "", "Thanks"),
    ],
)
def test_signature_never_doubles_a_name(sign_off: str, name: str, expected: str) -> None:
    assert signature(sign_off, name) == expected


def test_platforms_are_found_as_sellers_type_them_and_shown_by_name() -> None:
    platforms = load_platforms()
    assert [platforms.find(t) for t in ("Fiverr", "upwork", "Freelancer.com", "PPH", "direct client", "myspace")] == [
        "fiverr", "upwork", "freelancer", "peopleperhour", "direct", None,
    ]  # fmt: skip
    assert platforms["fiverr"].name == "Fiverr" and platforms["direct"].kind == "direct"
    assert set(platforms.expand(["marketplace"])) == {"fiverr", "upwork", "freelancer", "peopleperhour", "other"}
    assert platforms.names(["fiverr", "upwork", "direct"]) == "Fiverr, Upwork or direct clients"


def test_every_platform_must_define_every_word() -> None:
    with pytest.raises(PlatformError, match="must define exactly"):
        parse_platforms(
            {
                "a": {"name": "A", "kind": "marketplace", "words": {"order": "order", "extra_tool": "x"}},
                "b": {"name": "B", "kind": "direct", "words": {"order": "project"}},
            }
        )
    with pytest.raises(PlatformError, match="unknown platform 'myspace'"):
        load_platforms().expand(["myspace"])


def test_reply_offers_every_platform_by_its_own_name() -> None:
    from cogs.replies._cog import PLATFORM_CHOICES

    names = {c.value: c.name for c in PLATFORM_CHOICES}
    assert set(names) == set(load_platforms().keys)
    assert names["peopleperhour"] == "PeoplePerHour" and names["direct"] == "Direct clients"
