"""No single user can make the bot do unbounded work or store unbounded data (issue 11, items 1, 5).

Each test counts requests accepted and refused, and asserts which limit refused them; the clock is
frozen, so no bucket refills during a test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import DisputeDeskError
from bot.ratelimit import Cooldown, RateLimited
from bot.replies.personal import MAX_PERSONAL_TEMPLATES
from bot.services import Services
from bot.storage import Database
from bot.storage.reply_templates import TemplateCapReached, TemplateRecord
from tests.quickreply_fixtures import quick_reply_service
from tests.storage_fixtures import POSTGRES_URL, postgres_schema

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BUYER = "I am not satisfied with the logo. Cancel the order and refund me or I leave one star."
_HEAVY_UNIT = "{{ ((buyer_name ~ order_id) ~ (amount ~ due_date)) }} "
HEAVY_BODY = _HEAVY_UNIT * (4000 // len(_HEAVY_UNIT))




def test_cooldown_allows_a_burst_then_one_per_interval() -> None:
    limit = Cooldown("x", "do x", burst=3, every_s=10.0)
    assert [limit.allows(1, NOW) for _ in range(5)] == [True, True, True, False, False]
    assert limit.allows(2, NOW)  # per user
    assert not limit.allows(1, NOW + timedelta(seconds=9))
    assert limit.allows(1, NOW + timedelta(seconds=19))
    with pytest.raises(RateLimited) as caught:
        limit.hit(1, NOW + timedelta(seconds=19))
    assert caught.value.limit is limit and 0 < caught.value.retry_after <= 10


async def test_authoring_submits_are_limited_per_user(service: Services) -> None:
    draft = await service.authoring.begin_create(7, NOW)
    typed = {"name": "short", "title": "Short", "category": "", "body": "Hi {{ buyer_name }}"}
    checked, refused = 0, 0
    for _ in range(20):
        try:
            await service.authoring.check_authoring(draft, 7, typed, NOW)
            checked += 1
        except RateLimited as error:
            assert error.limit is service.authoring.authoring_limit
            refused += 1
    assert (checked, refused) == (service.authoring.authoring_limit.burst, 20 - service.authoring.authoring_limit.burst)
    # What was typed last is kept for "Edit again" even when the check was refused.
    assert (await service.authoring.typed_in(draft, 7))[0]["body"] == "Hi {{ buyer_name }}"
    other = await service.authoring.begin_create(8, NOW)
    await service.authoring.check_authoring(other, 8, typed, NOW)  # another user is not limited


async def test_a_refused_submit_writes_only_what_changed(service: Services) -> None:
    draft = await service.authoring.begin_create(7, NOW)
    typed = {"name": "short", "title": "Short", "category": "", "body": "Hi {{ buyer_name }}"}
    burst = service.authoring.authoring_limit.burst
    for n in range(burst):
        await service.authoring.check_authoring(draft, 7, typed, NOW + timedelta(milliseconds=n))
    checked_at = (await service.reply_drafts.repo.get(draft)).updated_at  # type: ignore[union-attr]
    # Sent again unchanged and refused: nothing is written (the draft already holds that text).
    for n in range(burst, burst + 10):
        with pytest.raises(RateLimited):
            await service.authoring.check_authoring(draft, 7, typed, NOW + timedelta(milliseconds=n))
    stored = await service.reply_drafts.repo.get(draft)
    assert stored is not None and stored.updated_at == checked_at and stored.state["ok"]
    # Changed and refused: the new text is kept for "Edit again", and it is no longer the checked one.
    changed = {**typed, "body": "Hello {{ buyer_name }}"}
    with pytest.raises(RateLimited):
        await service.authoring.check_authoring(draft, 7, changed, NOW + timedelta(seconds=1))
    stored = await service.reply_drafts.repo.get(draft)
    assert stored is not None and stored.updated_at > checked_at
    assert stored.state["typed"]["body"] == "Hello {{ buyer_name }}" and not stored.state["ok"]


async def test_a_lint_that_overruns_its_time_is_reported_not_waited_for(service: Services) -> None:
    service.authoring.lint_timeout_s = 1e-6
    draft = await service.authoring.begin_create(7, NOW)
    typed = {"name": "heavy", "title": "Heavy", "category": "", "body": HEAVY_BODY}
    check = await service.authoring.check_authoring(draft, 7, typed, NOW)
    assert [p.message for p in check.problems] == ["checking it took longer than 1e-06 s; make it shorter or simpler"]


async def test_draft_a_reply_is_limited_per_user(service: Services) -> None:
    stored, refused = 0, 0
    for _ in range(60):
        try:
            await service.suggestions.suggest_for_message(7, BUYER, NOW)
            stored += 1
        except RateLimited as error:
            assert error.limit is service.suggestions.draft_a_reply_limit
            refused += 1
    burst = service.suggestions.draft_a_reply_limit.burst
    assert (stored, refused) == (burst, 60 - burst)
    rows = await service.reply_drafts.repo._db.fetch_one("SELECT count(*) FROM reply_drafts WHERE kind = 'pick'")
    assert rows is not None and rows[0] == service.suggestions.draft_a_reply_limit.burst


async def test_one_case_per_buyer_message_even_for_clicks_at_once(service: Services) -> None:
    suggestions = await service.suggestions.suggest_for_message(7, BUYER, NOW)
    dispute_type = suggestions.disputes[0][0]
    results = await asyncio.gather(
        *(service.suggestions.open_case(suggestions.draft_id, 7, dispute_type, NOW) for _ in range(10)),
        return_exceptions=True,
    )
    opened = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, DisputeDeskError)]
    assert len(opened) == 1 and len(refused) == 9
    assert all("already opened a case from this message" in str(r) for r in refused)
    sessions = await service.suggestions.wizard.sessions.list_active(7)
    assert len(sessions) == 1


async def test_cases_from_messages_share_a_per_user_limit(service: Services) -> None:
    opened, refused = 0, 0
    limit = service.suggestions.case_limit
    service.suggestions.draft_a_reply_limit = Cooldown("unlimited", "x", burst=100, every_s=1.0)
    for _ in range(limit.burst + 3):
        suggestions = await service.suggestions.suggest_for_message(7, BUYER, NOW)
        try:
            await service.suggestions.open_case(suggestions.draft_id, 7, suggestions.disputes[0][0], NOW)
            opened += 1
        except RateLimited as error:
            assert error.limit is limit
            refused += 1
    assert (opened, refused) == (limit.burst, 3)


async def test_autocomplete_goes_quiet_past_its_limit(service: Services) -> None:
    await service.catalog.sync_builtins()
    answers = [await service.catalog.autocomplete(7, None, "cancel", NOW) for _ in range(30)]
    limit = service.catalog.autocomplete_limit
    assert all(answers[: limit.burst]) and not any(answers[limit.burst :])
    assert await service.catalog.autocomplete(8, None, "cancel", NOW)


async def test_the_personal_template_cap_holds_against_concurrent_saves(service: Services) -> None:
    for number in range(MAX_PERSONAL_TEMPLATES - 3):
        record = TemplateRecord(f"t{number}", f"T {number}", "personal", "", "Hi")
        await service.catalog.templates.create("user", 7, record)

    async def save(number: int) -> object:
        record = TemplateRecord(f"race{number}", "Race", "personal", "", "Hi")
        return await service.catalog.templates.create("user", 7, record, cap=MAX_PERSONAL_TEMPLATES)

    results = await asyncio.gather(*(save(n) for n in range(50)), return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 3
    assert all(isinstance(r, TemplateCapReached) for r in results if isinstance(r, BaseException))
    assert await service.catalog.templates.count_owned("user", 7) == MAX_PERSONAL_TEMPLATES


async def test_saving_a_previewed_template_at_the_cap_is_refused(service: Services) -> None:
    draft = await service.authoring.begin_create(7, NOW)
    check = await service.authoring.check_authoring(
        draft, 7, {"name": "late", "title": "Late", "category": "", "body": "Hi {{ buyer_name }}"}, NOW
    )
    assert check.ok
    for number in range(MAX_PERSONAL_TEMPLATES):
        record = TemplateRecord(f"t{number}", f"T {number}", "personal", "", "Hi")
        await service.catalog.templates.create("user", 7, record)
    with pytest.raises(TemplateCapReached):
        await service.authoring.save_authoring(draft, 7, NOW)


async def test_the_event_loop_keeps_turning_while_a_template_is_checked(service: Services) -> None:
    draft = await service.authoring.begin_create(7, NOW)
    typed = {"name": "heavy", "title": "Heavy", "category": "", "body": HEAVY_BODY}
    await service.authoring.check_authoring(draft, 7, typed, NOW)  # start the check process once
    turns = 0
    checking = True

    async def count_turns() -> None:
        nonlocal turns
        while checking:
            turns += 1
            await asyncio.sleep(0)

    counter = asyncio.create_task(count_turns())
    try:
        await service.authoring.check_authoring(draft, 7, {**typed, "title": "Heavy again"}, NOW)
    finally:
        checking = False
        await counter
    # Parsing and linting a 4,000-character body on the loop would leave it a few dozen turns
    # between the database calls; off the loop it keeps turning all along.
    assert turns > 1_000, turns


@contextlib.asynccontextmanager
async def two_processes() -> AsyncIterator[tuple[Services, Services, Database]]:
    """Every service twice, on two pools of one PostgreSQL schema: two bot processes' view of it."""
    async with (
        postgres_schema() as schema,
        await Database.open(POSTGRES_URL, schema=schema) as first,
        await Database.open(POSTGRES_URL, schema=schema) as second,
    ):
        await first.migrate()
        yield quick_reply_service(first), quick_reply_service(second), first


