"""Incident context for the sample organisation: CloudWatch alarms, CloudTrail and AWS Health.

The files have the JSON shapes the AWS APIs return, so notebooks read them exactly as they would
read ``aws ... --output json`` output or a CloudTrail S3 bucket:

* ``alarms/describe-alarms.json`` and ``alarms/alarm-history.json`` (DescribeAlarms,
  DescribeAlarmHistory),
* ``cloudtrail/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz`` (trail log files),
* ``health/describe-events.json``, ``describe-event-details.json`` and
  ``describe-affected-entities.json``.

They tell the story of :func:`opsbook.sample.org.timeline`: the checkout-api bad deployment and
its rollback, the catalog-api-handler deployment that starts a slow SLO burn, and an unrelated
AWS Health issue a few days earlier, hidden among routine deployments, config changes, read-only
API noise, a flapping alarm and a few neglected alarms.

The alarm history is not made up: every alarm is evaluated (:mod:`opsbook.sample.alarmeval`) over
the metrics the metric stream holds (:func:`opsbook.sample.metrics.metric_series`, scale 1, same
seed), so each ALARM span is exactly where its metric crosses the threshold, and the episodes of
:mod:`opsbook.sample.episodes` are where they are because the traffic model puts them there. The
deployments in CloudTrail are :func:`opsbook.sample.episodes.releases`, which the logs and
metrics follow too.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import random
import string
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from opsbook.sample import alarmeval
from opsbook.sample.episodes import (
    API_5XX_ALARM,
    BURN_ALARM,
    CATALOG_ERRORS_ALARM,
    CHECKOUT_5XX_ALARM,
    CHECKOUT_P99_ALARM,
    DB_CPU_ALARM,
    ECS_CPU_ALARM,
    FLAPPING_ALARM,
    ORDERS_BATCH,
    ORDERS_ERRORS_ALARM,
    ORDERS_THROTTLES_ALARM,
    STALE_ALARM,
    Release,
    burn_alarm_created_at,
    episodes,
    flapping_threshold_raised_at,
    releases,
)
from opsbook.sample.metrics import MetricData, metric_series
from opsbook.sample.org import (
    ACCOUNTS,
    API_NAME,
    CATALOG,
    CHECKOUT,
    DB_INSTANCE,
    ECS_CLUSTER,
    LOAD_BALANCER,
    ORDERS,
    REGION,
    SECOND_REGION,
    SHOP_PROD,
    TARGET_GROUP,
    Timeline,
)

HISTORY_DAYS = 14  # DescribeAlarmHistory keeps two weeks; the trail covers the same span
TRAIL_DAYS = 14

_SHOP_STAGING = next(a for a in ACCOUNTS if a.name == "shop-staging")
_DATA_PLATFORM = next(a for a in ACCOUNTS if a.name == "data-platform")
_ACCT = SHOP_PROD.id

CATALOG_FUNCTION = CATALOG.log_group.rsplit("/", 1)[-1]  # catalog-api-handler
ORDERS_FUNCTION = ORDERS.log_group.rsplit("/", 1)[-1]  # orders-worker
PAGE_TOPIC = f"arn:aws:sns:{REGION}:{_ACCT}:oncall-page"
TICKET_TOPIC = f"arn:aws:sns:{REGION}:{_ACCT}:ops-tickets"
ARTIFACT_BUCKET = f"northpeak-artifacts-{_ACCT}"
ASSETS_BUCKET = "northpeak-shop-assets"
OBSERVABILITY_STACK = "shop-prod-observability"

__all__ = [
    "ALARMS",
    "BURN_ALARM",
    "CATALOG_FUNCTION",
    "CHECKOUT_5XX_ALARM",
    "CHECKOUT_P99_ALARM",
    "FLAPPING_ALARM",
    "ORDERS_FUNCTION",
    "STALE_ALARM",
    "write_incident_context",
]

_ALNUM = string.ascii_letters + string.digits
_KEY_CHARS = string.ascii_uppercase + "234567"


# --------------------------------------------------------------------------------------------
# Time formats
# --------------------------------------------------------------------------------------------


def _cli(t: dt.datetime) -> str:
    """Timestamp as the AWS CLI prints a botocore datetime: ``2026-11-14T14:05:41.205000+00:00``."""
    return t.isoformat()


def _cw(t: dt.datetime) -> str:
    """Timestamp inside CloudWatch's JSON strings (StateReasonData, HistoryData)."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def _ct(t: dt.datetime) -> str:
    """CloudTrail eventTime: second precision, ``Z``."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _java(t: dt.datetime) -> str:
    """Java-style date some services (ECS, CloudWatch) put into CloudTrail responseElements."""
    hour = t.hour % 12 or 12
    return f"{t:%b} {t.day}, {t.year}, {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def _sec(t: dt.datetime) -> str:
    """CLI-style timestamp truncated to the second, as CloudTrail records API calls."""
    return _cli(t.replace(microsecond=0))


def _camel(value: Any) -> Any:
    """Lower-case the first letter of every key (``MetricStat`` -> ``metricStat``)."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _floor(t: dt.datetime, seconds: int) -> dt.datetime:
    epoch = int(t.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _jitter(rng: random.Random, t: dt.datetime, lo: int = 20, hi: int = 55) -> dt.datetime:
    """``t`` plus a few seconds and milliseconds: alarm evaluation and API calls are not on the minute."""
    return t + dt.timedelta(seconds=rng.randint(lo, hi), milliseconds=rng.randint(0, 999))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _token(rng: random.Random, n: int, alphabet: str = _ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _fmt(value: float) -> str:
    return repr(float(value))


# --------------------------------------------------------------------------------------------
# CloudWatch alarms
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Alarm:
    """One metric alarm: its API fields, plus the values its state had before the metrics begin."""

    name: str
    description: str
    threshold: float
    operator: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    normal: tuple[float, float]  # StateReasonData values of the OK state set before the metrics
    decimals: int = 0
    namespace: str = ""
    metric: str = ""
    dimensions: tuple[tuple[str, str], ...] = ()
    statistic: str = "Sum"  # "pNN" is written as ExtendedStatistic
    metrics: tuple[dict[str, Any], ...] = ()  # metric math instead of a single metric
    treat_missing: str = "missing"
    alarm_actions: tuple[str, ...] = ()
    ok_actions: tuple[str, ...] = ()
    samples: float = 1.0  # sampleCount of those values


def _dims(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in pairs]


def _query(
    qid: str, namespace: str, metric: str, dims: Iterable[tuple[str, str]], period: int, stat: str
) -> dict[str, Any]:
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": _dims(dims)},
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": False,
    }


_ALB = (("LoadBalancer", LOAD_BALANCER),)  # the dimension set the metric stream carries
_API = (("ApiName", API_NAME),)
_CATALOG_FN = (("FunctionName", CATALOG_FUNCTION),)
_ORDERS_FN = (("FunctionName", ORDERS_FUNCTION),)

ALARMS: tuple[_Alarm, ...] = (
    _Alarm(
        CHECKOUT_5XX_ALARM,
        "checkout-api targets return 5XX (3 of 5 minutes above 25). Pages on-call.",
        25.0, "GreaterThanThreshold", 60, 5, 3, (0, 4),
        namespace="AWS/ApplicationELB", metric="HTTPCode_Target_5XX_Count", dimensions=_ALB,
        treat_missing="notBreaching", alarm_actions=(PAGE_TOPIC,), ok_actions=(PAGE_TOPIC,),
        samples=2.0,
    ),
    _Alarm(
        CHECKOUT_P99_ALARM,
        "checkout-api p99 target response time above 2 s (3 of 5 minutes). Pages on-call.",
        2.0, "GreaterThanThreshold", 60, 5, 3, (0.18, 0.62), decimals=4,
        namespace="AWS/ApplicationELB", metric="TargetResponseTime", dimensions=_ALB,
        statistic="p99", treat_missing="notBreaching", alarm_actions=(PAGE_TOPIC,),
        ok_actions=(PAGE_TOPIC,), samples=540.0,
    ),
    _Alarm(
        ECS_CPU_ALARM,
        "checkout-api service CPU above 80% for 15 minutes.",
        80.0, "GreaterThanThreshold", 300, 3, 3, (22, 48), decimals=3,
        namespace="AWS/ECS", metric="CPUUtilization",
        dimensions=(("ClusterName", ECS_CLUSTER), ("ServiceName", CHECKOUT.name)),
        statistic="Average", samples=30.0,
    ),  # no actions: created in the console during a load test and never wired up
    _Alarm(
        API_5XX_ALARM,
        "shop-public-api 5XX rate above 1% (3 of 5 minutes). Pages on-call.",
        1.0, "GreaterThanThreshold", 60, 5, 3, (0.0, 0.09), decimals=4,
        metrics=(
            _query("m1", "AWS/ApiGateway", "5XXError", _API, 60, "Sum"),
            _query("m2", "AWS/ApiGateway", "Count", _API, 60, "Sum"),
            {"Id": "e1", "Expression": "m1/m2*100", "Label": "5XX rate (%)", "ReturnData": True},
        ),
        treat_missing="notBreaching", alarm_actions=(PAGE_TOPIC,), ok_actions=(PAGE_TOPIC,),
    ),
    _Alarm(
        CATALOG_ERRORS_ALARM,
        "catalog-api-handler Lambda errors above 200 in 5 minutes (an outage, not a slow burn).",
        200.0, "GreaterThanThreshold", 300, 1, 1, (2, 24),
        namespace="AWS/Lambda", metric="Errors", dimensions=_CATALOG_FN,
        treat_missing="notBreaching", alarm_actions=(TICKET_TOPIC,), samples=15000.0,
    ),
    _Alarm(
        BURN_ALARM,
        "Slow-burn ticket: catalog-api error budget (SLO 99.9% availability) burning faster "
        "than 2x in 2 of the last 3 hours.",
        2.0, "GreaterThanThreshold", 3600, 3, 2, (0.12, 0.55), decimals=4,
        metrics=(
            _query("m1", "AWS/Lambda", "Errors", _CATALOG_FN, 3600, "Sum"),
            _query("m2", "AWS/Lambda", "Invocations", _CATALOG_FN, 3600, "Sum"),
            {
                # IF guards the hour with no traffic (division by zero)
                "Id": "e1",
                "Expression": "IF(m2 > 0, (m1 / m2) / 0.001, 0)",
                "Label": "Error budget burn rate (1h window)",
                "ReturnData": True,
            },
        ),
        treat_missing="notBreaching", alarm_actions=(TICKET_TOPIC,), ok_actions=(TICKET_TOPIC,),
    ),
    _Alarm(
        ORDERS_ERRORS_ALARM,
        "orders-worker Lambda errors above 10 in 5 minutes. Pages on-call.",
        10.0, "GreaterThanThreshold", 300, 1, 1, (0, 3),
        namespace="AWS/Lambda", metric="Errors", dimensions=_ORDERS_FN,
        treat_missing="notBreaching", alarm_actions=(PAGE_TOPIC,), ok_actions=(PAGE_TOPIC,),
        samples=8.0,
    ),
    _Alarm(
        ORDERS_THROTTLES_ALARM,
        "orders-worker Lambda throttles.",
        0.0, "GreaterThanThreshold", 60, 1, 1, (0, 0),
        namespace="AWS/Lambda", metric="Throttles", dimensions=_ORDERS_FN,
        treat_missing="notBreaching", samples=2.0,
    ),  # no actions: nobody hears about throttling
    _Alarm(
        FLAPPING_ALARM,
        "orders-worker p99 duration above 10 s (timeout is 15 s).",
        10000.0, "GreaterThanThreshold", 60, 1, 1, (2900.0, 7400.0),
        decimals=2, namespace="AWS/Lambda", metric="Duration", dimensions=_ORDERS_FN,
        statistic="p99", treat_missing="notBreaching", alarm_actions=(TICKET_TOPIC,),
        samples=2.0,
    ),
    _Alarm(
        DB_CPU_ALARM,
        f"{DB_INSTANCE} CPU above 80% for 15 minutes.",
        80.0, "GreaterThanThreshold", 300, 3, 3, (11, 38), decimals=3,
        namespace="AWS/RDS", metric="CPUUtilization",
        dimensions=(("DBInstanceIdentifier", DB_INSTANCE),), statistic="Average",
        alarm_actions=(TICKET_TOPIC,), samples=5.0,
    ),
    _Alarm(
        STALE_ALARM,
        "inventory-sync Lambda errors.",
        1.0, "GreaterThanOrEqualToThreshold", 300, 1, 1, (0, 0),
        namespace="AWS/Lambda", metric="Errors", dimensions=(("FunctionName", "inventory-sync"),),
        alarm_actions=(TICKET_TOPIC,),
    ),  # inventory-sync was decommissioned: no data, so the alarm stays in INSUFFICIENT_DATA
)  # fmt: skip

_OPERATOR_WORDS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}
_COMPARE = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}
_FLAPPING_OLD_THRESHOLD = 8000.0  # raised to 10000 by a stack update; it still flaps
_STALE_SINCE = dt.timedelta(days=47, hours=-9, minutes=-12)  # inventory-sync went away


