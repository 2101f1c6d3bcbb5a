"""A small CloudWatch metric alarm evaluator over per-minute metric data.

The sample's alarm history is not written by hand: :mod:`~opsbook.sample.incident.history`
evaluates each alarm's definition over the same per-minute values :mod:`opsbook.sample.metrics`
writes, with the rules CloudWatch applies:

- datapoints are the alarm's statistic over periods aligned to multiples of ``Period``, built from
  the 1-minute statistics (Sum and SampleCount add up, Average is their ratio, Minimum and Maximum
  are the extremes; percentiles only at a 60 s period, where they are the minute's own);
- metric math (``m1/m2*100``, ``IF(m2 > 0, (m1 / m2) / 0.001, 0)``) combines the datapoints;
- after each period ends, the newest ``EvaluationPeriods`` datapoints are compared with the
  threshold; ALARM when at least ``DatapointsToAlarm`` of them breach, OK otherwise;
- missing datapoints follow ``TreatMissingData``: ``notBreaching`` and ``breaching`` count them as
  such, ``missing`` evaluates the datapoints there are (INSUFFICIENT_DATA when there are none) and
  ``ignore`` keeps the previous state when there are none.

Examples
--------
>>> import numpy as np
>>> minute_ms = np.arange(6, dtype=np.int64) * 60_000
>>> sums = np.array([0.0, 30, 40, 50, 0, 0])
>>> points = datapoints(minute_ms, sums > 0, {"sum": sums, "count": sums}, "Sum", 60)
>>> rule = Rule(60, 5, 3, 25.0, "GreaterThanThreshold", "notBreaching")
>>> [(t.at_ms // 60_000, t.state) for t in transitions(points, rule)]
[(1, 'OK'), (4, 'ALARM')]
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import numpy as np

__all__ = [
    "STATES",
    "Datapoints",
    "Rule",
    "Transition",
    "datapoints",
    "evaluate",
    "expression",
    "transitions",
]

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
_OK, _ALARM, _INSUFFICIENT = range(3)
_STATISTICS = {"Sum": "sum", "SampleCount": "count", "Maximum": "max", "Minimum": "min"}
_OPERATORS = {
    "GreaterThanThreshold": np.greater,
    "GreaterThanOrEqualToThreshold": np.greater_equal,
    "LessThanThreshold": np.less,
    "LessThanOrEqualToThreshold": np.less_equal,
}


@dataclass(frozen=True)
class Rule:
    """The evaluation settings of a metric alarm, as DescribeAlarms returns them."""

    period: int  # seconds
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    operator: str
    treat_missing: str = "missing"


@dataclass(frozen=True)
class Datapoints:
    """An alarm's datapoints: one per period, ``value`` NaN where the period has no data."""

    start_ms: np.ndarray  # int64 epoch ms of each period's start (aligned to the period)
    value: np.ndarray  # float
    samples: np.ndarray  # float: SampleCount behind each datapoint (0 where missing)
    period: int  # seconds

    @property
    def present(self) -> np.ndarray:
        """Return True where the period has a datapoint."""
        return ~np.isnan(self.value)


@dataclass(frozen=True)
class Transition:
    """A state change, found when the evaluation after datapoint ``index`` ran."""

    at_ms: int  # end of the newest evaluated period: CloudWatch evaluates shortly after
    state: str
    index: int  # newest datapoint of the evaluated window


