"""Compile what reads other log groups: ``SOURCE``, ``join`` and ``x in (subquery)``.

The main query reads the ``events`` view (the log groups the caller selected). A query or
subquery that starts with ``SOURCE`` reads the view of every log group the backend sees
(``all_events`` when the caller registered one, else ``events``) and keeps the groups SOURCE
names. Subqueries and the right side of a join are compiled into the same statement: their
CTEs join the chain, their result becomes one more CTE.

Examples
--------
>>> from opsbook.insights.compiler import compile_query
>>> from opsbook.insights.parser import parse_query
>>> sql = compile_query(parse_query("SOURCE logGroups(namePrefix: ['/ecs/'])"), all_events="all_events").sql
>>> "FROM all_events WHERE" in sql and "starts_with(log_group" in sql
True
"""

from __future__ import annotations

import dataclasses

from opsbook.insights import ast
from opsbook.insights._commands import CommandCompiler
from opsbook.insights._expressions import Rel
from opsbook.insights.fields import SYSTEM_FIELDS
from opsbook.insights.values import Value, as_text

__all__ = ["EVENT_COLUMNS", "SourceCompiler", "field_names", "reads_other_groups"]

#: The system columns every events relation starts with.
EVENT_COLUMNS = (
    "SELECT timestamp AS t_ts, message AS t_msg, log_stream AS t_stream, log_group AS t_group, "
    "coalesce(ingestion_time, timestamp) AS t_ingest"
)
_IN_RANGE = "timestamp >= $1 AND timestamp < $2"


def quoted(name: str) -> str:
    """Return ``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def field_names(node: object) -> set[str]:
    """Return the name of every field ``node`` (a command, expression or list) reads.

    Examples
    --------
    >>> from opsbook.insights.parser import parse_query
    >>> sorted(field_names(parse_query("fields a.b, concat(c, 'x') | filter d > 1").commands))
    ['a.b', 'c', 'd']
    """
    if isinstance(node, ast.Field):
        return {node.name}
    if isinstance(node, tuple | list):
        return set().union(*(field_names(n) for n in node)) if node else set()
    if dataclasses.is_dataclass(node) and not isinstance(node, ast.Query | type):
        return field_names([getattr(node, f.name) for f in dataclasses.fields(node)])
    return set()


def reads_other_groups(query: str | ast.Query) -> bool:
    """Return whether the query picks log groups itself (SOURCE, in it or in a subquery/join).

    A backend then reads every log group it can see (as ``all_events``), not only those the
    caller named. Text that does not parse picks none.

    Examples
    --------
    >>> reads_other_groups("filter a in (SOURCE '/db' | fields a)"), reads_other_groups("fields a")
    (True, False)
    """
    from opsbook.insights.errors import MalformedQueryError
    from opsbook.insights.parser import parse_query

    try:
        parsed = parse_query(query) if isinstance(query, str) else query
    except MalformedQueryError:
        return False
    return _has_source(parsed.commands)


def _has_source(node: object) -> bool:
    if isinstance(node, ast.Source):
        return True
    if isinstance(node, ast.Query):
        return _has_source(node.commands)
    if isinstance(node, tuple | list):
        return any(_has_source(n) for n in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return any(_has_source(getattr(node, f.name)) for f in dataclasses.fields(node))
    return False


class SourceCompiler(CommandCompiler):
    """SOURCE selection, join and subqueries; ``subpipeline`` comes from the pipeline compiler."""

    #: The view holding every log group the backend sees (``events`` when there is no other).
    all_events = "events"
    #: The commands after the one being compiled (join reads the fields they use).
    rest: tuple[ast.Command, ...] = ()
    notes: list[str]
    #: Discovered fields the ``events`` view holds as columns (name -> column), see fields.py.
    field_columns: dict[str, str] = {}  # noqa: RUF012  # replaced per compiler, never mutated

    def event_columns(self) -> str:
        """Return the SELECT list an events relation starts with: system and field columns."""
        fields = "".join(", " + quoted(column) for column in self.field_columns.values())
        return EVENT_COLUMNS + fields

    def event_scope(self) -> dict[str, Value]:
        """Return the fields an events relation starts with: system fields, field columns."""
        columns = {n: Value(quoted(c), "str") for n, c in self.field_columns.items()}
        return dict(SYSTEM_FIELDS) | columns

    def subpipeline(self, query: ast.Query) -> tuple[Rel, list[tuple[str, Value]]]:
        """Compile a subquery's commands: its last relation and its output fields."""
        raise NotImplementedError

    def events_sql(
        self, source: ast.Source | None, window: str = _IN_RANGE, columns: str | None = None
    ) -> str:
        """Return the SELECT of the events a (sub)query starts from."""
        columns = columns or self.event_columns()
        if source is None:
            return f"{columns} FROM events WHERE {window}"
        conditions = [window]
        if source.names:
            conditions.append(f"log_group IN ({', '.join(self.bind(n) for n in source.names)})")
        if source.prefixes:
            starts = [f"starts_with(log_group, {self.bind(p)})" for p in source.prefixes]
            conditions.append(f"({' OR '.join(starts)})")
        if "STANDARD" not in (source.classes or ("STANDARD",)):
            conditions.append("false")  # every log group read from files is Standard class
        if source.accounts:
            self.notes.append(
                "SOURCE accountIdentifiers ignored: log files read locally carry no account id"
            )
        return f"{columns} FROM {self.all_events} WHERE {' AND '.join(conditions)}"

    def source(self, rel: Rel, command: ast.Source) -> Rel:
        return rel  # applied where the (sub)query's events are read

    def in_query(self, node: ast.InQuery, rel: Rel) -> Value:
        inner, shown = self.subpipeline(node.query)
        wanted = node.operand.name if isinstance(node.operand, ast.Field) else None
        column = next((v for n, v in shown if n == wanted), shown[0][1])
        values = self.add_cte(
            inner,
            f"SELECT DISTINCT {as_text(column).sql} AS v FROM {inner.name} "
            f"WHERE {as_text(column).sql} IS NOT NULL",
        )
        text = as_text(self.expr(node.operand, rel)).sql
        op = "NOT IN" if node.negated else "IN"
        return Value(f"({text} {op} (SELECT v FROM {values.name}))", "bool")

    def join(self, rel: Rel, command: ast.Join) -> Rel:
        later = field_names(self.rest)
        right, _ = self.subpipeline(command.query)
        right_names = sorted(
            {n.split(".", 1)[1] for n in later if n.startswith(command.right + ".")}
            | {r for _, r in command.keys}
        )
        projected, right_scope = [], {}
        for name in right_names:
            value = self.expr(ast.Field(name), right)
            column = self.column()
            projected.append(f"{value.sql} AS {column}")
            right_scope[name] = Value(column, value.kind)
        right = self.add_cte(right, f"SELECT {', '.join(projected)} FROM {right.name}")
        on = " AND ".join(
            f"{as_text(self.expr(ast.Field(left), rel)).sql} = {as_text(right_scope[r]).sql}"
            for left, r in command.keys
        )
        kind = "LEFT" if command.kind == "left" else "INNER"
        joined = self.add_cte(
            rel, f"SELECT * FROM {rel.name} {kind} JOIN {right.name} ON {on}", order=None
        )
        scope = dict(rel.scope)
        for name in later:
            alias, _, field = name.partition(".")
            if alias == command.left and field:
                scope[name] = self.expr(ast.Field(field), rel)
        scope |= {f"{command.right}.{n}": v for n, v in right_scope.items()}
        return dataclasses.replace(joined, scope=scope)
