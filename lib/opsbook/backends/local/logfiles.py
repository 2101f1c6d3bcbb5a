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
file or folder that cannot be read (corrupt, truncated, a malformed record, permission denied) is
an error naming it, or, with the ``skip_unreadable`` setting, skipped and named in
:attr:`Sources.problems` (the policy of :mod:`._reading`, passed in as ``reading``).

Decoding: an export file's times are parsed by Arrow at once, and Firehose records by Arrow's JSON
reader, a batch of objects per read (Python's parsers take what Arrow cannot read as they would).
Each decoded file is kept for the life of the process (:mod:`._eventcache`), keyed on its path,
size and mtime: a runbook lists the log groups and runs several queries over the same files.
With a ``cache_dir``, a day folder's Firehose objects are kept as one Parquet copy (a warm read
opens one file a day, not one an object); a folder with an object that fails is read object by
object, so the bad one is named or skipped as without the cache.

Examples
--------
>>> from pathlib import Path
>>> read_events(Path("/nonexistent")).num_rows
0
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from opsbook.backends import layout
from opsbook.backends.local._eventcache import (
    Decoded,
    cache_key,
    cache_kind,
    cached,
    clear_cache,
    decoded,
    save,
    store,
)
from opsbook.backends.local._reading import _READ_ERRORS, Malformed, Reading
from opsbook.backends.local.columnar import cached_copy, cached_parquet, cached_parquet_of

__all__ = [
    "EVENT_SCHEMA",
    "FIREHOSE_LAG",
    "Sources",
    "clear_cache",
    "list_groups",
    "read_events",
    "scan_sources",
]

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
#: Cap on the decoded events kept between reads (Arrow bytes); least recently used go first.
_EXPORT_FOLDER = PurePosixPath(layout.LOG_EXPORTS).name  # "export": a group's path follows
_TASK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def read_events(data_dir: Path, reading: Reading | None = None) -> pa.Table:
    """Return every log event under ``data_dir/logs`` as a table of ``EVENT_SCHEMA``.

    Each file is decoded once per process while it is unchanged (see :func:`clear_cache`), so
    listing log groups and the queries after it share the work. A file that cannot be read
    fails as ``reading`` says (default: an error naming it).
    """
    reading = reading or Reading()
    pieces = []
    for group, stream, path in _export_files(data_dir / layout.LOG_EXPORTS, reading):
        decoded = _read(path, _decode_export, reading)
        if decoded is not None:
            pieces.append(_export_table(decoded.events, group, stream))
    objects = _firehose_objects(data_dir / layout.LOG_FIREHOSE, reading)
    _prefetch_firehose(objects, objects, reading.cache_dir)
    for path in objects:
        decoded = _read(path, _decode_firehose, reading)
        if decoded is not None:
            pieces.append(_firehose_table(decoded.events))
    return _concat(pieces)


def list_groups(data_dir: Path, reading: Reading | None = None) -> list[str]:
    """Return the groups :func:`read_events` would give events of, without decoding export files.

    An export file's group is in its path, so one that holds a non-blank line is enough; only
    Firehose objects, which name their group inside, are decoded (and cached for the queries).

    Examples
    --------
    >>> list_groups(Path("/nonexistent"))
    []
    """
    reading = reading or Reading()
    found = set()
    for group, _, path in _export_files(data_dir / layout.LOG_EXPORTS, reading):
        if group not in found and reading.read(path, _holds_a_line):
            found.add(group)
    objects = _firehose_objects(data_dir / layout.LOG_FIREHOSE, reading)
    _prefetch_firehose(objects, objects, reading.cache_dir)
    for path in objects:
        decoded = _read(path, _decode_firehose, reading)
        if decoded is not None:
            found.update(decoded.listed)
    return sorted(found)


def _firehose_objects(root: Path, reading: Reading) -> list[Path]:
    return reading.files(root)


