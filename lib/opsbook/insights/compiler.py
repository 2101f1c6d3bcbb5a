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

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from opsbook.insights import ast
from opsbook.insights._captures import glob_to_regex
from opsbook.insights._comparison import ComparisonCompiler
from opsbook.insights._expressions import NULL, Rel, number_text
from opsbook.insights._lookups import LookupCompiler
from opsbook.insights._sources import SourceCompiler
from opsbook.insights.errors import MalformedQueryError
from opsbook.insights.semantics import DEFAULT_ROW_LIMIT, MAX_ROW_LIMIT, MAX_STATS_COMMANDS
from opsbook.insights.values import Value

__all__ = ["Column", "Compiled", "compile_query", "glob_to_regex", "number_text"]


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
    ``lookups`` names the lookup tables to load (table, offset, columns read); ``notes`` says
    what the local run could not honour (e.g. SOURCE account ids).
    """

    sql: str
    params: list[object]
    columns: list[Column]
    regexes: list[tuple[str, int]]
    is_stats: bool
    hidden: tuple[str, ...] = ()
    matched: str = "scanned"
    matched_sql: str = ""
    lookups: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    notes: tuple[str, ...] = ()


def compile_query(
    query: ast.Query,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = DEFAULT_ROW_LIMIT,
    all_events: str = "events",
    field_columns: Mapping[str, str] | None = None,
) -> Compiled:
    """Compile ``query`` to DuckDB SQL over the ``events`` view.

    ``start``/``end`` bound the events first, half-open: ``start <= @timestamp < end``; they
    also give ``now()``,
    ``queryStartTime()`` and ``queryEndTime()``. ``limit`` caps the rows unless the query has its
    own ``limit`` (allowed up to ``MAX_ROW_LIMIT``). ``all_events`` names the view of every log
    group the caller can read, which ``SOURCE`` selects from (default: ``events`` itself).
    ``field_columns`` maps discovered field names to the ``events`` columns that hold them as
    text (:data:`~opsbook.insights.fields.FIELD_COLUMN`); other fields come from ``@message``.

    Raises
    ------
    MalformedQueryError
        For semantic errors: unknown functions, wrong arity, aggregations outside ``stats``,
        a third ``stats``, a command after ``dedup`` other than ``limit``...
    """
    try:
        return _Compiler(query, start, end, limit, all_events, field_columns).compile()
    except RecursionError:  # e.g. a chain of thousands of "+": too deep for the compiler's stack
        raise MalformedQueryError(
            query.text, 0, "a shallower expression", "deeper nesting"
        ) from None


#: Which method compiles each command (the pipeline's own ones end with ``_``).
_HANDLERS = {
    ast.Filter: "filter",
    ast.Fields: "fields",
    ast.Display: "display_",
    ast.Stats: "stats_",
    ast.Sort: "sort",
    ast.Limit: "limit_",
    ast.Parse: "parse",
    ast.Dedup: "dedup",
    ast.Unnest: "unnest",
    ast.Pattern: "pattern",
    ast.Source: "source",
    ast.FilterIndex: "filter",
    ast.Unmask: "unmask",
    ast.Lookup: "lookup",
    ast.Join: "join",
    ast.Diff: "diff",
    ast.Anomaly: "anomaly",
}
#: Commands that aggregate, cut or multiply rows: recordsMatched is counted before them.
_CUTTING = (ast.Stats, ast.Pattern, ast.Limit, ast.Dedup, ast.Unnest, ast.Join, ast.Diff,
            ast.Anomaly)  # fmt: skip


_TERM = re.compile(r"(?P<expr>.+) (?P<way>ASC|DESC)(?: NULLS (?P<nulls>FIRST|LAST))?", re.S)


def _sort_key(terms: list[str]) -> str:
    """Return one ``create_sort_key`` for ORDER BY ``terms`` ("" when a term is not ``x ASC|DESC``).

    >>> _sort_key(["c3 DESC NULLS LAST", "t_ts DESC"])
    "create_sort_key(c3, 'DESC NULLS LAST', t_ts, 'DESC NULLS LAST')"
    """
    parts = []
    for term in terms:
        found = _TERM.fullmatch(term)
        if found is None:
            return ""
        nulls = found["nulls"] or "LAST"  # DuckDB's default order puts NULLs last
        parts += [found["expr"], f"'{found['way']} NULLS {nulls}'"]
    return f"create_sort_key({', '.join(parts)})" if parts else ""


class _Compiler(SourceCompiler, LookupCompiler, ComparisonCompiler):
    def __init__(
        self,
        query: ast.Query,
        start: dt.datetime | None,
        end: dt.datetime | None,
        limit: int,
        all_events: str,
        field_columns: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(query, start, end)
        self.limit = limit
        self.all_events = all_events
        self.field_columns = dict(field_columns or {})
        self.notes: list[str] = []
        self.lookups: list[tuple[str, int, tuple[str, ...]]] = []
        self.display: list[tuple[str, Value]] | None = None
        self.explicit_limit = False
        # recordsMatched: the rows leaving the last filter before the first command that
        # aggregates, cuts or multiplies rows (stats, pattern, limit, dedup, unnest).
        self.matched_rel = "e0"
        self.matched_ctes = 1
        self.matched_open = True
        self.cut = False
        self.matched_column = False

    # -- pipeline -----------------------------------------------------------------------------

    def compile(self) -> Compiled:
        self.params.append(self.start)
        self.params.append(self.end)
        commands = self.query.commands
        source = commands[0] if commands and isinstance(commands[0], ast.Source) else None
        diff = next((c for c in commands if isinstance(c, ast.Diff)), None)
        if diff is not None:
            self.check_comparable(commands, diff)
            self.compare_periods = True
            # Times stay TIMESTAMPTZ in e0; the cast to UTC TIMESTAMP is written where a field
            # is used, so it runs after the filters rather than on every event.
            self.ctes.append(("e0", self.comparison_sql(source, diff.period)))
        else:
            self.ctes.append(("e0", self.events_sql(source)))
        if any(isinstance(c, ast.Anomaly) for c in commands):
            self.bucket_sql = self.bucketing()
        rel = Rel("e0", self.event_scope(), True, default_order=["t_ts DESC"])
        rel, stats_seen = self.pipeline(rel, commands)
        return self.finish(rel, stats_seen > 0)

    def pipeline(self, rel: Rel, commands: tuple[ast.Command, ...]) -> tuple[Rel, int]:
        """Compile ``commands`` from ``rel``; return the last relation and the stats count."""
        stats_seen = 0
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
            if isinstance(command, _CUTTING):
                self.cut = True
            self.rest = commands[index + 1 :]
            rel = self.command(rel, command)
            if isinstance(command, _CUTTING):
                self.matched_open = False
            elif isinstance(command, ast.Filter | ast.FilterIndex) and self.matched_open:
                self.matched_rel, self.matched_ctes = rel.name, len(self.ctes)
        return rel, stats_seen

    def subpipeline(self, query: ast.Query) -> tuple[Rel, list[tuple[str, Value]]]:
        """Compile a subquery (or a join's right side) into the chain: its relation and fields."""
        saved = (self.display, self.explicit_limit, self.matched_open, self.cut,
                 self.matched_column, self.rest)  # fmt: skip
        self.display, self.matched_open, self.matched_column = None, False, False
        commands = query.commands
        source = commands[0] if commands and isinstance(commands[0], ast.Source) else None
        self.ctes.append((f"e{len(self.ctes) + 1}", self.events_sql(source)))
        rel = Rel(self.ctes[-1][0], self.event_scope(), True, default_order=["t_ts DESC"])
        rel, _ = self.pipeline(rel, commands)
        shown = self.display if self.display is not None else rel.shown
        if not shown:
            shown = [("@timestamp", rel.scope["@timestamp"]), ("@message", rel.scope["@message"])]
        (self.display, self.explicit_limit, self.matched_open, self.cut,
         self.matched_column, self.rest) = saved  # fmt: skip
        return rel, shown

    def command(self, rel: Rel, command: ast.Command) -> Rel:
        return getattr(self, _HANDLERS[type(command)])(rel, command)

    def unmask(self, rel: Rel, command: ast.Unmask) -> Rel:
        return rel  # files read locally hold the logged text: nothing is masked

    def display_(self, rel: Rel, command: ast.Display) -> Rel:
        rel, self.display = self.items(rel, command.items)
        return rel

    def stats_(self, rel: Rel, command: ast.Stats) -> Rel:
        self.display = None
        return self.stats(rel, command)

    def limit_(self, rel: Rel, command: ast.Limit) -> Rel:
        if command.count > MAX_ROW_LIMIT:
            raise self.fail(command.start, f"a limit of at most {MAX_ROW_LIMIT} rows")
        self.explicit_limit = True
        terms = rel.order or rel.default_order
        key = _sort_key(terms)
        if key and not command.any and self.matched_open and self.matched_rel != "e0":
            # The first cut after a filter: its rows are the records matched. One pass keeps
            # the first rows and counts them all, in memory for `count` rows, not every match.
            top = self.column()
            first = self.add_cte(
                rel,
                f"SELECT arg_min({rel.name}, {key}, {command.count}) AS {top}, "
                f"count(*) AS ob_matched FROM {rel.name}",
            )
            self.matched_column = True
            return self.add_cte(
                rel,
                f"SELECT unnest({top}), ob_matched FROM "
                f"(SELECT unnest({top}) AS {top}, ob_matched FROM {first.name})",
            )
        order_by = f" ORDER BY {', '.join(terms)}" if terms and not command.any else ""
        return self.add_cte(rel, f"SELECT * FROM {rel.name}{order_by} LIMIT {command.count}")

    def finish(self, rel: Rel, is_stats: bool) -> Compiled:
        if self.display is not None:
            shown = self.display
        elif rel.shown:
            shown = rel.shown
        else:
            shown = [("@timestamp", rel.scope.get("@timestamp", NULL)),
                     ("@message", rel.scope.get("@message", NULL))]  # fmt: skip
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
            tuple(self.lookups), tuple(dict.fromkeys(self.notes)),
        )  # fmt: skip
