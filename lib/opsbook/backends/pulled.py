"""The Parquet files a pull writes: the layouts the local backend reads, whoever pulled them.

A pull copies data from the account into a data folder for offline replay (a postmortem, a
report re-run): log events (:data:`LOG_EVENTS`, by :mod:`opsbook.backends.aws.pull`) and metric
datapoints (:func:`write_metrics`, by :func:`opsbook.metrics.pull`). Written here once, read by
:mod:`opsbook.backends.local.logs` and :mod:`opsbook.backends.local.metrics`.

Examples
--------
>>> LOG_EVENTS.names
['timestamp', 'message', 'log_stream', 'log_group', 'ingestion_time']
>>> dimensions_text([("Stage", "prod"), ("ApiName", "shop")])
'{"ApiName":"shop","Stage":"prod"}'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["LOG_EVENTS", "dimensions_text", "write_metrics"]

#: Columns of pulled log events, one file per log group.
LOG_EVENTS = pa.schema(
    [
        ("timestamp", pa.timestamp("ms", tz="UTC")),
        ("message", pa.string()),
        ("log_stream", pa.string()),
        ("log_group", pa.string()),
        ("ingestion_time", pa.timestamp("ms", tz="UTC")),
    ]
)
_BASIC_COLUMNS = ("min", "max", "sum", "count")
_PERCENTILE = re.compile(r"^p\d+(\.\d+)?$")
# Small row groups let min/max statistics skip other series and times; big enough to scan fast.
_ROW_GROUP = 65_536


def dimensions_text(dimensions: Iterable[tuple[str, str]]) -> str:
    """Return the canonical text of a dimension set stored in pulled Parquet: sorted JSON.

    Examples
    --------
    >>> dimensions_text([])
    '{}'
    """
    return json.dumps(dict(sorted(dimensions)), separators=(",", ":"), ensure_ascii=False)


def write_metrics(frame: pd.DataFrame, target: Path) -> None:
    """Write pulled datapoints as flat Parquet sorted by series and time (atomically).

    Parameters
    ----------
    frame
        ``namespace``, ``metric_name``, ``dimensions`` (text of :func:`dimensions_text`),
        ``timestamp`` (UTC), ``period`` (seconds), ``min``, ``max``, ``sum``, ``count`` and any
        percentile columns (``p99``, ``p99.9``).
    target
        The file to write; a hidden temporary file is renamed onto it when complete.

    Examples
    --------
    >>> write_metrics(rows, Path("data/metrics/opsbook-pull/incident.parquet"))  # doctest: +SKIP
    """
    percentiles = sorted(c for c in frame.columns if _PERCENTILE.match(c))
    fields = [
        ("namespace", pa.string()),
        ("metric_name", pa.string()),
        ("dimensions", pa.string()),
        ("timestamp", pa.timestamp("ms", tz="UTC")),
        *((name, pa.float64()) for name in (*_BASIC_COLUMNS, *percentiles)),
        ("period", pa.int32()),
    ]
    schema = pa.schema(fields)
    ordered = frame.sort_values(["namespace", "metric_name", "dimensions", "timestamp"])
    stamps = pd.to_datetime(ordered["timestamp"], utc=True).dt.tz_convert(None)
    arrays = {name: ordered[name].to_numpy() for name in schema.names if name != "timestamp"}
    arrays["timestamp"] = stamps.to_numpy(dtype="datetime64[ms]")
    table = pa.table([pa.array(arrays[field.name], field.type) for field in schema], schema=schema)
    temporary = target.with_name(f".{target.name}.tmp")  # hidden: readers skip it
    pq.write_table(table, temporary, row_group_size=_ROW_GROUP)
    temporary.replace(target)
