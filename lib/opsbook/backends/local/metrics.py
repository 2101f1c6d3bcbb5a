"""CloudWatch metrics on the local backend: DuckDB over Metric Streams records and pulled Parquet.

Two kinds of file under ``data_dir/metrics`` are read as one table of datapoints:

- ``<metric stream>/YYYY/MM/DD/HH/*`` (gzip): Metric Streams JSON records, one 1-minute datapoint
  of one metric per line, ``value`` holding max, min, sum, count and any percentiles the stream
  is configured to send;
- ``**/*.parquet``: series pulled from CloudWatch by :func:`opsbook.metrics.pull`, written flat
  by :func:`opsbook.backends.pulled.write_metrics` (``namespace``, ``metric_name``, ``dimensions`` as canonical JSON,
  ``timestamp``, ``min``, ``max``, ``sum``, ``count``, one column per percentile, ``period``)
  and sorted by series then time, so that DuckDB skips the row groups of series and times not
  asked for. Files written before that layout (MAP ``dimensions`` and ``value``) are still read.

Statistics over a period are computed from those values as CloudWatch computes them: Sum and
SampleCount add up, Average is ``Σsum / Σcount`` (not a mean of means), Minimum and Maximum are
the extremes. Percentiles do not combine, so they are given only at the files' own period.

Metric Streams files are decoded once into Parquet under ``cache_dir`` (:mod:`.columnar`), one
copy per day folder (``<stream>/YYYY/MM/DD``: a few dozen files to scan instead of hundreds), so
later reads, in this process or the next, scan Parquet instead of inflating and parsing JSON. A
copy is keyed by the identities of all the folder's files: a file changed, added or removed makes
its day's copy again, and no other. The copy holds each record's dimension key and ``sum``,
``count``, ``min``, ``max`` as columns, so a read does not build them from the maps again.
Decoding checks the records whole: a folder with a file DuckDB cannot read or with a record it
would read as NULL is not cached; its files are decoded one by one (each kept as its own copy),
and the bad one is an error naming it, or skipped with a note under the ``skip_unreadable``
setting (:mod:`._reading`), and is never cached. Without a cache
(``cache_dir = "off"``) the JSON is read directly and a bad file (truncated gzip, a broken JSON
line, not Parquet) is found by checking the files one by one only when a query fails.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_namespaces(resolve()).columns[0]  # doctest: +SKIP
'namespace'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from opsbook.backends import layout
from opsbook.backends.frames import metric_data_frame, metric_list_frame, namespaces_frame
from opsbook.backends.local import HINT, connect, data_dir, temp_view
from opsbook.backends.local._metric_records import check_file
from opsbook.backends.local._reading import Malformed, Reading
from opsbook.backends.local.columnar import cached_parquet, cached_parquet_of
from opsbook.backends.pulled import dimensions_text
from opsbook.errors import ConfigurationError, NoDataError, QueryFailedError
from opsbook.metrics import _math
from opsbook.metrics._request import BASIC_STATISTICS, MetricRequest
from opsbook.settings import Settings

__all__ = ["describe_namespaces", "get_metric_data", "list_metrics", "retention_bands"]

_STREAM_PERIOD = 60  # Metric Streams sends 1-minute datapoints
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
_PERCENTILE = re.compile(r"^p\d+(\.\d+)?$")
# Keeps the records of the wanted metrics in the window (before their dimension key is built).
_WANTED_RECORDS = """
    WHERE timestamp >= $start AND timestamp < $end
      AND namespace IN (SELECT namespace FROM wanted)
      AND metric_name IN (SELECT metric_name FROM wanted)"""
# Firehose files are named for the hour they were delivered in: records can arrive late.
_DELIVERY_SLACK = dt.timedelta(hours=1)


@dataclass(frozen=True)
class _Files:
    """The metrics files of a data folder, by layout."""

    streams: list[str]  # Metric Streams JSON (gzip) read as such (no columnar cache)
    mapped: list[str]  # pulled Parquet in the first layout (MAP columns)
    flat: list[str]  # pulled Parquet as pulled.write_metrics writes it
    flat_columns: frozenset[str]  # union of the flat files' columns
    decoded: list[str] = dataclasses.field(default_factory=list)  # streams' Parquet copies
    # (a day folder's, or one file's: namespace, metric_name, dimension_key, timestamp, sum,
    # count, min, max, value)


def describe_namespaces(settings: Settings) -> pd.DataFrame:
    """Return each metric namespace in the metrics files with metrics, series and span."""
    reading = Reading.of(settings)
    return _checked(_files(settings, reading=reading), reading, _namespaces)


def _namespaces(files: _Files) -> pd.DataFrame:
    con = connect()
    records = _series_records(con, files)
    frame = con.sql(
        f"""
        SELECT namespace, count(DISTINCT metric_name) AS metrics,
               count(DISTINCT (metric_name, dimension_key)) AS series, count(*) AS datapoints,
               make_timestamp(min(timestamp) * 1000) AS first,
               make_timestamp(max(timestamp) * 1000) AS last
        FROM ({records}) GROUP BY namespace ORDER BY namespace
        """
    ).df()
    return namespaces_frame(frame)


def list_metrics(
    settings: Settings,
    namespace: str | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Return each series in the files (in ``namespace``, with data in the window) and its span."""
    reading = Reading.of(settings)
    files = _files(settings, start, end, reading)
    return _checked(files, reading, lambda f: _list_metrics(f, namespace, start, end))


