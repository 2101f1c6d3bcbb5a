from __future__ import annotations

import gzip
import json
from pathlib import Path

from opsbook.backends.local import _eventcache
from opsbook.backends.local.logfiles import EVENT_SCHEMA, read_events

TASK = "cda45419-90ea-4db5-9833-aade86253e66"


def _export(root: Path, group: str, stream: str, lines: list[str]) -> None:
    folder = root / "logs" / "export" / group.lstrip("/") / TASK / stream
    folder.mkdir(parents=True)
    with gzip.open(folder / "000000.gz", "wt") as out:
        out.write("".join(f"{line}\n" for line in lines))


def _firehose(root: Path, records: list[dict]) -> None:
    folder = root / "logs" / "firehose" / "logs-to-s3" / "2026" / "11" / "14" / "14"
    folder.mkdir(parents=True)
    # Each record is its own gzip member, concatenated, as Firehose writes them to S3.
    (folder / "logs-to-s3-1-2026-11-14-14-00-00-abc").write_bytes(
        b"".join(gzip.compress(json.dumps(r).encode()) for r in records)
    )


def test_export_files_split_group_and_stream_at_the_task_id(tmp_path: Path) -> None:
    _export(
        tmp_path,
        "/aws/lambda/orders-worker",
        "2026/11/14/[$LATEST]0123456789abcdef0123456789abcdef",
        [
            "2026-11-14T14:02:03.123Z START RequestId: 1 Version: $LATEST",
            "2026-11-14T14:02:03.500Z a message with  two spaces and a tab\there",
        ],
    )
    table = read_events(tmp_path)
    assert table.schema == EVENT_SCHEMA
    rows = table.to_pylist()
    assert {r["log_group"] for r in rows} == {"/aws/lambda/orders-worker"}
    assert rows[0]["log_stream"] == "2026/11/14/[$LATEST]0123456789abcdef0123456789abcdef"
    assert rows[1]["message"] == "a message with  two spaces and a tab\there"
    assert rows[0]["timestamp"].isoformat() == "2026-11-14T14:02:03.123000+00:00"


def test_firehose_objects_are_read_member_by_member_and_control_messages_skipped(
    tmp_path: Path,
) -> None:
    data = {
        "messageType": "DATA_MESSAGE",
        "owner": "334455667788",
        "logGroup": "/aws/apigateway/shop-public-api/access",
        "logStream": "a1b2",
        "subscriptionFilters": ["to-firehose"],
        "logEvents": [
            {"id": "1", "timestamp": 1763128923000, "message": '{"status":"502"}'},
            {"id": "2", "timestamp": 1763128924000, "message": '{"status":"200"}'},
        ],
    }
    control = {
        "messageType": "CONTROL_MESSAGE",
        "owner": "CloudwatchLogs",
        "logGroup": "",
        "logStream": "",
        "subscriptionFilters": [],
        "logEvents": [{"id": "", "timestamp": 1763128900000, "message": "CWL CONTROL MESSAGE"}],
    }
    _firehose(tmp_path, [control, data, data])
    rows = read_events(tmp_path).to_pylist()
    assert len(rows) == 4
    assert {r["format"] for r in rows} == {"firehose"}
    assert rows[0]["message"] == '{"status":"502"}'


def test_no_logs_folder_gives_an_empty_table(tmp_path: Path) -> None:
    assert read_events(tmp_path).num_rows == 0


# -- scan_sources: every format, pruning, corrupt files ----------------------------------------

import datetime as dt  # noqa: E402

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import pytest  # noqa: E402
from opsbook.backends.local import logs as local_logs  # noqa: E402
from opsbook.backends.local._reading import Reading  # noqa: E402
from opsbook.backends.local.logfiles import scan_sources  # noqa: E402
from opsbook.errors import UnreadableFileError  # noqa: E402
from opsbook.settings import resolve  # noqa: E402