def datapoints(
    minute_ms: np.ndarray,
    present: np.ndarray,
    stats: dict[str, np.ndarray],
    statistic: str,
    period: int,
) -> Datapoints:
    """Return the ``statistic`` per ``period`` seconds from 1-minute statistics.

    Parameters
    ----------
    minute_ms
        Epoch ms of each minute, ascending and contiguous.
    present
        True for the minutes that have a data point (a record in the metric stream).
    stats
        Per-minute statistics by name: ``sum``, ``count``, ``max``, ``min``, ``p99``, ...
    statistic
        ``Sum``, ``SampleCount``, ``Average``, ``Maximum``, ``Minimum`` or a percentile such as
        ``p99`` (only with a 60 s period: percentiles of minutes do not combine).
    period
        Seconds, a multiple of 60.

    Examples
    --------
    >>> minute_ms = np.arange(10, dtype=np.int64) * 60_000
    >>> ones = np.ones(10)
    >>> datapoints(minute_ms, ones > 0, {"sum": ones * 2, "count": ones}, "Average", 300).value
    array([2., 2.])
    """
    if period % 60:
        raise ValueError(f"period {period} is not a multiple of 60 seconds")
    minute_ms = np.asarray(minute_ms, dtype=np.int64)
    period_ms = period * 1000
    first = minute_ms[0] - minute_ms[0] % period_ms
    bucket = (minute_ms - first) // period_ms
    size = int(bucket[-1]) + 1
    has = np.asarray(present, dtype=bool)
    where = bucket[has]
    seen = np.bincount(where, minlength=size) > 0
    count = np.bincount(where, weights=np.asarray(stats["count"])[has], minlength=size)

    def total(name: str) -> np.ndarray:
        return np.bincount(where, weights=np.asarray(stats[name])[has], minlength=size)

    if statistic in ("Sum", "SampleCount"):
        value = total(_STATISTICS[statistic])
    elif statistic == "Average":
        value = total("sum") / np.maximum(count, 1e-300)
    elif statistic in ("Maximum", "Minimum"):
        pick = np.maximum if statistic == "Maximum" else np.minimum
        value = np.full(size, -np.inf if statistic == "Maximum" else np.inf)
        pick.at(value, where, np.asarray(stats[_STATISTICS[statistic]])[has])
    elif statistic.startswith("p") and statistic[1:].replace(".", "", 1).isdigit():
        if period != 60:
            raise ValueError(f"{statistic} over {period} s cannot be built from 1-minute data")
        value = np.zeros(size)
        value[where] = np.asarray(stats[statistic])[has]
    else:
        raise ValueError(f"unknown statistic {statistic!r}")
    value = np.where(seen, value, np.nan)
    starts = first + np.arange(size, dtype=np.int64) * period_ms
    return Datapoints(starts, value, np.where(seen, count, 0.0), period)


def expression(text: str, variables: dict[str, Datapoints]) -> Datapoints:
    """Return the datapoints of a metric math expression over ``variables`` (same periods).

    Supports numbers, the variables, ``+ - * /``, comparisons and ``IF(condition, a, b)``; a
    period is missing where any variable it uses is missing.

    Examples
    --------
    >>> one = Datapoints(np.array([0]), np.array([3.0]), np.array([1.0]), 60)
    >>> two = Datapoints(np.array([0]), np.array([200.0]), np.array([1.0]), 60)
    >>> expression("IF(m2 > 0, m1 / m2 * 100, 0)", {"m1": one, "m2": two}).value
    array([1.5])
    """
    tree = ast.parse(text.replace("IF(", "_if("), mode="eval")
    used = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id != "_if"})
    unknown = set(used) - set(variables)
    if unknown:
        raise ValueError(f"unknown metric ids {sorted(unknown)} in {text!r}")
    first = variables[used[0]]
    missing = np.zeros(first.value.shape, dtype=bool)
    for name in used:
        missing |= np.isnan(variables[name].value)

    def run(node: ast.AST) -> np.ndarray | float:
        if isinstance(node, ast.Expression):
            return run(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name):
            return np.nan_to_num(variables[node.id].value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -run(node.operand)
        if isinstance(node, ast.BinOp):
            left, right = run(node.left), run(node.right)
            ops = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply}
            if isinstance(node.op, ast.Div):
                with np.errstate(divide="ignore", invalid="ignore"):
                    return np.divide(left, right)
            return ops[type(node.op)](left, right)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            compare = {ast.Gt: np.greater, ast.GtE: np.greater_equal, ast.Lt: np.less,
                       ast.LtE: np.less_equal, ast.Eq: np.equal}  # fmt: skip
            return compare[type(node.ops[0])](run(node.left), run(node.comparators[0]))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_if":
            condition, yes, no = (run(arg) for arg in node.args)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(condition, yes, no)
        raise ValueError(f"unsupported metric math in {text!r}: {ast.dump(node)}")

    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.broadcast_to(np.asarray(run(tree), dtype=float), missing.shape).copy()
    value[missing | ~np.isfinite(value)] = np.nan
    return Datapoints(first.start_ms, value, np.zeros(value.shape), first.period)


