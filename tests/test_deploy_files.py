"""The container and service files stay in step with the code (Docker itself is not needed here)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bot.__main__ import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SCRIPT = next(iter(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]))


def cli_commands() -> set[str]:
    subparsers = build_parser()._subparsers._group_actions[0]  # type: ignore[union-attr]
    return set(subparsers.choices)


def test_the_image_holds_every_folder_the_bot_reads_and_runs_unprivileged() -> None:
    copied = set(re.findall(r"^COPY (\w+) \./\1$", DOCKERFILE, re.MULTILINE))
    assert {"bot", "cogs", "templates"} <= copied
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in DOCKERFILE and "DATABASE_PATH=/data/" in DOCKERFILE


def test_the_healthcheck_and_entrypoints_name_real_commands() -> None:
    health = re.search(r'HEALTHCHECK .* CMD \["(\S+)", "(\S+)"\]', DOCKERFILE)
    assert health and health[1] == SCRIPT and health[2] in cli_commands()
    unit = (ROOT / "deploy" / "dispute-desk.service").read_text()
    exec_start = re.search(r"^ExecStart=\S+/\.venv/bin/(\S+) (\S+)$", unit, re.MULTILINE)
    assert exec_start and exec_start[1] == SCRIPT and exec_start[2] in cli_commands()


def test_the_scale_example_splits_every_shard_once_on_one_postgresql() -> None:
    text = (ROOT / "deploy" / "compose.scale.yaml").read_text()
    counts = set(re.findall(r'SHARD_COUNT: "(\d+)"', text))
    ranges = re.findall(r'SHARD_IDS: "(\d+)-(\d+)"', text)
    assert len(counts) == 1 and len(ranges) >= 2  # one shard count, several processes
    covered = sorted(n for low, high in ranges for n in range(int(low), int(high) + 1))
    assert covered == list(range(int(counts.pop())))
    urls = set(re.findall(r"DATABASE_URL: (\S+)", text))
    assert len(urls) == 1 and urls.pop().startswith("postgresql://")
    command = "docker compose -f deploy/compose.scale.yaml up -d --build"
    assert command in text and command in (ROOT / "docs" / "operations.md").read_text()