def _read(path: Path, decode: Callable[[Path], Decoded], reading: Reading) -> Decoded | None:
    """Return a file's decoded events, or ``None`` when ``reading`` skipped it."""
    return reading.read(path, lambda p: decoded(p, decode, reading.cache_dir))


def _holds_a_line(path: Path) -> bool:
    """Whether an export file has a non-blank line, inflating only as far as the first one."""
    key = cache_key(path, _decode_export)
    held = cached(key)
    if held is not None:
        return held.events.num_rows > 0
    try:
        data = path.read_bytes()
        text = codecs.getincrementaldecoder("utf-8")()
        while data:
            inflater = zlib.decompressobj(wbits=31)
            while not inflater.eof:
                chunk = inflater.decompress(data, 1 << 16)
                data = inflater.unconsumed_tail
                if text.decode(chunk).strip():
                    return True
                if not (chunk or data):
                    raise EOFError  # truncated
            data = inflater.unused_data
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        pass  # the full read below fails (or not) as listing every event would
    return decoded(path, _decode_export).events.num_rows > 0


def _decode_export(path: Path) -> Decoded:
    """Decode one export file: ``<ISO-8601 time> <message>`` lines, blank lines skipped."""
    data = path.read_bytes()
    if not data:
        raise Malformed("empty file (0 bytes): an export task never writes one")
    text = gzip.decompress(data).decode("utf-8")
    if "\r" in text:  # the universal newlines that reading the file as text applied
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.partition(" ") for line in text.split("\n") if line.strip()]
    stamps = [stamp for stamp, _, _ in lines]
    messages = pa.array([message for _, _, message in lines], pa.string())
    return Decoded(pa.table({"timestamp": _parse_stamps(stamps), "message": messages}))


def _parse_stamps(stamps: list[str]) -> pa.Array:
    """Arrow parses the times at once; an ISO form it does not read goes through Python."""
    kind = EVENT_SCHEMA.field("timestamp").type
    try:
        return pc.cast(pa.array(stamps, pa.string()), kind)
    except pa.ArrowInvalid:
        return pa.array([dt.datetime.fromisoformat(s) for s in stamps], kind)


def _decode_firehose(path: Path) -> Decoded:
    """Decode one Firehose object: gzip members, each one subscription record (JSON)."""
    return _firehose_members(_inflate(path))


def _firehose_members(members: list[bytes]) -> Decoded:
    try:
        return _firehose_arrow(_read_records(members))
    except (pa.ArrowInvalid, pa.ArrowTypeError, _Irregular):
        return _firehose_python(members)


def _prefetch_firehose(paths: list[Path], every: list[Path], cache_dir: Path | None = None) -> None:
    """Decode the Firehose objects ``paths`` not held in memory yet, a folder or batch at a time.

    With a ``cache_dir``, each day folder (``YYYY/MM/DD``) that holds one of ``paths`` is kept
    as one Parquet copy of all its objects among ``every`` (:func:`_folder_copy`): a warm read
    opens one file a day instead of one an object, and a window's hours are chosen from its
    rows. A folder that cannot be copied whole (an object that fails) is read object by object,
    as without the cache (:func:`_prefetch_batches`), so the bad one is named or skipped.
    """
    if cache_dir is None:
        _prefetch_batches(paths)
        return
    wanted = {_day_folder(path) for path in paths}
    folders: dict[Path, list[Path]] = {}
    for path in every:
        if _day_folder(path) in wanted:
            folders.setdefault(_day_folder(path), []).append(path)
    alone = []
    for members in folders.values():
        try:
            keys = [cache_key(path, _decode_firehose) for path in sorted(members)]
        except OSError:
            alone += members  # named when read alone
            continue
        if all(cached(key) is not None for key in keys):
            continue
        copies = _folder_copy(sorted(members), cache_dir)
        if copies is None:
            alone += members
            continue
        for key, found in zip(keys, copies, strict=True):
            store(key, found)
    left = set(alone)
    _prefetch_batches([path for path in paths if path in left], cache_dir)


