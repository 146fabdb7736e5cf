"""Each in-template cap fires by itself: the error names the cap, not the worker being killed.

These run in this process (no worker, no memory limit), so a cap that lets a value through would
build it here; every test asserts *which* rule refused the template.
"""

from __future__ import annotations

import pytest

from bot.errors import TemplateError, TemplateLimitError
from bot.sandbox import neutralise_mentions, render_in_process

_VALUE_CAP = "larger than 10,000 characters or items|longer than 10,000 characters or items"
_INT_CAP = "number larger than 4,096 bits"


@pytest.mark.parametrize(
    "source",
    [
        # A negative count means "replace all" to Python: it must be sized as all.
        "{% set s='a'*10000 %}{% set t='b'*10000 %}{{ (s|replace('a',t,-1))|length }}",
        "{% set s='a'*10000 %}{% set t='b'*10000 %}{{ (s|replace('a',t,-5))|length }}",
        "{% set s='a'*5000 %}{{ (s|replace('a','bcd',10**6))|length }}",
    ],
)
def test_replace_is_sized_whatever_the_count(source: str) -> None:
    with pytest.raises(TemplateLimitError, match=_VALUE_CAP):
        render_in_process(source, {})


def test_replace_with_a_small_count_still_works() -> None:
    assert render_in_process("{{ 'aaaa'|replace('a','b',-1) }} {{ 'aaaa'|replace('a','b',2) }}", {}) == "bbbb bbaa"


def test_int_filter_respects_the_bit_cap() -> None:
    with pytest.raises(TemplateLimitError, match=_INT_CAP):
        render_in_process("{% set x = ('9' * 4000)|int %}{{ x|string|length }}", {})
    assert render_in_process("{{ ('9' * 1000)|int|string|length }}", {}) == "1000"


def test_numbers_weigh_their_printed_length() -> None:
    # 1,000 digits in a list of 4,999: tiny by item count, 5 MB once printed.
    source = "{% set x = ('9' * 1000)|int %}{% set y = [x] * 4999 %}{{ y|length }}"
    with pytest.raises(TemplateLimitError, match=_VALUE_CAP):
        render_in_process(source, {})
    assert render_in_process("{{ ([12345] * 100)|length }}", {}) == "100"


def test_the_issue_render_bomb_is_refused_by_a_cap() -> None:
    source = "{% if buyer_name=='boom' %}{% set x=('9'*4000)|int %}{{ [x]*4999 }}{% endif %}"
    with pytest.raises(TemplateLimitError, match=_INT_CAP):
        render_in_process(source, {"buyer_name": "boom"})


def test_power_never_yields_a_complex_number() -> None:
    with pytest.raises(TemplateError, match="complex"):
        render_in_process("{{ (-8) ** 0.5 }}", {})
    assert render_in_process("{{ 9 ** 0.5 }}", {}) == "3.0"


def test_loop_object_cannot_be_printed() -> None:
    with pytest.raises(TemplateError, match=r"loop\.index"):
        render_in_process("{% for i in [1] %}{{ loop }}{% endfor %}", {})
    assert render_in_process("{% for i in [1, 2] %}{{ loop.index }}{% endfor %}", {}) == "12"


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c"])
def test_direction_marks_are_removed(mark: str) -> None:
    assert neutralise_mentions(f"pay {mark}100{mark} now") == "pay 100 now"
