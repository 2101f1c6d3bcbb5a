r"""Read the logs AWS services write to S3 (ALB, NLB, VPC flow logs, CloudFront, ...) as log events.

A source ``s3://<bucket>/<prefix>`` is read from ``data_dir/s3/<bucket>/<prefix>``
(:func:`opsbook.backends.layout.s3_object`). Each object below it is recognised by the key AWS
gives it (:mod:`opsbook.backends.s3formats`), and read only when the time in its key says it
may hold events of the query's range: date folders outside the range are not even listed, so a
one-hour query opens about one hour of files.

Each record becomes one event: ``@timestamp`` is the record's own time (ALB/NLB ``time``, VPC
``start``, CloudFront ``date`` + ``time``, S3 ``requestdatetime``, WAF ``timestamp``,
CloudTrail ``eventTime``, API Gateway ``requestTimeEpoch`` or ``requestTime``), ``@logStream``
the object's key, ``@log`` the source as given, and ``@message`` the record as a JSON object of
its fields named as AWS's documentation names them, so every field is discovered as Logs Insights
discovers JSON fields (``filter elb_status_code >= 500``, ```client:port```). The record's
original text is not kept: a ``parse`` of the raw line has nothing to parse.

ALB and NLB objects (most of the volume) are decoded once into Parquet copies in ``cache_dir``
(:mod:`.columnar`, keyed by the object's identity) holding one column per field
(:mod:`._s3columns`): the local backend queries the copies, reads fields from their columns
and builds ``@message`` only for a query that reads it (decision ``s3_message``).

Bad input follows the local backend's policy (:mod:`._reading`): a file that cannot be read
(not gzip, truncated, not UTF-8, a CloudTrail file that is not JSON) is an error naming it, or
skipped with a note under ``skip_unreadable``; a malformed line in a readable file is left out
and counted in a note naming the file and the first such line (also in the report's skipped
inputs), and a file in which no line is well formed is a bad file. Objects below the prefix
that follow no AWS layout (e.g. ELB's ``ELBAccessLogTestFile``) are named in a note, unread.

Examples
--------
>>> parse_elb_line('http 2026-11-14T14:03:12.5Z app/shop/50dc 1.2.3.4:80 - 0.1 "GET / HTTP/1.1"')
['http', '2026-11-14T14:03:12.5Z', 'app/shop/50dc', '1.2.3.4:80', '-', '0.1', 'GET / HTTP/1.1']
>>> parse_s3access_line('own bkt [06/Feb/2019:00:00:38 +0000] 192.0.2.3 "a b" x')
['own', 'bkt', '06/Feb/2019:00:00:38 +0000', '192.0.2.3', 'a b', 'x']
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from opsbook.backends import layout, s3formats
from opsbook.backends.frames import S3_SOURCES, s3_sources_frame
from opsbook.backends.local import _s3columns
from opsbook.backends.local._reading import Malformed, Reading
from opsbook.backends.local.columnar import cached_parquet
from opsbook.backends.local.logfiles import EVENT_SCHEMA
from opsbook.backends.s3formats import S3Format
from opsbook.queries import skips

__all__ = [
    "S3Read",
    "check_object",
    "list_sources",
    "parse_elb_line",
    "parse_s3access_line",
    "read_source",
]

# How far a date folder's deliveries may be from the events they hold, over every format.
_MOST_BEFORE = max(f.before for f in s3formats.FORMATS)
_MOST_AFTER = max(f.after for f in s3formats.FORMATS)
_EXAMPLES = 3  # unrecognised objects named in a note


@dataclass
class S3Read:
    """What reading one S3 source found: events in range, the files opened, and notes."""

    events: pa.Table
    opened: list[Path] = field(default_factory=list)
    objects: int = 0  # objects in an AWS layout listed below the prefix (opened or not)
    notes: list[str] = field(default_factory=list)
    exists: bool = False  # whether anything at all is stored below the prefix
    #: Load balancer objects by format: their Parquet copies (or tables, without a cache) of
    #: :mod:`._s3columns`'s columns, every record of the object (the caller keeps the range).
    fielded: dict[str, list[Path | pa.Table]] = field(default_factory=dict)


def read_source(
    data_dir: Path,
    source: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    reading: Reading | None = None,
    *,
    columns: bool = False,
) -> S3Read:
    """Return the events of ``source`` (``s3://<bucket>/<prefix>``) in ``[start, end)``.

    Load balancer objects are decoded once into Parquet copies (:func:`_fielded`); with
    ``columns`` the read gives those copies as :attr:`S3Read.fielded` for the caller to query
    (the local backend does), else their events join :attr:`S3Read.events`.

    Examples
    --------
    >>> read_source(Path("/nonexistent"), "s3://b/AWSLogs/").objects
    0
    """
    reading = reading or Reading()
    bucket, prefix = s3formats.split_s3_source(source)
    root = data_dir / layout.S3_BUCKETS / bucket
    found = S3Read(EVENT_SCHEMA.empty_table(), exists=_stored(root, prefix))
    pieces, strange = [], []
    for key, path in _keys(root, prefix, start, end, reading):
        kind = s3formats.recognise(key)
        if kind is None:
            strange.append(key)
            continue
        found.objects += 1
        if not _may_hold(kind, key, start, end):
            continue
        if kind.name in _COLUMNAR:  # its columns, from the Parquet cache
            fielded = reading.read(
                path, lambda p, k=kind, n=key: _fielded(p, k, n, reading.cache_dir)
            )
            if fielded is not None:  # skipped (skip_unreadable): recorded by reading, not opened
                found.opened.append(path)
                _note(found, path, fielded[1])
                found.fielded.setdefault(kind.name, []).append(fielded[0])
            continue
        decoded = reading.read(path, lambda p, k=kind, n=key: _decode(p, k, n))
        if decoded is not None:
            found.opened.append(path)
            pieces.append(_kept(found, decoded, path, start, end, source, key, kind))
    if not columns:
        for name, copies in found.fielded.items():
            pieces.append(_fielded_events(copies, s3formats.by_name(name), start, end, source))
        found.fielded = {}
    if strange:
        named = ", ".join(strange[:_EXAMPLES]) + (", ..." if len(strange) > _EXAMPLES else "")
        found.notes.append(
            f"{len(strange)} object(s) under {source} follow no AWS log layout and were not "
            f"read: {named}"
        )
    found.events = pa.concat_tables(pieces) if pieces else EVENT_SCHEMA.empty_table()
    return found


def _kept(
    found: S3Read,
    decoded: tuple[pa.Table, Bad],
    path: Path,
    start: dt.datetime | None,
    end: dt.datetime | None,
    source: str,
    key: str,
    kind: S3Format,
) -> pa.Table:
    """Return one decoded object's events in range; note its malformed lines."""
    table, bad = decoded
    _note(found, path, bad)
    return _events(table, start, end, source, key, kind)


def _note(found: S3Read, path: Path, bad: Bad) -> None:
    """Note a file's malformed lines (left out) on the read and in the report's skipped inputs."""
    if bad:
        problem = f"{len(bad)} malformed line(s) left out (line {bad[0][0]}: {bad[0][1]})"
        found.notes.append(f"{path}: {problem}")
        skips.note(str(path), problem)


def list_sources(data_dir: Path, reading: Reading | None = None) -> pd.DataFrame:
    """Return the S3 log sources in ``data_dir/s3``: one row per prefix and format, with counts.

    A source's prefix ends where the key's date folders begin (for CloudFront and S3 server
    access logs, at the object's folder), so querying it reads that format's whole archive.

    Examples
    --------
    >>> list_sources(Path("/nonexistent")).columns.tolist()
    ['source', 'format', 'objects', 'first_object', 'last_object']
    """
    reading = reading or Reading()
    rows: dict[tuple[str, str], list] = {}
    root = data_dir / layout.S3_BUCKETS
    buckets = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for bucket in buckets:
        for key, _ in _keys(bucket, "", None, None, reading):
            kind = s3formats.recognise(key)
            if kind is None:
                continue
            source = f"{s3formats.S3_SCHEME}{bucket.name}/{_source_prefix(key)}"
            stamp = s3formats.stamp_of(kind, key)
            row = rows.setdefault((source, kind.name), [source, kind.name, 0, stamp, stamp])
            row[2] += 1
            row[3], row[4] = min(row[3], stamp), max(row[4], stamp)
    columns = list(S3_SOURCES)
    return s3_sources_frame(pd.DataFrame(list(rows.values()), columns=columns))


def _stored(root: Path, prefix: str) -> bool:
    """Whether any object's key starts with ``prefix`` (a folder it names, or a name it begins)."""
    folder, _, start = prefix.rpartition("/")
    top = root / folder if folder else root
    try:
        return top.is_dir() and any(e.name.startswith(start) for e in top.iterdir())
    except OSError:
        return True  # listing it fails as the read's policy says


def check_object(path: Path, key: str) -> None:
    """Read the object ``key`` (below its bucket) at ``path`` whole; raise if it is a bad file.

    An object in no AWS log layout is not checked (it is not read either). Malformed lines in a
    readable file do not fail the check: queries leave them out with a note.

    Examples
    --------
    >>> check_object(Path("/nonexistent/README"), "README")
    """
    kind = s3formats.recognise(key)
    if kind is not None:
        _decode(path, kind, key)


def _source_prefix(key: str) -> str:
    parts = key.split("/")
    for i in range(len(parts) - 1):
        if _date_parts(parts[i:-1]):
            return "/".join(parts[:i]) + "/" if i else ""
    return "/".join(parts[:-1]) + "/" if len(parts) > 1 else ""


# -- finding the objects ---------------------------------------------------------------------


def _keys(
    root: Path, prefix: str, start: dt.datetime | None, end: dt.datetime | None, reading: Reading
) -> Iterator[tuple[str, Path]]:
    """Yield ``(key, path)`` of the objects whose key starts with ``prefix``, in date range."""
    # List from the deepest folder the prefix names; the rest of it filters names.
    folder = prefix.rpartition("/")[0]
    top = root / folder if folder else root
    low = start - _MOST_AFTER if start is not None else None
    high = end + _MOST_BEFORE if end is not None else None

    def keep(path: Path) -> bool:
        key = path.relative_to(root).as_posix() + "/"
        if not (key.startswith(prefix) or prefix.startswith(key)):
            return False
        span = _date_span(key.rstrip("/").split("/"))
        if span is None:
            return True
        first, last = span
        return (high is None or first < high) and (low is None or last > low)

    if not top.is_dir():
        return
    for path in reading.files(top, keep):
        key = path.relative_to(root).as_posix()
        if key.startswith(prefix):
            yield key, path


def _date_parts(parts: list[str]) -> list[int] | None:
    """Return the numbers of ``YYYY[/MM[/DD[/HH[/mm]]]]`` if ``parts`` is exactly such a run.

    Hive-style folders (``year=2026/month=11``) count as their values.
    """
    widths = [4, 2, 2, 2, 2]
    parts = [p.partition("=")[2] if "=" in p else p for p in parts]
    if not parts or len(parts) > len(widths):
        return None
    if any(not p.isdigit() or len(p) != w for p, w in zip(parts, widths, strict=False)):
        return None
    return [int(p) for p in parts]


def _date_span(parts: list[str]) -> tuple[dt.datetime, dt.datetime] | None:
    """Return the time a folder's trailing date folders cover (``None``: not a date folder)."""
    for i in range(max(0, len(parts) - 5), len(parts)):
        numbers = _date_parts(parts[i:])
        if numbers is None:
            continue
        try:
            first = dt.datetime(*(numbers + [1, 1][: max(0, 3 - len(numbers))]), tzinfo=dt.UTC)  # type: ignore[misc]
        except ValueError:
            return None
        if len(numbers) == 1:
            return first, first.replace(year=first.year + 1)
        if len(numbers) == 2:
            return first, (first + dt.timedelta(days=32)).replace(day=1)
        step = {3: dt.timedelta(days=1), 4: dt.timedelta(hours=1), 5: dt.timedelta(minutes=1)}
        return first, first + step[len(numbers)]
    return None


def _may_hold(kind: S3Format, key: str, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    """Whether an object stamped ``T`` (events in ``[T - before, T + after)``) meets the range."""
    stamp = s3formats.stamp_of(kind, key)
    if end is not None and stamp - kind.before >= end:
        return False
    return start is None or stamp + kind.after > start


# -- decoding --------------------------------------------------------------------------------

Bad = list[tuple[int, str]]  # (line number, what is wrong)
_TOKEN = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^\s"])+')
_S3_TOKEN = re.compile(r'\[[^\]]*\]|"(?:[^"\\]|\\.)*"|\S+')


def parse_elb_line(line: str) -> list[str]:
    """Split a load balancer log line on blanks; a field in double quotes loses its quotes."""
    return [_unquote(t) for t in _TOKEN.findall(line)]


def parse_s3access_line(line: str) -> list[str]:
    """Split an S3 server access log line: blanks, ``"quoted"`` and ``[bracketed]`` fields."""
    out = []
    for token in _S3_TOKEN.findall(line):
        out.append(token[1:-1] if token.startswith("[") else _unquote(token))
    return out


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] == '"' and _TOKEN.fullmatch(token):
        inner = token[1:-1]
        if '"' not in inner.replace('\\"', ""):
            return inner.replace('\\"', '"').replace("\\\\", "\\")
    return token


def _text(path: Path) -> str:
    return _bytes(path).decode("utf-8")


def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if not data:
        raise Malformed("empty file (0 bytes): AWS never writes one")
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def _iso(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)  # NLB writes its times without a zone: UTC
    return moment.astimezone(dt.UTC)


def _epoch(value: str | float, scale: float = 1.0) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(value) / scale, tz=dt.UTC)


