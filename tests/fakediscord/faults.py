"""Fault injection for the fake's REST API: :class:`Fault`, :meth:`FakeDiscord.fail_next`, rate-limit headers.

:class:`FaultsMixin` is one part of :class:`~tests.fakediscord.server.FakeDiscord`: it arms faults,
answers matching requests with them (429s carry the headers discord.py needs to retry), and adds the
``X-RateLimit-*`` headers every REST answer carries.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._model import JSON, Waitable


@dataclass
class Fault:
    """A REST fault armed with :meth:`FakeDiscord.fail_next`."""

    method: str
    pattern: re.Pattern[str]
    status: int
    retry_after: float
    remaining: int
    body: JSON | None
    is_global: bool
    hits: int = 0


class FaultsMixin:
    """REST fault injection and rate-limit headers (part of :class:`FakeDiscord`)."""

    if TYPE_CHECKING:  # provided by FakeDiscord and its other parts
        _faults: list[Fault]
        _bucket_cache: dict[str, str]
        _changed: Waitable

        @staticmethod
        def _json_response(status: int, data: Any, headers: dict[str, str]) -> web.Response: ...

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        *,
        status: int = 500,
        retry_after: float = 0.1,
        count: int = 1,
        json: JSON | None = None,
        is_global: bool = False,
    ) -> Fault:
        """Answer the next ``count`` matching requests with ``status`` instead of handling them.

        ``path_pattern`` is a regex searched in the path after ``/api/v10``. A 429 carries
        ``retry_after``, ``Retry-After`` and a ``Via`` header, so discord.py retries it.
        """
        fault = Fault(method.upper(), re.compile(path_pattern), status, retry_after, count, json, is_global)
        self._faults.append(fault)
        return fault

    def _ratelimit_headers(self, route: str | None) -> dict[str, str]:
        key = route or "unknown"
        bucket = self._bucket_cache.get(key)
        if bucket is None:
            bucket = hashlib.blake2s(key.encode(), digest_size=8).hexdigest()
            self._bucket_cache[key] = bucket
        now = time.time()
        return {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "49",
            "X-RateLimit-Reset": f"{now + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": bucket,
        }

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method == method and fault.pattern.search(path):
                fault.remaining -= 1
                fault.hits += 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _fault_response(self, fault: Fault, headers: dict[str, str]) -> web.Response:
        if fault.status == 429:
            headers.update(
                {
                    "Via": "1.1 google",
                    "Retry-After": str(max(1, round(fault.retry_after))),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                    "X-RateLimit-Scope": "global" if fault.is_global else "user",
                }
            )
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
                "code": 0,
            }
        else:
            body = fault.body or {"message": f"{fault.status}: Injected fault", "code": 0}
        self._changed.notify()
        return self._json_response(fault.status, body, headers)
