"""Tests for the incident context of the sample data: alarms, CloudTrail, AWS Health."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator
from opsbook.sample.incident import (
    BURN_ALARM,
    CATALOG_FUNCTION,
    CHECKOUT_5XX_ALARM,
    FLAPPING_ALARM,
    write_incident_context,
)
from opsbook.sample.org import SHOP_PROD, Timeline, timeline
from support.sample import pinned_facts

AS_OF = dt.date(2026, 11, 15)
FILE_NAME = re.compile(
    r"^(?P<account>\d{12})_CloudTrail_(?P<region>[a-z]{2}-[a-z]+-\d)_"
    r"(?P<stamp>\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$"
)
RECORD_KEYS = {
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "requestParameters",
    "responseElements",
    "requestID",
    "eventID",
    "readOnly",
    "eventType",
    "managementEvent",
    "recipientAccountId",
    "eventCategory",
}


@pytest.fixture(scope="module")
def story() -> Timeline:
    return timeline(AS_OF)


@pytest.fixture(scope="module")
def generated(sample_dir: Path) -> tuple[Path, dict]:
    """The session's pinned sample and its incident facts: its ``incident`` part is what
    ``write_incident_context`` writes for this story and seed 7 (each part is written on its
    own), so it is checked as generated, without a second copy."""
    return sample_dir, pinned_facts(sample_dir, AS_OF, 7, {"incident"})["incident"]


def _load(root: Path, relative: str) -> Any:
    return json.loads((root / relative).read_text(encoding="utf-8"))


def _time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _records(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for path in sorted((root / "cloudtrail").rglob("*.json.gz")):
        for record in json.loads(gzip.decompress(path.read_bytes()))["Records"]:
            out.append((path, record))
    return out


def _check_shape(value: Any, shape: Any, path: str = "$") -> None:
    """Every key written must be a member of botocore's output shape, with a matching type."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), path
        for key, item in value.items():
            assert key in shape.members, f"{path}.{key} is not a member of {shape.name}"
            _check_shape(item, shape.members[key], f"{path}.{key}")
    elif kind == "list":
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            _check_shape(item, shape.member, f"{path}[{i}]")
    elif kind == "map":
        assert isinstance(value, dict), path
        for key, item in value.items():
            _check_shape(key, shape.key, f"{path}<key>")
            _check_shape(item, shape.value, f"{path}.{key}")
    elif kind == "string":
        assert isinstance(value, str), path
        if shape.enum:
            assert value in shape.enum, f"{path}={value!r} not in {shape.enum}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), path
    elif kind in ("double", "float"):
        assert isinstance(value, int | float) and not isinstance(value, bool), path
    elif kind == "boolean":
        assert isinstance(value, bool), path
    elif kind == "timestamp":
        # the CLI prints datetimes as ISO-8601 with the UTC offset
        assert isinstance(value, str), path
        assert _time(value).utcoffset() == dt.timedelta(0), path
    else:
        raise AssertionError(f"unexpected shape type {kind} at {path}")


def _assert_output_shape(payload: dict, service: str, operation: str) -> None:
    model = botocore.session.get_session().get_service_model(service)
    shape = model.operation_model(operation).output_shape
    _check_shape(payload, shape)
    report = ParamValidator().validate(payload, shape)
    assert not report.has_errors(), report.generate_report()


def _alarm_spans(history: list[dict], name: str) -> list[tuple[dt.datetime, dt.datetime | None]]:
    updates = [
        h for h in history if h["AlarmName"] == name and h["HistoryItemType"] == "StateUpdate"
    ]
    spans: list[tuple[dt.datetime, dt.datetime | None]] = []
    start = None
    for item in sorted(updates, key=lambda h: _time(h["Timestamp"])):
        data = json.loads(item["HistoryData"])
        if data["newState"]["stateValue"] == "ALARM":
            start = _time(item["Timestamp"])
        elif data["oldState"]["stateValue"] == "ALARM" and start is not None:
            spans.append((start, _time(item["Timestamp"])))
            start = None
    if start is not None:
        spans.append((start, None))
    return spans


def test_files_load(generated: tuple[Path, dict]) -> None:
    root, facts = generated
    assert set(_load(root, "alarms/describe-alarms.json")) == {"MetricAlarms", "CompositeAlarms"}
    assert "AlarmHistoryItems" in _load(root, "alarms/alarm-history.json")
    assert "events" in _load(root, "health/describe-events.json")
    assert "successfulSet" in _load(root, "health/describe-event-details.json")
    assert "entities" in _load(root, "health/describe-affected-entities.json")
    assert _records(root)
    json.dumps(facts)  # the README generator serialises the facts


