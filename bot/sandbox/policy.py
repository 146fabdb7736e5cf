"""What a user template may contain, checked on its syntax tree, and the rewrites that bound it.

The check is an allow-list of node types: anything Jinja2 can parse that is not listed here
(macros, calls, includes, imports, blocks, ``{% set %}`` blocks, filter blocks, recursive loops,
attribute access other than ``loop.index`` and friends, names starting with ``_``, unknown filters
and tests) is refused with its line number. The same check runs when a template is linted and
whenever the sandbox compiles one, so a template that skipped the linter is refused all the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from jinja2 import nodes

from bot.sandbox.filters import FILTERS, TESTS

LOOP_ATTRIBUTES = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length"})
RESERVED_NAMES = frozenset({"loop", "self", "caller", "varargs", "kwargs", "namespace", "super"})

_ALLOWED = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.Name,
    nodes.If, nodes.For, nodes.Assign, nodes.With,
    nodes.Filter, nodes.Test, nodes.Compare, nodes.Operand,
    nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos,
    nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow, nodes.Concat,
    nodes.CondExpr, nodes.List, nodes.Tuple, nodes.Dict, nodes.Pair, nodes.Keyword,
    nodes.Getitem, nodes.Slice, nodes.Getattr,
)  # fmt: skip

_WHY_NOT: dict[type[nodes.Node], str] = {
    nodes.Macro: "macros are not available in quick replies",
    nodes.CallBlock: "{% call %} is not available in quick replies",
    nodes.Call: "calling functions or methods is not allowed; use a filter, e.g. {{ name|upper }}",
    nodes.Include: "{% include %} is not available in quick replies",
    nodes.Import: "{% import %} is not available in quick replies",
    nodes.FromImport: "{% from ... import %} is not available in quick replies",
    nodes.Extends: "{% extends %} is not available in quick replies",
    nodes.Block: "{% block %} is not available in quick replies",
    nodes.AssignBlock: "{% set %} blocks are not available; use {% set name = value %}",
    nodes.FilterBlock: "{% filter %} blocks are not available; apply the filter to a value",
    nodes.NSRef: "namespace attributes are not available",
    nodes.ScopedEvalContextModifier: "{% autoescape %} is not available in quick replies",
    nodes.Scope: "{% autoescape %} and scoped blocks are not available in quick replies",
}


@dataclass(frozen=True)
class PolicyProblem:
    line: int
    message: str


def check_policy(tree: nodes.Template) -> list[PolicyProblem]:
    """Every construct of ``tree`` that a user template may not use, in source order."""
    problems = list(_walk_problems(tree))
    problems.sort(key=lambda p: p.line)
    return problems


def _walk_problems(node: nodes.Node) -> Iterator[PolicyProblem]:
    line = node.lineno or 1
    if not isinstance(node, _ALLOWED):
        yield PolicyProblem(line, _WHY_NOT.get(type(node), f"{type(node).__name__} is not allowed"))
        return  # its children would only repeat the same complaint
    yield from _node_problems(node, line)
    for child in node.iter_child_nodes():
        yield from _walk_problems(child)


def _node_problems(node: nodes.Node, line: int) -> Iterator[PolicyProblem]:
    if isinstance(node, nodes.Name):
        if node.name.startswith("_"):
            yield PolicyProblem(line, f"names starting with '_' are not allowed: {node.name}")
        elif node.name in RESERVED_NAMES and node.ctx == "store":
            yield PolicyProblem(line, f"'{node.name}' is reserved; pick another name")
        elif node.name in RESERVED_NAMES - {"loop"}:
            yield PolicyProblem(line, f"'{node.name}' is not available in quick replies")
    elif isinstance(node, nodes.Getattr):
        if not (
            isinstance(node.node, nodes.Name) and node.node.name == "loop" and node.attr in LOOP_ATTRIBUTES
        ):
            yield PolicyProblem(
                line,
                f"attribute access ('.{node.attr}') is not allowed; only loop.index, loop.first, "
                "loop.last and similar; for a mapping write mapping['key']",
            )
    elif isinstance(node, nodes.Getitem):
        if (
            isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and node.arg.value.startswith("_")
        ):
            yield PolicyProblem(line, f"keys starting with '_' are not allowed: {node.arg.value!r}")
    elif isinstance(node, nodes.Filter | nodes.Test):
        yield from _filter_problems(node, line)
    elif isinstance(node, nodes.For) and node.recursive:
        yield PolicyProblem(line, "recursive loops are not allowed")


def _filter_problems(node: nodes.Filter | nodes.Test, line: int) -> Iterator[PolicyProblem]:
    kind, known = ("filter", FILTERS) if isinstance(node, nodes.Filter) else ("test", TESTS)
    if node.name not in known:
        allowed = ", ".join(sorted(known))
        yield PolicyProblem(line, f"unknown or unsafe {kind} '{node.name}'; allowed: {allowed}")
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        yield PolicyProblem(line, f"*args and **kwargs are not allowed in a {kind}")


def bound_tree(tree: nodes.Template) -> nodes.Template:
    """Rewrite ``tree`` in place so loops charge the iteration budget and values are weighed.

    ``{% for x in items %}`` becomes ``{% for x in items|_counted %}``, a literal ``[a, b]``
    becomes ``[a, b]|_bounded`` (weighed when built), and ``a ~ b`` becomes ``[a, b]|_concat``.
    The internal filters live in the environment under names authors cannot type (check_policy
    refuses ``_`` names), so they are only ever inserted here.
    """
    for loop in list(tree.find_all(nodes.For)):
        loop.iter = _internal_filter(loop.iter, "_counted")
    _wrap_literals(tree)
    _replace_concats(tree)  # after _wrap_literals: the lists it builds are not literals
    return tree


def _internal_filter(value: nodes.Node, name: str) -> nodes.Filter:
    return nodes.Filter(value, name, [], [], None, None, lineno=value.lineno)


def _is_literal(node: object) -> bool:
    """A list, dict or (loaded, not assigned-to) tuple literal: each is weighed when built."""
    if isinstance(node, nodes.Tuple):
        return node.ctx == "load"
    return isinstance(node, nodes.List | nodes.Dict)


def _wrap_literals(node: nodes.Node) -> None:
    for child in list(node.iter_child_nodes()):
        _wrap_literals(child)  # innermost first: an outer literal then sees weighed children
    for field, value in node.iter_fields():
        if _is_literal(value):
            setattr(node, field, _internal_filter(value, "_bounded"))
        elif isinstance(value, list):
            value[:] = [_internal_filter(v, "_bounded") if _is_literal(v) else v for v in value]


def _replace_concats(node: nodes.Node) -> None:
    for field, value in node.iter_fields():
        if isinstance(value, nodes.Concat):
            setattr(node, field, _concat_filter(value))
        elif isinstance(value, list):
            value[:] = [_concat_filter(v) if isinstance(v, nodes.Concat) else v for v in value]
    for child in node.iter_child_nodes():
        _replace_concats(child)


def _concat_filter(node: nodes.Concat) -> nodes.Filter:
    return _internal_filter(nodes.List(node.nodes, lineno=node.lineno), "_concat")
