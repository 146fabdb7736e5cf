"""Properties of the sandbox over generated input: no crash other than TemplateError, no live mention."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.errors import TemplateError
from bot.sandbox import lint, neutralise_mentions, render_in_process

_UNBROKEN = re.compile(r"@(everyone|here)|<(@[!&]?|#|/)", re.IGNORECASE)
_PIECES = st.sampled_from(
    ["{{", "}}", "{%", "%}", "for", "in", "if", "endfor", "endif", "x", "'a'", "*", "**", "~", "|", "upper",
     "(", ")", "[", "]", ".", "_", "9", "@everyone", "<@&1>", " ", "\n", "set", "=", "loop", "index"]
)  # fmt: skip


@given(st.text())
def test_neutralised_text_has_no_live_mention_and_is_stable(text: str) -> None:
    once = neutralise_mentions(text)
    assert not _UNBROKEN.search(once)
    assert neutralise_mentions(once) == once


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_template_soup_lints_and_renders_without_crashing(source: str) -> None:
    problems = lint(source)
    assert all(p.line >= 1 for p in problems)
    try:
        text = render_in_process(source, {"x": "@here"})
    except TemplateError:
        return
    assert len(text) <= 2_000 and not _UNBROKEN.search(text)
