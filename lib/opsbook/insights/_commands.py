"""Compile the row-shaping commands: fields/display items, parse, dedup, pattern, stats, sort.

Each method takes the current relation and returns the next one, adding CTEs to the chain held
by :class:`~opsbook.insights._expressions.ExpressionCompiler`.

Examples
--------
>>> import datetime as dt
>>> from opsbook.insights.parser import parse_query
>>> from opsbook.insights.fields import SYSTEM_FIELDS
>>> query = parse_query("parse 'a=*' as a")
>>> compiler = CommandCompiler(query, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None)
>>> rel = compiler.parse(Rel("e0", dict(SYSTEM_FIELDS), True), query.commands[0])
>>> rel.name, rel.scope["a"].kind
('e1', 'str')
"""

from __future__ import annotations

import dataclasses
import re

from opsbook.insights import ast
from opsbook.insights._captures import glob_to_regex, group_indexes
from opsbook.insights._expressions import NULL, ExpressionCompiler, Rel
from opsbook.insights.functions import re2
from opsbook.insights.semantics import DECISIONS
from opsbook.insights.values import Value, as_bool, as_json, as_text

__all__ = ["IDENTIFIER", "CommandCompiler"]

_DESCENDING_BY_DEFAULT = DECISIONS["default_sort_direction"].choice == "desc"
#: SQL that is already a column (or a struct member of one): no need to extract it again.
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)?$")


class CommandCompiler(ExpressionCompiler):
    """The commands that shape rows; the pipeline itself is :mod:`opsbook.insights.compiler`'s."""

    #: diff: e0 holds both periods, ``t_previous`` marks the comparison period's events.
    compare_periods = False
    #: anomaly: the SQL of an event's time bucket, collected per pattern.
    bucket_sql: str | None = None

    def filter(self, rel: Rel, command: ast.Filter) -> Rel:
        cond = as_bool(self.expr(command.condition, rel)).sql
        # WHERE drops NULL (a missing value) like false; no coalesce, which would stop DuckDB
        # from pushing the condition down to the scan.
        return self.add_cte(rel, f"SELECT * FROM {rel.name} WHERE {cond}")

    def fields(self, rel: Rel, command: ast.Fields) -> Rel:
        rel, items = self.items(rel, command.items)
        shown = list(rel.shown) + [i for i in items if i[0] not in {n for n, _ in rel.shown}]
        return dataclasses.replace(rel, shown=shown)

    def sort(self, rel: Rel, command: ast.Sort) -> Rel:
        rel, terms = self.sort_terms(rel, command.keys)
        return dataclasses.replace(rel, order=terms)

    def unnest(self, rel: Rel, command: ast.Unnest) -> Rel:
        source = as_json(self.expr(command.source, rel)).sql
        name = self.column()
        listed = (
            f"CASE WHEN json_type({source}) = 'ARRAY' THEN json_extract({source}, '$[*]') "
            f"ELSE [{source}] END"
        )
        rel = self.add_cte(rel, f"SELECT *, unnest({listed}) AS {name} FROM {rel.name}")
        rel.scope = {**rel.scope, command.into: Value(name, "json")}
        return rel

    def items(self, rel: Rel, items: tuple[ast.Item, ...]) -> tuple[Rel, list[tuple[str, Value]]]:
        out: list[tuple[str, Value]] = []
        extra: list[str] = []
        scope = dict(rel.scope)
        for item in items:
            value = self.expr(item.expr, dataclasses.replace(rel, scope=scope))
            if not IDENTIFIER.match(value.sql):
                # Extract once per row: later sort keys and filters then read the column.
                name = self.column()
                extra.append(f"{value.sql} AS {name}")
                value = Value(name, value.kind)
            scope[item.name] = value
            out.append((item.name, value))
        if extra:
            rel = self.add_cte(rel, f"SELECT *, {', '.join(extra)} FROM {rel.name}")
        return dataclasses.replace(rel, scope=scope), out

    def parse(self, rel: Rel, command: ast.Parse) -> Rel:
        source = as_text(
            self.expr(command.source, rel) if command.source else rel.scope.get("@message", NULL)
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

    def dedup(self, rel: Rel, command: ast.Dedup) -> Rel:
        keys = [as_text(self.expr(f, rel)).sql for f in command.fields]
        order = ", ".join(rel.order or rel.default_order) or "1"
        nulls = " OR ".join(f"{k} IS NULL" for k in keys)
        return self.add_cte(
            rel,
            f"SELECT * FROM {rel.name} QUALIFY row_number() OVER "
            f"(PARTITION BY {', '.join(keys)} ORDER BY {order}) = 1 OR {nulls}",
        )

    def pattern(self, rel: Rel, command: ast.Pattern) -> Rel:
        source = (
            self.expr(command.source, rel) if command.source else rel.scope.get("@message", NULL)
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
        # With diff, events of both periods arrive (w: the comparison period's); with anomaly,
        # each event's time bucket b is collected per pattern.
        count = "count(*) FILTER (WHERE NOT w)" if self.compare_periods else "count(*)"
        inner = ", t_previous AS w" if self.compare_periods else ""
        extra = ", CAST(count(*) FILTER (WHERE w) AS DOUBLE) AS c_previous" * self.compare_periods
        if self.bucket_sql:
            inner += f", {self.bucket_sql} AS b"
            extra += ", list(b) FILTER (WHERE b IS NOT NULL) AS c_buckets"
        sql = (
            f"SELECT ob_numbered_tokens(p) AS c_pattern, CAST({count} AS DOUBLE) AS c_count, "
            f"{count} / nullif(sum({count}) OVER (), 0) AS c_ratio, {severity} AS c_severity"
            f"{extra} FROM (SELECT {tokens} AS p{inner} FROM {rel.name} WHERE {text} IS NOT NULL) "
            "GROUP BY p"
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

    def stats(self, rel: Rel, command: ast.Stats) -> Rel:
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

    def sort_terms(self, rel: Rel, keys: tuple[ast.SortKey, ...]) -> tuple[Rel, list[str]]:
        terms = []
        for key in keys:
            value = self.expr(key.expr, rel)
            if not IDENTIFIER.match(value.sql):  # one extraction per row, not one per term
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
