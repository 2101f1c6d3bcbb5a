"""Parse the commands that pick data or compare periods: SOURCE, join, lookup, diff, anomaly...

Each function reads one command after its keyword from the parser (a
:class:`opsbook.insights.parser` ``_Parser``) and returns its AST node. The core pipeline
commands (fields, filter, stats...) stay in :mod:`opsbook.insights.parser`.

Examples
--------
>>> from opsbook.insights.parser import parse_query
>>> parse_query("SOURCE logGroups(namePrefix: ['/ecs/']) | fields @message").commands[0].prefixes
('/ecs/',)
>>> parse_query("lookup users id as userId OUTPUT name").commands[0].keys
(('id', 'userId'),)
"""

from __future__ import annotations

from typing import Any

from opsbook.insights import ast
from opsbook.insights.errors import MalformedQueryError

__all__ = ["MAX_ACCOUNTS", "MAX_PREFIXES", "PERIODS", "parse_extension"]

#: ``diff`` modifiers (``previousPeriod`` is the bare ``diff``).
PERIODS = ("previousPeriod", "previousDay", "previousWeek", "previousMonth")
#: SOURCE logGroups() takes at most this many name prefixes and account ids (documented).
MAX_PREFIXES = 5
MAX_ACCOUNTS = 20
_SELECTORS = {"nameprefix": "prefixes", "class": "classes", "loggroupclass": "classes",
              "accountidentifiers": "accounts", "accountidentifier": "accounts"}  # fmt: skip
_CLASSES = ("STANDARD", "INFREQUENT_ACCESS", "DELIVERY")


def parse_extension(p: Any, word: str, start: int) -> ast.Command:
    """Parse the command ``word`` (already taken) starting at ``start``."""
    return _PARSERS[word](p, start)


def _strings(p: Any, what: str) -> tuple[str, ...]:
    """Read ``'a'`` or ``['a', 'b']``."""
    if p.peek().kind == "string":
        return (str(p.take().value),)
    p.expect_op("[", f"{what} as a quoted string or a [list] of them")
    values: list[str] = []
    while not p.at_op("]"):
        token = p.peek()
        if token.kind != "string":
            raise p.fail(f"{what} as a quoted string")
        values.append(str(p.take().value))
        if not p.at_op("]"):
            p.expect_op(",", "',' or ']'")
    p.take()
    return tuple(values)


def _source(p: Any, start: int) -> ast.Source:
    token = p.peek()
    if token.kind == "string":
        groups = p.listed(lambda: _strings(p, "a log group name"))
        return ast.Source(names=tuple(name for group in groups for name in group), start=start)
    if not (token.kind == "name" and token.text.lower() == "loggroups"):
        raise p.fail("logGroups(...) or a quoted log group name after SOURCE")
    p.take()
    p.expect_op("(", "'(' after logGroups")
    found: dict[str, tuple[str, ...]] = {}
    while not p.at_op(")"):
        key = p.peek()
        slot = _SELECTORS.get(key.text.lower()) if key.kind == "name" else None
        if slot is None:
            raise p.fail("namePrefix:, class: or accountIdentifiers:")
        p.take()
        if not p.at_op(":"):
            raise p.fail(f"':' after {key.text}")
        p.take()
        found[slot] = found.get(slot, ()) + _strings(p, key.text)
        if not p.at_op(")"):
            p.expect_op(",", "',' or ')'")
    p.take()
    classes = tuple(c.upper() for c in found.get("classes", ()))
    bad = [c for c in classes if c not in _CLASSES]
    if bad or len(found.get("prefixes", ())) > MAX_PREFIXES:
        raise MalformedQueryError(
            p.text, start,
            f"at most {MAX_PREFIXES} name prefixes and classes among {', '.join(_CLASSES)}",
            ", ".join(bad) or f"{len(found['prefixes'])} prefixes",
        )  # fmt: skip
    if len(found.get("accounts", ())) > MAX_ACCOUNTS:
        raise MalformedQueryError(p.text, start, f"at most {MAX_ACCOUNTS} account identifiers")
    return ast.Source(
        prefixes=found.get("prefixes", ()), classes=classes, accounts=found.get("accounts", ()),
        selector=True, start=start,
    )  # fmt: skip


def _filter_index(p: Any, start: int) -> ast.FilterIndex:
    condition = p.expr()
    operand = None
    if isinstance(condition, ast.Binary) and condition.op == "=":
        operand = condition.left
    elif isinstance(condition, ast.InList) and not condition.negated:
        operand = condition.operand
    if not isinstance(operand, ast.Field):
        raise MalformedQueryError(
            p.text, condition.start, "an indexed field = value, or field in [values]"
        )
    return ast.FilterIndex(condition, start=start)


def _unmask(p: Any, start: int) -> ast.Unmask:
    fields = p.listed(p.field) if p.peek().kind == "name" else []
    return ast.Unmask(tuple(fields), start=start)


def _lookup(p: Any, start: int) -> ast.Lookup:
    def key() -> tuple[str, str]:
        column = p.name()
        if not p.at_word("as"):
            return column, column
        p.take()
        return column, p.name()

    table = p.name()
    keys = p.listed(key)
    p.expect_word("output", "OUTPUT and the lookup table's fields to add")
    outputs = p.listed(p.name)
    return ast.Lookup(table, tuple(keys), tuple(outputs), start=start)


def _diff(p: Any, start: int) -> ast.Diff:
    token = p.peek()
    if token.kind == "name" and not token.quoted:
        period = {w.lower(): w for w in PERIODS}.get(token.text.lower())
        if period is None:
            raise p.fail(f"one of {', '.join(PERIODS[1:])}, '|' or the end of the query")
        p.take()
        return ast.Diff(period, start=start)
    return ast.Diff(start=start)


def _anomaly(p: Any, start: int) -> ast.Anomaly:
    return ast.Anomaly(start=start)


def _join(p: Any, start: int) -> ast.Join:
    options = {"type": "inner", "left": "", "right": ""}
    while not p.at_word("where"):
        key = p.peek()
        if key.kind != "name" or key.text.lower() not in options:
            raise p.fail("type=, left=, right= or where")
        p.take()
        p.expect_op("=", f"'=' after {key.text}")
        options[key.text.lower()] = p.name()
    if options["type"].lower() not in ("inner", "left"):
        raise MalformedQueryError(p.text, start, "type=inner or type=left", options["type"])
    left, right = options["left"], options["right"]
    if not left or not right or left == right:
        raise MalformedQueryError(p.text, start, "two different aliases: left=<name> right=<name>")
    p.take()  # where

    def key() -> tuple[str, str]:
        a = p.name()
        p.expect_op("=", "'=' between the two join fields")
        b = p.name()
        sides = {a.split(".", 1)[0]: a, b.split(".", 1)[0]: b}
        if set(sides) != {left, right}:
            raise p.fail(f"{left}.<field> = {right}.<field>")
        return sides[left].split(".", 1)[1], sides[right].split(".", 1)[1]

    keys = p.listed(key, "and")
    p.expect_op("(", "'(' and the query of the right side (SOURCE 'group' | ...)")
    query = p.subquery()
    return ast.Join(options["type"].lower(), left, right, tuple(keys), query, start=start)


_PARSERS = {
    "source": _source,
    "filterindex": _filter_index,
    "unmask": _unmask,
    "lookup": _lookup,
    "diff": _diff,
    "anomaly": _anomaly,
    "join": _join,
}
