"""The sandbox for user-authored quick-reply templates (hostile input).

Layers, from the outside in — each one holds even if the ones inside it are bypassed:

1. **Worker process** (:mod:`bot.sandbox.pool`): renders run in a small pool of persistent
   processes. The parent waits on the pipe until the worker has spent ``timeout_s`` (1 s) of CPU
   time on the render and SIGKILLs an overrunning worker, then starts a replacement; the kernel
   caps each worker's address space (``RLIMIT_AS``, +256 MiB) and CPU (``RLIMIT_CPU``). This is the
   budget "outside the template": it holds even against a slow C-level call that no in-template
   counter could see. :meth:`RenderPool.render_async` runs the
   blocking wait in a thread, so the asyncio loop keeps serving. A normal render costs one pipe
   round trip and a cached compiled template (p50 ≈ 0.2 ms, p95 ≈ 0.3 ms on the dev box; see
   ``tests/benchmarks/sandbox_render.py``).
2. **Caps** (:mod:`bot.sandbox.limits`): source 4,000 chars; output 2,000 chars (Discord's message
   limit) — refused with a clear message rather than silently truncated, and enforced while the
   output streams so a runaway loop stops early; every value an expression builds weighs ≤ 10,000
   (characters plus container items, shared references counted each time, so printing or comparing
   it is bounded too); integers ≤ 4,096 bits; all ``{% for %}`` iterations together ≤ 1,000.
   Loops are allowed (lists of items are a real need) but bounded by that shared counter,
   compiled into every loop.
3. **Dialect** (:mod:`bot.sandbox.policy`, :mod:`bot.sandbox.environment`): an
   ``ImmutableSandboxedEnvironment`` with no globals, no loader, a whitelist of bounded filters and
   tests, no calls, no attribute access (only ``loop.index``-style fields; plain dict keys by
   subscription, never ``_`` names), intercepted arithmetic, ``~`` rewritten to a checked join, the
   constant folder off (nothing runs at compile or lint time), StrictUndefined (unknown values are
   errors, never blanks). The allow-list is checked on the syntax tree at every compile.
4. **Output** (:mod:`bot.sandbox.mentions`): ``@everyone``, ``@here``, ``<@id>``, ``<@&id>``,
   ``<#id>`` and ``</cmd:id>`` are broken with a zero-width space; text-direction and control
   characters are removed. The bot also sends ``allowed_mentions=none``.

Authors get :class:`LintProblem` lists (``lint``) and :class:`~bot.errors.TemplateError` with line
numbers.
"""

from bot.sandbox.limits import DEFAULT_LIMITS, MAX_OUTPUT_CHARS, MAX_SOURCE_CHARS, Limits
from bot.sandbox.lint import LintProblem, lint, lint_or_raise
from bot.sandbox.mentions import neutralise_mentions
from bot.sandbox.pool import PoolSettings, RenderPool, default_pool
from bot.sandbox.render import compile_template, render_in_process

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_OUTPUT_CHARS",
    "MAX_SOURCE_CHARS",
    "Limits",
    "LintProblem",
    "PoolSettings",
    "RenderPool",
    "compile_template",
    "default_pool",
    "lint",
    "lint_or_raise",
    "neutralise_mentions",
    "render_in_process",
]
