"""Every sample source tells one story: alarms, metrics, logs and CloudTrail agree.

The alarms are re-evaluated here from the written metric stream with a deliberately plain
implementation of CloudWatch's rules (independent of :mod:`opsbook.sample.incident.alarmeval`), and the
result must be the alarm history the incident generator wrote. Deployments in CloudTrail must come
before what they change in the metrics and logs.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from opsbook.sample import org
from opsbook.sample.episodes import (
    FLAPPING_ALARM,
    ORDERS_BATCH,
    ORDERS_POISON,
    SLOW_BURN,
    episodes,
)
from opsbook.sample.incident import alarmeval
from opsbook.sample.traffic import CHECKOUT_TASKS
from support.sample import pinned_facts

AS_OF = dt.date(2026, 11, 15)
SEED = 7
STORY = org.timeline(AS_OF)
MINUTE = 60_000


def _ms(when: dt.datetime) -> int:
    return int(round(when.timestamp() * 1000))


def _time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


END = _ms(STORY.end)
HISTORY_START = _ms(STORY.end - dt.timedelta(days=14))
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}


@pytest.fixture(scope="module")
def root(sample_dir: Path) -> Path:
    """The session's pinned sample: its metrics, incident context and logs are what
    ``write_metrics``, ``write_incident_context`` and ``write_logs`` write for this story and seed
    (each part is written on its own), so they are checked as generated, without a second copy."""
    pinned_facts(sample_dir, AS_OF, SEED, {"metrics", "incident", "logs"})
    return sample_dir


Series = dict[str, list]  # ts, sum, count, max, min, p99: one entry per 1-minute record


@pytest.fixture(scope="module")
def metrics(root: Path) -> dict[tuple, Series]:
    """Read the Metric Streams JSON back with DuckDB: {(namespace, metric, dims): columns}.

    Only the metrics the alarms and these tests look at are kept, to stay quick.
    """
    stream = root / "metrics" / org.METRIC_STREAM  # what write_metrics writes (not the canaries')
    wanted = ("HTTPCode_Target_5XX_Count", "TargetResponseTime", "CPUUtilization", "5XXError",
              "Count", "Errors", "Invocations", "Throttles", "Duration")  # fmt: skip
    table = duckdb.sql(
        f"""
        SELECT namespace, metric_name, CAST(dimensions AS VARCHAR) AS dims, "timestamp" AS ts,
               value.sum AS sum, value.count AS count, value.max AS max, value.min AS min,
               value.p99 AS p99
        FROM read_json('{stream.as_posix()}/**/*.gz', format = 'newline_delimited',
            compression = 'gzip', columns = {{
                'namespace': 'VARCHAR', 'metric_name': 'VARCHAR', 'dimensions': 'JSON',
                'timestamp': 'BIGINT',
                'value': 'STRUCT(max DOUBLE, min DOUBLE, sum DOUBLE, count DOUBLE, p99 DOUBLE)'}})
        WHERE metric_name IN {wanted}
        ORDER BY namespace, metric_name, dims, ts
        """
    ).fetchnumpy()
    keys = list(zip(table["namespace"], table["metric_name"], table["dims"], strict=True))
    bounds = [0] + [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]] + [len(keys)]
    out: dict[tuple, Series] = {}
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        namespace, metric, dims = keys[lo]
        key = (namespace, metric, frozenset(json.loads(dims).items()))
        out[key] = {
            name: table[name][lo:hi].tolist()
            for name in ("ts", "sum", "count", "max", "min", "p99")
        }
    return out


@pytest.fixture(scope="module")
def alarms(root: Path) -> dict[str, dict[str, Any]]:
    described = json.loads((root / "alarms" / "describe-alarms.json").read_text())
    return {a["AlarmName"]: a for a in described["MetricAlarms"]}


@pytest.fixture(scope="module")
def history(root: Path) -> list[dict[str, Any]]:
    items = json.loads((root / "alarms" / "alarm-history.json").read_text())["AlarmHistoryItems"]
    return sorted(items, key=lambda h: h["Timestamp"])


@pytest.fixture(scope="module")
def trail(root: Path) -> list[dict[str, Any]]:
    records = []
    for path in sorted((root / "cloudtrail").rglob("*.json.gz")):
        records += json.loads(gzip.decompress(path.read_bytes()))["Records"]
    return sorted(records, key=lambda r: r["eventTime"])


@pytest.fixture(scope="module")
def exported(root: Path) -> dict[str, dict[str, list[tuple[int, str]]]]:
    """{log group: {log stream: [(epoch ms, message)]}} from the CreateExportTask layout."""
    base = root / "logs" / "export"
    groups: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(base.rglob("*.gz")):
        parts = path.relative_to(base).parts
        task = next(i for i, p in enumerate(parts) if re.fullmatch(r"[0-9a-f-]{36}", p))
        group, stream = "/" + "/".join(parts[:task]), "/".join(parts[task + 1 : -1])
        for line in gzip.decompress(path.read_bytes()).decode().splitlines():
            stamp, _, message = line.partition(" ")
            groups[group][stream].append((_ms(_time(stamp)), message))
    return groups


# -- a plain CloudWatch alarm evaluator -----------------------------------------------------------


def _datapoints(series: Series | None, stat: str, period: int) -> dict[int, float]:
    """Period start (epoch ms) -> the statistic over the period, from the 1-minute records."""
    if series is None:
        return {}
    width = period * 1000
    rows: dict[int, list[int]] = defaultdict(list)
    for i, ts in enumerate(series["ts"]):
        rows[ts - ts % width].append(i)
    out = {}
    for start, index in rows.items():
        column = {k: [series[k][i] for i in index] for k in ("sum", "count", "max", "min", "p99")}
        if stat == "Average":
            out[start] = sum(column["sum"]) / sum(column["count"])
        elif stat in ("Sum", "SampleCount"):
            out[start] = sum(column["sum" if stat == "Sum" else "count"])
        elif stat in ("Maximum", "Minimum"):
            out[start] = (max if stat == "Maximum" else min)(column[stat[:3].lower()])
        else:  # a percentile of one minute is the record's own
            assert stat == "p99" and period == 60 and len(index) == 1, stat
            out[start] = column["p99"][0]
    return out


def _find(metrics: dict[tuple, Series], namespace: str, name: str, dims: list[dict]) -> Series:
    return metrics.get((namespace, name, frozenset((d["Name"], d["Value"]) for d in dims)))


def _alarm_points(alarm: dict[str, Any], metrics: dict[tuple, Series]) -> dict[int, float]:
    if "Metrics" not in alarm:
        stat = alarm.get("Statistic") or alarm["ExtendedStatistic"]
        series = _find(metrics, alarm["Namespace"], alarm["MetricName"], alarm["Dimensions"])
        return _datapoints(series, stat, alarm["Period"])
    variables = {}
    for query in alarm["Metrics"]:
        if "MetricStat" in query:
            stat, metric = query["MetricStat"], query["MetricStat"]["Metric"]
            series = _find(metrics, metric["Namespace"], metric["MetricName"], metric["Dimensions"])
            variables[query["Id"]] = _datapoints(series, stat["Stat"], stat["Period"])
    expression = next(q["Expression"] for q in alarm["Metrics"] if q["ReturnData"])
    scope = {"__builtins__": {}, "IF": lambda condition, yes, no: yes if condition else no}
    starts = set.intersection(*(set(v) for v in variables.values()))
    return {
        s: eval(expression, scope, {k: v[s] for k, v in variables.items()})  # noqa: S307
        for s in starts
    }


def _period(alarm: dict[str, Any]) -> int:
    if "Metrics" in alarm:
        return next(q["MetricStat"]["Period"] for q in alarm["Metrics"] if "MetricStat" in q)
    return alarm["Period"]


def _evaluate(
    alarm: dict[str, Any],
    points: dict[int, float],
    threshold: Callable[[int], float],
    first: int,
    until: int = END,
) -> list[tuple[int, str]]:
    """Evaluate the alarm at ``first`` and after every period from then until ``until``.

    Returns the state changes as (evaluation time, state), the first evaluation included.
    """
    period = _period(alarm) * 1000
    n, m = alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]
    compare, treat = OPERATORS[alarm["ComparisonOperator"]], alarm["TreatMissingData"]
    changes: list[tuple[int, str]] = []
    evaluation = first
    while evaluation < until:
        newest_end = evaluation - evaluation % period
        seen = breaching = 0
        for k in range(n):
            start = newest_end - period * (k + 1)
            if start in points:
                seen += 1
                breaching += compare(points[start], threshold(evaluation))
            elif treat in ("breaching", "notBreaching"):
                seen += 1
                breaching += treat == "breaching"
        state = "INSUFFICIENT_DATA" if not seen else ("ALARM" if breaching >= m else "OK")
        if not changes or changes[-1][1] != state:
            changes.append((evaluation, state))
        evaluation = newest_end + period
    return changes


def _state_updates(history: list[dict[str, Any]], name: str) -> list[tuple[int, dict, dict]]:
    out = []
    for item in history:
        if item["AlarmName"] == name and item["HistoryItemType"] == "StateUpdate":
            data = json.loads(item["HistoryData"])
            out.append((_ms(_time(item["Timestamp"])), data["oldState"], data["newState"]))
    return out


def _config_updates(history: list[dict[str, Any]], name: str) -> list[tuple[int, dict]]:
    return [
        (_ms(_time(item["Timestamp"])), json.loads(item["HistoryData"]))
        for item in history
        if item["AlarmName"] == name and item["HistoryItemType"] == "ConfigurationUpdate"
    ]


def _thresholds(alarm: dict[str, Any], history: list[dict[str, Any]]) -> Callable[[int], float]:
    """The threshold in force at each time: a stack update may have changed it."""
    updates = [
        (t, d) for t, d in _config_updates(history, alarm["AlarmName"]) if d["type"] == "Update"
    ]
    if not updates:
        return lambda _: alarm["Threshold"]
    (changed, data), *_ = updates
    assert data["updatedAlarm"]["threshold"] == alarm["Threshold"]
    old = {
        new["stateReasonData"]["threshold"]
        for t, _, new in _state_updates(history, alarm["AlarmName"])
        if t < changed
    }
    assert len(old) == 1 and old != {alarm["Threshold"]}, old
    (before,) = old
    return lambda t: alarm["Threshold"] if t > changed else before


Evaluated = dict[str, tuple[dict[int, float], list[tuple[int, str]]]]


@pytest.fixture(scope="module")
def evaluated(alarms: dict, history: list, metrics: dict) -> Evaluated:
    """Each alarm's datapoints and state changes, evaluated here from the metric stream."""
    out = {}
    for name, alarm in alarms.items():
        points = _alarm_points(alarm, metrics)
        created = [t for t, d in _config_updates(history, name) if d["type"] == "Create"]
        first = created[0] if created else _ms(STORY.metrics_start) + _period(alarm) * 1000
        out[name] = points, _evaluate(alarm, points, _thresholds(alarm, history), first)
    return out


