"""One Logs Insights tree, two engines: the Trino SQL sent to Athena gives the DuckDB rows.

The oracle. The held-in conformance cases (every ``run("<query>")`` of
``tests/insights/test_conformance.py``, read from that file's syntax tree) already have their
DuckDB rows checked against hand-worked or independently computed answers. For each case this
test compiles the query once, renders the Trino statement (:func:`opsbook.insights.trino.to_trino`)
and translates that statement back to DuckDB with sqlglot's Trino reader, then runs both on
DuckDB over the same events and compares every row, hidden columns (records matched, @ptr keys)
included. The back-translation sees only the Trino text, with none of the engine's macros or
UDFs installed, so any construct left in DuckDB's dialect, or rewritten with a different meaning,
fails here. What it cannot see: where Trino and DuckDB give one function name different
behaviour that sqlglot does not model (``CAST(double AS VARCHAR)``, regex flavours); and
``approx_percentile``, which the oracle reads as the exact ``quantile_disc`` the local engine
computes, so it checks everything but the size of Athena's estimate.

Queries that use what only DuckDB runs are refused by name (:data:`DUCKDB_ONLY`), and so must be
every case that this test does not compare.
"""

from __future__ import annotations

import ast as pyast
import datetime as dt
from pathlib import Path

import duckdb
import pytest
import sqlglot
from insights.test_conformance import APP, T0, _table
from opsbook.errors import OpsbookError
from opsbook.insights.compiler import compile_query
from opsbook.insights.engine import prepare_connection
from opsbook.insights.parser import parse_query
from opsbook.insights.trino import AthenaUnsupportedError, to_trino
from sqlglot import exp

START, END = T0 - dt.timedelta(days=1), T0 + dt.timedelta(days=1)


def _held_in_queries() -> list[str]:
    source = (Path(__file__).parent / "test_conformance.py").read_text()
    found = []
    for node in pyast.walk(pyast.parse(source)):
        if (
            isinstance(node, pyast.Call)
            and getattr(node.func, "id", None) == "run"
            and node.args
            and isinstance(node.args[0], pyast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(node.args[0].value)
    return list(dict.fromkeys(found))


def _compiles(query: str) -> bool:
    try:
        compile_query(parse_query(query), start=START, end=END)
    except OpsbookError:
        return False  # a conformance case of a malformed query: there is no SQL to compare
    return True


QUERIES = [query for query in _held_in_queries() if _compiles(query)]


def _back_to_duckdb(trino_sql: str) -> str:
    tree = sqlglot.parse_one(trino_sql, read="trino")
    tree = tree.transform(
        lambda n: (
            exp.PercentileDisc(this=n.this, expression=n.args["quantile"])
            if isinstance(n, exp.ApproxQuantile)
            else n
        )
    )
    return tree.sql(dialect="duckdb")


def _rows(sql: str, params: list[object] | None, engine: bool) -> list[tuple]:
    con = duckdb.connect()
    con.register("events", _table(APP))
    if engine:
        prepare_connection(con)
    else:
        con.execute("SET TimeZone = 'UTC'")
    return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()


def test_the_held_in_cases_are_found() -> None:
    assert len(QUERIES) >= 30


@pytest.mark.parametrize("query", QUERIES)
def test_trino_sql_gives_the_duckdb_rows(query: str) -> None:
    compiled = compile_query(parse_query(query), start=START, end=END)
    try:
        trino = to_trino(compiled)
    except AthenaUnsupportedError as refused:
        assert "DuckDB only" in str(refused) or "no form" in str(refused)
        return
    parsed = sqlglot.parse_one(trino, read="trino")
    assert not list(parsed.find_all(exp.Placeholder, exp.Parameter)), "values are literals"
    assert _rows(_back_to_duckdb(trino), None, engine=False) == _rows(
        compiled.sql, compiled.params, engine=True
    )


def test_most_held_in_cases_run_on_athena() -> None:
    ran = 0
    for query in QUERIES:
        try:
            to_trino(compile_query(parse_query(query), start=START, end=END))
            ran += 1
        except OpsbookError:
            continue
    assert ran >= 25


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("filter isValidIp(ip)", "isValidIp"),
        ("parse @message logfmt as lf | fields lf.a", "logfmt"),
        ("parse csv as a, b", "csv"),
        ("pattern @message", "pattern"),
        ("stats sortsFirst(path) by level", "struct"),
    ],
)
def test_duckdb_only_constructs_are_refused_by_name(query: str, named: str) -> None:
    compiled = compile_query(parse_query(query), start=START, end=END)
    with pytest.raises(AthenaUnsupportedError, match=named):
        to_trino(compiled)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("5m", ["2026-01-01 00:00:00", "2026-01-01 00:05:00"]),
        ("1h", ["2026-01-01 00:00:00"]),
        ("1mo", ["2026-01-01 00:00:00"]),
    ],
)
def test_bins_fall_where_duckdb_puts_them(period: str, expected: list[str]) -> None:
    compiled = compile_query(
        parse_query(f"filter level = 'ERROR' | stats count(*) as n by bin({period}) as b"),
        start=START,
        end=END,
    )
    rows = _rows(_back_to_duckdb(to_trino(compiled)), None, engine=False)
    assert rows == _rows(compiled.sql, compiled.params, engine=True)
    assert [str(row[0]) for row in rows] == expected


def test_percentiles_are_approx_percentile_on_athena() -> None:
    compiled = compile_query(parse_query("stats pct(latency, 99)"), start=START, end=END)
    assert "APPROX_PERCENTILE(" in to_trino(compiled)