async def test_the_case_limits_hold_across_processes(postgres_url: str) -> None:
    """Two bot processes on one PostgreSQL (two pools here) count one seller's new cases together."""
    async with two_processes() as (a, b, _):
        limit = a.steps.case_limit
        outcomes = []
        for number in range(limit.burst + 2):  # alternate: a DM on one process, a server on the other
            services = a if number % 2 == 0 else b
            try:
                await services.steps.start(7, {}, NOW)
                outcomes.append("started")
            except RateLimited as error:
                assert error.limit.name == "case_start"
                outcomes.append("refused")
        assert outcomes == ["started"] * limit.burst + ["refused"] * 2
        # Cases from buyers' messages: the same, on their own counter.
        b.suggestions.draft_a_reply_limit = Cooldown("unlimited", "x", burst=100, every_s=1.0)
        a.suggestions.draft_a_reply_limit = Cooldown("unlimited", "x", burst=100, every_s=1.0)
        opened = 0
        for number in range(a.suggestions.case_limit.burst + 2):
            services = a if number % 2 == 0 else b
            suggestions = await services.suggestions.suggest_for_message(7, BUYER, NOW)
            try:
                await services.suggestions.open_case(suggestions.draft_id, 7, suggestions.disputes[0][0], NOW)
                opened += 1
            except RateLimited as error:
                assert error.limit.name == "case_from_message"
        assert opened == a.suggestions.case_limit.burst


async def test_draft_a_reply_is_counted_across_processes(postgres_url: str) -> None:
    """Each "Draft a reply…" stores the buyer's words: one seller's burst is shared by every process."""
    async with two_processes() as (a, b, first):
        burst = a.suggestions.draft_a_reply_limit.burst
        outcomes = []
        for number in range(burst + 3):
            services = a if number % 2 == 0 else b
            try:
                await services.suggestions.suggest_for_message(7, BUYER, NOW)
                outcomes.append("stored")
            except RateLimited as error:
                assert error.limit.name == "draft_a_reply"
                outcomes.append("refused")
        assert outcomes == ["stored"] * burst + ["refused"] * 3
        stored = await first.fetch_one("SELECT count(*) FROM reply_drafts WHERE kind = 'pick'")
        assert stored is not None and stored[0] == burst
