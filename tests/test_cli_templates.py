"""``python -m bot templates lint|render`` handlers, driven through their argparse parsers."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli import COMMAND_MODULES, templates
from bot.replies import LIBRARY_DIR


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="bot")
    templates.register(parser.add_subparsers(required=True))
    args = parser.parse_args(["templates", *argv])
    code: int = args.handler(args)
    return code


def test_registered_as_a_cli_plugin() -> None:
    assert "bot.cli.templates" in COMMAND_MODULES


def test_lint_built_in_library_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in LIBRARY_DIR.glob("*.toml"))
    assert _run("lint", *files) == 0
    assert capsys.readouterr().out == ""


def test_lint_raw_body_lists_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = tmp_path / "reply.j2"
    body.write_text("Hi {{ name }}\n{{ name.__class__ }}\n{% include 'x' %}\n")
    assert _run("lint", str(body)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{body}:2: attribute access")
    assert out[1].startswith(f"{body}:3: {{% include %}}")


def test_lint_toml_maps_lines_onto_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    library = tmp_path / "mine.toml"
    library.write_text(
        'category = "mine"\n'
        "\n"
        "[[template]]\n"
        'name = "hello"\n'
        'title = "Hello"\n'
        'description = "Say hello"\n'
        'variables = [{ name = "who", type = "text", label = "Who", example = "Sam" }]\n'
        "\n"
        "[template.body]\n"
        'neutral = """\n'
        "Hi {{ who }},\n"
        "\n"
        "{{ whom|format }}\n"
        '"""\n'
    )
    assert _run("lint", str(library)) == 1
    out = capsys.readouterr().out
    assert f"{library}:13: hello (neutral): unknown or unsafe filter 'format'" in out
    assert f"{library}:13: hello (neutral): unknown variable 'whom'" in out


def test_lint_toml_metadata_problem_points_at_the_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = tmp_path / "mine.toml"
    library.write_text('category = "mine"\n\n[[template]]\nname = "hello"\ntitle = "Hello"\nbody = "Hi"\n')
    assert _run("lint", str(library)) == 1
    assert f"{library}:4: mine.toml: hello: 'description'" in capsys.readouterr().out


def test_lint_unreadable_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('category = "x"\nname = \n')
    assert _run("lint", str(broken)) == 1
    assert f"{broken}:2:" in capsys.readouterr().out


def test_render_library_template(capsys: pytest.CaptureFixture[str]) -> None:
    values = {
        "client_name": "Jo",
        "invoice_number": "A-1",
        "amount": "300",
        "due_date": "2026-11-01",
        "invoice_link": "https://pay.example.com/A-1",
    }
    code = _run(
        "render",
        str(LIBRARY_DIR / "payments.toml"),
        "--name",
        "remind-late-7-14",
        "--vars",
        json.dumps(values),
        "--profile",
        '{"display_name": "Alex", "currency": "GBP"}',
        "--today",
        "2026-11-12",
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Invoice A-1 for £300" in out and "11 days overdue" in out and out.rstrip().endswith("Alex")


def test_render_reports_missing_values_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = _run("render", str(LIBRARY_DIR / "payments.toml"), "--name", "remind-before-due", "--vars", "{}")
    assert code == 2
    assert "missing values: client_name, invoice_number" in capsys.readouterr().err


def test_render_needs_a_name_for_a_multi_template_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("render", str(LIBRARY_DIR / "payments.toml")) == 2  # bad usage: which template?
    assert "--name" in capsys.readouterr().err


def test_render_tone_and_vars_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    values = tmp_path / "vars.json"
    values.write_text('{"buyer_name": "Sam", "display_name": "Alex", "platform": "Fiverr"}')
    path = str(LIBRARY_DIR / "off-platform.toml")
    assert (
        _run(
            "render", path, "--name", "offplatform-decline-contact", "--tone", "firm", "--vars", f"@{values}"
        )
        == 0
    )
    assert "I only communicate about orders here" in capsys.readouterr().out


def test_render_raw_body_in_the_sandbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = tmp_path / "reply.j2"
    body.write_text("Hi {{ who }} {{ 'x' * 3000 }}")
    assert _run("render", str(body), "--vars", "{}") == 2
    assert "missing values: who" in capsys.readouterr().err
    assert _run("render", str(body), "--vars", '{"who": "@everyone"}') == 1
    assert "2,000 characters" in capsys.readouterr().err
    body.write_text("Hi {{ who }}")
    assert _run("render", str(body), "--vars", '{"who": "@everyone"}') == 0
    assert capsys.readouterr().out == "Hi @\u200beveryone\n"


def test_render_refuses_bad_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = tmp_path / "reply.j2"
    body.write_text("Hi")
    assert _run("render", str(body), "--vars", "[1]") == 2  # bad input
    assert "JSON object" in capsys.readouterr().err


def test_lint_of_a_missing_file_is_bad_input(tmp_path: Path, capsys) -> None:
    assert _run("lint", str(tmp_path / "nowhere.j2")) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'nowhere.j2'}: no such file"


def test_render_counts_days_from_today_by_default(capsys) -> None:
    due = (date.today() - timedelta(days=9)).isoformat()
    values = {"client_name": "Jo", "invoice_number": "A-17", "amount": "$300", "due_date": due,
              "invoice_link": "https://pay.example.com/A-17", "display_name": "Ana"}  # fmt: skip
    assert _run("render", str(LIBRARY_DIR / "payments.toml"), "--name", "remind-late-7-14", "--vars",
                json.dumps(values)) == 0  # fmt: skip
    assert "9 days" in capsys.readouterr().out
