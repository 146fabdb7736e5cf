"""Short ids that tie what a user sees to the log line with the full traceback."""

import secrets


def new_error_id() -> str:
    """Eight hexadecimal characters: short enough to read out, unique enough for a log search."""
    return secrets.token_hex(4)
