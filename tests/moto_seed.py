"""Seed the moto server from the pinned sample organisation, for one incident window.

The aws backend is tested against moto (the ``moto_server``/``aws_env`` fixtures); these helpers
put into it what the sample holds as files, in the shape the AWS APIs take it:

- :func:`seed_alarms`: the sample's ``DescribeAlarms`` JSON through ``PutMetricAlarm``, each alarm
  then set (``SetAlarmState``) to the state it had at a given moment, dated when it entered it;
- :func:`seed_metrics`: 1-minute Metric Streams datapoints of the series asked for, through
  ``PutMetricData`` with ``StatisticValues`` (sum, count, min, max), batched;
- :func:`seed_logs`: the events of some log groups in a window through ``CreateLogGroup``,
  ``CreateLogStream`` and ``PutLogEvents``, sorted and batched under the API's limits;
- :func:`seed_incident`: all three for a window and its baseline.

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

import pandas as pd

__all__ = [
    "alarm_states_at",
    "moto_state",
    "moto_clock",
    "seed_alarms",
    "seed_incident",
    "seed_logs",
    "seed_metrics",
    "service_series",
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
    by_namespace: dict[str, list[dict[str, Any]]] = {}
    for record in _metric_records(sample_dir, first, last):
        key = (
            record["namespace"],
            record["metric_name"],
            tuple(sorted(record["dimensions"].items())),
        )
        stamp = pd.Timestamp(record["timestamp"], unit="ms", tz="UTC")
        if key not in wanted or not first <= stamp < last:
            continue
        value = record["value"]
        by_namespace.setdefault(record["namespace"], []).append({
            "MetricName": record["metric_name"],
            "Dimensions": [{"Name": k, "Value": v} for k, v in key[2]],
            "Timestamp": stamp.to_pydatetime(),
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
