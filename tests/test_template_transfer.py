"""Import and export of template libraries without Discord: the file, the dry run, all or nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.replies import LIBRARY_DIR
from bot.replies.library import SHARED_VARIABLES_FILE, load_shared_variables
from bot.replies.server_library import ServerLibrary
from bot.replies.template_transfer import (
    MAX_FILE_BYTES,
    ImportRefused,
    LibraryMoved,
    apply_import,
    export_library,
    plan_import,
)
from bot.storage import Database
from bot.storage.reply_templates import ReplyTemplateRepository, TemplateRecord
from bot.storage.server_templates import ServerNameTaken

SHARED = load_shared_variables(LIBRARY_DIR / SHARED_VARIABLES_FILE)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
GUILD, SECOND_GUILD, USER = 100000000000000001, 100000000000000002, 200000000000000001
CURATOR = 300000000000000001


def entry(name: str, body: str = "Hi {{ buyer_name }}.", **more: Any) -> dict[str, Any]:
    return {"name": name, "title": more.pop("title", name.replace("-", " ").capitalize()),
            "category": more.pop("category", "general"), "body": body, **more}  # fmt: skip


def document(*templates: dict[str, Any], scope: str = "guild", source: int | None = None) -> bytes:
    doc = {"format": "dispute-desk-templates", "format_version": 1, "scope": scope,
           "source_id": str(source) if source else None, "templates": list(templates)}  # fmt: skip
    return json.dumps(doc).encode()


async def library_of(db: Database, guild: int) -> list[tuple[str, str, str, str]]:
    stored = await ServerLibrary(db, SHARED).templates.list_all(guild)
    return [(s.name, s.template.title, s.template.category, s.template.body) for s in stored]


async def seed(db: Database) -> ServerLibrary:
    library = ServerLibrary(db, SHARED)
    await library.create(GUILD, CURATOR, entry("late-payment", "Hi {{ buyer_name }}, it is due {{ due_date }}."), NOW)
    await library.create(GUILD, CURATOR, entry("thanks", "Thank you, {{ buyer_name }}!", category="wrap-up"), NOW)
    return library


async def test_an_export_imported_into_a_second_server_yields_an_identical_library(db: Database) -> None:
    await seed(db)
    data = await export_library(db, "guild", GUILD, NOW)
    parsed = json.loads(data)
    assert (parsed["format"], parsed["format_version"], parsed["scope"]) == ("dispute-desk-templates", 1, "guild")
    plan = await plan_import(db, "guild", SECOND_GUILD, data, SHARED)
    assert (plan.count("added"), plan.count("changed"), plan.count("unchanged"), plan.count("conflict")) == (2, 0, 0, 0)
    assert await library_of(db, SECOND_GUILD) == []  # a dry run writes nothing
    await apply_import(db, "guild", SECOND_GUILD, data, SHARED, author_id=CURATOR, now=NOW, expected_digest=plan.digest)
    assert await library_of(db, SECOND_GUILD) == await library_of(db, GUILD)
    again = await plan_import(db, "guild", SECOND_GUILD, data, SHARED)
    assert again.count("unchanged") == 2 and "2 unchanged" in again.summary()


async def test_the_dry_run_names_changes_and_conflicts_and_how_they_resolve(db: Database) -> None:
    library = await seed(db)
    data = json.loads(await export_library(db, "guild", GUILD, NOW))
    data["templates"][0]["body"] = "Edited in the file, {{ buyer_name }}."  # late-payment, from version 1
    data["templates"].append(entry("new-one"))
    edited_file = json.dumps(data).encode()
    # Meanwhile a curator edits `thanks` in the library; the file's `thanks` is now behind.
    thanks = await library.get(GUILD, "thanks")
    await library.edit(GUILD, CURATOR, thanks.id, entry("thanks", "Thanks a lot!", category="wrap-up"),
                       base_version=1, now=NOW)  # fmt: skip
    plan = await plan_import(db, "guild", GUILD, edited_file, SHARED)
    kinds = {e.name: e.kind for e in plan.entries}
    assert kinds == {"late-payment": "changed", "thanks": "conflict", "new-one": "added"}
    assert "conflict: `thanks` — the library keeps its text" in plan.summary()
    await apply_import(db, "guild", GUILD, edited_file, SHARED, author_id=CURATOR, now=NOW)
    bodies = {name: body for name, _, _, body in await library_of(db, GUILD)}
    assert bodies["thanks"] == "Thanks a lot!" and bodies["late-payment"] == "Edited in the file, {{ buyer_name }}."
    replaced = await apply_import(db, "guild", GUILD, edited_file, SHARED, author_id=CURATOR, now=NOW,
                                  on_conflict="replace")  # fmt: skip
    assert {e.name: e.kind for e in replaced.entries}["thanks"] == "conflict"
    assert {name: body for name, _, _, body in await library_of(db, GUILD)}["thanks"] == "Thank you, {{ buyer_name }}!"
    assert [v.action for v in await library.history(GUILD, thanks.id)] == ["create", "edit", "import"]


async def test_a_library_that_moved_after_the_dry_run_is_not_imported(db: Database) -> None:
    library = await seed(db)
    data = document(entry("late-payment", "From the file."), source=SECOND_GUILD)
    plan = await plan_import(db, "guild", GUILD, data, SHARED, on_conflict="replace")
    late = await library.get(GUILD, "late-payment")
    await library.edit(GUILD, CURATOR, late.id, entry("late-payment", "Newer."), base_version=1, now=NOW)
    with pytest.raises(LibraryMoved):
        await apply_import(db, "guild", GUILD, data, SHARED, author_id=CURATOR, now=NOW, on_conflict="replace",
                           expected_digest=plan.digest)  # fmt: skip
    assert (await library.get(GUILD, "late-payment")).template.body == "Newer."


LOOP_BOMB = "{% set s = 'abcdefghij' * 10 %}{% for a in s %}{% for b in s %}{{ a }}{% endfor %}{% endfor %}"
BAD_FILES: list[tuple[str, bytes, str]] = [
    ("oversized", b" " * (MAX_FILE_BYTES + 1), f"at most {MAX_FILE_BYTES:,} are accepted"),
    ("not json", b"{'format': 1", "not valid JSON: Expecting property name enclosed in double quotes at line 1"),
    ("not utf-8", b'{"a": "\xff"}', "not UTF-8"),
    ("deep", b"[" * 100_000 + b"]" * 100_000, "nested more than 6 levels"),
    ("other format", b'{"format": "carl-bot", "templates": []}', 'its "format" must be "dispute-desk-templates"'),
    ("newer", b'{"format": "dispute-desk-templates", "format_version": 9, "templates": []}', "format version 9"),
    ("unsafe body", document(entry("ok"), entry("evil", "{{ ''.__class__.__mro__ }}")), "template 2 (`evil`): Body"),
    # Past the lint, stopped by the sandbox when test-rendered with sample values: which limit, named.
    ("loop bomb", document(entry("ok"), entry("spin", LOOP_BOMB), entry("ok2")),
     "template 2 (`spin`): Body line 1: with sample values it fails: loops ran more than 1,000 times"),
    ("too long", document(entry("long", "{{ 'x' * 1500 }}{{ 'y' * 1500 }}")),
     "template 1 (`long`): Body: with sample values it fails: the reply is longer than 2,000 characters"),
    ("bad name", document(entry("Not OK")), "template 1: `Not OK` is not a valid name"),
    ("twice", document(entry("a"), entry("a")), "template 2: the name `a` appears twice"),
    ("extra field", document({**entry("a"), "exec": "rm -rf"}), "template 1 has an unknown field `exec`"),
    ("body type", document({**entry("a"), "body": ["x"]}), 'template 1: "body" must be text'),
    ("too many", document(*[entry(f"t{n}") for n in range(501)]), "the file holds 501 templates; a library holds"),
]


@pytest.mark.parametrize(("label", "data", "problem"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
async def test_a_bad_file_is_refused_with_its_first_problem_and_changes_nothing(
    db: Database, label: str, data: bytes, problem: str
) -> None:
    await seed(db)
    before = await library_of(db, GUILD)
    with pytest.raises(ImportRefused) as refused:
        await apply_import(db, "guild", GUILD, data, SHARED, author_id=CURATOR, now=NOW, on_conflict="replace")
    assert problem in str(refused.value), str(refused.value)
    assert str(refused.value).startswith("Nothing was imported: ")
    assert await library_of(db, GUILD) == before


async def test_a_failure_midway_rolls_everything_back(db: Database) -> None:
    """All or nothing: the database refuses the second write, and the first is undone too."""
    await seed(db)
    if db.dialect == "postgresql":
        await db.execute(
            "CREATE FUNCTION refuse_second() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.name = 'second-new' THEN RAISE unique_violation USING MESSAGE = 'refused by the test'; "
            "END IF; RETURN NEW; END $$"
        )
        await db.execute(
            "CREATE TRIGGER refuse_second BEFORE INSERT ON reply_templates "
            "FOR EACH ROW EXECUTE FUNCTION refuse_second()"
        )
    else:
        await db.execute(
            "CREATE TRIGGER refuse_second BEFORE INSERT ON reply_templates WHEN new.name = 'second-new' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
    data = document(entry("first-new"), entry("second-new"))
    try:
        with pytest.raises(ServerNameTaken):
            await apply_import(db, "guild", GUILD, data, SHARED, author_id=CURATOR, now=NOW)
    finally:  # the PostgreSQL schema outlives the test
        await db.execute("DROP TRIGGER refuse_second ON reply_templates" if db.dialect == "postgresql"
                         else "DROP TRIGGER refuse_second")
        if db.dialect == "postgresql":
            await db.execute("DROP FUNCTION refuse_second()")
    assert [name for name, *_ in await library_of(db, GUILD)] == ["late-payment", "thanks"]
    assert await db.fetch_one("SELECT 1 FROM template_versions WHERE name = 'first-new'") is None


async def test_the_cap_counts_what_the_library_already_holds(db: Database) -> None:
    await seed(db)
    data = document(*[entry(f"t{n}") for n in range(499)])
    with pytest.raises(ImportRefused, match=r"the library has 2 templates and the file adds 499; .* at most 500"):
        await plan_import(db, "guild", GUILD, data, SHARED)


async def test_personal_templates_export_and_import(db: Database) -> None:
    repo = ReplyTemplateRepository(db)
    await repo.create("user", USER, TemplateRecord("mine", "Mine", "personal", "", "Hi {{ buyer_name }}"))
    data = await export_library(db, "user", USER, NOW)
    other = USER + 1
    await apply_import(db, "user", other, data, SHARED, author_id=other, now=NOW)
    copied = await repo.list_owned("user", other)
    assert [(t.name, t.title, t.body) for t in copied] == [("mine", "Mine", "Hi {{ buyer_name }}")]
    assert [v["name"] for v in copied[0].variables] == ["buyer_name"]


def test_cli_exports_and_imports_with_a_dry_run_first(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_PATH": str(tmp_path / "desk.sqlite3"), "DISCORD_TOKEN": ""}
    source = tmp_path / "in.json"
    source.write_bytes(document(entry("late-payment"), entry("thanks")))

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "templates", *argv], env=env, cwd=tmp_path, capture_output=True,
            text=True, timeout=120, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    dry = cli("import", "--guild", str(GUILD), str(source))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("Dry run: 2 added, 0 changed, 0 unchanged, 0 conflict")
    assert "Run again with --yes" in dry.stderr
    done = cli("import", "--guild", str(GUILD), str(source), "--yes")
    assert done.returncode == 0 and "imported: 2 templates written" in done.stdout, done.stderr
    exported = tmp_path / "out.json"
    result = cli("export", "--guild", str(GUILD), str(exported))
    assert result.returncode == 0 and result.stdout == f"exported 2 templates to {exported}\n", result.stderr
    assert [t["name"] for t in json.loads(exported.read_text())["templates"]] == ["late-payment", "thanks"]
    assert cli("export", "--guild", str(GUILD), str(exported)).returncode == 2  # never overwrites
    hostile = tmp_path / "hostile.json"
    hostile.write_bytes(document(entry("x", "{{ cycler.__init__.__globals__ }}")))
    refused = cli("import", "--guild", str(SECOND_GUILD), str(hostile), "--yes")
    assert refused.returncode == 1 and refused.stderr.startswith("error: Nothing was imported: template 1 (`x`)")