def _stat_key(alarm: _Alarm, plain: str, extended: str) -> str:
    """Percentiles go in ExtendedStatistic, the basic statistics in Statistic."""
    return extended if alarm.statistic.startswith("p") else plain


def _alarm_arn(name: str) -> str:
    return f"arn:aws:cloudwatch:{REGION}:{_ACCT}:alarm:{name}"


def _ms(t: dt.datetime) -> int:
    return int(round(t.timestamp() * 1000))


def _from_ms(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


# A datapoint as StateReasonData shows it: (period start, value or None if missing, sampleCount).
_Point = tuple[dt.datetime, float | None, float]


@dataclass(frozen=True)
class _Change:
    """A state change found by evaluating the alarm over the metrics."""

    at: dt.datetime  # when CloudWatch recorded it: just after the newest period ended
    state: str
    threshold: float
    window: list[_Point]  # the evaluated datapoints, newest first


def _state(
    alarm: _Alarm,
    value: str,
    at: dt.datetime,
    previous: str,
    threshold: float,
    window: list[_Point],
) -> dict[str, Any]:
    """Return the state as CloudWatch records it: stateValue, stateReason, stateReasonData."""
    n = alarm.evaluation_periods
    stamps = [point[0] for point in window]  # newest first
    reason_data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": _cw(at - dt.timedelta(milliseconds=7)),
    }
    if value == "INSUFFICIENT_DATA":
        if not alarm.metrics:
            reason_data["statistic"] = alarm.statistic
        reason_data |= {
            "period": alarm.period,
            "recentDatapoints": [],
            "threshold": threshold,
            "evaluatedDatapoints": [{"timestamp": _cw(ts)} for ts in stamps],
        }
        word = "datapoint was" if n == 1 else "datapoints were"
        reason = f"Insufficient Data: {n} {word} unknown."
        return {"stateValue": value, "stateReason": reason, "stateReasonData": reason_data}

    compare = _COMPARE[alarm.operator]
    alarming = value == "ALARM"
    shown = [p for p in window if p[1] is not None and compare(p[1], threshold) == alarming]
    missing = sum(p[1] is None for p in window)
    counted = {"breaching": alarming, "notBreaching": not alarming}.get(alarm.treat_missing, None)
    missing = missing if counted else 0
    words = _OPERATOR_WORDS[alarm.operator]
    treated = "Breaching" if alarming else "NonBreaching"
    if not shown:
        plural = "" if missing == 1 else "s"
        reason = (
            f"Threshold Crossed: no datapoints were received for {missing} period{plural} and "
            f"{missing} missing datapoint{plural} {'was' if missing == 1 else 'were'} treated as "
            f"[{treated}]."
        )
    else:
        points = ", ".join(
            f"{_fmt(v)} ({ts:%d/%m/%y %H:%M:%S})" for ts, v, _ in shown if v is not None
        )
        count = len(shown)
        verb = "was" if count == 1 else "were"
        negation = "" if alarming else "not "
        minimum = alarm.datapoints_to_alarm if alarming else n - alarm.datapoints_to_alarm + 1
        also = ""
        if missing:
            also = (
                f" and {missing} missing datapoint{'' if missing == 1 else 's'} "
                f"{'was' if missing == 1 else 'were'} treated as [{treated}]"
            )
        reason = (
            f"Threshold Crossed: {count} out of the last {n} datapoints [{points}] {verb} "
            f"{negation}{words} the threshold ({_fmt(threshold)}){also} "
            f"(minimum {minimum} datapoint{'' if minimum == 1 else 's'} for {previous} -> {value} "
            "transition)."
        )
    reason_data["startDate"] = _cw(stamps[-1])
    if not alarm.metrics:
        reason_data["statistic"] = alarm.statistic
    evaluated = []
    for ts, v, samples in window:
        point: dict[str, Any] = {"timestamp": _cw(ts)}
        if v is not None:
            if not alarm.metrics:
                point["sampleCount"] = samples
            point["value"] = v
        evaluated.append(point)
    reason_data |= {
        "period": alarm.period,
        "recentDatapoints": [v for _, v, _ in reversed(window) if v is not None],
        "threshold": threshold,
        "evaluatedDatapoints": evaluated,
    }
    return {"stateValue": value, "stateReason": reason, "stateReasonData": reason_data}


def _before_the_data(alarm: _Alarm, at: dt.datetime, rng: random.Random) -> list[_Point]:
    """Datapoints of a state set before the metric stream's window: values in the normal range."""
    latest = _floor(at, alarm.period) - dt.timedelta(seconds=alarm.period)
    return [
        (
            latest - dt.timedelta(seconds=alarm.period * i),
            float(round(rng.uniform(*alarm.normal), alarm.decimals)),
            alarm.samples,
        )
        for i in range(alarm.evaluation_periods)
    ]


def _points(
    data: MetricData, namespace: str, metric: str, dims: dict[str, str], stat: str, period: int
) -> alarmeval.Datapoints:
    series = data.find(namespace, metric, dims)
    if series is None:  # a metric nobody publishes (any more): every datapoint is missing
        none = np.zeros(data.minute_ms.size)
        stats = {k: none for k in ("sum", "count", "max", "min", stat)}
        return alarmeval.datapoints(data.minute_ms, none > 0, stats, stat, period)
    return alarmeval.datapoints(data.minute_ms, series.present, series.stats, stat, period)


def _alarm_points(alarm: _Alarm, data: MetricData) -> alarmeval.Datapoints:
    """Return the alarm's datapoints over the metrics, as CloudWatch would query them."""
    if not alarm.metrics:
        dims = dict(alarm.dimensions)
        return _points(data, alarm.namespace, alarm.metric, dims, alarm.statistic, alarm.period)
    variables = {}
    for query in alarm.metrics:
        if "MetricStat" in query:
            stat, metric = query["MetricStat"], query["MetricStat"]["Metric"]
            dims = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
            variables[query["Id"]] = _points(
                data, metric["Namespace"], metric["MetricName"], dims, stat["Stat"], stat["Period"]
            )
    expression = next(q["Expression"] for q in alarm.metrics if q.get("ReturnData"))
    return alarmeval.expression(expression, variables)


