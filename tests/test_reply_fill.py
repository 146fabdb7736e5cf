"""Filling quick replies: values from options, profile and defaults; missing ones reported, never blanked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.errors import MissingVariablesError, TemplateError
from bot.replies import LibraryError, ReplyTemplate, load_library, render_resolution, resolve
from bot.replies.fill import render_resolution_async
from bot.replies.library import parse_template
from bot.replies.model import TemplateVariable
from bot.replies.typed_values import (
    InvalidValueError,
    Money,
    format_money,
    parse_date,
    parse_link,
    parse_money,
    parse_number,
)
from bot.sandbox import PoolSettings, RenderPool

LIBRARY = load_library()
PROFILE = {"display_name": "Alex", "sign_off": "Cheers", "currency": "EUR", "default_tone": "firm"}


def _wide_template(count: int) -> ReplyTemplate:
    variables = tuple(TemplateVariable(f"v{i}", "text", f"Value {i}", example="x") for i in range(count))
    body = " ".join(f"{{{{ v{i} }}}}" for i in range(count))
    return ReplyTemplate("wide", "Wide", "test", "Many variables", "buyer", variables, (("neutral", body),))


def test_profile_fills_name_and_sign_off_and_the_rest_is_reported_missing() -> None:
    template = LIBRARY.get("revision-itemised")
    resolution = resolve(template, profile=PROFILE | {"default_platform": "direct"})
    assert [v.name for v in resolution.missing] == ["buyer_name"]
    assert resolution.values["signature"] == "Cheers,\nAlex" and resolution.values["platform"] == "direct"
    assert resolution.tone == "firm"  # the profile's default tone
    with pytest.raises(MissingVariablesError) as caught:
        render_resolution(resolution)
    assert caught.value.names == ("buyer_name",)


def test_options_override_profile_and_render_has_no_blanks() -> None:
    template = LIBRARY.get("revision-itemised")
    options = {"buyer_name": "Sam", "platform": "direct", "display_name": "Alex B.", "sign_off": ""}
    text = render_resolution(resolve(template, tone="friendly", profile=PROFILE, options=options))
    assert text.startswith("Hi Sam,") and text.endswith("\n\nCheers,\nAlex B.")


def test_default_sign_off_applies_without_a_profile_and_a_chat_message_has_none() -> None:
    template = LIBRARY.get("revision-itemised")
    resolution = resolve(template, options={"buyer_name": "Sam", "platform": "direct"})
    assert [v.name for v in resolution.missing] == ["display_name"]
    done = resolve(template, options={"buyer_name": "Sam", "platform": "direct", "display_name": "Alex"})
    assert render_resolution(done).endswith("\n\nBest regards,\nAlex")
    chat = resolve(template, options={"buyer_name": "Sam", "platform": "upwork"})
    assert chat.ready and not render_resolution(chat).endswith(("Alex", "regards"))


def test_the_platform_is_asked_when_a_reply_fits_several_and_none_is_known() -> None:
    template = LIBRARY.get("scope-new-work-quote")
    options = {v.name: v.example for v in template.variables if not v.computed}
    resolution = resolve(template, options=options)
    assert [v.name for v in resolution.to_ask] == ["platform"]
    assert resolve(template, options=options, profile={"default_platform": "upwork"}).platform == "upwork"
    assert resolve(template, options=options | {"platform": "Freelancer.com"}).platform == "freelancer"


def test_missing_variables_come_in_modal_pages_of_five() -> None:
    resolution = resolve(_wide_template(12))
    assert [len(page) for page in resolution.pages()] == [5, 5, 2]


def test_invalid_values_are_reported_with_the_reason_and_asked_again() -> None:
    template = LIBRARY.get("remind-before-due")
    options = {v.name: v.example for v in template.fields if not v.computed} | {
        "amount": "lots",
        "invoice_link": "not a link",
    }
    resolution = resolve(template, options=options)
    assert set(resolution.invalid) == {"amount", "invoice_link"}
    assert [v.name for v in resolution.to_ask] == ["amount", "invoice_link"]
    with pytest.raises(TemplateError, match="Amount due"):
        render_resolution(resolution)


def test_days_late_is_worked_out_from_the_due_date() -> None:
    template = LIBRARY.get("remind-late-7-14")
    options = {v.name: v.example for v in template.variables if not v.computed}
    options["due_date"] = "2026-11-01"
    resolution = resolve(template, options=options | {"days_late": "2"}, profile=PROFILE, today=date(2026, 11, 11))
    assert resolution.ready and resolution.values["days_late"] == "10 days"  # typed days are not trusted
    assert resolution.values["days_late_count"] == 10
    assert "10 days overdue" in render_resolution(resolution)


def test_money_uses_the_profile_currency() -> None:
    template = LIBRARY.get("remind-before-due")
    options = {v.name: v.example for v in template.variables if not v.computed} | {"amount": "1.200,50"}
    assert "€1,200.50" in render_resolution(resolve(template, options=options, profile=PROFILE))


def test_optional_late_fee_line_disappears_when_blank() -> None:
    template = LIBRARY.get("remind-final-notice")
    options = {v.name: v.example for v in template.fields if not v.computed} | {"late_fee": ""}
    text = render_resolution(resolve(template, options=options))
    assert "late fee" not in text and "\n\n\n" not in text


def test_unknown_tone_falls_back_to_neutral() -> None:
    template = LIBRARY.get("remind-before-due")
    assert resolve(template, tone="sarcastic").tone == "neutral"


@pytest.mark.timeout(20)
async def test_fill_through_the_worker_pool() -> None:
    template = LIBRARY.get("kickoff-scope-check")
    options = {"buyer_name": "Sam", "agreed_scope": "a logo", "questions": "the colours", "platform": "direct"}
    resolution = resolve(template, profile=PROFILE, options=options)
    with RenderPool(PoolSettings(workers=1)) as pool:
        text = await render_resolution_async(resolution, pool.render_async)
    assert text.startswith("Hi Sam,") and text.endswith("\n\nCheers,\nAlex")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("150", Money(Decimal("150.00"), "USD")),
        ("$1,500", Money(Decimal("1500.00"), "USD")),
        ("1.500,50 €", Money(Decimal("1500.50"), "EUR")),
        ("99,50 eur", Money(Decimal("99.50"), "EUR")),
        ("GBP 20", Money(Decimal("20.00"), "GBP")),
        ("1 500", Money(Decimal("1500.00"), "USD")),
    ],
)
def test_parse_money(raw: str, expected: Money) -> None:
    assert parse_money(raw) == expected


@pytest.mark.parametrize("raw", ["", "lots", "-5", "$", "1e12"])
def test_parse_money_refuses(raw: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_money(raw)


def test_format_money() -> None:
    assert format_money(Money(Decimal("1500"), "USD")) == "$1,500"
    assert format_money(Money(Decimal("99.5"), "EUR")) == "€99.50"
    assert format_money(Money(Decimal("20"), "CAD")) == "CAD 20"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-14", date(2026, 3, 14)),
        ("14 March 2026", date(2026, 3, 14)),
        ("Mar 14, 2026", date(2026, 3, 14)),
        ("14/03/2026", date(2026, 3, 14)),
        ("tomorrow", date(2026, 1, 2)),
    ],
)
def test_parse_date(raw: str, expected: date) -> None:
    assert parse_date(raw, today=date(2026, 1, 1)) == expected


@pytest.mark.parametrize("raw", ["03/04/2026", "31 February 2026", "soon", "2026-13-01"])
def test_parse_date_refuses_ambiguous_or_invalid(raw: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_date(raw)


def test_parse_link_and_number() -> None:
    assert parse_link(" https://example.com/x ") == "https://example.com/x"
    for bad in ("example.com", "javascript:alert(1)", "https://exa mple.com", "ftp://example.com"):
        with pytest.raises(InvalidValueError):
            parse_link(bad)
    assert parse_number("3") == 3 and parse_number("2.5") == 2.5 and parse_number("1,000") == 1000
    with pytest.raises(InvalidValueError):
        parse_number("NaN")


def test_loader_rejects_unsafe_bodies_and_bad_metadata(tmp_path: Path) -> None:
    good = {"name": "ok", "title": "T", "description": "D", "body": "Hi {{ who }}"}
    variable = {"name": "who", "type": "text", "label": "Who", "example": "Sam"}
    assert parse_template(good | {"variables": [variable]}, "test", {}, "x.toml").name == "ok"
    for broken, message in [
        (good | {"variables": [variable], "body": "{{ who.__class__ }}"}, "attribute"),
        (good, "unknown variable 'who'"),
        (good | {"variables": [variable], "name": "Not A Slug"}, "slug"),
        (good | {"variables": [variable | {"label": "x" * 46}]}, "label"),
        (good | {"variables": [variable | {"type": "colour"}]}, "type"),
        (good | {"variables": [variable], "body": {"sarcastic": "x"}}, "tone"),
    ]:
        with pytest.raises(LibraryError, match=message):
            parse_template(broken, "test", {}, "x.toml")
    (tmp_path / "bad.toml").write_text('category = "x"\n[[template]]\nname = "a"\ntitle = \n')
    with pytest.raises(LibraryError, match=r"bad\.toml"):
        load_library(tmp_path)


def test_a_sign_off_with_the_name_in_it_is_not_doubled_in_a_personal_template() -> None:
    variables = (
        TemplateVariable("sign_off", "text", "Sign-off", required=False, default="Best regards", example="x"),
        TemplateVariable("display_name", "text", "Name", example="Ana"),
    )
    template = ReplyTemplate("mine", "Mine", "personal", "", "buyer", variables,
                             (("neutral", "Thanks!\n{{ sign_off }},\n{{ display_name }}"),))  # fmt: skip
    profile = {"sign_off": "Best regards, Ana", "display_name": "Ana"}
    assert render_resolution(resolve(template, profile=profile)) == "Thanks!\nBest regards,\nAna"
    profile = {"sign_off": "Cheers", "display_name": "Ana"}
    assert render_resolution(resolve(template, profile=profile)) == "Thanks!\nCheers,\nAna"


def test_an_empty_line_after_a_block_tag_stays_a_paragraph_break() -> None:
    raw = {"name": "para", "title": "P", "description": "P",
           "variables": [{"name": "x", "type": "yes_no", "label": "X", "example": "yes"}],
           "body": "{% if x %}\nFirst.\n{% endif %}\n\nSecond."}  # fmt: skip
    template = parse_template(raw, "test", {}, "test.toml")
    assert render_resolution(resolve(template, options={"x": "yes"})) == "First.\n\nSecond."
    assert render_resolution(resolve(template, options={"x": "no"})) == "Second."
