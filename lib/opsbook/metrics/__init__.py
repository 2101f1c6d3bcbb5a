"""CloudWatch metrics: datapoints and metric math as a tidy frame, and pulling series for replay.

Series are asked for compactly (``"AWS/Lambda Errors FunctionName=orders-worker stat=Sum"``, see
:class:`MetricSeries`); metric math expressions refer to them by id. Both backends return the
same frame for the same data: ``timestamp`` (UTC, period start), ``id``, ``label``, ``value``,
one row per datapoint, ready for ``plotly.express.line(frame, x="timestamp", y="value",
color="label")``.

Examples
--------
>>> describe_namespaces().namespace.tolist()  # doctest: +SKIP
['AWS/ApiGateway', 'AWS/ApplicationELB', 'AWS/ECS', 'AWS/Lambda', 'AWS/RDS']
>>> get(["AWS/ApplicationELB HTTPCode_Target_5XX_Count LoadBalancer=app/checkout-alb/50dc6c495c0c9188 stat=Sum"],
...     "2026-11-14T13:30Z", "2026-11-14T15:30Z", 300)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from opsbook import clock
from opsbook.backends import backend
from opsbook.backends.pulled import dimensions_text, write_metrics
from opsbook.errors import ConfigurationError
from opsbook.metrics._request import (
    MetricRequest,
    MetricRequestError,
    MetricSeries,
    build_request,
    check_statistic,
    estimate_cost_usd,
    plan_calls,
)
from opsbook.queries import ledger
from opsbook.settings import Settings, resolve

__all__ = ["MetricSeries", "describe_namespaces", "get", "list_metrics", "pull", "retention_bands"]

PULL_FOLDER = "opsbook-pull"
# What a pull fetches per series: enough to recompute every basic statistic offline.
_PULLED = {"SampleCount": "count", "Sum": "sum", "Minimum": "min", "Maximum": "max"}
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")

Queries = Sequence[str | MetricSeries] | Mapping[str, str | MetricSeries]


def describe_namespaces(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return one row per namespace: distinct metrics, series, datapoints and time span.

    On the aws backend, datapoints and time span are missing (``<NA>``): ListMetrics does not
    report them.

    Examples
    --------
    >>> describe_namespaces()[["namespace", "series"]]  # doctest: +SKIP
    """
    settings = settings or resolve()
    return backend(settings).metrics.describe_namespaces(settings)


