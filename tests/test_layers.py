"""The core stays free of discord.py: walk the imports of bot/ with ast."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The adapter edge: the only modules of bot/ allowed to import discord.
DISCORD_EDGE = {"client.py", "runner.py", "logging_setup.py", "ui.py"}
MUST_BE_PURE = ("bot/engine", "bot/rendering.py", "bot/storage")


def imported_top_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files(relative: str) -> list[Path]:
    target = ROOT / relative
    if target.is_file():
        return [target]
    return sorted(target.rglob("*.py"))


def test_engine_rendering_storage_import_nothing_from_discord() -> None:
    checked = 0
    for relative in MUST_BE_PURE:
        for path in python_files(relative):
            checked += 1
            assert "discord" not in imported_top_modules(path), f"{path} imports discord"
    assert checked >= 3


def test_engine_and_rendering_do_not_touch_the_database() -> None:
    for relative in ("bot/engine", "bot/rendering.py"):
        for path in python_files(relative):
            assert not {"aiosqlite", "sqlite3"} & imported_top_modules(path), f"{path} imports sqlite"


def test_only_the_edge_of_bot_imports_discord() -> None:
    for path in python_files("bot"):
        if path.name in DISCORD_EDGE or "cli" in path.relative_to(ROOT).parts:
            continue
        assert "discord" not in imported_top_modules(path), f"{path} is core but imports discord"


def test_bot_never_imports_cogs() -> None:
    for path in python_files("bot"):
        assert "cogs" not in imported_top_modules(path), f"{path} imports cogs (imports go cogs -> bot)"
