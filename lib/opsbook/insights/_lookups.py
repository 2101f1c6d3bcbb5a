r"""``lookup``: enrich events from a CSV lookup table, and load those tables into DuckDB.

A lookup table is a CSV file with a header row, as CloudWatch's CreateLookupTable takes it. The
compiler joins a table named ``ob_lookup_<name>``; :func:`load_lookup_tables` creates those
tables from ``<folder>/<name>.csv`` before the query runs (every value is text, as uploaded).

Examples
--------
>>> import duckdb, tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "users.csv").write_text("id,name\n7,Ana\n")
>>> con = duckdb.connect()
>>> load_lookup_tables(con, [("users", 0, ("id", "name"))], folder, "lookup users id OUTPUT name")
>>> con.execute('SELECT name FROM "ob_lookup_users"').fetchall()
[('Ana',)]
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb

from opsbook.insights import ast
from opsbook.insights._commands import CommandCompiler
from opsbook.insights._expressions import Rel
from opsbook.insights.errors import MalformedQueryError
from opsbook.insights.values import Value, as_text

__all__ = ["LookupCompiler", "load_lookup_tables", "quote"]


def quote(name: str) -> str:
    """Return ``name`` as a quoted SQL identifier (a CSV header can hold any text)."""
    return '"' + name.replace('"', '""') + '"'


class LookupCompiler(CommandCompiler):
    """``lookup table key as field, ... OUTPUT a, b``: a left join on the first matching row."""

    #: Every lookup of the query: (table, offset in the text, columns it reads).
    lookups: list[tuple[str, int, tuple[str, ...]]]

    def lookup(self, rel: Rel, command: ast.Lookup) -> Rel:
        columns = tuple(dict.fromkeys([k for k, _ in command.keys] + list(command.outputs)))
        self.lookups.append((command.table, command.start, columns))
        alias = f"k{self.counter + 1}"
        keys = ", ".join(quote(k) for k, _ in command.keys)
        first = (
            f"(SELECT * FROM {quote('ob_lookup_' + command.table)} "
            f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY ob_row) = 1)"
        )
        on = " AND ".join(
            f"{alias}.{quote(column)} = {as_text(self.expr(ast.Field(field), rel)).sql}"
            for column, field in command.keys
        )
        selects, scope = [], dict(rel.scope)
        for name in command.outputs:
            own = as_text(self.expr(ast.Field(name), rel)).sql
            column = self.column()
            # A matched row's value replaces a field of the same name; unmatched events keep it.
            selects.append(
                f"CASE WHEN {alias}.ob_row IS NOT NULL THEN {alias}.{quote(name)} ELSE {own} END "
                f"AS {column}"
            )
            scope[name] = Value(column, "str")
        rel = self.add_cte(
            rel,
            f"SELECT {rel.name}.*, {', '.join(selects)} FROM {rel.name} "
            f"LEFT JOIN {first} AS {alias} ON {on}",
        )
        return dataclasses.replace(rel, scope=scope)


def load_lookup_tables(
    con: duckdb.DuckDBPyConnection,
    lookups: list[tuple[str, int, tuple[str, ...]]],
    folder: Path | None,
    text: str,
) -> None:
    """Create ``ob_lookup_<name>`` from ``folder/<name>.csv`` for each lookup of the query.

    Raises
    ------
    MalformedQueryError
        When the table's file is missing, or lacks a column the query reads (pointing at the
        lookup command, naming the file and the columns it has).
    """
    for name, offset, columns in lookups:
        path = folder / f"{name}.csv" if folder is not None else None
        if path is None or not path.is_file():
            where = f"no file {path}" if path is not None else "no lookup-table folder is set"
            raise MalformedQueryError(text, offset, f"a lookup table named {name!r} ({where})")
        table = quote(f"ob_lookup_{name}")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT row_number() OVER () AS ob_row, * "
            "FROM read_csv($1, header = true, all_varchar = true, auto_detect = true)",
            [str(path)],
        ).fetchall()
        have = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()][1:]
        missing = [c for c in columns if c not in have]
        if missing:
            raise MalformedQueryError(
                text, offset, f"columns of lookup table {name!r} ({path}: {', '.join(have)})",
                ", ".join(missing),
            )  # fmt: skip