def _list_metrics(
    files: _Files, namespace: str | None, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> pd.DataFrame:
    con = connect()
    records = _series_records(con, files)
    conditions = {
        "namespace = $namespace": ("namespace", namespace),
        "timestamp >= $start": ("start", None if start is None else start.value // 10**6),
        "timestamp < $end": ("end", None if end is None else end.value // 10**6),
    }
    chosen = {text: bound for text, bound in conditions.items() if bound[1] is not None}
    values = dict(chosen.values())
    where = f"WHERE {' AND '.join(chosen)}" if chosen else ""
    # The dimension key, sorted by name, read back as the console writes it: Name=Value,...
    dimensions = "replace(replace(dimension_key, chr(31), '='), chr(30), ',')"
    frame = con.execute(
        f"""
        SELECT namespace, metric_name, {dimensions} AS dimensions,
               make_timestamp(min(timestamp) * 1000) AS first,
               make_timestamp(max(timestamp) * 1000) AS last, count(*) AS datapoints
        FROM ({records}) {where}
        GROUP BY namespace, metric_name, dimension_key ORDER BY ALL
        """,
        values,
    ).df()
    return metric_list_frame(frame)


def _series_records(con: duckdb.DuckDBPyConnection, files: _Files) -> str:
    """Return a SELECT of every datapoint's namespace, metric_name, dimension_key and timestamp.

    The timestamp is epoch milliseconds; streams, older and flat pulls share one dimension key,
    so a series found in several files is one series.
    """
    parts = _mapped_sources(con, files, {})
    if files.flat:
        dimensions = _DIMENSION_KEY.format("dimensions::JSON::MAP(VARCHAR, VARCHAR)")
        parts.append(
            f"SELECT namespace, metric_name, {dimensions} AS dimension_key, "
            f"epoch_ms(timestamp) AS timestamp FROM {_read_flat(con, files)}"
        )
    return " UNION ALL ".join(
        f"SELECT namespace, metric_name, dimension_key, timestamp FROM ({part})" for part in parts
    )


def retention_bands(
    settings: Settings, start: pd.Timestamp, end: pd.Timestamp, period: int
) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """Return the window whole: local files keep every datapoint at the period they were written.

    A replay reads data long past CloudWatch's retention at full resolution, so results do not
    depend on the day the replay runs.
    """
    return [(start, end, period)]


def get_metric_data(settings: Settings, request: MetricRequest) -> pd.DataFrame:
    """Return the request's datapoints (tidy: timestamp, id, label, value) from the files."""
    _check_statistics(request)
    reading = Reading.of(settings)
    files = _files(settings, request.start, request.end, reading)
    return _checked(files, reading, lambda f: _metric_data(f, request))


def _checked(
    files: _Files, reading: Reading, run: Callable[[_Files], pd.DataFrame]
) -> pd.DataFrame:
    """Run a query over ``files``; when DuckDB fails, name the files it could not read.

    Checking every file before each query would double its cost, so the files are checked one
    by one only after a failure: each bad one fails as ``reading`` says (an error naming it, or
    a skip, and the query runs again without it).
    """
    try:
        return reading.mark(run(files))
    except duckdb.Error as error:
        failure = str(error).strip().splitlines()[0]
        bad = [path for path in files.streams + files.mapped + files.flat if _unreadable(path)]
    if not bad:
        raise QueryFailedError(f"local metrics query failed on DuckDB: {failure}")
    for path in bad:
        reading.read(Path(path), check_file)
    kept = {
        name: [p for p in getattr(files, name) if p not in bad]
        for name in ("streams", "mapped", "flat")
    }
    return reading.mark(run(dataclasses.replace(files, **kept)))


def _unreadable(path: str) -> bool:
    try:
        check_file(Path(path))
    except Exception:  # noqa: BLE001 - any failure marks the file for the policy to name
        return True
    return False


def _metric_data(files: _Files, request: MetricRequest) -> pd.DataFrame:
    # Each distinct series is read and aggregated once (several ids may ask for it).
    series_index: dict[tuple[str, str, tuple[tuple[str, str], ...]], int] = {}
    for _, series in request.metrics:
        series_index.setdefault(
            (series.namespace, series.metric, series.dimensions), len(series_index)
        )
    wanted = pd.DataFrame(
        [
            {
                "sid": sid,
                "namespace": namespace,
                "metric_name": metric,
                "dimension_key": "\x1e".join(f"{k}\x1f{v}" for k, v in dimensions),
                "dimensions": dimensions_text(dimensions),
            }
            for (namespace, metric, dimensions), sid in series_index.items()
        ],
        columns=["sid", "namespace", "metric_name", "dimension_key", "dimensions"],
    ).astype({"sid": "int32"})
    percentiles = sorted(
        {s.stat.lower() for _, s in request.metrics if s.stat not in BASIC_STATISTICS}
    )
    columns = {name: f"p{index}" for index, name in enumerate(percentiles)}
    con = connect()
    con.register("wanted", wanted)
    window: dict[str, int | str] = {"start": request.start_ms, "end": request.end_ms}
    parts = [
        f"""SELECT w.sid, r.timestamp, r.sum, r.count, r.min, r.max, r.period
                   {"".join(f", r.{alias}" for alias in columns.values())}
            FROM ({part}) AS r JOIN wanted AS w USING (namespace, metric_name, dimension_key)"""
        for part in _mapped_sources(con, files, columns, _WANTED_RECORDS)
    ]
    if parts:  # the mapped sources look percentiles up by name
        window |= {alias: name for name, alias in columns.items()}
    if files.flat:
        chosen = "".join(
            f", {_quote(name) if name in files.flat_columns else 'NULL::DOUBLE'} AS {alias}"
            for name, alias in columns.items()
        )
        parts.append(
            f"""SELECT w.sid, epoch_ms(r.timestamp) AS timestamp, r.sum, r.count, r.min, r.max,
                       r.period {chosen}
                FROM {_read_flat(con, files)} AS r
                JOIN wanted AS w USING (namespace, metric_name, dimensions)
                WHERE r.timestamp >= make_timestamp($start * 1000)::TIMESTAMPTZ
                  AND r.timestamp < make_timestamp($end * 1000)::TIMESTAMPTZ"""
        )
    sums = _aggregate(con, parts, columns, window, request.period * 1000)
    sid_of = {
        name: series_index[(s.namespace, s.metric, s.dimensions)] for name, s in request.metrics
    }
    bounds = np.searchsorted(sums["sid"], np.arange(len(series_index) + 1))
    series_by_id = {}
    for name, series in request.metrics:
        sid = sid_of[name]
        rows = {key: values[bounds[sid] : bounds[sid + 1]] for key, values in sums.items()}
        values = _statistic(rows, series.stat, series.display_label, request.period, columns)
        present = ~np.isnan(values)
        series_by_id[name] = (series.display_label, rows["bucket"][present], values[present])
    results: dict[str, list[tuple[str, np.ndarray, np.ndarray]]] = {
        name: [labelled] for name, labelled in series_by_id.items()
    }
    if request.expressions:
        evaluated = _math.evaluate(
            {name: text for name, text, _ in request.expressions},
            {name: (label, pd.Series(v, index=t)) for name, (label, t, v) in series_by_id.items()},
            request.grid(),
            request.period,
        )
        labels = {name: label for name, _, label in request.expressions}
        for name, members in evaluated.items():
            results[name] = [
                (label or labels[name], s.index.to_numpy(dtype="int64"), s.to_numpy(dtype=float))
                for label, s in members
            ]
    return _tidy(
        [(name, label, t, v) for name in request.returned for label, t, v in results[name]]
    )


def _aggregate(
    con: duckdb.DuckDBPyConnection,
    parts: list[str],
    columns: dict[str, str],
    window: dict[str, int | str],
    step: int,
) -> dict[str, np.ndarray]:
    """Return the wanted series' statistics per period, ordered by series and period."""
    empty = {"sid": np.empty(0, np.int32), "bucket": np.empty(0, np.int64)} | {
        key: np.empty(0, float)
        for key in ("sum", "count", "min", "max", "period", *columns.values())
    }
    if not parts:
        return empty
    percentiles = "".join(f", any_value({alias}) AS {alias}" for alias in columns.values())
    table = con.execute(
        f"""
        SELECT sid, $start + (timestamp - $start) // $step * $step AS bucket,
               sum(sum) AS sum, sum(count) AS count, min(min) AS min, max(max) AS max,
               max(period)::DOUBLE AS period {percentiles}
        FROM ({" UNION ALL ".join(parts)})
        GROUP BY ALL ORDER BY sid, bucket
        """,
        window | {"step": step},
    ).fetchnumpy()
    return {
        key: np.asarray(values.filled(np.nan) if np.ma.isMaskedArray(values) else values)
        for key, values in table.items()
    } or empty


def _tidy(pieces: list[tuple[str, str, np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """Return the datapoints as the metric data frame, built column-wise (no per-row objects)."""
    if not pieces:
        return metric_data_frame([])
    codes = np.repeat(np.arange(len(pieces), dtype=np.int32), [len(t) for _, _, t, _ in pieces])

    def text(values: list[str]) -> pd.array:
        decoded = pa.DictionaryArray.from_arrays(codes, pa.array(values, pa.string()))
        return pd.array(decoded.dictionary_decode(), dtype="string")

    stamps = np.concatenate([t for _, _, t, _ in pieces]).astype("int64")
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(stamps, unit="ms", utc=True),
            "id": text([name for name, _, _, _ in pieces]),
            "label": text([label for _, label, _, _ in pieces]),
            "value": np.concatenate([v for _, _, _, v in pieces]).astype(float),
        }
    )
    return metric_data_frame(frame)


def _check_statistics(request: MetricRequest) -> None:
    for name, series in request.metrics:
        stat = series.stat
        if stat in BASIC_STATISTICS or _PERCENTILE.match(stat):
            continue
        raise ConfigurationError(
            f"{name} ({series.display_label}): {stat} needs every raw sample, and Metric Streams "
            "records carry only min, max, sum, count and percentiles; use the aws backend, or "
            "Sum, Average, Minimum, Maximum, SampleCount or a percentile the stream sends"
        )


def _statistic(
    rows: dict[str, np.ndarray], stat: str, label: str, period: int, columns: dict[str, str]
) -> np.ndarray:
    if stat == "Sum":
        return rows["sum"].astype(float)
    if stat == "SampleCount":
        return rows["count"].astype(float)
    if stat == "Average":
        count = rows["count"].astype(float)
        return rows["sum"] / np.where(count > 0, count, np.nan)
    if stat == "Minimum":
        return rows["min"].astype(float)
    if stat == "Maximum":
        return rows["max"].astype(float)
    values = rows[columns[stat.lower()]].astype(float)
    if not len(values):
        return values
    native = int(rows["period"].max())
    if native != period:
        raise ConfigurationError(
            f"{label}: {stat} over {period} s cannot be computed from {native}-second "
            f"percentiles (percentiles of periods do not combine into the percentile of their "
            f"union); ask for period={native}, or use the aws backend, which has the raw samples"
        )
    if np.isnan(values).all():
        raise ConfigurationError(
            f"{label}: the records carry no {stat}; configure the metric stream to send it "
            "(StatisticsConfigurations), or use the aws backend"
        )
    return values


def _files(
    settings: Settings,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reading: Reading | None = None,
) -> _Files:
    """Return the metrics files by layout (stream files pruned to the window's hours)."""
    root = data_dir(settings) / layout.METRICS
    reading = reading or Reading.of(settings)
    # Hidden files are a pull still being written (renamed into place when complete).
    files = [p for p in reading.files(root) if len(p.relative_to(root).parts) > 1]
    if not files:
        raise NoDataError(f"no metrics files under {root}: {HINT}")
    folders: dict[Path, list[Path]] = {}
    for path in (p for p in files if p.suffix != ".parquet"):
        folders.setdefault(_day_folder(path, root), []).append(path)
    streams, decoded = [], []
    for members in folders.values():
        wanted = [p for p in members if _in_window(p, root, start, end)]
        copy = _folder_copy(members, settings.cache_dir) if wanted else None
        if copy is not None:
            decoded.append(str(copy))
            continue
        for path in wanted:  # one by one: no cache, or a bad file in the folder to name
            found = reading.read(path, lambda p: (_stream_copy(p, settings.cache_dir),))
            if found is None:  # skipped by the bad-file policy
                continue
            if found[0] is None:  # no cache: DuckDB reads the JSON
                streams.append(str(path))
            else:
                decoded.append(str(found[0]))
    mapped, flat, columns = [], [], set()
    for path in (p for p in files if p.suffix == ".parquet"):
        schema = reading.read(path, pq.read_schema)
        if schema is None:
            continue
        names = schema.names
        if "value" in names:
            mapped.append(str(path))
        else:
            flat.append(str(path))
            columns.update(names)
    return _Files(streams, mapped, flat, frozenset(columns), decoded)


def _day_folder(path: Path, root: Path) -> Path:
    """Return the folder whose stream files share one Parquet copy: ``<stream>/YYYY/MM/DD``."""
    parts = path.relative_to(root).parts
    return root.joinpath(*parts[: min(_GROUP_DEPTH, len(parts) - 1)])


_GROUP_DEPTH = 4  # <stream>/YYYY/MM/DD: one copy a day (an hour holds one or two files)


def _folder_copy(paths: list[Path], cache_dir: Path | None) -> Path | None:
    """Return the Parquet copy of a folder's stream files; ``None``: read them one by one.

    A folder with a file that cannot be decoded is not cached as a whole: its files are read
    one by one, which names the bad one (or skips it) as the ``skip_unreadable`` setting says.
    """
    try:
        return cached_parquet_of(paths, _decode_streams, folder=cache_dir, kind=_STREAM_KIND)
    except (duckdb.Error, Malformed, OSError):
        return None


def _stream_copy(path: Path, cache_dir: Path | None) -> Path | None:
    """Return the Parquet copy of a Metric Streams file (``None``: no cache, read the JSON)."""

    def decode(path: Path, target: Path) -> None:
        try:
            _decode_streams([path], target)
        except (duckdb.Error, Malformed):
            check_file(path)  # names what is wrong, when it can
            raise

    return cached_parquet(path, decode, folder=cache_dir, kind=_STREAM_KIND)


_STREAM_KIND = "metric-streams-v2"


def _decode_streams(paths: list[Path], target: Path) -> None:
    """Write Metric Streams files' records as Parquet; a record DuckDB reads as NULL refuses them.

    DuckDB's JSON reader turns a malformed record into NULLs without failing; decoded once, the
    records can be checked whole, so a bad file is refused (:class:`Malformed`, or DuckDB's
    error) instead of cached. Each record is written with its dimension key and its basic
    statistics as columns.
    """
    con = connect()
    records = con.read_json(
        [str(p) for p in paths],
        format="newline_delimited",
        compression="gzip",
        columns=_JSON_COLUMNS,
    )
    table = records.select(
        f"""namespace, metric_name, {_DIMENSION_KEY.format("dimensions")} AS dimension_key,
            timestamp, value['sum'] AS sum, value['count'] AS count, value['min'] AS min,
            value['max'] AS max, value"""
    ).to_arrow_table()
    if any(table.column(name).null_count for name in _REQUIRED):
        raise Malformed(
            "a record DuckDB reads as NULL (namespace, metric_name, timestamp or value)"
        )
    pq.write_table(table, target)


_REQUIRED = ("namespace", "metric_name", "timestamp", "value")


def _mapped_sources(
    con: duckdb.DuckDBPyConnection, files: _Files, columns: dict[str, str], where: str = ""
) -> list[str]:
    """Return SELECTs giving the stream records (decoded copies, JSON) and older pulls as flat rows.

    Percentile ``columns`` (name to alias) are read as ``value[$alias]``: bind each alias to
    its name when running them. ``where`` filters the records before their dimension key, the
    costly part, is built.
    """
    selects = []
    percentiles = "".join(f", value[${alias}] AS {alias}" for alias in columns.values())
    if files.decoded:  # the copies hold the key and the basic statistics as columns
        temp_view(con, "decoded_records", con.read_parquet(files.decoded))
        selects.append(
            f"""SELECT namespace, metric_name, dimension_key, timestamp, sum, count, min, max,
                       {_STREAM_PERIOD} AS period {percentiles}
                FROM decoded_records {where}"""
        )
    sources = []
    if files.streams:
        records = con.read_json(
            files.streams, format="newline_delimited", compression="gzip", columns=_JSON_COLUMNS
        )
        temp_view(con, "stream_records", records)
        sources.append(("stream_records", f"{_STREAM_PERIOD}"))
    if files.mapped:
        temp_view(con, "mapped_records", con.read_parquet(files.mapped, union_by_name=True))
        sources.append(("mapped_records", "period"))
    return selects + [
        f"""SELECT namespace, metric_name, {_DIMENSION_KEY.format("dimensions")} AS dimension_key,
                   timestamp, value['sum'] AS sum, value['count'] AS count,
                   value['min'] AS min, value['max'] AS max, {period} AS period {percentiles}
            FROM {view} {where}"""
        for view, period in sources
    ]


def _read_flat(con: duckdb.DuckDBPyConnection, files: _Files) -> str:
    """Return the name of a view over the flat pulled files."""
    temp_view(con, "pulled_records", con.read_parquet(files.flat, union_by_name=True))
    return "pulled_records"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
