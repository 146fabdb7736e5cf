"""Export and import of template libraries: a versioned JSON file, a dry run, then all or nothing.

Discord-free: /library export|import (attachments) and ``dispute-desk templates export|import``
both use this module. An import is first planned (:func:`plan_import`): every template is
classified as added, changed, unchanged or a conflict, with how it will resolve. Applying it
(:func:`apply_import`) plans again, refuses when the library moved since the dry run, and writes
everything in one transaction. A file is refused with its first problem named, before anything is
written: too big, not JSON, not this format, a newer format, or a template that fails the checks.

A *conflict* is a template the library holds with other content, where the file was not made from
the library's current version (another server's export, or the library was edited since): by
default the library keeps its text; with ``replace`` the file's text becomes a new version.
A *change* is a file edited from the library's current version: the file's text is saved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from bot.errors import DisputeDeskError, TemplateError
from bot.replies import TemplateVariable
from bot.replies.authoring import render_here, render_problem, render_sample
from bot.replies.fill import AsyncRenderer
from bot.replies.lint_process import TemplateChecker
from bot.replies.personal import MAX_PERSONAL_TEMPLATES, AuthorProblem, clean_draft, personal_record
from bot.replies.server_library import LINT_TIMEOUT_S, MAX_SERVER_TEMPLATES
from bot.sandbox import MAX_SOURCE_CHARS
from bot.storage.database import Database, to_timestamp
from bot.storage.reply_templates import ReplyTemplateRepository, TemplateNameTaken, TemplateRecord
from bot.storage.server_templates import ServerTemplateRepository

FORMAT = "dispute-desk-templates"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 3_000_000
MAX_DEPTH = 6  # the format nests four levels; deeper is a hostile file
TEXT_MAX = {"name": 64, "title": 200, "category": 64, "body": MAX_SOURCE_CHARS}
Scope = Literal["guild", "user"]
Kind = Literal["added", "changed", "unchanged", "conflict"]
OnConflict = Literal["keep", "replace"]


class ImportRefused(DisputeDeskError):
    """The file cannot be imported; the message names its first problem. Nothing was written."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"Nothing was imported: {problem}")


class LibraryMoved(DisputeDeskError):
    def __init__(self) -> None:
        super().__init__("The library changed after the dry run; nothing was imported. Run the import again.")


@dataclass(frozen=True)
class FileTemplate:
    name: str
    title: str
    category: str
    body: str
    #: The version of the library it was exported from (server exports), else None.
    version: int | None = None


@dataclass(frozen=True)
class TemplateFile:
    scope: Scope
    source_id: int | None
    templates: tuple[FileTemplate, ...]


@dataclass(frozen=True)
class PlannedTemplate:
    name: str
    kind: Kind
    #: How it resolves, in words ("added", "the library keeps its text"…).
    resolution: str
    record: TemplateRecord
    existing_id: int | None = None
    existing_version: int | None = None
    #: Whether applying writes it.
    writes: bool = False


@dataclass(frozen=True)
class ImportPlan:
    scope: Scope
    owner_id: int
    on_conflict: OnConflict
    entries: tuple[PlannedTemplate, ...]

    def count(self, kind: Kind) -> int:
        return sum(1 for e in self.entries if e.kind == kind)

    @property
    def digest(self) -> str:
        """A short fingerprint of what applying would do (compared again at confirm time)."""
        parts = [
            f"{e.name}|{e.kind}|{e.writes}|{e.existing_version}|{e.record.title}|{e.record.category}|{e.record.body}"
            for e in self.entries
        ]
        return hashlib.sha256("\n".join([self.on_conflict, *parts]).encode()).hexdigest()[:16]

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(kind)} {kind}" for kind in ("added", "changed", "unchanged", "conflict"))
        lines = [f"Dry run: {counts} ({len(self.entries)} in the file). Nothing is written until you confirm."]
        for entry in self.entries:
            if entry.kind != "unchanged":
                lines.append(f"- {entry.kind}: `{entry.name}` — {entry.resolution}")
        return "\n".join(lines)


