"""Context values handed to a template: plain builtins only, copied, bounded."""

from __future__ import annotations

from collections.abc import Mapping

from bot.errors import TemplateError

_MAX_DEPTH = 3
_MAX_TEXT = 4_000
_MAX_TOTAL = 20_000


def plain_values(values: Mapping[str, object]) -> dict[str, object]:
    """Copy ``values`` into plain dicts, lists, strings and numbers; refuse anything else.

    Subclasses (a ``Markup``, an enum, a model object) are converted or refused so that no method
    or attribute of a richer type ever reaches the template.
    """
    copied = {_key(k): _plain(v, 0) for k, v in values.items()}
    if _weight(copied) > _MAX_TOTAL:
        raise TemplateError(f"the values are larger than {_MAX_TOTAL:,} characters and items in total")
    return copied


def _weight(value: object) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return len(value) + sum(_weight(k) + _weight(v) for k, v in value.items())
    if isinstance(value, list):
        return len(value) + sum(_weight(v) for v in value)
    return 1


def _key(key: object) -> str:
    if not isinstance(key, str) or not key.isidentifier() or key.startswith("_"):
        raise TemplateError(f"invalid variable name: {key!r}")
    return str(key)


def _plain(value: object, depth: int) -> object:
    if value is None or type(value) is bool:
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        if len(value) > _MAX_TEXT:
            raise TemplateError(f"a value is longer than {_MAX_TEXT:,} characters")
        return str(value)
    if depth >= _MAX_DEPTH:
        raise TemplateError("values nest too deeply")
    if isinstance(value, Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    raise TemplateError(f"unsupported value type: {type(value).__name__}")
