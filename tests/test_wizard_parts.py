"""Custom ids and modal payload reading of the /dispute wizard."""

from __future__ import annotations

import pytest

from bot.disputes.wizard.custom_ids import ControlId, parse_control_id
from bot.modal_values import modal_values


def test_control_ids_round_trip() -> None:
    for control in (
        ControlId(12, "back"),
        ControlId(12, "answer", "platform=fiverr"),
        ControlId(987654321, "modal", "amounts"),
    ):
        assert parse_control_id(str(control)) == control


def test_foreign_and_broken_ids_are_not_ours() -> None:
    assert parse_control_id("other:1:back") is None
    assert parse_control_id("dd:x:back") is None
    assert parse_control_id("dd:1:Back") is None


def test_too_long_or_unsafe_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="invalid custom id"):
        str(ControlId(1, "answer", "x" * 100))
    with pytest.raises(ValueError, match="invalid custom id"):
        str(ControlId(1, "answer", "a b"))


def test_modal_values_from_labels_and_action_rows() -> None:
    data = {
        "custom_id": "dd:1:modal:p",
        "components": [
            {"type": 18, "id": 1, "component": {"type": 4, "id": 2, "custom_id": "order_value", "value": "1,500"}},
            {"type": 1, "components": [{"type": 4, "custom_id": "buyer_message", "value": "not satisfied"}]},
            {"type": 18, "id": 3, "component": {"type": 3, "custom_id": "goal", "values": ["keep_rating"]}},
            {"type": 10, "id": 4, "content": "a text display"},
        ],
    }
    assert modal_values(data) == {
        "order_value": "1,500",
        "buyer_message": "not satisfied",
        "goal": ["keep_rating"],
    }
    assert modal_values({}) == {}
