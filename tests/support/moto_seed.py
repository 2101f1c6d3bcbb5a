"""Seed the moto server from the pinned sample organisation, for one incident window.

The aws backend is tested against moto (the ``moto_server``/``aws_env`` fixtures); these helpers
put into it what the sample holds as files, in the shape the AWS APIs take it:

- :func:`seed_alarms`: the sample's ``DescribeAlarms`` JSON through ``PutMetricAlarm``, each alarm
  then set (``SetAlarmState``) to the state it had at a given moment, dated when it entered it;
- :func:`seed_metrics`: 1-minute Metric Streams datapoints of the series asked for, through
  ``PutMetricData`` with ``StatisticValues`` (sum, count, min, max), batched;
- :func:`seed_logs`: the events of some log groups in a window through ``CreateLogGroup``,
  ``CreateLogStream`` and ``PutLogEvents``, sorted and batched under the API's limits;
- :func:`seed_incident`: all three for a window and its baseline;
- :func:`stream_records`, :func:`write_stream` and :func:`put_records`: a small synthetic metric
  stream (Lambda invocations, errors, durations with p99), as Firehose writes it to S3 and as
  PutMetricData takes it, so both backends hold the same datapoints;
- :func:`lookup_events`: the sample's CloudTrail records as LookupEvents answers them, for a
  Stubber (moto has no LookupEvents).

Only what the window needs is put (seconds, not minutes). Every helper takes boto3 clients, so the
caller decides the endpoint (``AWS_ENDPOINT_URL`` from ``aws_env``).

Moto's gaps, which the tests rely on knowing: it has no ``DescribeAlarmHistory``, computes no
percentile statistic (a ``pNN`` GetMetricData query fails with HTTP 500), implements neither
CloudTrail ``LookupEvents`` nor AWS Health, and its Logs Insights answers a ``stats`` query with
rows that hold only ``@ptr``.

Examples
--------
>>> import boto3  # doctest: +SKIP
>>> seed_alarms(boto3.client("cloudwatch"), sample_dir, at="2026-11-14T15:00Z")  # doctest: +SKIP
['catalog-api-availability-burn-rate-1h', 'catalog-api-handler-errors', ...]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "alarm_states_at",
    "moto_clock",
    "lookup_events",
    "moto_state",
    "put_records",
    "seed_alarms",
    "seed_incident",
    "seed_logs",
    "seed_metrics",
    "service_series",
    "stream_records",
    "write_stream",
]

#: PutMetricData: at most 1,000 metric items per call (and 1 MB, far from reached here).
METRIC_BATCH = 1000
#: PutLogEvents: at most 10,000 events and 1,048,576 bytes (message bytes + 26 each) per call.
LOG_BATCH_EVENTS = 10_000
LOG_BATCH_BYTES = 1_048_576
_EVENT_OVERHEAD = 26
#: PutMetricAlarm's parameters, as DescribeAlarms names them.
_ALARM_FIELDS = (
    "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
    "InsufficientDataActions", "MetricName", "Namespace", "Statistic", "ExtendedStatistic",
    "Dimensions", "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
    "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile", "Metrics",
    "ThresholdMetricId",
)  # fmt: skip


def _utc(value: str | dt.datetime | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


@contextlib.contextmanager
def moto_clock(when: str | dt.datetime | pd.Timestamp | None) -> Iterator[None]:
    """Make moto's CloudWatch date what it records (alarm state changes) at ``when``.

    Works because the test's moto server runs in this process (``ThreadedMotoServer``); ``None``
    leaves the clock alone.

    Examples
    --------
    >>> with moto_clock("2026-11-14T14:05Z"):  # doctest: +SKIP
    ...     cloudwatch.set_alarm_state(AlarmName="a", StateValue="ALARM", StateReason="test")
    """
    if when is None:
        yield
        return
    from moto.cloudwatch import models

    fixed = _utc(when).tz_localize(None).to_pydatetime()  # moto keeps naive UTC
    original = models.utcnow
    models.utcnow = lambda: fixed
    try:
        yield
    finally:
        models.utcnow = original


def alarm_states_at(
    sample_dir: Path, at: str | pd.Timestamp
) -> dict[str, tuple[str, pd.Timestamp]]:
    """Return each sample alarm's state at ``at`` and when it entered it, from its history.

    The state is the alarm's current one unless a transition at or after ``at`` changed it (then
    the state that transition left); it began at the last transition into it before ``at``.

    Examples
    --------
    >>> alarm_states_at(sample_dir, "2026-11-14T15:00Z")["catalog-api-availability-burn-rate-1h"][0]  # doctest: +SKIP
    'ALARM'
    """
    moment = _utc(at)
    current = json.loads((sample_dir / "alarms" / "describe-alarms.json").read_text())
    history = json.loads((sample_dir / "alarms" / "alarm-history.json").read_text())
    changes: dict[str, list[tuple[pd.Timestamp, str, str]]] = {}
    for item in history["AlarmHistoryItems"]:
        if item.get("HistoryItemType") != "StateUpdate":
            continue
        data = json.loads(item["HistoryData"])
        changes.setdefault(item["AlarmName"], []).append(
            (
                _utc(item["Timestamp"]),
                data["oldState"]["stateValue"],
                data["newState"]["stateValue"],
            )
        )
    states = {}
    for alarm in current["MetricAlarms"] + current.get("CompositeAlarms", []):
        name = alarm["AlarmName"]
        steps = sorted(changes.get(name, []))
        later = [step for step in steps if step[0] >= moment]
        state = later[0][1] if later else alarm["StateValue"]
        before = [step for step in steps if step[0] < moment and step[2] == state]
        since = before[-1][0] if before else _utc(alarm["StateUpdatedTimestamp"])
        states[name] = (state, min(since, moment))
    return states


def seed_alarms(
    cloudwatch: Any, sample_dir: Path, at: str | pd.Timestamp, *, backdate: bool = True
) -> list[str]:
    """Put the sample's metric alarms into moto, each in the state it had at ``at``.

    Parameters
    ----------
    cloudwatch
        A boto3 CloudWatch client (pointed at moto).
    sample_dir
        The sample organisation (``sample_dir`` fixture).
    at
        The moment whose alarm states to reproduce (e.g. an incident window's end).
    backdate
        Date each state change when the alarm entered that state (see :func:`moto_clock`), as
        ``StateUpdatedTimestamp`` would read on AWS; ``False``: dated now.

    Returns
    -------
    list of str
        The alarm names, sorted.

    Examples
    --------
    >>> names = seed_alarms(boto3.client("cloudwatch"), sample_dir, "2026-11-14T15:00Z")  # doctest: +SKIP
    """
    document = json.loads((sample_dir / "alarms" / "describe-alarms.json").read_text())
    states = alarm_states_at(sample_dir, at)
    for alarm in document["MetricAlarms"]:
        arguments = {key: alarm[key] for key in _ALARM_FIELDS if alarm.get(key) is not None}
        cloudwatch.put_metric_alarm(**arguments)
    for alarm in document["MetricAlarms"]:
        state, since = states[alarm["AlarmName"]]
        with moto_clock(since if backdate else None):
            cloudwatch.set_alarm_state(
                AlarmName=alarm["AlarmName"],
                StateValue=state,
                StateReason=f"seeded from the sample: {state} since {since:%Y-%m-%d %H:%M} UTC",
            )
    return sorted(alarm["AlarmName"] for alarm in document["MetricAlarms"])


def seed_metrics(
    cloudwatch: Any,
    sample_dir: Path,
    series: Iterable[tuple[str, str, dict[str, str]]],
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
) -> int:
    """Put the 1-minute datapoints of ``series`` in ``[start, end)`` into moto; return how many.

    Parameters
    ----------
    series
        ``(namespace, metric name, dimensions)`` of each wanted series.
    start, end
        The span to copy (a window and its baseline: pass the baseline's start).

    Percentiles are not sent: ``StatisticValues`` cannot carry them and moto computes none.

    Examples
    --------
    >>> seed_metrics(cw, sample_dir, [("AWS/ECS", "CPUUtilization",
    ...              {"ClusterName": "shop-prod", "ServiceName": "checkout-api"})],
    ...              "2026-11-14T13:00Z", "2026-11-14T15:00Z")  # doctest: +SKIP
    120
    """
    wanted = {(ns, name, tuple(sorted(dims.items()))) for ns, name, dims in series}
    first, last = _utc(start), _utc(end)
    records = [
        record
        for record in _metric_records(sample_dir, first, last)
        if (record["namespace"], record["metric_name"], tuple(sorted(record["dimensions"].items())))
        in wanted
        and first <= pd.Timestamp(record["timestamp"], unit="ms", tz="UTC") < last
    ]
    return put_records(cloudwatch, records)


def put_records(cloudwatch: Any, records: Iterable[dict[str, Any]]) -> int:
    """Put Metric Streams records into moto (``StatisticValues``, batched); return how many.

    Percentiles are not sent: ``StatisticValues`` cannot carry them and moto computes none.
    """
    by_namespace: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        value = record["value"]
        by_namespace.setdefault(record["namespace"], []).append({
            "MetricName": record["metric_name"],
            "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(record["dimensions"].items())],
            "Timestamp": pd.Timestamp(record["timestamp"], unit="ms", tz="UTC").to_pydatetime(),
            "StatisticValues": {"SampleCount": value["count"], "Sum": value["sum"],
                                "Minimum": value["min"], "Maximum": value["max"]},
            **({"Unit": record["unit"]} if record.get("unit") else {}),
        })  # fmt: skip
    count = 0
    for namespace, items in by_namespace.items():
        for i in range(0, len(items), METRIC_BATCH):
            cloudwatch.put_metric_data(Namespace=namespace, MetricData=items[i : i + METRIC_BATCH])
        count += len(items)
    return count


def stream_records(start: pd.Timestamp, minutes: int = 180, seed: int = 3) -> list[dict[str, Any]]:
    """Return ``minutes`` of 1-minute Metric Streams records of one Lambda function from ``start``.

    ``Invocations``, ``Errors`` (no record in a minute without errors: CloudWatch has no
    datapoint either) and ``Duration`` with its p99, for ``FunctionName=orders-worker``.

    Examples
    --------
    >>> len(stream_records(pd.Timestamp("2026-11-14", tz="UTC"), minutes=2)) in (4, 5, 6)
    True
    """
    rng = np.random.default_rng(seed)
    records = []
    for minute in range(minutes):
        at = int(start.value // 1_000_000) + minute * 60_000
        calls = float(rng.integers(50, 100))
        errors = float(rng.integers(0, 6))
        base = {"namespace": "AWS/Lambda", "dimensions": {"FunctionName": "orders-worker"}}
        records.append({**base, "metric_name": "Invocations", "timestamp": at,
                        "value": {"max": 1.0, "min": 1.0, "sum": calls, "count": calls}})  # fmt: skip
        if errors:
            records.append({**base, "metric_name": "Errors", "timestamp": at,
                            "value": {"max": 1.0, "min": 1.0, "sum": errors, "count": errors}})  # fmt: skip
        durations = rng.gamma(2.0, 40.0, int(calls))
        records.append({**base, "metric_name": "Duration", "timestamp": at, "value": {
            "max": float(durations.max()), "min": float(durations.min()),
            "sum": float(durations.sum()), "count": calls,
            "p99": float(np.quantile(durations, 0.99))}})  # fmt: skip
    return records


def write_stream(root: Path, records: Iterable[dict[str, Any]]) -> Path:
    """Write records as a metric stream delivers them (``metrics/<stream>/YYYY/MM/DD/HH/*.gz``)."""
    by_hour: dict[pd.Timestamp, list[dict[str, Any]]] = {}
    for record in records:
        hour = pd.Timestamp(record["timestamp"], unit="ms", tz="UTC").floor("h")
        by_hour.setdefault(hour, []).append(record)
    for hour, rows in by_hour.items():
        folder = root / "metrics" / "test-stream" / hour.strftime("%Y/%m/%d/%H")
        folder.mkdir(parents=True, exist_ok=True)
        lines = "".join(
            json.dumps({"metric_stream_name": "test-stream", "account_id": "123456789012",
                        "region": "us-east-1", **row, "unit": "Count"}) + "\n"
            for row in rows
        )  # fmt: skip
        (folder / f"test-stream-1-{hour:%Y-%m-%d-%H}-00-00-x.gz").write_bytes(
            gzip.compress(lines.encode())
        )
    return root


def _metric_records(sample_dir: Path, first: pd.Timestamp, last: pd.Timestamp) -> Iterator[dict]:
    # Files sit under the hour they were delivered in, which may be an hour after the datapoint.
    hour = first.floor("h")
    while hour <= last + pd.Timedelta(hours=1):
        for path in sorted(sample_dir.glob(f"metrics/*/{hour:%Y/%m/%d/%H}/*")):
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                yield from (json.loads(line) for line in lines if line.strip())
        hour += pd.Timedelta(hours=1)


def seed_logs(
    logs: Any,
    sample_dir: Path,
    groups: Iterable[str],
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
) -> int:
    """Put the sample's events of ``groups`` in ``[start, end)`` into moto; return how many.

    Streams keep their sample names; each stream's events go in time order, in batches under
    PutLogEvents' limits (10,000 events, 1 MB).

    Examples
    --------
    >>> seed_logs(boto3.client("logs"), sample_dir, ["/ecs/checkout-api"],
    ...           "2026-11-14T14:00Z", "2026-11-14T15:00Z")  # doctest: +SKIP
    """
    from opsbook.backends.local.logfiles import scan_sources

    wanted = set(groups)
    first, last = _utc(start), _utc(end)
    found = scan_sources([sample_dir / "logs"], start=first.to_pydatetime(),
                         end=last.to_pydatetime(), groups=wanted.__contains__)  # fmt: skip
    events = found.gzip_events.to_pandas()
    events = events.loc[events.log_group.isin(wanted) & (events.timestamp >= first)
                        & (events.timestamp < last)]  # fmt: skip
    for group in sorted(wanted):
        logs.create_log_group(logGroupName=group)
    for (group, stream), rows in events.sort_values("timestamp").groupby(
        ["log_group", "log_stream"]
    ):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        batch: list[dict[str, Any]] = []
        size = 0
        for stamp, message in zip(rows.timestamp, rows.message, strict=True):
            length = len(message.encode()) + _EVENT_OVERHEAD
            if batch and (len(batch) == LOG_BATCH_EVENTS or size + length > LOG_BATCH_BYTES):
                logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
                batch, size = [], 0
            batch.append({"timestamp": int(stamp.value // 1_000_000), "message": message})
            size += length
        if batch:
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
    return len(events)


def service_series(texts: Iterable[str]) -> list[tuple[str, str, dict[str, str]]]:
    """Return ``(namespace, metric, dimensions)`` of metric series texts, statistics dropped.

    Examples
    --------
    >>> service_series(["AWS/ECS CPUUtilization ClusterName=shop-prod stat=Average"])
    [('AWS/ECS', 'CPUUtilization', {'ClusterName': 'shop-prod'})]
    """
    from opsbook.metrics import MetricSeries

    found = {}
    for text in texts:
        series = MetricSeries.parse(text)
        found[(series.namespace, series.metric, series.dimensions)] = None
    return [(ns, name, dict(dims)) for ns, name, dims in found]


def seed_incident(
    session: Any,
    sample_dir: Path,
    *,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    baseline_start: str | pd.Timestamp,
    series: Iterable[tuple[str, str, dict[str, str]]],
    log_groups: Iterable[str],
    log_start: str | pd.Timestamp | None = None,
) -> dict[str, int]:
    """Seed alarms (as at ``end``), metrics (``[baseline_start, end)``) and logs into moto.

    Parameters
    ----------
    session
        A boto3 session (or the ``boto3`` module) whose clients reach moto.
    log_start
        Where the logs begin (default ``start``): drill-downs may look before the window.

    Returns
    -------
    dict
        How many alarms, datapoints and log events were put.
    """
    alarms = seed_alarms(session.client("cloudwatch"), sample_dir, end)
    points = seed_metrics(session.client("cloudwatch"), sample_dir, series, baseline_start, end)
    events = seed_logs(session.client("logs"), sample_dir, log_groups, log_start or start, end)
    return {"alarms": len(alarms), "datapoints": points, "log_events": events}


def moto_state(session: Any) -> tuple[list[tuple[str, str, Any]], dict[str, int]]:
    """Return what a read-only run must leave as it was: alarms (name, state, since), log streams.

    Examples
    --------
    >>> before = moto_state(boto3)  # doctest: +SKIP
    >>> # ... run a runbook ...
    >>> assert moto_state(boto3) == before  # doctest: +SKIP
    """
    alarms = session.client("cloudwatch").describe_alarms()["MetricAlarms"]
    logs = session.client("logs")
    groups = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    streams = {g: len(logs.describe_log_streams(logGroupName=g)["logStreams"]) for g in groups}
    return [(a["AlarmName"], a["StateValue"], a["StateUpdatedTimestamp"]) for a in alarms], streams


def lookup_events(
    sample_dir: Path, account: str, start: str | pd.Timestamp, end: str | pd.Timestamp
) -> list[dict[str, Any]]:
    """Return one account's write events in ``[start, end)`` as LookupEvents does (newest first).

    Examples
    --------
    >>> lookup_events(sample_dir, "334455667788", "2026-11-14T12:00Z", "2026-11-14T16:00Z")[0]["EventName"]  # doctest: +SKIP
    'UpdateService'
    """
    first, last = _utc(start), _utc(end)
    folder = sample_dir / "cloudtrail" / "AWSLogs" / account / "CloudTrail" / "us-east-1"
    records = [r for path in sorted(folder.glob("*/*/*/*.json.gz"))
               for r in json.loads(gzip.decompress(path.read_bytes()))["Records"]]  # fmt: skip
    events = [
        {"EventId": r["eventID"], "EventName": r["eventName"], "ReadOnly": "false",
         "EventTime": _utc(r["eventTime"]).to_pydatetime(), "EventSource": r["eventSource"],
         "CloudTrailEvent": json.dumps(r)}
        for r in records if not r["readOnly"] and first <= _utc(r["eventTime"]) < last
    ]  # fmt: skip
    return sorted(events, key=lambda e: e["EventTime"], reverse=True)
