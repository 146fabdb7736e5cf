"""Validate request bodies against Discord's OpenAPI description, plus rules it cannot express.

The document is loaded once per process and the validators are compiled once per schema.
The project keeps its own copy of the description in ``discord_api_spec/`` beside this module, so
every clone validates; ``$DISPUTE_DESK_SPEC_DIR`` may point at another folder holding ``openapi.json``.
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ._model import MESSAGE_FLAG_COMPONENTS_V2, walk_components

SPEC_ENV = "DISPUTE_DESK_SPEC_DIR"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
_DOC_URI = "urn:discord:openapi"

CALLBACK_ROUTE = "/interactions/{interaction_id}/{interaction_token}/callback"
_CALLBACK_SCHEMAS = {
    4: "CreateMessageInteractionCallbackRequest",
    5: "CreateMessageInteractionCallbackRequest",
    6: "UpdateMessageInteractionCallbackRequest",
    7: "UpdateMessageInteractionCallbackRequest",
    8: "ApplicationCommandAutocompleteCallbackRequest",
    9: "ModalInteractionCallbackRequest",
}
# (method, route template) -> schema name; arrays are validated element by element.
ROUTE_SCHEMAS: dict[tuple[str, str], str] = {
    ("PUT", "/applications/{application_id}/commands"): "ApplicationCommandUpdateRequest[]",
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"): "ApplicationCommandUpdateRequest[]",
    ("POST", "/applications/{application_id}/commands"): "ApplicationCommandCreateRequest",
    ("POST", "/applications/{application_id}/guilds/{guild_id}/commands"): "ApplicationCommandCreateRequest",
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"): "IncomingWebhookInteractionRequest",
    (
        "PATCH",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    ): "IncomingWebhookUpdateRequestPartial",
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): (
        "IncomingWebhookUpdateRequestPartial"
    ),
    ("POST", "/channels/{channel_id}/messages"): "MessageCreateRequest",
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): "MessageEditRequestPartial",
    ("POST", "/users/@me/channels"): "CreatePrivateChannelRequest",
}

MAX_LEGACY_ROWS = 5
MAX_ROW_BUTTONS = 5
MAX_V2_COMPONENTS = 40
MAX_MODAL_ITEMS = 5


VENDORED_SPEC_DIR = Path(__file__).resolve().parent / "discord_api_spec"


class SpecNotFoundError(RuntimeError):
    """``$DISPUTE_DESK_SPEC_DIR`` names a folder without ``openapi.json``."""


def find_spec_dir() -> Path:
    """``$DISPUTE_DESK_SPEC_DIR`` if set, else the copy vendored beside this module."""
    env = os.environ.get(SPEC_ENV)
    folder = Path(env) if env else VENDORED_SPEC_DIR
    document = folder / "openapi.json"
    if not document.is_file():
        where = f"named by {SPEC_ENV}" if env else "vendored with the project"
        raise SpecNotFoundError(f"{document} ({where}) does not exist")
    return folder


@dataclass(frozen=True)
class SpecProblem:
    """One rule a request body broke."""

    method: str
    route: str
    json_path: str
    message: str

    def __str__(self) -> str:
        return f"{self.method} {self.route}: at {self.json_path}: {self.message}"


def _json_path(parts: Any) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class SpecValidator:
    """Compiled validators for the request schemas named in :data:`ROUTE_SCHEMAS`."""

    def __init__(self, spec_dir: Path) -> None:
        with (spec_dir / "openapi.json").open(encoding="utf-8") as fh:
            document = json.load(fh)
        schemas = document["components"]["schemas"]
        # Discord accepts integer snowflakes in JSON bodies (discord.py sends some ids as ints).
        original = copy.deepcopy(schemas["SnowflakeType"])
        schemas["SnowflakeType"] = {"anyOf": [original, {"type": "integer", "minimum": 0}]}
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_DOC_URI, resource)
        self._schemas = schemas
        self._validators: dict[str, Draft202012Validator] = {}
        self._lock = threading.Lock()

    def validator(self, schema_name: str) -> Draft202012Validator:
        try:
            return self._validators[schema_name]
        except KeyError:
            pass
        with self._lock:
            if schema_name not in self._schemas:
                raise KeyError(f"no schema {schema_name!r} in the OpenAPI document")
            ref = {"$ref": f"{_DOC_URI}#/components/schemas/{schema_name}"}
            v = Draft202012Validator(ref, registry=self._registry)
            self._validators[schema_name] = v
            return v

    def schema_problems(self, method: str, route: str, schema_name: str, body: Any) -> list[SpecProblem]:
        errors: list[ValidationError] = list(self.validator(schema_name).iter_errors(body))
        problems = []
        for err in errors[:5]:
            deepest = best_match([err]) if err.context else err
            problems.append(
                SpecProblem(
                    method,
                    route,
                    _json_path(deepest.absolute_path),
                    f"{deepest.message[:300]} (schema {schema_name})",
                )
            )
        return problems

    def validate(
        self, method: str, route: str, body: Any, *, creates_message: bool = False
    ) -> list[SpecProblem]:
        """All problems of ``body`` sent to ``method route`` (a route template like in the spec)."""
        problems: list[SpecProblem] = []
        key = (method, route)
        if route == CALLBACK_ROUTE and method == "POST":
            if not isinstance(body, dict) or body.get("type") not in _CALLBACK_SCHEMAS:
                kind = body.get("type") if isinstance(body, dict) else body
                return [SpecProblem(method, route, "$.type", f"unsupported callback type {kind!r}")]
            problems += self.schema_problems(method, route, _CALLBACK_SCHEMAS[body["type"]], body)
        elif key in ROUTE_SCHEMAS:
            name = ROUTE_SCHEMAS[key]
            if name.endswith("[]"):
                if not isinstance(body, list):
                    return [SpecProblem(method, route, "$", f"expected an array, got {_short(body)}")]
                if len(body) > 130:
                    problems.append(SpecProblem(method, route, "$", f"{len(body)} commands (max 130)"))
                for i, item in enumerate(body):
                    for p in self.schema_problems(method, route, name[:-2], item):
                        problems.append(SpecProblem(method, route, f"$[{i}]" + p.json_path[1:], p.message))
            else:
                problems += self.schema_problems(method, route, name, body)
        problems += semantic_problems(method, route, body, creates_message=creates_message)
        return problems


@lru_cache(maxsize=4)
def load_validator(spec_dir: Path | None = None) -> SpecValidator:
    """The process-wide validator for ``spec_dir`` (default: :func:`find_spec_dir`)."""
    return SpecValidator(spec_dir or find_spec_dir())


# ---------------------------------------------------------------- rules the schema can't express


def is_valid_command_name(name: str) -> bool:
    """Discord's ``^[-_\\p{L}\\p{N}]{1,32}$``, which must also equal its lowercase form."""
    if not 1 <= len(name) <= 32 or name != name.lower():
        return False
    for ch in name:
        if ch in "-_":
            continue
        cat = unicodedata.category(ch)
        if not cat.startswith(("L", "N")):
            return False
    return True