def _clf(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%d/%b/%Y:%H:%M:%S %z").astimezone(dt.UTC)


Row = tuple[dt.datetime, dict]
Rows = Iterator[tuple[int, Callable[[], Row]]]  # (line number, parse it: raises if malformed)


def _positional(
    names: list[str], required: int, when: Callable[[dict], dt.datetime], values: list[str]
) -> Row:
    if len(values) < required:
        raise ValueError(f"{len(values)} fields, at least {required} expected")
    record = dict(zip(names, values, strict=False))  # fields AWS added since: left out
    return when(record), record


def _elb_time(record: dict) -> dt.datetime:
    return _iso(record["time"])


def _elb_lines(names: list[str], required: int) -> Callable[[str, str], Rows]:
    def rows(text: str, _key: str) -> Rows:
        for number, line in _lines(text):
            values = parse_elb_line(line)
            yield number, partial(_positional, names, required, _elb_time, values)

    return rows


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield number, line


def _exact(names: list[str], values: list[str], what: str) -> dict:
    if len(values) != len(names):
        raise ValueError(f"{len(values)} {what}, the header names {len(names)}")
    return dict(zip(names, values, strict=True))


def _vpc_row(names: list[str], fallback: dt.datetime, values: list[str]) -> Row:
    record = _exact(names, values, "fields")
    start = record.get("start", "-")
    return (_epoch(start) if start != "-" else fallback), record


def _vpc_rows(text: str, key: str) -> Rows:
    """Read flow log records; files in S3 begin with a header naming the fields (custom too)."""
    names = list(s3formats.VPC_DEFAULT_FIELDS)
    fallback = s3formats.stamp_of(s3formats.by_name("vpcflow"), key)
    for number, line in _lines(text):
        values = line.split()
        if number == 1 and values and not values[0].isdigit() and values[0] != "-":
            names = values
            continue
        yield number, partial(_vpc_row, names, fallback, values)


def _cloudfront_row(names: list[str], values: list[str]) -> Row:
    record = _exact(names, values, "tab-separated fields")
    return _iso(f"{record['date']}T{record['time']}+00:00"), record


def _cloudfront_rows(text: str, _key: str) -> Rows:
    names = list(s3formats.CLOUDFRONT_FIELDS)
    for number, line in _lines(text):
        if line.startswith("#Fields:"):
            names = line[len("#Fields:") :].split()
        elif not line.startswith("#"):
            yield number, partial(_cloudfront_row, names, line.split("\t"))


def _s3access_time(record: dict) -> dt.datetime:
    return _clf(record["requestdatetime"])


def _s3access_rows(text: str, _key: str) -> Rows:
    names = list(s3formats.S3ACCESS_FIELDS)
    for number, line in _lines(text):
        values = parse_s3access_line(line)
        yield number, partial(_positional, names, 17, _s3access_time, values)


def _json_row(when: Callable[[dict, str], dt.datetime], key: str, text: str) -> Row:
    record = json.loads(text)
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    return when(record, key), record


def _json_rows(when: Callable[[dict, str], dt.datetime]) -> Callable[[str, str], Rows]:
    """Read JSON records one a line (WAF, API Gateway); Firehose may also join them on one."""
    decoder = json.JSONDecoder()

    def rows(text: str, key: str) -> Rows:
        for number, line in _lines(text):
            line, position = line.strip(), 0
            while position < len(line):
                try:
                    _, after = decoder.raw_decode(line, position)
                except ValueError:
                    after = len(line)  # the rest of the line is one malformed record
                yield number, partial(_json_row, when, key, line[position:after])
                position = after
                while position < len(line) and line[position].isspace():
                    position += 1

    return rows


def _apigateway_time(record: dict, key: str) -> dt.datetime:
    if "requestTimeEpoch" in record:
        return _epoch(record["requestTimeEpoch"], 1000.0)
    if "requestTime" in record:
        return _clf(str(record["requestTime"]))
    return s3formats.stamp_of(s3formats.by_name("apigateway"), key)


def _waf_time(record: dict, _key: str) -> dt.datetime:
    return _epoch(record["timestamp"], 1000.0)


def _trail_row(record: object) -> Row:
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    return _iso(record["eventTime"]), record


def _trail_rows(text: str, _key: str) -> Rows:
    """Read a trail log file: one JSON document with a ``Records`` array (else a bad file)."""
    document = json.loads(text)
    if not isinstance(document, dict) or not isinstance(document.get("Records"), list):
        raise Malformed("not a CloudTrail log file: no Records array")
    for number, record in enumerate(document["Records"], 1):
        yield number, partial(_trail_row, record)


_ROWS: dict[str, Callable[[str, str], Rows]] = {
    "alb": _elb_lines(s3formats.ALB_FIELDS, 13),
    "nlb": _elb_lines(s3formats.NLB_FIELDS, 11),
    "vpcflow": _vpc_rows,
    "cloudfront": _cloudfront_rows,
    "s3access": _s3access_rows,
    "waf": _json_rows(_waf_time),
    "cloudtrail": _trail_rows,
    "apigateway": _json_rows(_apigateway_time),
}  # fmt: skip


def _decode(path: Path, kind: S3Format, key: str) -> tuple[pa.Table, Bad]:
    """Return a file's records (``timestamp``, ``message`` JSON) and its malformed lines."""
    return _records(_text(path), kind, key)


def _records(text: str, kind: S3Format, key: str) -> tuple[pa.Table, Bad]:
    """Return the records of a file's text: column-wise where it can, else line by line."""
    if kind.name in _COLUMNAR:
        table = _elb_columnar(text, kind)
        if table is not None:
            return table, []
    return _decode_text(text, kind, key)


def _parsed(text: str, kind: S3Format, key: str) -> tuple[list[dt.datetime], list[dict], Bad]:
    """Return a file's records read line by line (times, fields) and its malformed lines."""
    stamps, records, bad = [], [], []
    for number, row in _ROWS[kind.name](text, key):
        try:
            stamp, record = row()
        except (ValueError, KeyError, TypeError, OverflowError) as error:
            what = f"no field {error}" if isinstance(error, KeyError) else str(error)
            bad.append((number, what))
            continue
        stamps.append(stamp)
        records.append(record)
    if bad and not stamps:
        raise Malformed(f"no well-formed {kind.title} line (line {bad[0][0]}: {bad[0][1]})")
    return stamps, records, bad


def _json(record: dict) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def _decode_text(text: str, kind: S3Format, key: str) -> tuple[pa.Table, Bad]:
    """Return the records of a file's text, line by line, and its malformed lines."""
    stamps, records, bad = _parsed(text, kind, key)
    table = pa.table(
        {
            "timestamp": pa.array(stamps, EVENT_SCHEMA.field("timestamp").type),
            "message": pa.array([_json(r) for r in records], pa.string()),
        }
    )
    return table, bad


#: Formats whose objects are decoded into columns (:mod:`._s3columns`) and kept as Parquet.
_COLUMNAR = {"alb", "nlb"}
_BAD = b"opsbook.malformed"  # Parquet metadata of a copy: the file's malformed lines (JSON)
_bad_lines: dict[Path, Bad] = {}  # per process: a copy's malformed lines, read once


def _field_records(data: bytes, kind: S3Format, key: str) -> tuple[pa.Table, Bad]:
    """Return a load balancer file's columns (column-wise, else line by line) and bad lines."""
    table, bad = _s3columns.field_table(data, kind), []
    if table is None:
        stamps, records, bad = _parsed(data.decode("utf-8"), kind, key)
        table = _s3columns.records_table(stamps, records, [_json(r) for r in records], kind)
    stream = pa.repeat(pa.scalar(key, pa.string()), table.num_rows)
    return table.set_column(2, "log_stream", stream), bad


def _fielded(
    path: Path, kind: S3Format, key: str, cache_dir: Path | None
) -> tuple[Path | pa.Table, Bad]:
    """Return a load balancer object's columns: its Parquet copy (decoded once), else a table.

    The copy is made by :func:`.columnar.cached_parquet` (kept while the object keeps its
    identity); a bad file raises and is never kept; its malformed lines go in the copy's
    metadata so every read notes them.
    """
    made: list[Bad] = []

    def decode(source: Path, target: Path) -> None:
        table, bad = _field_records(_bytes(source), kind, key)
        made.append(bad)
        pq.write_table(table.replace_schema_metadata({_BAD: json.dumps(bad).encode()}), target)

    copy = cached_parquet(path, decode, folder=cache_dir, kind=f"s3-{kind.name}-v1")
    if copy is None:
        return _field_records(_bytes(path), kind, key)
    if made:
        _bad_lines[copy] = made[0]
    elif copy not in _bad_lines:
        meta = pq.read_schema(copy).metadata or {}
        _bad_lines[copy] = [tuple(b) for b in json.loads(meta.get(_BAD, b"[]"))]  # type: ignore[misc]
    return copy, _bad_lines[copy]


def _fielded_events(
    copies: list[Path | pa.Table],
    kind: S3Format,
    start: dt.datetime | None,
    end: dt.datetime | None,
    source: str,
) -> pa.Table:
    """Return the events in range of a format's decoded objects, ``message`` built."""
    tables = [pq.read_table(c) if isinstance(c, Path) else c for c in copies]
    con = duckdb.connect()
    con.register("records", pa.concat_tables(tables))
    out = con.sql(
        f"SELECT timestamp, {_s3columns.message_sql(kind)} AS message, log_stream FROM records"
    ).to_arrow_table()
    moment = EVENT_SCHEMA.field("timestamp").type
    table = pa.table({"timestamp": out["timestamp"].cast(moment), "message": out["message"]})
    return _events(table, start, end, source, out["log_stream"].combine_chunks(), kind)


def _elb_columnar(text: str, kind: S3Format, lines: int | None = None) -> pa.Table | None:
    """Decode a load balancer log whose every line has exactly the documented fields, at C speed.

    Gives the records the line-by-line reader gives (the same JSON text, key order and time);
    ``None`` when any line differs from that shape (:func:`._s3columns.field_table`).
    """
    table = _s3columns.field_table(text, kind, lines)
    if table is None:
        return None
    con = duckdb.connect()
    con.register("records", table)
    out = con.sql(
        f"SELECT timestamp, {_s3columns.message_sql(kind)} AS message FROM records"
    ).to_arrow_table()
    moment = EVENT_SCHEMA.field("timestamp").type
    return pa.table(
        {
            "timestamp": out["timestamp"].cast(moment),
            "message": out["message"].cast(pa.string()),
        }
    )


def _events(
    table: pa.Table,
    start: dt.datetime | None,
    end: dt.datetime | None,
    source: str,
    key: str | pa.Array,
    kind: S3Format,
) -> pa.Table:
    if isinstance(key, str):
        key = pa.repeat(pa.scalar(key, pa.string()), table.num_rows)
    table = table.append_column("log_stream", key)
    keep = pa.repeat(pa.scalar(True), table.num_rows)
    moment = pa.timestamp("us", tz="UTC")
    if start is not None:
        keep = pc.and_(keep, pc.greater_equal(table["timestamp"], pa.scalar(start, moment)))
    if end is not None:
        keep = pc.and_(keep, pc.less(table["timestamp"], pa.scalar(end, moment)))
    table = table.filter(keep)
    rows = table.num_rows
    return pa.table(
        {
            "timestamp": table["timestamp"],
            "message": table["message"],
            "log_stream": table["log_stream"],
            "log_group": pa.repeat(pa.scalar(source, pa.string()), rows),
            "format": pa.repeat(pa.scalar(kind.name, pa.string()), rows),
        },
        schema=EVENT_SCHEMA,
    )