def list_metrics(
    namespace: str | None = None,
    *,
    start: clock.Moment | None = None,
    end: clock.Moment | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return one row per metric series: namespace, metric and its dimensions.

    Parameters
    ----------
    namespace
        Only this namespace (e.g. ``"AWS/Lambda"``); default all.
    start, end
        Only series with data in ``[start, end)``; either may be left open. On the aws backend
        ListMetrics cannot filter by time: a window starting within the last 3 hours asks for
        recently active series (``RecentlyActive="PT3H"``), otherwise every series with data in
        the last two weeks is listed.
    settings
        Backend and data location; default :func:`opsbook.settings.resolve`.

    Returns
    -------
    pandas.DataFrame
        ``namespace``, ``metric_name``, ``dimensions`` (``Name=Value,...`` sorted by name, empty
        for none), and on the local backend ``first``, ``last`` and ``datapoints`` in the window
        (missing on aws: ListMetrics does not report them); ordered by namespace, metric and
        dimensions.

    Examples
    --------
    >>> list_metrics("AWS/Lambda")[["metric_name", "dimensions"]].head(2)  # doctest: +SKIP
      metric_name                          dimensions
    0    Duration  FunctionName=catalog-api-handler
    1    Duration         FunctionName=orders-worker
    """
    settings = settings or resolve()
    if namespace is not None and not namespace.strip():
        raise ConfigurationError("namespace is empty: give one such as 'AWS/Lambda', or None")
    if start is not None and end is not None:
        start_at, end_at = clock.window(start, end, error=MetricRequestError)
    else:
        start_at = None if start is None else clock.to_utc(start, "start", error=MetricRequestError)
        end_at = None if end is None else clock.to_utc(end, "end", error=MetricRequestError)
    return backend(settings).metrics.list_metrics(settings, namespace, start_at, end_at)


def get(
    queries: Queries,
    start: clock.Moment,
    end: clock.Moment,
    period: int = 60,
    *,
    expressions: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    keep_series: bool = False,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return datapoints of metric series and metric math expressions over ``[start, end)``.

    Everything is checked before any data is read or any API is called. ``frame.attrs`` holds
    ``aws_cost_usd`` (what the request costs on AWS: $0.01 per 1,000 metrics requested, per
    call), ``calls`` (GetMetricData calls it needs), ``period`` and the window.

    Parameters
    ----------
    queries
        Series as compact strings (``"AWS/Lambda Errors FunctionName=orders-worker stat=Sum"``)
        or :class:`MetricSeries`; a list gets ids ``m1``, ``m2`` ... in order, a mapping names
        them (``{"errors": "...", "calls": "..."}``).
    start, end
        The window; naive times are UTC; the start is rounded down to the minute.
    period
        Seconds per datapoint, a multiple of 60. Percentiles on the local backend only at the
        files' own period (60 s for Metric Streams).
    expressions
        Id to metric math over the query ids, e.g. ``{"rate": "IF(m2 > 0, m1 / m2 * 100, 0)"}``
        (``FILL``, ``SUM(METRICS())``, ``RATE``, ``DIFF``, ``IF``, arithmetic, comparisons).
    labels
        Id to label for expressions (series take theirs from ``label=`` or get a default).
    keep_series
        With expressions, also return the series (otherwise only the expressions).
    settings
        Backend and data location; default :func:`opsbook.settings.resolve`.

    Returns
    -------
    pandas.DataFrame
        ``timestamp`` (UTC), ``id``, ``label``, ``value``; only periods with data, ordered by
        query then time.

    Raises
    ------
    opsbook.errors.ConfigurationError
        Unknown statistic, bad period or window, bad expression, a window CloudWatch no longer
        keeps at that period (aws), a statistic the local files cannot give.
    opsbook.errors.QueryCancelledError
        On the aws backend, when the cost would exceed ``settings.max_query_cost_usd``.

    Examples
    --------
    >>> frame = get({"errors": "AWS/Lambda Errors FunctionName=catalog-api-handler stat=Sum",
    ...              "calls": "AWS/Lambda Invocations FunctionName=catalog-api-handler stat=Sum"},
    ...             "2026-11-14T00:00Z", "2026-11-15T00:00Z", 3600,
    ...             expressions={"error_rate": "IF(calls > 0, errors / calls * 100, 0)"})  # doctest: +SKIP
    >>> import plotly.express as px; px.line(frame, x="timestamp", y="value", color="label")  # doctest: +SKIP
    """
    settings = settings or resolve()
    request = build_request(
        queries, start, end, period, expressions=expressions, labels=labels, keep_series=keep_series
    )
    return _run(request, settings)


def pull(
    series: Sequence[str | MetricSeries],
    start: clock.Moment,
    end: clock.Moment,
    period: int = 60,
    *,
    name: str = "pull",
    percentiles: Sequence[str] = (),
    dest: str | Path | None = None,
    settings: Settings | None = None,
) -> Path:
    """Fetch series for a window into a Parquet file the local backend reads; return its path.

    Each series is fetched with SampleCount, Sum, Minimum and Maximum (plus ``percentiles``) at
    ``period``, and written flat (namespace, metric_name, dimensions as sorted JSON, timestamp,
    min, max, sum, count, one column per percentile, period), sorted by series and time. Point a
    local backend's ``data_dir`` at the folder holding ``metrics/`` to replay an incident offline:
    every basic statistic at ``period`` or any multiple of it is recomputed exactly, percentiles
    at ``period``.

    Parameters
    ----------
    series
        Metric series: all basic statistics are pulled, and a percentile given as ``stat=``
        (e.g. ``stat=p99``) too.
    start, end, period
        Window and resolution, as for :func:`get`.
    name
        File name (letters, digits, ``._-``): ``metrics/opsbook-pull/<name>.parquet``.
    percentiles
        Percentiles to pull for every series, e.g. ``("p99",)``.
    dest
        Data folder to write into; default the settings' ``data_dir``.
    settings
        Where to read from (usually the aws backend).

    Returns
    -------
    pathlib.Path
        The Parquet file written (replaced if it existed).

    Examples
    --------
    >>> pull(["AWS/Lambda Duration FunctionName=orders-worker"], "2026-11-14T13:00Z",
    ...      "2026-11-14T16:00Z", percentiles=["p99"], name="incident")  # doctest: +SKIP
    PosixPath('data/sample/metrics/opsbook-pull/incident.parquet')
    """
    settings = settings or resolve()
    if not _NAME.match(name):
        raise ConfigurationError(f"pull name {name!r}: use letters, digits, '.', '_' and '-'")
    parsed = [s if isinstance(s, MetricSeries) else MetricSeries.parse(str(s)) for s in series]
    for stat in percentiles:
        if not stat.startswith("p") or check_statistic(stat) != stat:
            raise ConfigurationError(f"pull percentiles: {stat!r} is not a percentile like p99")
    queries = {}
    for index, one in enumerate(parsed):
        wanted = dict(_PULLED)
        extra = [*percentiles, *([one.stat] if one.stat.startswith("p") else [])]
        wanted.update({stat: stat.lower() for stat in extra})
        for stat, key in wanted.items():
            queries[f"s{index}_{key.replace('.', '_')}"] = one.with_stat(stat)
    request = build_request(queries, start, end, period)
    frame = _run(request, settings)
    rows = _to_records(frame, parsed, period)
    folder = Path(dest) if dest is not None else Path(settings.data_dir)
    target = folder / "metrics" / PULL_FOLDER / f"{name}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_metrics(rows, target)
    return target


def retention_bands(
    start: clock.Moment, end: clock.Moment, period: int = 60, *, settings: Settings | None = None
) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """Return ``[start, end)`` as ``(start, end, period)`` bands the backend keeps data at.

    CloudWatch keeps 1-minute datapoints 15 days, 5-minute ones 63 days and hourly ones 455
    days, so a 30-day window asked at 60 s is two requests on the aws backend: the older part at
    300 s. Local files keep their own resolution, so there the window is one band. Sums over the
    bands equal sums over the window; a caller that needs per-minute values spreads each coarse
    value over its minutes.

    Examples
    --------
    >>> retention_bands("2026-11-14T00:00Z", "2026-11-15T00:00Z", 60)  # doctest: +SKIP
    [(Timestamp('2026-11-14 00:00:00+0000', tz='UTC'), Timestamp('2026-11-15 00:00:00+0000', tz='UTC'), 60)]
    """
    settings = settings or resolve()
    begin = clock.to_utc(start, "start", error=MetricRequestError).floor("min")
    finish = clock.to_utc(end, "end", error=MetricRequestError)
    return backend(settings).metrics.retention_bands(settings, begin, finish, int(period))


def _run(request: MetricRequest, settings: Settings) -> pd.DataFrame:
    cost = estimate_cost_usd(request)
    frame = backend(settings).metrics.get_metric_data(settings, request)
    # What GetMetricData bills for this request; on the local backend, what it would cost on AWS.
    ledger.charge(f"cloudwatch-metrics ({settings.backend})", usd=cost)
    frame.attrs.update(
        aws_cost_usd=cost,
        calls=len(plan_calls(request)),
        period=request.period,
        start=request.start.isoformat(),
        end=request.end.isoformat(),
    )
    return frame


def _to_records(frame: pd.DataFrame, series: list[MetricSeries], period: int) -> pd.DataFrame:
    """Return one flat row per series and period that has samples (the pulled file's rows)."""
    wide = frame.assign(series=frame.id.str.extract(r"^s(\d+)_")[0].astype(int))
    wide = wide.assign(key=wide.id.str.replace(r"^s\d+_", "", regex=True).str.replace("_", "."))
    table = wide.pivot_table(index=["series", "timestamp"], columns="key", values="value")
    table.columns.name = None
    if "count" not in table:
        table["count"] = pd.Series(dtype=float)
    # No samples in a period: CloudWatch has no datapoint either.
    rows = table[table["count"].notna()].reset_index()
    chosen = [series[int(index)] for index in rows.pop("series")]
    return rows.assign(
        namespace=[one.namespace for one in chosen],
        metric_name=[one.metric for one in chosen],
        dimensions=[dimensions_text(one.dimensions) for one in chosen],
        period=period,
    )
