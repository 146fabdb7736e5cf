"""The built-in quick-reply library: complete, lint-clean, within Discord's limits, on-brief wording,
each platform's own words, and sentences that survive real values."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from jinja2 import meta

from bot.replies import Library, ReplyTemplate, load_library, render_resolution, resolve
from bot.replies.checks import check_library, grammar_problems
from bot.replies.library import readable_names
from bot.replies.model import LABEL_MAX
from bot.replies.platforms import load_platforms
from bot.sandbox import lint
from bot.sandbox.environment import UserTemplateEnvironment

LIBRARY: Library = load_library()
PLATFORMS = load_platforms()
CASES = [(t, tone) for t in LIBRARY for tone in t.tones]
TODAY = date(2026, 11, 29)
LADDER = (
    "remind-before-due",
    "remind-late-1-3",
    "remind-late-7-14",
    "remind-late-15-30",
    "remind-final-notice",
)
EVERYDAY = (
    "preorder-inquiry-reply",
    "custom-offer-sent",
    "custom-offer-follow-up",
    "progress-update",
    "late-delivery-apology",
    "thanks-completion",
    "decline-not-a-fit",
    "availability-notice",
    "price-increase-notice",
    "fund-next-milestone",
    "milestone-for-extra-scope",
    "weekly-update-hourly",
    "close-contract",
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


def _text(template: ReplyTemplate, tone: str, platform: str, **values: str) -> str:
    options = {v.name: v.example for v in template.fields if not v.computed} | {"platform": platform} | values
    resolution = resolve(template, tone=tone, options=options, today=TODAY)
    assert resolution.ready, (resolution.missing, resolution.invalid)
    return render_resolution(resolution)


def _refusal(template: ReplyTemplate, platform: str, **values: str) -> dict[str, str]:
    options = {v.name: v.example for v in template.fields if not v.computed} | {"platform": platform} | values
    return dict(resolve(template, options=options, today=TODAY).invalid)


def test_library_is_large_enough_and_covers_every_category_and_everyday_message() -> None:
    assert len(LIBRARY) >= 45
    assert set(LIBRARY.categories()) >= {
        "kickoff", "delivery", "revisions", "extensions", "cancellations",
        "payments", "reviews", "support", "off-platform", "everyday", "contracts",
    }  # fmt: skip
    names = {t.name for t in LIBRARY}
    assert set(EVERYDAY) <= names


def test_the_whole_reminder_ladder_exists_and_carries_the_facts() -> None:
    for name in LADDER:
        template = LIBRARY.get(name)
        declared = {v.name for v in template.variables}
        assert {"invoice_number", "amount", "due_date", "invoice_link"} <= declared, name
        if name != "remind-before-due":
            assert "days_late" in declared, name
        for tone in template.tones:
            assert len(_text(template, tone, "direct").split()) < 100, (name, tone)


@pytest.mark.parametrize(("template", "tone"), CASES, ids=[f"{t.name}-{o}" for t, o in CASES])
def test_every_body_lints_clean_and_renders_on_every_platform_it_claims(template: ReplyTemplate, tone: str) -> None:
    assert lint(template.body(tone), readable_names(template)) == []
    for platform in template.platforms:
        _check_text(template, tone, platform)


def _check_text(template: ReplyTemplate, tone: str, platform: str) -> None:
    text = _text(template, tone, platform)
    assert 0 < len(text) <= 2_000
    assert "[" not in text and "{" not in text, "placeholder left in the text"
    assert grammar_problems(text, chat=PLATFORMS[platform].is_marketplace and template.buyer_facing) == []
    if template.buyer_facing:
        assert not REVIEW_WORDS.search(text), REVIEW_WORDS.search(text)
        assert not THREAT_WORDS.search(text), THREAT_WORDS.search(text)
    if template.buyer_facing and platform == "fiverr":
        assert not HELD_WORDS.search(text), HELD_WORDS.search(text)
        assert not re.search(r"\+?\d[\d\s().-]{7,}\d", text), "looks like a phone number"
    if platform == "direct":  # a direct client has no order page, custom extra or milestone
        assert not re.search(r"order page|custom extra|milestone|this page|the platform", text)
    if platform not in ("fiverr", "other"):
        assert not re.search(r"custom extra|order page|extension request", text), "Fiverr's tools elsewhere"


@pytest.mark.parametrize("template", list(LIBRARY), ids=lambda t: t.name)
def test_every_declared_variable_is_used_by_every_tone(template: ReplyTemplate) -> None:
    # Otherwise a seller would be asked, in a modal, for a value that never appears.
    for tone in template.tones:
        used = meta.find_undeclared_variables(UserTemplateEnvironment().parse(template.body(tone)))
        assert {v.name for v in template.variables} <= used, tone


def test_public_replies_carry_no_personal_data() -> None:
    for template in LIBRARY:
        if template.audience == "public":
            names = {v.name for v in template.variables}
            assert not names & {"buyer_name", "client_name", "order_id", "invoice_number"}, template.name


@pytest.mark.parametrize("template", list(LIBRARY), ids=lambda t: t.name)
def test_metadata_fits_discord(template: ReplyTemplate) -> None:
    assert re.fullmatch(r"[a-z0-9-]{1,32}", template.name)
    assert len(template.title) <= 100 and len(template.description) <= 100
    assert template.platforms and set(template.platforms) <= set(PLATFORMS.keys)
    for variable in template.fields:
        assert len(variable.label) <= LABEL_MAX and variable.example
        assert variable.required or variable.default is not None


def test_tone_variants_really_differ() -> None:
    for template in LIBRARY:
        if len(template.tones) > 1:
            texts = [_text(template, tone, template.platforms[0]) for tone in template.tones]
            assert len(set(texts)) == len(texts), template.name


# -- each platform's own words (issue item 1) -------------------------------------------------------
def test_the_same_reply_speaks_each_platforms_tool() -> None:
    quote = LIBRARY.get("scope-new-work-quote")
    assert "as a custom extra on this order" in _text(quote, "neutral", "fiverr")
    upwork = _text(quote, "neutral", "upwork")
    assert "a new milestone on this contract" in upwork and "fund" in upwork and "custom extra" not in upwork
    direct = _text(quote, "neutral", "direct")
    assert "a separate invoice" in direct and direct.endswith("Best regards,\nAlex")
    extension = LIBRARY.get("extension-request")
    assert "extension request on the order page" in _text(extension, "neutral", "fiverr")
    assert "milestone's due date" in _text(extension, "neutral", "upwork")
    assert "fund-next-milestone" in {t.name for t in LIBRARY if t.fits("upwork")}
    assert not LIBRARY.get("fund-next-milestone").fits("fiverr")
    assert not LIBRARY.get("cancel-decline-path-forward").fits("upwork")


def test_a_platform_the_reply_does_not_claim_is_refused_clearly() -> None:
    refused = _refusal(LIBRARY.get("weekly-update-hourly"), "fiverr")
    assert "written for Upwork, not for Fiverr" in refused["platform"]
    assert "not a platform I know" in _refusal(LIBRARY.get("thanks-completion"), "myspace")["platform"]


def test_thanks_on_completion_talks_feedback_only_on_upwork() -> None:
    thanks = LIBRARY.get("thanks-completion")
    for tone in thanks.tones:
        assert "feedback" not in _text(thanks, tone, "fiverr", ask_feedback="yes").lower(), tone
        assert "feedback" not in _text(thanks, tone, "upwork", ask_feedback="").lower(), tone  # opt-in only
        assert "honest feedback" in _text(thanks, tone, "upwork", ask_feedback="yes"), tone
    close = LIBRARY.get("close-contract")
    for tone in close.tones:
        assert "feedback" not in _text(close, tone, "upwork", ask_feedback="").lower(), tone
        assert "feedback" in _text(close, tone, "upwork", ask_feedback="yes"), tone


# -- sentences that survive real values (issue item 2) ----------------------------------------------
def test_counts_read_as_sentences_at_one_and_zero() -> None:
    last = LIBRARY.get("revision-last-included")
    one = _text(last, "friendly", "fiverr", revisions_included="1")
    assert "the one revision included in the order" in one and "of the 1" not in one
    assert "the last of the 3 revisions included" in _text(last, "friendly", "fiverr", revisions_included="3")
    late = LIBRARY.get("remind-late-1-3")
    friendly = _text(late, "friendly", "direct", due_date="yesterday")
    assert "(1 day ago), and the payment hasn't arrived yet" in friendly and "late" not in friendly
    assert "is 1 day overdue" in _text(late, "neutral", "direct", due_date="yesterday")
    delivery = LIBRARY.get("delivery-message")
    assert "1 revision is still included" in _text(delivery, "neutral", "fiverr", revisions_left="1")
    assert "The included revisions are used" in _text(delivery, "neutral", "fiverr", revisions_left="0")


def test_meaningless_counts_are_refused_with_a_clear_message() -> None:
    quote = LIBRARY.get("scope-new-work-quote")
    assert "too few here: type at least 1" in _refusal(quote, "fiverr", extra_days="0")["extra_days"]
    assert "not a whole number of days" in _refusal(quote, "fiverr", extra_days="0.5")["extra_days"]
    unlimited = _refusal(LIBRARY.get("revision-last-included"), "fiverr", revisions_included="unlimited")
    assert (
        "not 'unlimited'" in unlimited["revisions_included"] and "revision-itemised" in unlimited["revisions_included"]
    )
    decline = LIBRARY.get("cancel-decline-path-forward")
    assert "within the unlimited revisions the order includes" in _text(
        decline, "neutral", "fiverr", revisions_included="unlimited"
    )
    # Counts read naturally: no "3 revisions, and we've gone through 3 revisions since".
    same = _text(decline, "firm", "fiverr", revisions_used="3", revisions_included="3")
    assert "all 3 revisions the order included" in same and same.count("3 revisions") == 1
    assert "the one revision the order included" in _text(
        decline, "firm", "fiverr", revisions_used="1", revisions_included="1"
    )
    assert "2 of the 3 revisions the order includes" in _text(
        decline, "firm", "fiverr", revisions_used="2", revisions_included="3"
    )


# -- dates against today (issue item 3) -------------------------------------------------------------
def test_reminders_word_the_real_days_and_refuse_a_step_that_does_not_fit() -> None:
    before = LIBRARY.get("remind-before-due")
    assert "is due in 6 days, on 5 December 2026" in _text(before, "neutral", "direct", due_date="2026-12-05")
    assert "is due tomorrow (30 November 2026)" in _text(before, "neutral", "direct", due_date="2026-11-30")
    assert "remind-late-1-3" in _refusal(before, "direct", due_date="2026-11-20")["due_date"]
    gentle = _refusal(LIBRARY.get("remind-late-1-3"), "direct", due_date="45 days ago")
    assert "45 days ago" in gentle["due_date"] and "remind-late-7-14" in gentle["due_date"]
    final = _refusal(LIBRARY.get("remind-final-notice"), "direct", due_date="40 days ago", settle_by="2026-11-25")
    assert "4 days ago" in final["settle_by"] and "after today" in final["settle_by"]
    assert "40 days overdue" in _text(LIBRARY.get("remind-final-notice"), "neutral", "direct", due_date="40 days ago")


# -- profile values as a person writes them (issue item 4) ------------------------------------------
def test_sign_off_is_never_doubled_and_platforms_show_their_names() -> None:
    quote = LIBRARY.get("scope-new-work-quote")
    for sign_off, expected in (("Best regards, Ana", "Best regards,\nAna"), ("Cheers,", "Cheers,\nAlex"),
                               ("Thanks - Alex", "Thanks - Alex")):  # fmt: skip
        options = {v.name: v.example for v in quote.fields} | {"platform": "direct", "sign_off": sign_off}
        text = render_resolution(resolve(quote, options=options, today=TODAY))
        assert text.endswith("\n\n" + expected) and "Alex\nAlex" not in text
    profile = {"default_platform": "fiverr", "display_name": "Alex"}
    summary = LIBRARY.get("support-cancellation-summary")
    options = {v.name: v.example for v in summary.variables if v.name != "platform"}
    text = render_resolution(resolve(summary, profile=profile, options=options, today=TODAY))
    assert text.startswith("Hello Fiverr Customer Support,") and "on Fiverr" in text and "fiverr" not in text
    rebuttal = _text(LIBRARY.get("chargeback-rebuttal"), "neutral", "direct")
    assert rebuttal.startswith("PayPal dispute") and "(direct)" not in rebuttal and "(fiverr)" not in rebuttal


def test_chat_messages_carry_no_email_sign_off() -> None:
    for template in LIBRARY:
        for platform in template.platforms:
            if template.buyer_facing and PLATFORMS[platform].is_marketplace:
                text = _text(template, template.tones[0], platform)
                assert not text.endswith(("Alex", "Best regards")), (template.name, platform)


# -- no facts the seller did not state, every tone keeps every fact (issue items 5, 6) --------------
def test_claims_about_the_buyer_are_made_only_when_confirmed() -> None:
    rebuttal = LIBRARY.get("chargeback-rebuttal")
    assert "did not ask for corrections" not in _text(rebuttal, "neutral", "direct", no_corrections_asked="")
    assert "did not ask for corrections" in _text(rebuttal, "neutral", "direct", no_corrections_asked="yes")
    review = LIBRARY.get("review-reply-negative")
    plain = _text(review, "neutral", "fiverr", delivered_in_full="", revisions_done="no")
    assert "in full" not in plain and "revisions" not in plain
    assert "in full" in _text(review, "neutral", "fiverr", delivered_in_full="yes")
    statement = LIBRARY.get("support-mediator-statement")
    assert "without listing" not in _text(statement, "neutral", "upwork", no_defects_listed="no")


def test_every_tone_really_declines_and_keeps_the_free_fixes() -> None:
    decline = LIBRARY.get("cancel-decline-path-forward")
    for tone in decline.tones:
        text = _text(decline, tone, "fiverr")
        assert re.search(r"rather not cancel|rather than cancel|won't be accepting", text), tone
        assert "no cost" in text, tone
    nudge = LIBRARY.get("requirements-nudge")
    assert all("delivery time" in _text(nudge, tone, "fiverr") for tone in nudge.tones)


# -- partial refunds within the platform's limits (issue item 8) ------------------------------------
def test_partial_refund_stays_within_fiverrs_limits_from_the_engine_facts() -> None:
    offer = LIBRARY.get("cancel-partial-refund-offer")
    assert "over $50" in _refusal(offer, "fiverr", order_amount="$40", refund_amount="$10")["order_amount"]
    too_much = _refusal(offer, "fiverr", order_amount="$400", refund_amount="$300")["refund_amount"]
    assert "at most 60%" in too_much and "$240" in too_much and "as of 2026-11" in too_much
    assert "at least $5" in _refusal(offer, "fiverr", order_amount="$400", refund_amount="$2")["refund_amount"]
    assert "a partial refund of $240 of the $400 order" in _text(offer, "neutral", "fiverr", refund_amount="$240")
    upwork = _text(offer, "neutral", "upwork", refund_amount="$300")  # Fiverr's cap is not Upwork's
    assert "$300 of the $400 milestone refunded" in upwork and "order page" not in upwork
    assert "whole order amount" in _refusal(offer, "upwork", refund_amount="$400")["refund_amount"]
    assert "ask Customer Support" in _refusal(offer, "fiverr", still_open="no")["still_open"]


# -- the check walk --------------------------------------------------------------------------------
def test_check_walks_every_reply_on_every_platform_with_real_values() -> None:
    problems, renders = check_library(today=TODAY)
    assert problems == []
    assert renders >= 2 * sum(len(t.tones) * len(t.platforms) for t in LIBRARY)


def test_check_reports_broken_grammar_a_dropped_fact_and_a_broken_template() -> None:
    quote = LIBRARY.get("scope-new-work-quote")
    raw_days = replace(
        quote, bodies=tuple((t, b.replace("{{ extra_days }}", "{{ extra_days_count }} days")) for t, b in quote.bodies)
    )
    problems, _ = check_library(Library((raw_days,)), today=TODAY)
    assert any("singular count with a plural noun: '1 days'" in p for p in problems)
    dropped = replace(quote, bodies=tuple((t, b if t == "neutral" else b.replace("{{ extra_price }}", "a price"))
                                          for t, b in quote.bodies))  # fmt: skip
    problems, _ = check_library(Library((dropped,)), today=TODAY)
    assert any("(neutral, fiverr, examples): drops the claim 'priced'" in p for p in problems) or any(
        "drops the fact '$300'" in p for p in problems
    )
    broken = replace(quote, bodies=tuple((tone, body + " {{ x.y }}") for tone, body in quote.bodies))
    problems, _ = check_library(Library((broken,)), today=TODAY)
    assert problems and all(p.startswith(f"reply {broken.name} (") for p in problems)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("That was the last of the 1 revisions included.", "singular count with a plural noun"),
        ("It is now 1 days overdue.", "singular count with a plural noun"),
        ("That was the last of the 1 revision included.", "'of the 1'"),
        ("I need 0 days more.", "zero written as a number"),
        ("It takes 3 day.", "plural count with a singular noun"),
        ("Thanks for for the order.", "a word doubled"),
        ("Next step: reply here.", "the form-letter 'Next step:'"),
        ("I'll send a extra.", "'a' before a vowel sound"),
    ],
)
def test_grammar_rules_catch_the_issues_examples(text: str, rule: str) -> None:
    assert any(problem.startswith(rule) for problem in grammar_problems(text))
    assert grammar_problems("That was the one revision included; it is now 1 day overdue, 2 days in all.") == []


# -- panel round 1: the classes of findings ---------------------------------------------------------
def test_a_price_for_extra_work_is_tied_to_a_named_item() -> None:
    decline = LIBRARY.get("cancel-decline-path-forward")
    for tone in decline.tones:
        named = _text(decline, tone, "fiverr", new_items="the blog section", extra_price="$180", extra_days="3")
        assert "the blog section" in named and "$180" in named and "ready 3 days after you accept" in named, tone
        assert "New features are" not in named and "of extra time" not in named, tone
        unnamed = _text(decline, tone, "fiverr", new_items="", extra_price="$180", extra_days="3")
        assert "$180" not in unnamed and "quote" in unnamed, tone
    quote = LIBRARY.get("scope-new-work-quote")
    for tone in quote.tones:
        text = _text(quote, tone, "direct", new_items="a booking system", extra_price="€450", extra_days="5")
        assert re.search(r"a booking system (?:for|would be|is) €450", text), tone
        assert re.search(r"the delivery date (?:would )?moves? by 5 days", text), tone


def test_a_late_fee_states_the_new_total_and_how_the_fee_is_paid() -> None:
    final = LIBRARY.get("remind-final-notice")
    values = {"amount": "€2,400", "late_fee": "€40", "due_date": "40 days ago"}
    separate = _text(final, "neutral", "direct", **values)
    assert "the total due is now €2,440" in separate and "separate invoice" in separate
    assert "pay it in full" not in separate
    same = _text(final, "neutral", "direct", **values, fee_on_same_invoice="yes")
    assert "Please pay the €2,440" in same and "the link covers it" in same
    assert "type the fee in EUR" in _refusal(final, "direct", amount="€2,400", late_fee="$25")["late_fee"]
    ladder4 = _text(LIBRARY.get("remind-late-15-30"), "neutral", "direct", amount="$1,200", late_fee="$25")
    assert "bringing the total to $1,225" in ladder4


def test_a_review_reply_answers_the_claim_with_the_strongest_fact() -> None:
    review = LIBRARY.get("review-reply-negative")
    for tone in review.tones:
        text = _text(
            review, tone, "upwork", client_approved="yes", review_claim="Script breaks sometimes",
            no_issue_reported="yes", fix_offered="yes",
        )  # fmt: skip
        assert "approved and the contract closed" in text and '"Script breaks sometimes"' in text, tone
        assert "wasn't reported to me before the review" in text and "future clients" not in text, tone
        plain = _text(review, tone, "fiverr", client_approved="", review_claim="", no_issue_reported="", fix_offered="")
        assert "approved" not in plain and "reported" not in plain and len(plain.split()) < 60, tone
    cancelled = _text(LIBRARY.get("review-reply-cancelled-order"), "neutral", "fiverr")
    assert "For future clients" not in cancelled and "wasn't reported to me" in cancelled


def test_each_reply_asks_for_the_one_action_needed() -> None:
    late = LIBRARY.get("late-delivery-apology")
    for tone in late.tones:
        assert re.search(r"(?:could you|please) accept it", _text(late, tone, "fiverr")), tone
        assert "confirm that date works" in _text(late, tone, "freelancer"), tone
    fund = LIBRARY.get("fund-next-milestone")
    for tone in fund.tones:
        text = _text(fund, tone, "upwork", submitted_milestone="Milestone 2: accounts", submitted_date="today")
        assert "I submitted Milestone 2: accounts today" in text and "checked" in text and "fund" in text, tone
        assert "submitted" not in _text(fund, tone, "upwork", submitted_milestone="", submitted_date="")[:40], tone
    deal = LIBRARY.get("offplatform-decline-deal")
    for tone in deal.tones:
        text = _text(deal, tone, "fiverr", requested_work="the 30 posts")
        assert "for the 30 posts" in text and "tell me the scope" not in text, tone
        assert "tell me the scope" in _text(deal, tone, "fiverr", requested_work=""), tone


def test_follow_ups_carry_the_key_facts() -> None:
    follow = LIBRARY.get("custom-offer-follow-up")
    for tone in follow.tones:
        text = _text(follow, tone, "direct", offer_price="€1,200", offer_sent="2026-11-21", offer_expires="2026-12-02")
        assert "the quote I sent on 21 November 2026" in text and "(€1,200)" in text and "questions" in text, tone
    notice = LIBRARY.get("price-increase-notice")
    for tone in notice.tones:
        text = _text(notice, tone, "direct", old_price="£300", working_together="over a year", kept_at_old_price="")
        assert "thank you for over a year of working together" in text and "stays at £300" in text, tone
        kept = _text(notice, tone, "direct", old_price="£300", kept_at_old_price="December's articles")
        assert "The current price of £300 still applies to December's articles." in kept, tone


def test_support_summaries_carry_a_dated_timeline_and_the_sellers_last_step() -> None:
    summary = LIBRARY.get("support-cancellation-summary")
    text = _text(
        summary, "neutral", "fiverr", revisions_used="2", revisions_included="2",
        revision_dates="23 and 25 November 2026", declined_date="2026-11-28",
    )  # fmt: skip
    assert "3. 23 and 25 November 2026: both revisions included in the order were used." in text
    assert "5. 28 November 2026: I declined the cancellation on the order page" in text
    plain = _text(summary, "neutral", "fiverr", revisions_used="1", revisions_included="3", revision_dates="",
                  declined_date="")  # fmt: skip
    assert "3. After delivery: 1 of the 3 revisions included in the order was used." in plain and "5." not in plain
    statement = LIBRARY.get("support-mediator-statement")
    assert "4. 19 November 2026: I offered to fix" in _text(statement, "neutral", "upwork", fix_offered="yes")