def _evaluate(
    alarm: _Alarm, data: MetricData, story: Timeline, rng: random.Random
) -> list[_Change]:
    """Evaluate ``alarm`` over the metrics: its state changes, oldest first.

    The first change is the alarm's state when its evaluation starts (at its creation, or when
    the metrics begin); CloudWatch records each change 10-40 s after the period that decided it.
    """
    points = _alarm_points(alarm, data)
    ends = points.start_ms + alarm.period * 1000
    threshold = np.full(ends.size, alarm.threshold)
    if alarm.name == FLAPPING_ALARM:  # periods evaluated after the stack update use the new one
        raised = _ms(flapping_threshold_raised_at(story))
        threshold = np.where(ends > raised, alarm.threshold, _FLAPPING_OLD_THRESHOLD)
    rule = alarmeval.Rule(
        alarm.period,
        alarm.evaluation_periods,
        alarm.datapoints_to_alarm,
        alarm.threshold,
        alarm.operator,
        alarm.treat_missing,
    )
    since = _ms(burn_alarm_created_at(story)) if alarm.name == BURN_ALARM else None
    found = alarmeval.transitions(
        points, rule, threshold=threshold, since_ms=since, until_ms=_ms(story.end)
    )
    changes = []
    for change in found:
        at_ms = max(change.at_ms, since or 0)  # the first evaluation of a new alarm is at once
        lo = max(change.index - alarm.evaluation_periods + 1, 0)
        window = [
            (
                _from_ms(int(points.start_ms[i])),
                None if np.isnan(points.value[i]) else round(float(points.value[i]), 6),
                float(points.samples[i]),
            )
            for i in range(change.index, lo - 1, -1)
        ]
        at = _from_ms(at_ms) + dt.timedelta(
            seconds=rng.randint(10, 40), milliseconds=rng.randint(0, 999)
        )
        changes.append(_Change(at, change.state, float(threshold[change.index]), window))
    return changes


def _alarm_snapshot(
    alarm: _Alarm, state: str, state_at: dt.datetime, updated: dt.datetime, threshold: float
) -> dict[str, Any]:
    """Alarm configuration as ConfigurationUpdate HistoryData spells it (camelCase keys)."""
    snap: dict[str, Any] = {
        "alarmName": alarm.name,
        "alarmArn": _alarm_arn(alarm.name),
        "alarmDescription": alarm.description,
        "actionsEnabled": True,
        "okactions": list(alarm.ok_actions),
        "alarmActions": list(alarm.alarm_actions),
        "insufficientDataActions": [],
        "stateValue": state,
    }
    if alarm.metrics:
        snap["metrics"] = _camel(list(alarm.metrics))
    else:
        snap |= {
            "namespace": alarm.namespace,
            "metricName": alarm.metric,
            "dimensions": [{"name": k, "value": v} for k, v in alarm.dimensions],
            _stat_key(alarm, "statistic", "extendedStatistic"): alarm.statistic,
            "period": alarm.period,
        }
    snap |= {
        "evaluationPeriods": alarm.evaluation_periods,
        "datapointsToAlarm": alarm.datapoints_to_alarm,
        "threshold": threshold,
        "comparisonOperator": alarm.operator,
        "treatMissingData": alarm.treat_missing,
        "alarmConfigurationUpdatedTimestamp": _cw(updated),
        "stateUpdatedTimestamp": _cw(state_at),
    }
    return snap


def _history_item(
    name: str, t: dt.datetime, kind: str, summary: str, data: dict[str, Any]
) -> tuple[dt.datetime, dict[str, Any]]:
    return t, {
        "AlarmName": name,
        "AlarmType": "MetricAlarm",
        "Timestamp": _cli(t),
        "HistoryItemType": kind,
        "HistorySummary": summary,
        "HistoryData": json.dumps(data, separators=(",", ":")),
    }


def _episode_facts(story: Timeline, seed: int) -> dict[str, Any]:
    """Return the injected episodes for the README: where to look, which alarms should fire."""
    found = episodes(story, seed)
    listed = [
        {
            "kind": e.kind,
            "start": _cli(e.start),
            "end": _cli(e.end),
            "alarms": list(e.alarms),
            "note": e.note,
        }
        for e in found
        if e.kind != ORDERS_BATCH
    ]
    bursts = sum(e.kind == ORDERS_BATCH for e in found)
    return {"listed": listed, "orders_batch_bursts": bursts}


