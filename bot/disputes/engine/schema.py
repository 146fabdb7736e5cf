"""The questionnaire as JSON, for scripts and other front ends (`python -m bot draft --schema`)."""

from __future__ import annotations

from typing import Any

from bot.disputes.engine.answers import allowed_text
from bot.disputes.engine.flow import Flow, Question
from bot.disputes.engine.outcome import AUDIENCES
from bot.tones import TONES


def _allowed(question: Question) -> str:
    """Every value the question can take on some path (``options`` says on which)."""
    if question.options and question.kind in {"choice", "multi_choice"}:
        values = ", ".join(option.value for option in question.options)
        return ("one of " if question.kind == "choice" else "any of ") + values
    return allowed_text(question)


def flow_schema(flow: Flow) -> dict[str, Any]:
    """Ids, kinds, prompts, options, conditions, bounds and defaults of every question."""
    questions = []
    for question in flow.questions:
        entry: dict[str, Any] = {
            "id": question.id,
            "kind": question.kind,
            "page": question.page,
            "prompt": question.prompt,
            "help": question.help,
            "required": question.required,
            "allowed": _allowed(question),
        }
        if question.prompt_by_type:
            entry["prompt_by_type"] = dict(question.prompt_by_type)
        if question.options:
            entry["options"] = [
                {"value": o.value, "label": o.label, "description": o.description, **o.condition.to_json()}
                for o in question.options
            ]
        entry.update(question.condition.to_json())
        for key, value in (
            ("min", question.minimum),
            ("max", question.maximum),
            ("max_length", question.max_length),
            ("default", question.default),
        ):
            if value is not None:
                entry[key] = int(value) if isinstance(value, float) and value.is_integer() else value
        if question.placeholder:
            entry["placeholder"] = question.placeholder
        if question.format:
            entry["format"] = question.format
        questions.append(entry)
    return {
        "version": flow.version,
        "tones": list(TONES),
        "audiences": list(AUDIENCES),
        "questions": questions,
    }
