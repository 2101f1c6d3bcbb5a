from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import re
import zlib
from collections import Counter, defaultdict
from pathlib import Path

import botocore.session
import pytest
from botocore.validate import ParamValidator
from opsbook.errors import ConfigurationError
from opsbook.sample import org
from opsbook.sample.cur.provisioned import LOG_GROUPS as RETIRED
from opsbook.sample.logs import (
    ACCESS_LOG_DELIVERY_STREAM,
    LOG_GROUP_SETUP,
    RETENTION_DAYS,
    STALE_HISTORY,
    STALE_LOG_GROUP,
    write_logs,
)
from opsbook.sample.traffic import CHECKOUT_TASKS, ORDERS_FUNCTION
from support.sample import pinned_facts

AS_OF = dt.date(2026, 11, 15)
STORY = org.timeline(AS_OF)
SEED = 7  # the pinned sample's
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (.*)$")
TASK = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
REPORT = re.compile(
    r"^REPORT RequestId: (?P<id>[0-9a-f-]{36})\tDuration: (?P<duration>\d+\.\d\d) ms\t"
    r"Billed Duration: (?P<billed>\d+) ms\tMemory Size: (?P<size>\d+) MB\t"
    r"Max Memory Used: (?P<used>\d+) MB\t(?:Init Duration: (?P<init>\d+\.\d\d) ms\t)?$"
)
FIREHOSE_OBJECT = re.compile(
    rf"^{ACCESS_LOG_DELIVERY_STREAM}/(\d{{4}})/(\d\d)/(\d\d)/(\d\d)/"
    rf"{ACCESS_LOG_DELIVERY_STREAM}-1-(\d{{4}})-(\d\d)-(\d\d)-(\d\d)-\d\d-\d\d-"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
RECORD_KEYS = {"messageType", "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents"}
ACCESS_KEYS = {
    "requestId",
    "ip",
    "caller",
    "user",
    "requestTime",
    "httpMethod",
    "resourcePath",
    "status",
    "protocol",
    "responseLength",
    "integrationLatency",
    "responseLatency",
}


def _ms(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


def _parse_ts(text: str) -> int:
    return _ms(dt.datetime.fromisoformat(text))


def _read_export(root: Path) -> dict[str, dict[str, list[tuple[int, str]]]]:
    """Return {log group: {log stream: [(epoch ms, message), ...]}} from the export layout."""
    groups: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    base = root / "logs" / "export"
    for path in sorted(base.rglob("*.gz")):
        parts = path.relative_to(base).parts
        task = next(i for i, part in enumerate(parts) if TASK.match(part))
        group, stream = "/" + "/".join(parts[:task]), "/".join(parts[task + 1 : -1])
        for line in gzip.decompress(path.read_bytes()).decode().splitlines():
            match = LINE.match(line)
            assert match, line
            groups[group][stream].append((_parse_ts(match[1]), match[2]))
    return groups


def _read_firehose(root: Path) -> list[dict]:
    records = []
    base = root / "logs" / "firehose"
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        data = path.read_bytes()
        while data:
            inflater = zlib.decompressobj(wbits=31)
            records.append(json.loads(inflater.decompress(data)))
            data = inflater.unused_data
    return records


@pytest.fixture(scope="module")
def written(sample_dir: Path) -> tuple[Path, dict]:
    """The session's pinned sample and its logs facts: its ``logs`` part is what ``write_logs``
    writes for this story and seed at scale 1 (each part is written on its own), so it is checked
    as generated, without a second copy."""
    return sample_dir, pinned_facts(sample_dir, AS_OF, SEED, {"logs"})["logs"]


@pytest.fixture(scope="module")
def export(written: tuple[Path, dict]) -> dict[str, dict[str, list[tuple[int, str]]]]:
    return _read_export(written[0])


@pytest.fixture(scope="module")
def firehose(written: tuple[Path, dict]) -> list[dict]:
    return _read_firehose(written[0])


def test_facts_are_json_and_volume_is_in_range(written: tuple[Path, dict]) -> None:
    _, facts = written
    json.dumps(facts)
    assert 200_000 <= facts["events"] <= 400_000
    assert set(facts["log_groups"]) == {
        org.CHECKOUT.log_group,
        org.CATALOG.log_group,
        org.ORDERS.log_group,
        org.API_ACCESS_LOG_GROUP,
    }
    assert facts["log_groups"][org.API_ACCESS_LOG_GROUP]["format"] == "firehose-subscription"
    assert facts["log_groups"][org.ORDERS.log_group]["sampled_fraction"] == 1.0
    assert "sampl" in facts["sampling"]


def test_export_layout_and_lines(written: tuple[Path, dict], export: dict) -> None:
    root, facts = written
    assert set(export) == {org.CHECKOUT.log_group, org.CATALOG.log_group, org.ORDERS.log_group}
    for group, streams in export.items():
        assert len(streams) >= 3, group
        task = facts["log_groups"][group]["export_task_id"]
        assert (root / "logs" / "export" / group.lstrip("/") / task).is_dir()
        assert (
            sum(len(events) for events in streams.values()) == facts["log_groups"][group]["events"]
        )
        for stream, events in streams.items():
            if group == org.CHECKOUT.log_group:
                assert re.fullmatch(r"ecs/checkout-api/[0-9a-f]{32}", stream)
            else:
                # the published version the live alias invoked, not $LATEST
                assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\d+\][0-9a-f]{32}", stream)
            stamps = [ts for ts, _ in events]
            assert stamps == sorted(stamps), stream
            assert _ms(STORY.logs_start) <= stamps[0] and stamps[-1] < _ms(STORY.end)


#: Export objects of at most this many bytes of text in :func:`small` (AWS's are 2 MiB).
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The logs at scale 0.1 with export objects of :data:`CHUNK` bytes, and their facts.

    ECS task sets roll with every deployment, so at scale 1 no stream reaches 2 MiB of text: the
    splitting is checked with smaller objects (how many events are written does not change).
    """
    root = tmp_path_factory.mktemp("small")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("opsbook.sample.logs.s3._EXPORT_CHUNK_BYTES", CHUNK)
        return root, write_logs(root, STORY, scale=0.1, seed=SEED)


def test_large_streams_are_split_into_numbered_objects(
    written: tuple[Path, dict], small: tuple[Path, dict]
) -> None:
    root, _ = written
    files = sorted((root / "logs" / "export").rglob("*.gz"))
    assert all(re.fullmatch(r"\d{6}\.gz", f.name) for f in files)
    files = sorted((small[0] / "logs" / "export").rglob("*.gz"))
    second = [f for f in files if f.name == "000001.gz"]
    assert second, "no stream was split"
    for path in second:
        assert (path.parent / "000000.gz").exists()
        assert CHUNK / 2 < len(gzip.decompress((path.parent / "000000.gz").read_bytes())) <= CHUNK


def test_firehose_objects_hold_subscription_records(
    written: tuple[Path, dict], firehose: list
) -> None:
    root, facts = written
    base = root / "logs" / "firehose"
    for path in (p for p in base.rglob("*") if p.is_file()):
        match = FIREHOSE_OBJECT.match(path.relative_to(base).as_posix())
        assert match, path
        assert match.groups()[:4] == match.groups()[4:]  # folder hour = object name hour
    control = [r for r in firehose if r["messageType"] == "CONTROL_MESSAGE"]
    data = [r for r in firehose if r["messageType"] == "DATA_MESSAGE"]
    assert len(control) == 1 and len(control) + len(data) == len(firehose)
    assert "CWL CONTROL MESSAGE" in control[0]["logEvents"][0]["message"]
    events = 0
    for record in data:
        assert set(record) == RECORD_KEYS
        assert record["owner"] == org.SHOP_PROD.id
        assert record["logGroup"] == org.API_ACCESS_LOG_GROUP
        assert re.fullmatch(r"[0-9a-f]{32}", record["logStream"])
        assert len(record["subscriptionFilters"]) == 1
        stamps = [e["timestamp"] for e in record["logEvents"]]
        assert stamps == sorted(stamps)
        for event in record["logEvents"]:
            assert set(event) == {"id", "timestamp", "message"}
            assert re.fullmatch(r"\d{56}", event["id"])
            assert _ms(STORY.logs_start) <= event["timestamp"] < _ms(STORY.end)
        events += len(record["logEvents"])
    assert events == facts["log_groups"][org.API_ACCESS_LOG_GROUP]["events"]
    ids = [e["id"] for r in data for e in r["logEvents"]]
    assert len(set(ids)) == len(ids)


def test_access_log_messages_use_the_context_format(firehose: list) -> None:
    messages = [json.loads(e["message"]) for r in firehose[1:200] for e in r["logEvents"]]
    paths = set()
    for message in messages:
        assert set(message) == ACCESS_KEYS
        assert isinstance(message["status"], str) and re.fullmatch(r"[1-5]\d\d", message["status"])
        assert re.fullmatch(
            r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000", message["requestTime"]
        )
        paths.add(message["resourcePath"])
    assert "/checkout" in paths and "/products/{id}" in paths


def test_lambda_report_lines_parse(export: dict) -> None:
    for group, size in ((org.CATALOG.log_group, 512), (org.ORDERS.log_group, 1024)):
        starts, ends, reports, cold = set(), set(), [], 0
        for events in export[group].values():
            for _, message in events:
                if message.startswith("START RequestId: "):
                    assert re.fullmatch(r"START RequestId: \S+ Version: \d+", message)
                    starts.add(message.split()[2])
                elif message.startswith("END RequestId: "):
                    ends.add(message.split()[2])
                elif message.startswith("REPORT "):
                    match = REPORT.match(message)
                    assert match, message
                    reports.append(match)
                    cold += match["init"] is not None
        assert len(reports) == len(starts) == len(ends) > 1000
        assert {m["id"] for m in reports} == starts == ends
        assert cold >= 3
        for match in reports:
            assert int(match["billed"]) == math.ceil(float(match["duration"]))
            assert int(match["size"]) == size
            assert int(match["used"]) <= size


def test_lambda_app_lines_carry_timestamp_and_request_id(export: dict) -> None:
    python = re.compile(r"^\[(INFO|WARNING|ERROR)\]\t(\S+Z)\t([0-9a-f-]{36})\t")
    for group in (org.CATALOG.log_group, org.ORDERS.log_group):
        seen = 0
        for events in export[group].values():
            for ts, message in events:
                match = python.match(message)
                if match:
                    assert _parse_ts(match[2]) == ts
                    seen += 1
        assert seen > 10_000, group


def test_orders_worker_out_of_memory_and_timeouts(export: dict, written: tuple[Path, dict]) -> None:
    reports = {}
    oom, timeouts, days = set(), set(), Counter()
    for events in export[org.ORDERS.log_group].values():
        for ts, message in events:
            if message.startswith("REPORT "):
                match = REPORT.match(message)
                reports[match["id"]] = match
            elif "Error: Runtime exited with error: signal: killed Runtime.ExitError" in message:
                oom.add(message.split()[1])
                days[ts // 86_400_000] += 1
            elif f"Task timed out after {ORDERS_FUNCTION.timeout_s:.2f} seconds" in message:
                timeouts.add(message.split()[1])
    assert len(days) == org.LOG_DAYS  # a few out-of-memory crashes every day
    assert 7 <= len(timeouts) and 7 <= len(oom)
    for request in oom:
        assert reports[request]["used"] == reports[request]["size"] == "1024"
    for request in timeouts:
        assert float(reports[request]["duration"]) >= ORDERS_FUNCTION.timeout_s * 1000
    facts = written[1]["log_groups"][org.ORDERS.log_group]
    assert (facts["out_of_memory"], facts["timeouts"]) == (len(oom), len(timeouts))


def test_checkout_json_logs_are_nested_and_have_error_templates(export: dict) -> None:
    records = [
        (ts, json.loads(message))
        for events in export[org.CHECKOUT.log_group].values()
        for ts, message in events
    ]
    completed = [r for _, r in records if r["msg"] == "request completed"]
    assert len(completed) > 30_000
    sample = completed[0]
    assert {"level", "logger", "msg", "http", "latency_ms", "request_id", "customer"} <= set(sample)
    assert {"method", "path", "status"} <= set(sample["http"])
    assert isinstance(sample["http"]["status"], int)
    assert {"tier", "country"} == set(sample["customer"])
    assert any("order" in r and isinstance(r["order"]["amount"], float) for r in completed)
    assert {r["level"] for _, r in records} >= {"INFO", "WARN", "ERROR"}

    start, end = _ms(STORY.errors_start), _ms(STORY.errors_end)
    errors = [
        r["msg"] for ts, r in records if start <= ts < end and r["msg"] != "request completed"
    ]
    shapes = Counter(re.sub(r"ord-\d+|\b[0-9a-f]{8}\b|\d+", "<n>", m) for m in errors)
    assert len([s for s, n in shapes.items() if n >= 5]) >= 3, shapes
    assert any("KeyError 'shipping_zone'" in m for m in errors)
    assert any(
        m.startswith("connection pool exhausted (50/50 in use) for order ord-") for m in errors
    )
    assert any("upstream timeout calling payments-gateway after 3000 ms" == m for m in errors)

    boots = [(ts, r["msg"]) for ts, r in records if r["msg"].startswith("starting checkout-api")]
    bad = [ts for ts, msg in boots if msg.endswith("checkout-api:43")]
    rollback = [
        ts for ts, msg in boots if msg.endswith("checkout-api:42") and ts >= _ms(STORY.deploy_at)
    ]
    assert len(bad) == len(rollback) == CHECKOUT_TASKS
    assert all(0 <= ts - _ms(STORY.deploy_at) < 60_000 for ts in bad)
    assert all(0 <= ts - _ms(STORY.rollback_at) < 60_000 for ts in rollback)
    # routine deployments in the window start task sets of their own revisions
    revisions = {msg.rsplit(":", 1)[1] for _, msg in boots}
    assert {"40", "41", "42", "43"} <= revisions


def test_lambda_streams_follow_the_published_versions(export: dict) -> None:
    burn = _ms(STORY.slow_burn_start)
    for group in (org.CATALOG.log_group, org.ORDERS.log_group):
        for stream, events in export[group].items():
            version = re.search(r"\[(\d+)\]", stream)[1]
            started = [m for _, m in events if m.startswith("START ")]
            assert started and all(m.endswith(f" Version: {version}") for m in started), stream
    catalog = {  # stream version -> first and last START
        stream: [ts for ts, m in events if m.startswith("START ")]
        for stream, events in export[org.CATALOG.log_group].items()
    }
    new = [ts for stream, t in catalog.items() if "[58]" in stream for ts in t]
    old = [ts for stream, t in catalog.items() if "[58]" not in stream for ts in t]
    assert min(new) >= burn > max(old)  # the alias flip moves every invocation at once
    orders = {re.search(r"\[(\d+)\]", s)[1] for s in export[org.ORDERS.log_group]}
    assert {"33", "34"} <= orders  # canary deployments within the window


def _share_5xx(statuses: list[int]) -> float:
    return sum(s >= 500 for s in statuses) / max(len(statuses), 1)


def test_incident_shows_in_checkout_and_access_logs(export: dict, firehose: list) -> None:
    start, end = _ms(STORY.errors_start), _ms(STORY.errors_end)
    base_start, base_end = start - 86_400_000, _ms(STORY.deploy_at)
    inside, before = [], []
    for events in export[org.CHECKOUT.log_group].values():
        for ts, message in events:
            record = json.loads(message)
            if record["msg"] == "request completed":
                if start <= ts < end:
                    inside.append(record["http"]["status"])
                elif base_start <= ts < base_end:
                    before.append(record["http"]["status"])
    assert _share_5xx(inside) > 0.2
    assert _share_5xx(inside) > 50 * _share_5xx(before)

    access_in, access_before = [], []
    for record in firehose[1:]:
        for event in record["logEvents"]:
            status = int(json.loads(event["message"])["status"])
            if start <= event["timestamp"] < end:
                access_in.append(status)
            elif base_start <= event["timestamp"] < base_end:
                access_before.append(status)
    assert _share_5xx(access_in) > 8 * _share_5xx(access_before)


def test_catalog_errors_rise_after_the_slow_burn_starts(export: dict) -> None:
    burn = _ms(STORY.slow_burn_start)
    counts = Counter()
    for events in export[org.CATALOG.log_group].values():
        for ts, message in events:
            if message.startswith("START "):
                counts["calls", ts >= burn] += 1
            elif message.startswith("[ERROR]\t"):
                counts["errors", ts >= burn] += 1
    before = counts["errors", False] / counts["calls", False]
    after = counts["errors", True] / counts["calls", True]
    assert after > 3 * before


def test_reader_of_the_local_backend_reads_every_event(written: tuple[Path, dict]) -> None:
    from opsbook.backends.local.logfiles import read_events

    root, facts = written
    table = read_events(root)
    assert table.num_rows == facts["events"]


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    def tree(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    write_logs(tmp_path / "a", STORY, scale=0.05, seed=3)
    write_logs(tmp_path / "b", STORY, scale=0.05, seed=3)
    write_logs(tmp_path / "c", STORY, scale=0.05, seed=4)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "a") != tree(tmp_path / "c")


def test_scale_multiplies_volume(tmp_path: Path, small: tuple[Path, dict]) -> None:
    small_facts = small[1]
    json.dumps(small_facts)  # JSON-serialisable
    small = small_facts["events"]
    large = write_logs(tmp_path / "large", STORY, scale=0.2, seed=SEED)["events"]
    assert 1.7 < large / small < 2.3


@pytest.mark.parametrize("scale", [0, -1.0, float("nan"), "big"])
def test_bad_scale_raises(tmp_path: Path, scale: object) -> None:
    with pytest.raises(ConfigurationError, match="scale"):
        write_logs(tmp_path, STORY, scale=scale)  # type: ignore[arg-type]
    assert not (tmp_path / "logs").exists()


def _described(root: Path) -> dict[str, dict]:
    saved = json.loads((root / "logs" / "describe-log-groups.json").read_text())
    return {g["logGroupName"]: g for g in saved["logGroups"]}


def test_describe_log_groups_matches_botocore_output_shape(written: tuple[Path, dict]) -> None:
    saved = json.loads((written[0] / "logs" / "describe-log-groups.json").read_text())
    model = botocore.session.get_session().get_service_model("logs")
    shape = model.operation_model("DescribeLogGroups").output_shape
    report = ParamValidator().validate(saved, shape)
    assert not report.has_errors(), report.generate_report()
    names = [g["logGroupName"] for g in saved["logGroups"]]
    assert names == sorted(names)  # the API lists groups by name
    for group in saved["logGroups"]:
        assert group["arn"] == group["logGroupArn"] + ":*"
        assert group["logGroupArn"].endswith(
            f":{org.SHOP_PROD.id}:log-group:{group['logGroupName']}"
        )
        assert group["creationTime"] < _ms(STORY.logs_start)


def test_described_groups_are_the_written_ones_and_a_stale_one(
    written: tuple[Path, dict], export: dict, firehose: list
) -> None:
    root, facts = written
    groups = _described(root)
    # ... and the retired group the savings opportunities price (opsbook.sample.cur.provisioned)
    assert set(groups) == set(facts["log_groups"]) | {STALE_LOG_GROUP} | set(RETIRED)
    assert set(groups) == set(LOG_GROUP_SETUP) | {STALE_LOG_GROUP} | set(RETIRED)
    # Retention only where a policy is set; the others (and the stale group) never expire.
    assert {n: g["retentionInDays"] for n, g in groups.items() if "retentionInDays" in g} == (
        RETENTION_DAYS
    )
    assert facts["describe_log_groups"]["no_retention"] == sorted(set(groups) - set(RETENTION_DAYS))
    # storedBytes of a written group: the UTF-8 bytes of the messages the sample wrote for it.
    written_bytes = Counter()
    for group, streams in export.items():
        written_bytes[group] += sum(
            len(m.encode()) for events in streams.values() for _, m in events
        )
    for record in firehose:
        if record["messageType"] == "DATA_MESSAGE":
            written_bytes[record["logGroup"]] += sum(
                len(e["message"].encode()) for e in record["logEvents"]
            )
    assert {
        n: g["storedBytes"] for n, g in groups.items() if n not in {STALE_LOG_GROUP, *RETIRED}
    } == dict(written_bytes)
    # The stale group: no event in the sample's files; its bytes are its modelled history.
    assert STALE_LOG_GROUP not in export
    assert all(r["logGroup"] != STALE_LOG_GROUP for r in firehose)
    history = STALE_HISTORY
    ran = history["created"] - history["stopped"]
    assert (
        groups[STALE_LOG_GROUP]["storedBytes"]
        == ran * history["runs_per_day"] * history["run_bytes"]
    )
    stopped = STORY.end - dt.timedelta(days=history["stopped"])
    assert groups[STALE_LOG_GROUP]["creationTime"] < _ms(stopped) < _ms(STORY.logs_start)


def test_retention_agrees_with_cloudtrail(sample_dir: Path) -> None:
    from opsbook.changes import read_changes
    from opsbook.settings import resolve

    settings = resolve(backend="local", data_dir=str(sample_dir))
    changes = read_changes("2026-08-17", "2026-11-15", event_names=["PutRetentionPolicy",
                           "DeleteRetentionPolicy"], settings=settings)  # fmt: skip
    set_by_trail = {}
    for change in changes.itertuples():  # oldest first: the newest wins
        request = json.loads(change.request_parameters)
        set_by_trail[request["logGroupName"]] = request.get("retentionInDays")
    assert set_by_trail  # the sample records at least one retention change
    groups = _described(sample_dir)
    for name, days in set_by_trail.items():
        assert groups[name].get("retentionInDays") == days
