"""Drive the /dispute wizard like a seller: read the message, click or fill what it asks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.disputes.engine.flow import load_flow
from bot.disputes.wizard.custom_ids import ControlId, parse_control_id
from tests.fakediscord import PATIENCE_S, FakeDiscord, FakeMessage, FakeUser, SimulatedInteraction
from tests.s1 import typed


def controls(message: FakeMessage) -> list[ControlId]:
    return [c for c in (parse_control_id(cid) for cid in message.custom_ids()) if c is not None]


def control(message: FakeMessage, action: str, argument: str | None = None) -> ControlId | None:
    for item in controls(message):
        if item.action == action and (argument is None or item.argument == argument):
            return item
    return None


def answer_for(answers: Mapping[str, Any], question_id: str) -> Any:
    """The seller's answer, or the question's default for an optional choice the answers leave out."""
    if question_id in answers:
        return answers[question_id]
    question = load_flow().question(question_id)
    if question is None or question.default is None:
        raise KeyError(question_id)
    return question.default


def is_outcome(message: FakeMessage) -> bool:
    return control(message, "draft") is not None


async def answer_step(
    fake: FakeDiscord, message: FakeMessage, user: FakeUser, answers: Mapping[str, Any], timeout: float = PATIENCE_S
) -> list[SimulatedInteraction]:
    """Answer the screen the message shows; return the interactions made (all acknowledged)."""
    made: list[SimulatedInteraction] = []
    edits_before = message.edits
    answer_buttons = [c for c in controls(message) if c.action == "answer"]
    if answer_buttons:
        question_id = answer_buttons[0].argument.split("=", 1)[0]
        wanted = f"{question_id}={typed(answer_for(answers, question_id))}"
        target = str(ControlId(answer_buttons[0].session_id, "answer", wanted))
        made.append(await fake.click(message, target, user=user))
    elif (pick := control(message, "pick")) is not None:
        value = answer_for(answers, pick.argument)
        values = value if isinstance(value, list) else [typed(value)]
        made.append(await fake.select(message, str(pick), values, user=user))
    elif (form := control(message, "open")) is not None:
        opened = await fake.click(message, str(form), user=user)
        made.append(opened)
        modal = await opened.wait_modal(timeout=timeout)
        fields = [row["component"]["custom_id"] for row in modal["components"] if "component" in row]
        values = {field: typed(answers[field]) if field in answers else "" for field in fields}
        made.append(await fake.submit_modal(opened, values))
    else:
        raise AssertionError(f"the wizard message offers nothing to answer: {message.custom_ids()}")
    for interaction in made:
        answer = await interaction.response(timeout=timeout)
    if answer.type == 6:  # acknowledged first (a busy bot): the message is edited right after
        # Wait on this interaction's own changes: the fake's global wake-up would wake every seller.
        await made[-1].changed.wait_for(
            lambda: fake.messages[message.id].edits > edits_before, timeout, "the deferred edit"
        )
    return made


async def walk_to_outcome(
    fake: FakeDiscord, message_id: int, user: FakeUser, answers: Mapping[str, Any], max_steps: int = 15
) -> FakeMessage:
    for _ in range(max_steps):
        message = fake.messages[message_id]
        if is_outcome(message):
            return message
        await answer_step(fake, message, user, answers)
    raise AssertionError("the wizard did not reach an outcome")
