"""CloudWatch Logs: log groups, Logs Insights queries and pulls, the same on both backends.

:func:`query` runs Logs Insights query text (or the name of a shipped ``.insights`` query) on the
configured backend: on AWS through StartQuery, locally through opsbook's own engine
(:mod:`opsbook.insights`) over log files. Both give the rows GetQueryResults would
(``df.attrs["results"]``, event rows ending with ``@ptr``) and the same typed DataFrame (typed
from the query, without ``@ptr``); statistics (records matched and scanned, bytes scanned,
cost on AWS) are in ``df.attrs["statistics"]`` and caveats in ``df.attrs["notes"]``.

Examples
--------
>>> groups = describe_log_groups()  # doctest: +SKIP
>>> groups[["log_group", "events"]].head(2)  # doctest: +SKIP
>>> query("stats count(*) by bin(1h)", ["checkout"], "2026-11-14", "2026-11-15")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from opsbook import clock
from opsbook.backends import backend
from opsbook.errors import ConfigurationError
from opsbook.queries import ledger
from opsbook.queries.runs import athena_cost_usd
from opsbook.settings import Settings, resolve

INSIGHTS_USD_PER_GB = 0.005  # Logs Insights bills per GB scanned

__all__ = [
    "athena_table_ddl",
    "describe_log_groups",
    "list_log_groups",
    "list_s3_sources",
    "pull",
    "query",
]

_DEFAULT_LENGTH = pd.Timedelta(hours=1)  # what query reads without a start: the hour before end


def describe_log_groups(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return one row per log group: format, streams, events, stored bytes, first and last event.

    On the aws backend, counts and times AWS does not list without a query are missing (``<NA>``).

    Examples
    --------
    >>> describe_log_groups().log_group.tolist()  # doctest: +SKIP
    ['/aws/apigateway/shop-public-api/access', '/aws/lambda/catalog-api-handler', ...]
    """
    settings = settings or resolve()
    return backend(settings).logs.describe_log_groups(settings)


def list_log_groups(*, settings: Settings | None = None) -> list[str]:
    """Return the log group names :func:`describe_log_groups` lists, in its order, and nothing else.

    Cheaper where the names need no event read: service discovery during an incident uses it.

    Examples
    --------
    >>> list_log_groups()[:1]  # doctest: +SKIP
    ['/aws/apigateway/shop-public-api/access']
    """
    settings = settings or resolve()
    return backend(settings).logs.list_log_groups(settings)


