"""Copies from the AWS account for offline replay, read on AWS whatever the backend setting.

:func:`pull_logs` copies a window of events with FilterLogEvents (paginated) into Parquet, in the
layout the local backend reads (:data:`opsbook.backends.pulled.LOG_EVENTS`), e.g. for a
postmortem.

Examples
--------
>>> from opsbook.settings import resolve
>>> import datetime as dt
>>> from pathlib import Path
>>> pull_logs(resolve(backend="aws"), ["/ecs/checkout-api"],
...           dt.datetime(2026, 11, 14, 10, tzinfo=dt.UTC), dt.datetime(2026, 11, 14, 11, tzinfo=dt.UTC),
...           Path("pulled"))  # doctest: +SKIP
[PosixPath('pulled/ecs_checkout-api.parquet')]
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from opsbook.backends.aws import aws_errors, client
from opsbook.backends.contract import Pull, contract_functions
from opsbook.backends.pulled import LOG_EVENTS
from opsbook.settings import Settings

__all__ = contract_functions(Pull)

_BATCH_ROWS = 100_000  # rows held in memory before a row group is written


def pull_logs(
    settings: Settings,
    log_groups: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    dest: Path,
) -> list[Path]:
    """Copy events of ``log_groups`` in ``[start, end]`` to Parquet files under ``dest``.

    One file per log group (``<group with / as _>.parquet``), written in row batches so memory
    stays bounded; columns as :data:`opsbook.backends.pulled.LOG_EVENTS`, which the local backend reads.
    """
    logs = client(settings, "logs")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for group in log_groups:
        path = dest / (group.strip("/").replace("/", "_") + ".parquet")
        with pq.ParquetWriter(path, LOG_EVENTS) as writer:
            columns: dict[str, list] = {name: [] for name in LOG_EVENTS.names}
            with aws_errors("logs:FilterLogEvents"):
                pages = logs.get_paginator("filter_log_events").paginate(
                    logGroupName=group,
                    # FilterLogEvents' endTime (epoch ms) is inclusive: the last ms before end.
                    startTime=math.floor(start.timestamp() * 1000),
                    endTime=math.ceil(end.timestamp() * 1000) - 1,
                )
                for page in pages:
                    for event in page.get("events", []):
                        columns["timestamp"].append(event["timestamp"])
                        columns["message"].append(event["message"])
                        columns["log_stream"].append(event.get("logStreamName"))
                        columns["log_group"].append(group)
                        columns["ingestion_time"].append(event.get("ingestionTime"))
                    if len(columns["timestamp"]) >= _BATCH_ROWS:
                        writer.write_table(pa.table(columns, schema=LOG_EVENTS))
                        columns = {name: [] for name in LOG_EVENTS.names}
            writer.write_table(pa.table(columns, schema=LOG_EVENTS))
        written.append(path)
    return written
