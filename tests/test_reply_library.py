"""The built-in quick-reply library: complete, lint-clean, within Discord's limits, on-brief wording."""

from __future__ import annotations

import re

import pytest
from jinja2 import meta

from bot.replies import Library, ReplyTemplate, load_library, render_resolution, resolve
from bot.replies.model import LABEL_MAX
from bot.sandbox import lint
from bot.sandbox.environment import UserTemplateEnvironment

LIBRARY: Library = load_library()
CASES = [(t, tone) for t in LIBRARY for tone in t.tones]
LADDER = (
    "remind-before-due",
    "remind-late-1-3",
    "remind-late-7-14",
    "remind-late-15-30",
    "remind-final-notice",
)

# Words that get a Fiverr message held for review (brief §3), and what never goes to a buyer (§4).
HELD_WORDS = re.compile(
    r"\b(pay|paid|paying|payment|payments|e-?mail|paypal|outside|phone|whatsapp|skype|telegram|bank|venmo|zelle)\b",
    re.IGNORECASE,
)
REVIEW_WORDS = re.compile(r"\b(reviews?|stars?|rating|ratings|rated|feedback score)\b", re.IGNORECASE)
THREAT_WORDS = re.compile(
    r"\b(report|lawyer|legal|court|sue|police|chargeback|collections?|blacklist)\b", re.IGNORECASE
)


def _sample_text(template: ReplyTemplate, tone: str) -> str:
    resolution = resolve(template, tone=tone, options={v.name: v.example for v in template.variables})
    assert resolution.ready, (resolution.missing, resolution.invalid)
    return render_resolution(resolution)


def test_library_is_large_enough_and_covers_every_category() -> None:
    assert len(LIBRARY) >= 25
    assert set(LIBRARY.categories()) >= {
        "kickoff", "delivery", "revisions", "extensions", "cancellations",
        "payments", "reviews", "support", "off-platform",
    }  # fmt: skip


def test_the_whole_reminder_ladder_exists_and_carries_the_facts() -> None:
    for name in LADDER:
        template = LIBRARY.get(name)
        declared = {v.name for v in template.variables}
        assert {"invoice_number", "amount", "due_date", "invoice_link"} <= declared, name
        if name != "remind-before-due":
            assert "days_late" in declared, name
        for tone in template.tones:
            assert len(_sample_text(template, tone).split()) < 100, (name, tone)


@pytest.mark.parametrize(("template", "tone"), CASES, ids=[f"{t.name}-{tone}" for t, tone in CASES])
def test_every_body_lints_clean_and_renders_within_discord_limits(template: ReplyTemplate, tone: str) -> None:
    body = template.body(tone)
    assert lint(body, [v.name for v in template.variables]) == []
    text = _sample_text(template, tone)
    assert 0 < len(text) <= 2_000
    assert "[" not in text and "{" not in text, "placeholder left in the text"
    assert not re.search(r" [,.;:]|  |\(\)|: \.", text), "a blank value shows in the text"
    assert text.count("Next step") <= 1


@pytest.mark.parametrize(("template", "tone"), CASES, ids=[f"{t.name}-{tone}" for t, tone in CASES])
def test_every_declared_variable_is_used_by_every_tone(template: ReplyTemplate, tone: str) -> None:
    # Otherwise a seller would be asked, in a modal, for a value that never appears.
    used = meta.find_undeclared_variables(UserTemplateEnvironment().parse(template.body(tone)))
    assert {v.name for v in template.variables} == used


@pytest.mark.parametrize("template", [t for t in LIBRARY if t.buyer_facing], ids=lambda t: t.name)
def test_buyer_facing_templates_never_mention_reviews_or_threaten(template: ReplyTemplate) -> None:
    for tone in template.tones:
        text = _sample_text(template, tone)
        assert not REVIEW_WORDS.search(text), (tone, REVIEW_WORDS.search(text))
        assert not THREAT_WORDS.search(text), (tone, THREAT_WORDS.search(text))


@pytest.mark.parametrize(
    "template", [t for t in LIBRARY if t.buyer_facing and "marketplace" in t.platforms], ids=lambda t: t.name
)
def test_marketplace_buyer_templates_avoid_fiverr_held_words(template: ReplyTemplate) -> None:
    for tone in template.tones:
        text = _sample_text(template, tone)
        assert not HELD_WORDS.search(text), (tone, HELD_WORDS.search(text))
        assert not re.search(r"\+?\d[\d\s().-]{7,}\d", text), "looks like a phone number"


def test_public_replies_carry_no_personal_data() -> None:
    for template in LIBRARY:
        if template.audience == "public":
            names = {v.name for v in template.variables}
            assert not names & {"buyer_name", "client_name", "order_id", "invoice_number"}, template.name


@pytest.mark.parametrize("template", list(LIBRARY), ids=lambda t: t.name)
def test_metadata_fits_discord(template: ReplyTemplate) -> None:
    assert re.fullmatch(r"[a-z0-9-]{1,32}", template.name)
    assert len(template.title) <= 100 and len(template.description) <= 100
    for variable in template.variables:
        assert len(variable.label) <= LABEL_MAX and variable.example
        assert variable.required or variable.default is not None


def test_tone_variants_really_differ() -> None:
    for template in LIBRARY:
        if len(template.tones) > 1:
            texts = [_sample_text(template, tone) for tone in template.tones]
            assert len(set(texts)) == len(texts), template.name


@pytest.mark.parametrize("template", list(LIBRARY), ids=lambda t: t.name)
def test_marketplace_wording_only_in_marketplace_templates(template: ReplyTemplate) -> None:
    # A direct client has no "order page" and no "custom extra" to accept.
    if any(re.search(r"order page|custom extra|this page", body) for _, body in template.bodies):
        assert template.platforms == ("marketplace",)


def test_check_covers_the_reply_library_and_reports_a_broken_template() -> None:
    from dataclasses import replace

    from bot.replies.checks import check_library
    from bot.replies.library import Library

    problems, renders = check_library()
    assert problems == [] and renders >= 25
    first = LIBRARY.templates[0]
    broken = replace(first, bodies=tuple((tone, body + " {{ x.y }}") for tone, body in first.bodies))
    problems, _ = check_library(Library((broken,)))
    assert problems and all(p.startswith(f"reply {broken.name} (") for p in problems)