def evaluate(points: Datapoints, rule: Rule, threshold: np.ndarray | None = None) -> np.ndarray:
    """Return the alarm state (an index into :data:`STATES`) after each period's evaluation.

    ``threshold`` optionally gives the threshold in force at each evaluation (an alarm whose
    threshold was changed); it is compared with every datapoint of that evaluation's window
    as CloudWatch does only when ``EvaluationPeriods`` is 1, which is the case it is used for.

    Examples
    --------
    >>> points = Datapoints(np.arange(4) * 60_000, np.array([1.0, 9, np.nan, 9]), np.ones(4), 60)
    >>> rule = Rule(60, 1, 1, 5.0, "GreaterThanThreshold", "missing")
    >>> [STATES[s] for s in evaluate(points, rule)]
    ['OK', 'ALARM', 'INSUFFICIENT_DATA', 'ALARM']
    """
    n, m = rule.evaluation_periods, rule.datapoints_to_alarm
    limit = rule.threshold if threshold is None else np.asarray(threshold, dtype=float)
    present = points.present
    with np.errstate(invalid="ignore"):
        breach = present & _OPERATORS[rule.operator](np.nan_to_num(points.value), limit)
    if rule.treat_missing == "breaching":
        breach, present = breach | ~present, np.ones_like(present)
    elif rule.treat_missing == "notBreaching":
        present = np.ones_like(present)
    # The periods before the first one are missing too, and treated like any missing period.
    pad = n - 1
    breach = np.concatenate([np.full(pad, rule.treat_missing == "breaching"), breach])
    counted = rule.treat_missing in ("breaching", "notBreaching")
    present = np.concatenate([np.full(pad, counted), present])

    def window_sum(flags: np.ndarray) -> np.ndarray:
        total = np.cumsum(flags, dtype=np.int64)
        shifted = np.concatenate([np.zeros(n, dtype=np.int64), total[:-n]])
        return (total - shifted[: total.size])[pad:]

    breaching, seen = window_sum(breach), window_sum(present)
    state = np.where(breaching >= m, _ALARM, _OK)
    if rule.treat_missing == "ignore":
        state = np.where(seen > 0, state, -1)
        filled = np.maximum.accumulate(np.where(state >= 0, np.arange(state.size), -1))
        state = np.where(filled >= 0, state[np.maximum(filled, 0)], _INSUFFICIENT)
    else:
        state = np.where(seen > 0, state, _INSUFFICIENT)
    return state


def transitions(
    points: Datapoints,
    rule: Rule,
    *,
    threshold: np.ndarray | None = None,
    since_ms: int | None = None,
    until_ms: int | None = None,
) -> list[Transition]:
    """Return the state changes of an alarm over ``points``, oldest first.

    The first evaluation (at or after ``since_ms``, e.g. the alarm's creation) is a transition
    from INSUFFICIENT_DATA; later ones are changes of state. Evaluations run just after a period
    ends; only periods that end before ``until_ms`` (the end of the data) are evaluated in time.

    Examples
    --------
    >>> points = Datapoints(np.arange(4) * 60_000, np.array([1.0, 9, 9, 1]), np.ones(4), 60)
    >>> rule = Rule(60, 1, 1, 5.0, "GreaterThanThreshold")
    >>> [(t.at_ms, t.state) for t in transitions(points, rule)]
    [(60000, 'OK'), (120000, 'ALARM'), (240000, 'OK')]
    >>> [(t.at_ms, t.state) for t in transitions(points, rule, until_ms=240_000)]
    [(60000, 'OK'), (120000, 'ALARM')]
    """
    state = evaluate(points, rule, threshold)
    ends = points.start_ms + points.period * 1000
    keep = np.ones(state.size, dtype=bool)
    if since_ms is not None:
        keep &= ends >= since_ms - since_ms % (points.period * 1000)
    if until_ms is not None:
        keep &= ends < until_ms
    index = np.flatnonzero(keep)
    if index.size == 0:
        return []
    chosen = state[index]
    changed = np.concatenate([[True], chosen[1:] != chosen[:-1]])
    return [
        Transition(int(ends[i]), STATES[int(state[i])], int(i)) for i in index[changed].tolist()
    ]