# -- alarms against metrics -----------------------------------------------------------------------


def test_every_alarm_history_follows_from_the_metrics(
    alarms: dict, history: list, evaluated: Evaluated
) -> None:
    assert len(alarms) == 11
    for name, alarm in alarms.items():
        points, changes = evaluated[name]
        created = bool([d for _, d in _config_updates(history, name) if d["type"] == "Create"])
        # state changes CloudWatch records within the history's two weeks
        expected = [(e, s) for e, s in changes[(0 if created else 1) :] if e >= HISTORY_START]
        recorded = _state_updates(history, name)
        assert [s for _, s in expected] == [new["stateValue"] for _, _, new in recorded], name
        for (when, _), (at, _, new) in zip(expected, recorded, strict=True):
            # recorded shortly after the period that decided it ended
            assert 0 <= at - when < MINUTE, (name, at, when)
            reason = new["stateReasonData"]
            for point in reason["evaluatedDatapoints"]:
                start = _ms(_time(point["timestamp"].replace("+0000", "+00:00")))
                if "value" in point:
                    assert point["value"] == pytest.approx(points[start], rel=1e-6, abs=1e-6)
                else:
                    assert start not in points, (name, point)
        before = [s for e, s in changes if e < HISTORY_START]
        if recorded:  # the state the two weeks start in is the one the metrics had
            assert recorded[0][1]["stateValue"] == (before[-1] if before else "INSUFFICIENT_DATA")
        assert alarm["StateValue"] == changes[-1][1], name


