"""CloudWatch metrics on the local backend: DuckDB over Metric Streams records and pulled Parquet.

Two kinds of file under ``data_dir/metrics`` are read as one table of datapoints:

- ``<metric stream>/YYYY/MM/DD/HH/*`` (gzip): Metric Streams JSON records, one 1-minute datapoint
  of one metric per line, ``value`` holding max, min, sum, count and any percentiles the stream
  is configured to send;
- ``**/*.parquet``: series pulled from CloudWatch by :func:`opsbook.metrics.pull`, the same
  columns plus ``period`` (the seconds each datapoint covers).

Statistics over a period are computed from those values as CloudWatch computes them: Sum and
SampleCount add up, Average is ``Σsum / Σcount`` (not a mean of means), Minimum and Maximum are
the extremes. Percentiles do not combine, so they are given only at the files' own period.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_namespaces(resolve()).columns[0]  # doctest: +SKIP
'namespace'
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from opsbook import metric_math
from opsbook.backends.frames import metric_data_frame, namespaces_frame
from opsbook.backends.local import HINT, connect, data_dir
from opsbook.errors import ConfigurationError, NoDataError
from opsbook.metric_request import BASIC_STATISTICS, MetricRequest
from opsbook.settings import Settings

__all__ = ["describe_namespaces", "get_metric_data"]

STREAM_PERIOD = 60  # Metric Streams sends 1-minute datapoints
_JSON_COLUMNS = {
    "namespace": "VARCHAR",
    "metric_name": "VARCHAR",
    "dimensions": "MAP(VARCHAR, VARCHAR)",
    "timestamp": "BIGINT",
    "value": "MAP(VARCHAR, DOUBLE)",
}
# A canonical text of a dimension map (sorted; unit and record separators cannot occur in names).
_DIMENSION_KEY = (
    "array_to_string(list_transform(list_sort(map_entries({0})), "
    "lambda e: e.key || chr(31) || e.value), chr(30))"
)
# Firehose files are named for the hour they were delivered in: records can arrive late.
_DELIVERY_SLACK = dt.timedelta(hours=1)


def describe_namespaces(settings: Settings) -> pd.DataFrame:
    """Return each metric namespace in the metrics files with metrics, series and span."""
    con = _records(settings)
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


def get_metric_data(settings: Settings, request: MetricRequest) -> pd.DataFrame:
    """Return the request's datapoints (tidy: timestamp, id, label, value) from the files."""
    _check_statistics(request)
    con = _records(settings, request.start, request.end)
    wanted = pd.DataFrame(
        [
            {
                "id": name,
                "namespace": series.namespace,
                "metric_name": series.metric,
                "dimension_key": "\x1e".join(f"{k}\x1f{v}" for k, v in series.dimensions),
                "percentile": None if series.stat in BASIC_STATISTICS else series.stat.lower(),
            }
            for name, series in request.metrics
        ]
    ).astype({"percentile": "string"})
    con.register("wanted", wanted)
    step = request.period * 1000
    # Aggregate each series once (several ids may read the same one), then hand it to its ids;
    # carrying the value maps along costs, so only when a percentile is asked for.
    percentiles = (
        "any_value(value)" if wanted.percentile.notna().any() else "NULL::MAP(VARCHAR, DOUBLE)"
    )
    sums = con.execute(
        f"""
        WITH series AS (
            SELECT namespace, metric_name,
                   {_DIMENSION_KEY.format("dimensions")} AS dimension_key,
                   $start + (timestamp - $start) // $step * $step AS bucket,
                   sum(value['sum']) AS sum, sum(value['count']) AS count,
                   min(value['min']) AS min, max(value['max']) AS max,
                   {percentiles} AS value, max(period) AS native_period
            FROM records
            WHERE timestamp >= $start AND timestamp < $end
              AND metric_name IN (SELECT metric_name FROM wanted)
            GROUP BY ALL
        )
        SELECT w.id, s.bucket, s.sum, s.count, s.min, s.max,
               s.value[w.percentile] AS percentile, s.native_period
        FROM series AS s JOIN wanted AS w USING (namespace, metric_name, dimension_key)
        ORDER BY w.id, s.bucket
        """,
        {"start": request.start_ms, "end": request.end_ms, "step": step},
    ).df()
    by_id = dict(tuple(sums.groupby("id", sort=False)))
    empty = sums.iloc[:0]
    series_by_id = {}
    for name, series in request.metrics:
        rows = by_id.get(name, empty)
        values = _statistic(rows, series.stat, series.display_label, request.period)
        points = pd.Series(values.to_numpy(dtype=float), index=rows.bucket.to_numpy(dtype="int64"))
        series_by_id[name] = (series.display_label, points.dropna())
    results: dict[str, list[tuple[str, pd.Series]]] = {
        name: [labelled] for name, labelled in series_by_id.items()
    }
    if request.expressions:
        evaluated = metric_math.evaluate(
            {name: text for name, text, _ in request.expressions},
            series_by_id,
            request.grid(),
            request.period,
        )
        labels = {name: label for name, _, label in request.expressions}
        for name, members in evaluated.items():
            results[name] = [(label or labels[name], series) for label, series in members]
    frames = [
        pd.DataFrame(
            {
                "timestamp": pd.to_datetime(
                    series.index.to_numpy(dtype="int64"), unit="ms", utc=True
                ),
                "id": name,
                "label": label,
                "value": series.to_numpy(dtype=float),
            }
        )
        for name in request.returned
        for label, series in results[name]
    ]
    return metric_data_frame(pd.concat(frames, ignore_index=True) if frames else [])


