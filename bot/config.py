"""Settings from the environment and `.env`, validated once inside ``main()``.

Nothing here is read at import time: ``load_settings`` is called by the CLI, so tests can build
settings from a plain dict.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.errors import ConfigError
from bot.storage.url import DatabaseUrl, parse_database_url

DEFAULT_DATABASE_PATH = "data/dispute-desk.sqlite3"
DEFAULT_LOG_DIR = "data/logs"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_SNOWFLAKE = re.compile(r"^\d{15,21}$")
# Only catch the common paste mistakes (a "Bot " prefix, quotes, spaces); the shape is Discord's business.
# id (base64) . timestamp . HMAC: Discord documents no exact lengths, so only the shape is checked.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{17,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{20,}$")


class Secret:
    """A string that never shows itself in ``repr``, ``str`` or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the real value; call only where it is handed to Discord."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    """Every setting of the bot. ``.env.example`` documents each one."""

    token: Secret | None = None
    database_path: Path = Path(DEFAULT_DATABASE_PATH)
    #: DATABASE_URL when it names PostgreSQL (an SQLite URL sets ``database_path`` instead).
    database_url: DatabaseUrl | None = None
    log_level: str = "INFO"
    log_dir: Path = Path(DEFAULT_LOG_DIR)
    dev_guild_id: int | None = None
    owner_ids: frozenset[int] = field(default_factory=frozenset)
    api_base_url: str | None = None
    gateway_url: str | None = None
    session_ttl_days: int = 7
    case_retention_days: int = 90
    #: Shards of the whole bot (None: as many as Discord recommends) and those this process runs
    #: (None: all of them). Several processes split the shards between them on a shared database.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None

    @property
    def database(self) -> DatabaseUrl:
        """Which engine and where: PostgreSQL from DATABASE_URL, else the SQLite file."""
        return self.database_url or DatabaseUrl("sqlite", self.database_path, None)

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


def env_file_warning(env_file: Path = Path(".env")) -> str | None:
    """A warning when ``env_file`` (which holds the token) can be read by other users, else None."""
    try:
        mode = env_file.stat().st_mode
    except OSError:
        return None
    if mode & 0o077:
        return (
            f"{env_file} can be read by other users of this machine and holds the bot token: "
            f"run chmod 600 {env_file}"
        )
    return None


def read_environment(env_file: Path | None = Path(".env")) -> dict[str, str]:
    """Merge `.env` (if present) under the process environment; the environment wins."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged


def load_settings(env: Mapping[str, str]) -> Settings:
    """Validate raw settings; raise ConfigError naming the setting and what is allowed."""

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    token = get("DISCORD_TOKEN")
    if token is not None and not _TOKEN_SHAPE.match(token):
        # Never echo the value: it may be a real token with a stray quote or space.
        raise ConfigError(
            f"DISCORD_TOKEN: must be a bot token: three parts joined by dots, about 70 characters of letters, "
            f"digits, '_' and '-' (no 'Bot ' prefix, quotes or spaces); this one has {len(token)} characters in "
            f"{token.count('.') + 1} part(s). Copy it again: Developer Portal, your app, Bot, Reset Token"
        )

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL: must be one of {', '.join(LOG_LEVELS)}, got {get('LOG_LEVEL')!r}")

    dev_guild = get("DEV_GUILD_ID")
    if dev_guild is not None and not _SNOWFLAKE.match(dev_guild):
        raise ConfigError(f"DEV_GUILD_ID: must be a Discord server id (15-21 digits), got {dev_guild!r}")

    owners: set[int] = set()
    for part in (get("OWNER_IDS") or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not _SNOWFLAKE.match(part):
            raise ConfigError(
                f"OWNER_IDS: must be Discord user ids (15-21 digits) separated by commas, got {part!r}"
            )
        owners.add(int(part))

    ttl_raw = get("SESSION_TTL_DAYS") or "7"
    if not ttl_raw.isdigit() or not 1 <= int(ttl_raw) <= 365:
        raise ConfigError(f"SESSION_TTL_DAYS: must be a whole number of days from 1 to 365, got {ttl_raw!r}")

    retention_raw = get("CASE_RETENTION_DAYS") or "90"
    if not retention_raw.isdigit() or not 1 <= int(retention_raw) <= 3650:
        raise ConfigError(
            f"CASE_RETENTION_DAYS: must be a whole number of days from 1 to 3650, got {retention_raw!r}"
        )

    shard_count, shard_ids = _shards(get("SHARD_COUNT"), get("SHARD_IDS"))
    database_path = Path(get("DATABASE_PATH") or DEFAULT_DATABASE_PATH)
    database_url = get("DATABASE_URL")
    database = parse_database_url(database_url) if database_url else None
    if database is not None and database.path is not None:
        database_path, database = database.path, None

    return Settings(
        token=Secret(token) if token else None,
        database_path=database_path,
        database_url=database,
        log_level=log_level,
        log_dir=Path(get("LOG_DIR") or DEFAULT_LOG_DIR),
        dev_guild_id=int(dev_guild) if dev_guild else None,
        owner_ids=frozenset(owners),
        api_base_url=_url("DISCORD_API_BASE_URL", get("DISCORD_API_BASE_URL"), ("http", "https")),
        gateway_url=_url("DISCORD_GATEWAY_URL", get("DISCORD_GATEWAY_URL"), ("ws", "wss")),
        session_ttl_days=int(ttl_raw),
        case_retention_days=int(retention_raw),
        shard_count=shard_count,
        shard_ids=shard_ids,
    )


MAX_SHARDS = 4096


def _shards(count_raw: str | None, ids_raw: str | None) -> tuple[int | None, tuple[int, ...] | None]:
    """SHARD_COUNT (a whole number) and SHARD_IDS (``0-3``, ``4,5`` or ``0-1,6``), checked together."""
    if count_raw is None:
        if ids_raw is not None:
            raise ConfigError("SHARD_IDS: needs SHARD_COUNT too (the number of shards of the whole bot)")
        return None, None
    if not count_raw.isdigit() or not 1 <= int(count_raw) <= MAX_SHARDS:
        raise ConfigError(f"SHARD_COUNT: must be a whole number from 1 to {MAX_SHARDS}, got {count_raw!r}")
    count = int(count_raw)
    if ids_raw is None:
        return count, None
    ids: set[int] = set()
    for part in ids_raw.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ConfigError(f"SHARD_IDS: must be shard numbers or ranges like 0-3 or 0,2, got {ids_raw!r}")
        first, last = int(low), int(high) if dash else int(low)
        if first > last or last >= count:
            raise ConfigError(
                f"SHARD_IDS: {part!r} is not a range of shards from 0 to {count - 1} (SHARD_COUNT is {count})"
            )
        ids.update(range(first, last + 1))
    return count, tuple(sorted(ids))


def _url(name: str, value: str | None, schemes: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in schemes or not rest.strip("/"):
        allowed = " or ".join(f"{s}://host:port/..." for s in schemes)
        raise ConfigError(f"{name}: must be a URL like {allowed}, got {value!r}")
    return value.rstrip("/")