def test_alarm_states_at_the_end(alarms: dict) -> None:
    states = {name: alarm["StateValue"] for name, alarm in alarms.items()}
    assert [n for n, s in states.items() if s == "ALARM"] == [
        "catalog-api-availability-burn-rate-1h"
    ]
    assert [n for n, s in states.items() if s == "INSUFFICIENT_DATA"] == ["inventory-sync-errors"]


def test_every_episode_trips_its_alarms_and_nothing_else_does(
    alarms: dict, metrics: dict, evaluated: Evaluated
) -> None:
    found = episodes(STORY, SEED)
    assert all(_ms(STORY.metrics_start) <= _ms(e.start) < _ms(e.end) <= END for e in found)
    spans: dict[str, list[tuple[int, int]]] = {}
    for name in alarms:
        _, changes = evaluated[name]
        opened = None
        for at, state in changes:
            if state == "ALARM":
                opened = at
            elif opened is not None:
                spans.setdefault(name, []).append((opened, at))
                opened = None
        if opened is not None:
            spans.setdefault(name, []).append((opened, END))
    for episode in found:
        if episode.kind == ORDERS_BATCH:
            continue  # bursts near the threshold need not all cross it
        for name in episode.alarms:
            period = _period(alarms[name]) * 1000 * alarms[name]["EvaluationPeriods"]
            assert any(
                s < _ms(episode.end) + period and _ms(episode.start) < e for s, e in spans[name]
            ), (episode.kind, name)
    # and every ALARM span has an episode behind it (or, for the flapping alarm, a time-out)
    errors = _datapoints(
        _find(
            metrics, "AWS/Lambda", "Errors", [{"Name": "FunctionName", "Value": "orders-worker"}]
        ),
        "Sum",
        60,
    )
    bursts = 0
    for name, found_spans in spans.items():
        for start, end in found_spans:
            period = _period(alarms[name]) * 1000 * alarms[name]["EvaluationPeriods"]
            behind = [
                e
                for e in found
                if name in e.alarms and _ms(e.start) < end and start < _ms(e.end) + period
            ]
            if name == FLAPPING_ALARM and not behind:
                assert errors.get(start - MINUTE, 0) > 0, (name, start)  # a time-out or crash
            else:
                assert behind, (name, start, end)
            bursts += name == FLAPPING_ALARM and any(e.kind == ORDERS_BATCH for e in behind)
    flapping = [s for s, _ in spans[FLAPPING_ALARM] if s >= HISTORY_START]
    assert len(flapping) >= 28 and bursts >= 20  # several a day, mostly batch bursts
    assert {e.kind for e in found} >= {ORDERS_POISON, SLOW_BURN}


