"""Compile Logs Insights expressions (fields, operators, functions, aggregations) to DuckDB SQL.

:class:`ExpressionCompiler` holds what every command compiler shares: the bound parameters, the
CTE chain, fresh column names, and the translation of an expression into a typed
:class:`~opsbook.insights.values.Value` in the scope of a relation (:class:`Rel`).

Examples
--------
>>> import datetime as dt
>>> from opsbook.insights.parser import parse_query
>>> query = parse_query("fields concat(a, 'x') as b")
>>> compiler = ExpressionCompiler(query, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None)
>>> value = compiler.expr(query.commands[0].items[0].expr, Rel("e0", {}, False))
>>> value.kind, compiler.params
('str', ['x'])
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from opsbook import clock
from opsbook.insights import ast
from opsbook.insights.errors import MalformedQueryError
from opsbook.insights.fields import discovered
from opsbook.insights.functions import AGGREGATIONS, FUNCTIONS, re2
from opsbook.insights.values import Value, as_bool, as_json, as_num, as_text, as_ts

__all__ = ["NULL", "CallSite", "ExpressionCompiler", "Rel", "number_text"]

NULL = Value("CAST(NULL AS VARCHAR)", "str")
_COMPARE = {"=", "!=", "<", "<=", ">", ">="}


def _to_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@dataclass
class Rel:
    """A relation of the pipeline: its CTE name, the fields in scope and its output shape."""

    name: str
    scope: dict[str, Value]
    events: bool
    order: list[str] | None = None
    default_order: list[str] = field(default_factory=list)
    shown: list[tuple[str, Value]] = field(default_factory=list)


def number_text(value: float) -> str:
    """Render a number as GetQueryResults does: integers without a decimal point."""
    if value != value:  # NaN
        return "NaN"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class ExpressionCompiler:
    """Bound parameters, the CTE chain and expression translation, shared by all commands."""

    def __init__(
        self, query: ast.Query, start: dt.datetime | None, end: dt.datetime | None
    ) -> None:
        self.query = query
        self.text = query.text
        self.start = start or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        self.end = end or clock.now().to_pydatetime()
        self.params: list[object] = []
        self.regexes: list[tuple[str, int]] = []
        self.ctes: list[tuple[str, str]] = []
        self.counter = 0

    # -- helpers ------------------------------------------------------------------------------

    def fail(self, offset: int, expected: str, found: str | None = None) -> MalformedQueryError:
        return MalformedQueryError(self.text, offset, expected, found)

    def bind(self, constant: object) -> str:
        for i, existing in enumerate(self.params):
            if type(existing) is type(constant) and existing == constant:
                return f"${i + 1}"
        self.params.append(constant)
        return f"${len(self.params)}"

    def column(self) -> str:
        self.counter += 1
        return f"c{self.counter}"

    def add_cte(self, rel: Rel, sql: str, **changes: object) -> Rel:
        name = f"e{len(self.ctes) + 1}"
        self.ctes.append((name, sql))
        return dataclasses.replace(rel, name=name, **changes)  # type: ignore[arg-type]

    def epoch_ms(self, moment: dt.datetime) -> int:
        return int(moment.timestamp() * 1000)

    # -- expressions --------------------------------------------------------------------------

    def expr(
        self, node: ast.Expr, rel: Rel, aggregate: bool = False, inside: bool = False
    ) -> Value:
        if isinstance(node, ast.Field):
            if node.name in rel.scope:
                return rel.scope[node.name]
            member = self.json_member(node.name, rel)
            if member is not None:
                return member
            return discovered(node.name) if rel.events else NULL
        if isinstance(node, ast.Literal):
            if isinstance(node.value, str):
                return Value(f"CAST({self.bind(node.value)} AS VARCHAR)", "str")
            return Value(f"CAST({node.value!r} AS DOUBLE)", "num")
        if isinstance(node, ast.Regex):
            raise self.fail(node.start, "a value (a /regex/ is allowed after like, =~ or in parse)")
        if isinstance(node, ast.Duration):
            raise self.fail(node.start, "a value (a period such as 5m only goes inside bin())")
        if isinstance(node, ast.Unary):
            operand = self.expr(node.operand, rel, aggregate, inside)
            if node.op == "not":
                return Value(f"(NOT {as_bool(operand).sql})", "bool")
            return Value(f"(-{as_num(operand).sql})", "num")
        if isinstance(node, ast.Binary):
            left = self.expr(node.left, rel, aggregate, inside)
            right = self.expr(node.right, rel, aggregate, inside)
            return self.binary(node.op, left, right)
        if isinstance(node, ast.Like):
            text = as_text(self.expr(node.operand, rel, aggregate, inside)).sql
            if isinstance(node.pattern, ast.Regex):
                pattern = re2(node.pattern.pattern)
                self.regexes.append((pattern, node.pattern.start))
                test = f"regexp_matches({text}, {self.bind(pattern)})"
            else:
                assert isinstance(node.pattern, ast.Literal)
                test = f"contains({text}, {self.bind(str(node.pattern.value))})"
            return Value(f"(NOT {test})" if node.negated else f"({test})", "bool")
        if isinstance(node, ast.InList):
            text = as_text(self.expr(node.operand, rel, aggregate, inside)).sql
            members = []
            for value in node.values:
                if isinstance(value, ast.Literal):
                    literal = (
                        value.value if isinstance(value.value, str) else number_text(value.value)
                    )
                    members.append(self.bind(literal))
                else:
                    members.append(as_text(self.expr(value, rel, aggregate, inside)).sql)
            if not members:
                return Value("(false)" if not node.negated else "(true)", "bool")
            op = "NOT IN" if node.negated else "IN"
            return Value(f"({text} {op} ({', '.join(members)}))", "bool")
        if isinstance(node, ast.Access):
            base = as_json(self.expr(node.base, rel, aggregate, inside)).sql
            if isinstance(node.key, int):
                path = f"$[{node.key}]"
            else:
                path = '$."' + str(node.key).replace('"', '\\"') + '"'
            return Value(f"json_extract({base}, {self.bind(path)})", "json")
        if isinstance(node, ast.InQuery):
            return self.in_query(node, rel)
        assert isinstance(node, ast.Call)
        return self.call(node, rel, aggregate, inside)

    def in_query(self, node: ast.InQuery, rel: Rel) -> Value:
        """Compile ``x in (subquery)`` (the pipeline compiler runs subqueries)."""
        raise self.fail(node.start, "a list of values (subqueries need the whole compiler)")

    def json_member(self, name: str, rel: Rel) -> Value | None:
        """Resolve ``j.a.0`` where ``j`` is a map or list from jsonParse (longest prefix wins)."""
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            base = rel.scope.get(".".join(parts[:cut]))
            if base is not None and base.kind == "json":
                path = "$" + "".join(
                    f"[{p}]" if p.isdigit() else '."' + p.replace('"', '\\"') + '"'
                    for p in parts[cut:]
                )
                return Value(f"json_extract({base.sql}, {self.bind(path)})", "json")
        return None

    def constant_text(self, value: Value) -> str | None:
        """Return the text of a bound string literal (``CAST($n AS VARCHAR)``), else None."""
        match = re.fullmatch(r"CAST\(\$(\d+) AS VARCHAR\)", value.sql)
        if not match:
            return None
        constant = self.params[int(match.group(1)) - 1]
        return constant if isinstance(constant, str) else None

    def binary(self, op: str, left: Value, right: Value) -> Value:
        if op in ("and", "or"):
            return Value(f"({as_bool(left).sql} {op.upper()} {as_bool(right).sql})", "bool")
        if op in _COMPARE:
            sql_op = "<>" if op == "!=" else op
            kinds = {left.kind, right.kind}
            if "ts" in kinds:
                return Value(f"({as_ts(left).sql} {sql_op} {as_ts(right).sql})", "bool")
            if "num" in kinds:
                return Value(f"({as_num(left).sql} {sql_op} {as_num(right).sql})", "bool")
            if kinds == {"bool"}:
                return Value(f"({left.sql} {sql_op} {right.sql})", "bool")
            a, b = as_text(left).sql, as_text(right).sql
            constant = self.constant_text(right) if left.kind == "str" else None
            if constant is not None and _to_number(constant) is None:
                return Value(f"({a} {sql_op} {b})", "bool")  # a non-number never compares as one
            numeric = f"(ob_to_num({a}) {sql_op} ob_to_num({b}))"
            return Value(
                f"(CASE WHEN ob_to_num({a}) IS NOT NULL AND ob_to_num({b}) IS NOT NULL "
                f"THEN {numeric} ELSE {a} {sql_op} {b} END)",
                "bool",
            )
        a, b = as_num(left).sql, as_num(right).sql
        if op == "/":
            return Value(f"({a} / nullif({b}, 0))", "num")
        if op == "%":
            return Value(f"fmod({a}, nullif({b}, 0))", "num")
        if op == "^":
            return Value(f"pow({a}, {b})", "num")
        return Value(f"({a} {op} {b})", "num")

    def call(self, node: ast.Call, rel: Rel, aggregate: bool, inside: bool) -> Value:
        name = node.name
        if name in AGGREGATIONS:
            if not aggregate:
                raise self.fail(
                    node.start, f"a function: {name}() is an aggregation, only allowed in stats"
                )
            if inside:
                raise self.fail(node.start, "a value: aggregations cannot be nested")
            low, high = AGGREGATIONS[name]
            count = len(node.args) + (1 if node.star else 0)
            if node.star and name != "count":
                raise self.fail(node.start, f"a field inside {name}(): only count accepts *")
            if not low <= count <= high:
                raise self.fail(node.start, f"{low}..{high} argument(s) for {name}()", f"{count}")
            return self.aggregation(node, rel)
        spec = FUNCTIONS.get(name)
        if spec is None:
            known = sorted(FUNCTIONS) + sorted(AGGREGATIONS)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise self.fail(
                node.start,
                f"a known function{hint}",
                repr(self.text[node.start : node.end].split("(")[0]),
            )
        if node.star:
            raise self.fail(node.start, f"arguments for {name}() (only count accepts *)")
        if len(node.args) < spec.low or (spec.high is not None and len(node.args) > spec.high):
            wanted = (
                f"{spec.low}"
                if spec.low == spec.high
                else f"{spec.low} or more"
                if spec.high is None
                else f"{spec.low}..{spec.high}"
            )
            raise self.fail(node.start, f"{wanted} argument(s) for {name}()", str(len(node.args)))
        return spec.build(CallSite(self, node, rel, aggregate, inside))

    def aggregation(self, node: ast.Call, rel: Rel) -> Value:
        name = node.name
        args = [self.expr(a, rel, True, True) for a in node.args]
        if name == "count":
            return Value(f"CAST(count({args[0].sql if args else '*'}) AS DOUBLE)", "num")
        if name == "count_distinct":
            return Value(f"CAST(count(DISTINCT {args[0].sql}) AS DOUBLE)", "num")
        if name in ("avg", "sum"):
            return Value(f"{name}({as_num(args[0]).sql})", "num")
        if name == "stddev":
            return Value(f"stddev_samp({as_num(args[0]).sql})", "num")
        if name == "pct":
            percent = node.args[1]
            if (
                not isinstance(percent, ast.Literal)
                or isinstance(percent.value, str)
                or not 0 <= percent.value <= 100
            ):
                raise self.fail(percent.start, "a percentile between 0 and 100")
            return Value(
                f"quantile_disc({as_num(args[0]).sql}, {float(percent.value) / 100!r})", "num"
            )
        value = args[0]
        if name in ("min", "max"):
            if value.kind in ("num", "ts", "bool"):
                return Value(f"{name}({value.sql})", value.kind)
            text = as_text(value).sql
            return Value(
                f"CASE WHEN count(ob_to_num({text})) > 0 THEN ob_num_text({name}(ob_to_num({text}))) "
                f"ELSE {name}({text}) END",
                "str",
            )
        if name in ("earliest", "latest"):
            if not rel.events:
                raise self.fail(
                    node.start, f"{name}() over events (after stats there is no @timestamp)"
                )
            way = "arg_min" if name == "earliest" else "arg_max"
            return Value(
                f"{way}({value.sql}, t_ts) FILTER (WHERE {value.sql} IS NOT NULL)", value.kind
            )
        way = "arg_min" if name == "sortsfirst" else "arg_max"
        if value.kind in ("num", "ts"):
            return Value(f"{way}({value.sql}, {value.sql})", value.kind)
        text = as_text(value).sql
        key = (
            f"{{'n': ob_is_number({text}), 'v': ob_to_num({text}), "
            f"'k': CASE WHEN ob_is_number({text}) THEN {text} ELSE ob_natural_key({text}) END}}"
        )
        return Value(f"{way}({text}, {key}) FILTER (WHERE {text} IS NOT NULL)", "str")


@dataclass
class CallSite:
    """What a function builder sees: its call, the relation, and the compiler's helpers."""

    compiler: ExpressionCompiler
    node: ast.Call
    rel: Rel
    aggregate: bool
    inside: bool

    def value(self, index: int) -> Value:
        return self.compiler.expr(self.node.args[index], self.rel, self.aggregate, self.inside)

    def values(self) -> list[Value]:
        return [self.value(i) for i in range(len(self.node.args))]

    def bind(self, constant: object) -> str:
        return f"CAST({self.compiler.bind(constant)} AS VARCHAR)"

    def fail(self, expected: str, node: ast.Expr | None = None) -> MalformedQueryError:
        return self.compiler.fail((node or self.node).start, expected)

    def timestamp(self) -> Value:
        if "@timestamp" not in self.rel.scope:
            raise self.fail(
                f"@timestamp for {self.node.name}() (after stats, carry it as e.g. max(@timestamp) as t)"
            )
        return self.rel.scope["@timestamp"]

    def now_epoch_ms(self) -> int:
        return self.compiler.epoch_ms(self.compiler.end)

    def start_epoch_ms(self) -> int:
        return self.compiler.epoch_ms(self.compiler.start)