def _build_alarms(
    story: Timeline, rng: random.Random, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """DescribeAlarms MetricAlarms, DescribeAlarmHistory items (newest first) and README facts."""
    window_start = story.end - dt.timedelta(days=HISTORY_DAYS)
    data = metric_series(story, scale=1.0, seed=seed)  # alarms see the metrics at scale 1
    raised = flapping_threshold_raised_at(story)
    created = burn_alarm_created_at(story)
    metric_alarms: list[dict[str, Any]] = []
    history: list[tuple[dt.datetime, dict[str, Any]]] = []
    spans: dict[str, list[list[str | None]]] = {}
    flapping_episodes = 0

    for alarm in ALARMS:
        changes = _evaluate(alarm, data, story, rng)
        configured_days = rng.randint(30, 300)
        if alarm.name == BURN_ALARM:
            configured = since = created
            current = {
                "stateValue": "INSUFFICIENT_DATA",
                "stateReason": "Unchecked: Initial alarm creation",
            }
            snap = _alarm_snapshot(alarm, "INSUFFICIENT_DATA", since, since, alarm.threshold)
            history.append(
                _history_item(
                    alarm.name,
                    since,
                    "ConfigurationUpdate",
                    f'Alarm "{alarm.name}" created',
                    {"version": "1.0", "type": "Create", "createdAlarm": snap},
                )
            )
        else:
            # The state the alarm had when the metrics begin was set before them.
            first = changes.pop(0)
            assert first.state != "ALARM", f"{alarm.name} is in ALARM when the metrics begin"
            if first.state == "INSUFFICIENT_DATA":
                since = _jitter(rng, story.end - _STALE_SINCE)
                window = [(ts, None, 0.0) for ts, _, _ in _before_the_data(alarm, since, rng)]
                current = _state(alarm, first.state, since, "OK", alarm.threshold, window)
            else:
                days = rng.randint(HISTORY_DAYS + 17, HISTORY_DAYS + 40)
                since = window_start - dt.timedelta(days=days, minutes=rng.randint(0, 1439))
                since = _jitter(rng, since, 0, 59)
                before = _before_the_data(alarm, since, rng)
                threshold = _FLAPPING_OLD_THRESHOLD if alarm.name == FLAPPING_ALARM else None
                current = _state(
                    alarm, "OK", since, "INSUFFICIENT_DATA", threshold or alarm.threshold, before
                )
            configured = since - dt.timedelta(days=configured_days)
        if alarm.name == FLAPPING_ALARM:
            configured = raised

        changed = since
        open_span: str | None = None
        for change in changes:
            t, value = change.at, change.state
            if alarm.name == FLAPPING_ALARM and configured < t and changed <= configured:
                state = current["stateValue"]
                snap = _alarm_snapshot(alarm, state, changed, configured, alarm.threshold)
                history.append(
                    _history_item(
                        alarm.name,
                        configured,
                        "ConfigurationUpdate",
                        f'Alarm "{alarm.name}" updated',
                        {"version": "1.0", "type": "Update", "updatedAlarm": snap},
                    )
                )
            new = _state(alarm, value, t, current["stateValue"], change.threshold, change.window)
            summary = f"Alarm updated from {current['stateValue']} to {value}"
            payload = {"version": "1.0", "oldState": current, "newState": new}
            history.append(_history_item(alarm.name, t, "StateUpdate", summary, payload))
            if value == "ALARM":
                open_span = _cli(t)
                flapping_episodes += alarm.name == FLAPPING_ALARM and t >= window_start
            elif open_span is not None:
                if t >= window_start:
                    spans.setdefault(alarm.name, []).append([open_span, _cli(t)])
                open_span = None
            current, changed = new, t
        if open_span is not None:
            spans.setdefault(alarm.name, []).append([open_span, None])

        entry: dict[str, Any] = {
            "AlarmName": alarm.name,
            "AlarmArn": _alarm_arn(alarm.name),
            "AlarmDescription": alarm.description,
            "AlarmConfigurationUpdatedTimestamp": _cli(configured),
            "ActionsEnabled": True,
            "OKActions": list(alarm.ok_actions),
            "AlarmActions": list(alarm.alarm_actions),
            "InsufficientDataActions": [],
            "StateValue": current["stateValue"],
            "StateReason": current["stateReason"],
        }
        if "stateReasonData" in current:  # absent while "Unchecked: Initial alarm creation"
            entry["StateReasonData"] = json.dumps(current["stateReasonData"], separators=(",", ":"))
        entry["StateUpdatedTimestamp"] = _cli(changed)
        if alarm.metrics:
            entry["Dimensions"] = []  # metric math alarms come back with an empty list
        else:
            entry["MetricName"] = alarm.metric
            entry["Namespace"] = alarm.namespace
            entry[_stat_key(alarm, "Statistic", "ExtendedStatistic")] = alarm.statistic
            entry["Dimensions"] = _dims(alarm.dimensions)
            entry["Period"] = alarm.period
        entry |= {
            "EvaluationPeriods": alarm.evaluation_periods,
            "DatapointsToAlarm": alarm.datapoints_to_alarm,
            "Threshold": alarm.threshold,
            "ComparisonOperator": alarm.operator,
            "TreatMissingData": alarm.treat_missing,
        }
        if alarm.metrics:
            entry["Metrics"] = json.loads(json.dumps(alarm.metrics))  # a deep copy
        entry["StateTransitionedTimestamp"] = _cli(changed)
        metric_alarms.append(entry)

    metric_alarms.sort(key=lambda a: a["AlarmName"])  # the API lists alarms by name
    # newest first, as DescribeAlarmHistory returns it by default
    history.sort(key=lambda item: (item[0], item[1]["AlarmName"]), reverse=True)
    items = [item for t, item in history if t >= window_start]
    facts = {
        "count": len(metric_alarms),
        "names": [a["AlarmName"] for a in metric_alarms],
        "in_alarm_at_end": [a["AlarmName"] for a in metric_alarms if a["StateValue"] == "ALARM"],
        "insufficient_data": [
            a["AlarmName"] for a in metric_alarms if a["StateValue"] == "INSUFFICIENT_DATA"
        ],
        "without_actions": [
            a["AlarmName"]
            for a in metric_alarms
            if not (a["AlarmActions"] or a["OKActions"] or a["InsufficientDataActions"])
        ],
        "evaluated_from": "the metric stream at scale 1 (the same seed): every state change is "
        "where the alarm's statistic crosses its threshold",
        "alarm_spans": {k: v for k, v in sorted(spans.items()) if k != FLAPPING_ALARM},
        "flapping": {
            "name": FLAPPING_ALARM,
            "alarm_episodes": flapping_episodes,
            "threshold_raised_at": _cli(raised),
            "cause": "orders-worker batch bursts and time-outs push the minute's p99 duration "
            "over the threshold",
        },
        "burn_alarm_created_at": _cli(created),
        "episodes": _episode_facts(story, seed),
        "history_items": len(items),
    }
    return metric_alarms, items, facts


# --------------------------------------------------------------------------------------------
# CloudTrail
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Actor:
    """Who calls the API: an assumed role session, possibly through an AWS service."""

    account: str
    role: str
    session: str
    source_ip: str
    user_agent: str
    role_path: str = ""
    invoked_by: str | None = None
    console: bool = False
    oidc: bool = False  # GitHub Actions federates with AssumeRoleWithWebIdentity

    def via(self, service: str) -> _Actor:
        """Return the same credentials as used by an AWS service on the caller's behalf."""
        host = f"{service}.amazonaws.com"
        return replace(self, invoked_by=host, source_ip=host, user_agent=host, console=False)


_CLI_LINUX = (
    "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 "
    "lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
    "md/distrib#ubuntu.22 md/prompt#off"
)
_CLI_MAC = (
    "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off"
)
_JS_SDK = (
    "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 "
    "api/ecs#3.637.0 exec-env/GitHubActions"
)
_GRAFANA_UA = "Grafana/11.3.0 aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)"
_SSO_PATH = "aws-reserved/sso.amazonaws.com/"


def _ci(account: str = _ACCT) -> _Actor:
    return _Actor(
        account,
        "GitHubActionsDeployRole",
        "github-actions-deploy",
        "203.0.113.41",
        _CLI_LINUX,
        oidc=True,
    )


def _sso(permission_set: str, suffix: str, user: str, ip: str, *, console: bool) -> _Actor:
    return _Actor(
        _ACCT,
        f"AWSReservedSSO_{permission_set}_{suffix}",
        f"{user}@northpeak.example",
        ip,
        "AWS Internal" if console else _CLI_MAC,
        role_path=_SSO_PATH,
        console=console,
    )


ONCALL = _sso(
    "OnCallEngineer", "7c1e5a9f03b24d68", "maya.lindqvist", "198.51.100.23", console=False
)
ONCALL_CONSOLE = replace(ONCALL, user_agent="AWS Internal", console=True)
ADMIN = _sso("PlatformAdmin", "2b8d4f6a1c3e5079", "tomas.ferreira", "198.51.100.61", console=False)
ADMIN_CONSOLE = replace(ADMIN, user_agent="AWS Internal", console=True)
READERS = tuple(
    _sso("ReadOnly", "5e0a2c4b6d8f1397", user, ip, console=True)
    for user, ip in (
        ("priya.raman", "198.51.100.87"),
        ("jonas.becker", "198.51.100.112"),
        ("ana.costa", "198.51.100.140"),
    )
)
CONFIG = _Actor(
    _ACCT,
    "AWSServiceRoleForConfig",
    "AWSConfig-Describe",
    "",
    "",
    role_path="aws-service-role/config.amazonaws.com/",
).via("config")
GRAFANA = _Actor(_ACCT, "grafana-cloudwatch-reader", "grafana", "192.0.2.44", _GRAFANA_UA)
CODEDEPLOY = _Actor(
    _ACCT, "orders-worker-CodeDeployServiceRole-1F3K9QX7ZL2M", "AWSCodeDeploy", "", ""
).via("codedeploy")

_EVENT_VERSION = {
    "s3.amazonaws.com": "1.09",
    "rds.amazonaws.com": "1.09",
    "ec2.amazonaws.com": "1.09",
}


def _role_id(account: str, role: str) -> str:
    digest = base64.b32encode(hashlib.sha256(f"{account}/{role}".encode()).digest()).decode()
    return "AROA" + digest[:17]


class _Trail:
    """Collects CloudTrail records, keeping one access key per role session."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: list[tuple[dt.datetime, str, str, dict[str, Any]]] = []
        self._sessions: dict[tuple[str, ...], tuple[dt.datetime, str]] = {}

    def _session(self, actor: _Actor, t: dt.datetime, start: dt.datetime | None) -> tuple[str, str]:
        opened = start or _floor(t, 3600)
        key = (actor.account, actor.role, actor.session, opened.isoformat())
        if key not in self._sessions:
            created = start or opened - dt.timedelta(seconds=self.rng.randint(60, 1800))
            self._sessions[key] = (created, "ASIAFAKE" + _token(self.rng, 12, _KEY_CHARS))
        created, key_id = self._sessions[key]
        return _ct(created), key_id

    def call(
        self,
        actor: _Actor,
        t: dt.datetime,
        source: str,
        name: str,
        request: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        region: str = REGION,
        user_agent: str | None = None,
        session_start: dt.datetime | None = None,
        resources: list[dict[str, str]] | None = None,
        additional: dict[str, Any] | None = None,
        host: str | None = None,
    ) -> dict[str, Any]:
        """Append one record (field order as CloudTrail writes it) and return it."""
        created, key_id = self._session(actor, t, session_start)
        role_id = _role_id(actor.account, actor.role)
        federation: dict[str, Any] = {}
        if actor.oidc:
            federation = {
                "federatedProvider": f"arn:aws:iam::{actor.account}:oidc-provider/"
                "token.actions.githubusercontent.com",
                "attributes": {},
            }
        identity: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{actor.session}",
            "arn": f"arn:aws:sts::{actor.account}:assumed-role/{actor.role}/{actor.session}",
            "accountId": actor.account,
            "accessKeyId": key_id,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{actor.account}:role/{actor.role_path}{actor.role}",
                    "accountId": actor.account,
                    "userName": actor.role,
                },
                "webIdFederationData": federation,
                "attributes": {"creationDate": created, "mfaAuthenticated": "false"},
            },
        }
        if actor.invoked_by:
            identity["invokedBy"] = actor.invoked_by
        record: dict[str, Any] = {
            "eventVersion": _EVENT_VERSION.get(source, "1.10"),
            "userIdentity": identity,
            "eventTime": _ct(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": actor.source_ip,
            "userAgent": user_agent or actor.user_agent,
            "requestParameters": request,
            "responseElements": response,
        }
        if additional:
            record["additionalEventData"] = additional
        request_id = (
            _token(self.rng, 16, "0123456789ABCDEF")
            if source == "s3.amazonaws.com"
            else _uuid(self.rng)
        )
        record |= {"requestID": request_id, "eventID": _uuid(self.rng), "readOnly": read_only}
        if resources:
            record["resources"] = resources
        record |= {
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": actor.account,
            "eventCategory": "Management",
        }
        if not actor.invoked_by:
            record["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host
                or f"{source.split('.')[0]}.{region}.amazonaws.com",
            }
        if actor.console:
            record["sessionCredentialFromConsole"] = "true"
        self.records.append((t, actor.account, region, record))
        return record


def _sha256_b64(rng: random.Random) -> str:
    return base64.b64encode(rng.getrandbits(256).to_bytes(32, "big")).decode()


def _git_sha(rng: random.Random) -> str:
    return _token(rng, 7, "0123456789abcdef")


# ---- deployments ---------------------------------------------------------------------------


def _ecs_service(
    account: str,
    rev: int,
    previous: int,
    at: dt.datetime,
    previous_at: dt.datetime,
    rng: random.Random,
) -> dict[str, Any]:
    """UpdateService responseElements.service (trimmed to the fields triage looks at)."""
    arn = f"arn:aws:ecs:{REGION}:{account}"
    td = f"{arn}:task-definition/{CHECKOUT.name}"

    def dep() -> str:
        return "ecs-svc/" + _token(rng, 19, string.digits)

    return {
        "service": {
            "serviceArn": f"{arn}:service/{ECS_CLUSTER}/{CHECKOUT.name}",
            "serviceName": CHECKOUT.name,
            "clusterArn": f"{arn}:cluster/{ECS_CLUSTER}",
            "loadBalancers": [
                {
                    "targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{account}:{TARGET_GROUP}",
                    "containerName": CHECKOUT.name,
                    "containerPort": 8080,
                }
            ],
            "status": "ACTIVE",
            "desiredCount": 6,
            "runningCount": 6,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": f"{td}:{rev}",
            # no circuit breaker: a deployment whose tasks pass health checks but return 5XX
            # completes and stays until someone rolls back by hand
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": dep(),
                    "status": "PRIMARY",
                    "taskDefinition": f"{td}:{rev}",
                    "desiredCount": 0,
                    "pendingCount": 0,
                    "runningCount": 0,
                    "failedTasks": 0,
                    "createdAt": _java(at),
                    "updatedAt": _java(at),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "IN_PROGRESS",
                    "rolloutStateReason": "ECS deployment in progress.",
                },
                {
                    "id": dep(),
                    "status": "ACTIVE",
                    "taskDefinition": f"{td}:{previous}",
                    "desiredCount": 6,
                    "pendingCount": 0,
                    "runningCount": 6,
                    "failedTasks": 0,
                    "createdAt": _java(previous_at),
                    "updatedAt": _java(previous_at + dt.timedelta(minutes=6, seconds=12)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment completed.",
                },
            ],
            "roleArn": f"arn:aws:iam::{account}:role/aws-service-role/ecs.amazonaws.com/"
            "AWSServiceRoleForECS",
            "createdAt": _java(dt.datetime(2025, 3, 3, 9, 14, 22, tzinfo=dt.UTC)),
            "enableECSManagedTags": True,
            "propagateTags": "NONE",
            "enableExecuteCommand": False,
            "healthCheckGracePeriodSeconds": 60,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
        }
    }


def _deploy_checkout(
    trail: _Trail,
    at: dt.datetime,
    rev: int,
    previous: int,
    *,
    actor: _Actor | None = None,
    account: str = _ACCT,
    previous_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Deploy checkout-api: RegisterTaskDefinition, then UpdateService at ``at``.

    A rollback (``actor`` given) reuses an existing revision, so it only calls UpdateService.
    """
    rng = trail.rng
    ci = actor is None
    who = actor or _ci(account)
    start = at - dt.timedelta(minutes=3, seconds=rng.randint(0, 50))  # CI job assumes the role
    if ci:
        image = f"{account}.dkr.ecr.{REGION}.amazonaws.com/{CHECKOUT.name}:{_git_sha(rng)}"
        registered = at - dt.timedelta(seconds=rng.randint(15, 40))
        trail.call(
            who,
            registered,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": CHECKOUT.name,
                "taskRoleArn": f"arn:aws:iam::{account}:role/checkout-api-task",
                "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
                "networkMode": "awsvpc",
                "containerDefinitions": [
                    {
                        "name": CHECKOUT.name,
                        "image": image,
                        "cpu": 0,
                        "portMappings": [
                            {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}
                        ],
                        "essential": True,
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": CHECKOUT.log_group,
                                "awslogs-region": REGION,
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                    }
                ],
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{account}:task-definition/"
                    f"{CHECKOUT.name}:{rev}",
                    "family": CHECKOUT.name,
                    "revision": rev,
                    "status": "ACTIVE",
                    "registeredAt": _java(registered),
                    "registeredBy": f"arn:aws:sts::{account}:assumed-role/{who.role}/{who.session}",
                }
            },
            user_agent=_JS_SDK,
            session_start=start,
        )
    trail.call(
        who,
        at,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": ECS_CLUSTER,
            "service": CHECKOUT.name,
            "taskDefinition": f"{CHECKOUT.name}:{rev}",
            "forceNewDeployment": False,
        },
        _ecs_service(account, rev, previous, at, previous_at or at - dt.timedelta(days=2), rng),
        user_agent=_JS_SDK if ci else f"{_CLI_MAC} md/command#ecs.update-service",
        session_start=start if ci else None,
    )
    # the deploy action (or the engineer) waits for the service to become stable
    waiter = who if ci else ONCALL_CONSOLE
    for i in range(1, 9):
        trail.call(
            waiter,
            at + dt.timedelta(seconds=15 * i + rng.randint(0, 3)),
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": ECS_CLUSTER, "services": [CHECKOUT.name]},
            read_only=True,
            user_agent=_JS_SDK if ci else None,
            session_start=start if ci else None,
        )
    return {
        "time": _sec(at),
        "account": account,
        "service": CHECKOUT.name,
        "event": "ecs:UpdateService",
        "version": f"{CHECKOUT.name}:{rev}",
        "previous": f"{CHECKOUT.name}:{previous}",
        "actor": who.role if ci else f"{who.role}/{who.session}",
    }


