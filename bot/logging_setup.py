"""Console and rotating-file logging, with secrets scrubbed from every record."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import discord

from bot.config import Settings

LOG_FILE_NAME = "dispute-desk.log"


class RedactingFilter(logging.Filter):
    """Replace any occurrence of the given secrets in a record's final message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "********")
            record.msg, record.args = message, None
        return True


def setup_logging(settings: Settings) -> Path:
    """Log to the console (discord.py's format) and to data/logs with rotation; return the file."""
    discord.utils.setup_logging(level=settings.log_level_number, root=True)
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    path = settings.log_dir / LOG_FILE_NAME
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(
        logging.Formatter("{asctime} {levelname:<8} {name}: {message}", "%Y-%m-%d %H:%M:%S", style="{")
    )
    root = logging.getLogger()
    root.addHandler(file_handler)
    redactor = RedactingFilter([settings.token.reveal()] if settings.token else [])
    for handler in root.handlers:
        handler.addFilter(redactor)
    return path