DAY = dt.datetime(2026, 11, 14, tzinfo=dt.UTC)


def _run(query: str, sources: list[Path], groups: list[str] | None = None) -> list[dict]:
    frame = local_logs.query(
        resolve(), query, groups or [], DAY - dt.timedelta(days=2), DAY + dt.timedelta(days=1),
        limit=100, sources=sources,
    )  # fmt: skip
    return [{c["field"]: c["value"] for c in row if c["field"] != "@ptr"}
            for row in frame.attrs["results"]]  # fmt: skip


def test_filter_log_events_json_lines_and_document(tmp_path: Path) -> None:
    base = int(DAY.timestamp() * 1000)
    lines = [
        {"logStreamName": "a", "timestamp": base, "message": "one", "ingestionTime": base + 7, "logGroupName": "/g"},
        {"logStream": "b", "timestamp": base + 1000, "message": "two", "logGroup": "/g"},
    ]  # fmt: skip
    (tmp_path / "events.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    (tmp_path / "page.json").write_text(
        json.dumps({"events": [{**lines[0], "message": "three", "timestamp": base + 2000}]})
    )
    rows = _run("fields @message, @logStream, @ingestionTime | sort @timestamp asc", [tmp_path])
    assert rows == [
        {"@message": "one", "@logStream": "a", "@ingestionTime": "2026-11-14 00:00:00.007"},
        {"@message": "two", "@logStream": "b", "@ingestionTime": "2026-11-14 00:00:01.000"},
        {"@message": "three", "@logStream": "a", "@ingestionTime": "2026-11-14 00:00:00.007"},
    ]


def test_pulled_parquet_is_read_with_group_selection(tmp_path: Path) -> None:
    table = pa.table(
        {
            "timestamp": pa.array(
                [DAY, DAY + dt.timedelta(seconds=1)], pa.timestamp("ms", tz="UTC")
            ),
            "message": ['{"x": 1}', '{"x": 2}'],
            "log_stream": ["s", "s"],
            "log_group": ["/a", "/b"],
        }
    )
    pq.write_table(table, tmp_path / "pulled.parquet")
    assert _run("stats sum(x) as s", [tmp_path / "pulled.parquet"], ["/b"]) == [{"s": "2"}]
    assert _run("stats sum(x) as s", [tmp_path]) == [{"s": "3"}]


def test_parquet_bytes_scanned_is_estimated_from_the_metadata(tmp_path: Path) -> None:
    messages = [json.dumps({"n": i, "pad": "x" * (i % 50)}) for i in range(5000)]
    stamps = [DAY + dt.timedelta(seconds=i) for i in range(5000)]
    table = pa.table(
        {
            "timestamp": pa.array(stamps, pa.timestamp("ms", tz="UTC")),
            "message": messages,
            "log_stream": ["s"] * 5000,
            "log_group": ["/a"] * 5000,
        }
    )
    pq.write_table(table, tmp_path / "pulled.parquet", compression="zstd")
    end = DAY + dt.timedelta(seconds=1000)  # the first 1000 events: [DAY, end)
    result = local_logs.query(resolve(), "fields n", [], DAY, end, limit=10, sources=[tmp_path])
    assert result.attrs["statistics"]["recordsScanned"] == 1000
    exact = sum(len(m) for m in messages) / 5000 * 1000
    assert result.attrs["statistics"]["bytesScanned"] == pytest.approx(exact, rel=0.15)