def _function_config(
    account: str, function: str, version: str, at: dt.datetime, sha: str, rng: random.Random
) -> dict[str, Any]:
    arn = f"arn:aws:lambda:{REGION}:{account}:function:{function}"
    return {
        "functionName": function,
        "functionArn": arn if version == "$LATEST" else f"{arn}:{version}",
        "runtime": "python3.12",
        "role": f"arn:aws:iam::{account}:role/{function}-role",
        "handler": "app.handler",
        "codeSize": 4_200_000 + rng.randint(0, 90_000),
        "description": "",
        "timeout": 15 if function == ORDERS_FUNCTION else 10,
        "memorySize": 1024 if function == ORDERS_FUNCTION else 512,
        "lastModified": _cw(at),
        "codeSha256": sha,
        "version": version,
        "tracingConfig": {"mode": "Active"},
        "revisionId": _uuid(rng),
        "state": "Active",
        "lastUpdateStatus": "InProgress" if version == "$LATEST" else "Successful",
        "packageType": "Zip",
        "architectures": ["arm64"],
        "ephemeralStorage": {"size": 512},
        # plain text START/END/REPORT and runtime lines (log levels apply to JSON format only)
        "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{function}"},
    }


def _deploy_catalog(trail: _Trail, alias_at: dt.datetime, version: int) -> dict[str, Any]:
    """UpdateFunctionCode, PublishVersion and UpdateAlias 'live' (the alias flip at ``alias_at``)."""
    rng = trail.rng
    ci = _ci()
    fn = CATALOG_FUNCTION
    start = alias_at - dt.timedelta(minutes=2, seconds=rng.randint(0, 40))
    code_at = alias_at - dt.timedelta(seconds=rng.randint(22, 30))
    sha = _sha256_b64(rng)
    git = _git_sha(rng)
    cli = f"{_CLI_LINUX} md/command#lambda."
    trail.call(
        ci,
        code_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": fn,
            "s3Bucket": ARTIFACT_BUCKET,
            "s3Key": f"{CATALOG.name}/{fn}-{git}.zip",
            "publish": False,
            "dryRun": False,
        },
        _function_config(_ACCT, fn, "$LATEST", code_at, sha, rng),
        user_agent=cli + "update-function-code",
        session_start=start,
    )
    for wait in (4, 8):  # aws lambda wait function-updated-v2
        trail.call(
            ci,
            code_at + dt.timedelta(seconds=wait),
            "lambda.amazonaws.com",
            "GetFunctionConfiguration20150331v2",
            {"functionName": fn},
            read_only=True,
            user_agent=cli + "wait",
            session_start=start,
        )
    publish_at = alias_at - dt.timedelta(seconds=rng.randint(6, 10))
    trail.call(
        ci,
        publish_at,
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        {"functionName": fn, "codeSha256": sha, "description": f"build {git}"},
        _function_config(_ACCT, fn, str(version), publish_at, sha, rng),
        user_agent=cli + "publish-version",
        session_start=start,
    )
    trail.call(
        ci,
        alias_at,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": fn, "name": "live", "functionVersion": str(version)},
        {
            "aliasArn": f"arn:aws:lambda:{REGION}:{_ACCT}:function:{fn}:live",
            "name": "live",
            "functionVersion": str(version),
            "description": "",
            "revisionId": _uuid(rng),
        },
        user_agent=cli + "update-alias",
        session_start=start,
    )
    return {
        "time": _sec(alias_at),
        "account": _ACCT,
        "service": CATALOG.name,
        "event": "lambda:UpdateAlias (live)",
        "version": f"{fn}:{version}",
        "previous": f"{fn}:{version - 1}",
        "actor": ci.role,
        "steps": {"UpdateFunctionCode": _sec(code_at), "PublishVersion": _sec(publish_at)},
    }


