"""A validated CloudWatch metrics request: series, statistics, window, period and metric math.

Both backends take a :class:`MetricRequest`; building one checks everything that can be checked
without data, so bad input fails before any API call: an unknown statistic, a period that is not
a multiple of 60 seconds, an end before the start, an expression that is malformed or refers to
an unknown id, a window longer than the 455 days CloudWatch keeps metrics
(:data:`MAX_WINDOW`: refused on both backends, never cut short, so a total is never silently
partial). :func:`check_retention` adds CloudWatch's retention rules for the aws backend, and
:func:`plan_calls` splits a request into GetMetricData calls within its limits (500 queries and
100,800 datapoints per call), which also gives the request's cost (:func:`estimate_cost_usd`).

A series is written compactly as ``"<namespace> <metric> [Dim=value ...] [stat=...] [label=...]"``
(values with spaces in quotes), or built as a :class:`MetricSeries`.

Examples
--------
>>> s = MetricSeries.parse("AWS/Lambda Errors FunctionName=orders-worker stat=Sum")
>>> s.namespace, s.metric, dict(s.dimensions), s.stat, s.display_label
('AWS/Lambda', 'Errors', {'FunctionName': 'orders-worker'}, 'Sum', 'orders-worker Errors Sum')
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opsbook import clock
from opsbook.errors import ConfigurationError
from opsbook.metrics import _math

__all__ = [
    "BASIC_STATISTICS",
    "MAX_DATAPOINTS_PER_CALL",
    "MAX_QUERIES_PER_CALL",
    "MAX_WINDOW",
    "PRICE_PER_METRIC_USD",
    "Call",
    "MetricRequest",
    "MetricSeries",
    "build_request",
    "check_retention",
    "check_statistic",
    "estimate_cost_usd",
    "plan_calls",
    "retention_bands",
]

BASIC_STATISTICS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")
MAX_QUERIES_PER_CALL = 500
MAX_DATAPOINTS_PER_CALL = 100_800
PRICE_PER_METRIC_USD = 0.01 / 1000
# (age limit, period grain): data older than 15 days exists only at 5-minute, older than 63 days
# only at 1-hour resolution; nothing is kept past 455 days.
RETENTION = (
    (dt.timedelta(days=15), 60),
    (dt.timedelta(days=63), 300),
    (dt.timedelta(days=455), 3600),
)
#: The longest window a request may span: what CloudWatch keeps. Local files may hold more, but
#: a window of decades at one minute is tens of millions of periods (1970-2100 built 68 M rows).
MAX_WINDOW = RETENTION[-1][0]

_NUMBER = r"\d{1,2}(?:\.\d{1,10})?|100"
_BOUND = r"\s*(?:\d+(?:\.\d+)?%?)?\s*"
_EXTENDED = re.compile(
    rf"^(?:(?:p|tm|wm|tc|ts)(?:{_NUMBER})|IQM|(?:TM|WM|TC|TS|PR)\({_BOUND}:{_BOUND}\))$"
)
_ID = re.compile(r"^[a-z][A-Za-z0-9_]{0,254}$")
_RESERVED = {"stat", "label"}


class MetricRequestError(ConfigurationError):
    """A metrics request cannot be met as asked; the message says what to change."""


def check_statistic(stat: str) -> str:
    """Return ``stat`` if CloudWatch knows it (``Sum``, ``p99``, ``tm90``, ``PR(:300)``, ...).

    Raises
    ------
    MetricRequestError
        Naming the statistics CloudWatch accepts.

    Examples
    --------
    >>> check_statistic("p99.9")
    'p99.9'
    """
    if stat in BASIC_STATISTICS or _EXTENDED.match(stat):
        return stat
    raise MetricRequestError(
        f"unknown statistic {stat!r}: use one of {', '.join(BASIC_STATISTICS)}, a percentile "
        "such as p99 or p99.9, or an extended statistic (tm90, wm90, IQM, TM(10%:90%), PR(:300))"
    )


@dataclass(frozen=True)
class MetricSeries:
    """One metric (namespace, name, exact dimensions) and the statistic to read from it."""

    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...] = ()
    stat: str = "Average"
    label: str | None = None

    def __post_init__(self) -> None:
        if not self.namespace or not self.metric:
            raise MetricRequestError("a metric series needs a namespace and a metric name")
        object.__setattr__(self, "dimensions", tuple(sorted(dict(self.dimensions).items())))
        check_statistic(self.stat)

    @classmethod
    def parse(cls, text: str) -> MetricSeries:
        """Return the series written as ``"AWS/Lambda Errors FunctionName=x stat=Sum"``.

        Examples
        --------
        >>> MetricSeries.parse("AWS/RDS CPUUtilization DBInstanceIdentifier=db stat=p99").stat
        'p99'
        """
        try:
            words = shlex.split(text)
        except ValueError as error:
            raise MetricRequestError(f"cannot read metric series {text!r}: {error}") from None
        if len(words) < 2 or "=" in words[0] or "=" in words[1]:
            raise MetricRequestError(
                f"metric series {text!r}: write '<namespace> <metric> [Dimension=value ...] "
                "[stat=Sum] [label=...]', e.g. 'AWS/Lambda Errors FunctionName=orders-worker "
                "stat=Sum'"
            )
        options: dict[str, str] = {}
        dimensions: dict[str, str] = {}
        for word in words[2:]:
            key, sep, value = word.partition("=")
            if not sep or not key:
                raise MetricRequestError(
                    f"metric series {text!r}: {word!r} is not Dimension=value (or stat=, label=)"
                )
            (options if key in _RESERVED else dimensions)[key] = value
        return cls(
            words[0],
            words[1],
            tuple(dimensions.items()),
            options.get("stat", "Average"),
            options.get("label"),
        )

    @property
    def display_label(self) -> str:
        """Return the label: the given one, else dimension values, metric name and statistic."""
        if self.label:
            return self.label
        return " ".join([*(value for _, value in self.dimensions), self.metric, self.stat])

    def with_stat(self, stat: str) -> MetricSeries:
        """Return the same metric with another statistic (and the default label)."""
        return MetricSeries(self.namespace, self.metric, self.dimensions, stat)


@dataclass(frozen=True)
class MetricRequest:
    """A checked request: metric queries and expressions by id, a window and a period."""

    metrics: tuple[tuple[str, MetricSeries], ...]
    expressions: tuple[tuple[str, str, str], ...]  # (id, expression, label)
    start: pd.Timestamp
    end: pd.Timestamp
    period: int
    returned: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def start_ms(self) -> int:
        """Return the window start in epoch milliseconds."""
        return int(self.start.value // 1_000_000)

    @property
    def end_ms(self) -> int:
        """Return the (exclusive) window end in epoch milliseconds."""
        return int(self.end.value // 1_000_000)

    def grid(self) -> np.ndarray:
        """Return the epoch ms of every period start in the window."""
        return np.arange(self.start_ms, self.end_ms, self.period * 1000, dtype=np.int64)

    def periods(self) -> int:
        """Return the number of periods in the window (datapoints per series at most)."""
        return len(self.grid())


@dataclass(frozen=True)
class Call:
    """One planned GetMetricData call: the ids it asks for and its time slice."""

    ids: tuple[str, ...]
    start: pd.Timestamp
    end: pd.Timestamp
    metrics: int  # metric (not expression) queries: what AWS bills


def build_request(
    queries: Sequence[str | MetricSeries] | Mapping[str, str | MetricSeries],
    start: clock.Moment,
    end: clock.Moment,
    period: int = 60,
    *,
    expressions: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    keep_series: bool = False,
) -> MetricRequest:
    """Check a request and return it; nothing here touches data or AWS.

    Parameters
    ----------
    queries
        Series (compact strings or :class:`MetricSeries`): a list gets ids ``m1``, ``m2`` ...
        in order, a mapping gives them explicitly.
    start, end
        The half-open window ``[start, end)``; naive times are UTC; the start is rounded down to
        the minute, as CloudWatch does.
    period
        Seconds per datapoint, a multiple of 60.
    expressions
        Id to metric math expression over the query ids (and other expressions).
    labels
        Id to label for expressions (default: the id).
    keep_series
        With expressions, also return the metric series (by default only expressions are
        returned, as with ``ReturnData=False`` on their inputs).

    Raises
    ------
    MetricRequestError
        For an empty request, a bad id, statistic, period or window, or a window longer than
        :data:`MAX_WINDOW` (455 days, what CloudWatch keeps).
    opsbook.metrics._math.MetricMathError
        For a malformed expression or one that refers to an unknown id.

    Examples
    --------
    >>> r = build_request(["AWS/Lambda Errors FunctionName=f stat=Sum"], "2026-11-14T14:00",
    ...                   "2026-11-14T15:00", 300)
    >>> r.metrics[0][0], r.periods()
    ('m1', 12)
    >>> build_request(["AWS/Lambda Errors FunctionName=f"], "1970-01-01", "2100-01-01")
    Traceback (most recent call last):
    ...
    opsbook.metrics._request.MetricRequestError: the window 1970-01-01 to 2100-01-01 spans 47482 days: CloudWatch keeps metrics 455 days, so a window is at most 455 days; ask for a shorter one
    """
    items = list(queries.items()) if isinstance(queries, Mapping) else [
        (f"m{number}", query) for number, query in enumerate(queries, start=1)
    ]  # fmt: skip
    if not items:
        raise MetricRequestError("no metric series asked for: give at least one")
    metrics = []
    for name, query in items:
        series = query if isinstance(query, MetricSeries) else MetricSeries.parse(str(query))
        metrics.append((_check_id(name), series))
    expressions = dict(expressions or {})
    for name in expressions:
        _check_id(name)
    clash = {name for name, _ in metrics} & set(expressions)
    if clash or len({name for name, _ in metrics}) != len(metrics):
        raise MetricRequestError(
            f"query ids must be unique; repeated: {sorted(clash) or 'a metric id'}"
        )
    _math.check(expressions, [name for name, _ in metrics])
    if (
        isinstance(period, bool)
        or not isinstance(period, int | np.integer)
        or period <= 0
        or period % 60
    ):
        raise MetricRequestError(
            f"period {period!r} is not a positive multiple of 60 seconds: use 60, 300, 3600, ..."
        )
    start_at, end_at = clock.window(
        clock.to_utc(start, "start", error=MetricRequestError).floor("min"),
        end,
        error=MetricRequestError,
    )
    if end_at - start_at > MAX_WINDOW:
        raise MetricRequestError(
            f"the window {start_at:%Y-%m-%d} to {end_at:%Y-%m-%d} spans "
            f"{(end_at - start_at).days} days: CloudWatch keeps metrics {MAX_WINDOW.days} days, "
            f"so a window is at most {MAX_WINDOW.days} days; ask for a shorter one"
        )
    labels = dict(labels or {})
    if len(metrics) + len(expressions) > MAX_QUERIES_PER_CALL and expressions:
        raise MetricRequestError(
            f"{len(metrics) + len(expressions)} queries with metric math: GetMetricData takes at "
            f"most {MAX_QUERIES_PER_CALL} in the call that evaluates them; split the request"
        )
    returned = tuple(expressions) if expressions and not keep_series else ()
    if not returned:
        returned = tuple(name for name, _ in metrics) + tuple(expressions)
    return MetricRequest(
        tuple(metrics),
        tuple((name, text, labels.get(name, name)) for name, text in expressions.items()),
        start_at,
        end_at,
        int(period),
        returned,
        labels,
    )


def check_retention(request: MetricRequest, now: pd.Timestamp | None = None) -> None:
    """Raise unless CloudWatch still keeps the request's window at the request's period.

    CloudWatch keeps 1-minute datapoints 15 days, 5-minute ones 63 days and 1-hour ones 455
    days; older data exists only at the coarser grain, so asking finer would return silent gaps.

    Raises
    ------
    MetricRequestError
        Naming the finest period the window allows.

    Examples
    --------
    >>> now = pd.Timestamp("2026-11-15", tz="UTC")
    >>> r = build_request(["AWS/Lambda Errors FunctionName=f"], "2026-10-01", "2026-10-02", 60)
    >>> try:
    ...     check_retention(r, now)
    ... except MetricRequestError as error:
    ...     print(str(error)[-29:])
    use a multiple of 300 seconds
    """
    now = now if now is not None else clock.now()
    age = now - request.start
    for limit, grain in RETENTION:
        if age <= limit:
            if request.period % grain:
                break
            if request.start_ms % (grain * 1000):
                raise MetricRequestError(
                    f"the window starts {age.days} days ago, where CloudWatch keeps "
                    f"{grain // 60}-minute data: start on a {grain // 60}-minute boundary"
                )
            return
    else:
        raise MetricRequestError(
            f"the window starts {age.days} days ago: CloudWatch keeps metrics 455 days; "
            "ask for a later window (or read data pulled earlier with the local backend)"
        )
    finest = next(grain for limit, grain in RETENTION if age <= limit)
    raise MetricRequestError(
        f"the window starts {age.days} days ago and CloudWatch keeps 1-minute datapoints 15 "
        "days, 5-minute ones 63 days and hourly ones 455 days: a period of "
        f"{request.period} s would come back with gaps; use a multiple of {finest} seconds"
    )


def retention_bands(
    start: pd.Timestamp, end: pd.Timestamp, period: int, now: pd.Timestamp | None = None
) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """Split ``[start, end)`` where CloudWatch's retention coarsens, oldest band first.

    Each band is ``(start, end, period)`` with a period that is a multiple of both ``period`` and
    the finest grain CloudWatch keeps there (60 s for 15 days, 300 s for 63, 3600 s for 455), so
    every band passes :func:`check_retention`. A band's start is rounded down to its grain: a
    long window gets whole coarse buckets rather than a gap at its oldest edge.

    Examples
    --------
    >>> now = pd.Timestamp("2026-11-15 10:03", tz="UTC")
    >>> for band in retention_bands(now - pd.Timedelta(days=30), now, 60, now):
    ...     print(band[0].strftime("%m-%d %H:%M"), band[1].strftime("%m-%d %H:%M"), band[2])
    10-16 10:00 10-31 10:05 300
    10-31 10:05 11-15 10:03 60
    """
    now = now if now is not None else clock.now()
    bands: list[tuple[pd.Timestamp, pd.Timestamp, int]] = []
    band_end = end
    # From the finest grain back in time: a band starts where its grain stops being kept,
    # rounded up to the next coarser grain so the band before it ends on a whole bucket.
    for index, (limit, grain) in enumerate(RETENTION):
        coarser = RETENTION[min(index + 1, len(RETENTION) - 1)][1]
        edge = (now - limit).ceil(f"{coarser}s")
        if start >= edge or index == len(RETENTION) - 1:
            bands.append((start.floor(f"{grain}s"), band_end, math.lcm(period, grain)))
            break
        if edge < band_end:
            bands.append((edge, band_end, math.lcm(period, grain)))
            band_end = edge
    return bands[::-1]


def plan_calls(request: MetricRequest) -> list[Call]:
    """Split a request into GetMetricData calls: ≤ 500 queries and ≤ 100,800 datapoints each.

    A request with metric math stays in one call (its expressions need their inputs beside
    them, and a time split would change RATE, DIFF and FILL at the seams); its pages then come
    by ``NextToken``. Without math, queries are batched by 500 and the window is cut so each
    call's ``queries x periods`` stays within the datapoint limit.

    Examples
    --------
    >>> r = build_request([f"AWS/Lambda Errors FunctionName=f{i}" for i in range(600)],
    ...                   "2026-11-01", "2026-11-08", 60)
    >>> [(len(c.ids), c.start.day, c.end.day) for c in plan_calls(r)][:3]
    [(500, 1, 1), (500, 1, 1), (500, 1, 1)]
    """
    ids = [name for name, _ in request.metrics]
    if request.expressions:
        everything = (*ids, *(name for name, _, _ in request.expressions))
        return [Call(everything, request.start, request.end, len(ids))]
    calls = []
    step_ms = request.period * 1000
    for first in range(0, len(ids), MAX_QUERIES_PER_CALL):
        batch = tuple(ids[first : first + MAX_QUERIES_PER_CALL])
        periods_per_call = max(1, MAX_DATAPOINTS_PER_CALL // len(batch))
        for chunk_start in range(request.start_ms, request.end_ms, periods_per_call * step_ms):
            chunk_end = min(chunk_start + periods_per_call * step_ms, request.end_ms)
            calls.append(
                Call(
                    batch,
                    pd.Timestamp(chunk_start, unit="ms", tz="UTC"),
                    pd.Timestamp(chunk_end, unit="ms", tz="UTC"),
                    len(batch),
                )
            )
    return calls


def estimate_cost_usd(request: MetricRequest) -> float:
    """Return what the request costs on AWS: $0.01 per 1,000 metrics requested, per call.

    Examples
    --------
    >>> r = build_request(["AWS/Lambda Errors FunctionName=f"] * 1, "2026-11-01", "2026-11-02")
    >>> estimate_cost_usd(r)
    1e-05
    """
    return sum(call.metrics for call in plan_calls(request)) * PRICE_PER_METRIC_USD


def _check_id(name: str) -> str:
    if not isinstance(name, str) or not _ID.match(name):
        raise MetricRequestError(
            f"query id {name!r} must start with a lower-case letter and hold only letters, "
            "digits and underscores (e.g. m1, errors, rate)"
        )
    return name