def test_corrupt_gzip_is_an_error_naming_it_or_with_skip_unreadable_a_note(tmp_path: Path) -> None:
    _export(tmp_path, "/g", "s", ["2026-11-14T00:00:00.000Z kept"])
    broken = tmp_path / "logs" / "export" / "g" / TASK / "s" / "000001.gz"
    broken.write_bytes(gzip.compress(b"2026-11-14T00:00:01.000Z lost\n")[:15])
    with pytest.raises(UnreadableFileError, match="000001.gz: truncated"):
        scan_sources([tmp_path / "logs"])
    found = scan_sources([tmp_path / "logs"], reading=Reading(skip=True))
    assert found.gzip_events.column("message").to_pylist() == ["kept"]
    assert len(found.problems) == 1 and "000001.gz" in found.problems[0]
    result = local_logs.query(resolve(skip_unreadable=True), "fields @message", [], DAY,
                              DAY + dt.timedelta(hours=1), limit=10, sources=[tmp_path / "logs"])  # fmt: skip
    assert any("000001.gz" in note for note in result.attrs["notes"])
    assert [s["file"] for s in result.attrs["skipped"]] == [str(broken)]


def test_time_pruning_skips_files_that_cannot_hold_the_window(tmp_path: Path) -> None:
    _export(tmp_path, "/aws/lambda/f", "2026/11/20/[1]abc", ["2026-11-20T00:00:00.000Z later"])
    _export(tmp_path, "/aws/lambda/f", "2026/11/14/[1]abc", ["2026-11-14T00:00:00.000Z today"])
    record = {"messageType": "DATA_MESSAGE", "logGroup": "/api", "logStream": "x",
              "logEvents": [{"id": "1", "timestamp": int(DAY.timestamp() * 1000) + 50_000_000, "message": "m"}]}  # fmt: skip
    _firehose(tmp_path, [record])  # delivered 2026-11-14 14h
    early = scan_sources(
        [tmp_path / "logs"], start=DAY - dt.timedelta(days=1), end=DAY + dt.timedelta(hours=14)
    )
    assert early.gzip_events.column("message").to_pylist() == ["today", "m"]
    late = scan_sources(
        [tmp_path / "logs"], start=DAY + dt.timedelta(days=1), end=DAY + dt.timedelta(days=9)
    )
    assert late.gzip_events.column("message").to_pylist() == ["later"]
    assert late.groups == {"/aws/lambda/f"}  # the Firehose object was never opened


# -- decoding: the once-per-process cache, Arrow fast paths and their fallbacks ------------------

import functools  # noqa: E402

from opsbook.backends.local import logfiles  # noqa: E402


def _counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Path]:
    """Count the calls of a decoder (the cache is keyed on its name, so it keeps working)."""
    logfiles.clear_cache()
    calls: list[Path] = []
    decode = getattr(logfiles, name)

    @functools.wraps(decode)
    def counted(path: Path) -> object:
        calls.append(path)
        return decode(path)

    monkeypatch.setattr(logfiles, name, counted)
    return calls


def test_unchanged_files_are_decoded_once_and_changed_ones_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting(monkeypatch, "_decode_export")
    _export(tmp_path, "/g", "s", ["2026-11-14T00:00:00.000Z first"])
    window = {"start": DAY, "end": DAY + dt.timedelta(hours=1)}
    assert scan_sources([tmp_path / "logs"], **window).gzip_events["message"].to_pylist() == [
        "first"
    ]
    assert read_events(tmp_path)["message"].to_pylist() == ["first"]
    assert len(calls) == 1
    path = next((tmp_path / "logs").rglob("000000.gz"))
    path.write_bytes(gzip.compress(b"2026-11-14T00:00:01.000Z second, longer\n"))
    assert scan_sources([tmp_path / "logs"], **window).gzip_events["message"].to_pylist() == [
        "second, longer"
    ]
    assert len(calls) == 2


def test_the_cache_stays_under_its_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logfiles.clear_cache()
    for n in range(6):
        _export(tmp_path, f"/g{n}", "s", [f"2026-11-14T00:00:0{n}.000Z {'x' * 4000}"])
    monkeypatch.setattr(_eventcache, "CACHE_BYTES", 10_000)
    assert read_events(tmp_path).num_rows == 6
    assert 0 < _eventcache._HELD[0] <= 10_000 and len(_eventcache._CACHE) < 6
    assert read_events(tmp_path).num_rows == 6  # evicted files are read again