def _deploy_orders(trail: _Trail, release: Release) -> dict[str, Any]:
    """Deploy with SAM: a change set; CloudFormation updates the code and starts CodeDeploy.

    CodeDeploy's canary shifts the alias at the release's ``shift_at`` and ``full_at``, the times
    the orders-worker logs switch to the new version.
    """
    rng = trail.rng
    at, version = release.at, release.version
    ci = _ci()
    cfn = ci.via("cloudformation")
    fn = ORDERS_FUNCTION
    start = at - dt.timedelta(minutes=4, seconds=rng.randint(0, 50))
    stack_id = f"arn:aws:cloudformation:{REGION}:{_ACCT}:stack/{fn}/{_uuid(rng)}"
    change_set = f"samcli-deploy{int(at.timestamp()) - 70}"
    created = at - dt.timedelta(seconds=rng.randint(60, 80))
    cli = f"{_CLI_LINUX} md/command#cloudformation."
    trail.call(
        ci,
        created,
        "cloudformation.amazonaws.com",
        "CreateChangeSet",
        {
            "stackName": fn,
            "templateURL": f"https://{ARTIFACT_BUCKET}.s3.amazonaws.com/{fn}/{_git_sha(rng)}.template",
            "capabilities": ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
            "changeSetName": change_set,
            "changeSetType": "UPDATE",
            "description": f"Created by SAM CLI at {created:%Y-%m-%d %H:%M:%S} UTC",
        },
        {
            "id": f"arn:aws:cloudformation:{REGION}:{_ACCT}:changeSet/{change_set}/{_uuid(rng)}",
            "stackId": stack_id,
        },
        user_agent=cli + "create-change-set",
        session_start=start,
    )
    for wait in (15, 30):
        trail.call(
            ci,
            created + dt.timedelta(seconds=wait),
            "cloudformation.amazonaws.com",
            "DescribeChangeSet",
            {"changeSetName": change_set, "stackName": fn},
            read_only=True,
            user_agent=cli + "wait",
            session_start=start,
        )
    trail.call(
        ci,
        at,
        "cloudformation.amazonaws.com",
        "ExecuteChangeSet",
        {"changeSetName": change_set, "stackName": fn},
        None,
        user_agent=cli + "execute-change-set",
        session_start=start,
    )
    sha = _sha256_b64(rng)
    code_at = at + dt.timedelta(seconds=rng.randint(18, 25))
    trail.call(
        cfn,
        code_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": fn,
            "s3Bucket": ARTIFACT_BUCKET,
            "s3Key": f"{fn}/{_git_sha(rng)}",
            "publish": False,
            "dryRun": False,
        },
        _function_config(_ACCT, fn, "$LATEST", code_at, sha, rng),
        session_start=start,
    )
    publish_at = code_at + dt.timedelta(seconds=rng.randint(6, 9))
    trail.call(
        cfn,
        publish_at,
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        {"functionName": fn, "codeSha256": sha},
        _function_config(_ACCT, fn, str(version), publish_at, sha, rng),
        session_start=start,
    )
    deploy_at = publish_at + dt.timedelta(seconds=rng.randint(5, 9))
    deployment_id = "d-" + _token(rng, 9, string.ascii_uppercase + string.digits)
    trail.call(
        cfn,
        deploy_at,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        {
            "applicationName": fn,
            "deploymentGroupName": f"{fn}-live",
            "revision": {
                "revisionType": "AppSpecContent",
                "appSpecContent": {"sha256": hashlib.sha256(sha.encode()).hexdigest()},
            },
            "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        },
        {"deploymentId": deployment_id},
        session_start=start,
    )
    alias = {
        "aliasArn": f"arn:aws:lambda:{REGION}:{_ACCT}:function:{fn}:live",
        "name": "live",
        "description": "",
    }
    canary_at = release.shift_at
    weights = {"additionalVersionWeights": {str(version): release.canary}}
    trail.call(
        CODEDEPLOY,
        canary_at,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {
            "functionName": fn,
            "name": "live",
            "functionVersion": str(version - 1),
            "routingConfig": weights,
        },
        alias
        | {"functionVersion": str(version - 1), "routingConfig": weights, "revisionId": _uuid(rng)},
    )
    full_at = release.full_at
    trail.call(
        CODEDEPLOY,
        full_at,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {
            "functionName": fn,
            "name": "live",
            "functionVersion": str(version),
            "routingConfig": {"additionalVersionWeights": {}},
        },
        alias | {"functionVersion": str(version), "revisionId": _uuid(rng)},
    )
    return {
        "time": _sec(at),
        "account": _ACCT,
        "service": ORDERS.name,
        "event": "cloudformation:ExecuteChangeSet + codedeploy:CreateDeployment",
        "version": f"{fn}:{version}",
        "previous": f"{fn}:{version - 1}",
        "actor": ci.role,
        "codedeploy_deployment": deployment_id,
    }


def _observability_stack(
    trail: _Trail, alarm_at: dt.datetime, alarm: _Alarm, threshold: float
) -> dict[str, Any]:
    """UpdateStack of the alarms stack; CloudFormation then calls PutMetricAlarm."""
    rng = trail.rng
    ci = _ci()
    at = alarm_at.replace(microsecond=0) - dt.timedelta(seconds=rng.randint(35, 50))
    start = at - dt.timedelta(minutes=1, seconds=rng.randint(0, 50))
    trail.call(
        ci,
        at,
        "cloudformation.amazonaws.com",
        "UpdateStack",
        {
            "stackName": OBSERVABILITY_STACK,
            "templateURL": f"https://{ARTIFACT_BUCKET}.s3.amazonaws.com/observability/"
            f"{_git_sha(rng)}.yaml",
            "parameters": [
                {"parameterKey": "PageTopicArn", "usePreviousValue": True},
                {"parameterKey": "TicketTopicArn", "usePreviousValue": True},
            ],
            "capabilities": ["CAPABILITY_NAMED_IAM"],
        },
        {
            "stackId": f"arn:aws:cloudformation:{REGION}:{_ACCT}:stack/{OBSERVABILITY_STACK}/"
            "0c5e7a10-3b1f-11ef-9d2a-0e4f6b2a9c11"
        },
        user_agent=f"{_CLI_LINUX} md/command#cloudformation.update-stack",
        session_start=start,
    )
    request: dict[str, Any] = {
        "alarmName": alarm.name,
        "alarmDescription": alarm.description,
        "actionsEnabled": True,
        "oKActions": list(alarm.ok_actions),
        "alarmActions": list(alarm.alarm_actions),
        "evaluationPeriods": alarm.evaluation_periods,
        "datapointsToAlarm": alarm.datapoints_to_alarm,
        "threshold": threshold,
        "comparisonOperator": alarm.operator,
        "treatMissingData": alarm.treat_missing,
    }
    if alarm.metrics:
        request["metrics"] = _camel(list(alarm.metrics))
    else:
        request |= {
            "metricName": alarm.metric,
            "namespace": alarm.namespace,
            _stat_key(alarm, "statistic", "extendedStatistic"): alarm.statistic,
            "dimensions": [{"name": k, "value": v} for k, v in alarm.dimensions],
            "period": alarm.period,
        }
    trail.call(
        ci.via("cloudformation"),
        alarm_at,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        request,
        None,
        session_start=start,
    )
    return {
        "time": _sec(at),
        "account": _ACCT,
        "service": OBSERVABILITY_STACK,
        "event": "cloudformation:UpdateStack",
        "version": f"PutMetricAlarm {alarm.name} (threshold {threshold:g})",
        "previous": None,
        "actor": ci.role,
    }


# ---- configuration changes -----------------------------------------------------------------


def _config_changes(trail: _Trail, story: Timeline) -> list[dict[str, Any]]:
    """Record a few manual changes by platform admins, none of them related to the incident."""
    rng = trail.rng
    end = story.end
    changes = []

    t = _jitter(rng, end - dt.timedelta(days=9, hours=-16, minutes=-22), 0, 59)
    trail.call(
        ADMIN,
        t,
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": "shop-orders-pg16",
            "parameters": [
                {
                    "parameterName": "work_mem",
                    "parameterValue": "16384",
                    "applyMethod": "immediate",
                },
                {
                    "parameterName": "log_min_duration_statement",
                    "parameterValue": "500",
                    "applyMethod": "immediate",
                },
            ],
        },
        {"dBParameterGroupName": "shop-orders-pg16"},
        user_agent=f"{_CLI_MAC} md/command#rds.modify-db-parameter-group",
    )
    changes.append(
        {"time": _sec(t), "event": "rds:ModifyDBParameterGroup", "target": "shop-orders-pg16"}
    )

    t = _jitter(rng, end - dt.timedelta(days=7, hours=-11, minutes=-5), 0, 59)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudFrontRead",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{ASSETS_BUCKET}/*",
                "Condition": {
                    "StringEquals": {
                        "AWS:SourceArn": f"arn:aws:cloudfront::{_ACCT}:distribution/E2QWRUHEXAMPLE"
                    }
                },
            }
        ],
    }
    trail.call(
        ADMIN_CONSOLE,
        t,
        "s3.amazonaws.com",
        "PutBucketPolicy",
        {
            "bucketPolicy": policy,
            "bucketName": ASSETS_BUCKET,
            "Host": f"{ASSETS_BUCKET}.s3.amazonaws.com",
            "policy": "",
        },
        None,
        additional={
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 412,
            "AuthenticationMethod": "AuthHeader",
            "bytesTransferredOut": 0,
        },
        resources=[
            {"accountId": _ACCT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{ASSETS_BUCKET}"}
        ],
        host=f"{ASSETS_BUCKET}.s3.amazonaws.com",
    )
    changes.append({"time": _sec(t), "event": "s3:PutBucketPolicy", "target": ASSETS_BUCKET})

    t = _jitter(rng, end - dt.timedelta(days=6, hours=-14, minutes=-47), 0, 59)
    rule_id = "sgr-0" + _token(rng, 16, "0123456789abcdef")
    trail.call(
        ADMIN_CONSOLE,
        t,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": "sg-0a4c7e19d2b35f681",
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "groups": {
                            "items": [
                                {
                                    "groupId": "sg-03d9b1f5c7e2a4068",
                                    "description": "bastion to orders db",
                                }
                            ]
                        },
                        "ipRanges": {},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": _uuid(rng),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": _ACCT,
                        "groupId": "sg-0a4c7e19d2b35f681",
                        "securityGroupRuleId": rule_id,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "referencedGroupInfo": {"groupId": "sg-03d9b1f5c7e2a4068", "userId": _ACCT},
                        "description": "bastion to orders db",
                    }
                ]
            },
        },
    )
    changes.append(
        {
            "time": _sec(t),
            "event": "ec2:AuthorizeSecurityGroupIngress",
            "target": "sg-0a4c7e19d2b35f681",
        }
    )

    # same morning as the incident, touching checkout's log group: a plausible red herring
    t = _jitter(rng, story.deploy_at - dt.timedelta(hours=2, minutes=38), 0, 59)
    trail.call(
        ADMIN,
        t,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": CHECKOUT.log_group, "retentionInDays": 30},
        None,
        user_agent=f"{_CLI_MAC} md/command#logs.put-retention-policy",
    )
    changes.append(
        {"time": _sec(t), "event": "logs:PutRetentionPolicy", "target": CHECKOUT.log_group}
    )
    return changes


# ---- read-only noise -----------------------------------------------------------------------


def _reads() -> dict[
    str, tuple[str, str, Callable[[random.Random, dt.datetime], dict[str, Any] | None]]
]:
    """Read-only calls by name: (eventSource, eventName, requestParameters factory)."""
    fns = (CATALOG_FUNCTION, ORDERS_FUNCTION)
    alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{_ACCT}:loadbalancer/{LOAD_BALANCER}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{_ACCT}:{TARGET_GROUP}"

    def metric_data(rng: random.Random, t: dt.datetime) -> dict[str, Any]:
        ns, metric, dims = rng.choice(
            [
                (
                    "AWS/ApplicationELB",
                    "RequestCount",
                    [{"name": "LoadBalancer", "value": LOAD_BALANCER}],
                ),
                ("AWS/Lambda", "Invocations", [{"name": "FunctionName", "value": rng.choice(fns)}]),
                ("AWS/ApiGateway", "Latency", [{"name": "ApiName", "value": API_NAME}]),
                (
                    "AWS/RDS",
                    "CPUUtilization",
                    [{"name": "DBInstanceIdentifier", "value": DB_INSTANCE}],
                ),
            ]
        )
        return {
            "metricDataQueries": [
                {
                    "id": "a",
                    "metricStat": {
                        "metric": {"namespace": ns, "metricName": metric, "dimensions": dims},
                        "period": 60,
                        "stat": "Sum" if metric != "Latency" else "p99",
                    },
                    "returnData": True,
                }
            ],
            "startTime": _java(_floor(t, 60) - dt.timedelta(hours=3)),
            "endTime": _java(_floor(t, 60)),
        }

    return {
        "DescribeServices": (
            "ecs.amazonaws.com",
            "DescribeServices",
            lambda r, t: {"cluster": ECS_CLUSTER, "services": [CHECKOUT.name]},
        ),
        "DescribeTaskDefinition": (
            "ecs.amazonaws.com",
            "DescribeTaskDefinition",
            lambda r, t: {"taskDefinition": CHECKOUT.name, "include": ["TAGS"]},
        ),
        "ListTaskDefinitions": (
            "ecs.amazonaws.com",
            "ListTaskDefinitions",
            lambda r, t: {"familyPrefix": CHECKOUT.name, "sort": "DESC", "maxResults": 10},
        ),
        "GetFunction": (
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            lambda r, t: {"functionName": r.choice(fns)},
        ),
        "ListFunctions": ("lambda.amazonaws.com", "ListFunctions20150331", lambda r, t: None),
        "ListAliases": (
            "lambda.amazonaws.com",
            "ListAliases20150331",
            lambda r, t: {"functionName": r.choice(fns)},
        ),
        "DescribeSecurityGroups": (
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            lambda r, t: {"securityGroupSet": {}, "securityGroupIdSet": {}, "maxResults": 1000},
        ),
        "DescribeDBInstances": (
            "rds.amazonaws.com",
            "DescribeDBInstances",
            lambda r, t: {"dBInstanceIdentifier": DB_INSTANCE},
        ),
        "GetBucketPolicy": (
            "s3.amazonaws.com",
            "GetBucketPolicy",
            lambda r, t: {
                "bucketName": ASSETS_BUCKET,
                "Host": f"{ASSETS_BUCKET}.s3.amazonaws.com",
                "policy": "",
            },
        ),
        "DescribeLogGroups": (
            "logs.amazonaws.com",
            "DescribeLogGroups",
            lambda r, t: {
                "logGroupNamePrefix": r.choice(["/ecs/", "/aws/lambda/", "/aws/apigateway/"])
            },
        ),
        "DescribeLoadBalancers": (
            "elasticloadbalancing.amazonaws.com",
            "DescribeLoadBalancers",
            lambda r, t: {"loadBalancerArns": [alb_arn]},
        ),
        "DescribeTargetHealth": (
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            lambda r, t: {"targetGroupArn": tg_arn},
        ),
        "DescribeAlarms": (
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            lambda r, t: r.choice([None, {"stateValue": "ALARM"}, {"maxRecords": 100}]),
        ),
        "DescribeAlarmHistory": (
            "monitoring.amazonaws.com",
            "DescribeAlarmHistory",
            lambda r, t: {"alarmName": CHECKOUT_5XX_ALARM, "historyItemType": "StateUpdate"},
        ),
        "GetMetricData": ("monitoring.amazonaws.com", "GetMetricData", metric_data),
        "DescribeStacks": (
            "cloudformation.amazonaws.com",
            "DescribeStacks",
            lambda r, t: {"stackName": r.choice([OBSERVABILITY_STACK, ORDERS_FUNCTION])},
        ),
        "DescribeVpcs": (
            "ec2.amazonaws.com",
            "DescribeVpcs",
            lambda r, t: {"vpcSet": {}, "filterSet": {}},
        ),
    }