def _command_problems(method: str, route: str, cmd: Any, where: str) -> list[SpecProblem]:
    out: list[SpecProblem] = []
    if not isinstance(cmd, dict):
        return out
    ctype = cmd.get("type", 1) or 1
    name = cmd.get("name")
    if ctype == 1 and isinstance(name, str) and not is_valid_command_name(name):
        out.append(SpecProblem(method, route, f"{where}.name", f"invalid slash command name {name!r}"))
    if ctype in (2, 3) and cmd.get("description"):
        out.append(SpecProblem(method, route, f"{where}.description", "context menus have no description"))

    def options(opts: Any, path: str, depth: int) -> None:
        if not isinstance(opts, list):
            return
        seen: set[str] = set()
        required_done = False
        for i, opt in enumerate(opts):
            if not isinstance(opt, dict):
                continue
            p = f"{path}[{i}]"
            oname = opt.get("name")
            if isinstance(oname, str):
                if not is_valid_command_name(oname):
                    out.append(SpecProblem(method, route, f"{p}.name", f"invalid option name {oname!r}"))
                if oname in seen:
                    out.append(SpecProblem(method, route, f"{p}.name", f"duplicate option name {oname!r}"))
                seen.add(oname)
            if opt.get("type") in (1, 2):
                if opt.get("type") == 2 and depth > 0:
                    out.append(SpecProblem(method, route, p, "subcommand groups nest only one level"))
                options(opt.get("options"), f"{p}.options", depth + 1)
            else:
                if opt.get("required"):
                    if required_done:
                        out.append(
                            SpecProblem(method, route, p, "required options must come before optional ones")
                        )
                else:
                    required_done = True
                if opt.get("autocomplete") and opt.get("choices"):
                    out.append(SpecProblem(method, route, p, "autocomplete and choices are exclusive"))

    options(cmd.get("options"), f"{where}.options", 0)
    return out