def test_checkout_spans_follow_the_incident(alarms: dict, history: list, metrics: dict) -> None:
    for name in ("checkout-api-alb-target-5xx", "checkout-api-alb-target-response-time-p99"):
        recorded = _state_updates(history, name)
        assert [new["stateValue"] for *_, new in recorded] == ["ALARM", "OK"]
        (opened, *_), (closed, *_) = recorded
        assert (
            _ms(STORY.errors_start) + 3 * MINUTE <= opened < _ms(STORY.errors_start) + 10 * MINUTE
        )
        assert _ms(STORY.rollback_at) <= closed < _ms(STORY.errors_end) + 5 * MINUTE
    # three breaching minutes open the 5XX alarm: the third one ends just before it opens
    series = _find(
        metrics,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        alarms["checkout-api-alb-target-5xx"]["Dimensions"],
    )
    per_minute = _datapoints(series, "Sum", 60)
    opened = _state_updates(history, "checkout-api-alb-target-5xx")[0][0]
    last = opened - opened % MINUTE - MINUTE
    assert [per_minute.get(last - k * MINUTE, 0) > 25 for k in range(4)] == [True] * 3 + [False]


def test_burn_rate_steps_at_the_catalog_release(evaluated: Evaluated) -> None:
    points, changes = evaluated["catalog-api-availability-burn-rate-1h"]
    flip = _ms(STORY.slow_burn_start)
    after = [v for s, v in points.items() if s >= flip]
    before = [v for s, v in points.items() if flip - 86_400_000 <= s < flip]
    assert min(after) > 2.0 and max(after) < 4.0  # ~0.26 % errors: a step, about 2.6x burn
    assert max(before) < 0.6  # ~0.03 %
    assert changes[-1] == (flip + 2 * 3_600_000, "ALARM")  # 2 of 3 hours: two hours later


# -- deployments against metrics and logs ---------------------------------------------------------


