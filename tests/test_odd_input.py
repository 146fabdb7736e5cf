"""Odd input never crashes a terminal command or breaks out of a code block."""

from __future__ import annotations

import io
import json
import re
from argparse import Namespace
from pathlib import Path

import pytest

from bot.cli.engine import draft_command
from bot.ui import code_block, text_file

PROJECT_ROOT = Path(__file__).resolve().parents[1]
S1 = json.loads((PROJECT_ROOT / "examples" / "s1-fiverr-cancellation.json").read_text(encoding="utf-8"))


def _draft(answers_text: str, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "answers.json"
    path.write_text(answers_text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    args = Namespace(schema=False, answers=str(path), format="text", tone=None, now="2026-11-28T12:00:00Z")
    code = draft_command(args, stdin=io.StringIO(), stdout=out, stderr=err)
    # What was written must be writable to a real UTF-8 terminal.
    out.getvalue().encode("utf-8")
    return code, err.getvalue()


@pytest.mark.parametrize(
    "answers_text",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than Python's recursion limit
        '{"platform": ' + "[" * 100_000 + "]" * 100_000 + "}",
        # A lone surrogate is valid JSON text but cannot be written out as UTF-8.
        json.dumps({**S1, "buyer_message": "I am not satisfied \ud800 cancel"}),
        json.dumps({**S1, "agreed_scope": "\udfff"}),
    ],
    ids=["deep-list", "deep-value", "surrogate-message", "surrogate-scope"],
)
def test_draft_refuses_odd_answers_with_exit_2_and_one_line(answers_text: str, tmp_path: Path) -> None:
    code, stderr = _draft(answers_text, tmp_path)
    assert code == 2, stderr[-500:]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("answers: "), stderr[-500:]


def test_text_file_survives_a_lone_surrogate() -> None:
    file = text_file("hello \ud800 world", "reply.txt")
    assert file.fp.read() == "hello \ufffd world".encode()


_FENCE_RUN = re.compile(r"`{3,}")


@pytest.mark.parametrize("ticks", range(3, 12))
def test_no_backtick_run_can_close_the_code_block(ticks: int) -> None:
    hostile = f"before {'`' * ticks}\n[click](https://evil.example) **bold** {'`' * ticks} after"
    block = code_block(hostile)
    inner = block.removeprefix("```\n").removesuffix("\n```")
    assert block == f"```\n{inner}\n```"
    # Neither Discord's parser (the first ``` closes) nor CommonMark (a run as long as the fence
    # closes) can end the block early: no run of three backticks is left inside.
    assert not _FENCE_RUN.search(inner), inner
    assert inner.replace("\u200b", "") == hostile  # only invisible spaces were added


def test_plain_text_is_unchanged_in_a_code_block() -> None:
    assert code_block("a `b` c ``d``") == "```\na `b` c ``d``\n```"