# -- export --------------------------------------------------------------------------------------
async def export_library(
    db: Database, scope: Scope, owner_id: int, now: datetime, *, category: str | None = None
) -> bytes:
    """The library (or one category of a server's) as the versioned JSON file."""
    templates: list[dict[str, Any]] = []
    if scope == "guild":
        for stored in await ServerTemplateRepository(db).list_all(owner_id, category):
            t = stored.template
            templates.append(
                {"name": t.name, "title": t.title, "category": t.category, "body": t.body, "version": stored.version}
            )
    else:
        for t in await ReplyTemplateRepository(db).list_owned("user", owner_id):
            if category is None or t.category == category:
                templates.append({"name": t.name, "title": t.title, "category": t.category, "body": t.body})
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "scope": scope,
        "source_id": str(owner_id),
        "exported_at": to_timestamp(now),
        "category": category,
        "templates": sorted(templates, key=lambda t: (t["category"], t["name"])),
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# -- reading a file ------------------------------------------------------------------------------
def parse_file(data: bytes, scope: Scope) -> TemplateFile:
    """The file's templates; ImportRefused naming the first problem found."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(f"the file is {len(data):,} bytes; at most {MAX_FILE_BYTES:,} are accepted")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRefused(f"the file is not UTF-8 text (byte {error.start})") from None
    if _nesting(text) > MAX_DEPTH:
        raise ImportRefused(f"the JSON is nested more than {MAX_DEPTH} levels deep; this is not an export file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRefused(f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except (RecursionError, ValueError) as error:
        raise ImportRefused(f"not valid JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused(f'this is not a Dispute Desk template file (its "format" must be "{FORMAT}")')
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportRefused('"format_version" must be a whole number')
    if version > FORMAT_VERSION:
        raise ImportRefused(f"the file is format version {version}; this Dispute Desk reads version {FORMAT_VERSION}")
    entries = document.get("templates")
    if not isinstance(entries, list):
        raise ImportRefused('"templates" must be a list')
    cap = MAX_SERVER_TEMPLATES if scope == "guild" else MAX_PERSONAL_TEMPLATES
    if len(entries) > cap:
        raise ImportRefused(f"the file holds {len(entries)} templates; a library holds at most {cap}")
    source = document.get("source_id")
    source_id = int(source) if isinstance(source, str) and source.isdigit() else None
    file_scope = document.get("scope")
    templates: list[FileTemplate] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        templates.append(_file_template(number, entry))
        if templates[-1].name in seen:
            raise ImportRefused(f"template {number}: the name `{templates[-1].name}` appears twice")
        seen.add(templates[-1].name)
    same_kind = file_scope == scope
    return TemplateFile(scope, source_id if same_kind else None, tuple(templates))


def _nesting(text: str) -> int:
    """How deep brackets nest outside strings, without building anything (a cheap first look)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _file_template(number: int, entry: object) -> FileTemplate:
    where = f"template {number}"
    if not isinstance(entry, dict):
        raise ImportRefused(f"{where} is not an object")
    unknown = set(entry) - {"name", "title", "category", "body", "version"}
    if unknown:
        raise ImportRefused(f"{where} has an unknown field `{sorted(unknown)[0][:40]}`")
    values: dict[str, str] = {}
    for key, limit in TEXT_MAX.items():
        value = entry.get(key, "" if key == "category" else None)
        if not isinstance(value, str):
            raise ImportRefused(f'{where}: "{key}" must be text')
        if len(value) > limit:
            raise ImportRefused(f'{where}: "{key}" is {len(value):,} characters; at most {limit:,}')
        values[key] = value
    version = entry.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
        raise ImportRefused(f'{where}: "version" must be a whole number')
    return FileTemplate(values["name"], values["title"], values["category"], values["body"], version)


# -- planning and applying -----------------------------------------------------------------------
async def checked_records(
    parsed: TemplateFile,
    shared: Mapping[str, TemplateVariable],
    timeout_s: float = LINT_TIMEOUT_S,
    checker: TemplateChecker | None = None,
    renderer: AsyncRenderer = render_here,
    today: date | None = None,
) -> list[tuple[FileTemplate, TemplateRecord]]:
    """Every template through the authoring checks: the lint in the check process, then a render
    with sample values in the sandbox, as when it is written by hand; the first problem refuses."""
    checker = checker or TemplateChecker()
    today = today or datetime.now(UTC).date()
    result: list[tuple[FileTemplate, TemplateRecord]] = []
    for number, template in enumerate(parsed.templates, start=1):
        typed = {"name": template.name, "title": template.title, "category": template.category, "body": template.body}
        draft = clean_draft(typed)
        try:
            problems, variables = await checker.check(draft, shared, timeout_s)
        except TimeoutError:
            problems, variables = [AuthorProblem("Body", f"checking it took longer than {timeout_s:g} s")], ()
        if problems:
            raise ImportRefused(f"template {number} (`{template.name[:40]}`): {problems[0]}")
        if draft.name != template.name:
            raise ImportRefused(f"template {number}: `{template.name[:40]}` is not a valid name (try `{draft.name}`)")
        try:
            await render_sample(renderer, parsed.scope, 0, draft, variables, today)
        except TemplateError as error:
            raise ImportRefused(f"template {number} (`{template.name[:40]}`): {render_problem(error)}") from None
        result.append((template, personal_record(draft, variables)))
    return result


