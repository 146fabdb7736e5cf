"""`when` / `unless` conditions shared by the flow and the playbook.

A condition maps an answer id (or a derived flag) to the list of values that satisfy it.
``when`` holds when every key matches; ``unless`` holds when any key matches. A missing answer
never matches. A multi-choice answer matches when it contains one of the values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

Scalar = str | bool | int | float


def _freeze(
    raw: Mapping[str, Any] | None, where: str, problems: list[str]
) -> Mapping[str, tuple[Scalar, ...]]:
    frozen: dict[str, tuple[Scalar, ...]] = {}
    for key, values in (raw or {}).items():
        listed = values if isinstance(values, list) else [values]
        if not listed or not all(isinstance(value, str | bool | int | float) for value in listed):
            problems.append(f"{where}: condition on {key!r} needs a non-empty list of values")
            continue
        frozen[key] = tuple(listed)
    return MappingProxyType(frozen)


@dataclass(frozen=True)
class Condition:
    """All of ``when`` and none of ``unless``."""

    when: Mapping[str, tuple[Scalar, ...]] = field(default_factory=lambda: MappingProxyType({}))
    unless: Mapping[str, tuple[Scalar, ...]] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_data(cls, data: Mapping[str, Any], where: str, problems: list[str]) -> Condition:
        return cls(_freeze(data.get("when"), where, problems), _freeze(data.get("unless"), where, problems))

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.when) | frozenset(self.unless)

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return all(_matches(facts.get(key), values) for key, values in self.when.items()) and not any(
            _matches(facts.get(key), values) for key, values in self.unless.items()
        )

    def to_json(self) -> dict[str, dict[str, list[Scalar]]]:
        return {
            name: {key: list(values) for key, values in part.items()}
            for name, part in (("when", self.when), ("unless", self.unless))
            if part
        }


def _matches(answer: Any, values: tuple[Scalar, ...]) -> bool:
    if answer is None:
        return False
    if isinstance(answer, list | tuple):
        return any(_matches(item, values) for item in answer)
    for value in values:
        if isinstance(value, bool) or isinstance(answer, bool):
            if isinstance(value, bool) and isinstance(answer, bool) and value == answer:
                return True
        elif answer == value:
            return True
    return False
