"""What authors may do still works: the sandbox refuses attacks, not ordinary templates."""

from __future__ import annotations

import pytest

from bot.errors import TemplateError
from bot.sandbox import lint, lint_or_raise, render_in_process


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("Hi {{ name|trim|title }}!", {"name": "  sam lee "}, "Hi Sam Lee!"),
        (
            "{% for item, price in [('Logo', 50), ('Banner', 30)] %}"
            "{{ loop.index }}. {{ item }}: ${{ price }}\n{% endfor %}",
            {},
            "1. Logo: $50\n2. Banner: $30",
        ),
        ("{% set prices = {'basic': 10, 'pro': 25} %}{{ prices[tier] }}", {"tier": "pro"}, "25"),
        ("{{ items|join(', ') }} ({{ items|length }})", {"items": ["a", "b"]}, "a, b (2)"),
        ("{{ days }} day{{ '' if days == 1 else 's' }}", {"days": 1}, "1 day"),
        ("{% if note %}Note: {{ note }}{% else %}No note{% endif %}", {"note": ""}, "No note"),
        ("{{ (amount * 1.2)|round(2) }}", {"amount": 10}, "12.0"),
        ("{{ 'x' ~ n ~ 'y' }} {{ text[:3] }}", {"n": 5, "text": "abcdef"}, "x5y abc"),
        ("{{ missing|default('n/a') }} {{ x is defined }}", {}, "n/a False"),
        ("{{ long|truncate(12) }}", {"long": "a fairly long sentence"}, "a fairly..."),
    ],
)
def test_ordinary_templates_render(source: str, values: dict[str, object], expected: str) -> None:
    assert lint(source) == []
    assert render_in_process(source, values) == expected


def test_lint_or_raise_names_the_first_problem_with_its_line() -> None:
    with pytest.raises(TemplateError) as caught:
        lint_or_raise("ok\n{{ a.b }}\n{{ c|format }}", declared=["a", "c"])
    assert caught.value.line == 2 and "and 1 more" in str(caught.value)


def test_unknown_values_are_errors_not_blanks() -> None:
    with pytest.raises(TemplateError, match="undefined"):
        render_in_process("Hi {{ buyer_name }}", {})


@pytest.mark.parametrize("bad", [{"_x": 1}, {"x": object()}, {"x": "y" * 5000}, {"x": ["y" * 3000] * 10}])
def test_context_values_must_be_plain_and_bounded(bad: dict[str, object]) -> None:
    with pytest.raises(TemplateError):
        render_in_process("{{ 1 }}", bad)
