"""Imports go one way (ARCHITECTURE.md §1): walk every module of bot/ with ast.

The core is free of discord.py except at its adapter edge; the engine, rendering, the quick-reply
core and the sandbox touch no database; nothing in bot/ imports cogs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The adapter edge: the only modules of bot/ allowed to import discord.
DISCORD_EDGE = {"client.py", "runner.py", "logging_setup.py", "ui.py"}
NO_STORAGE = ("bot/disputes/engine", "bot/rendering.py", "bot/replies", "bot/sandbox", "bot/cli/templates.py")
STORAGE_MODULES = {"aiosqlite", "sqlite3"}


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


def is_discord_edge(path: Path) -> bool:
    at_root_edge = path.name in DISCORD_EDGE and path.parent == ROOT / "bot"
    return at_root_edge or "cli" in path.relative_to(ROOT).parts


CORE_FILES = [path for path in python_files("bot") if not is_discord_edge(path)]


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_imports_neither_discord_nor_cogs(path: Path) -> None:
    imported = imported_top_modules(path)
    assert "discord" not in imported, f"{path} is core but imports discord"
    assert "cogs" not in imported, f"{path} imports cogs (imports go cogs -> bot)"


def test_the_edge_never_imports_cogs_either() -> None:
    edge = [path for path in python_files("bot") if is_discord_edge(path)]
    assert len(edge) >= len(DISCORD_EDGE)
    for path in edge:
        assert "cogs" not in imported_top_modules(path), f"{path} imports cogs (imports go cogs -> bot)"


@pytest.mark.parametrize("relative", NO_STORAGE)
def test_engine_rendering_and_reply_core_do_not_touch_the_database(relative: str) -> None:
    files = python_files(relative)
    assert files, f"{relative} has no Python files: update NO_STORAGE"
    for path in files:
        assert not STORAGE_MODULES & imported_top_modules(path), f"{path} imports a database module"


def packages_under(relative: str) -> list[str]:
    """The packages directly under ``relative`` (folders with an __init__.py)."""
    return sorted(p.parent.name for p in (ROOT / relative).glob("*/__init__.py"))


def test_the_docs_package_map_names_every_package_of_bot_and_cogs() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("```", 2)[1]  # the map: one line a folder, indented under its parent
    named = {match.strip().rstrip("/") for match in re.findall(r"^\s*([a-z_]+/)", block, re.MULTILINE)}
    wanted = {"bot", "cogs", *packages_under("bot"), *packages_under("bot/disputes")}
    assert wanted <= named, f"docs/architecture.md's map misses {sorted(wanted - named)}"
    features = set(packages_under("cogs"))
    cogs_line = next(line for line in block.splitlines() if line.startswith("cogs/"))
    assert all(feature in cogs_line for feature in features), f"the cogs/ line misses one of {sorted(features)}"
    assert not (named - wanted - {"templates", "tests", "docs"}), "the map names a folder that is gone"
