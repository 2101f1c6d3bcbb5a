"""CUR queries on Athena: the same SQL text as the local engine, run in the configured workgroup.

Approach: a plain query (no CTAS, no UNLOAD). CUR queries return summaries (hundreds to thousands
of rows), where CTAS/UNLOAD's faster Parquet download does not pay for what they need: Glue
CreateTable/DeleteTable (CTAS) or an extra S3 prefix to write and clean (UNLOAD), which read-only
FinOps roles usually lack, and neither can use Athena result reuse. The execution is started and
watched by :mod:`.athena_run` (so it can be stopped on interrupt, timeout or the cost cap), and the
result CSV Athena wrote is read by awswrangler (``wr.athena.get_query_results``), which types the
columns from Athena's result metadata.

Values travel as ``ExecutionParameters`` (positional ``?``), rendered as Trino literals
(strings quoted with ``'`` doubled), so Athena binds them server-side; Athena accepts them in WHERE
clauses only. The logical table ``cur`` becomes ``"<athena_database>"."<athena_table>"``, both
checked against a strict identifier pattern (:mod:`.cur_dialect`). Before the query runs, Glue GetTable confirms the
table exists, tells its flavour from its columns (CUR 2.0 has ``bill_payer_account_name``) and
that it has every column the query names. A legacy CUR or FOCUS table is read through the
compatibility view of :mod:`.cur_view` (a ``WITH cur AS (...)`` in front of the same SQL, with
the same mapping as the local engine), so one SQL body runs on all three.

Examples
--------
>>> from opsbook.settings import resolve
>>> from opsbook import queries
>>> run_cur_query(queries.load("cur/billing_periods"), {}, resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from opsbook.backends.aws import aws_errors, client, session
from opsbook.backends.aws.athena_run import execution_request, run_execution
from opsbook.backends.aws.cur_dialect import athena_statement
from opsbook.backends.aws.cur_view import CurTable, athena_view
from opsbook.backends.contract import Cur, contract_functions
from opsbook.backends.cur_mapping import missing_column_hint
from opsbook.errors import ConfigurationError, MissingColumnError
from opsbook.queries import Query
from opsbook.queries.analyse import parse_athena, referenced_columns
from opsbook.queries.runs import QueryRun, athena_cost_usd, bytes_for_usd, conform_frame
from opsbook.settings import Settings

__all__ = contract_functions(Cur)


def run_cur_query(
    query: Query,
    values: dict[str, Any],
    settings: Settings,
    *,
    timeout: float | None = None,
    use_cache: bool = True,
) -> pd.DataFrame:
    """Run a checked Athena query on Athena; ``df.attrs["query"]`` holds the run's facts.

    Raises
    ------
    ConfigurationError
        For a table that does not exist (naming the settings keys) or lacks a column the
        query needs (naming the export setting that adds it).
    AccessDeniedError, QueryFailedError, QueryCancelledError
        See :func:`opsbook.backends.aws.athena_run.run_execution`.
    """
    import awswrangler as wr

    started = time.perf_counter()
    tree = parse_athena(query.sql)
    table = _check_table(settings, referenced_columns(tree), query.name)
    view = athena_view(table) if table.flavour != "cur2" else None
    sql, params = athena_statement(tree, values, settings, view)
    request = execution_request(
        sql,
        params,
        database=settings.athena_database,
        workgroup=settings.athena_workgroup,
        output=settings.athena_output_location,
        reuse_minutes=settings.athena_result_reuse_minutes if use_cache else 0,
    )
    execution = run_execution(
        client(settings, "athena"),
        request,
        name=query.name,
        timeout=timeout,
        max_bytes=bytes_for_usd(settings.max_query_cost_usd),
    )
    with aws_errors("s3:GetObject on the Athena output location"):
        frame = wr.athena.get_query_results(execution.query_id, boto3_session=session(settings))
    frame = conform_frame(frame)
    facts = QueryRun(
        name=query.name,
        engine="athena",
        query_id=execution.query_id,
        bytes_scanned=execution.bytes_scanned,
        cost_usd=athena_cost_usd(execution.bytes_scanned),
        elapsed_s=time.perf_counter() - started,
        cache_hit=execution.reused,
        flavour=table.flavour,
    )
    frame.attrs["query"] = facts.as_dict()
    return frame


def _check_table(settings: Settings, columns: set[str], name: str) -> CurTable:
    """Confirm the CUR table exists, is a known flavour and has the query's columns."""
    glue = client(settings, "glue")
    try:
        with aws_errors("glue:GetTable"):
            found = glue.get_table(
                DatabaseName=settings.athena_database, Name=settings.athena_table
            )["Table"]
    except Exception as error:
        if "EntityNotFoundException" in str(error):
            raise ConfigurationError(
                f"no Glue table {settings.athena_database}.{settings.athena_table}: set "
                "athena_database and athena_table (OPSBOOK_ATHENA_DATABASE / OPSBOOK_ATHENA_TABLE) "
                "to the database and table of your CUR"
            ) from None
        raise
    where = f"{settings.athena_database}.{settings.athena_table}"
    stored = found.get("StorageDescriptor", {}).get("Columns", [])
    table = CurTable(
        settings.athena_database,
        settings.athena_table,
        {c["Name"].lower(): c.get("Type", "string") for c in stored},
        [c["Name"].lower() for c in found.get("PartitionKeys", [])],
    )
    flavour = table.flavour
    if settings.cur_flavour not in ("auto", flavour):
        raise ConfigurationError(
            f"Glue table {where} looks like {flavour}, but cur_flavour is "
            f"{settings.cur_flavour!r}: set cur_flavour = 'auto' (or {flavour!r})"
        )
    if "*" not in columns:
        for column in sorted(columns - table.columns):
            hint = missing_column_hint(column, flavour)
            if hint:
                raise MissingColumnError(
                    f"query {name!r} needs column {column}, which the {flavour} table "
                    f"{where} lacks: {hint}",
                    column,
                )
    return table
