"""A form submitted again unchanged is not checked again (issue 11, item 1).

Counted, not timed: how many checks the check process ran for how many submits.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.errors import DisputeDeskError
from bot.ratelimit import RateLimited
from bot.replies import LIBRARY_DIR
from bot.replies.authoring import render_here
from bot.replies.library import SHARED_VARIABLES_FILE, load_shared_variables
from bot.replies.lint_process import TemplateChecker
from bot.replies.personal import Draft, check_draft
from bot.sandbox.render import _compiled
from bot.services import Services
from bot.storage import Database
from tests.quickreply_fixtures import quick_reply_service

pytestmark = pytest.mark.timeout(60)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
_UNIT = "{{ ((buyer_name ~ order_id) ~ (amount ~ due_date)) }} "
HEAVY = Draft("heavy", "Heavy", "personal", _UNIT * (4000 // len(_UNIT)))
SHARED = load_shared_variables(LIBRARY_DIR / SHARED_VARIABLES_FILE)


async def test_a_draft_is_checked_once_however_often_it_is_submitted() -> None:
    checker = TemplateChecker()
    first, _ = await checker.check(HEAVY, SHARED, 30.0)
    again = [await checker.check(HEAVY, SHARED, 30.0) for _ in range(4)]
    assert checker.checked == 1
    assert all(problems == first and variables == again[0][1] for problems, variables in again)
    # Each caller gets a list of its own to add problems to: the kept verdict stays as it was.
    again[0][0].append(None)  # type: ignore[arg-type]
    assert (await checker.check(HEAVY, SHARED, 30.0))[0] == first
    # Anything typed differently is checked, and so is the same draft against other shared variables.
    await checker.check(Draft("heavy", "Heavy too", "personal", HEAVY.body), SHARED, 30.0)
    await checker.check(HEAVY, dict(SHARED), 30.0)
    assert checker.checked == 3


async def test_submits_at_once_share_one_check() -> None:
    checker = TemplateChecker()
    verdicts = await asyncio.gather(*(checker.check(HEAVY, SHARED, 30.0) for _ in range(5)))
    assert checker.checked == 1 and checker.in_flight == 0
    assert all(verdict == verdicts[0] for verdict in verdicts)


async def test_a_verdict_with_problems_is_kept_too() -> None:
    checker = TemplateChecker()
    broken = Draft("broken", "Broken", "personal", "{% for x in %}")
    verdicts = [await checker.check(broken, SHARED, 30.0) for _ in range(3)]
    assert checker.checked == 1
    assert all(problems and problems[0].field == "Body" and problems[0].line == 1 for problems, _ in verdicts)


async def test_authoring_submits_of_the_same_text_run_one_check(service: Services) -> None:
    draft = await service.authoring.begin_create(7, NOW)
    typed = {"name": "late", "title": "Late", "category": "", "body": "Hi {{ buyer_name }}, order {{ order_id }}"}
    checks = [await service.authoring.check_authoring(draft, 7, typed, NOW) for _ in range(3)]
    assert all(check.ok for check in checks)
    # Saving after the preview checks the same text again: it is not sent to the check process.
    await service.authoring.save_authoring(draft, 7, NOW)
    assert service.checker.checked == 1


async def test_the_same_form_submitted_at_once_shares_one_check_and_one_preview(db: Database) -> None:
    # A double submit: each answer is the preview, not "your previous reply is still being rendered".
    # The preview renders off the event loop (in a thread here), so the submits overlap as in the bot.
    service = quick_reply_service(db, render_here)
    draft = await service.authoring.begin_create(7, NOW)
    typed = {"name": "late", "title": "Late", "category": "", "body": "Hi {{ buyer_name }}, order {{ order_id }}"}
    checks = await asyncio.gather(*(service.authoring.check_authoring(draft, 7, typed, NOW) for _ in range(3)))
    assert all(check.ok and check.preview == checks[0].preview for check in checks)
    assert "order" in checks[0].preview
    assert service.checker.checked == 1
    # Each submit still counts against the per-user limit (5 in a row), shared or not.
    for _ in range(2):
        await service.authoring.check_authoring(draft, 7, typed, NOW)
    with pytest.raises(RateLimited):
        await service.authoring.check_authoring(draft, 7, typed, NOW)


async def test_a_body_only_the_compiler_refuses_is_caught_by_the_preview(service: Services) -> None:
    # The check parses without compiling (the sandboxed preview compiles); Python refuses more than
    # 20 nested loops, which Jinja2's parser accepts, so the preview is what must refuse it.
    body = "".join(f"{{% for x{i} in items %}}" for i in range(25)) + "x" + "{% endfor %}" * 25
    draft = await service.authoring.begin_create(7, NOW)
    typed = {"name": "deep", "title": "Deep", "category": "", "body": body}
    check = await service.authoring.check_authoring(draft, 7, typed, NOW)
    assert not check.ok
    assert [p.field for p in check.problems] == ["Body"]
    assert "too deeply nested" in check.problems[0].message
    with pytest.raises(DisputeDeskError, match="Check the template first"):
        await service.authoring.save_authoring(draft, 7, NOW)


def test_a_check_leaves_compiling_to_the_preview() -> None:
    # Compiling is about two thirds of checking a 4,000-character body; the preview does it anyway.
    body = HEAVY.body.replace("buyer_name", "client_name", 1)  # a body nothing has compiled yet
    misses = _compiled.cache_info().misses
    problems, variables = check_draft(Draft("heavy", "Heavy", "personal", body), SHARED)
    assert problems == [] and {v.name for v in variables} >= {"client_name", "buyer_name", "due_date"}
    assert _compiled.cache_info().misses == misses