def _prod(trail: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [
        r for r in trail if r["eventName"] == name and r["recipientAccountId"] == org.SHOP_PROD.id
    ]


def test_ecs_deployments_precede_task_sets_in_metrics_and_logs(
    trail: list, metrics: dict, exported: dict
) -> None:
    updates = [
        (_ms(_time(r["eventTime"])), r["requestParameters"]["taskDefinition"])
        for r in _prod(trail, "UpdateService")
    ]
    assert len(updates) == 8
    cpu = metrics[
        ("AWS/ECS", "CPUUtilization", frozenset({"ClusterName": org.ECS_CLUSTER,
                                                 "ServiceName": org.CHECKOUT.name}.items()))
    ]  # fmt: skip
    doubled = [ts for ts, n in zip(cpu["ts"], cpu["count"], strict=True) if n > 6]
    starts = sorted(t - t % MINUTE for t, _ in updates)
    assert doubled == [s + k * MINUTE for s in starts for k in (0, 1)]  # old and new tasks overlap

    records = [
        (ts, json.loads(m))
        for events in exported[org.CHECKOUT.log_group].values()
        for ts, m in events
    ]
    for at, taskdef in updates:
        if at < _ms(STORY.logs_start):
            continue
        boots = [
            ts
            for ts, r in records
            if r["msg"] == f"starting checkout-api task definition {taskdef}"
            and 0 < ts - at < MINUTE
        ]
        assert len(boots) == CHECKOUT_TASKS, taskdef  # a new task set boots after each call

    def serving(ts: int) -> set[str]:
        """The task definitions that may answer at ``ts``: the new set takes over within 60 s."""
        older = [d for at, d in updates if at <= ts - MINUTE]
        newer = [d for at, d in updates if ts - MINUTE < at <= ts]
        return set(older[-1:] + newer)

    served = [(ts, r["task_definition"]) for ts, r in records if r["msg"] == "request completed"]
    assert len(served) > 30_000
    assert all(d in serving(ts) for ts, d in served)


def test_lambda_releases_precede_their_versions_in_logs(trail: list, exported: dict) -> None:
    def alias_updates(function: str) -> list[tuple[int, dict]]:
        return [
            (_ms(_time(r["eventTime"])), r["requestParameters"])
            for r in _prod(trail, "UpdateAlias20150331")
            if r["requestParameters"]["functionName"] == function
        ]

    def starts(group: str) -> list[tuple[int, int]]:
        return sorted(
            (ts, int(m.rsplit(" ", 1)[1]))
            for events in exported[group].values()
            for ts, m in events
            if m.startswith("START RequestId: ")
        )

    # catalog-api-handler: the alias flip moves every invocation to the new version at once
    flips = alias_updates("catalog-api-handler")
    logged = starts(org.CATALOG.log_group)
    for ts, version in logged:
        live = [int(p["functionVersion"]) for at, p in flips if at <= ts]
        assert version == live[-1], (ts, version)
    assert {v for _, v in logged} >= {56, 57, 58}

    # orders-worker: CodeDeploy shifts 10 % first, then everything; no version runs early
    shifts = alias_updates("orders-worker")
    logged = starts(org.ORDERS.log_group)
    for ts, version in logged:
        alias = [p for at, p in shifts if at <= ts]
        if not alias:  # before the first alias update the trail holds
            continue
        weights = alias[-1]["routingConfig"]["additionalVersionWeights"]
        assert version in {int(alias[-1]["functionVersion"]), *map(int, weights)}, (ts, version)
    for at, params in shifts:
        if params["routingConfig"]["additionalVersionWeights"]:  # the canary starts
            new = int(next(iter(params["routingConfig"]["additionalVersionWeights"])))
            assert all(ts >= at for ts, v in logged if v == new)

    # the functions are configured for plain-text logs, which is what the exports hold
    configs = [
        r["responseElements"]
        for r in _prod(trail, "PublishVersion20150331")
        if r["responseElements"]
    ]
    assert configs and all(c["loggingConfig"]["logFormat"] == "Text" for c in configs)
    sample = next(iter(exported[org.CATALOG.log_group].values()))
    assert all(not m.startswith("{") for _, m in sample)


def test_catalog_errors_step_after_the_alias_flip(metrics: dict, trail: list) -> None:
    (flip,) = [
        _ms(_time(r["eventTime"]))
        for r in _prod(trail, "UpdateAlias20150331")
        if r["requestParameters"]["functionName"] == "catalog-api-handler"
        and r["requestParameters"]["functionVersion"] == "58"
    ]
    assert flip == _ms(STORY.slow_burn_start)
    dims = [{"Name": "FunctionName", "Value": "catalog-api-handler"}]
    errors = _datapoints(_find(metrics, "AWS/Lambda", "Errors", dims), "Sum", 3600)
    calls = _datapoints(_find(metrics, "AWS/Lambda", "Invocations", dims), "Sum", 3600)
    rate = {s: errors[s] / calls[s] for s in calls}
    before = [r for s, r in rate.items() if flip - 86_400_000 <= s < flip]
    after = [r for s, r in rate.items() if s >= flip]
    assert max(before) < 0.0006 and 0.002 < min(after)  # a step at the release, not a creep
    first_day, last_day = after[:24], after[-24:]
    assert abs(sum(first_day) / 24 - sum(last_day) / 24) < 0.0004  # and then constant-ish


# -- the generator's evaluator against the plain one ---------------------------------------------


@pytest.mark.parametrize("treat", ["notBreaching", "breaching", "missing"])
@pytest.mark.parametrize(
    ("statistic", "period", "n", "m"),
    [("Sum", 60, 5, 3), ("Average", 300, 3, 3), ("Maximum", 60, 1, 1), ("Sum", 300, 3, 2)],
)
def test_alarmeval_agrees_with_the_plain_evaluator(
    treat: str, statistic: str, period: int, n: int, m: int
) -> None:
    rng = np.random.default_rng([period, n, m, len(treat)])
    minutes = 900
    start = _ms(STORY.metrics_start)
    minute_ms = start + np.arange(minutes, dtype=np.int64) * MINUTE
    present = rng.random(minutes) < 0.8
    present[300:330] = False  # a gap longer than any window
    sums = rng.poisson(10.0, minutes).astype(float)
    counts = np.maximum(rng.poisson(5.0, minutes), 1).astype(float)
    stats = {"sum": sums, "count": counts, "max": sums / 2, "min": sums / 4, "p99": sums / 3}
    threshold = {"Sum": 10.0 * period / 60, "Average": 2.0, "Maximum": 6.0}[statistic]
    rule = alarmeval.Rule(period, n, m, threshold, "GreaterThanThreshold", treat)
    until = start + minutes * MINUTE
    points = alarmeval.datapoints(minute_ms, present, stats, statistic, period)
    fast = [(t.at_ms, t.state) for t in alarmeval.transitions(points, rule, until_ms=until)]

    series = {k: v[present].tolist() for k, v in stats.items()} | {
        "ts": minute_ms[present].tolist()
    }
    alarm = {
        "Period": period,
        "EvaluationPeriods": n,
        "DatapointsToAlarm": m,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": treat,
    }
    plain_points = _datapoints(series, statistic, period)
    plain = _evaluate(alarm, plain_points, lambda _: threshold, start + period * 1000, until)
    assert fast == plain
    assert len(fast) > 3  # the data does cross the threshold


def test_alarmeval_m_of_n_and_metric_math() -> None:
    # 3 of 5 at 60 s: ALARM after the third breaching minute, OK once fewer than 3 of 5 breach
    minute_ms = np.arange(12, dtype=np.int64) * MINUTE
    sums = np.array([0, 30, 40, 50, 60, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    points = alarmeval.datapoints(minute_ms, sums > 0, {"sum": sums, "count": sums}, "Sum", 60)
    rule = alarmeval.Rule(60, 5, 3, 25.0, "GreaterThanThreshold", "notBreaching")
    found = [(t.at_ms // MINUTE, t.state) for t in alarmeval.transitions(points, rule)]
    assert found == [(1, "OK"), (4, "ALARM"), (8, "OK")]  # minutes 3..7 hold two breaches
    rule = alarmeval.Rule(60, 5, 3, 25.0, "GreaterThanThreshold", "missing")
    assert alarmeval.transitions(points, rule)[0].state == "INSUFFICIENT_DATA"
    # metric math over hourly sums, with the IF guard against an hour without traffic
    hours = np.arange(3, dtype=np.int64) * 3_600_000
    errors = alarmeval.Datapoints(hours, np.array([1.0, 30.0, 0.0]), np.ones(3), 3600)
    calls = alarmeval.Datapoints(hours, np.array([1e4, 1e4, 0.0]), np.ones(3), 3600)
    burn = alarmeval.expression("IF(m2 > 0, (m1 / m2) / 0.001, 0)", {"m1": errors, "m2": calls})
    assert burn.value.tolist() == pytest.approx([0.1, 3.0, 0.0])
    with pytest.raises(ValueError, match="unknown metric ids"):
        alarmeval.expression("m1/m3", {"m1": errors})
    with pytest.raises(ValueError, match="cannot be built"):
        alarmeval.datapoints(minute_ms, sums > 0, {"p99": sums, "count": sums}, "p99", 300)