def _day_folder(path: Path) -> Path:
    """Return the folder whose Firehose objects share one Parquet copy: ``.../YYYY/MM/DD``."""
    parts = path.parts
    for i in range(len(parts) - 5, -1, -1):
        if all(p.isdigit() for p in parts[i : i + 4]) and len(parts[i]) == 4:
            return Path(*parts[: i + 3])
    return path.parent


def _folder_copy(paths: list[Path], cache_dir: Path) -> list[Decoded] | None:
    """Return each object's events from its folder's Parquet copy; ``None``: read them alone.

    The copy holds the objects' events in order, with each object's row count and group sets
    in the schema's metadata. A folder with an object that cannot be decoded is not cached.
    """
    try:
        copy = cached_parquet_of(paths, _save_folder, folder=cache_dir, kind=_FOLDER_KIND)
        if copy is None:
            return None
        table = pq.read_table(copy)
        meta = json.loads((table.schema.metadata or {})[b"objects"])
    except (*_READ_ERRORS, pa.ArrowException, KeyError):
        return None
    if len(meta) != len(paths):
        return None
    events, found, offset = table.replace_schema_metadata(None), [], 0
    for rows, groups, listed in meta:
        found.append(Decoded(events.slice(offset, rows), frozenset(groups), frozenset(listed)))
        offset += rows
    return found


# The folder copies sit beside the objects' own (one per object, when a folder cannot be copied).
_FOLDER_KIND = "logs-firehose-v1"


def _save_folder(paths: list[Path], target: Path) -> None:
    """Write the events of Firehose objects as one Parquet file (see :func:`_folder_copy`)."""
    members = [_inflate(path) for path in paths]
    try:
        records = _read_records([m for part in members for m in part])
    except (pa.ArrowInvalid, pa.ArrowTypeError, _Irregular):
        records = None
    decoded, offset = [], 0
    for part in members:
        try:
            if records is None:
                raise _Irregular
            decoded.append(_firehose_arrow(records.slice(offset, len(part))))
        except _Irregular:
            decoded.append(_firehose_python(part))
        offset += len(part)
    meta = [[d.events.num_rows, sorted(d.groups), sorted(d.listed)] for d in decoded]
    events = pa.concat_tables([d.events for d in decoded])
    pq.write_table(events.replace_schema_metadata({b"objects": json.dumps(meta).encode()}), target)


def _prefetch_batches(paths: list[Path], cache_dir: Path | None = None) -> None:
    """Decode the Firehose objects not cached yet a batch at a time (one JSON read per batch).

    One read instead of one per object is most of the saving on hundreds of small objects; a
    batch holds about ``_BATCH_BYTES`` of JSON. An object that fails here is left to
    :func:`_decode_firehose`, which reports or reads it alone.
    """
    batch: list[tuple[tuple, list[bytes]]] = []
    held = 0
    kind = cache_kind(_decode_firehose)
    for path in paths:
        try:
            key = cache_key(path, _decode_firehose)
            if cached(key) is not None:
                continue
            if cached_copy(path, folder=cache_dir, kind=kind) is not None:
                continue  # read from its Parquet copy
            members = _inflate(path)
        except (OSError, EOFError, zlib.error, ValueError):
            continue  # named when read alone
        batch.append((key, members))
        held += sum(map(len, members))
        if held >= _BATCH_BYTES:
            _decode_batch(batch, cache_dir)
            batch, held = [], 0
    _decode_batch(batch, cache_dir)


_BATCH_BYTES = 64 * 2**20


