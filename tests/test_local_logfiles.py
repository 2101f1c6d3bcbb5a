from __future__ import annotations

import gzip
import json
from pathlib import Path

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
