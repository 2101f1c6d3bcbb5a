"""Read CloudWatch Logs events from the files AWS writes to S3, into one Arrow table.

Two layouts are read (both may be present; a log group should come from only one of them):

- CreateExportTask output: ``logs/export/<log group>/<task id>/<log stream>/NNNNNN.gz``, gzip text
  with one ``<ISO-8601 timestamp> <message>`` line per event. The task id (a UUID) separates the
  log group's path from the log stream's, since both may contain slashes.
- Subscription filter → Firehose: ``logs/firehose/<delivery stream>/YYYY/MM/DD/HH/<object>``, each
  object a concatenation of gzip members, each member one JSON record with ``messageType``,
  ``logGroup``, ``logStream`` and ``logEvents``. ``CONTROL_MESSAGE`` records are skipped.

Examples
--------
>>> from pathlib import Path
>>> read_events(Path("/nonexistent")).num_rows
0
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

__all__ = ["EVENT_SCHEMA", "read_events"]

EVENT_SCHEMA = pa.schema(
    [
        ("timestamp", pa.timestamp("ms", tz="UTC")),
        ("message", pa.string()),
        ("log_stream", pa.string()),
        ("log_group", pa.string()),
        ("format", pa.string()),
    ]
)
_TASK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def read_events(data_dir: Path) -> pa.Table:
    """Return every log event under ``data_dir/logs`` as a table of ``EVENT_SCHEMA``."""
    columns: dict[str, list] = {name: [] for name in EVENT_SCHEMA.names}
    for group, stream, fmt, events in _export_events(data_dir / "logs" / "export"):
        for stamp, message in events:
            columns["timestamp"].append(stamp)
            columns["message"].append(message)
        count = len(columns["timestamp"]) - len(columns["log_group"])
        columns["log_stream"] += [stream] * count
        columns["log_group"] += [group] * count
        columns["format"] += [fmt] * count
    for record in _firehose_records(data_dir / "logs" / "firehose"):
        for event in record["logEvents"]:
            columns["timestamp"].append(
                dt.datetime.fromtimestamp(event["timestamp"] / 1000, tz=dt.UTC)
            )
            columns["message"].append(event["message"])
            columns["log_stream"].append(record["logStream"])
            columns["log_group"].append(record["logGroup"])
            columns["format"].append("firehose")
    return pa.table(columns, schema=EVENT_SCHEMA)


def _export_events(root: Path) -> Iterator[tuple[str, str, str, list[tuple[dt.datetime, str]]]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*.gz")):
        parts = path.relative_to(root).parts
        task = next((i for i, part in enumerate(parts) if _TASK_ID.match(part)), None)
        if task is None or task == 0:
            continue  # not an export task's output
        group = "/" + "/".join(parts[:task])
        stream = "/".join(parts[task + 1 : -1])
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            events = [_export_line(line) for line in lines if line.strip()]
        yield group, stream, "export", events


def _export_line(line: str) -> tuple[dt.datetime, str]:
    stamp, _, message = line.rstrip("\n").partition(" ")
    return dt.datetime.fromisoformat(stamp), message


def _firehose_records(root: Path) -> Iterator[dict]:
    if not root.is_dir():
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        while data:
            # Each member is one record as CloudWatch Logs sent it; the decoder stops at its end.
            inflater = zlib.decompressobj(wbits=31)
            record = json.loads(inflater.decompress(data))
            data = inflater.unused_data
            if record.get("messageType") == "DATA_MESSAGE":
                yield record
