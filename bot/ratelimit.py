"""Per-user rate limits for paths that cost work or storage: a token bucket per user.

The clock is the ``now`` every service already receives (``bot.now()``), so tests that freeze
the clock see a bucket that never refills and can count exactly how many requests were refused.

Limits on what a user makes the bot store (cases, "Draft a reply…") are counted in the database
(:meth:`Cooldown.hit_shared`), so they hold across bot processes; limits that protect a process's
own CPU (checks, renders, autocomplete) stay in its memory, like the sandbox pool they protect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from bot.errors import DisputeDeskError
from bot.storage.cooldowns import CooldownRepository


class RateLimited(DisputeDeskError):
    """A user went over a limit; ``limit`` names it and ``retry_after`` says when to try again."""

    def __init__(self, limit: Cooldown, retry_after: float) -> None:
        self.limit = limit
        self.retry_after = retry_after
        super().__init__(
            f"Slow down a little: you can {limit.what} {limit.burst} times in a row, then about once every "
            f"{limit.every_s:g} s. Try again in {math.ceil(retry_after)} s."
        )


@dataclass
class Cooldown:
    """``burst`` actions at once per user, then one more every ``every_s`` seconds."""

    name: str
    #: What is limited, as the end of "you can …", e.g. "check a template".
    what: str
    burst: int
    every_s: float
    #: user id -> (tokens left, when they were counted)
    _buckets: dict[int, tuple[float, datetime]] = field(default_factory=dict, repr=False)

    def retry_after(self, user_id: int, now: datetime) -> float:
        """0 when ``user_id`` may act now (and the action is counted), else seconds to wait."""
        tokens, then = self._buckets.get(user_id, (float(self.burst), now))
        elapsed = max((now - then).total_seconds(), 0.0)
        tokens = min(float(self.burst), tokens + elapsed / self.every_s)
        if tokens < 1.0:
            self._buckets[user_id] = (tokens, now)
            return (1.0 - tokens) * self.every_s
        self._buckets[user_id] = (tokens - 1.0, now)
        if len(self._buckets) > _PRUNE_ABOVE:
            self._prune(now)
        return 0.0

    def check(self, user_id: int, now: datetime) -> None:
        """Raise RateLimited if ``user_id`` could not act now, without counting an action."""
        tokens, then = self._buckets.get(user_id, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max((now - then).total_seconds(), 0.0) / self.every_s)
        if tokens < 1.0:
            raise RateLimited(self, (1.0 - tokens) * self.every_s)

    def hit(self, user_id: int, now: datetime) -> None:
        """Count one action of ``user_id`` or raise RateLimited."""
        wait = self.retry_after(user_id, now)
        if wait > 0:
            raise RateLimited(self, wait)

    async def hit_shared(self, store: CooldownRepository | None, user_id: int, now: datetime) -> None:
        """:meth:`hit`, counted in the database when ``store`` is given: the limit then holds for a
        user whose clicks reach different bot processes (several shards on one PostgreSQL)."""
        if store is None:
            self.hit(user_id, now)
            return
        wait = await store.take(self.name, user_id, burst=self.burst, every_s=self.every_s, now=now)
        if wait > 0:
            raise RateLimited(self, wait)

    def allows(self, user_id: int, now: datetime) -> bool:
        """Count one action; False when over the limit (for paths that answer quietly, e.g. autocomplete)."""
        return self.retry_after(user_id, now) == 0

    def _prune(self, now: datetime) -> None:
        """Forget users whose bucket has refilled: they are back to a full burst anyway."""
        full_after = self.burst * self.every_s
        self._buckets = {
            user: (tokens, then)
            for user, (tokens, then) in self._buckets.items()
            if (now - then).total_seconds() < full_after
        }


_PRUNE_ABOVE = 10_000


def authoring_cooldown() -> Cooldown:
    """Checking a personal template (lint and a sandboxed preview) is the costliest form submit."""
    return Cooldown("authoring", "check a template", burst=5, every_s=12.0)


def draft_a_reply_cooldown() -> Cooldown:
    """"Draft a reply…" stores the buyer's words (up to 1,000 characters) each time."""
    return Cooldown("draft_a_reply", "use “Draft a reply…”", burst=5, every_s=12.0)


def case_from_message_cooldown() -> Cooldown:
    """Cases opened from a buyer's message: the same three a minute as /dispute start."""
    return Cooldown("case_from_message", "open a case", burst=3, every_s=20.0)


def case_start_cooldown() -> Cooldown:
    """New cases with /dispute start: three a minute per user (each is a stored case)."""
    return Cooldown("case_start", "start a case", burst=3, every_s=20.0)


def autocomplete_cooldown() -> Cooldown:
    """Template search while typing: generous for a person, a ceiling for a script."""
    return Cooldown("autocomplete", "search templates", burst=20, every_s=0.25)


def render_cooldown() -> Cooldown:
    """Renders of quick replies and previews per user: each may hold a sandbox worker up to 1 s."""
    return Cooldown("render", "fill in or preview a reply", burst=10, every_s=6.0)
