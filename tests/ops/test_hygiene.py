"""CloudWatch hygiene on the pinned sample org (local) and on a moto server (aws)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pandas as pd
import pytest
from opsbook import logs
from opsbook.backends import frames
from opsbook.errors import ConfigurationError
from opsbook.ops import hygiene, inventory
from opsbook.sample.cur.provisioned import LOG_GROUPS as RETIRED
from opsbook.sample.logs import LOG_GROUP_SETUP, RETENTION_DAYS, STALE_HISTORY, STALE_LOG_GROUP
from opsbook.settings import resolve


@pytest.fixture(scope="module")
def report(sample_dir: Path) -> hygiene.HygieneReport:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    return hygiene.review_hygiene("", "2026-11-15", month="2026-10", settings=settings)


def test_finds_the_alarms_without_actions_and_the_stuck_one(report) -> None:
    head = report.figures()
    assert head["silent_alarms"] == ["checkout-api-ecs-cpu-high", "orders-worker-throttles"]
    assert head["stuck_alarms"] == ["inventory-sync-errors"]
    assert report.stuck.hours_in_state.iloc[0] > 24 * 30
    assert head["most_flapping"] == "orders-worker-duration-p99"
    assert report.flapping.changes_per_day.iloc[0] > 5 * report.flapping.changes_per_day.iloc[1]


def test_log_groups_without_retention_are_listed_largest_first(report, sample_dir) -> None:
    # Both backends read DescribeLogGroups; the sample's sets retention where RETENTION_DAYS says.
    groups = report.log_groups.set_index("log_group")
    assert set(groups.index) == set(LOG_GROUP_SETUP) | {STALE_LOG_GROUP} | set(RETIRED)
    assert groups.retention_days.dropna().to_dict() == RETENTION_DAYS
    assert set(report.no_retention.log_group) == set(groups.index) - set(RETENTION_DAYS)
    assert report.no_retention.stored_bytes.is_monotonic_decreasing
    # Stored bytes: the messages the sample wrote (what the log files hold), or for the stale
    # group its modelled history.
    files = logs.describe_log_groups(settings=resolve(backend="local", data_dir=str(sample_dir)))
    written = files.set_index("log_group").stored_bytes
    assert groups.stored_bytes.drop([STALE_LOG_GROUP, *RETIRED]).to_dict() == written.to_dict()
    for name, (_, gb) in RETIRED.items():  # the savings check's: the GB its CUR storage bills
        assert groups.loc[name, "stored_bytes"] == gb * 1024**3
    history = STALE_HISTORY
    stale_bytes = (
        (history["created"] - history["stopped"]) * history["runs_per_day"] * history["run_bytes"]
    )
    assert groups.loc[STALE_LOG_GROUP, "stored_bytes"] == stale_bytes
    first = report.no_retention.iloc[0]
    assert first.usd_per_month == pytest.approx(first.stored_bytes / 1024**3 * 0.03)
    usd = report.figures()["no_retention_usd_per_month"]
    expected = report.no_retention.stored_bytes.sum() / 1024**3 * 0.03
    assert usd == pytest.approx(expected, abs=1e-4)


def test_the_decommissioned_group_is_stale(report) -> None:
    # The other groups were written to on the last day; the stale ones hold no event at all.
    assert set(report.stale.log_group) == {STALE_LOG_GROUP, *RETIRED}
    assert set(report.stale.why) == {"no event found"}
    fresh = report.log_groups.dropna(subset=["last_event"])
    assert (fresh.last_event >= pd.Timestamp("2026-11-14", tz="UTC")).all()
    assert report.figures()["errors"] == {}
    assert (report.sources().status == "ok").all()


def test_stale_groups_and_unknown_last_writes() -> None:
    groups = pd.DataFrame({"log_group": ["a", "b", "c"],
                           "last_event": pd.to_datetime(["2026-11-14", "2026-09-01", None], utc=True)})  # fmt: skip
    stale = hygiene.stale_log_groups(groups, "2026-11-15", stale_days=30)
    assert stale.log_group.tolist() == ["c", "b"]  # no event found first, then the oldest
    assert stale.why.tolist() == ["no event found", "last event 75 days ago"]
    with pytest.raises(ConfigurationError, match="stale_days 0"):
        hygiene.stale_log_groups(groups, "2026-11-15", stale_days=0)


def test_cloudwatch_spend_by_usage_type(report, sample_dir: Path) -> None:
    spend = report.spend
    assert spend.kind.iloc[0] == "logs ingestion"
    assert set(spend.usage_type) >= {"DataProcessing-Bytes", "TimedStorage-ByteHrs",
                                     "CW:MetricMonitorUsage", "CW:Requests"}  # fmt: skip
    assert spend.share.sum() == pytest.approx(1)
    settings = resolve(backend="local", data_dir=str(sample_dir))
    from opsbook import athena

    total = athena.query(
        "SELECT sum(line_item_unblended_cost) AS c FROM cur WHERE billing_period = '2026-10' "
        "AND line_item_product_code = 'AmazonCloudWatch' AND line_item_line_item_type = 'Usage'",
        settings=settings,
    ).c.iloc[0]
    assert spend.unblended_cost.sum() == pytest.approx(total, rel=1e-9)
    with pytest.raises(ConfigurationError, match="YYYY-MM"):
        hygiene.cloudwatch_spend("October", settings=settings)


def test_aws_backend_reads_retention_last_write_and_actions(aws_env: str, clean_env: Path) -> None:
    logs = boto3.client("logs", region_name="us-east-1")
    logs.create_log_group(logGroupName="/kept")
    logs.put_retention_policy(logGroupName="/kept", retentionInDays=14)
    logs.create_log_group(logGroupName="/forever")
    logs.create_log_stream(logGroupName="/forever", logStreamName="s")
    logs.put_log_events(logGroupName="/forever", logStreamName="s",
                        logEvents=[{"timestamp": 1_794_650_000_000, "message": "hello"}])  # fmt: skip
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    for name, actions in (("loud", ["arn:aws:sns:us-east-1:123456789012:page"]), ("quiet", [])):
        cloudwatch.put_metric_alarm(AlarmName=name, Namespace="AWS/Lambda", MetricName="Errors",
                                    Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1.0,
                                    ComparisonOperator="GreaterThanThreshold",
                                    AlarmActions=actions)  # fmt: skip
    settings = resolve(backend="aws")
    groups = inventory.read_log_group_settings(settings=settings).set_index("log_group")
    assert groups.loc["/kept", "retention_days"] == 14
    assert pd.isna(groups.loc["/forever", "retention_days"])
    assert groups.loc["/forever", "last_event"] == pd.Timestamp(
        1_794_650_000_000, unit="ms", tz="UTC"
    )
    assert pd.isna(groups.loc["/kept", "last_event"])  # no stream: no event found
    alarms = inventory.read_alarm_actions(settings=settings)
    assert hygiene.silent_alarms(alarms).alarm_name.tolist() == ["quiet"]
    assert {c: str(t) for c, t in alarms.dtypes.items()} == frames.ALARM_ACTIONS
