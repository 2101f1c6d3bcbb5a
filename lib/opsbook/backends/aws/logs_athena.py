"""Logs Insights over S3 log archives on Athena: one compiled query, rendered in Trino SQL.

For a source ``s3://<bucket>/<prefix>`` the Glue table that serves it is found in
``settings.athena_database`` by the properties :func:`opsbook.backends.s3tables.table_ddl` gives
it (``opsbook.source``, ``opsbook.format``); without one the error prints the statement to run.
The query is compiled once (:func:`opsbook.insights.compile_query`), rendered for Trino over
the format's events view (:func:`opsbook.insights.trino.to_trino`,
:func:`opsbook.backends.s3tables.events_sql`: projected partitions of the query's days only),
checked to be one read (:func:`opsbook.queries._safety.statement_problem`, as the read-only
guard does), and run through the same execution as CUR queries (:mod:`.athena_run`): the bytes
cap from ``max_query_cost_usd``, the query stopped on interrupt or any failure. The rows come
back in the local engine's frame (:class:`opsbook.insights.Result`): same columns, kinds,
``@ptr`` and statistics (``bytesScanned`` is what Athena billed; Athena does not count the
records it scanned, so ``recordsScanned`` is absent).

Examples
--------
>>> from opsbook.settings import resolve
>>> query_archive(resolve(backend="aws"), "stats count(*)", "s3://shop-logs/AWSLogs/",
...               None, None)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from opsbook.backends import s3tables
from opsbook.backends.aws import aws_errors, client, session
from opsbook.backends.aws.athena_run import execution_request, run_execution
from opsbook.errors import ConfigurationError
from opsbook.insights import compile_query, parse_query, reads_other_groups
from opsbook.insights.engine import pointer_values
from opsbook.insights.results import Result
from opsbook.insights.trino import to_trino
from opsbook.queries._safety import statement_problem
from opsbook.queries.runs import bytes_for_usd
from opsbook.settings import Settings

__all__ = ["archive_sql", "find_table", "query_archive"]

_ALL_ROWS = 2**62  # limit=None: every matching row, as the local engine reads it


def find_table(settings: Settings, source: str) -> tuple[str, str]:
    """Return ``(table, format)`` of the Glue table serving ``source`` in the Athena database.

    Raises
    ------
    ConfigurationError
        When no table names ``source`` (the message says how to create one).
    """
    wanted = source if source.endswith("/") else source + "/"
    glue = client(settings, "glue")
    with aws_errors("glue:GetTables"):
        for page in glue.get_paginator("get_tables").paginate(
            DatabaseName=settings.athena_database
        ):
            for table in page["TableList"]:
                parameters = table.get("Parameters", {})
                if parameters.get("opsbook.source") == wanted and parameters.get("opsbook.format"):
                    return table["Name"], parameters["opsbook.format"]
    raise ConfigurationError(
        f"no Glue table in {settings.athena_database} serves {source}: create one with the "
        f"statement opsbook.logs.athena_table_ddl({source!r}, '<format>') returns (formats: "
        f"{', '.join(sorted(s3tables.TABLES))}), run it in Athena, then query again"
    )


def archive_sql(
    text: str,
    format_name: str,
    table: str,
    source: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    limit: int | None = None,
) -> tuple[str, Any]:
    """Return the Trino statement Athena runs for ``text`` over ``table``, and the compilation.

    Examples
    --------
    >>> t = dt.datetime(2026, 11, 14, 10, tzinfo=dt.UTC)
    >>> sql, _ = archive_sql("filter elb_status_code >= 500 | stats count(*) as n", "alb",
    ...                      '"logs"."opsbook_alb"', "s3://b/p/", t, t + dt.timedelta(hours=1))
    >>> sql.startswith("WITH events AS (SELECT FROM_ISO8601_TIMESTAMP")
    True
    """
    parsed = parse_query(text)
    if reads_other_groups(parsed):
        raise ConfigurationError(
            "SOURCE picks log groups; an Athena query reads the one S3 archive it names: drop "
            "SOURCE and name the archive in log_groups"
        )
    compiled = compile_query(parsed, start=start, end=end, limit=limit or _ALL_ROWS)
    events = s3tables.events_sql(format_name, table, source, start, end)
    sql = to_trino(compiled, events)
    problem = statement_problem(sql)
    if problem is not None:  # the compiler writes SELECTs only: a failure here is a bug
        raise ConfigurationError(f"the Athena statement is not one read: {problem}")
    return sql, compiled


def query_archive(
    settings: Settings,
    text: str,
    source: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    limit: int | None = None,
    timeout: float | None = None,
) -> pd.DataFrame:
    """Run Logs Insights ``text`` over the S3 archive ``source`` on Athena; the local frame.

    Raises
    ------
    ConfigurationError
        For a source no Glue table serves, or a query that only the local engine runs
        (:class:`opsbook.insights.trino.AthenaUnsupportedError`).
    QueryCancelledError, QueryFailedError, AccessDeniedError
        From the Athena execution (:func:`opsbook.backends.aws.athena_run.run_execution`).
    """
    import awswrangler as wr

    name, format_name = find_table(settings, source)
    table = f'"{settings.athena_database}"."{name}"'
    wanted = source if source.endswith("/") else source + "/"
    sql, compiled = archive_sql(text, format_name, table, wanted, start, end, limit=limit)
    request = execution_request(
        sql,
        [],
        database=settings.athena_database,
        workgroup=settings.athena_workgroup,
        output=settings.athena_output_location,
        reuse_minutes=0,  # a log window is not re-read often enough to pay for stale rows
    )
    execution = run_execution(
        client(settings, "athena"),
        request,
        name=f"logs over {source}",
        timeout=timeout,
        max_bytes=bytes_for_usd(settings.max_query_cost_usd),
    )
    with aws_errors("s3:GetObject on the Athena output location"):
        frame = wr.athena.get_query_results(execution.query_id, boto3_session=session(settings))
    rows = [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    width = len(compiled.columns)
    statistics: dict[str, float] = {"bytesScanned": float(execution.bytes_scanned)}
    if "ob_matched" in compiled.hidden and rows:
        matched = rows[0][width + compiled.hidden.index("ob_matched")]
        statistics["recordsMatched"] = float(matched or 0)
    elif compiled.matched == "rows" or not rows:
        statistics["recordsMatched"] = float(len(rows))
    pointers = None
    if "ob_ptr" in compiled.hidden:
        pointers = pointer_values([str(r[width + compiled.hidden.index("ob_ptr")]) for r in rows])
    result = Result(compiled.columns, [r[:width] for r in rows], statistics, pointers=pointers)
    result.notes += list(compiled.notes)
    out = result.frame()
    out.attrs["query_ids"] = [execution.query_id]
    return out


def _plain(value: object) -> object:
    """Return a cell as the local engine hands it over: missing values as ``None``."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()  # numpy scalars
    return value
