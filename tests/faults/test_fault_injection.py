"""Fault injection: corrupted copies of the pinned sample, read by every local reader and doctor.

Each case copies a few folders of one source of the sample into ``tmp_path`` (every file a link
to the sample's, except the one the fault replaces, so a case costs no copy; a few hours of a
stream, not all of them, so a case reads tens of files, not hundreds), breaks one file or folder,
and reads the source three ways:

* strict (the default): an :class:`~opsbook.errors.UnreadableFileError` naming the bad path and
  what is wrong, never a raw exception;
* ``skip_unreadable = true``: a result whose ``attrs["skipped"]`` names the path, also in the
  process's :mod:`opsbook.queries.skips` (what reaches ``summary.json``), so a total that moved
  always says why;
* ``opsbook doctor``: no crash, and a FAIL naming the path.

Permission faults: the tests may run as root, whom ``chmod 000`` does not stop. Then an unreadable
file is simulated by making the reader's open raise ``PermissionError`` (the same code path a
denied open takes), and an unreadable folder by making ``os.scandir`` raise it for that folder.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from opsbook import athena
from opsbook.backends.checks import FAIL
from opsbook.backends.local import alarms, changes, doctor, health, logfiles, logs, metrics
from opsbook.backends.local._reading import Reading
from opsbook.errors import OpsbookError, UnreadableFileError
from opsbook.queries import skips
from opsbook.settings import Settings, resolve

ROOT_USER = os.geteuid() == 0
ALWAYS = (pd.Timestamp("1970-01-01", tz="UTC"), pd.Timestamp("2200-01-01", tz="UTC"))


# -- what each source is, how it is read, and which file a fault hits ---------------------------


@dataclass(frozen=True)
class Source:
    folders: tuple[str, ...]  # globs (relative to the data folder): what of the sample a case needs
    victim: str  # glob (relative to the data folder) of the file a fault replaces
    read: Callable[[Settings], pd.DataFrame]


def _cur(settings: Settings) -> pd.DataFrame:
    return athena.describe_cur(settings=settings)


def _logs(settings: Settings) -> pd.DataFrame:
    logfiles.clear_cache()
    return logs.describe_log_groups(settings)


def _log_query(settings: Settings) -> pd.DataFrame:
    return logs.query(settings, "stats count(*) as n", [], *ALWAYS)


# Each source links only a few folders around its victim: five streams of one log group, the
# victim's hour and the three before it (so a denied hour or stream folder leaves files to read),
# two days of CloudTrail, one hour of a load balancer's logs. Every reader and doctor meet the
# fault in tens of files, not the sample's thousand.
_CHECKOUT_API = "logs/export/ecs/checkout-api/*/ecs/checkout-api/0*"  # five of its streams
SOURCES = {
    "cur": Source(("cur",), "cur/*/data/BILLING_PERIOD=2026-10/*.parquet", _cur),
    "logs-export": Source((_CHECKOUT_API,), "logs/export/ecs/checkout-api/*/*/*/*/*.gz", _logs),
    "logs-query": Source((_CHECKOUT_API,), "logs/export/ecs/checkout-api/*/*/*/*/*.gz", _log_query),
    "firehose": Source(
        ("logs/firehose/*/2026/11/11/2?",), "logs/firehose/*/2026/11/11/23/*", _logs
    ),
    "metrics": Source(
        ("metrics/northpeak-ops-stream/2026/11/03/2?",),
        "metrics/*/2026/11/03/23/*.gz",
        metrics.describe_namespaces,
    ),
    "cloudtrail": Source(
        ("cloudtrail/AWSLogs/*/CloudTrail/us-east-1/*/*/0[12]",),
        "cloudtrail/AWSLogs/*/CloudTrail/us-east-1/*/*/*/*.json.gz",
        lambda s: changes.read_changes(s, *ALWAYS, None),
    ),
    "alarms": Source(
        ("alarms",), "alarms/describe-alarms.json", lambda s: alarms.describe_alarms(s, None, None)
    ),
    "alarm-history": Source(
        ("alarms",),
        "alarms/alarm-history.json",
        lambda s: alarms.read_alarm_history(s, *ALWAYS, None, None),
    ),
    "health": Source(
        ("health",), "health/describe-events.json", lambda s: health.read_health_events(s, *ALWAYS)
    ),
    "s3logs": Source(
        ("s3/*/AWSLogs/*/elasticloadbalancing/*/*/*/*/*_2026111?T13??Z_*",),
        "s3/*/AWSLogs/*/elasticloadbalancing/*/*/*/*/*.log.gz",
        lambda s: logs.query(s, "stats count(*) as n", ["s3://northpeak-shop-prod-logs/"], *ALWAYS),
    ),
}


# -- faults: each breaks the victim (or its folder) and returns the path the error must name ----


def _gzip_json(records: list) -> bytes:
    return gzip.compress("\n".join(json.dumps(r) for r in records).encode())


def truncated(path: Path) -> Path:
    data = path.read_bytes()
    _replace(path, data[: len(data) // 2])
    return path


def garbage(path: Path) -> Path:
    _replace(path, b"this is not what AWS writes \x00\xff" * 40)
    return path


def empty(path: Path) -> Path:
    _replace(path, b"")
    return path


def symlink_loop(path: Path) -> Path:
    path.unlink()
    path.symlink_to(path.name)  # a link to itself
    return path


def folder_loop(path: Path) -> Path:
    (path.parent / "again").symlink_to("..", target_is_directory=True)
    return path.parent / "again"


def missing_cost_column(path: Path) -> Path:
    # (the file's first rows: what is wrong is its schema; the period's 8 MB need not be rewritten)
    first = next(pq.ParquetFile(path).iter_batches(batch_size=1000))
    table = pa.Table.from_batches([first]).drop_columns(["line_item_unblended_cost"])
    path.unlink()
    pq.write_table(table, path)
    return path


def no_rows(path: Path) -> Path:
    table = pq.read_schema(path).empty_table()
    path.unlink()
    pq.write_table(table, path)
    return path.parent


def empty_period(path: Path) -> Path:
    for file in path.parent.iterdir():
        file.unlink()
    return path.parent


def export_line_without_time(path: Path) -> Path:
    _replace(path, gzip.compress(b"2026-11-14T00:00:00.000Z fine\nno time on this line\n"))
    return path


def _firehose(record: dict) -> Callable[[Path], Path]:
    def fault(path: Path) -> Path:
        good = {"messageType": "DATA_MESSAGE", "logGroup": "/g", "logStream": "s",
                "logEvents": [{"id": "1", "timestamp": 1_789_000_000_000, "message": "m"}]}  # fmt: skip
        _replace(path, gzip.compress(json.dumps(good).encode()) + gzip.compress(
            json.dumps({**good, **record}).encode()))  # fmt: skip
        return path

    return fault


def _metric_line(line: str) -> Callable[[Path], Path]:
    def fault(path: Path) -> Path:
        good = gzip.decompress(path.read_bytes()).decode().splitlines()[0]
        _replace(path, gzip.compress(f"{good}\n{line}\n".encode()))
        return path

    return fault


def _trail(document: object) -> Callable[[Path], Path]:
    def fault(path: Path) -> Path:
        _replace(path, gzip.compress(json.dumps(document).encode()))
        return path

    return fault


def _json(document: object) -> Callable[[Path], Path]:
    def fault(path: Path) -> Path:
        _replace(path, json.dumps(document).encode())
        return path

    return fault


def _replace(path: Path, data: bytes) -> None:
    path.unlink()  # a link to the sample: never write through it
    path.write_bytes(data)


UNREADABLE_FILE, UNREADABLE_FOLDER = "unreadable-file", "unreadable-folder"
FILE_FAULTS: dict[str, Callable[[Path], Path] | str] = {
    "truncated": truncated,
    "garbage": garbage,
    "empty": empty,
    "symlink-loop": symlink_loop,
    UNREADABLE_FILE: UNREADABLE_FILE,
    UNREADABLE_FOLDER: UNREADABLE_FOLDER,
}
RECORD_FAULTS: dict[str, dict[str, Callable[[Path], Path]]] = {
    "cur": {
        "wrong-schema-missing-cost": missing_cost_column,
        "period-without-rows": no_rows,
        "empty-period-folder": empty_period,
        "folder-symlink-loop": folder_loop,
    },
    "logs-export": {"line-without-time": export_line_without_time},
    "logs-query": {"folder-symlink-loop": folder_loop},
    "firehose": {
        "record-missing-logGroup": _firehose({"logGroup": None}),
        "record-without-logEvents": _firehose({"logEvents": None}),
        "logEvents-not-a-list": _firehose({"logEvents": "oops"}),
        "event-timestamp-text": _firehose(
            {"logEvents": [{"id": "1", "timestamp": "noon", "message": "m"}]}
        ),
        "event-message-number": _firehose(
            {"logEvents": [{"id": "1", "timestamp": 1_789_000_000_000, "message": 7}]}
        ),
    },
    "metrics": {
        "json-line-broken": _metric_line('{"namespace": "AWS/Lambda", "metric_na'),
        "value-not-a-map": _metric_line(
            '{"namespace": "AWS/Lambda", "metric_name": "Errors", "dimensions": {}, '
            '"timestamp": 1789000000000, "value": "many"}'
        ),
        "timestamp-text": _metric_line(
            '{"namespace": "AWS/Lambda", "metric_name": "Errors", "dimensions": {}, '
            '"timestamp": "noon", "value": {"sum": 1}}'
        ),
    },
    "cloudtrail": {
        "records-not-a-list": _trail({"Records": {"eventName": "RunInstances"}}),
        "not-an-object": _trail([1, 2]),
        "record-without-eventName": _trail(
            {"Records": [{"eventTime": "2026-11-14T00:00:00Z", "readOnly": False}]}
        ),
    },
    "alarms": {"a-list-not-an-object": _json([1, 2])},
    "alarm-history": {"item-without-Timestamp": _json({"AlarmHistoryItems": [{"AlarmName": "a"}]})},
    "health": {"no-events-key": _json({"evnts": []})},
    "s3logs": {
        "no-well-formed-line": lambda path: _replace(path, gzip.compress(b"http x\n")) or path,
        "folder-symlink-loop": folder_loop,
    },
}
# Known gaps, each asserted to still fail (strict xfail) so a fix is noticed.
KNOWN_GAPS = {
    ("metrics", "value-not-a-map"): (
        "DuckDB's JSON reader reads a non-map value as NULL without failing, so the query path "
        "never checks the file; doctor reads every record and names it"
    ),
}
SAVED_API_OUTPUT = {"alarms", "alarm-history", "health"}  # one file by name: no folder listed
CASES = [
    pytest.param(source, name, id=f"{source}-{name}")
    for source in SOURCES
    for name in [*FILE_FAULTS, *RECORD_FAULTS.get(source, {})]
    if not (source in SAVED_API_OUTPUT and name == UNREADABLE_FOLDER)
]


#: Doctor reads every file of the data folder, seconds a case: one fault of each kind per source.
DOCTOR_CASES = [
    case
    for case in CASES
    if case.values[1] in ("garbage", "truncated", *RECORD_FAULTS.get(case.values[0], {}))
]


# -- building a broken copy ---------------------------------------------------------------------


def _link_copy(sample: Path, target: Path, folders: tuple[str, ...]) -> None:
    """Mirror the sample's folders (and files) matching ``folders`` (globs) as real folders of
    links to its files (no data copied)."""
    matched = [found for pattern in folders for found in sorted(sample.glob(pattern))]
    assert matched, f"nothing of the sample matches {folders}"
    for top in matched:
        walked = os.walk(top) if top.is_dir() else [(str(top.parent), [], [top.name])]
        for folder, _, files in walked:
            here = target / Path(folder).relative_to(sample)
            here.mkdir(parents=True, exist_ok=True)
            for file in files:
                (here / file).symlink_to(Path(folder, file))


def _break(
    sample: Path, tmp_path: Path, source: str, fault: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """Return the broken data folder and the path (file or folder) the failure must name."""
    spec = SOURCES[source]
    data = tmp_path / "data"
    _link_copy(sample, data, spec.folders)
    victim = sorted(data.glob(spec.victim))[0]
    (victim.parent / "copy").write_bytes(victim.read_bytes())  # a real file, not a link
    (victim.parent / "copy").replace(victim)
    action = {**FILE_FAULTS, **RECORD_FAULTS.get(source, {})}[fault]
    if action == UNREADABLE_FILE:
        _deny_file(victim, monkeypatch, source)
        return data, victim
    if action == UNREADABLE_FOLDER:
        _deny_folder(victim.parent, monkeypatch)
        return data, victim.parent
    assert callable(action)
    return data, action(victim)


def _deny_file(path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    if not ROOT_USER:
        path.chmod(0)
        return
    if source == "metrics":
        pytest.skip("as root a chmod 000 file reads, and DuckDB opens metrics files itself")
    # Root reads any file: the open the reader does raises what a denied open raises.
    read = Reading.read

    def denied(self: Reading, file: Path, reader: Callable) -> object:
        if Path(file) == path:
            return read(self, file, _raise(PermissionError(errno.EACCES, "Permission denied")))
        return read(self, file, reader)

    monkeypatch.setattr(Reading, "read", denied)


def _deny_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not ROOT_USER:
        folder.chmod(0)
        monkeypatch.setattr(os, "geteuid", os.geteuid)  # undo below: pytest removes tmp folders
        return
    scandir = os.scandir

    def denied(top: object = ".") -> object:
        if os.fspath(top) == str(folder):
            raise PermissionError(errno.EACCES, "Permission denied", str(folder))
        return scandir(top)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", denied)


def _raise(error: Exception) -> Callable[[Path], object]:
    def reader(_: Path) -> object:
        raise error

    return reader


@pytest.fixture(autouse=True)
def _restore_permissions(tmp_path: Path):
    yield
    for folder, folders, files in os.walk(tmp_path):
        for name in folders + files:
            path = Path(folder, name)
            if not path.is_symlink():
                path.chmod(0o755)


# -- the cases ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "fault"), CASES)
def test_a_bad_file_is_an_error_naming_it(
    sample_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    source: str,
    fault: str,
) -> None:
    if (source, fault) in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[source, fault], strict=True))
    data, bad = _break(sample_dir, tmp_path, source, fault, monkeypatch)
    settings = resolve(data_dir=str(data), cache_dir="off")
    with pytest.raises(UnreadableFileError) as raised:
        SOURCES[source].read(settings)
    assert isinstance(raised.value, OpsbookError)
    assert raised.value.path == str(bad), str(raised.value)
    assert str(bad) in str(raised.value) and raised.value.problem


@pytest.mark.parametrize(("source", "fault"), CASES)
def test_with_skip_unreadable_the_result_names_what_it_skipped(
    sample_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    source: str,
    fault: str,
) -> None:
    if (source, fault) in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[source, fault], strict=True))
    data, bad = _break(sample_dir, tmp_path, source, fault, monkeypatch)
    settings = resolve(data_dir=str(data), cache_dir="off", skip_unreadable=True)
    skips.reset()
    frame = SOURCES[source].read(settings)
    skipped = frame.attrs.get("skipped", [])
    assert str(bad) in [s["file"] for s in skipped], skipped
    assert all(s["problem"] for s in skipped)
    assert str(bad) in [s["file"] for s in skips.skipped()], "reaches summary.json"


@pytest.mark.parametrize(("source", "fault"), DOCTOR_CASES)
def test_doctor_fails_naming_the_file_and_never_crashes(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, fault: str
) -> None:
    data, bad = _break(sample_dir, tmp_path, source, fault, monkeypatch)
    found = doctor.checks(resolve(data_dir=str(data), cache_dir="off", skip_unreadable=True))
    failed = [c for c in found if c.status == FAIL and str(bad) in c.detail]
    assert failed, [(c.name, c.status, c.detail[:200]) for c in found]


def test_the_cur_total_moves_only_with_a_note(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = athena.describe_cur(settings=resolve(data_dir=str(sample_dir), cache_dir="off"))
    data, bad = _break(sample_dir, tmp_path, "cur", "wrong-schema-missing-cost", monkeypatch)
    broken = athena.describe_cur(
        settings=resolve(data_dir=str(data), cache_dir="off", skip_unreadable=True)
    )
    assert "2026-10" not in set(broken.billing_period), "a month is missing, never $0"
    assert (broken.unblended_cost > 0).all()
    assert broken.unblended_cost.sum() < clean.unblended_cost.sum()
    assert broken.attrs["skipped"] == [
        {"file": str(bad), "problem": "wrong schema: missing column line_item_unblended_cost"}
    ]


def test_skipped_inputs_reach_the_notebook_records(monkeypatch: pytest.MonkeyPatch) -> None:
    from opsbook.runner import _record

    shown: dict = {}
    monkeypatch.setattr(_record, "record", lambda **values: shown.update(values))
    skips.reset()
    skips.note("cur/x.parquet", "truncated")
    _record.record_costs()
    assert shown["inputs_skipped"] == [{"file": "cur/x.parquet", "problem": "truncated"}]
    skips.reset()
