"""The quick-reply core stays Discord-free and storage-free (ARCHITECTURE.md §1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = [*sorted((ROOT / "bot" / "sandbox").glob("*.py")), *sorted((ROOT / "bot" / "replies").glob("*.py"))]
CORE.append(ROOT / "bot" / "cli" / "templates.py")
FORBIDDEN = ("discord", "aiosqlite", "cogs")


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_discord_or_storage_imports(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
