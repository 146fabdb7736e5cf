"""Shared pytest set-up: each feature's fixtures live in a plugin module listed here."""

pytest_plugins: list[str] = ["tests.fakediscord.plugin", "tests.engine_fixtures"]
