"""Every command the bot prints as a hint runs exactly as printed, from the project folder."""

from __future__ import annotations

import base64
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.engine import NOT_A_TERMINAL
from bot.cli.run import SETUP_GUIDANCE

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONSOLE_SCRIPT = PROJECT_ROOT / ".venv" / "bin" / "dispute-desk"
PRINTED = re.compile(r"(\.venv/bin/dispute-desk [^\n#(]*?)\s*(?:\(|#|$)", re.MULTILINE)
# A token of the right shape whose first part is the application id: `invite` reads it offline.
FAKE_TOKEN = base64.urlsafe_b64encode(b"123456789012345678").decode().rstrip("=") + ".GabcDE." + "x" * 32


def printed_commands() -> list[str]:
    return [match.strip() for text in (SETUP_GUIDANCE, NOT_A_TERMINAL) for match in PRINTED.findall(text)]


def test_the_hints_print_commands() -> None:
    assert len(printed_commands()) >= 4, printed_commands()
    assert "make try" in SETUP_GUIDANCE


@pytest.mark.skipif(
    Path(sys.prefix).resolve() != (PROJECT_ROOT / ".venv").resolve(),
    reason="runs the console script of the project's .venv (make test installs it)",
)
@pytest.mark.parametrize("command", printed_commands())
def test_printed_command_runs_as_printed(command: str, tmp_path: Path) -> None:
    assert CONSOLE_SCRIPT.is_file()
    result = subprocess.run(
        shlex.split(command),
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DISCORD_TOKEN": FAKE_TOKEN,
             "DATABASE_PATH": str(tmp_path / "desk.sqlite3"), "LOG_DIR": str(tmp_path / "logs")},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, (command, result.stderr[-2000:])
    assert result.stdout.strip()
