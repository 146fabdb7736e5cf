"""The /dispute wizard's use cases on real SQLite and the real flow, without Discord."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.discord_limits import MODAL_FIELDS
from bot.disputes.engine.flow import load_flow
from bot.disputes.engine.planner import plan_outcome
from bot.disputes.engine.session import session_from_answers
from bot.disputes.wizard.service import NotYourSession, SessionGone, WizardService, WizardState
from bot.disputes.wizard.steps import SELF_ANSWERED, current_screen
from bot.storage import Database
from tests.s1 import S1_NOW, s1_answers, typed


@pytest.fixture
def service(db: Database) -> WizardService:
    return WizardService(db, load_flow())


async def walk_s1(service: WizardService, state: WizardState) -> tuple[WizardState, list[str]]:
    """Answer each screen from S1; return the final state and the screens' progress texts."""
    answers = s1_answers()
    progress = []
    while (screen := service.screen(state)) is not None:
        progress.append(f"{screen.progress}: {','.join(q.id for q in screen.questions)}")
        values = {q.id: typed(answers[q.id]) if q.id in answers else "" for q in screen.questions}
        state = await service.answer(state, values, S1_NOW)
        assert state.error is None, state.error
    return state, progress


async def test_s1_walk_ends_with_the_same_outcome_as_draft(service: WizardService) -> None:
    state = await service.start(1, {}, S1_NOW)
    state, progress = await walk_s1(service, state)
    assert len(progress) <= 10
    # Until the dispute type is known the path's length is not, so no total is promised.
    assert progress[0].startswith("Step 1: ") and progress[1].startswith("Step 2: ")
    numbers = [int(p.split()[1].rstrip(":")) for p in progress]
    assert numbers == list(range(1, len(progress) + 1))
    totals = {p.split()[3].rstrip(":") for p in progress[2:]}
    assert totals == {str(len(progress))}
    assert state.stored.status == "finished"
    flow = load_flow()
    expected = plan_outcome(flow, session_from_answers(flow, s1_answers(), now=S1_NOW), now=S1_NOW)
    assert service.outcome(state, S1_NOW) == expected


async def test_forms_hold_at_most_five_typed_fields_of_one_page(service: WizardService) -> None:
    state = await service.start(1, {"platform": "fiverr", "dispute_type": "cancellation_after_delivery"}, S1_NOW)
    answers = s1_answers()
    while (screen := service.screen(state)) is not None:
        if screen.kind == "form":
            assert len(screen.questions) <= MODAL_FIELDS
            assert len({q.page for q in screen.questions}) == 1
        state = await service.answer(state, {q.id: typed(answers.get(q.id, "")) for q in screen.questions}, S1_NOW)


async def test_bad_input_keeps_what_was_typed_and_stays_on_the_step(service: WizardService) -> None:
    state = await service.start(1, {"platform": "fiverr", "dispute_type": "cancellation_after_delivery"}, S1_NOW)
    answers = s1_answers()
    while (screen := service.screen(state)) is not None and screen.kind != "form":
        state = await service.answer(state, {screen.first.id: typed(answers.get(screen.first.id, ""))}, S1_NOW)
    assert screen is not None
    bad = {q.id: "not a date at all" for q in screen.questions}
    after = await service.answer(state, bad, S1_NOW)
    assert after.error and screen.first.id in after.error
    assert after.typed == bad
    assert service.screen(after) == screen
    reloaded = await service.load(after.id, 1)
    assert reloaded.typed == bad and reloaded.error == after.error


async def test_back_edit_restart_cancel(service: WizardService) -> None:
    state = await service.start(1, {}, S1_NOW)
    state = await service.answer(state, {"platform": "upwork"}, S1_NOW)
    state = await service.back(state, S1_NOW)
    screen = service.screen(state)
    assert screen is not None and screen.first.id == "platform"
    assert state.session.previous["platform"] == "upwork"
    first_back = await service.back(await service.restart(state, S1_NOW), S1_NOW)
    assert first_back.error == "This is the first question already."
    state, _ = await walk_s1(service, first_back)
    edited = await service.edit(state, "goal", S1_NOW)
    screen = service.screen(edited)
    assert screen is not None and screen.first.id == "goal"
    assert edited.session.answers["platform"] == "fiverr"
    cancelled = await service.cancel(edited, S1_NOW)
    with pytest.raises(SessionGone):
        await service.load(cancelled.id, 1)


