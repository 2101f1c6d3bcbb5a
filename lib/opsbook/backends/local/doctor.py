"""``opsbook doctor`` on the local backend: the data folder, each source, and every file in it.

Each source is read the way the notebooks read it (the CUR's billing periods, the log groups,
the metric namespaces, alarms, CloudTrail and Health, the traces and the canary runs), with
unreadable files always an error
whatever ``skip_unreadable`` says, so a PASS means the notebooks will find data and no hole in
it. Then every data file is checked cheaply (Parquet footers, gzip streams and their first
record, JSON documents; the S3 log archives under ``s3/`` are read whole): the ``files`` check
names each one that cannot be read and what is wrong.
A check never crashes: any failure is a FAIL naming what failed.

Examples
--------
>>> from opsbook.settings import resolve
>>> [c.status for c in checks(resolve(data_dir="/nonexistent"))][:2]
['FAIL', 'SKIPPED']
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePosixPath

import pandas as pd
import pyarrow.parquet as pq

from opsbook.backends import layout
from opsbook.backends.checks import FAIL, PASS, SKIPPED, Check, attempt
from opsbook.backends.contract import Doctor, contract_functions
from opsbook.backends.local import connect, s3logs
from opsbook.backends.local._metric_records import check_file
from opsbook.backends.local._reading import Malformed, Reading
from opsbook.errors import OpsbookError
from opsbook.settings import Settings

__all__ = contract_functions(Doctor)

_SOURCES = ("CUR", "logs", "metrics", "incident data", "traces", "canaries", "files")


def checks(settings: Settings) -> list[Check]:
    """Return the data folder check, one check per source, then the check of every file."""
    from opsbook import queries
    from opsbook.backends.local import alarms, changes, cur, health, logs, metrics

    folder = Path(settings.data_dir)
    settings = settings.replace(skip_unreadable=False)  # a skipped file is a hole: FAIL
    generate = "run `opsbook sample generate`, or set data_dir to a copy of your S3 exports"
    if not folder.is_dir():
        found = Check("data dir", FAIL, f"{folder} does not exist", generate)
        return [found] + [Check(n, SKIPPED, "no data folder") for n in _SOURCES]

    def periods() -> str:
        found = cur.run_cur_query(queries.load("cur/billing_periods"), {}, settings)
        return f"{len(found)} billing periods, latest {found.billing_period.max()}"

    def groups() -> str:
        found = logs.describe_log_groups(settings)
        return f"{len(found)} log groups, {int(found.events.sum()):,} events"

    def namespaces() -> str:
        found = metrics.describe_namespaces(settings)
        _null_records(folder / layout.METRICS)
        return f"{len(found)} namespaces: {', '.join(found.namespace)}"

    def incident() -> str:
        always = (pd.Timestamp("1970-01-01", tz="UTC"), pd.Timestamp("2200-01-01", tz="UTC"))
        readers: dict[str, Callable[[], object]] = {
            layout.DESCRIBE_ALARMS: lambda: alarms.describe_alarms(settings, None, None),
            layout.ALARM_HISTORY: lambda: alarms.read_alarm_history(settings, *always, None, None),
            layout.CLOUDTRAIL: lambda: changes.read_changes(settings, *always, None),
            layout.HEALTH: lambda: health.read_health_events(settings, *always),
        }
        problems = []
        for where, read in readers.items():
            if not (folder / where).exists():
                problems.append(f"missing {where} under {folder}")
                continue
            try:
                read()
            except OpsbookError as error:  # every source is read, each problem named
                problems.append(str(error))
        if problems:
            raise OpsbookError("; ".join(problems))
        return "alarms, alarm history, CloudTrail and Health files read"

    return [
        Check("data dir", PASS, str(folder)),
        attempt("CUR", periods, "export CUR 2.0 (Parquet) under data_dir/cur/<export>/data/"),
        attempt("logs", groups, "copy CloudWatch Logs exports under data_dir/logs/"),
        attempt("metrics", namespaces, "copy Metric Streams output under data_dir/metrics/"),
        attempt("incident data", incident, "write DescribeAlarms etc. output as the sample does"),
        attempt(
            "traces",
            lambda: _traces(settings),
            "save BatchGetTraces output under data_dir/"
            f"{layout.TRACES}/batch-get-traces/ or export the {layout.SPANS_GROUP} log group, "
            "as the sample does; repair or remove the files named",
        ),
        attempt(
            "canaries",
            lambda: _canaries(folder),
            f"save DescribeCanaries and GetCanaryRuns "
            f"output under data_dir/{layout.CANARIES}/ as the sample does; repair or remove "
            "the files named",
        ),
        attempt("files", lambda: _every_file(folder), "repair or remove the files named"),
    ]


def _every_file(folder: Path) -> str:
    """Check every data file cheaply; raise naming each one that cannot be read."""
    reading = Reading(skip=True)
    checked = 0
    for source in (layout.CUR, layout.LOGS, layout.METRICS, layout.CLOUDTRAIL, layout.ALARMS,
                   layout.HEALTH, layout.S3_BUCKETS):  # fmt: skip
        for path in reading.files(folder / source):
            check = _checker(PurePosixPath(path.relative_to(folder).as_posix()))
            if check is not None:
                checked += 1
                reading.read(path, check)
    _name_unreadable(reading)
    return f"{checked:,} data files readable"


def _name_unreadable(reading: Reading) -> None:
    """Raise naming the files ``reading`` skipped (the first five), if any."""
    if reading.skipped:
        shown = "; ".join(f"{s['file']}: {s['problem']}" for s in reading.skipped[:5])
        more = len(reading.skipped) - 5
        raise OpsbookError(
            f"{len(reading.skipped)} unreadable file(s) or folder(s): {shown}"
            + (f"; and {more} more" if more > 0 else "")
        )


def _answer(path: Path, key: str, api: str) -> list:
    """Return the ``key`` list of a saved API answer; Malformed if the file is not one."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(saved, dict) or not isinstance(saved.get(key), list):
        raise Malformed(f"not a {api} answer (no {key} list)")
    if not all(isinstance(item, dict) for item in saved[key]):
        raise Malformed(f"not a {api} answer ({key} holds a non-object)")
    return saved[key]


