"""Read CloudWatch Logs events from the files AWS writes to S3, into one Arrow table.

Two layouts are read (both may be present; a log group should come from only one of them):

- CreateExportTask output: ``logs/export/<log group>/<task id>/<log stream>/NNNNNN.gz``, gzip text
  with one ``<ISO-8601 timestamp> <message>`` line per event. The task id (a UUID) separates the
  log group's path from the log stream's, since both may contain slashes.
- Subscription filter → Firehose: ``logs/firehose/<delivery stream>/YYYY/MM/DD/HH/<object>``, each
  object a concatenation of gzip members, each member one JSON record with ``messageType``,
  ``logGroup``, ``logStream`` and ``logEvents``. ``CONTROL_MESSAGE`` records are skipped.

Three more formats are read by :func:`scan_sources` (files or folders given by the user):

- Parquet pulled by ``opsbook logs pull``: ``timestamp, message, log_stream, log_group``
  (+ ``ingestion_time``); read by DuckDB itself, with the time range and log groups pushed down
  to row groups.
- JSON lines as ``aws logs filter-log-events`` prints events (``*.jsonl``, ``*.ndjson``,
  ``*.json``): ``timestamp`` (epoch ms), ``message``, ``logStreamName``/``logStream``, optional
  ``logGroupName``/``logGroup`` and ``ingestionTime``; a whole ``{"events": [...]}`` document
  (the CLI's default output) works too.
- Export and Firehose gzip files anywhere (recognised by their path or their first bytes).

Time-range pruning: an export stream named ``YYYY/MM/DD/...`` (Lambda) cannot hold events from
before that day, and a Firehose object under ``YYYY/MM/DD/HH`` was delivered in that hour, so it
cannot hold events from after it (and holds none older than ``FIREHOSE_LAG`` before it). A
corrupt file is skipped and reported by name in :attr:`Sources.problems`; the others are read.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["EVENT_SCHEMA", "FIREHOSE_LAG", "Sources", "read_events", "scan_sources"]

EVENT_SCHEMA = pa.schema(
    [
        ("timestamp", pa.timestamp("ms", tz="UTC")),
        ("message", pa.string()),
        ("log_stream", pa.string()),
        ("log_group", pa.string()),
        ("format", pa.string()),
    ]
)
#: How long before its delivery hour a Firehose object may still hold events (buffering delay).
FIREHOSE_LAG = dt.timedelta(hours=1)
_TASK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def read_events(data_dir: Path) -> pa.Table:
    """Return every log event under ``data_dir/logs`` as a table of ``EVENT_SCHEMA``.

    Times stay text (export) or epoch milliseconds (Firehose) until Arrow converts each column at
    once: building a datetime per event made listing log groups take seconds on a week of logs.
    """
    stamps: list[str] = []
    columns: dict[str, list] = {
        name: [] for name in ("message", "log_stream", "log_group", "format")
    }
    for group, stream, fmt, lines in _export_lines(data_dir / "logs" / "export"):
        for stamp, _, message in lines:
            stamps.append(stamp)
            columns["message"].append(message)
        count = len(stamps) - len(columns["log_group"])
        columns["log_stream"] += [stream] * count
        columns["log_group"] += [group] * count
        columns["format"] += [fmt] * count
    try:
        exported = pc.cast(pa.array(stamps, pa.string()), EVENT_SCHEMA.field("timestamp").type)
    except pa.ArrowInvalid:  # an ISO form Arrow does not read: Python's parser, line by line
        exported = pa.array(
            [_export_line(f"{s} ")[0] for s in stamps], EVENT_SCHEMA.field("timestamp").type
        )
    millis: list[int] = []
    for record in _firehose_records(data_dir / "logs" / "firehose"):
        for event in record["logEvents"]:
            millis.append(event["timestamp"])
            columns["message"].append(event["message"])
        count = len(stamps) + len(millis) - len(columns["log_group"])
        columns["log_stream"] += [record["logStream"]] * count
        columns["log_group"] += [record["logGroup"]] * count
        columns["format"] += ["firehose"] * count
    delivered = pa.array(millis, pa.int64()).cast(EVENT_SCHEMA.field("timestamp").type)
    timestamps = pa.chunked_array([exported, delivered], EVENT_SCHEMA.field("timestamp").type)
    return pa.table({"timestamp": timestamps, **columns}, schema=EVENT_SCHEMA)


def _export_lines(root: Path) -> Iterator[tuple[str, str, str, list[tuple[str, str, str]]]]:
    """Yield each export file's group, stream and ``(time text, " ", message)`` per line."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*.gz")):
        parts = path.relative_to(root).parts
        task = next((i for i, part in enumerate(parts) if _TASK_ID.match(part)), None)
        if task is None or task == 0:
            continue  # not an export task's output
        with gzip.open(path, "rt", encoding="utf-8") as text:
            lines = [line.partition(" ") for line in text.read().split("\n") if line.strip()]
        yield "/" + "/".join(parts[:task]), "/".join(parts[task + 1 : -1]), "export", lines


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