_READS = _reads()


def _read(
    trail: _Trail,
    actor: _Actor,
    t: dt.datetime,
    kind: str,
    *,
    region: str = REGION,
    user_agent: str | None = None,
) -> None:
    source, name, params = _READS[kind]
    request = params(trail.rng, t)
    trail.call(
        actor, t, source, name, request, None, read_only=True, region=region, user_agent=user_agent
    )


def _noise(trail: _Trail, story: Timeline) -> None:
    """Routine read-only traffic: AWS Config, a Grafana data source, people in the console."""
    rng = trail.rng
    start = story.end - dt.timedelta(days=TRAIL_DAYS)
    stop = story.end - dt.timedelta(minutes=20)  # every file is delivered before the end
    config_kinds = [
        "DescribeServices",
        "DescribeTaskDefinition",
        "GetFunction",
        "ListFunctions",
        "DescribeSecurityGroups",
        "DescribeDBInstances",
        "GetBucketPolicy",
        "DescribeLogGroups",
        "DescribeLoadBalancers",
        "DescribeAlarms",
    ]
    console_kinds = [
        "DescribeServices",
        "ListFunctions",
        "GetFunction",
        "DescribeAlarms",
        "DescribeDBInstances",
        "DescribeTargetHealth",
        "DescribeStacks",
        "DescribeLogGroups",
        "ListAliases",
        "GetMetricData",
    ]

    def burst(
        actor: _Actor,
        t0: dt.datetime,
        kinds: list[str],
        n: int,
        gap: tuple[int, int],
        region: str = REGION,
    ) -> None:
        t = t0
        for _ in range(n):
            if t >= stop:
                return
            _read(trail, actor, t, rng.choice(kinds), region=region)
            t += dt.timedelta(seconds=rng.randint(*gap))

    for day in range(TRAIL_DAYS):
        midnight = start + dt.timedelta(days=day)
        for hour in (1, 7, 13, 19):  # AWS Config periodic recording
            t0 = midnight + dt.timedelta(
                hours=hour, minutes=rng.randint(0, 40), seconds=rng.randint(0, 59)
            )
            burst(CONFIG, t0, config_kinds, rng.randint(6, 10), (1, 20))
        for hour in (4, 16):  # the recorder in the second region sees only network resources
            t0 = midnight + dt.timedelta(
                hours=hour, minutes=rng.randint(0, 40), seconds=rng.randint(0, 59)
            )
            burst(
                CONFIG,
                t0,
                ["DescribeSecurityGroups", "DescribeVpcs"],
                rng.randint(2, 4),
                (1, 9),
                region=SECOND_REGION,
            )
        for hour in range(0, 24, 3):  # dashboards refreshed by whoever has them open
            t0 = midnight + dt.timedelta(
                hours=hour, minutes=rng.randint(0, 50), seconds=rng.randint(0, 59)
            )
            burst(
                GRAFANA,
                t0,
                ["GetMetricData", "GetMetricData", "DescribeAlarms"],
                rng.randint(2, 4),
                (0, 3),
            )
        for _ in range(rng.randint(1, 3)):
            t0 = midnight + dt.timedelta(hours=rng.randint(9, 17), minutes=rng.randint(0, 59))
            burst(rng.choice(READERS), t0, console_kinds, rng.randint(3, 6), (10, 90))


def _investigation(trail: _Trail, story: Timeline) -> None:
    """Record the on-call engineer looking around in the console between page and rollback."""
    rng = trail.rng
    t = story.errors_start + dt.timedelta(minutes=7, seconds=rng.randint(0, 59))
    plan = [
        "DescribeAlarms",
        "DescribeAlarmHistory",
        "DescribeServices",
        "DescribeTargetHealth",
        "GetMetricData",
        "DescribeServices",
        "ListTaskDefinitions",
        "DescribeTaskDefinition",
        "DescribeTaskDefinition",
        "GetMetricData",
        "DescribeLogGroups",
        "DescribeTargetHealth",
    ]
    for kind in plan:
        if t >= story.rollback_at - dt.timedelta(minutes=1):
            break
        _read(trail, ONCALL_CONSOLE, t, kind)
        t += dt.timedelta(seconds=rng.randint(40, 170))


def _other_accounts(
    trail: _Trail, story: Timeline, prod_checkout: list[tuple[dt.datetime, int]]
) -> None:
    """Record a little outside shop-prod: staging deploys ahead of prod, an OpenSearch change."""
    rng = trail.rng
    for at, rev in prod_checkout:
        staged = at - dt.timedelta(hours=2, minutes=rng.randint(5, 50), seconds=rng.randint(0, 59))
        _deploy_checkout(trail, staged, rev + 25, rev + 24, account=_SHOP_STAGING.id)
    admin = replace(ADMIN, account=_DATA_PLATFORM.id)
    t = _jitter(rng, story.end - dt.timedelta(days=8, hours=-10, minutes=-14), 0, 59)
    trail.call(
        admin,
        t,
        "es.amazonaws.com",
        "UpdateDomainConfig",
        {
            "domainName": "analytics-logs",
            "clusterConfig": {"instanceType": "r6g.xlarge.search", "instanceCount": 6},
        },
        {
            "domainConfig": {
                "clusterConfig": {
                    "options": {"instanceType": "r6g.xlarge.search", "instanceCount": 6},
                    "status": {"state": "Processing"},
                }
            }
        },
        user_agent=f"{_CLI_MAC} md/command#opensearch.update-domain-config",
    )
    for i in range(3):
        trail.call(
            admin,
            t + dt.timedelta(minutes=2 + 3 * i, seconds=rng.randint(0, 59)),
            "es.amazonaws.com",
            "DescribeDomain",
            {"domainName": "analytics-logs"},
            None,
            read_only=True,
            user_agent=f"{_CLI_MAC} md/command#opensearch.describe-domain",
        )


def _build_trail(story: Timeline, rng: random.Random, seed: int) -> tuple[_Trail, dict[str, Any]]:
    trail = _Trail(rng)
    shipped = releases(story, seed)  # the deployments the logs and metrics follow too
    deployments: list[dict[str, Any]] = []
    # checkout-api: routine deploys every couple of days, then the bad one and the rollback
    checkout: list[tuple[dt.datetime, int]] = []
    bad: dict[str, Any] = {}
    rollback: dict[str, Any] = {}
    last: dt.datetime | None = None
    for release in (r for r in shipped if r.service == CHECKOUT.name):
        at, rev, previous = release.at, release.version, release.previous
        if release.rollback:
            rollback = _deploy_checkout(trail, at, rev, previous, actor=ONCALL, previous_at=last)
            deployments.append(rollback)
        else:
            deployments.append(_deploy_checkout(trail, at, rev, previous, previous_at=last))
            checkout.append((at, rev))
            if at == story.deploy_at:
                bad = deployments[-1]
                _investigation(trail, story)
        last = at

    # catalog-api-handler: routine deploys, then the one that starts the slow burn
    catalog: dict[str, Any] = {}
    for release in (r for r in shipped if r.service == CATALOG.name):
        deployments.append(_deploy_catalog(trail, release.at, release.version))
        if release.at == story.slow_burn_start:
            catalog = deployments[-1]

    # orders-worker via SAM and CodeDeploy; the last one is on the incident morning
    for release in (r for r in shipped if r.service == ORDERS.name):
        deployments.append(_deploy_orders(trail, release))

    flapping = next(a for a in ALARMS if a.name == FLAPPING_ALARM)
    burn = next(a for a in ALARMS if a.name == BURN_ALARM)
    deployments.append(
        _observability_stack(trail, burn_alarm_created_at(story), burn, burn.threshold)
    )
    deployments.append(
        _observability_stack(
            trail, flapping_threshold_raised_at(story), flapping, flapping.threshold
        )
    )
    changes = _config_changes(trail, story)
    _noise(trail, story)
    _other_accounts(trail, story, checkout)

    deployments.sort(key=lambda d: d["time"])
    facts = {
        "deployments": deployments,
        "bad_deploy": bad,
        "rollback": rollback,
        "catalog_deploy": catalog,
        "config_changes": changes,
    }
    return trail, facts


