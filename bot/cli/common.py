"""Helpers shared by the sub-commands: settings with a one-line error, exit codes."""

from __future__ import annotations

import sys

from bot.config import Settings, load_settings, read_environment
from bot.errors import ConfigError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def settings_or_exit() -> Settings:
    """Settings from the environment and `.env`; on a bad value print one line and exit 2."""
    try:
        return load_settings(read_environment())
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
