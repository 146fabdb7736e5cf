"""docs/terminal.md lists exactly the answer ids, conditions and values the questionnaire has."""

from __future__ import annotations

from tests.answer_table import DOC, answer_table, current_table


def test_the_answer_table_in_the_docs_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = current_table(text)
    assert text[start:end] == answer_table(), "stale: run `.venv/bin/python -m tests.answer_table`"