async def test_only_the_owner_can_load_a_session(service: WizardService) -> None:
    state = await service.start(1, {}, S1_NOW)
    with pytest.raises(NotYourSession):
        await service.load(state.id, 2)
    with pytest.raises(SessionGone):
        await service.load(999_999, 1)


async def test_prefill_from_command_options_and_invalid_prefill(service: WizardService) -> None:
    state = await service.start(1, {"platform": "fiverr", "dispute_type": "no_such_type"}, S1_NOW)
    assert state.session.answers == {"platform": "fiverr"}
    assert state.error and "dispute_type" in state.error


async def test_tone_switch_changes_wording_not_facts(service: WizardService) -> None:
    state, _ = await walk_s1(service, await service.start(1, {}, S1_NOW))
    firm = await service.set_tone(state, "firm", S1_NOW)
    drafts = {d.id: d for d in service.outcome(firm, S1_NOW).drafts}
    assert all(d.tone == "firm" for d in drafts.values())


async def test_purge_drops_only_stale_unfinished(service: WizardService) -> None:
    stale = await service.start(1, {}, S1_NOW - timedelta(days=8))
    finished, _ = await walk_s1(service, await service.start(1, {}, S1_NOW - timedelta(days=9)))
    assert await service.purge(timedelta(days=7), S1_NOW) >= 1
    with pytest.raises(SessionGone):
        await service.load(stale.id, 1)
    assert (await service.load(finished.id, 1)).stored.status == "finished"


def test_current_screen_is_none_when_complete() -> None:
    flow = load_flow()
    session = session_from_answers(flow, s1_answers(), now=S1_NOW)
    assert current_screen(flow, session) is None


def test_every_path_of_the_flow_takes_at_most_ten_wizard_steps() -> None:
    """Generated from the flow: a 'step' is one choice or one form of up to five fields of a page."""
    from bot.disputes.engine.paths import explore
    from bot.disputes.engine.session import applicable_questions
    from bot.disputes.wizard.steps import _screens

    flow = load_flow()
    longest = 0
    paths = 0
    for answers in explore(flow, now=S1_NOW):
        paths += 1
        asked = [q for q in applicable_questions(flow, answers) if q.id not in SELF_ANSWERED]
        screens = _screens(asked)
        assert all(len(screen) <= MODAL_FIELDS for screen in screens)
        longest = max(longest, len(screens))
    assert paths > 1000
    assert longest <= 10, longest


async def test_tone_is_not_a_step_and_back_skips_it(service: WizardService) -> None:
    state, progress = await walk_s1(service, await service.start(1, {}, S1_NOW))
    assert not any("tone" in step for step in progress)
    assert state.session.answers["tone"] == "neutral"
    back = await service.back(state, S1_NOW)
    screen = service.screen(back)
    assert screen is not None and screen.first.id == "goal"
    firm_seller = await service.start(2, {"tone": "firm"}, S1_NOW)
    firm_state, _ = await walk_s1(service, firm_seller)
    assert firm_state.session.answers["tone"] == "firm"


async def test_the_profile_name_and_sign_off_sign_the_drafts_without_a_step(service: WizardService) -> None:
    plain, plain_progress = await walk_s1(service, await service.start(1, {}, S1_NOW))
    prefill = {"signature_name": "Maya", "signature_sign_off": "Cheers"}  # what /dispute start takes from /profile
    signed, signed_progress = await walk_s1(service, await service.start(2, prefill, S1_NOW))
    assert len(signed_progress) == len(plain_progress)
    drafts = {d.id: d.text for d in service.outcome(signed, S1_NOW).drafts}
    assert drafts["decline_with_path_forward"].endswith("Cheers,\nMaya")
    assert not any(d.text.endswith("Maya") for d in service.outcome(plain, S1_NOW).drafts)
