"""CloudWatch metrics on the local backend: DuckDB over Metric Streams JSON records.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_namespaces(resolve()).columns[0]  # doctest: +SKIP
'namespace'
"""

from __future__ import annotations

import pandas as pd

from opsbook.backends.frames import namespaces_frame
from opsbook.backends.local import HINT, connect, data_dir
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = ["describe_namespaces"]


def describe_namespaces(settings: Settings) -> pd.DataFrame:
    """Return each metric namespace in the Metric Streams files with metrics, series and span."""
    files = sorted(str(p) for p in (data_dir(settings) / "metrics").glob("*/**/*") if p.is_file())
    if not files:
        raise NoDataError(f"no Metric Streams files under {data_dir(settings) / 'metrics'}: {HINT}")
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
