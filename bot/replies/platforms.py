"""Where a seller sells: display names, kinds and each platform's own words (``_platforms.toml``).

A built-in reply lists the platforms it fits; its text reads the platform's words by name, so one
body says "a custom extra on this order" on Fiverr and "a new milestone on this contract" on Upwork.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from bot.errors import DisputeDeskError

PLATFORMS_FILE = Path(__file__).resolve().parents[2] / "templates" / "replies" / "_platforms.toml"
KINDS = ("marketplace", "direct")
#: Names a template may list instead of platform keys: every platform of that kind.
GROUPS = KINDS

# What sellers type for a platform, beside its key and display name.
_SPELLINGS = {
    "freelancer.com": "freelancer",
    "pph": "peopleperhour",
    "people per hour": "peopleperhour",
    "direct client": "direct",
    "own client": "direct",
    "client": "direct",
    "invoice": "direct",
    "another marketplace": "other",
}


class PlatformError(DisputeDeskError):
    """The platforms file is malformed, or a platform name is not known."""


@dataclass(frozen=True)
class Platform:
    key: str
    name: str
    kind: str
    words: Mapping[str, str]

    @property
    def is_marketplace(self) -> bool:
        return self.kind == "marketplace"


@dataclass(frozen=True)
class Platforms:
    by_key: Mapping[str, Platform]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.by_key)

    @property
    def word_names(self) -> tuple[str, ...]:
        first = next(iter(self.by_key.values()))
        return tuple(first.words)

    def __getitem__(self, key: str) -> Platform:
        return self.by_key[key]

    def expand(self, listed: Iterable[str]) -> tuple[str, ...]:
        """Platform keys for a template's ``platforms`` list ("marketplace" means every marketplace)."""
        keys: list[str] = []
        for item in listed:
            if item in GROUPS:
                keys += [p.key for p in self.by_key.values() if p.kind == item]
            elif item in self.by_key:
                keys.append(item)
            else:
                known = ", ".join((*GROUPS, *self.by_key))
                raise PlatformError(f"unknown platform {item!r}; use {known}")
        return tuple(dict.fromkeys(keys))

    def find(self, text: str) -> str | None:
        """The key for what a seller typed ("Fiverr", "upwork", "Freelancer.com", "direct client")."""
        wanted = " ".join(text.strip().lower().split())
        if wanted in self.by_key:
            return wanted
        for platform in self.by_key.values():
            if wanted == platform.name.lower():
                return platform.key
        return _SPELLINGS.get(wanted)

    def names(self, keys: Iterable[str]) -> str:
        """ "Fiverr, Upwork or direct clients", for messages."""
        shown = [self.label(key) for key in keys]
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]

    def label(self, key: str) -> str:
        """How a platform is named in the bot's own messages (not in reply texts)."""
        return {"direct": "direct clients", "other": "another marketplace"}.get(key, self.by_key[key].name)


def parse_platforms(data: Mapping[str, object]) -> Platforms:
    platforms: dict[str, Platform] = {}
    word_names: tuple[str, ...] | None = None
    for key, raw in data.items():
        if not isinstance(raw, dict):
            raise PlatformError(f"{PLATFORMS_FILE.name}: [{key}] must be a table")
        name, kind, words = raw.get("name"), raw.get("kind"), raw.get("words")
        if not isinstance(name, str) or not name or kind not in KINDS or not isinstance(words, dict):
            raise PlatformError(f"{PLATFORMS_FILE.name}: [{key}] needs a name, a kind ({', '.join(KINDS)}) and words")
        if word_names is None:
            word_names = tuple(words)
        if set(words) != set(word_names):
            raise PlatformError(
                f"{PLATFORMS_FILE.name}: [{key}.words] must define exactly {', '.join(sorted(word_names))}"
            )
        platforms[key] = Platform(key, name, str(kind), MappingProxyType({k: str(v) for k, v in words.items()}))
    if not platforms:
        raise PlatformError(f"{PLATFORMS_FILE.name}: no platform defined")
    return Platforms(MappingProxyType(platforms))


@cache
def load_platforms(path: Path = PLATFORMS_FILE) -> Platforms:
    with path.open("rb") as handle:
        try:
            return parse_platforms(tomllib.load(handle))
        except tomllib.TOMLDecodeError as error:
            raise PlatformError(f"{path.name}: {error}") from None