async def plan_import(
    db: Database,
    scope: Scope,
    owner_id: int,
    data: bytes,
    shared: Mapping[str, TemplateVariable],
    *,
    on_conflict: OnConflict = "keep",
    checker: TemplateChecker | None = None,
    renderer: AsyncRenderer = render_here,
) -> ImportPlan:
    """The dry run: what importing ``data`` into the library would do. Nothing is written."""
    parsed = parse_file(data, scope)
    records = await checked_records(parsed, shared, checker=checker, renderer=renderer)
    return await _plan(db, parsed, records, owner_id, on_conflict)


async def _plan(
    db: Database,
    parsed: TemplateFile,
    records: Sequence[tuple[FileTemplate, TemplateRecord]],
    owner_id: int,
    on_conflict: OnConflict,
) -> ImportPlan:
    scope = parsed.scope
    existing: dict[str, tuple[int, int | None, TemplateRecord]] = {}
    if scope == "guild":
        for stored in await ServerTemplateRepository(db).list_all(owner_id):
            existing[stored.name] = (stored.id, stored.version, _content(stored.template))
    else:
        for t in await ReplyTemplateRepository(db).list_owned("user", owner_id):
            existing[t.name] = (t.id, None, _content(t))
    same_source = parsed.source_id == owner_id
    entries: list[PlannedTemplate] = []
    for template, record in records:
        found = existing.get(record.name)
        if found is None:
            entries.append(PlannedTemplate(record.name, "added", "added", record, writes=True))
            continue
        existing_id, version, content = found
        if _same(content, record):
            entries.append(PlannedTemplate(record.name, "unchanged", "kept as it is", record, existing_id, version))
        elif same_source and version is not None and template.version == version:
            entries.append(
                PlannedTemplate(record.name, "changed", "the file's text is saved as a new version", record,
                                existing_id, version, writes=True)
            )  # fmt: skip
        elif on_conflict == "replace":
            what = "a new version (the old one stays in the history)" if scope == "guild" else "it replaces yours"
            entries.append(
                PlannedTemplate(record.name, "conflict", f"the file's text wins: {what}", record, existing_id,
                                version, writes=True)
            )  # fmt: skip
        else:
            entries.append(
                PlannedTemplate(record.name, "conflict", "the library keeps its text (import with replace to take "
                                "the file's)", record, existing_id, version)
            )  # fmt: skip
    cap = MAX_SERVER_TEMPLATES if scope == "guild" else MAX_PERSONAL_TEMPLATES
    added = sum(1 for e in entries if e.kind == "added")
    if len(existing) + added > cap:
        raise ImportRefused(
            f"the library has {len(existing)} templates and the file adds {added}; a library holds at most {cap}"
        )
    return ImportPlan(scope, owner_id, on_conflict, tuple(entries))


async def apply_import(
    db: Database,
    scope: Scope,
    owner_id: int,
    data: bytes,
    shared: Mapping[str, TemplateVariable],
    *,
    author_id: int,
    now: datetime,
    on_conflict: OnConflict = "keep",
    expected_digest: str | None = None,
    checker: TemplateChecker | None = None,
    renderer: AsyncRenderer = render_here,
) -> ImportPlan:
    """Import for real, all or nothing in one transaction; LibraryMoved when it differs from the dry run."""
    parsed = parse_file(data, scope)
    records = await checked_records(parsed, shared, checker=checker, renderer=renderer, today=now.date())
    async with db.transaction():
        plan = await _plan(db, parsed, records, owner_id, on_conflict)
        if expected_digest is not None and plan.digest != expected_digest:
            raise LibraryMoved()
        for entry in plan.entries:
            if entry.writes:
                await _write(db, plan, entry, author_id, now)
    return plan


async def _write(db: Database, plan: ImportPlan, entry: PlannedTemplate, author_id: int, now: datetime) -> None:
    if plan.scope == "guild":
        servers = ServerTemplateRepository(db)
        if entry.existing_id is None:
            saved = await servers.create(
                plan.owner_id, entry.record, author_id=author_id, cap=MAX_SERVER_TEMPLATES, now=now, action="import"
            )
            if saved is None:  # counted in the plan; only a concurrent save gets here
                raise ImportRefused(f"the library is full ({MAX_SERVER_TEMPLATES} templates)")
        else:
            await servers.save(
                plan.owner_id, entry.existing_id, entry.record, base_version=entry.existing_version or 0,
                author_id=author_id, now=now, action="import",
            )  # fmt: skip
        return
    personal = ReplyTemplateRepository(db)
    try:
        if entry.existing_id is None:
            await personal.create("user", plan.owner_id, entry.record, cap=MAX_PERSONAL_TEMPLATES)
        else:
            await personal.update(entry.existing_id, entry.record)
    except TemplateNameTaken:
        raise LibraryMoved() from None


def _content(stored: Any) -> TemplateRecord:
    return TemplateRecord(stored.name, stored.title, stored.category, stored.description, stored.body)


def _same(a: TemplateRecord, b: TemplateRecord) -> bool:
    return (a.title, a.category, a.body) == (b.title, b.category, b.body)