def _decode_batch(batch: list[tuple[tuple, list[bytes]]], cache_dir: Path | None = None) -> None:
    if len(batch) < 2:
        return
    try:
        records = _read_records([m for _, members in batch for m in members])
    except (pa.ArrowInvalid, pa.ArrowTypeError, _Irregular):
        return
    offset = 0
    for key, members in batch:
        part = records.slice(offset, len(members))
        offset += len(members)
        try:
            found = _firehose_arrow(part)
        except _Irregular:
            continue
        store(key, found)
        cached_parquet(Path(key[1]), lambda _, target, f=found: save(f, target),
                       folder=cache_dir, kind=cache_kind(_decode_firehose))  # fmt: skip


def _inflate(path: Path) -> list[bytes]:
    data, members = path.read_bytes(), []
    if not data:
        raise Malformed("empty file (0 bytes): Firehose never writes one")
    while data:
        # Each member is one record as CloudWatch Logs sent it; the decoder stops at its end.
        inflater = zlib.decompressobj(wbits=31)
        members.append(inflater.decompress(data))
        if not inflater.eof:
            raise EOFError(f"gzip member {len(members)} is truncated")
        data = inflater.unused_data
    return members


class _Irregular(Exception):
    """Records Arrow cannot read as json.loads would (see :func:`_read_records`)."""


_RECORD = pa.schema(
    [
        ("messageType", pa.string()),
        ("logGroup", pa.string()),
        ("logStream", pa.string()),
        (
            "logEvents",
            pa.list_(pa.struct([("timestamp", pa.int64()), ("message", pa.string())])),
        ),
    ]
)


def _read_records(members: list[bytes]) -> pa.Table:
    """Parse JSON records with Arrow, as one JSON-lines text (each must be one non-blank line)."""
    if any(b"\n" in m or b"\r" in m or not m.strip() for m in members):
        raise _Irregular  # json.loads reads these; JSON lines would split or skip them
    lines = b"\n".join(members)
    records = pa_json.read_json(
        pa.BufferReader(lines),
        read_options=pa_json.ReadOptions(
            block_size=max(max(map(len, members), default=0) + 1, 1 << 20)
        ),
        parse_options=pa_json.ParseOptions(
            explicit_schema=_RECORD, unexpected_field_behavior="ignore"
        ),
    )
    if records.num_rows != len(members):
        raise _Irregular  # e.g. two objects in one member, which json.loads refuses
    return records.combine_chunks()


def _firehose_arrow(records: pa.Table) -> Decoded:
    """Flatten parsed records' events, in order; a missing or null field is left to Python."""
    data = records.filter(pc.equal(records["messageType"], "DATA_MESSAGE"))
    nested = data["logEvents"].combine_chunks()
    events = pc.list_flatten(nested)
    owner = pc.list_parent_indices(nested)
    checked = [data["logGroup"], data["logStream"], nested]
    checked += [events.field("timestamp"), events.field("message")]
    if any(column.null_count for column in checked):
        raise _Irregular  # json.loads would fail on a missing key, or keep a null message as such
    table = pa.table(
        {
            "timestamp": events.field("timestamp").cast(EVENT_SCHEMA.field("timestamp").type),
            "message": events.field("message"),
            "log_stream": data["logStream"].take(owner),
            "log_group": data["logGroup"].take(owner),
        }
    )
    listed = frozenset(pc.unique(table["log_group"]).to_pylist())
    return Decoded(table, frozenset(data["logGroup"].to_pylist()), listed)


def _firehose_python(members: list[bytes]) -> Decoded:
    columns: dict[str, list] = {
        name: [] for name in ("timestamp", "message", "log_stream", "log_group")
    }
    groups = set()
    for number, member in enumerate(members, 1):
        try:
            _add_record(json.loads(member), columns, groups)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError) as error:
            what = f"no field {error}" if isinstance(error, KeyError) else str(error)
            raise Malformed(f"malformed record {number} (gzip member {number}): {what}") from None
    kind = EVENT_SCHEMA.field("timestamp").type
    table = pa.table(
        {
            "timestamp": pa.array(columns["timestamp"], kind),
            **{name: pa.array(columns[name], pa.string()) for name in EVENT_SCHEMA.names[1:4]},
        }
    )
    return Decoded(table, frozenset(groups), frozenset(columns["log_group"]))