def _write_log_file(
    root: Path,
    account: str,
    region: str,
    closes: dt.datetime,
    batch: list[dict[str, Any]],
    rng: random.Random,
) -> str:
    """Write one gzip log file, named by its delivery time a few minutes after the batch closes."""
    delivered = closes + dt.timedelta(minutes=rng.randint(1, 4), seconds=rng.randint(0, 59))
    folder = root / "cloudtrail" / "AWSLogs" / account / "CloudTrail" / region
    folder = folder / f"{delivered:%Y/%m/%d}"
    stamp = f"{delivered:%Y%m%dT%H%MZ}"
    name = f"{account}_CloudTrail_{region}_{stamp}_{_token(rng, 16)}.json.gz"
    body = json.dumps({"Records": batch}, separators=(",", ":")).encode()
    folder.mkdir(parents=True, exist_ok=True)
    # mtime=0 and no file name in the gzip header keep the bytes reproducible
    (folder / name).write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
    return (folder / name).relative_to(root).as_posix()


def _write_trail(root: Path, trail: _Trail, rng: random.Random) -> dict[str, Any]:
    """Write records as CloudTrail log files: one file per 5-15 minutes of activity."""
    groups: dict[tuple[str, str], list[tuple[dt.datetime, dict[str, Any]]]] = {}
    for t, account, region, record in trail.records:
        groups.setdefault((account, region), []).append((t, record))
    files: list[str] = []
    for (account, region), items in sorted(groups.items()):
        items.sort(key=lambda item: item[0])
        batch: list[dict[str, Any]] = []
        closes = items[0][0]
        for t, record in items:
            if batch and t >= closes:
                files.append(_write_log_file(root, account, region, closes, batch, rng))
                batch = []
            if not batch:
                closes = t + dt.timedelta(minutes=rng.randint(5, 15))
            batch.append(record)
        files.append(_write_log_file(root, account, region, closes, batch, rng))
    write = sum(not r["readOnly"] for _, _, _, r in trail.records)
    return {
        "files": len(files),
        "records": len(trail.records),
        "write_records": write,
        "read_only_records": len(trail.records) - write,
        "accounts": sorted({a for a, _ in groups}),
        "regions": sorted({r for _, r in groups}),
        "first_file": min(files),
        "last_file": max(files),
    }


# --------------------------------------------------------------------------------------------
# AWS Health
# --------------------------------------------------------------------------------------------


def _health(story: Timeline, rng: random.Random) -> tuple[dict, dict, dict, dict[str, Any]]:
    """Build an RDS issue (closed, days before the incident) and an upcoming maintenance."""
    issue_code, maint_code = "AWS_RDS_OPERATIONAL_ISSUE", "AWS_RDS_MAINTENANCE_SCHEDULED"
    issue_arn = (
        f"arn:aws:health:{REGION}::event/RDS/{issue_code}/"
        f"{issue_code}_{_token(rng, 5, string.ascii_uppercase)}_{_token(rng, 12, string.digits)}"
    )
    maint_arn = f"arn:aws:health:{REGION}::event/RDS/{maint_code}/{maint_code}_{_token(rng, 24, '0123456789abcdef')}"
    issue_updated = _jitter(rng, story.health_end + dt.timedelta(minutes=17), 0, 59)
    maint_start = story.end + dt.timedelta(days=9, hours=6)
    maint_updated = _jitter(rng, story.end - dt.timedelta(days=6, hours=-18, minutes=-22), 0, 59)
    issue = {
        "arn": issue_arn,
        "service": "RDS",
        "eventTypeCode": issue_code,
        "eventTypeCategory": "issue",
        "region": REGION,
        "availabilityZone": f"{REGION}b",
        "startTime": _cli(story.health_start),
        "endTime": _cli(story.health_end),
        "lastUpdatedTime": _cli(issue_updated),
        "statusCode": "closed",
        "eventScopeCode": "ACCOUNT_SPECIFIC",
        "actionability": "INFORMATIONAL",
        "personas": ["OPERATIONS"],
    }
    maintenance = {
        "arn": maint_arn,
        "service": "RDS",
        "eventTypeCode": maint_code,
        "eventTypeCategory": "scheduledChange",
        "region": REGION,
        "startTime": _cli(maint_start),
        "endTime": _cli(maint_start + dt.timedelta(minutes=30)),
        "lastUpdatedTime": _cli(maint_updated),
        "statusCode": "upcoming",
        "eventScopeCode": "ACCOUNT_SPECIFIC",
        "actionability": "ACTION_MAY_BE_REQUIRED",
        "personas": ["OPERATIONS"],
    }

    def when(t: dt.datetime) -> str:
        return f"{t:%b} {t.day} {t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"

    issue_text = (
        "[RESOLVED] Increased storage latency\n\n"
        f"Between {when(story.health_start)} and {when(story.health_end)} UTC, a small number of "
        f"Amazon RDS database instances in a single Availability Zone ({REGION}b) in the "
        f"{REGION.upper()} Region experienced elevated storage I/O latency. Your DB instance "
        f"{DB_INSTANCE} was among the affected instances and may have seen higher read and write "
        "latency during this period. The issue has been resolved and the service is operating "
        "normally. No action is required."
    )
    maint_text = (
        f"A required operating system update is scheduled for your Amazon RDS DB instance "
        f"{DB_INSTANCE} in the {REGION.upper()} Region. It will be applied during the instance's "
        f"maintenance window starting {when(maint_start)} UTC. A Multi-AZ instance fails over to "
        "its standby during the update, which usually takes 60 to 120 seconds. To apply the "
        "update at a time of your choosing, use the apply-pending-maintenance-action command."
    )
    events = {"events": [issue, maintenance]}
    details = {
        "successfulSet": [
            {"event": issue, "eventDescription": {"latestDescription": issue_text}},
            {"event": maintenance, "eventDescription": {"latestDescription": maint_text}},
        ],
        "failedSet": [],
    }

    def entity(event_arn: str, status: str, updated: dt.datetime) -> dict[str, Any]:
        return {
            "entityArn": f"arn:aws:health:{REGION}:{_ACCT}:entity/g1{_token(rng, 30)}",
            "eventArn": event_arn,
            "entityValue": DB_INSTANCE,
            "awsAccountId": _ACCT,
            "lastUpdatedTime": _cli(updated),
            "statusCode": status,
        }

    entities = {
        "entities": [
            entity(issue_arn, "RESOLVED", issue_updated),
            entity(maint_arn, "PENDING", maint_updated),
        ]
    }
    facts = {
        "issue": {
            "arn": issue_arn,
            "eventTypeCode": issue_code,
            "start": issue["startTime"],
            "end": issue["endTime"],
            "affected": DB_INSTANCE,
        },
        "scheduled": {
            "arn": maint_arn,
            "eventTypeCode": maint_code,
            "start": maintenance["startTime"],
            "statusCode": "upcoming",
            "affected": DB_INSTANCE,
        },
    }
    return events, details, entities, facts


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=4) + "\n", encoding="utf-8")


def write_incident_context(root: Path, story: Timeline, *, seed: int = 7) -> dict[str, Any]:
    """Write alarms, alarm history, CloudTrail log files and AWS Health events under ``root``.

    Parameters
    ----------
    root : Path
        Output directory; ``alarms/``, ``cloudtrail/`` and ``health/`` are created below it.
    story : Timeline
        The injected events (from :func:`opsbook.sample.org.timeline`).
    seed : int, default 7
        Seed for jitter, values and IDs; the same seed gives byte-identical files.

    Returns
    -------
    dict
        JSON-serialisable facts for the generated README: alarm names and ALARM spans,
        deployments and config changes with times, the AWS Health events, file counts.

    Examples
    --------
    >>> import datetime as dt, tempfile
    >>> from opsbook.sample.org import timeline
    >>> story = timeline(dt.date(2026, 11, 15))
    >>> facts = write_incident_context(Path(tempfile.mkdtemp()), story)
    >>> facts["incident"]["bad_deploy"]["version"], facts["alarms"]["in_alarm_at_end"]
    ('checkout-api:43', ['catalog-api-availability-burn-rate-1h'])
    """
    root = Path(root)
    # separate streams so a change in one section does not reshuffle the others
    alarm_rng, trail_rng, file_rng, health_rng = (random.Random(seed * 1000 + k) for k in range(4))

    metric_alarms, history, alarm_facts = _build_alarms(story, alarm_rng, seed)
    _write_json(
        root / "alarms" / "describe-alarms.json",
        {"MetricAlarms": metric_alarms, "CompositeAlarms": []},
    )
    _write_json(root / "alarms" / "alarm-history.json", {"AlarmHistoryItems": history})

    trail, trail_facts = _build_trail(story, trail_rng, seed)
    file_facts = _write_trail(root, trail, file_rng)

    events, details, entities, health_facts = _health(story, health_rng)
    _write_json(root / "health" / "describe-events.json", events)
    _write_json(root / "health" / "describe-event-details.json", details)
    _write_json(root / "health" / "describe-affected-entities.json", entities)

    return {
        "as_of": story.as_of.isoformat(),
        "files": [
            "alarms/describe-alarms.json",
            "alarms/alarm-history.json",
            "cloudtrail/AWSLogs/",
            "health/describe-events.json",
            "health/describe-event-details.json",
            "health/describe-affected-entities.json",
        ],
        "alarms": alarm_facts,
        "incident": {
            "deploy_at": _cli(story.deploy_at),
            "errors_start": _cli(story.errors_start),
            "rollback_at": _cli(story.rollback_at),
            "errors_end": _cli(story.errors_end),
            "slow_burn_start": _cli(story.slow_burn_start),
            "bad_deploy": trail_facts["bad_deploy"],
            "rollback": trail_facts["rollback"],
            "catalog_deploy": trail_facts["catalog_deploy"],
        },
        "deployments": trail_facts["deployments"],
        "config_changes": trail_facts["config_changes"],
        "cloudtrail": file_facts,
        "health": health_facts,
    }
