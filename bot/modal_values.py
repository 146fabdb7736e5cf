"""Read submitted values out of a raw MODAL_SUBMIT payload, whichever layout Discord used."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any


def _walk(components: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for component in components:
        yield component
        inner = component.get("component")
        if isinstance(inner, Mapping):
            yield from _walk([inner])
        children = component.get("components")
        if isinstance(children, Sequence):
            yield from _walk(children)


def modal_values(data: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """``{custom_id: value}``: text inputs give a string, selects a list of values."""
    values: dict[str, str | list[str]] = {}
    for component in _walk(data.get("components") or []):
        custom_id = component.get("custom_id")
        if not isinstance(custom_id, str):
            continue
        if "value" in component and isinstance(component["value"], str):
            values[custom_id] = component["value"]
        elif "values" in component and isinstance(component["values"], list):
            values[custom_id] = [str(v) for v in component["values"]]
    return values
