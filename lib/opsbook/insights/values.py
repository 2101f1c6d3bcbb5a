"""Typed SQL fragments: how Logs Insights' dynamic values map onto DuckDB's static types.

Logs Insights values are untyped at rest (a JSON number, a parsed string, a timestamp); DuckDB
needs types. Each compiled expression is a :class:`Value`: SQL text plus one of five kinds:

- ``str``  — VARCHAR: ``@message``, discovered JSON fields (as text), parsed fields;
- ``num``  — DOUBLE: arithmetic, numeric functions, Lambda durations and sizes;
- ``ts``   — TIMESTAMP (UTC, naive): ``@timestamp``, ``bin()``, ``fromMillis()``;
- ``bool`` — BOOLEAN: comparisons, ``ispresent``, IP checks (rendered ``1``/``0``);
- ``json`` — JSON: ``jsonParse()`` maps and lists, and their members.

The coercions below are where the documented ambiguities about mixing types are implemented
(see :mod:`opsbook.insights.semantics`). The SQL macros they call are created by
:func:`install_macros` on every connection the engine uses.

Examples
--------
>>> as_text(Value("x", "num")).sql
'ob_num_text(x)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import duckdb

__all__ = [
    "MACROS",
    "Value",
    "as_bool",
    "as_json",
    "as_num",
    "as_text",
    "as_ts",
    "coerce",
    "install_macros",
]

Kind = Literal["str", "num", "ts", "bool", "json"]

#: Helper macros, created on each engine connection (names prefixed ``ob_``).
MACROS = {
    "ob_num_text": "(d) AS CASE WHEN d IS NULL OR isnan(d) THEN NULL "
    "WHEN isfinite(d) AND d = trunc(d) AND abs(d) < 1e15 THEN CAST(CAST(d AS BIGINT) AS VARCHAR) "
    "ELSE CAST(d AS VARCHAR) END",
    "ob_ts_text": "(t) AS strftime(t, '%Y-%m-%d %H:%M:%S.%g')",
    "ob_is_number": r"(s) AS regexp_full_match(s, '[-+]?[0-9]+(\.[0-9]+)?')",
    # Any text DuckDB reads as a DOUBLE is a number (a regex test first would triple the cost).
    "ob_to_num": "(s) AS TRY_CAST(s AS DOUBLE)",
    # Natural sort key of a text: each digit run becomes '0' + its zero-padded length + the digits,
    # so runs compare by length then value, and against text by the digit's code point.
    "ob_natural_key": "(s) AS list_aggregate(list_transform(regexp_extract_all(s, '[0-9]+|[^0-9]+'), "
    "lambda r: CASE WHEN r[1] BETWEEN '0' AND '9' THEN '0' || lpad(CAST(length(r) AS VARCHAR), 6, '0') || r "
    "ELSE r END), 'string_agg', '')",
    "ob_json_text": "(j) AS CASE WHEN j IS NULL OR json_type(j) = 'NULL' THEN NULL "
    "WHEN json_type(j) = 'VARCHAR' THEN json_extract_string(j, '$') ELSE CAST(j AS VARCHAR) END",
    "ob_numbered_tokens": "(p) AS array_to_string(list_transform(string_split(p, '<*>'), "
    "lambda x, i: CASE WHEN i < len(string_split(p, '<*>')) THEN x || '<Token-' || i || '>' ELSE x END), '')",
}


@dataclass(frozen=True)
class Value:
    """A compiled expression: DuckDB SQL text and its kind."""

    sql: str
    kind: Kind

    def __str__(self) -> str:
        return self.sql


NULL = Value("CAST(NULL AS VARCHAR)", "str")


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``ob_*`` macros and the session settings the compiled SQL relies on."""
    con.execute("SET TimeZone = 'UTC'").fetchall()
    con.execute("SET error_on_division_by_zero = false").fetchall()
    for name, body in MACROS.items():
        con.execute(f"CREATE OR REPLACE TEMP MACRO {name}{body}").fetchall()


#: (from kind, to kind) -> the SQL template converting a value (``{0}`` is its SQL). A missing
#: pair has no conversion: the value becomes a typed null.
_CASTS = {
    ("num", "str"): "ob_num_text({0})",
    ("ts", "str"): "ob_ts_text({0})",
    ("bool", "str"): "CASE WHEN {0} THEN '1' WHEN NOT {0} THEN '0' END",
    ("json", "str"): "ob_json_text({0})",
    ("str", "num"): "ob_to_num({0})",
    ("ts", "num"): "CAST(epoch_ms({0}) AS DOUBLE)",
    ("bool", "num"): "CAST({0} AS DOUBLE)",
    ("json", "num"): "ob_to_num(ob_json_text({0}))",
    ("num", "ts"): "make_timestamp(CAST(({0}) * 1000 AS BIGINT))",
    ("str", "ts"): "coalesce(TRY_CAST(TRY_CAST({0} AS TIMESTAMPTZ) AS TIMESTAMP), "
    "make_timestamp(CAST(ob_to_num({0}) * 1000 AS BIGINT)))",
    ("num", "bool"): "(({0}) <> 0)",
    ("str", "bool"): "(coalesce(ob_to_num({0}), length({0})) <> 0)",
    ("ts", "bool"): "(({0}) IS NOT NULL)",
    ("json", "bool"): "(({0}) IS NOT NULL)",
}
_NULLS = {"str": "VARCHAR", "num": "DOUBLE", "ts": "TIMESTAMP", "bool": "BOOLEAN"}


def coerce(value: Value, kind: Kind) -> Value:
    """Return ``value`` as ``kind`` (``json`` is :func:`as_json`), by the table above.

    Examples
    --------
    >>> coerce(Value("x", "bool"), "num").sql
    'CAST(x AS DOUBLE)'
    >>> coerce(Value("x", "bool"), "ts").sql
    'CAST(NULL AS TIMESTAMP)'
    """
    if kind == "json":
        return as_json(value)
    if value.kind == kind:
        return value
    template = _CASTS.get((value.kind, kind))
    sql = template.format(value.sql) if template else f"CAST(NULL AS {_NULLS[kind]})"
    return Value(sql, kind)


def as_text(value: Value) -> Value:
    """Return ``value`` as VARCHAR, rendered as GetQueryResults shows it."""
    return coerce(value, "str")


def as_num(value: Value) -> Value:
    """Return ``value`` as DOUBLE; text that is not a number becomes null."""
    return coerce(value, "num")


def as_ts(value: Value) -> Value:
    """Return ``value`` as TIMESTAMP: numbers are epoch milliseconds, text is ISO 8601."""
    return coerce(value, "ts")


def as_bool(value: Value) -> Value:
    """Return ``value`` as BOOLEAN: numbers are true when non-zero, text when non-empty."""
    return coerce(value, "bool")


def as_json(value: Value) -> Value:
    """Return ``value`` as JSON (text that is not JSON becomes null)."""
    if value.kind == "json":
        return value
    text = as_text(value).sql
    return Value(f"CASE WHEN json_valid({text}) THEN CAST({text} AS JSON) END", "json")