def _message_problems(
    method: str, route: str, msg: Any, where: str, *, creates_message: bool, modal: bool = False
) -> list[SpecProblem]:
    out: list[SpecProblem] = []
    if not isinstance(msg, dict):
        return out
    comps = msg.get("components")
    if isinstance(comps, list):
        flags = msg.get("flags") or 0
        all_comps = list(walk_components([c for c in comps if isinstance(c, dict)]))
        if modal:
            if not 1 <= len(comps) <= MAX_MODAL_ITEMS:
                out.append(
                    SpecProblem(method, route, f"{where}.components", f"{len(comps)} modal items (1-5)")
                )
        elif flags & MESSAGE_FLAG_COMPONENTS_V2:
            if len(all_comps) > MAX_V2_COMPONENTS:
                out.append(
                    SpecProblem(method, route, f"{where}.components", f"{len(all_comps)} components (max 40)")
                )
            for key in ("content", "embeds"):
                if msg.get(key):
                    out.append(
                        SpecProblem(method, route, f"{where}.{key}", f"{key} not allowed with Components V2")
                    )
        else:
            if len(comps) > MAX_LEGACY_ROWS:
                out.append(
                    SpecProblem(method, route, f"{where}.components", f"{len(comps)} action rows (max 5)")
                )
            for i, row in enumerate(comps):
                if not isinstance(row, dict):
                    continue
                if row.get("type") != 1:
                    out.append(
                        SpecProblem(
                            method,
                            route,
                            f"{where}.components[{i}].type",
                            "top-level components need the IS_COMPONENTS_V2 flag unless they are action rows",
                        )
                    )
                    continue
                children = row.get("components") or []
                kinds = [c.get("type") for c in children if isinstance(c, dict)]
                if any(k != 2 for k in kinds) and len(kinds) > 1:
                    out.append(
                        SpecProblem(
                            method,
                            route,
                            f"{where}.components[{i}]",
                            "a select must be alone in its action row",
                        )
                    )
                if len(kinds) > MAX_ROW_BUTTONS:
                    out.append(
                        SpecProblem(
                            method, route, f"{where}.components[{i}]", f"{len(kinds)} buttons (max 5)"
                        )
                    )
        seen: set[str] = set()
        for comp in all_comps:
            cid = comp.get("custom_id")
            if isinstance(cid, str):
                if cid in seen:
                    out.append(
                        SpecProblem(method, route, f"{where}.components", f"duplicate custom_id {cid!r}")
                    )
                seen.add(cid)
    if creates_message:
        am = msg.get("allowed_mentions")
        if not isinstance(am, dict) or am.get("parse") != []:
            out.append(
                SpecProblem(
                    method,
                    route,
                    f"{where}.allowed_mentions",
                    f"must be present with parse: [] (no mention parsing), got {_short(am)}",
                )
            )
    return out


def semantic_problems(
    method: str, route: str, body: Any, *, creates_message: bool = False
) -> list[SpecProblem]:
    """Discord rules outside the OpenAPI schema: names, component counts, custom_ids, mentions."""
    if route.endswith("/commands"):
        if isinstance(body, list):
            out: list[SpecProblem] = []
            names: set[tuple[int, str]] = set()
            for i, cmd in enumerate(body):
                out += _command_problems(method, route, cmd, f"$[{i}]")
                if isinstance(cmd, dict):
                    key = (cmd.get("type", 1) or 1, str(cmd.get("name")))
                    if key in names:
                        out.append(
                            SpecProblem(method, route, f"$[{i}].name", f"duplicate command {key[1]!r}")
                        )
                    names.add(key)
            return out
        return _command_problems(method, route, body, "$")
    if route == CALLBACK_ROUTE and isinstance(body, dict):
        kind = body.get("type")
        data = body.get("data")
        if kind == 9:
            return _message_problems(method, route, data, "$.data", creates_message=False, modal=True)
        if kind in (4, 7):
            return _message_problems(
                method, route, data, "$.data", creates_message=creates_message or kind == 4
            )
        return []
    if route.startswith(("/webhooks/", "/channels/")):
        return _message_problems(method, route, body, "$", creates_message=creates_message)
    return []


_TEMPLATE_PARAM = re.compile(r"\{[^}]+\}")


def template_to_regex(template: str) -> re.Pattern[str]:
    """``/channels/{channel_id}/messages`` -> a regex matching concrete paths, one group per parameter."""
    parts = _TEMPLATE_PARAM.split(template)
    names = _TEMPLATE_PARAM.findall(template)
    pattern = ""
    for i, part in enumerate(parts):
        pattern += re.escape(part)
        if i < len(names):
            pattern += f"(?P<{names[i][1:-1]}>[^/]+)"
    return re.compile(f"^{pattern}$")
