"""One user's slow templates cannot starve the renderer (issue 11, item 2).

Counted, not timed: how many renders the pool refuses, which limit refused a user, and that a
template the sandbox had to stop is quarantined until it is edited.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.errors import RendererBusy, TemplateStopped
from bot.ratelimit import RateLimited
from bot.replies import service as reply_service
from bot.replies.service import DraftGone, StillRendering, TemplateQuarantined
from bot.sandbox import Limits, PoolSettings, RenderPool
from bot.services import Services
from bot.storage import Database
from bot.storage.reply_templates import TemplateRecord
from tests.quickreply_fixtures import quick_reply_service

pytestmark = pytest.mark.timeout(60)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
# Only the worker's clock can stop this one: the in-template caps are lifted.
_LOOSE = Limits(loop_iterations=10**12, value_chars=10**12, int_bits=10**12)
_LOOPS = "".join(f"{{% for v{i} in s %}}" for i in range(6))
SILENT_BOMB = "{% set s = 'abcdefghij' * 10 %}" + _LOOPS + "{% if false %}x{% endif %}" + "{% endfor %}" * 6


@pytest.fixture
def slow_pool() -> Iterator[RenderPool]:
    with RenderPool(PoolSettings(workers=1, timeout_s=0.1, limits=_LOOSE, max_waiting=2)) as pool:
        yield pool


async def test_the_render_queue_is_bounded(slow_pool: RenderPool) -> None:
    renders = [slow_pool.render_async(SILENT_BOMB, {}) for _ in range(10)]
    results = await asyncio.gather(*renders, return_exceptions=True)
    busy = [r for r in results if isinstance(r, RendererBusy)]
    stopped = [r for r in results if isinstance(r, TemplateStopped)]
    # One running and two waiting were accepted (and stopped by the clock); seven were refused at once.
    assert (len(stopped), len(busy), slow_pool.refused) == (3, 7, 7)
    assert await slow_pool.render_async("Hi {{ n }}", {"n": "Sam"}) == "Hi Sam"


@pytest.fixture
def service(db: Database, slow_pool: RenderPool) -> Services:
    return quick_reply_service(db, slow_pool.render_async)


async def _fill(service: Services, user_id: int, template_id: int) -> str:
    stored = await service.catalog.templates.get(template_id)
    assert stored is not None
    step = await service.filling.start(user_id, None, stored, tone=None, options={}, now=NOW)
    done = await service.filling.finish(step, user_id, NOW)
    assert done.text is not None
    return done.text


async def test_each_user_has_a_render_budget(service: Services) -> None:
    record = TemplateRecord("hello", "Hello", "personal", "", "Hello there")
    plain = await service.catalog.templates.create("user", 7, record)
    budget = service.renders.limit.burst
    rendered, refused = 0, 0
    for _ in range(budget + 4):
        try:
            await _fill(service, 7, plain.id)
            rendered += 1
        except RateLimited as error:
            assert error.limit is service.renders.limit
            refused += 1
    assert (rendered, refused) == (budget, 4)
    # A refused /reply stores nothing: only the rendered ones left a draft behind.
    drafts = await service.reply_drafts.repo._db.fetch_one("SELECT count(*) FROM reply_drafts WHERE kind = 'fill'")
    assert drafts is not None and drafts[0] == budget
    other = await service.catalog.templates.create("user", 8, TemplateRecord("hello", "Hello", "personal", "", "Hi"))
    assert await _fill(service, 8, other.id) == "Hi"


async def test_a_template_the_sandbox_stops_is_quarantined_until_edited(
    service: Services, slow_pool: RenderPool
) -> None:
    record = TemplateRecord("bomb", "Bomb", "personal", "", SILENT_BOMB)
    bomb = await service.catalog.templates.create("user", 7, record)
    with pytest.raises(TemplateQuarantined, match="paused until you change it"):
        await _fill(service, 7, bomb.id)
    stored = await service.catalog.templates.get(bomb.id)
    assert stored is not None and stored.quarantined is not None and "longer than 0.1 s" in stored.quarantined
    # Refused before rendering: the template never reaches a worker again.
    with pytest.raises(TemplateQuarantined):
        await service.filling.start(7, None, stored, tone=None, options={}, now=NOW)
    # Editing it lifts the quarantine.
    fixed = await service.catalog.templates.update(bomb.id, TemplateRecord("bomb", "Bomb", "personal", "", "Fixed"))
    assert fixed is not None and fixed.quarantined is None
    assert await _fill(service, 7, bomb.id) == "Fixed"


async def _fill_drafts(service: Services) -> int:
    row = await service.reply_drafts.repo._db.fetch_one("SELECT count(*) FROM reply_drafts WHERE kind = 'fill'")
    assert row is not None
    return int(row[0])


async def test_a_burst_of_replies_holds_one_render_and_stores_one_draft(service: Services) -> None:
    plain = await service.catalog.templates.create("user", 7, TemplateRecord("hi", "Hi", "personal", "", "Hi there"))
    starts = [service.filling.start(7, None, plain, tone=None, options={}, now=NOW) for _ in range(6)]
    results = await asyncio.gather(*starts, return_exceptions=True)
    steps = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    # The first holds the user's render slot; the others are refused before anything is stored.
    assert len(steps) == 1 and len(refused) == 5 and all(isinstance(r, StillRendering) for r in refused)
    assert await _fill_drafts(service) == 1
    # Rendering frees the slot; the refused starts did not count against the render budget.
    done = await service.filling.finish(steps[0], 7, NOW)
    assert done.text == "Hi there"
    for _ in range(service.renders.limit.burst - 1):
        assert await _fill(service, 7, plain.id) == "Hi there"


async def test_a_held_slot_is_freed_when_its_render_cannot_run(service: Services) -> None:
    plain = await service.catalog.templates.create("user", 7, TemplateRecord("hi", "Hi", "personal", "", "Hi there"))
    step = await service.filling.start(7, None, plain, tone=None, options={}, now=NOW)
    await service.reply_drafts.repo.delete(step.draft_id)
    with pytest.raises(DraftGone):
        await service.filling.finish(step, 7, NOW)
    assert await _fill(service, 7, plain.id) == "Hi there"


async def test_a_slot_claimed_for_a_render_that_never_ran_lapses(
    service: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = await service.catalog.templates.create("user", 7, TemplateRecord("hi", "Hi", "personal", "", "Hi there"))
    await service.filling.start(7, None, plain, tone=None, options={}, now=NOW)  # its interaction failed: no finish
    with pytest.raises(StillRendering):
        await service.filling.start(7, None, plain, tone=None, options={}, now=NOW)
    monkeypatch.setattr(reply_service, "CLAIM_LAPSES_S", 0.0)
    assert await _fill(service, 7, plain.id) == "Hi there"