def test_alarm_json_matches_botocore_output_shapes(generated: tuple[Path, dict]) -> None:
    root, _ = generated
    alarms = _load(root, "alarms/describe-alarms.json")
    history = _load(root, "alarms/alarm-history.json")
    _assert_output_shape(alarms, "cloudwatch", "DescribeAlarms")
    _assert_output_shape(history, "cloudwatch", "DescribeAlarmHistory")
    assert 8 <= len(alarms["MetricAlarms"]) <= 12
    for alarm in alarms["MetricAlarms"]:
        json.loads(alarm["StateReasonData"])
        assert ("Metrics" in alarm) != ("MetricName" in alarm), alarm["AlarmName"]
    for item in history["AlarmHistoryItems"]:
        data = json.loads(item["HistoryData"])
        if item["HistoryItemType"] == "StateUpdate":
            assert item["HistorySummary"] == (
                f"Alarm updated from {data['oldState']['stateValue']} "
                f"to {data['newState']['stateValue']}"
            )


def test_alarm_kinds(generated: tuple[Path, dict]) -> None:
    root, _ = generated
    alarms = {a["AlarmName"]: a for a in _load(root, "alarms/describe-alarms.json")["MetricAlarms"]}
    expressions = [q.get("Expression") for a in alarms.values() for q in a.get("Metrics", [])]
    assert "m1/m2*100" in expressions
    assert any(a.get("ExtendedStatistic") == "p99" for a in alarms.values())
    metrics = {(a.get("Namespace"), a.get("MetricName")) for a in alarms.values()}
    assert {
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
        ("AWS/ApplicationELB", "TargetResponseTime"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/RDS", "CPUUtilization"),
        ("AWS/ECS", "CPUUtilization"),
    } <= metrics


def test_health_json_matches_botocore_output_shapes(generated: tuple[Path, dict]) -> None:
    root, _ = generated
    _assert_output_shape(_load(root, "health/describe-events.json"), "health", "DescribeEvents")
    _assert_output_shape(
        _load(root, "health/describe-event-details.json"), "health", "DescribeEventDetails"
    )
    _assert_output_shape(
        _load(root, "health/describe-affected-entities.json"), "health", "DescribeAffectedEntities"
    )


def test_health_issue_is_apart_from_the_incident(
    generated: tuple[Path, dict], story: Timeline
) -> None:
    root, _ = generated
    events = _load(root, "health/describe-events.json")["events"]
    issues = [e for e in events if e["eventTypeCategory"] == "issue"]
    assert len(issues) == 1
    issue = issues[0]
    assert issue["statusCode"] == "closed"
    assert story.health_start <= _time(issue["startTime"]) < _time(issue["endTime"])
    assert _time(issue["endTime"]) <= story.health_end
    assert _time(issue["endTime"]) < story.deploy_at  # triage can tell it apart
    scheduled = [e for e in events if e["eventTypeCategory"] == "scheduledChange"]
    assert [e["statusCode"] for e in scheduled] == ["upcoming"]
    arns = {e["arn"] for e in events}
    details = _load(root, "health/describe-event-details.json")["successfulSet"]
    assert {d["event"]["arn"] for d in details} == arns
    entities = _load(root, "health/describe-affected-entities.json")["entities"]
    assert {e["eventArn"] for e in entities} == arns


def test_cloudtrail_files_and_records(generated: tuple[Path, dict], story: Timeline) -> None:
    root, facts = generated
    files = sorted((root / "cloudtrail").rglob("*.json.gz"))
    assert len(files) == facts["cloudtrail"]["files"]
    event_ids = set()
    window_start = story.end - dt.timedelta(days=14)
    for path in files:
        match = FILE_NAME.match(path.name)
        assert match, path.name
        relative = path.relative_to(root / "cloudtrail").parts
        delivered = dt.datetime.strptime(match["stamp"], "%Y%m%dT%H%MZ").replace(tzinfo=dt.UTC)
        assert relative[:4] == ("AWSLogs", match["account"], "CloudTrail", match["region"])
        assert relative[4:7] == (f"{delivered:%Y}", f"{delivered:%m}", f"{delivered:%d}")
        records = json.loads(gzip.decompress(path.read_bytes()))["Records"]
        times = [_time(r["eventTime"]) for r in records]
        assert times == sorted(times)
        assert times[-1] - times[0] <= dt.timedelta(minutes=15)  # one file per few minutes
        assert times[-1] <= delivered  # a file only holds records written before delivery
        assert window_start <= times[0] and times[-1] < story.end
        for record in records:
            assert RECORD_KEYS <= set(record), RECORD_KEYS - set(record)
            assert record["recipientAccountId"] == match["account"]
            assert record["awsRegion"] == match["region"]
            assert record["eventVersion"] in {"1.09", "1.10"}
            identity = record["userIdentity"]
            assert identity["type"] == "AssumedRole"
            assert identity["accessKeyId"].startswith("ASIAFAKE")
            assert set(identity["sessionContext"]) >= {"sessionIssuer", "attributes"}
            event_ids.add(record["eventID"])
    records = _records(root)
    assert len(event_ids) == len(records)
    read_only = sum(r["readOnly"] for _, r in records)
    assert 0 < len(records) - read_only < read_only  # plenty of noise for a changes filter
    assert len({r["recipientAccountId"] for _, r in records}) > 1


def test_bad_deploy_and_rollback(generated: tuple[Path, dict], story: Timeline) -> None:
    root, facts = generated
    updates = [
        r
        for _, r in _records(root)
        if r["eventName"] == "UpdateService" and r["recipientAccountId"] == SHOP_PROD.id
    ]
    bad = [r for r in updates if _time(r["eventTime"]) == story.deploy_at]
    assert len(bad) == 1
    assert bad[0]["eventSource"] == "ecs.amazonaws.com"
    assert bad[0]["requestParameters"]["taskDefinition"] == "checkout-api:43"
    assert bad[0]["userIdentity"]["arn"].endswith("/github-actions-deploy")
    rollback = [r for r in updates if _time(r["eventTime"]) == story.rollback_at]
    assert len(rollback) == 1
    assert rollback[0]["requestParameters"]["taskDefinition"] == "checkout-api:42"
    issuer = rollback[0]["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"]
    assert issuer.startswith("AWSReservedSSO_OnCallEngineer_")
    # nothing else touches checkout-api in prod between the bad deploy and the rollback
    between = [r for r in updates if story.deploy_at < _time(r["eventTime"]) < story.rollback_at]
    assert between == []
    assert facts["incident"]["bad_deploy"]["version"] == "checkout-api:43"
    assert facts["incident"]["rollback"]["version"] == "checkout-api:42"


def test_catalog_deploy_at_slow_burn_start(generated: tuple[Path, dict], story: Timeline) -> None:
    root, _ = generated
    lambda_writes = [
        r
        for _, r in _records(root)
        if r["eventSource"] == "lambda.amazonaws.com"
        and not r["readOnly"]
        and r["requestParameters"]["functionName"] == CATALOG_FUNCTION
    ]
    alias = [r for r in lambda_writes if _time(r["eventTime"]) == story.slow_burn_start]
    assert [r["eventName"] for r in alias] == ["UpdateAlias20150331"]
    assert alias[0]["requestParameters"]["name"] == "live"
    version = alias[0]["requestParameters"]["functionVersion"]
    recent = [
        r
        for r in lambda_writes
        if story.slow_burn_start - dt.timedelta(minutes=1) <= _time(r["eventTime"])
    ]
    names = [r["eventName"] for r in recent]
    assert names == [
        "UpdateFunctionCode20150331v2",
        "PublishVersion20150331",
        "UpdateAlias20150331",
    ]
    assert recent[1]["responseElements"]["version"] == version


def test_checkout_5xx_alarm_span_covers_the_errors(
    generated: tuple[Path, dict], story: Timeline
) -> None:
    root, facts = generated
    history = _load(root, "alarms/alarm-history.json")["AlarmHistoryItems"]
    spans = _alarm_spans(history, CHECKOUT_5XX_ALARM)
    overlapping = [
        (start, stop)
        for start, stop in spans
        if start < story.errors_end and (stop is None or stop > story.errors_start)
    ]
    assert len(overlapping) == 1
    start, stop = overlapping[0]
    assert story.errors_start < start < story.errors_start + dt.timedelta(minutes=10)
    assert stop is not None and story.errors_end < stop < story.errors_end + dt.timedelta(
        minutes=10
    )
    alarms = {a["AlarmName"]: a for a in _load(root, "alarms/describe-alarms.json")["MetricAlarms"]}
    assert alarms[CHECKOUT_5XX_ALARM]["StateValue"] == "OK"
    assert facts["alarms"]["alarm_spans"][CHECKOUT_5XX_ALARM]


def test_burn_alarm_in_alarm_at_end(generated: tuple[Path, dict], story: Timeline) -> None:
    root, facts = generated
    alarms = {a["AlarmName"]: a for a in _load(root, "alarms/describe-alarms.json")["MetricAlarms"]}
    burn = alarms[BURN_ALARM]
    assert burn["StateValue"] == "ALARM"
    since = _time(burn["StateTransitionedTimestamp"])
    assert story.slow_burn_start < since < story.slow_burn_start + dt.timedelta(hours=6)
    history = _load(root, "alarms/alarm-history.json")["AlarmHistoryItems"]
    assert _alarm_spans(history, BURN_ALARM)[-1] == (since, None)
    assert facts["alarms"]["in_alarm_at_end"] == [BURN_ALARM]


def test_hygiene_targets(generated: tuple[Path, dict]) -> None:
    root, _ = generated
    alarms = _load(root, "alarms/describe-alarms.json")["MetricAlarms"]
    no_actions = [a for a in alarms if not (a["AlarmActions"] or a["OKActions"])]
    assert 1 <= len(no_actions) <= 2
    assert [a["StateValue"] for a in alarms].count("INSUFFICIENT_DATA") == 1
    history = _load(root, "alarms/alarm-history.json")["AlarmHistoryItems"]
    flapping = _alarm_spans(history, FLAPPING_ALARM)
    assert len(flapping) >= 14 * 2  # several times a day
    kinds = {h["HistoryItemType"] for h in history}
    assert kinds == {"StateUpdate", "ConfigurationUpdate"}


def test_flapping_alarm_threshold_was_raised_and_it_still_flaps(
    generated: tuple[Path, dict], story: Timeline
) -> None:
    root, facts = generated
    history = _load(root, "alarms/alarm-history.json")["AlarmHistoryItems"]
    (update,) = [
        h
        for h in history
        if h["AlarmName"] == FLAPPING_ALARM and h["HistoryItemType"] == "ConfigurationUpdate"
    ]
    raised = _time(update["Timestamp"])
    assert json.loads(update["HistoryData"])["updatedAlarm"]["threshold"] == 10000.0
    thresholds = {}
    for item in history:
        if item["AlarmName"] == FLAPPING_ALARM and item["HistoryItemType"] == "StateUpdate":
            new = json.loads(item["HistoryData"])["newState"]
            after = _time(item["Timestamp"]) > raised
            thresholds.setdefault(after, set()).add(new["stateReasonData"]["threshold"])
            if new["stateValue"] == "ALARM":  # the reason shows the breaching p99
                (point,) = new["stateReasonData"]["evaluatedDatapoints"]
                assert point["value"] > new["stateReasonData"]["threshold"]
    assert thresholds == {False: {8000.0}, True: {10000.0}}
    spans = _alarm_spans(history, FLAPPING_ALARM)
    assert sum(start > raised for start, _ in spans) >= 5  # still flapping after the raise
    assert facts["alarms"]["flapping"]["alarm_episodes"] == len(spans)


def test_lambda_functions_log_plain_text(generated: tuple[Path, dict]) -> None:
    root, _ = generated
    configs = [
        r["responseElements"]
        for _, r in _records(root)
        if r["eventSource"] == "lambda.amazonaws.com"
        and r["eventName"].startswith(("PublishVersion", "UpdateFunctionCode"))
    ]
    assert len(configs) >= 8
    for config in configs:
        assert config["loggingConfig"] == {
            "logFormat": "Text",
            "logGroup": f"/aws/lambda/{config['functionName']}",
        }


def test_history_sorted_newest_first_and_consistent(
    generated: tuple[Path, dict], story: Timeline
) -> None:
    root, _ = generated
    history = _load(root, "alarms/alarm-history.json")["AlarmHistoryItems"]
    times = [_time(h["Timestamp"]) for h in history]
    assert times == sorted(times, reverse=True)
    assert story.end - dt.timedelta(days=14) <= times[-1] and times[0] < story.end
    alarms = {a["AlarmName"]: a for a in _load(root, "alarms/describe-alarms.json")["MetricAlarms"]}
    seen = set()
    for item in history:  # the newest state update of each alarm is its current state
        if item["HistoryItemType"] != "StateUpdate" or item["AlarmName"] in seen:
            continue
        seen.add(item["AlarmName"])
        alarm = alarms[item["AlarmName"]]
        assert json.loads(item["HistoryData"])["newState"]["stateValue"] == alarm["StateValue"]
        assert item["Timestamp"] == alarm["StateUpdatedTimestamp"]


def test_deterministic(tmp_path: Path, story: Timeline) -> None:
    def snapshot(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    first = write_incident_context(tmp_path / "a", story)
    second = write_incident_context(tmp_path / "b", story)
    assert first == second
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    write_incident_context(tmp_path / "c", story, seed=8)
    assert snapshot(tmp_path / "a") != snapshot(tmp_path / "c")