def _traces(settings: Settings) -> str:
    """Read every saved BatchGetTraces file, else every span of the exported aws/spans group."""
    from opsbook.backends.local import logs
    from opsbook.backends.tracing import span_rows
    from opsbook.backends.xray_answers import SPANS_QUERY

    folder = Path(settings.data_dir)
    if (folder / layout.TRACES).is_dir():
        reading = Reading(skip=True)
        files = reading.files(folder / layout.TRACES)
        counts = [
            reading.read(p, partial(_answer, key="Traces", api="BatchGetTraces")) for p in files
        ]
        _name_unreadable(reading)
        if not files:
            raise OpsbookError(f"no BatchGetTraces files under {folder / layout.TRACES}")
        return (
            f"{sum(len(c or []) for c in counts):,} traces in {len(files):,} BatchGetTraces files"
        )
    if not (folder / layout.export_task(layout.SPANS_GROUP, "")).is_dir():
        raise OpsbookError(
            f"no {layout.TRACES}/ folder and no {layout.SPANS_GROUP} log group under {folder}"
        )
    always = (pd.Timestamp("1970-01-01", tz="UTC"), pd.Timestamp("2200-01-01", tz="UTC"))
    found = logs.query(settings, SPANS_QUERY, [f"/{layout.SPANS_GROUP}"],
                       *(m.to_pydatetime() for m in always))  # fmt: skip
    try:
        rows, _ = span_rows(json.loads(m) for m in found["@message"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise OpsbookError(
            f"a span in the {layout.SPANS_GROUP} log group is not OpenTelemetry span JSON "
            f"({type(error).__name__}: {error})"
        ) from None
    traces = len({r["trace_id"] for r in rows})
    return f"{len(rows):,} spans of {traces:,} traces in the {layout.SPANS_GROUP} log group"


def _canaries(folder: Path) -> str:
    """Read DescribeCanaries and every saved GetCanaryRuns file."""
    reading = Reading(skip=True)
    described = folder / layout.DESCRIBE_CANARIES
    if not described.exists():
        raise OpsbookError(f"missing {layout.DESCRIBE_CANARIES} under {folder}")
    canaries = reading.read(described, partial(_answer, key="Canaries", api="DescribeCanaries"))
    files = reading.files(folder / layout.CANARY_RUNS)
    runs = [reading.read(p, partial(_answer, key="CanaryRuns", api="GetCanaryRuns")) for p in files]
    _name_unreadable(reading)
    return (f"{len(canaries or []):,} canaries, {sum(len(r or []) for r in runs):,} runs in "
            f"{len(files):,} GetCanaryRuns files")  # fmt: skip


def _checker(relative: PurePosixPath) -> Callable[[Path], None] | None:
    """Return the cheap check for a data file by its place and name (``None``: not data)."""
    if relative.parts[0] == layout.S3_BUCKETS and len(relative.parts) > 2:
        return partial(s3logs.check_object, key="/".join(relative.parts[2:]))
    for test, check in _CHECKS:
        if test(relative.name.lower(), relative.as_posix()):
            return check
    return None


def _parquet(path: Path) -> None:
    pq.read_metadata(path)


def _json_object(path: Path) -> None:
    if not isinstance(json.loads(path.read_text(encoding="utf-8")), dict):
        raise Malformed("not a JSON object as the API returns")


def _trail(path: Path) -> None:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        saved = json.load(handle)
    if not isinstance(saved, dict) or not isinstance(saved.get("Records"), list):
        raise Malformed("not a CloudTrail log file (Records is not a list of events)")


def _gzip_records(path: Path) -> None:
    """Inflate every gzip member (their CRCs checked) and parse the first record as JSON."""
    data = path.read_bytes()
    if data[:2] != b"\x1f\x8b":
        raise Malformed("not gzip (no gzip header)")
    first = b""
    while data:
        inflater = zlib.decompressobj(wbits=31)
        text = inflater.decompress(data)
        if not inflater.eof:
            raise EOFError
        first = first or text
        data = inflater.unused_data
    line = first.split(b"\n", 1)[0]
    record = json.loads(line)
    if not isinstance(record, dict):
        raise Malformed("first record is not a JSON object")


def _null_records(root: Path) -> None:
    """Name the Metric Streams files with a record DuckDB read as NULL (a malformed value)."""
    streams = [str(p) for p in Reading().files(root) if not p.name.endswith(".parquet")]
    if not streams:
        return
    con = connect()
    try:
        rows = con.execute(
            "SELECT DISTINCT filename FROM read_json($files, format='newline_delimited', "
            "compression='gzip', filename=true, columns=$columns) WHERE namespace IS NULL "
            "OR metric_name IS NULL OR timestamp IS NULL OR value IS NULL ORDER BY 1 LIMIT 5",
            {"files": streams, "columns": _STREAM_COLUMNS},
        ).fetchall()
    finally:
        con.close()
    reading = Reading(skip=True)
    for (path,) in rows:
        reading.read(Path(path), check_file)
    if reading.skipped:
        raise OpsbookError(
            "malformed Metric Streams records: "
            + "; ".join(f"{s['file']}: {s['problem']}" for s in reading.skipped)
        )


_STREAM_COLUMNS = {
    "namespace": "VARCHAR",
    "metric_name": "VARCHAR",
    "timestamp": "BIGINT",
    "value": "MAP(VARCHAR, DOUBLE)",
}


def _gzip_lines(path: Path) -> None:
    """Inflate an export file whole (``<timestamp> <message>`` lines), its CRC checked."""
    with gzip.open(path, "rb") as handle:
        while handle.read(1 << 20):
            pass


# Which check a file gets, by its name and its path in the data folder (first match wins).
_CHECKS: tuple[tuple[Callable[[str, str], bool], Callable[[Path], None]], ...] = (
    (lambda name, where: name.endswith(".parquet"), _parquet),
    (lambda name, where: where.startswith(f"{layout.CLOUDTRAIL}/"), _trail),
    (lambda name, where: name.endswith(".json"), _json_object),
    (lambda name, where: where.startswith(f"{layout.METRICS}/"), _gzip_records),
    (lambda name, where: where.startswith(f"{layout.LOG_EXPORTS}/"), _gzip_lines),
    (lambda name, where: where.startswith(f"{layout.LOG_FIREHOSE}/"), _gzip_records),
)
