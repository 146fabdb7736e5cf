"""The README's shell examples run as printed on a fresh clone (after `make run` built .venv)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_printed_commands import FAKE_TOKEN

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line]


def test_the_readme_shows_the_two_commands_and_the_offline_ones() -> None:
    commands = readme_commands()
    assert commands[:2] == ["make run", "make test"]
    assert any(command.startswith(".venv/bin/dispute-desk draft") for command in commands)
    assert ".venv/bin/dispute-desk check" in commands  # run by test_engine_cli's exhaustive walk


@pytest.mark.parametrize("command", [c for c in readme_commands() if c.startswith("make ")])
def test_each_make_command_names_a_real_target(command: str) -> None:
    target = command.split()[1]
    dry_run = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert dry_run.returncode == 0, dry_run.stderr


@pytest.mark.skipif(
    Path(sys.prefix).resolve() != (ROOT / ".venv").resolve(),
    reason="runs the console script of the project's .venv (make test installs it)",
)
# `check` walks every path (seconds of CPU): the suite runs that walk once, in test_engine_cli.py.
@pytest.mark.parametrize(
    "command", [c for c in readme_commands() if c.startswith(".venv/bin/") and c.split()[1:2] != ["check"]]
)
def test_each_dispute_desk_command_runs_as_printed(command: str, tmp_path: Path) -> None:
    result = subprocess.run(
        shlex.split(command),
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DISCORD_TOKEN": FAKE_TOKEN,
             "DATABASE_PATH": str(tmp_path / "desk.sqlite3"), "LOG_DIR": str(tmp_path / "logs")},
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert result.returncode == 0, (command, result.stderr[-2000:])
    assert result.stdout.strip()
