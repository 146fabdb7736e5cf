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


def _freeze(raw: Mapping[str, Any] | None, where: str, problems: list[str]) -> Mapping[str, tuple[Scalar, ...]]:
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
    # Lookup sets built once: holds() runs for every question on every click of the wizard.
    _when_sets: tuple[tuple[str, _ValueSets], ...] = field(init=False, repr=False, compare=False)
    _unless_sets: tuple[tuple[str, _ValueSets], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_when_sets", tuple((k, _ValueSets.of(v)) for k, v in self.when.items()))
        object.__setattr__(self, "_unless_sets", tuple((k, _ValueSets.of(v)) for k, v in self.unless.items()))

    @classmethod
    def from_data(cls, data: Mapping[str, Any], where: str, problems: list[str]) -> Condition:
        return cls(_freeze(data.get("when"), where, problems), _freeze(data.get("unless"), where, problems))

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.when) | frozenset(self.unless)

    def holds(self, facts: Mapping[str, Any]) -> bool:
        for key, sets in self._when_sets:
            if not sets.match(facts.get(key)):
                return False
        return not any(sets.match(facts.get(key)) for key, sets in self._unless_sets)

    def to_json(self) -> dict[str, dict[str, list[Scalar]]]:
        return {
            name: {key: list(values) for key, values in part.items()}
            for name, part in (("when", self.when), ("unless", self.unless))
            if part
        }


@dataclass(frozen=True)
class _ValueSets:
    """Booleans apart from numbers, so that True never matches 1."""

    flags: frozenset[bool]
    others: frozenset[Scalar]

    @classmethod
    def of(cls, values: tuple[Scalar, ...]) -> _ValueSets:
        return cls(
            frozenset(v for v in values if isinstance(v, bool)),
            frozenset(v for v in values if not isinstance(v, bool)),
        )

    def match(self, answer: Any) -> bool:
        if answer is None:
            return False
        if isinstance(answer, bool):
            return answer in self.flags
        if isinstance(answer, list | tuple):
            return any(self.match(item) for item in answer)
        try:
            return answer in self.others
        except TypeError:  # an unhashable answer never matches
            return False
