"""CloudWatch Logs on AWS through boto3: log groups and Logs Insights queries.

:func:`query` runs Logs Insights text with StartQuery (batched, split under the row cap and merged
by :mod:`.insights_run`) and frames the rows as the local engine does. Files named in ``sources``
are read by the local engine, as on every backend.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_log_groups(resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from opsbook.backends.aws import aws_errors, s3_sources
from opsbook.backends.aws import client as aws_client
from opsbook.backends.aws.insights_run import run_query
from opsbook.backends.aws.logs_athena import query_archive
from opsbook.backends.contract import Logs, contract_functions
from opsbook.backends.frames import log_groups_frame
from opsbook.backends.s3formats import is_s3_source
from opsbook.errors import ConfigurationError
from opsbook.settings import Settings

__all__ = contract_functions(Logs)


def describe_log_groups(settings: Settings) -> pd.DataFrame:
    """Return the account's log groups with stored bytes (event counts are not listed by AWS)."""
    client = aws_client(settings, "logs")
    rows = []
    with aws_errors("logs:DescribeLogGroups"):
        for page in client.get_paginator("describe_log_groups").paginate():
            for group in page["logGroups"]:
                rows.append(
                    {
                        "log_group": group["logGroupName"],
                        "format": "cloudwatch",
                        "streams": None,
                        "events": None,
                        "stored_bytes": group.get("storedBytes"),
                        "first_event": None,
                        "last_event": None,
                    }
                )
    return log_groups_frame(rows)


def list_log_groups(settings: Settings) -> list[str]:
    """Return the account's log group names (DescribeLogGroups lists them with nothing else)."""
    return describe_log_groups(settings).log_group.tolist()


def list_s3_sources(settings: Settings) -> pd.DataFrame:
    """Return the S3 log archives in the account's buckets (:mod:`.s3_sources`)."""
    return s3_sources.list_sources(settings)


def query(
    settings: Settings,
    text: str,
    log_groups: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    *,
    limit: int | None = None,
    sources: Sequence[str | Path] | None = None,
    engine: str | None = None,
) -> pd.DataFrame:
    """Run a Logs Insights query with StartQuery and return the typed frame with its facts.

    Columns are named, ordered and typed from the query itself, as the local engine does, so
    both backends give the same frame for the same rows (a column no row has a value for is
    still there, all missing). Rows holding none of the query's fields at all (an emulator's
    answer to a query it cannot run) are framed as they came, so callers can tell. ``sources``
    (log files or folders) are read by the local engine instead. ``engine="athena"`` runs it
    on Athena over the one S3 archive ``log_groups`` names (:mod:`.logs_athena`).
    """
    from opsbook.insights import frame_from_records
    from opsbook.insights.results import describe_columns

    archives = [g for g in log_groups if is_s3_source(g)]
    if engine is not None:
        if engine != "athena" or len(archives) != 1 or len(log_groups) != 1 or sources:
            raise ConfigurationError(
                f"engine={engine!r}: give engine='athena' with exactly one S3 archive in "
                f"log_groups (s3://<bucket>/<prefix>) and no sources; got {list(log_groups)}"
            )
        return query_archive(settings, text, archives[0], start, end, limit=limit)
    if archives and not sources:
        raise ConfigurationError(
            f"{archives[0]} is an S3 log archive: the aws backend reads it on Athena, not "
            "with CloudWatch Logs Insights: pass engine='athena' (its Glue table: "
            "opsbook.logs.athena_table_ddl), or copy the prefix into data_dir/s3/<bucket>/ and "
            "use the local backend"
        )
    if sources:
        from opsbook.backends.local import logs as files

        return files.query(settings, text, log_groups, start, end, limit=limit, sources=sources)
    result = run_query(settings, text, log_groups, start, end, limit=limit)
    columns = describe_columns(text) or []
    present = {cell["field"] for row in result.records for cell in row}
    if result.records and not present & {c.name for c in columns}:
        columns = []
    frame = frame_from_records(
        result.records, [c.name for c in columns], {c.name: c.kind for c in columns}
    )
    frame.attrs.update(
        results=result.records,
        statistics=result.statistics,
        notes=result.notes,
        query_ids=result.query_ids,
    )
    return frame