def _check_statistics(request: MetricRequest) -> None:
    for name, series in request.metrics:
        stat = series.stat
        if stat in BASIC_STATISTICS or (stat.startswith("p") and stat[1:2].isdigit()):
            continue
        raise ConfigurationError(
            f"{name} ({series.display_label}): {stat} needs every raw sample, and Metric Streams "
            "records carry only min, max, sum, count and percentiles; use the aws backend, or "
            "Sum, Average, Minimum, Maximum, SampleCount or a percentile the stream sends"
        )


def _statistic(rows: pd.DataFrame, stat: str, label: str, period: int) -> pd.Series:
    if stat == "Sum":
        return rows["sum"]
    if stat == "SampleCount":
        return rows["count"]
    if stat == "Average":
        return rows["sum"] / rows["count"].where(rows["count"] > 0)
    if stat == "Minimum":
        return rows["min"]
    if stat == "Maximum":
        return rows["max"]
    if rows.empty:
        return rows["percentile"].astype(float)
    native = int(rows.native_period.max())
    if native != period:
        raise ConfigurationError(
            f"{label}: {stat} over {period} s cannot be computed from {native}-second "
            f"percentiles (percentiles of periods do not combine into the percentile of their "
            f"union); ask for period={native}, or use the aws backend, which has the raw samples"
        )
    if rows.percentile.isna().all():
        raise ConfigurationError(
            f"{label}: the records carry no {stat}; configure the metric stream to send it "
            "(StatisticsConfigurations), or use the aws backend"
        )
    return rows["percentile"].astype(float)


def _records(
    settings: Settings, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
) -> duckdb.DuckDBPyConnection:
    """Return a connection with a ``records`` view over the metrics files (pruned to a window)."""
    root = data_dir(settings) / "metrics"
    # Hidden files are a pull still being written (renamed into place when complete).
    files = sorted(p for p in root.glob("*/**/*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise NoDataError(f"no metrics files under {root}: {HINT}")
    parquet = [str(p) for p in files if p.suffix == ".parquet"]
    streams = [str(p) for p in files if p.suffix != ".parquet" and _in_window(p, root, start, end)]
    con = connect()
    parts = []
    if streams:
        con.read_json(
            streams, format="newline_delimited", compression="gzip", columns=_JSON_COLUMNS
        ).create_view("stream_records")
        parts.append(
            f"SELECT namespace, metric_name, dimensions, timestamp, value, {STREAM_PERIOD} AS period "
            "FROM stream_records"
        )
    if parquet:
        con.read_parquet(parquet, union_by_name=True).create_view("pulled_records")
        parts.append(
            "SELECT namespace, metric_name, dimensions, timestamp, value, period FROM pulled_records"
        )
    if not parts:
        con.execute(
            "CREATE VIEW records AS SELECT * FROM (VALUES ('', '', MAP {}::MAP(VARCHAR, VARCHAR), "
            "0::BIGINT, MAP {}::MAP(VARCHAR, DOUBLE), 60)) "
            "AS t(namespace, metric_name, dimensions, timestamp, value, period) WHERE false"
        )
        return con
    con.execute("CREATE VIEW records AS " + " UNION ALL ".join(parts))
    return con


def _in_window(
    path: Path, root: Path, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> bool:
    """Keep a stream file whose ``YYYY/MM/DD/HH`` delivery hour can hold the window's records."""
    if start is None or end is None:
        return True
    parts = path.relative_to(root).parts
    try:
        hour = dt.datetime(*(int(p) for p in parts[1:5]), tzinfo=dt.UTC)
    except (ValueError, TypeError):
        return True  # not in the Firehose layout: read it
    return start - _DELIVERY_SLACK <= hour + dt.timedelta(hours=1) and hour <= end + _DELIVERY_SLACK