def _add_record(record: dict, columns: dict[str, list], groups: set[str]) -> None:
    """Add one subscription record's events; a missing field or a wrong type raises."""
    if record.get("messageType") != "DATA_MESSAGE":
        return
    group, stream = record["logGroup"], record["logStream"]
    if not isinstance(group, str) or not isinstance(stream, str):
        raise TypeError("logGroup and logStream must be text")
    rows = []
    for event in record["logEvents"]:
        if not isinstance(event["message"], str | None):  # a null message is kept as such
            raise TypeError(f"an event's message is {type(event['message']).__name__}, not text")
        stamp = dt.datetime.fromtimestamp(event["timestamp"] / 1000, tz=dt.UTC)
        rows.append((stamp, event["message"]))
    groups.add(group)
    for stamp, message in rows:
        columns["timestamp"].append(stamp)
        columns["message"].append(message)
        columns["log_stream"].append(stream)
        columns["log_group"].append(group)


def _export_files(root: Path, reading: Reading) -> Iterator[tuple[str, str, Path]]:
    """Yield each export file's group, stream and path (the task id separates the two)."""
    if not root.is_dir():
        return
    for path in (p for p in reading.files(root) if p.name.endswith(".gz")):
        parts = path.relative_to(root).parts
        task = next((i for i, part in enumerate(parts) if _TASK_ID.match(part)), None)
        if task is None or task == 0:
            continue  # not an export task's output
        yield "/" + "/".join(parts[:task]), "/".join(parts[task + 1 : -1]), path


def _export_table(events: pa.Table, group: str, stream: str) -> pa.Table:
    rows = events.num_rows
    return pa.table(
        {
            "timestamp": events["timestamp"],
            "message": events["message"],
            "log_stream": pa.repeat(pa.scalar(stream, pa.string()), rows),
            "log_group": pa.repeat(pa.scalar(group, pa.string()), rows),
            "format": pa.repeat(pa.scalar("export", pa.string()), rows),
        },
        schema=EVENT_SCHEMA,
    )


def _firehose_table(events: pa.Table) -> pa.Table:
    fmt = pa.repeat(pa.scalar("firehose", pa.string()), events.num_rows)
    return events.append_column("format", fmt).cast(EVENT_SCHEMA)


def _concat(pieces: list[pa.Table]) -> pa.Table:
    if not pieces:
        return EVENT_SCHEMA.empty_table()
    return pa.concat_tables(pieces)


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
    reading: Reading | None = None,
) -> Sources:
    """Find the log files under ``paths`` and read the gzip ones in ``[start, end)``.

    Parquet and JSON-lines files are only listed (DuckDB reads them, pushing the filters down);
    export and Firehose gzip files are read here, pruned by group and time where the layout
    tells. ``groups`` says whether a log group is wanted (``None``: all). A file that cannot be
    read fails as ``reading`` says (default: an error naming it); skipped files are named in
    :attr:`Sources.problems`.

    Examples
    --------
    >>> scan_sources([]).gzip_events.num_rows
    0
    """
    wanted = groups or (lambda _name: True)
    reading = reading or Reading()
    found = Sources(EVENT_SCHEMA.empty_table())
    pieces: list[pa.Table] = []
    saved = PurePosixPath(layout.DESCRIBE_LOG_GROUPS).name  # API output beside the logs
    files = [(root, p) for root, p in _files(paths, reading) if p.name != saved]
    candidates = [p for _, p in files if _firehose_candidate(p, None, None)]
    _prefetch_firehose([p for p in candidates if not _hour_outside(p.parts, start, end)],
                       candidates, reading.cache_dir)  # fmt: skip
    for root, path in files:
        suffix = path.name.lower()
        found.files += 1
        if suffix.endswith(".parquet"):
            found.parquet.append(path)
        elif suffix.endswith((".jsonl", ".ndjson", ".json")):
            found.json_lines.append(path)
        elif not reading.read(path, _is_gzip):
            found.files -= 1  # README files and the like (or a file skipped)
            if _in_log_layout(path) and not any(s["file"] == str(path) for s in reading.skipped):
                reading.fail(path, "not gzip, yet in the export or Firehose layout")
                found.files += 1
        else:
            piece = reading.read(
                path,
                lambda p, r=root: _read_gzip(
                    r, p, start, end, wanted, found.groups, reading.cache_dir
                ),  # fmt: skip
            )
            if piece is not None:
                pieces.append(piece)
    found.gzip_events = _concat(pieces)
    found.problems += [f"{s['file']}: {s['problem']}" for s in reading.skipped]
    return found