def list_s3_sources(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return the S3 log archives a query can name: ``source, format, objects, first/last_object``.

    One row per prefix (up to where the date folders begin) and format, e.g.
    ``s3://shop-logs/AWSLogs/123456789012/elasticloadbalancing/us-east-1/`` and ``alb``;
    ``first_object``/``last_object`` are the times in the first and last object's key. On the
    aws backend the list is empty until archives are read through Athena.

    Examples
    --------
    >>> list_s3_sources().query("format == 'alb'").source.tolist()  # doctest: +SKIP
    ['s3://northpeak-logs/AWSLogs/334455667788/elasticloadbalancing/us-east-1/']
    """
    settings = settings or resolve()
    return backend(settings).logs.list_s3_sources(settings)


def _window(
    start: clock.Moment | None, end: clock.Moment | None, length: pd.Timedelta | None = None
) -> tuple[dt.datetime, dt.datetime]:
    first, last = clock.window(start, end, length=length)
    return first.to_pydatetime(), last.to_pydatetime()


def query(
    query_text: str,
    log_groups: Sequence[str] | str = (),
    start: clock.Moment | None = None,
    end: clock.Moment | None = None,
    *,
    settings: Settings | None = None,
    limit: int | None = None,
    sources: Sequence[str | Path] | None = None,
    engine: str | None = None,
) -> pd.DataFrame:
    """Run a Logs Insights query and return its rows as a typed DataFrame.

    Parameters
    ----------
    query_text
        Logs Insights QL, e.g. ``"filter status >= 500 | stats count(*) by bin(5m)"``, or the
        name of a shipped query such as ``"logs/lambda_latency"`` (``queries/logs/*.insights``).
    log_groups
        Names or aliases (``settings.log_group_aliases``); on the local backend a trailing
        ``*`` selects by prefix and no group means all. A name ``s3://<bucket>/<prefix>`` is a
        log archive AWS wrote to S3 (ALB, NLB, VPC flow logs, CloudFront, S3 access, WAF,
        CloudTrail, API Gateway via Firehose: :mod:`opsbook.backends.s3formats`), read on the
        local backend from ``data_dir/s3/<bucket>/<prefix>`` with fields named as AWS documents
        them and only the objects of the window opened (:func:`list_s3_sources` lists them).
    start, end
        The window ``[start, end)``: ISO text, dates or datetimes (naive = UTC); an event at
        ``end`` is not read. Default: ``end`` now, ``start`` an hour before ``end``.
    limit
        Rows wanted; ``None`` = all matching rows (AWS: split under the 10,000-row cap).
    sources
        Log files or folders to read with the local engine instead of the backend's logs
        (``data_dir/logs`` or CloudWatch), whatever the backend.
    engine
        ``"athena"``: run the query on Athena (aws backend) over the one S3 archive named in
        ``log_groups``, through the Glue table :func:`athena_table_ddl` defines, with the
        guardrails of CUR queries (projected partitions of the window's days only, the
        ``max_query_cost_usd`` bytes cap, the query stopped on interrupt). What only DuckDB
        runs is refused by name (:mod:`opsbook.insights.trino`). Default: CloudWatch Logs
        Insights on the aws backend, opsbook's engine on the local one.

    Returns
    -------
    pandas.DataFrame
        Typed columns; ``attrs["results"]`` holds the GetQueryResults-style rows (string
        values), ``attrs["statistics"]`` and ``attrs["notes"]`` the statistics and caveats.

    Examples
    --------
    >>> frame = query("stats count(*) as n by @log", start="2026-11-08", end="2026-11-15")  # doctest: +SKIP
    """
    settings = settings or resolve()
    if not isinstance(query_text, str) or not query_text.strip():
        raise ConfigurationError(
            "the query is empty: give Logs Insights text, e.g. 'fields @message'"
        )
    if re.fullmatch(r"logs/[a-z0-9_]+", query_text.strip()):
        from opsbook.queries import load_insights

        query_text = load_insights(query_text.strip()).sql
    groups = [log_groups] if isinstance(log_groups, str) else list(_names(log_groups))
    groups = [settings.log_group(g) for g in groups]
    first, last = _window(start, end, _DEFAULT_LENGTH)
    if limit is not None and limit < 1:
        raise ConfigurationError(f"limit must be a positive number of rows, got {limit}")
    # Files given explicitly are read by the local engine whatever the backend setting says.
    frame = backend(settings).logs.query(
        settings, query_text, groups, first, last, limit=limit, sources=sources, engine=engine
    )
    scanned = float(frame.attrs.get("statistics", {}).get("bytesScanned", 0.0))
    if engine == "athena":  # what Athena bills for the scan
        ledger.charge(
            "athena (logs)",
            usd=athena_cost_usd(int(scanned)),
            bytes_scanned=int(scanned),
            query_id=(frame.attrs.get("query_ids") or [None])[0],
        )
        return frame
    # What StartQuery bills; on the local backend, what the same scan would cost on AWS.
    ledger.charge(
        f"logs-insights ({'local' if sources else settings.backend})",
        usd=scanned / 2**30 * INSIGHTS_USD_PER_GB,
        bytes_scanned=int(scanned),
    )
    return frame


def athena_table_ddl(
    source: str,
    format_name: str,
    *,
    database: str | None = None,
    since: clock.Moment = "2020-01-01",
    settings: Settings | None = None,
) -> str:
    """Return the CREATE EXTERNAL TABLE statement that lets ``query(..., engine="athena")`` read ``source``.

    Run it once in Athena (console, or ``aws athena start-query-execution``); the table uses
    partition projection from ``since`` on, so it needs no crawler and no partition upkeep.
    ``database`` defaults to ``settings.athena_database``. Formats: ``alb``, ``vpcflow``,
    ``cloudfront``, ``s3access``, ``waf``, ``cloudtrail`` (the files are in
    ``opsbook/queries/_athena_tables/``).

    Examples
    --------
    >>> ddl = athena_table_ddl("s3://shop-logs/AWSLogs/123456789012/elasticloadbalancing/us-east-1/",
    ...                        "alb", database="logs")
    >>> ddl.splitlines()[6]
    'CREATE EXTERNAL TABLE IF NOT EXISTS logs.opsbook_alb_86c4856918 ('
    """
    from opsbook.backends.s3tables import table_ddl

    settings = settings or resolve()
    day = clock.to_utc(since, "since").date()
    return table_ddl(source, format_name, database or settings.athena_database, since=day)


def pull(
    log_groups: Sequence[str] | str,
    start: clock.Moment,
    end: clock.Moment,
    dest: str | Path,
    *,
    settings: Settings | None = None,
) -> list[Path]:
    """Copy a window of events from AWS (FilterLogEvents) into Parquet under ``dest``.

    The files are read by the local backend (``query(..., sources=[dest])``) for offline replay,
    e.g. a postmortem. Always talks to AWS, whatever the backend setting (a pull copies from the
    account: :data:`opsbook.backends.AWS_ONLY`).

    Examples
    --------
    >>> pull(["/ecs/checkout-api"], "2026-11-14T10:00Z", "2026-11-14T11:00Z", "pulled")  # doctest: +SKIP
    [PosixPath('pulled/ecs_checkout-api.parquet')]
    """
    settings = settings or resolve()
    groups = [log_groups] if isinstance(log_groups, str) else list(_names(log_groups))
    if not groups:
        raise ConfigurationError("name at least one log group to pull")
    first, last = _window(start, end)
    names = [settings.log_group(g) for g in groups]
    return backend(settings).pull.pull_logs(settings, names, first, last, Path(dest))


def _names(log_groups: object) -> list[str]:
    """Return the log group names given as a list, refusing anything else by name."""
    if not isinstance(log_groups, list | tuple) or not all(isinstance(g, str) for g in log_groups):
        raise ConfigurationError(
            f"log_groups must be a log group name or a list of names, got {log_groups!r}"
        )
    return list(log_groups)
