"""Platform and processor names, tools and support contacts, loaded from `playbooks/platforms.toml`."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.disputes.engine.errors import FlowError

PLATFORMS_PATH = Path(__file__).with_name("playbooks") / "platforms.toml"
PARTIAL_REFUNDS = ("capped", "yes", "no")
_PLATFORM_KEYS = {
    "name",
    "sentence_name",
    "marketplace",
    "extra_tool",
    "support",
    "place",
    "partial_refunds",
    "buyer",
    "order",
    "delivered_via",
    "new_offer",
    "terms",
    "extra_sent",
    "extra_accept",
}


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    sentence_name: str
    marketplace: bool
    extra_tool: str
    support: str
    place: str
    partial_refunds: str
    buyer: str = "buyer"
    order: str = "order"
    delivered_via: str = "through the order page"
    new_offer: str = "a new order"
    terms: str = "the platform's Terms of Service"
    extra_sent: str = "I've sent it as a separate offer"
    extra_accept: str = "I'll start as soon as you accept it"


@dataclass(frozen=True)
class Processor:
    id: str
    name: str
    withdraw_via: str


@dataclass(frozen=True)
class Platforms:
    platforms: Mapping[str, Platform]
    processors: Mapping[str, Processor]

    def platform(self, platform_id: str) -> Platform:
        return self.platforms[platform_id]

    def processor(self, processor_id: str) -> Processor:
        return self.processors[processor_id]


def _text(entry: Mapping[str, Any], key: str, where: str, problems: list[str], default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {key} must be a non-empty text")
        return ""
    return value


def parse_platforms(data: Mapping[str, Any]) -> Platforms:
    problems: list[str] = []
    platforms: dict[str, Platform] = {}
    for platform_id, entry in dict(data.get("platforms", {})).items():
        where = f"platforms.toml: platform {platform_id}"
        unknown = sorted(set(entry) - _PLATFORM_KEYS)
        if unknown:
            problems.append(f"{where}: unknown keys {unknown}")
        name = _text(entry, "name", where, problems)
        marketplace = entry.get("marketplace")
        if not isinstance(marketplace, bool):
            problems.append(f"{where}: marketplace must be true or false")
        refunds = entry.get("partial_refunds", "no")
        if refunds not in PARTIAL_REFUNDS:
            problems.append(f"{where}: partial_refunds must be one of {', '.join(PARTIAL_REFUNDS)}")
        platforms[platform_id] = Platform(
            platform_id,
            name,
            _text(entry, "sentence_name", where, problems, default=name or "?"),
            bool(marketplace),
            _text(entry, "extra_tool", where, problems),
            _text(entry, "support", where, problems),
            _text(entry, "place", where, problems),
            str(refunds),
            _text(entry, "buyer", where, problems, default="buyer"),
            _text(entry, "order", where, problems, default="order"),
            _text(entry, "delivered_via", where, problems, default="through " + str(entry.get("place", "?"))),
            _text(entry, "new_offer", where, problems, default=str(entry.get("extra_tool", "?"))),
            _text(entry, "terms", where, problems, default="the platform's Terms of Service"),
            _text(entry, "extra_sent", where, problems, default="I've sent it as a separate offer"),
            _text(entry, "extra_accept", where, problems, default="I'll start as soon as you accept it"),
        )
    processors: dict[str, Processor] = {}
    for processor_id, entry in dict(data.get("processors", {})).items():
        where = f"platforms.toml: processor {processor_id}"
        processors[processor_id] = Processor(
            processor_id, _text(entry, "name", where, problems), _text(entry, "withdraw_via", where, problems)
        )
    unknown_tables = sorted(set(data) - {"platforms", "processors"})
    if unknown_tables:
        problems.append(f"platforms.toml: unknown tables {unknown_tables}")
    if problems:
        raise FlowError(problems)
    return Platforms(MappingProxyType(platforms), MappingProxyType(processors))


@cache
def load_platforms(path: Path = PLATFORMS_PATH) -> Platforms:
    """Load and validate the platforms file once (cached)."""
    with path.open("rb") as handle:
        return parse_platforms(tomllib.load(handle))
