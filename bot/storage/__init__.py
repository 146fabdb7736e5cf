"""Storage: SQLite (embedded default) or PostgreSQL behind one ``Database``, numbered migrations,
repositories of frozen dataclasses."""

from bot.storage.database import Database, MigrationError, SchemaTooNewError, StorageError
from bot.storage.meta import MetaRepository

__all__ = ["Database", "MetaRepository", "MigrationError", "SchemaTooNewError", "StorageError"]
