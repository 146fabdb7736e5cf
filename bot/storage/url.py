"""``DATABASE_URL``: which engine and where, checked once with one clear line when it is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from bot.errors import ConfigError

_EXAMPLES = "sqlite:///data/dispute-desk.sqlite3 or postgresql://user:password@host:5432/dbname"


@dataclass(frozen=True)
class DatabaseUrl:
    dialect: Literal["sqlite", "postgresql"]
    #: The SQLite file (None for PostgreSQL).
    path: Path | None
    #: The PostgreSQL connection URL, as given (None for SQLite). Holds the password: never log it.
    dsn: str | None

    @property
    def shown(self) -> str:
        """For messages and logs: the file, or the URL with any password replaced by ***."""
        if self.path is not None:
            return str(self.path)
        assert self.dsn is not None
        return redact(self.dsn)


def parse_database_url(value: str, setting: str = "DATABASE_URL") -> DatabaseUrl:
    """``sqlite:///relative/path``, ``sqlite:////absolute/path`` or ``postgresql://…`` (``postgres://`` too)."""
    scheme, sep, rest = value.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "sqlite":
        # sqlite:///data/x.sqlite3 is data/x.sqlite3 (relative); sqlite:////srv/x.sqlite3 is absolute.
        if not rest.startswith("/") or not rest[1:].strip():
            problem = "an SQLite URL needs a file after sqlite:///"
            raise ConfigError(f"{setting}: {problem}, e.g. {_EXAMPLES}; got {value!r}")
        return DatabaseUrl("sqlite", Path(rest[1:]), None)
    if sep and scheme in ("postgresql", "postgres"):
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError as exc:
            raise ConfigError(f"{setting}: not a valid PostgreSQL URL ({exc}); expected e.g. {_EXAMPLES}") from None
        if not parts.hostname and "host=" not in parts.query:
            raise ConfigError(f"{setting}: a PostgreSQL URL needs a host, e.g. {_EXAMPLES}; got {redact(value)!r}")
        return DatabaseUrl("postgresql", None, value)
    problem = "must start with sqlite:/// or postgresql://"
    raise ConfigError(f"{setting}: {problem}, e.g. {_EXAMPLES}; got {redact(value)!r}")


def redact(url: str) -> str:
    """The URL without its password (``user:***@host``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^@/]*@", "//***@", url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[-1]}"))
