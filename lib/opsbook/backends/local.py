"""The local backend: DuckDB over files in the layouts AWS writes to S3, under ``data_dir``.

- ``cur/<export>/data/BILLING_PERIOD=YYYY-MM/*.parquet``: CUR 2.0 from Data Exports;
- ``logs/export/<log group>/<task id>/<log stream>/NNNNNN.gz``: CloudWatch Logs export task output;
- ``logs/firehose/<delivery stream>/YYYY/MM/DD/HH/*``: subscription-filter records via Firehose;
- ``metrics/<metric stream>/YYYY/MM/DD/HH/*``: Metric Streams JSON records via Firehose.

A copy of a real account's S3 data in these layouts is read the same way as the sample.

Examples
--------
>>> from opsbook.settings import resolve
>>> run_cur_query("SELECT count(*) AS n FROM cur", {}, resolve())  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import sqlglot

from opsbook.backends import logfiles
from opsbook.backends.frames import log_groups_frame, namespaces_frame
from opsbook.errors import ConfigurationError, NoDataError, QueryFailedError
from opsbook.settings import Settings

__all__ = ["connect", "cur_files", "describe_log_groups", "describe_namespaces", "run_cur_query"]

_HINT = "run `opsbook sample generate`, or point data_dir at a copy of your exported data"


def connect() -> duckdb.DuckDBPyConnection:
    """Return a fresh in-memory DuckDB connection."""
    return duckdb.connect(":memory:")


def data_dir(settings: Settings) -> Path:
    """Return the data folder, or raise :class:`NoDataError` saying how to make one."""
    folder = Path(settings.data_dir)
    if not folder.is_dir():
        raise NoDataError(f"data folder {folder} does not exist: {_HINT}")
    return folder


def cur_files(settings: Settings) -> str:
    """Return the glob of the CUR export's Parquet files (the export named in settings, or the only one)."""
    root = data_dir(settings) / "cur"
    exports = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if settings.cur_export:
        if settings.cur_export not in exports:
            raise NoDataError(
                f"no CUR export {settings.cur_export!r} under {root}; found: {', '.join(exports) or 'none'}"
            )
        export = settings.cur_export
    elif len(exports) == 1:
        export = exports[0]
    elif not exports:
        raise NoDataError(f"no CUR export under {root}: {_HINT}")
    else:
        raise ConfigurationError(
            f"several CUR exports under {root} ({', '.join(exports)}): set cur_export to one of them"
        )
    data = root / export / "data"
    if not any(data.glob("BILLING_PERIOD=*/*.parquet")):
        raise NoDataError(
            f"CUR export {export!r} has no BILLING_PERIOD=YYYY-MM/*.parquet files in {data}"
        )
    return str(data / "BILLING_PERIOD=*" / "*.parquet")


def run_cur_query(sql: str, params: dict[str, Any], settings: Settings) -> pd.DataFrame:
    """Run Athena SQL on DuckDB: transpiled by sqlglot, ``cur`` bound to the export's Parquet files."""
    con = connect()
    # The partition folder gives billing_period, as the Glue/Athena table's partition key does
    # (lower-case, as Glue names it, so result columns are named the same on both engines).
    files = con.read_parquet(cur_files(settings), hive_partitioning=True)
    files.project("* EXCLUDE (BILLING_PERIOD), BILLING_PERIOD AS billing_period").create_view("cur")
    try:
        local_sql = sqlglot.transpile(sql, read="trino", write="duckdb")[0]
    except sqlglot.errors.ParseError as error:
        raise QueryFailedError(f"cannot parse the query as Athena SQL: {error}") from None
    try:
        return con.execute(local_sql, params or None).df()
    except duckdb.Error as error:
        raise QueryFailedError(f"query failed on DuckDB: {error}") from None
    finally:
        con.close()


def describe_log_groups(settings: Settings) -> pd.DataFrame:
    """Return each log group found in the data folder with its format, streams, events and span."""
    events = logfiles.read_events(data_dir(settings))
    if events.num_rows == 0:
        raise NoDataError(f"no CloudWatch Logs files under {data_dir(settings) / 'logs'}: {_HINT}")
    con = connect()
    con.register("events", events)
    frame = con.sql(
        """
        SELECT log_group, any_value(format) AS format, count(DISTINCT log_stream) AS streams,
               count(*) AS events, sum(strlen(message)) AS stored_bytes,
               min(timestamp) AS first_event, max(timestamp) AS last_event
        FROM events GROUP BY log_group ORDER BY log_group
        """
    ).df()
    return log_groups_frame(frame)


def describe_namespaces(settings: Settings) -> pd.DataFrame:
    """Return each metric namespace in the Metric Streams files with metrics, series and span."""
    files = sorted(str(p) for p in (data_dir(settings) / "metrics").glob("*/**/*") if p.is_file())
    if not files:
        raise NoDataError(
            f"no Metric Streams files under {data_dir(settings) / 'metrics'}: {_HINT}"
        )
    con = connect()
    con.read_json(
        files,
        format="newline_delimited",
        compression="gzip",
        columns={
            "namespace": "VARCHAR",
            "metric_name": "VARCHAR",
            "dimensions": "JSON",
            "timestamp": "BIGINT",
        },
    ).create_view("records")
    frame = con.sql(
        """
        SELECT namespace, count(DISTINCT metric_name) AS metrics,
               count(DISTINCT (metric_name, dimensions::VARCHAR)) AS series, count(*) AS datapoints,
               make_timestamp(min(timestamp) * 1000) AS first,
               make_timestamp(max(timestamp) * 1000) AS last
        FROM records GROUP BY namespace ORDER BY namespace
        """
    ).df()
    return namespaces_frame(frame)
