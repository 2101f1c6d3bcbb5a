"""The alarms' history: DescribeAlarms and DescribeAlarmHistory output, evaluated over the metrics.

The history is not made up: every alarm of :data:`~opsbook.sample.incident.alarms.ALARMS` is
evaluated (:mod:`opsbook.sample.incident.alarmeval`) over the metrics the metric stream holds
(:func:`opsbook.sample.metrics.metric_series`, scale 1, same seed), so each ALARM span is exactly
where its metric crosses the threshold. Each state change carries the stateReason and
stateReasonData CloudWatch writes, with the datapoints that decided it.

Examples
--------
>>> import datetime as dt, random
>>> from opsbook.sample.org import timeline
>>> alarms, items, facts = build_alarms(timeline(dt.date(2026, 11, 15)), random.Random(7000), 7)
>>> facts["in_alarm_at_end"], items[0]["HistoryItemType"]
(['catalog-api-availability-burn-rate-1h'], 'StateUpdate')
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from opsbook.sample.episodes import (
    BURN_ALARM,
    FLAPPING_ALARM,
    ORDERS_BATCH,
    burn_alarm_created_at,
    episodes,
    flapping_threshold_raised_at,
)
from opsbook.sample.incident import alarmeval
from opsbook.sample.incident.alarms import (
    ALARMS,
    Alarm,
    alarm_arn,
    alarm_snapshot,
    api_dimensions,
    stat_key,
)
from opsbook.sample.incident.formats import cli_time, cloudwatch_time, floor_time, jitter
from opsbook.sample.metrics import MetricData, metric_series
from opsbook.sample.org import Timeline

__all__ = ["HISTORY_DAYS", "build_alarms"]

HISTORY_DAYS = 14  # DescribeAlarmHistory keeps two weeks

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
    alarm: Alarm,
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
        "queryDate": cloudwatch_time(at - dt.timedelta(milliseconds=7)),
    }
    if value == "INSUFFICIENT_DATA":
        if not alarm.metrics:
            reason_data["statistic"] = alarm.statistic
        reason_data |= {
            "period": alarm.period,
            "recentDatapoints": [],
            "threshold": threshold,
            "evaluatedDatapoints": [{"timestamp": cloudwatch_time(ts)} for ts in stamps],
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
    reason_data["startDate"] = cloudwatch_time(stamps[-1])
    if not alarm.metrics:
        reason_data["statistic"] = alarm.statistic
    evaluated = []
    for ts, v, samples in window:
        point: dict[str, Any] = {"timestamp": cloudwatch_time(ts)}
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


def _before_the_data(alarm: Alarm, at: dt.datetime, rng: random.Random) -> list[_Point]:
    """Datapoints of a state set before the metric stream's window: values in the normal range."""
    latest = floor_time(at, alarm.period) - dt.timedelta(seconds=alarm.period)
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


def _alarm_points(alarm: Alarm, data: MetricData) -> alarmeval.Datapoints:
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


def _evaluate(alarm: Alarm, data: MetricData, story: Timeline, rng: random.Random) -> list[_Change]:
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


def _history_item(
    name: str, t: dt.datetime, kind: str, summary: str, data: dict[str, Any]
) -> tuple[dt.datetime, dict[str, Any]]:
    return t, {
        "AlarmName": name,
        "AlarmType": "MetricAlarm",
        "Timestamp": cli_time(t),
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
            "start": cli_time(e.start),
            "end": cli_time(e.end),
            "alarms": list(e.alarms),
            "note": e.note,
        }
        for e in found
        if e.kind != ORDERS_BATCH
    ]
    bursts = sum(e.kind == ORDERS_BATCH for e in found)
    return {"listed": listed, "orders_batch_bursts": bursts}


def build_alarms(
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
            snap = alarm_snapshot(alarm, "INSUFFICIENT_DATA", since, since, alarm.threshold)
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
                since = jitter(rng, story.end - _STALE_SINCE)
                window = [(ts, None, 0.0) for ts, _, _ in _before_the_data(alarm, since, rng)]
                current = _state(alarm, first.state, since, "OK", alarm.threshold, window)
            else:
                days = rng.randint(HISTORY_DAYS + 17, HISTORY_DAYS + 40)
                since = window_start - dt.timedelta(days=days, minutes=rng.randint(0, 1439))
                since = jitter(rng, since, 0, 59)
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
                snap = alarm_snapshot(alarm, state, changed, configured, alarm.threshold)
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
                open_span = cli_time(t)
                flapping_episodes += alarm.name == FLAPPING_ALARM and t >= window_start
            elif open_span is not None:
                if t >= window_start:
                    spans.setdefault(alarm.name, []).append([open_span, cli_time(t)])
                open_span = None
            current, changed = new, t
        if open_span is not None:
            spans.setdefault(alarm.name, []).append([open_span, None])

        entry: dict[str, Any] = {
            "AlarmName": alarm.name,
            "AlarmArn": alarm_arn(alarm.name),
            "AlarmDescription": alarm.description,
            "AlarmConfigurationUpdatedTimestamp": cli_time(configured),
            "ActionsEnabled": True,
            "OKActions": list(alarm.ok_actions),
            "AlarmActions": list(alarm.alarm_actions),
            "InsufficientDataActions": [],
            "StateValue": current["stateValue"],
            "StateReason": current["stateReason"],
        }
        if "stateReasonData" in current:  # absent while "Unchecked: Initial alarm creation"
            entry["StateReasonData"] = json.dumps(current["stateReasonData"], separators=(",", ":"))
        entry["StateUpdatedTimestamp"] = cli_time(changed)
        if alarm.metrics:
            entry["Dimensions"] = []  # metric math alarms come back with an empty list
        else:
            entry["MetricName"] = alarm.metric
            entry["Namespace"] = alarm.namespace
            entry[stat_key(alarm, "Statistic", "ExtendedStatistic")] = alarm.statistic
            entry["Dimensions"] = api_dimensions(alarm.dimensions)
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
        entry["StateTransitionedTimestamp"] = cli_time(changed)
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
            "threshold_raised_at": cli_time(raised),
            "cause": "orders-worker batch bursts and time-outs push the minute's p99 duration "
            "over the threshold",
        },
        "burn_alarm_created_at": cli_time(created),
        "episodes": _episode_facts(story, seed),
        "history_items": len(items),
    }
    return metric_alarms, items, facts


def _fmt(value: float) -> str:
    return repr(float(value))
