r"""Run a Logs Insights query over an ``events`` view on a DuckDB connection.

The caller (the local backend, or a test) creates a view or table named ``events`` with the
columns ``timestamp`` (TIMESTAMPTZ), ``message``, ``log_stream``, ``log_group`` and
``ingestion_time`` (TIMESTAMPTZ, may be null), and for a structured source one text column
``field:<name>`` per discovered field it holds (:data:`~opsbook.insights.fields.FIELD_COLUMN`,
read instead of parsing ``message``); this module parses, compiles, validates the
query's regexes with DuckDB's own RE2 (so a bad regex is a MalformedQueryError pointing at it),
runs the SQL and returns a :class:`~opsbook.insights.results.Result`. Any DuckDB failure is
turned into an opsbook error naming the query, never a raw engine traceback.

Examples
--------
>>> import duckdb
>>> con = duckdb.connect()
>>> _ = con.execute(
...     "CREATE TABLE events AS SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' AS timestamp, "
...     "'{\"status\": 503}' AS message, 's' AS log_stream, 'g' AS log_group, "
...     "CAST(NULL AS TIMESTAMPTZ) AS ingestion_time"
... )
>>> run_query("stats count(*) as n by status", con).dicts()
[{'status': '503', 'n': '1'}]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from opsbook.insights import ast
from opsbook.insights._comparison import install_anomaly
from opsbook.insights._lookups import load_lookup_tables
from opsbook.insights.compiler import Compiled, compile_query
from opsbook.insights.errors import MalformedQueryError, QueryRuntimeError
from opsbook.insights.fields import FIELD_COLUMN
from opsbook.insights.functions import install_udfs
from opsbook.insights.parser import parse_query
from opsbook.insights.results import Result
from opsbook.insights.semantics import DEFAULT_ROW_LIMIT
from opsbook.insights.values import install_macros

__all__ = ["pointer_values", "prepare_connection", "run_query"]


def prepare_connection(con: duckdb.DuckDBPyConnection) -> None:
    """Install the engine's macros, UDFs and session settings on ``con`` (idempotent).

    Whether the UDFs are there is asked by binding one in a query that reads no row (a fraction
    of a millisecond; listing ``duckdb_functions()`` takes milliseconds, on every query run).
    """
    install_macros(con)
    try:
        con.execute("SELECT ob_ip_valid(x) FROM (SELECT ''::VARCHAR AS x) WHERE false").fetchall()
    except duckdb.CatalogException:
        install_udfs(con)
        install_anomaly(con)


def run_query(
    query: str | ast.Query,
    con: duckdb.DuckDBPyConnection,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = DEFAULT_ROW_LIMIT,
    statistics: bool = True,
    lookup_tables: Path | None = None,
) -> Result:
    """Parse, compile and run ``query`` over ``con``'s ``events`` view.

    Parameters
    ----------
    query
        Logs Insights query text (or an already parsed query).
    con
        A DuckDB connection with an ``events`` view.
    start, end
        The time range ``[start, end)`` (timezone-aware): an event at ``end`` is not read;
        defaults: everything before now.
    limit
        Row cap when the query has no ``limit`` of its own.
    statistics
        Also count the records and bytes scanned (one more pass over the time range).
    lookup_tables
        The folder of lookup tables (``<name>.csv``) that ``lookup`` reads.

    A view or table named ``all_events`` (every log group the caller can read, of which
    ``events`` is the selection) is what ``SOURCE`` in the query selects from; without one,
    ``SOURCE`` selects from ``events``.

    Raises
    ------
    MalformedQueryError
        For any query that is not valid Logs Insights QL (syntax, unknown function, bad regex).
    QueryRuntimeError
        When DuckDB fails while running a valid query.
    """
    parsed = parse_query(query) if isinstance(query, str) else query
    views = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    every = "all_events" if "all_events" in views else "events"
    compiled = compile_query(
        parsed, start=start, end=end, limit=limit, all_events=every, field_columns=_fields(con)
    )
    prepare_connection(con)
    load_lookup_tables(con, list(compiled.lookups), lookup_tables, parsed.text)
    for pattern, offset in compiled.regexes:
        try:
            con.execute("SELECT regexp_matches('', $1)", [pattern]).fetchall()
        except duckdb.Error as error:
            detail = str(error).split("\n", 1)[0].split(":", 1)[-1].strip()
            raise MalformedQueryError(
                parsed.text, offset, f"a valid regular expression (RE2: {detail})"
            ) from None
    try:
        rows = con.execute(compiled.sql, compiled.params).fetchall()
        stats: dict[str, float] = {}
        matched = _records_matched(con, compiled, rows, limit)
        if matched is not None:
            stats["recordsMatched"] = matched
        if statistics:
            scanned, size = con.execute(
                "SELECT count(*), coalesce(sum(strlen(message)), 0) FROM events "
                "WHERE timestamp >= $1 AND timestamp < $2",
                compiled.params[:2],
            ).fetchall()[0]
            stats.setdefault("recordsMatched", float(scanned))
            stats |= {"recordsScanned": float(scanned), "bytesScanned": float(size)}
    except duckdb.Error as error:
        first = str(error).split("\n", 1)[0]
        raise QueryRuntimeError(
            f"the Logs Insights query failed while running locally: {first}. "
            "Check the types the query mixes (e.g. a function given a value it cannot use)"
        ) from None
    width = len(compiled.columns)
    pointers = None
    if "ob_ptr" in compiled.hidden:
        pointers = pointer_values([row[width + compiled.hidden.index("ob_ptr")] for row in rows])
    result = Result(compiled.columns, [row[:width] for row in rows], stats, pointers=pointers)
    result.notes += list(compiled.notes)
    return result


def _fields(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Return the discovered fields ``events`` holds as columns (``field:<name>``), by name."""
    columns = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'"
    ).fetchall()
    return {c[len(FIELD_COLUMN) :]: c for (c,) in columns if c.startswith(FIELD_COLUMN)}


def _records_matched(
    con: duckdb.DuckDBPyConnection, compiled: Compiled, rows: list[tuple], limit: int
) -> float | None:
    """Return recordsMatched, or None when it equals the records scanned (no filter ran)."""
    if compiled.matched == "rows" and len(rows) < limit:
        return float(len(rows))
    if compiled.matched == "column" and rows:
        return float(rows[0][len(compiled.columns) + compiled.hidden.index("ob_matched")] or 0)
    if compiled.matched == "scanned":
        return None
    # No row to read ob_matched from, or the row cap cut the rows: count the filtered rows.
    return float(con.execute(compiled.matched_sql, compiled.params).fetchall()[0][0])


def pointer_values(keys: list[str]) -> list[str]:
    """Return each event row's ``@ptr``: its key, with ``.n`` on the n-th repeat of a key.

    The key is the MD5 of log group, stream, timestamp (ms) and message, so the same event has
    the same pointer in every query; identical events in one result are told apart by order.

    Examples
    --------
    >>> pointer_values(["ab", "cd", "ab"])
    ['ab', 'cd', 'ab.1']
    """
    seen: dict[str, int] = {}
    out = []
    for key in keys:
        count = seen.get(key, 0)
        seen[key] = count + 1
        out.append(f"{key}.{count}" if count else key)
    return out
