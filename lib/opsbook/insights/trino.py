r"""Render a compiled Logs Insights query as Trino SQL for Athena, from the tree of its DuckDB SQL.

The compiler (:mod:`.compiler`) writes one DuckDB statement over the ``events`` view. This module
parses that statement with sqlglot and transforms the tree so the Trino generator can render it:

- each ``$n`` parameter becomes the literal of its value (sqlglot quotes it: strings are never
  pasted into SQL text). Athena binds ``ExecutionParameters`` in WHERE clauses only, and the
  compiler uses constants in SELECT lists as well, so literals are the one form that serves all;
- each ``ob_*`` helper macro (:data:`opsbook.insights.values.MACROS`) is expanded into a Trino
  body (:data:`TRINO_MACROS`) with its argument substituted;
- DuckDB functions sqlglot renders for Trino are left to it (``regexp_matches`` becomes
  ``REGEXP_LIKE``, ``arg_max`` ``MAX_BY``, ``quantile_disc`` ``APPROX_PERCENTILE``,
  ``strftime`` ``DATE_FORMAT``, ``make_timestamp`` ``FROM_UNIXTIME`` ...);
- what sqlglot renders wrongly or not at all is rewritten here: ``epoch_ms(ts)`` (a timestamp
  read as milliseconds) becomes ``DATE_DIFF``, ``time_bucket`` (``bin``) epoch arithmetic or
  calendar months, ``quantile_disc`` (``pct``) ``APPROX_PERCENTILE``, ``fmod`` ``%``.

What Athena cannot run is refused with :class:`AthenaUnsupportedError` naming the construct
(:data:`DUCKDB_ONLY` says why for each): the IP, logfmt and CSV functions are Python UDFs of the
local engine; ``sortsFirst``/``sortsLast`` over text order by a DuckDB struct; ``pattern``
needs DuckDB list lambdas with indexes; ``anomaly`` and ``lookup`` need engine state (a table
function, a loaded table); JSON paths with wildcards (``unnest``) have no Trino form in sqlglot.
Non-integer numbers render as Trino casts them to text (``1.25E1`` where DuckDB writes ``12.5``).

Examples
--------
>>> import datetime as dt
>>> from opsbook.insights.parser import parse_query
>>> from opsbook.insights.compiler import compile_query
>>> t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
>>> compiled = compile_query(parse_query("filter status like /5\\d\\d/ | stats count(*)"),
...                          start=t0, end=t0 + dt.timedelta(hours=1))
>>> sql = to_trino(compiled)
>>> "REGEXP_LIKE" in sql and "'5\\d\\d'" in sql and "$" not in sql.replace("'$", "")
True
>>> to_trino(compile_query(parse_query("filter isValidIp(ip)"), start=t0, end=t0))
Traceback (most recent call last):
...
opsbook.insights.trino.AthenaUnsupportedError: the query uses isValidIp/isIpInSubnet/... (ob_ip_valid), which runs on DuckDB only: IP functions are Python UDFs of the local engine; run this query with the local engine
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from opsbook.errors import ConfigurationError
from opsbook.insights.compiler import Compiled

__all__ = ["DUCKDB_ONLY", "TRINO_MACROS", "AthenaUnsupportedError", "to_trino"]


class AthenaUnsupportedError(ConfigurationError):
    """A Logs Insights query that compiles for DuckDB but not for Athena (Trino)."""


#: The ``ob_*`` macros in Trino, over the argument ``_a`` (see :mod:`opsbook.insights.values`).
TRINO_MACROS = {
    "ob_num_text": "CASE WHEN _a IS NULL OR is_nan(_a) THEN NULL "
    "WHEN _a = truncate(_a) AND abs(_a) < 1e15 "
    "THEN CAST(CAST(_a AS BIGINT) AS VARCHAR) ELSE CAST(_a AS VARCHAR) END",
    "ob_ts_text": "substr(date_format(_a, '%Y-%m-%d %H:%i:%s.%f'), 1, 23)",
    "ob_is_number": r"regexp_like(_a, '^[-+]?[0-9]+(\.[0-9]+)?$')",
    "ob_to_num": "TRY_CAST(_a AS DOUBLE)",
    "ob_natural_key": "array_join(transform(regexp_extract_all(_a, '[0-9]+|[^0-9]+'), "
    "r -> CASE WHEN substr(r, 1, 1) BETWEEN '0' AND '9' "
    "THEN '0' || lpad(CAST(length(r) AS VARCHAR), 6, '0') || r ELSE r END), '')",
    "ob_json_text": "CASE WHEN json_format(_a) = 'null' THEN NULL "
    "ELSE coalesce(json_extract_scalar(_a, '$'), json_format(_a)) END",
}

#: What runs on DuckDB only, by the helper the compiled SQL names, and why.
DUCKDB_ONLY = {
    "ob_ip": ("isValidIp/isIpInSubnet/...", "IP functions are Python UDFs of the local engine"),
    "ob_logfmt": ("parse ... as logfmt", "logfmt splitting is a Python UDF of the local engine"),
    "ob_csv": ("parse ... as csv", "CSV splitting is a Python UDF of the local engine"),
    "ob_numbered_tokens": ("pattern", "pattern clustering needs DuckDB list lambdas"),
    "ob_anomaly": ("anomaly", "the anomaly band is computed by a DuckDB table function"),
    "lookup_": ("lookup", "lookup tables are loaded into the DuckDB session"),
}


def to_trino(compiled: Compiled, events: str | None = None) -> str:
    """Return ``compiled``'s statement in Trino SQL (Athena engine 3), reading ``events``.

    ``events`` (a Trino ``SELECT``) defines the ``events`` view as the statement's first CTE,
    e.g. :func:`opsbook.backends.s3tables.events_sql` over a Glue table; without it the
    statement reads a table or view named ``events``.

    Raises
    ------
    AthenaUnsupportedError
        For a construct that runs on DuckDB only (:data:`DUCKDB_ONLY`), or one sqlglot cannot
        render for Trino (named in the message).
    """
    try:
        tree = sqlglot.parse_one(compiled.sql, read="duckdb")
    except SqlglotError as error:  # the compiler's own SQL: should not happen
        raise AthenaUnsupportedError(
            f"the compiled query is not SQL sqlglot reads: {error}"
        ) from None
    for table in tree.find_all(exp.Table):
        _refuse(table.name)
    tree = tree.transform(lambda node: _rewrite(node, compiled.params), copy=False)
    if events is not None:
        view = exp.CTE(
            this=sqlglot.parse_one(events, read="trino"),
            alias=exp.TableAlias(this=exp.to_identifier("events")),
        )
        tree.args["with_"].expressions.insert(0, view)
    try:
        return tree.sql(dialect="trino", unsupported_level=sqlglot.ErrorLevel.RAISE)
    except SqlglotError as error:
        first = str(error).split("\n", 1)[0]
        raise AthenaUnsupportedError(
            f"the query uses a construct Trino has no form for ({first}); run it with the "
            "local engine"
        ) from None


def _refuse(name: str) -> None:
    for prefix, (what, why) in DUCKDB_ONLY.items():
        if name.lower().startswith(prefix):
            raise AthenaUnsupportedError(
                f"the query uses {what} ({name}), which runs on DuckDB only: {why}; run this "
                "query with the local engine"
            )


def _rewrite(node: exp.Expression, params: list[object]) -> exp.Expression:
    if isinstance(node, exp.Placeholder) and str(node.this).isdigit():
        return _literal(params[int(node.this) - 1])
    if isinstance(node, exp.Anonymous) and str(node.this).lower().startswith("ob_"):
        name = str(node.this).lower()
        if name not in TRINO_MACROS:
            _refuse(name)
            raise AthenaUnsupportedError(f"no Trino form for the engine helper {name}")
        argument = _inner(node.expressions[0], params)
        return _macro(name).transform(
            lambda n: argument.copy() if isinstance(n, exp.Column) and n.name == "_a" else n
        )
    if isinstance(node, exp.UnixToTime) and node.args.get("scale") == exp.Literal.number(3):
        # The compiler's epoch_ms(ts) reads a timestamp as epoch milliseconds (sqlglot takes
        # DuckDB's epoch_ms for the opposite overload).
        return exp.DateDiff(
            this=node.this,
            expression=exp.UnixToTime(this=exp.Literal.number(0)),
            unit=exp.var("MILLISECOND"),
        )
    if isinstance(node, exp.DateBin):
        return _bucket(node, params)
    if isinstance(node, exp.PercentileDisc):
        # Logs Insights' pct() is itself an estimate; Athena's approx_percentile is its match.
        return exp.ApproxQuantile(this=_inner(node.this, params), quantile=node.expression)
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "fmod":
        left, right = (exp.Paren(this=_inner(e, params)) for e in node.expressions)
        return exp.Mod(this=left, expression=right)
    if isinstance(node, exp.Struct):
        raise AthenaUnsupportedError(
            "the query orders by a DuckDB struct (sortsFirst/sortsLast over text), which runs "
            "on DuckDB only; run this query with the local engine"
        )
    if isinstance(node, exp.CTE):
        node.set("materialized", None)  # a DuckDB planner hint; Trino plans CTEs itself
    return node


def _inner(node: exp.Expression, params: list[object]) -> exp.Expression:
    """Rewrite the arguments of a node being replaced (the walk does not revisit them)."""
    return node.transform(lambda n: _rewrite(n, params))


#: Seconds in each fixed bucketing unit, and months in each calendar one.
_SECONDS = {"MILLISECOND": 0.001, "SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400,
            "WEEK": 604800}  # fmt: skip
_MONTHS = {"MONTH": 1, "YEAR": 12}


def _bucket(node: exp.DateBin, params: list[object]) -> exp.Expression:
    """Return ``time_bucket(period, ts, 1970-01-01)`` in Trino: epoch arithmetic, or months."""
    interval = node.this
    amount, unit = float(interval.this.name), interval.unit.name.upper()
    ts = _inner(node.expression, params)
    if unit in _SECONDS:
        step = _number(amount * _SECONDS[unit])
        template = f"CAST(from_unixtime(floor(to_unixtime(_a) / {step}) * {step}) AS TIMESTAMP)"
    elif unit in _MONTHS:
        months = _number(amount * _MONTHS[unit])
        origin = "CAST('1970-01-01' AS TIMESTAMP)"
        template = (
            f"date_add('month', CAST(floor(date_diff('month', {origin}, _a) / {months}) "
            f"* {months} AS BIGINT), {origin})"
        )
    else:
        raise AthenaUnsupportedError(f"no Trino bucketing by {unit.lower()}")
    return sqlglot.parse_one(template, read="trino").transform(
        lambda n: ts.copy() if isinstance(n, exp.Column) and n.name == "_a" else n
    )


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


@cache
def _macro(name: str) -> exp.Expression:
    return sqlglot.parse_one(TRINO_MACROS[name], read="trino")


def _literal(value: object) -> exp.Expression:
    """Return the SQL literal of a bound value (text, number or an aware datetime)."""
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(repr(value))
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:23]
        return exp.cast(exp.Literal.string(f"{utc} UTC"), "TIMESTAMP WITH TIME ZONE")
    raise AthenaUnsupportedError(f"no Trino literal for the bound value {value!r}")
