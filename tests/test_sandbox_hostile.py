"""The hostile corpus: every template is refused at save time or renders safely within the caps."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import threading
from collections.abc import Iterator

import pytest

from bot.errors import RendererStarved, TemplateError, TemplateLimitError
from bot.sandbox import Limits, PoolSettings, RenderPool, lint, render_in_process
from tests.data.hostile_templates import HOSTILE, Hostile

_UNBROKEN_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#|/)", re.IGNORECASE)
_LEAKS = ("<class", "<function", "<module", "<built-in", "<bound", "<jinja2", "TemplateReference", "<Context")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# The worker being killed (time, memory, CPU) or an unforeseen exception is the last line of
# defence: under the default caps no corpus template may get that far.
_LAST_RESORT = re.compile(r"was stopped|could not be rendered|renderer is busy")
# A loose profile: only the worker process stands between these templates and the machine.
_LOOSE = Limits(loop_iterations=10**12, value_chars=10**12, int_bits=10**12)


@pytest.fixture(scope="module")
def pool() -> Iterator[RenderPool]:
    with RenderPool(PoolSettings(workers=2)) as started:
        yield started


def _assert_safe_text(text: str) -> None:
    assert len(text) <= 2_000
    assert not _UNBROKEN_MENTION.search(text), text
    assert not any(leak in text for leak in _LEAKS), text
    assert not _CONTROL.search(text), repr(text)


def test_corpus_is_large_and_unique() -> None:
    assert len(HOSTILE) >= 40
    assert len({h.id for h in HOSTILE}) == len(HOSTILE)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("case", HOSTILE, ids=lambda h: h.id)
def test_hostile_template_is_refused_or_safe(case: Hostile, pool: RenderPool) -> None:
    problems = lint(case.source)
    # Refused at save time or not, rendering must never crash, hang or leak: defence in depth.
    try:
        text = pool.render(case.source, case.values)
    except TemplateError as error:
        # A rule of the dialect or a cap refused it, not the worker's kill switch.
        assert not _LAST_RESORT.search(str(error)), str(error)
    else:
        _assert_safe_text(text)
    assert all(p.line >= 1 and p.message for p in problems)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("case", HOSTILE, ids=lambda h: h.id)
def test_hostile_template_in_process_never_escapes(case: Hostile) -> None:
    # The dialect and caps alone (no worker) stop every case, each with a named rule.
    try:
        text = render_in_process(case.source, case.values)
    except TemplateError as error:
        assert not _LAST_RESORT.search(str(error)), str(error)
    else:
        _assert_safe_text(text)


_MUST_FAIL_LINT = [
    h.id
    for h in HOSTILE
    if h.id
    not in {
        # These only do something at render time; lint cannot know the values.
        "dynamic-dunder-key",
        "raw-is-only-text",
        "nested-loops-silent",
        "nested-loops-literal",
        "str-times-1e8",
        "list-times-1e9",
        "pow-tower",
        "pow-left-assoc",
        "pow-nine",
        "int-huge",
        "float-overflow",
        "concat-doubling",
        "nested-list-fanout",
        "nested-literal-fanout",
        "deep-compare",
        "tuple-fanout",
        "plus-doubling",
        "replace-chain",
        "concat-times",
        "join-huge-separator",
        "wordwrap-width-one",
        "everyone-assembled",
        "mention-from-value",
        "huge-loop-output",
        "percent-format",
        "percent-width-bomb",
        "fullwidth-at",
        "replace-negative-count",
        "replace-emoji-reverse",
        "int-from-long-text",
        "printed-number-fanout",
        "complex-root",
        "print-loop-object",
        "direction-marks",
    }
]


@pytest.mark.parametrize("case_id", _MUST_FAIL_LINT)
def test_structural_attacks_are_refused_at_save_time(case_id: str) -> None:
    case = next(h for h in HOSTILE if h.id == case_id)
    assert lint(case.source, declared=case.values), case.source


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 'a' * 10**8 }}", TemplateLimitError),
        ("{% for a in 'x' * 1000 %}{% for b in 'x' * 1000 %}{% endfor %}{% endfor %}", TemplateLimitError),
        ("{{ 'x' * 1500 }}{{ 'y' * 1500 }}", TemplateLimitError),
        ("{{ 2 ** (10 ** 10) }}", TemplateLimitError),
        ("{{ '%s' % 'a' }}", TemplateError),
    ],
)
def test_bombs_fail_with_a_limit_error(source: str, expected: type[TemplateError]) -> None:
    with pytest.raises(expected):
        render_in_process(source, {})


# Discord's own mention and navigation syntax, written out as Discord documents it (message
# formatting reference), not derived from the neutraliser's pattern.
_DISCORD_MENTIONS = (
    "@everyone",
    "@here",
    "<@80351110224678912>",
    "<@!80351110224678912>",
    "<@&165511591545143296>",
    "<#103735883630395392>",
    "</airhorn:816437322781949972>",
    "</npm install:816437322781949972>",
    "<id:customize>",
    "<id:browse>",
    "<id:guide>",
    "<id:linked-roles>",
    "<id:linked-roles:1234567890123456789>",
)


@pytest.mark.parametrize("mention", _DISCORD_MENTIONS)
def test_no_discord_mention_survives_rendering(mention: str) -> None:
    text = render_in_process("{{ a }} and " + mention, {"a": mention})
    assert mention not in text, text
    # The visible text is kept: only an invisible space is added.
    assert text.replace("\u200b", "") == f"{mention} and {mention}"


def test_mentions_are_neutralised_but_text_kept() -> None:
    text = render_in_process("{{ a }} <@&42> @here", {"a": "@everyone"})
    assert text == "@\u200beveryone <\u200b@&42> @\u200bhere"


def test_output_cap_message_names_the_limit() -> None:
    with pytest.raises(TemplateLimitError, match="2,000 characters"):
        render_in_process("x" * 2_001, {})


def test_runtime_errors_carry_the_template_line() -> None:
    with pytest.raises(TemplateError) as caught:
        render_in_process("fine\nstill fine\n{{ 1 // 0 }}", {})
    assert caught.value.line == 3


@pytest.mark.timeout(20)
def test_worker_is_killed_on_timeout_and_replaced() -> None:
    silent_bomb = "{% set s = 'abcdefghij' * 10 %}" + _nest(6)
    with RenderPool(PoolSettings(workers=1, timeout_s=0.5, limits=_LOOSE)) as pool:
        with pytest.raises(TemplateLimitError, match=r"longer than 0\.5 s"):
            pool.render(silent_bomb, {})
        assert pool.render("still {{ x }}", {"x": "serving"}) == "still serving"


@pytest.mark.timeout(20)
@pytest.mark.parametrize("source", ["{{ ('a' * 10**10)|length }}", "{{ ([1] * 10**9)|length }}"])
def test_worker_memory_is_capped_by_the_kernel(source: str) -> None:
    with RenderPool(PoolSettings(workers=1, timeout_s=5, limits=_LOOSE)) as pool:
        with pytest.raises(TemplateLimitError, match="memory"):
            pool.render(source, {})
        assert pool.render("ok", {}) == "ok"


@pytest.mark.timeout(20)
async def test_event_loop_keeps_serving_while_a_bomb_renders() -> None:
    silent_bomb = "{% set s = 'abcdefghij' * 10 %}" + _nest(6)
    with RenderPool(PoolSettings(workers=2, timeout_s=2.0, limits=_LOOSE)) as pool:
        bombs = asyncio.gather(pool.render_async(silent_bomb, {}), pool.render_async(silent_bomb, {}))
        # While both workers are busy, the loop still runs other work to the end: a thousand turns
        # of the loop and a render in this process. Were the bombs rendering on the loop, they
        # would have finished (with their time limit) before any of this ran.
        for _ in range(1000):
            await asyncio.sleep(0)
        served = render_in_process("Hi {{ name }}", {"name": "Ana"})
        assert not bombs.done()
        with pytest.raises(TemplateLimitError, match=r"longer than 2 s"):
            await bombs
        normal = await pool.render_async("Hi {{ name }}", {"name": "Ana"})
    assert served == normal == "Hi Ana"


def _nest(depth: int) -> str:
    loops = "".join(f"{{% for v{i} in s %}}" for i in range(depth))
    return loops + "{% if false %}x{% endif %}" + "{% endfor %}" * depth


@pytest.mark.timeout(20)
def test_a_worker_starved_of_cpu_is_waited_for_not_stopped() -> None:
    """The budget is the worker's CPU time: a worker that gets no CPU (here: stopped by a signal,
    as a lowest-priority worker can be by a busy machine) is not stopped as if its template were slow."""
    with RenderPool(PoolSettings(workers=1, timeout_s=0.3, starved_wait=30, limits=_LOOSE)) as pool:
        assert pool.render("warm {{ x }}", {"x": "up"}) == "warm up"
        pid = pool._workers[0].process.pid
        assert pid is not None
        resume = threading.Timer(1.5, os.kill, (pid, signal.SIGCONT))  # five budgets later
        os.kill(pid, signal.SIGSTOP)
        try:
            resume.start()
            assert pool.render("Hi {{ name }}", {"name": "Ana"}) == "Hi Ana"
        finally:
            resume.cancel()
            os.kill(pid, signal.SIGCONT)
        assert pool._workers[0].process.pid == pid  # the same worker: never killed


@pytest.mark.timeout(20)
def test_a_render_starved_past_the_wait_is_refused_as_busy_and_the_worker_replaced() -> None:
    with RenderPool(PoolSettings(workers=1, timeout_s=0.2, starved_wait=3, limits=_LOOSE)) as pool:
        assert pool.render("warm", {}) == "warm"
        pid = pool._workers[0].process.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        with pytest.raises(RendererStarved, match="short of CPU"):
            pool.render("Hi {{ name }}", {"name": "Ana"})
        assert pool.render("still {{ x }}", {"x": "serving"}) == "still serving"
        assert pool._workers[0].process.pid != pid
