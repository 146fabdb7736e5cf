"""Console and rotating-file logging, with secrets scrubbed from every formatted line.

Redaction runs on the *formatted* record (message, traceback and all), so a secret inside an
exception's text is caught too. Besides the bot token it removes Discord interaction tokens, which
authorise answering (or editing) a user's interaction for 15 minutes. The log folder and files are
created private to the bot's user. At DEBUG, the libraries whose debug lines carry message
payloads or SQL parameters stay at INFO: DEBUG is for our own code.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import re
from pathlib import Path

import discord

from bot.config import Settings

LOG_FILE_NAME = "dispute-desk.log"
REDACTED = "********"
QUIET_AT_DEBUG = ("aiosqlite", "discord.gateway", "discord.http", "discord.webhook")
"""Loggers kept at INFO even at LOG_LEVEL=DEBUG: their debug lines hold payloads and parameters."""

# An interaction token in a URL path, in a "token" field (JSON or a Python dict's repr), or on
# its own: they are base64 of "interaction:<id>:<secret>", which starts "aW50ZXJhY3Rpb246".
_TOKEN_PATTERNS = (
    re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_\-.]{20,}"),
    re.compile(r"""(['"]token['"]\s*:\s*['"])[^'"]+"""),
    re.compile(r"()aW50ZXJhY3Rpb24[A-Za-z0-9_\-.=]*"),
)


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret and every interaction token replaced by asterisks."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactingFormatter(logging.Formatter):
    """Wrap a handler's formatter and scrub what it produced, traceback included."""

    def __init__(self, inner: logging.Formatter | None, secrets: list[str]) -> None:
        super().__init__()
        self._inner = inner or logging.Formatter()
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(self._inner.format(record), self._secrets)


class RedactingFilter(logging.Filter):
    """Scrub a record's message before any handler sees it (for handlers added later, e.g. tests)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = redact(message, self._secrets)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600 whatever the umask."""

    def _open(self) -> io.TextIOWrapper:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(descriptor, 0o600)  # an older file may have been created 0644
        # RotatingFileHandler always appends.
        return open(descriptor, "a", encoding=self.encoding, errors=self.errors)


def setup_logging(settings: Settings) -> Path:
    """Log to the console (discord.py's format) and to data/logs with rotation; return the file."""
    discord.utils.setup_logging(level=settings.log_level_number, root=True)
    for name in QUIET_AT_DEBUG:
        logger = logging.getLogger(name)
        logger.setLevel(max(settings.log_level_number, logging.INFO))
    settings.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = settings.log_dir / LOG_FILE_NAME
    file_handler = PrivateRotatingFileHandler(path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8")
    file_handler.setFormatter(
        logging.Formatter("{asctime} {levelname:<8} {name}: {message}", "%Y-%m-%d %H:%M:%S", style="{")
    )
    root = logging.getLogger()
    root.addHandler(file_handler)
    secrets = [settings.token.reveal()] if settings.token else []
    for handler in root.handlers:
        handler.setFormatter(RedactingFormatter(handler.formatter, secrets))
    return path
