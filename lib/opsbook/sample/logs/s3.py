"""The two layouts CloudWatch Logs writes events to S3 in: export task output and Firehose records.

- :func:`write_export`: CreateExportTask output, gzip text of ``<ISO time> <message>`` lines per
  log stream, split at about 2 MiB of text;
- :func:`write_firehose`: a subscription filter's records (one per stream and minute, gzipped by
  CloudWatch Logs) as Firehose buffers them into objects, after the ``CONTROL_MESSAGE`` sent when
  the subscription is created.

Examples
--------
>>> import tempfile
>>> from opsbook.sample.logs.events import Events
>>> events = Events(streams=["2026/11/14/[34]0a1b"])
>>> events.add(np.array([1_794_664_800_000]), np.array([0]), ["START RequestId: 1 Version: 34"])
>>> facts = write_export(Path(tempfile.mkdtemp()), "/aws/lambda/f", events, np.random.default_rng(1))
>>> facts["files"], facts["path"].split("/")[:4]
(1, ['logs', 'export', 'aws', 'lambda'])
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.logs.events import Events, iso_times
from opsbook.sample.traffic import MINUTE_MS, Traffic, epoch_ms, random_uuids

__all__ = [
    "ACCESS_LOG_DELIVERY_STREAM",
    "ACCESS_LOG_SUBSCRIPTION_FILTER",
    "write_export",
    "write_firehose",
]

ACCESS_LOG_DELIVERY_STREAM = "shop-api-access-logs"
ACCESS_LOG_SUBSCRIPTION_FILTER = "api-access-to-firehose"
_EXPORT_CHUNK_BYTES = 2 * 1024 * 1024  # text per exported object (AWS does not document it)
_FIREHOSE_BUFFER_MS = 900_000  # Firehose buffering interval (the maximum, 900 s)


def write_export(
    root: Path, group: str, events: Events, rng: np.random.Generator
) -> dict[str, Any]:
    """Write one CreateExportTask output: gzip text per stream, split at about 2 MiB of text."""
    task = random_uuids(rng, 1)[0]
    base = root / layout.export_task(group, task)
    ts, stream, messages = events.ordered()
    lines = [f"{t} {m}\n" for t, m in zip(iso_times(ts), messages.tolist(), strict=True)]
    bounds = np.flatnonzero(np.diff(stream)) + 1
    files = 0
    for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(lines)], strict=True):
        target = base / events.streams[int(stream[lo])]
        target.mkdir(parents=True, exist_ok=True)
        chunk: list[str] = []
        size = 0
        part = 0
        for line in lines[lo:hi]:
            if size + len(line) > _EXPORT_CHUNK_BYTES and chunk:
                (target / layout.export_object(part)).write_bytes(_gzip("".join(chunk)))
                files, part, chunk, size = files + 1, part + 1, [], 0
            chunk.append(line)
            size += len(line)
        (target / layout.export_object(part)).write_bytes(_gzip("".join(chunk)))
        files += 1
    return {
        "format": "s3-export",
        "path": f"{layout.export_task(group, task)}/<log stream>/NNNNNN.gz",
        "export_task_id": task,
        "events": len(lines),
        "streams": int(bounds.size + (1 if lines else 0)),
        "files": files,
    }


def _gzip(text: str) -> bytes:
    return gzip.compress(text.encode(), compresslevel=6, mtime=0)


def write_firehose(
    root: Path, model: Traffic, events: Events, rng: np.random.Generator
) -> dict[str, Any]:
    """Write subscription records (one per stream and minute) into Firehose objects."""
    group = org.API_ACCESS_LOG_GROUP
    ts, stream, messages = events.ordered()
    minute = ts // MINUTE_MS
    cut = np.flatnonzero((np.diff(stream) != 0) | (np.diff(minute) != 0)) + 1
    starts, stops = [0, *cut.tolist()], [*cut.tolist(), ts.size]
    # CloudWatch Logs delivers each batch a few seconds after its last event.
    last = ts[np.array(stops, dtype=np.int64) - 1] if ts.size else np.zeros(1, dtype=np.int64)
    arrival = last + rng.integers(1_500, 6_000, len(starts))
    ts_list, messages_list = ts.tolist(), messages.tolist()
    records = []
    for number, (lo, hi) in enumerate(zip(starts, stops, strict=True)):
        if lo == hi:
            continue
        name = events.streams[int(stream[lo])]
        log_events = [
            {
                "id": _event_id(ts_list[j], int(stream[lo]), j),
                "timestamp": ts_list[j],
                "message": messages_list[j],
            }
            for j in range(lo, hi)
        ]
        record = {
            "messageType": "DATA_MESSAGE",
            "owner": org.SHOP_PROD.id,
            "logGroup": group,
            "logStream": name,
            "subscriptionFilters": [ACCESS_LOG_SUBSCRIPTION_FILTER],
            "logEvents": log_events,
        }
        records.append((int(arrival[number]), json.dumps(record, separators=(",", ":"))))
    records.sort(key=lambda r: r[0])
    first_ms = epoch_ms(model.story.logs_start)
    control = json.dumps(
        {
            "messageType": "CONTROL_MESSAGE",
            "owner": "CloudwatchLogs",
            "logGroup": "",
            "logStream": "",
            "subscriptionFilters": [],
            "logEvents": [
                {
                    "id": "",
                    "timestamp": first_ms,
                    "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose.",
                }
            ],
        },
        separators=(",", ":"),
    )
    records.insert(0, (first_ms, control))
    # Firehose buffers records for up to 900 s and writes one object per buffer.
    objects: dict[int, list[bytes]] = {}
    opened: dict[int, int] = {}
    for arrived, text in records:
        key = (arrived - first_ms) // _FIREHOSE_BUFFER_MS
        opened.setdefault(key, arrived)
        objects.setdefault(key, []).append(gzip.compress(text.encode(), compresslevel=6, mtime=0))
    stream_name = ACCESS_LOG_DELIVERY_STREAM
    names = random_uuids(rng, len(objects))
    for (key, members), suffix in zip(sorted(objects.items()), names, strict=True):
        when = dt.datetime.fromtimestamp(opened[key] / 1000, tz=dt.UTC)
        path = root / layout.log_delivery_object(stream_name, when, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(members))
    return {
        "format": "firehose-subscription",
        "path": f"{layout.LOG_FIREHOSE}/{stream_name}/YYYY/MM/DD/HH/"
        f"{stream_name}-1-YYYY-MM-DD-HH-MM-SS-<uuid>",
        "delivery_stream": stream_name,
        "subscription_filter": ACCESS_LOG_SUBSCRIPTION_FILTER,
        "events": int(ts.size),
        "streams": int(np.unique(stream).size),
        "records": len(records),
        "control_messages": 1,
        "files": len(objects),
    }


def _event_id(ts: int, stream: int, seq: int) -> str:
    # CloudWatch Logs event ids are 56-digit decimals that start with the event's time.
    return str((ts << 144) | (stream << 100) | seq).zfill(56)
