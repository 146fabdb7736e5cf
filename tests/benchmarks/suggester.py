"""How well "Draft a reply…" suggests a reply: top-1 and top-3 accuracy on a labelled set.

The set (``tests/data/buyer_messages.toml``) holds buyer messages written for this project, each
with the built-in replies a seller would answer it with. Suggestions are made among the replies
that fit the message's platform, as the bot does for a seller with that platform in /profile.
Accuracy is a count, not a time, so the default suite asserts it too (tests/test_reply_suggest.py).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.replies import Library, load_library
from bot.replies.suggest import suggest

LABELLED = Path(__file__).resolve().parents[1] / "data" / "buyer_messages.toml"
HELD_OUT = LABELLED.with_name("buyer_messages_heldout.toml")
BLIND = LABELLED.with_name("buyer_messages_blind.toml")
TARGET_TOP3 = 0.90


@dataclass(frozen=True)
class Labelled:
    text: str
    platform: str
    answers: tuple[str, ...]


def load_labelled(path: Path = LABELLED) -> list[Labelled]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return [Labelled(m["text"], m["platform"], tuple(m["answers"])) for m in data["message"]]


def run(library: Library | None = None, labelled: list[Labelled] | None = None) -> dict[str, Any]:
    library = library or load_library()
    labelled = labelled if labelled is not None else load_labelled()
    top1 = top3 = 0
    misses: list[dict[str, Any]] = []
    for item in labelled:
        fitting = [t for t in library if t.fits(item.platform)]
        ranked = [s.id for s in suggest(item.text, fitting, k=3)]
        top1 += bool(ranked) and ranked[0] in item.answers
        hit = any(name in item.answers for name in ranked)
        top3 += hit
        if not hit:
            misses.append({"text": item.text, "platform": item.platform, "wanted": item.answers, "got": ranked})
    count = len(labelled)
    return {
        "messages": count,
        "top1": round(top1 / count, 4),
        "top3": round(top3 / count, 4),
        "target_top3": TARGET_TOP3,
        "misses": misses,
    }
