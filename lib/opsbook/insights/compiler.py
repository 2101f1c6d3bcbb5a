"""Compile a parsed Logs Insights query into one DuckDB SQL statement with bound parameters.

The pipeline becomes a chain of CTEs over a view named ``events`` (columns ``timestamp``
TIMESTAMPTZ, ``message``, ``log_stream``, ``log_group``, ``ingestion_time``):

- ``e0`` applies the time range first and renames the system columns (``t_ts``, ``t_msg`` ...);
- each command that makes columns or changes rows adds a CTE (``SELECT *, <expr> AS cN``,
  ``WHERE``, ``GROUP BY``, ``QUALIFY`` for dedup); ``sort`` only records ORDER BY terms, applied
  by the next ``limit``/``dedup`` and by the final SELECT;
- discovered fields are SQL expressions over ``t_msg``, written only where the query references
  them, so an unreferenced field costs nothing.

Constants from the query text (strings, regexes) are bound as ``$n`` parameters, never formatted
into the SQL. Numbers and periods are validated by the parser and written as numerals.

Examples
--------
>>> from opsbook.insights.parser import parse_query
>>> compiled = compile_query(parse_query("filter level = 'ERROR' | stats count(*) by bin(1h)"))
>>> [c.name for c in compiled.columns]
['bin(1h)', 'count(*)']
>>> compiled.params[2]  # after the time range bounds $1 and $2
'ERROR'
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
from opsbook.insights.fields import SYSTEM_FIELDS, discovered
from opsbook.insights.functions import AGGREGATIONS, FUNCTIONS, re2
from opsbook.insights.semantics import (
    DECISIONS,
    DEFAULT_ROW_LIMIT,
    MAX_ROW_LIMIT,
    MAX_STATS_COMMANDS,
)
from opsbook.insights.values import Value, as_bool, as_json, as_num, as_text, as_ts

__all__ = ["Column", "Compiled", "compile_query", "glob_to_regex", "number_text"]

_DESCENDING_BY_DEFAULT = DECISIONS["default_sort_direction"].choice == "desc"
_NULL = Value("CAST(NULL AS VARCHAR)", "str")
_COMPARE = {"=", "!=", "<", "<=", ">", ">="}
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)?$")


def _to_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Column:
    """An output column: the name GetQueryResults gives it and its value kind."""

    name: str
    kind: str


@dataclass(frozen=True)
class Compiled:
    """The SQL of a query, its parameters, output columns and the regexes to validate.

    ``sql`` selects ``columns`` then the ``hidden`` ones: ``ob_matched`` (records matched, on
    every row) and ``ob_ptr`` (each event row's pointer key). ``matched`` says how to get
    ``recordsMatched``: ``rows`` (the result's row count, unless the row cap cut it),
    ``column`` (``ob_matched``) or ``scanned`` (no filter: every record in range);
    ``matched_sql`` counts it on its own when neither can (no row came back, or the cap cut).
    """

    sql: str
    params: list[object]
    columns: list[Column]
    regexes: list[tuple[str, int]]
    is_stats: bool
    hidden: tuple[str, ...] = ()
    matched: str = "scanned"
    matched_sql: str = ""


@dataclass
class _Rel:
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


def glob_to_regex(pattern: str) -> str:
    r"""Return the RE2 search pattern of a parse glob: ``*`` lazy, a trailing ``*`` greedy.

    Examples
    --------
    >>> glob_to_regex("[*] *: *")
    '(?s)\\[(.*?)\\] (.*?): (.*)'
    """
    parts = pattern.split("*")
    out = []
    for i, part in enumerate(parts):
        out.append(re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", part))
        if i < len(parts) - 1:
            last = i == len(parts) - 2 and parts[-1] == ""
            out.append("(.*)" if last else "(.*?)")
    return "(?s)" + "".join(out)


def group_indexes(pattern: str) -> dict[str, int]:
    """Return the capture-group index of each named group in a regex (RE2 / PCRE syntax)."""
    indexes: dict[str, int] = {}
    count, i, in_class = 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            rest = pattern[i + 1 :]
            named = re.match(r"\?P?<([A-Za-z_@][A-Za-z0-9_@.]*)>", rest)
            if named:
                count += 1
                indexes.setdefault(named.group(1), count)
            elif not rest.startswith("?"):
                count += 1
        i += 1
    return indexes


def compile_query(
    query: ast.Query,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = DEFAULT_ROW_LIMIT,
) -> Compiled:
    """Compile ``query`` to DuckDB SQL over the ``events`` view.

    ``start``/``end`` bound the events first, half-open: ``start <= @timestamp < end``; they
    also give ``now()``,
    ``queryStartTime()`` and ``queryEndTime()``. ``limit`` caps the rows unless the query has its
    own ``limit`` (allowed up to ``MAX_ROW_LIMIT``).

    Raises
    ------
    MalformedQueryError
        For semantic errors: unknown functions, wrong arity, aggregations outside ``stats``,
        a third ``stats``, a command after ``dedup`` other than ``limit``...
    """
    try:
        return _Compiler(query, start, end, limit).compile()
    except RecursionError:  # e.g. a chain of thousands of "+": too deep for the compiler's stack
        raise MalformedQueryError(
            query.text, 0, "a shallower expression", "deeper nesting"
        ) from None


class _Compiler:
    def __init__(
        self, query: ast.Query, start: dt.datetime | None, end: dt.datetime | None, limit: int
    ) -> None:
        self.query = query
        self.text = query.text
        self.start = start or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        self.end = end or clock.now().to_pydatetime()
        self.limit = limit
        self.params: list[object] = []
        self.regexes: list[tuple[str, int]] = []
        self.ctes: list[tuple[str, str]] = []
        self.counter = 0
        self.display: list[tuple[str, Value]] | None = None
        self.explicit_limit = False
        # recordsMatched: the rows leaving the last filter before the first command that
        # aggregates, cuts or multiplies rows (stats, pattern, limit, dedup, unnest).
        self.matched_rel = "e0"
        self.matched_ctes = 1
        self.matched_open = True
        self.cut = False
        self.matched_column = False

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

    def add_cte(self, rel: _Rel, sql: str, **changes: object) -> _Rel:
        name = f"e{len(self.ctes) + 1}"
        self.ctes.append((name, sql))
        return dataclasses.replace(rel, name=name, **changes)  # type: ignore[arg-type]

    def epoch_ms(self, moment: dt.datetime) -> int:
        return int(moment.timestamp() * 1000)

    # -- pipeline -----------------------------------------------------------------------------

    def compile(self) -> Compiled:
        self.params.append(self.start)
        self.params.append(self.end)
        self.ctes.append(
            (
                "e0",
                # Times stay TIMESTAMPTZ here; the cast to UTC TIMESTAMP is written where a field
                # is used, so it runs after the filters rather than on every event.
                "SELECT timestamp AS t_ts, message AS t_msg, "
                "log_stream AS t_stream, log_group AS t_group, "
                "coalesce(ingestion_time, timestamp) AS t_ingest "
                "FROM events WHERE timestamp >= $1 AND timestamp < $2",
            )
        )
        rel = _Rel("e0", dict(SYSTEM_FIELDS), True, default_order=["t_ts DESC"])
        stats_seen = 0
        commands = self.query.commands
        for index, command in enumerate(commands):
            if (
                index
                and isinstance(commands[index - 1], ast.Dedup)
                and not isinstance(command, ast.Limit)
            ):
                raise self.fail(command.start, "'limit' or the end of the query after dedup")
            if isinstance(command, ast.Stats):
                stats_seen += 1
                if stats_seen > MAX_STATS_COMMANDS:
                    raise self.fail(
                        command.start, f"at most {MAX_STATS_COMMANDS} stats commands per query"
                    )
            if isinstance(command, ast.Stats | ast.Pattern | ast.Limit | ast.Dedup | ast.Unnest):
                self.cut = True
            rel = self.command(rel, command)
            if isinstance(command, ast.Stats | ast.Pattern | ast.Limit | ast.Dedup | ast.Unnest):
                self.matched_open = False
            elif isinstance(command, ast.Filter) and self.matched_open:
                self.matched_rel, self.matched_ctes = rel.name, len(self.ctes)
        return self.finish(rel, stats_seen > 0)

    def command(self, rel: _Rel, command: ast.Command) -> _Rel:
        if isinstance(command, ast.Filter):
            cond = as_bool(self.expr(command.condition, rel)).sql
            # WHERE drops NULL (a missing value) like false; no coalesce, which would stop DuckDB
            # from pushing the condition down to the scan.
            return self.add_cte(rel, f"SELECT * FROM {rel.name} WHERE {cond}")
        if isinstance(command, ast.Fields | ast.Display):
            rel, items = self.items(rel, command.items)
            if isinstance(command, ast.Display):
                self.display = items
                return rel
            shown = list(rel.shown) + [i for i in items if i[0] not in {n for n, _ in rel.shown}]
            return dataclasses.replace(rel, shown=shown)
        if isinstance(command, ast.Stats):
            self.display = None
            return self.stats(rel, command)
        if isinstance(command, ast.Sort):
            rel, terms = self.sort_terms(rel, command.keys)
            return dataclasses.replace(rel, order=terms)
        if isinstance(command, ast.Limit):
            if command.count > MAX_ROW_LIMIT:
                raise self.fail(command.start, f"a limit of at most {MAX_ROW_LIMIT} rows")
            self.explicit_limit = True
            order = ", ".join(rel.order or rel.default_order)
            order_by = f" ORDER BY {order}" if order and not command.any else ""
            return self.add_cte(rel, f"SELECT * FROM {rel.name}{order_by} LIMIT {command.count}")
        if isinstance(command, ast.Parse):
            return self.parse(rel, command)
        if isinstance(command, ast.Dedup):
            return self.dedup(rel, command)
        if isinstance(command, ast.Unnest):
            source = as_json(self.expr(command.source, rel)).sql
            name = self.column()
            listed = f"CASE WHEN json_type({source}) = 'ARRAY' THEN json_extract({source}, '$[*]') ELSE [{source}] END"
            rel = self.add_cte(rel, f"SELECT *, unnest({listed}) AS {name} FROM {rel.name}")
            rel.scope = {**rel.scope, command.into: Value(name, "json")}
            return rel
        assert isinstance(command, ast.Pattern)
        return self.pattern(rel, command)

    def items(self, rel: _Rel, items: tuple[ast.Item, ...]) -> tuple[_Rel, list[tuple[str, Value]]]:
        out: list[tuple[str, Value]] = []
        extra: list[str] = []
        scope = dict(rel.scope)
        for item in items:
            value = self.expr(item.expr, dataclasses.replace(rel, scope=scope))
            if not _IDENTIFIER.match(value.sql):
                # Extract once per row: later sort keys and filters then read the column.
                name = self.column()
                extra.append(f"{value.sql} AS {name}")
                value = Value(name, value.kind)
            scope[item.name] = value
            out.append((item.name, value))
        if extra:
            rel = self.add_cte(rel, f"SELECT *, {', '.join(extra)} FROM {rel.name}")
        return dataclasses.replace(rel, scope=scope), out

    def parse(self, rel: _Rel, command: ast.Parse) -> _Rel:
        source = as_text(
            self.expr(command.source, rel) if command.source else rel.scope.get("@message", _NULL)
        ).sql
        if command.mode == "logfmt":
            # A map (JSON object of strings): read as lf.level like a jsonParse() map.
            column = self.column()
            rel = self.add_cte(
                rel, f"SELECT *, CAST(ob_logfmt({source}) AS JSON) AS {column} FROM {rel.name}"
            )
            return dataclasses.replace(
                rel, scope={**rel.scope, command.names[0]: Value(column, "json")}
            )
        if command.mode == "csv":
            values = self.column()
            rel = self.add_cte(rel, f"SELECT *, ob_csv({source}) AS {values} FROM {rel.name}")
            columns, scope = [], dict(rel.scope)
            for index, name in enumerate(command.names, start=1):
                column = self.column()
                columns.append(f"{values}[{index}] AS {column}")  # past the end: absent
                scope[name] = Value(column, "str")
            rel = self.add_cte(rel, f"SELECT *, {', '.join(columns)} FROM {rel.name}")
            return dataclasses.replace(rel, scope=scope)
        if command.regex:
            pattern = re2(command.pattern)
            indexes = group_indexes(pattern)
        else:
            pattern = glob_to_regex(command.pattern)
            indexes = {name: i + 1 for i, name in enumerate(command.names)}
        self.regexes.append((pattern, command.start))
        bound = self.bind(pattern)
        # One match per event into a struct of every group: regexp_extract with a group
        # number stops at 9, the struct form takes any number (g1..gN name groups by index).
        groups = self.column()
        labels = ", ".join(f"'g{i}'" for i in range(1, max(indexes.values(), default=0) + 1))
        rel = self.add_cte(
            rel,
            f"SELECT *, CASE WHEN regexp_matches({source}, {bound}) "
            f"THEN regexp_extract({source}, {bound}, [{labels}]) END AS {groups} FROM {rel.name}",
        )
        scope = dict(rel.scope)
        for name in command.names:
            scope[name] = Value(f"{groups}.g{indexes[name]}", "str")
        return dataclasses.replace(rel, scope=scope)

    def dedup(self, rel: _Rel, command: ast.Dedup) -> _Rel:
        keys = [as_text(self.expr(f, rel)).sql for f in command.fields]
        order = ", ".join(rel.order or rel.default_order) or "1"
        nulls = " OR ".join(f"{k} IS NULL" for k in keys)
        return self.add_cte(
            rel,
            f"SELECT * FROM {rel.name} QUALIFY row_number() OVER "
            f"(PARTITION BY {', '.join(keys)} ORDER BY {order}) = 1 OR {nulls}",
        )

    def pattern(self, rel: _Rel, command: ast.Pattern) -> _Rel:
        source = (
            self.expr(command.source, rel) if command.source else rel.scope.get("@message", _NULL)
        )
        text = as_text(source).sql
        tokens = (
            f"regexp_replace(regexp_replace(regexp_replace(regexp_replace({text}, "
            r"'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', '<*>', 'g'), "
            r"'[0-9]{1,3}(\.[0-9]{1,3}){3}', '<*>', 'g'), "
            r"'\b[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+Z?', '<*>', 'g'), "
            r"'\b[0-9]+\.[0-9]+\b|\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*\b', '<*>', 'g')"
        )
        severity = (
            "CASE WHEN regexp_matches(p, '(?i)\\b(error|fatal|critical|exception)\\b') THEN 'Error' "
            "WHEN regexp_matches(p, '(?i)\\bwarn(ing)?\\b') THEN 'Warning' "
            "WHEN regexp_matches(p, '(?i)\\bdebug\\b') THEN 'Debug' "
            "WHEN regexp_matches(p, '(?i)\\binfo\\b') THEN 'Info' ELSE 'Unknown' END"
        )
        sql = (
            f"SELECT ob_numbered_tokens(p) AS c_pattern, CAST(count(*) AS DOUBLE) AS c_count, "
            f"count(*) / sum(count(*)) OVER () AS c_ratio, {severity} AS c_severity "
            f"FROM (SELECT {tokens} AS p FROM {rel.name} WHERE {text} IS NOT NULL) GROUP BY p"
        )
        outputs = {
            "@pattern": Value("c_pattern", "str"),
            "@ratio": Value("c_ratio", "num"),
            "@sampleCount": Value("c_count", "num"),
            "@severityLabel": Value("c_severity", "str"),
        }
        return self.add_cte(
            rel,
            sql,
            scope=outputs,
            events=False,
            order=None,
            default_order=["c_count DESC", "c_pattern"],
            shown=list(outputs.items()),
        )

    def stats(self, rel: _Rel, command: ast.Stats) -> _Rel:
        selects: list[str] = []
        groups: list[str] = []
        scope: dict[str, Value] = {}
        shown: list[tuple[str, Value]] = []
        local = dict(rel.scope)
        for item in command.by:
            value = self.expr(item.expr, dataclasses.replace(rel, scope=local))
            name = self.column()
            selects.append(f"{value.sql} AS {name}")
            groups.append(value.sql)
            scope[item.name] = Value(name, value.kind)
            shown.append((item.name, Value(name, value.kind)))
            local[item.name] = value
        for item in command.items:
            value = self.expr(item.expr, dataclasses.replace(rel, scope=local), aggregate=True)
            name = self.column()
            selects.append(f"{value.sql} AS {name}")
            scope[item.name] = Value(name, value.kind)
            shown.append((item.name, Value(name, value.kind)))
            local[item.name] = value
        group_by = f" GROUP BY {', '.join(groups)}" if groups else ""
        if self.matched_column:
            selects.append("any_value(ob_matched) AS ob_matched")
        elif self.matched_open:
            # Only fields/parse/sort (which keep every row) can stand between the last filter
            # and a first stats: records matched = the rows it reads, a window over its groups.
            selects.append("sum(count(*)) OVER () AS ob_matched")
            self.matched_column = True
        default = [f"{v.sql} ASC NULLS LAST" for _, v in shown[: len(command.by)]]
        sql = f"SELECT {', '.join(selects)} FROM {rel.name}{group_by}"
        # Stats output names win over anything of the same name in `shown`.
        return self.add_cte(
            rel, sql, scope=scope, events=False, order=None, default_order=default, shown=shown
        )

    def sort_terms(self, rel: _Rel, keys: tuple[ast.SortKey, ...]) -> tuple[_Rel, list[str]]:
        terms = []
        for key in keys:
            value = self.expr(key.expr, rel)
            if not _IDENTIFIER.match(value.sql):  # one extraction per row, not one per term
                name = self.column()
                rel = self.add_cte(rel, f"SELECT *, {value.sql} AS {name} FROM {rel.name}")
                value = Value(name, value.kind)
            descending = _DESCENDING_BY_DEFAULT if key.descending is None else key.descending
            way = "DESC" if descending else "ASC"
            if value.kind in ("str", "json"):
                text = as_text(value).sql
                terms += [
                    f"ob_is_number({text}) {way} NULLS LAST",
                    f"ob_to_num({text}) {way} NULLS LAST",
                    f"CASE WHEN ob_is_number({text}) THEN {text} ELSE ob_natural_key({text}) END "
                    f"{way} NULLS LAST",
                ]
            else:
                terms.append(f"{value.sql} {way} NULLS LAST")
        return rel, terms

    def finish(self, rel: _Rel, is_stats: bool) -> Compiled:
        if self.display is not None:
            shown = self.display
        elif rel.shown:
            shown = rel.shown
        else:
            shown = [("@timestamp", rel.scope.get("@timestamp", _NULL)),
                     ("@message", rel.scope.get("@message", _NULL))]  # fmt: skip
        seen: set[str] = set()
        selects, columns = [], []
        for name, value in shown:
            if name in seen:
                continue
            seen.add(name)
            selects.append(f"{value.sql} AS o{len(columns)}")
            columns.append(Column(name, value.kind))
        if self.matched_column:
            matched = "column"
        elif not self.cut:
            matched = "rows"
        elif self.matched_rel == "e0":
            matched = "scanned"
        else:
            matched = "column"
            # Cut later (limit, dedup...): count the matched rows in the same statement. The CTE
            # is materialized so the count and the rest of the query share one scan.
            selects.append(f"(SELECT count(*) FROM {self.matched_rel}) AS ob_matched")
        hidden: list[str] = []
        if self.matched_column:
            selects.append("ob_matched")
        if matched == "column":
            hidden.append("ob_matched")
        if rel.events:
            # The @ptr key of an event: what identifies it in its log stream.
            selects.append(
                "md5(concat_ws(chr(31), t_group, t_stream, CAST(epoch_ms(t_ts) AS VARCHAR), t_msg))"
            )
            hidden.append("ob_ptr")
        order = rel.order or rel.default_order
        order_by = f" ORDER BY {', '.join(order)}" if order else ""
        limit = f" LIMIT {self.limit}" if not self.explicit_limit else ""
        shared = self.matched_rel if matched == "column" and not self.matched_column else None
        with_ = ",\n".join(
            f"{name} AS {'MATERIALIZED ' if name == shared else ''}({sql})"
            for name, sql in self.ctes
        )
        sql = f"WITH {with_}\nSELECT {', '.join(selects)} FROM {rel.name}{order_by}{limit}"
        matched_with = ",\n".join(f"{n} AS ({q})" for n, q in self.ctes[: self.matched_ctes])
        # Every parameter is selected too: DuckDB refuses values for parameters a statement
        # does not use, and later commands' constants are not in these CTEs.
        unused = "".join(f", CAST(${i} AS VARCHAR)" for i in range(1, len(self.params) + 1))
        return Compiled(
            sql, self.params, columns, self.regexes, is_stats, tuple(hidden), matched,
            f"WITH {matched_with}\nSELECT (SELECT count(*) FROM {self.matched_rel}){unused}",
        )  # fmt: skip

    # -- expressions --------------------------------------------------------------------------

    def expr(
        self, node: ast.Expr, rel: _Rel, aggregate: bool = False, inside: bool = False
    ) -> Value:
        if isinstance(node, ast.Field):
            if node.name in rel.scope:
                return rel.scope[node.name]
            member = self.json_member(node.name, rel)
            if member is not None:
                return member
            return discovered(node.name) if rel.events else _NULL
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
        assert isinstance(node, ast.Call)
        return self.call(node, rel, aggregate, inside)

    def json_member(self, name: str, rel: _Rel) -> Value | None:
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

    def call(self, node: ast.Call, rel: _Rel, aggregate: bool, inside: bool) -> Value:
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
        return spec.build(_CallSite(self, node, rel, aggregate, inside))

    def aggregation(self, node: ast.Call, rel: _Rel) -> Value:
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
class _CallSite:
    compiler: _Compiler
    node: ast.Call
    rel: _Rel
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