def _in_log_layout(path: Path) -> bool:
    """Whether ``path`` sits where an export task or a Firehose stream writes gzip objects."""
    return any(_TASK_ID.match(p) for p in path.parts) or "firehose" in path.parts


def _firehose_candidate(path: Path, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    """Whether :func:`_read_gzip` would decode ``path`` as a Firehose object."""
    if path.name.lower().endswith((".parquet", ".jsonl", ".ndjson", ".json")):
        return False
    if any(_TASK_ID.match(part) for part in path.parts):
        return False
    if _hour_outside(path.parts, start, end):
        return False
    try:
        return _is_gzip(path)
    except OSError:
        return False  # reported when read


def _files(paths: list[Path], reading: Reading) -> Iterator[tuple[Path, Path]]:
    for path in paths:
        if path.is_dir():
            yield from ((path, p) for p in reading.files(path))
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
    start: dt.datetime | None,
    end: dt.datetime | None,
    wanted: Callable[[str], bool],
    seen: set[str],
    cache_dir: Path | None = None,
) -> pa.Table | None:
    """Return a gzip file's wanted events in ``[start, end)`` (``None``: pruned unread)."""
    parts = path.parts
    task = next((i for i, part in enumerate(parts) if _TASK_ID.match(part)), None)
    if task is not None:
        # The group's path sits between the export prefix (or the folder given) and the task id.
        export = next((i for i, p in enumerate(parts[:task]) if p == _EXPORT_FOLDER), None)
        first = export + 1 if export is not None else len(root.parts)
        group = "/" + "/".join(parts[first:task])
        stream = "/".join(parts[task + 1 : -1])
        seen.add(group)
        if not wanted(group) or _stream_after(stream, end):
            return None
        events = decoded(path, _decode_export, cache_dir).events
        return _export_table(events.filter(_in_window(events, start, end)), group, stream)
    if _hour_outside(parts, start, end):
        return None
    found = decoded(path, _decode_firehose, cache_dir)
    seen.update(found.groups)
    events = found.events
    chosen = pa.array(sorted(g for g in found.groups if wanted(g)), pa.string())
    keep = pc.and_(pc.is_in(events["log_group"], value_set=chosen), _in_window(events, start, end))
    return _firehose_table(events.filter(keep))


_MOMENT = pa.timestamp("us", tz="UTC")  # a window's ends, compared without losing precision


def _in_window(events: pa.Table, start: dt.datetime | None, end: dt.datetime | None) -> pa.Array:
    stamps = events["timestamp"]
    keep = pa.repeat(pa.scalar(True), events.num_rows)
    if start is not None:
        keep = pc.and_(keep, pc.greater_equal(stamps, pa.scalar(start, _MOMENT)))
    if end is not None:
        keep = pc.and_(keep, pc.less(stamps, pa.scalar(end, _MOMENT)))
    return keep


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
    """Whether a Firehose object's ``YYYY/MM/DD/HH`` delivery hour rules out ``[start, end)``."""
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