@dataclass
class Sources:
    """Log files found under the paths a query reads, by format, and the files that failed."""

    gzip_events: pa.Table
    parquet: list[Path] = field(default_factory=list)
    json_lines: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    files: int = 0
    groups: set[str] = field(default_factory=set)  # every group seen, in range or not


def scan_sources(
    paths: list[Path],
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    groups: Callable[[str], bool] | None = None,
) -> Sources:
    """Find the log files under ``paths`` and read the gzip ones in ``[start, end]``.

    Parquet and JSON-lines files are only listed (DuckDB reads them, pushing the filters down);
    export and Firehose gzip files are read here, pruned by group and time where the layout
    tells. ``groups`` says whether a log group is wanted (``None``: all).

    Examples
    --------
    >>> scan_sources([]).gzip_events.num_rows
    0
    """
    wanted = groups or (lambda _name: True)
    columns: dict[str, list] = {name: [] for name in EVENT_SCHEMA.names}
    found = Sources(pa.table(columns, schema=EVENT_SCHEMA))
    for root, path in _files(paths):
        suffix = path.name.lower()
        found.files += 1
        if suffix.endswith(".parquet"):
            found.parquet.append(path)
        elif suffix.endswith((".jsonl", ".ndjson", ".json")):
            found.json_lines.append(path)
        elif not _is_gzip(path):
            found.files -= 1  # README files and the like
        else:
            try:
                _read_gzip(root, path, columns, start, end, wanted, found.groups)
            except (OSError, EOFError, zlib.error, ValueError, UnicodeDecodeError) as error:
                found.problems.append(f"{path}: {type(error).__name__}: {error}")
    found.gzip_events = pa.table(columns, schema=EVENT_SCHEMA)
    return found


def _files(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    for path in paths:
        if path.is_dir():
            yield from ((path, p) for p in sorted(path.rglob("*")) if p.is_file())
        elif path.is_file():
            yield path.parent, path
        else:
            raise FileNotFoundError(path)


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _read_gzip(
    root: Path,
    path: Path,
    columns: dict[str, list],
    start: dt.datetime | None,
    end: dt.datetime | None,
    wanted: Callable[[str], bool],
    seen: set[str],
) -> None:
    parts = path.parts
    task = next((i for i, part in enumerate(parts) if _TASK_ID.match(part)), None)
    if task is not None:
        # The group's path sits between the export prefix (or the folder given) and the task id.
        export = next((i for i, p in enumerate(parts[:task]) if p == "export"), None)
        first = export + 1 if export is not None else len(root.parts)
        group = "/" + "/".join(parts[first:task])
        stream = "/".join(parts[task + 1 : -1])
        seen.add(group)
        if not wanted(group) or _stream_after(stream, end):
            return
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            events = [_export_line(line) for line in lines if line.strip()]
        events = [e for e in events if _inside(e[0], start, end)]
        columns["timestamp"] += [e[0] for e in events]
        columns["message"] += [e[1] for e in events]
        columns["log_stream"] += [stream] * len(events)
        columns["log_group"] += [group] * len(events)
        columns["format"] += ["export"] * len(events)
        return
    if _hour_outside(parts, start, end):
        return
    data = path.read_bytes()
    while data:
        inflater = zlib.decompressobj(wbits=31)
        record = json.loads(inflater.decompress(data))
        data = inflater.unused_data
        if record.get("messageType") != "DATA_MESSAGE":
            continue
        seen.add(record["logGroup"])
        if not wanted(record["logGroup"]):
            continue
        for event in record["logEvents"]:
            stamp = dt.datetime.fromtimestamp(event["timestamp"] / 1000, tz=dt.UTC)
            if not _inside(stamp, start, end):
                continue
            columns["timestamp"].append(stamp)
            columns["message"].append(event["message"])
            columns["log_stream"].append(record["logStream"])
            columns["log_group"].append(record["logGroup"])
            columns["format"].append("firehose")


def _inside(stamp: dt.datetime, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    return (start is None or stamp >= start) and (end is None or stamp <= end)


def _stream_after(stream: str, end: dt.datetime | None) -> bool:
    """Whether a ``YYYY/MM/DD/...`` stream was created after ``end`` (so holds nothing before)."""
    match = re.match(r"^(\d{4})/(\d{2})/(\d{2})/", stream)
    if end is None or not match:
        return False
    try:
        day = dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return False
    return day > end.astimezone(dt.UTC).date()


def _hour_outside(
    parts: tuple[str, ...], start: dt.datetime | None, end: dt.datetime | None
) -> bool:
    """Whether a Firehose object's ``YYYY/MM/DD/HH`` delivery hour rules out ``[start, end]``."""
    for i in range(len(parts) - 5, -1, -1):
        window = parts[i : i + 4]
        if all(p.isdigit() for p in window) and len(window[0]) == 4:
            try:
                hour = dt.datetime(*(int(p) for p in window), tzinfo=dt.UTC)  # type: ignore[misc]
            except (TypeError, ValueError):
                return False
            delivered_by = hour + dt.timedelta(hours=1)
            if start is not None and delivered_by < start:
                return True
            return end is not None and hour - FIREHOSE_LAG > end
    return False
