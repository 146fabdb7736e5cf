"""Community outcomes: how cases started in a server ended, by dispute type and platform.

Only groups of at least :data:`MIN_GROUP` ended cases are shown, so no one can be identified from
a count; the cases of smaller groups are only counted together. No amounts are shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MIN_GROUP = 5


@dataclass(frozen=True)
class OutcomeGroup:
    dispute_type: str
    platform: str
    results: tuple[tuple[str, int], ...]  # (result, cases), in the order results are offered

    @property
    def total(self) -> int:
        return sum(count for _, count in self.results)

    def share(self, count: int) -> float:
        return count / self.total if self.total else 0.0


@dataclass(frozen=True)
class ServerOutcomes:
    groups: tuple[OutcomeGroup, ...]
    hidden_cases: int  # ended cases in groups smaller than MIN_GROUP

    @property
    def empty(self) -> bool:
        return not self.groups


def group_outcomes(
    rows: Iterable[tuple[str, str, str, int]], result_order: Iterable[str], label: Callable[[str, str], str]
) -> ServerOutcomes:
    """Group (type, platform, result, cases) rows; hide every group under MIN_GROUP cases."""
    order = {result: index for index, result in enumerate(result_order)}
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for dispute_type, platform, result, cases in rows:
        counts[(dispute_type, platform)][result] = counts[(dispute_type, platform)].get(result, 0) + cases
    shown: list[OutcomeGroup] = []
    hidden = 0
    for (dispute_type, platform), by_result in counts.items():
        total = sum(by_result.values())
        if total < MIN_GROUP:
            hidden += total
            continue
        results = tuple(sorted(by_result.items(), key=lambda item: order.get(item[0], len(order))))
        shown.append(OutcomeGroup(label("dispute_type", dispute_type), label("platform", platform), results))
    shown.sort(key=lambda group: (-group.total, group.dispute_type, group.platform))
    return ServerOutcomes(tuple(shown), hidden)


def community_line(
    outcomes: ServerOutcomes, dispute_type: str, platform: str, result_label: Callable[[str], str]
) -> str | None:
    """One line for an outcome: how the most common result went for cases like it in the server.

    None when the group is hidden (under MIN_GROUP cases) or unknown. ``dispute_type`` and
    ``platform`` are the labels the groups carry.
    """
    for group in outcomes.groups:
        if (group.dispute_type, group.platform) == (dispute_type, platform):
            result, count = max(group.results, key=lambda item: item[1])
            return (
                f"In this server, {count} of {group.total} {platform} cases of this type ended: "
                f"{result_label(result)}."
            )
    return None