def test_firehose_records_arrow_cannot_take_are_read_as_before(tmp_path: Path) -> None:
    event = {"id": "1", "timestamp": int(DAY.timestamp() * 1000) + 50_523_001, "message": "m"}
    base = {"messageType": "DATA_MESSAGE", "logGroup": "/api", "logStream": "s"}
    members = [
        json.dumps({**base, "logEvents": [event]}, indent=1),  # newlines: not one JSON line
        json.dumps({**base, "logStream": "t", "logEvents": [{**event, "message": None}]}),
        json.dumps({**base, "logGroup": "/quiet", "logEvents": []}),  # a group, no event
    ]
    folder = tmp_path / "logs" / "firehose" / "d" / "2026" / "11" / "14" / "14"
    folder.mkdir(parents=True)
    (folder / "object").write_bytes(b"".join(gzip.compress(m.encode()) for m in members))
    rows = read_events(tmp_path).to_pylist()
    assert [(r["log_stream"], r["message"]) for r in rows] == [("s", "m"), ("t", None)]
    assert rows[0]["timestamp"].isoformat() == "2026-11-14T14:02:03.001000+00:00"
    found = scan_sources([tmp_path / "logs"])
    assert found.groups == {"/api", "/quiet"} and found.gzip_events.num_rows == 2
    assert logfiles.list_groups(tmp_path) == ["/api"]  # as describe_log_groups: groups with events


def test_firehose_objects_read_in_one_batch_match_one_by_one(tmp_path: Path) -> None:
    records = []
    for hour in ("13", "14"):
        for n in range(3):
            record = {"messageType": "DATA_MESSAGE", "logGroup": f"/g{n % 2}", "logStream": hour,
                      "logEvents": [{"id": str(i), "timestamp": int(DAY.timestamp() * 1000) + i, "message": f"{hour}-{n}-{i}"}
                                    for i in range(n + 1)]}  # fmt: skip
            records.append(record)
            folder = tmp_path / "logs" / "firehose" / "d" / "2026" / "11" / "14" / hour
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"object-{n}").write_bytes(gzip.compress(json.dumps(record).encode()))
    logfiles.clear_cache()
    batched = read_events(tmp_path).to_pylist()
    logfiles.clear_cache()
    single = [logfiles._decode_firehose(p) for p in sorted((tmp_path / "logs").rglob("object-*"))]
    alone = pa.concat_tables([logfiles._firehose_table(d.events) for d in single]).to_pylist()
    expected = [(r["logGroup"], e["message"]) for r in records for e in r["logEvents"]]
    assert [(r["log_group"], r["message"]) for r in batched] == expected
    assert batched == alone


def test_export_lines_keep_what_text_mode_gave(tmp_path: Path) -> None:
    folder = tmp_path / "logs" / "export" / "g" / TASK / "s"
    folder.mkdir(parents=True)
    text = "2026-11-14T16:02:03.123456+02:00 windows line\r\n\n   \n2026-11-14T14:02:04Z  two\n"
    (folder / "000000.gz").write_bytes(gzip.compress(text.encode()))
    rows = read_events(tmp_path).to_pylist()
    assert [r["message"] for r in rows] == ["windows line", " two"]
    assert rows[0]["timestamp"].isoformat() == "2026-11-14T14:02:03.123000+00:00"
    assert logfiles.list_groups(tmp_path) == ["/g"]


def test_list_groups_skips_export_files_without_a_line(tmp_path: Path) -> None:
    _export(tmp_path, "/blank", "s", ["", "  "])
    _export(tmp_path, "/aws/lambda/f", "2026/11/14/[1]abc", ["2026-11-14T00:00:00.000Z hi"])
    assert logfiles.list_groups(tmp_path) == ["/aws/lambda/f"]
    assert sorted(set(read_events(tmp_path)["log_group"].to_pylist())) == ["/aws/lambda/f"]
