"""OpenSLO v1 SLO specs with CloudWatch data sources: read, validate, and turn into typed objects.

A spec file holds one or more YAML documents (or one document with a list) of ``kind: SLO``::

    apiVersion: openslo/v1
    kind: SLO
    metadata: {name: api-availability, displayName: API availability}
    spec:
      service: shop-public-api
      budgetingMethod: Occurrences          # or Timeslices
      timeWindow: [{duration: 30d, isRolling: true}]
      indicator:
        metadata: {name: api-5xx}
        spec:
          ratioMetric:
            counter: true
            bad: {metricSource: {type: CloudWatch, spec: {namespace: AWS/ApiGateway,
                  metricName: 5XXError, stat: Sum, dimensions: [{name: ApiName, value: shop-public-api}]}}}
            total: {metricSource: {type: CloudWatch, spec: {...Count...}}}
      objectives: [{displayName: 99.9% of requests, target: 0.999}]

A CloudWatch source is one metric (``namespace``, ``metricName``, ``stat``, ``dimensions``) or a
``metricDataQueries`` list as GetMetricData takes it (metric math allowed; the query with
``returnData: true`` is the value). A ``CloudWatchLogs`` source is a Logs Insights query (text or a
shipped query name) over ``logGroups`` whose rows are time bins; ``field`` names the column to read,
so good and total can come from one query. A ``thresholdMetric`` SLI judges each time slice good when
the metric meets the objective's ``op``/``value`` (e.g. p99 latency ``lt 0.5`` seconds).

SLIs from synthetic checks and traces are sources like any other (:data:`CANARY_EXAMPLE`,
:data:`SPANS_EXAMPLE`): a canary's availability is its ``CloudWatchSynthetics`` ``SuccessPercent``
(good runs = ``Sum / 100`` through metric math, total = ``SampleCount``); a latency SLI from
spans is a Logs Insights query over the ``aws/spans`` log group counting the SERVER spans of a
route within the threshold (``durationNano``) among all of them.

Every error names the offending field by path, e.g. ``slos[1].spec.objectives[0].target``.

Examples
--------
>>> slos = parse_slos(EXAMPLE)
>>> slos[0].name, slos[0].target, slos[0].window.duration
('checkout-availability', 0.999, datetime.timedelta(days=30))
>>> [(s.name, s.kind) for s in parse_slos(CANARY_EXAMPLE + "---" + SPANS_EXAMPLE)]
[('checkout-canary-availability', 'ratio'), ('checkout-span-latency', 'ratio')]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from opsbook.errors import ConfigurationError

__all__ = [
    "CANARY_EXAMPLE",
    "EXAMPLE",
    "SPANS_EXAMPLE",
    "LogsSource",
    "MetricSource",
    "Slo",
    "SpecError",
    "TimeWindow",
    "load_slos",
    "parse_duration",
    "parse_slos",
]

_DURATION = re.compile(r"^([1-9]\d*)([smhdwMQY])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_CALENDAR_MONTHS = {"M": 1, "Q": 3, "Y": 12}
_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")

EXAMPLE = """
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-availability}
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  indicator:
    metadata: {name: checkout-5xx}
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: CloudWatch
            spec: {namespace: AWS/ApplicationELB, metricName: HTTPCode_Target_5XX_Count, stat: Sum,
                   dimensions: [{name: LoadBalancer, value: app/checkout-alb/50dc6c495c0c9188}]}
        total:
          metricSource:
            type: CloudWatch
            spec: {namespace: AWS/ApplicationELB, metricName: RequestCount, stat: Sum,
                   dimensions: [{name: LoadBalancer, value: app/checkout-alb/50dc6c495c0c9188}]}
  objectives: [{target: 0.999}]
"""


class SpecError(ConfigurationError):
    """An SLO spec is invalid; ``path`` is the offending field, e.g. ``slos[0].spec.objectives``."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(f"{path}: {problem}")


#: An availability SLO from a CloudWatch Synthetics canary: a run is good when it passed.
CANARY_EXAMPLE = """
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-canary-availability, displayName: Checkout canary passes}
spec:
  service: checkout-api
  budgetingMethod: Occurrences
  timeWindow: [{duration: 7d, isRolling: true}]
  indicator:
    metadata: {name: checkout-flow-success}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: CloudWatch
            spec:
              metricDataQueries:
                - {id: passed, returnData: false, metricStat: {stat: Sum, metric: {namespace: CloudWatchSynthetics,
                   metricName: SuccessPercent, dimensions: [{name: CanaryName, value: checkout-flow}]}}}
                - {id: good, expression: passed / 100}
        total:
          metricSource:
            type: CloudWatch
            spec: {namespace: CloudWatchSynthetics, metricName: SuccessPercent, stat: SampleCount,
                   dimensions: [{name: CanaryName, value: checkout-flow}]}
  objectives: [{displayName: 99.5% of canary runs pass, target: 0.995}]
"""

#: A latency SLO from Transaction Search spans: checkout requests served within 500 ms.
SPANS_EXAMPLE = """
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-span-latency, displayName: Checkout within 500 ms (spans)}
spec:
  service: checkout-api
  budgetingMethod: Occurrences
  timeWindow: [{duration: 1d, isRolling: true}]
  indicator:
    metadata: {name: checkout-server-spans}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: CloudWatchLogs
            spec:
              logGroups: [aws/spans]
              query: >-
                filter kind = "SERVER" and name = "POST /api/checkout"
                | stats sum(durationNano <= 500000000) as good, count(*) as total by bin(1m) as bin
              field: good
        total:
          metricSource:
            type: CloudWatchLogs
            spec:
              logGroups: [aws/spans]
              query: >-
                filter kind = "SERVER" and name = "POST /api/checkout"
                | stats sum(durationNano <= 500000000) as good, count(*) as total by bin(1m) as bin
              field: total
  objectives: [{displayName: 99% within 500 ms, target: 0.99}]
"""


@dataclass(frozen=True)
class MetricSource:
    """CloudWatch metric queries: ``queries`` id to compact series, ``expressions`` id to math.

    ``value_id`` is the id whose datapoints are the source's value.
    """

    queries: tuple[tuple[str, str], ...]
    expressions: tuple[tuple[str, str], ...] = ()
    value_id: str = "m1"
    region: str | None = None

    def metric_dicts(self) -> list[dict[str, Any]]:
        """Return each metric query as namespace, metricName, dimensions, stat (for alarms)."""
        out = []
        for query_id, text in self.queries:
            words = text.split(" ")
            dims = [w for w in words[2:] if not w.startswith("stat=")]
            stat = next(w[5:] for w in words if w.startswith("stat="))
            out.append(
                {
                    "id": query_id,
                    "namespace": words[0],
                    "metric": words[1],
                    "dimensions": [tuple(d.split("=", 1)) for d in dims],
                    "stat": stat,
                }
            )
        return out


@dataclass(frozen=True)
class LogsSource:
    """A Logs Insights query over log groups; rows are time bins, ``field`` the column to read."""

    query: str
    log_groups: tuple[str, ...]
    field: str
    time_field: str = "bin"


Source = MetricSource | LogsSource


@dataclass(frozen=True)
class TimeWindow:
    """The SLO period: rolling (the last ``duration``) or calendar-aligned from ``start``."""

    duration: dt.timedelta | None  # None for month-based calendar windows
    rolling: bool
    text: str
    months: int = 0  # calendar months per period (M, Q, Y)
    start: dt.datetime | None = None  # calendar anchor, aware
    zone: str = "UTC"


@dataclass(frozen=True)
class Slo:
    """One validated SLO."""

    name: str
    display_name: str
    service: str
    description: str
    target: float
    budgeting: str  # "Occurrences" or "Timeslices"
    window: TimeWindow
    kind: str  # "ratio" or "threshold"
    good: Source | None = None
    bad: Source | None = None
    total: Source | None = None
    metric: Source | None = None  # thresholdMetric
    op: str | None = None  # lt, lte, gt, gte (thresholdMetric)
    value: float | None = None
    slice_target: float | None = None  # Timeslices: ratio a slice must reach to be good
    slice_seconds: int = 60
    annotations: Mapping[str, str] = field(default_factory=dict)

    @property
    def budget(self) -> float:
        """Return the error budget as a fraction: ``1 - target``."""
        return 1.0 - self.target


def parse_duration(text: Any, path: str) -> tuple[int, str]:
    """Return (count, unit) of an OpenSLO duration such as ``30d``, ``1m`` or ``1Q``.

    Examples
    --------
    >>> parse_duration("28d", "timeWindow[0].duration")
    (28, 'd')
    """
    match = _DURATION.match(str(text)) if isinstance(text, str | int) else None
    if not match:
        raise SpecError(
            path, f"{text!r} is not a duration: write a count and a unit (m h d w M Q Y), e.g. 30d"
        )
    return int(match.group(1)), match.group(2)


def load_slos(path: str | Path) -> list[Slo]:
    """Read and validate every SLO in a YAML file.

    Examples
    --------
    >>> load_slos("data/sample/slos.yaml")[0].name  # doctest: +SKIP
    'api-availability'
    """
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigurationError(
            f"no SLO spec at {path}: write one (see opsbook.slo.spec) or run `opsbook sample generate`"
        ) from None
    return parse_slos(text, source=path.name)


def parse_slos(text: str, *, source: str = "slos") -> list[Slo]:
    """Validate OpenSLO v1 YAML text and return its SLOs (other kinds are ignored).

    Examples
    --------
    >>> parse_slos(EXAMPLE.replace("0.999", "1.5"))
    Traceback (most recent call last):
    ...
    opsbook.slo.spec.SpecError: slos[0].spec.objectives[0].target: expected a number above 0 and below 1, got 1.5
    """
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as error:
        raise ConfigurationError(f"{source} is not valid YAML: {error}") from None
    if len(documents) == 1 and isinstance(documents[0], list):
        documents = documents[0]
    slos = []
    names: set[str] = set()
    for index, document in enumerate(documents):
        path = f"slos[{index}]"
        doc = _mapping(document, path)
        if doc.get("kind") != "SLO":
            if "kind" not in doc:
                raise SpecError(f"{path}.kind", "missing: expected SLO (or another OpenSLO kind)")
            continue
        if doc.get("apiVersion") != "openslo/v1":
            raise SpecError(
                f"{path}.apiVersion", f"expected openslo/v1, got {doc.get('apiVersion')!r}"
            )
        slo = _slo(doc, path)
        if slo.name in names:
            raise SpecError(
                f"{path}.metadata.name", f"{slo.name!r} is used twice: names must be unique"
            )
        names.add(slo.name)
        slos.append(slo)
    if not slos:
        raise ConfigurationError(f"{source} holds no SLO (kind: SLO, apiVersion: openslo/v1)")
    return slos


def _slo(doc: Mapping[str, Any], path: str) -> Slo:
    metadata = _mapping(doc.get("metadata"), f"{path}.metadata")
    name = _text(metadata.get("name"), f"{path}.metadata.name")
    if not _NAME.match(name):
        raise SpecError(
            f"{path}.metadata.name", f"{name!r}: use lower-case letters, digits and '-'"
        )
    annotations = metadata.get("annotations") or {}
    annotations = {
        str(k): str(v) for k, v in _mapping(annotations, f"{path}.metadata.annotations").items()
    }
    spec = _mapping(doc.get("spec"), f"{path}.spec")
    budgeting = spec.get("budgetingMethod")
    if budgeting not in ("Occurrences", "Timeslices"):
        raise SpecError(
            f"{path}.spec.budgetingMethod", f"expected Occurrences or Timeslices, got {budgeting!r}"
        )
    window = _window(spec.get("timeWindow"), f"{path}.spec.timeWindow")
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        raise SpecError(f"{path}.spec.objectives", "expected a list with one objective")
    if len(objectives) > 1:
        raise SpecError(
            f"{path}.spec.objectives",
            "opsbook reads one objective per SLO: split the others into their own SLOs",
        )
    opath = f"{path}.spec.objectives[0]"
    objective = _mapping(objectives[0], opath)
    if "targetPercent" in objective and "target" not in objective:
        percent = objective["targetPercent"]
        number = isinstance(percent, int | float) and not isinstance(percent, bool)
        target = _fraction(percent / 100 if number else percent, f"{opath}.targetPercent")
    else:
        target = _fraction(objective.get("target"), f"{opath}.target")
    slice_target = None
    slice_seconds = 60
    if budgeting == "Timeslices":
        count, unit = parse_duration(
            objective.get("timeSliceWindow", "1m"), f"{opath}.timeSliceWindow"
        )
        if unit not in ("m", "h"):
            raise SpecError(f"{opath}.timeSliceWindow", "use minutes or hours, e.g. 1m or 5m")
        slice_seconds = count * _UNIT_SECONDS[unit]
        if 86400 % slice_seconds:
            raise SpecError(f"{opath}.timeSliceWindow", "must divide a day evenly, e.g. 1m, 5m, 1h")
    indicator = spec.get("indicator")
    ipath = f"{path}.spec.indicator"
    if indicator is None and "indicatorRef" in spec:
        raise SpecError(f"{path}.spec.indicatorRef", "write the SLI inline under spec.indicator")
    ispec = _mapping(_mapping(indicator, ipath).get("spec"), f"{ipath}.spec")
    common = {
        "name": name,
        "display_name": str(metadata.get("displayName") or name),
        "service": _text(spec.get("service"), f"{path}.spec.service"),
        "description": str(spec.get("description") or ""),
        "target": target,
        "budgeting": budgeting,
        "window": window,
        "slice_seconds": slice_seconds,
        "annotations": annotations,
    }
    if "ratioMetric" in ispec:
        rpath = f"{ipath}.spec.ratioMetric"
        ratio = _mapping(ispec["ratioMetric"], rpath)
        if ("good" in ratio) == ("bad" in ratio):
            raise SpecError(rpath, "give exactly one of good or bad, and total")
        if "total" not in ratio:
            raise SpecError(f"{rpath}.total", "missing: the SLI needs a total (valid events)")
        if ratio.get("counter", True) is not True:
            raise SpecError(
                f"{rpath}.counter",
                "only counters (counts per period) are supported: set counter: true",
            )
        if budgeting == "Timeslices":
            slice_target = _fraction(objective.get("timeSliceTarget"), f"{opath}.timeSliceTarget")
        which = "good" if "good" in ratio else "bad"
        return Slo(
            **common,
            kind="ratio",
            slice_target=slice_target,
            **{which: _source(ratio[which], f"{rpath}.{which}")},
            total=_source(ratio["total"], f"{rpath}.total"),
        )
    if "thresholdMetric" in ispec:
        if budgeting != "Timeslices":
            raise SpecError(
                f"{path}.spec.budgetingMethod",
                "a thresholdMetric SLI judges time slices: set budgetingMethod: Timeslices",
            )
        op = objective.get("op")
        if op not in _OPS:
            raise SpecError(f"{opath}.op", f"expected one of {', '.join(_OPS)}, got {op!r}")
        value = objective.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SpecError(f"{opath}.value", f"expected the threshold as a number, got {value!r}")
        source = _source(ispec["thresholdMetric"], f"{ipath}.spec.thresholdMetric")
        if isinstance(source, LogsSource):
            raise SpecError(
                f"{ipath}.spec.thresholdMetric", "use a CloudWatch metric for a thresholdMetric"
            )
        return Slo(**common, kind="threshold", metric=source, op=op, value=float(value))
    raise SpecError(f"{ipath}.spec", "expected ratioMetric or thresholdMetric")


def _window(value: Any, path: str) -> TimeWindow:
    if not isinstance(value, list) or len(value) != 1:
        raise SpecError(
            path, "expected a list with one time window, e.g. [{duration: 30d, isRolling: true}]"
        )
    window = _mapping(value[0], f"{path}[0]")
    count, unit = parse_duration(window.get("duration"), f"{path}[0].duration")
    rolling = window.get("isRolling", False)
    if not isinstance(rolling, bool):
        raise SpecError(f"{path}[0].isRolling", f"expected true or false, got {rolling!r}")
    text = f"{count}{unit}"
    if rolling:
        if unit in _CALENDAR_MONTHS:
            raise SpecError(f"{path}[0].duration", f"{text}: a rolling window is in m, h, d or w")
        seconds = count * _UNIT_SECONDS[unit]
        if seconds < 3600:
            raise SpecError(f"{path}[0].duration", f"{text} is too short for an SLO period")
        return TimeWindow(dt.timedelta(seconds=seconds), True, text)
    calendar = _mapping(window.get("calendar"), f"{path}[0].calendar")
    zone = str(calendar.get("timeZone") or "UTC")
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SpecError(
            f"{path}[0].calendar.timeZone", f"{zone!r} is not an IANA time zone, e.g. Europe/Paris"
        ) from None
    raw = calendar.get("startTime")
    try:
        start = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        raise SpecError(
            f"{path}[0].calendar.startTime", f"{raw!r}: write e.g. '2026-01-01 00:00:00'"
        ) from None
    start = start.replace(tzinfo=tz) if start.tzinfo is None else start
    if unit in _CALENDAR_MONTHS:
        return TimeWindow(
            None, False, text, months=count * _CALENDAR_MONTHS[unit], start=start, zone=zone
        )
    if unit not in ("d", "w"):
        raise SpecError(f"{path}[0].duration", f"{text}: a calendar window is in d, w, M, Q or Y")
    return TimeWindow(
        dt.timedelta(seconds=count * _UNIT_SECONDS[unit]), False, text, start=start, zone=zone
    )


def _source(value: Any, path: str) -> Source:
    wrapper = _mapping(value, path)
    source = _mapping(wrapper.get("metricSource"), f"{path}.metricSource")
    kind = source.get("type")
    spec = _mapping(source.get("spec"), f"{path}.metricSource.spec")
    spath = f"{path}.metricSource.spec"
    if kind == "CloudWatch":
        region = spec.get("region")
        if "metricDataQueries" in spec:
            return _data_queries(spec["metricDataQueries"], f"{spath}.metricDataQueries", region)
        if "sql" in spec:
            raise SpecError(
                f"{spath}.sql", "Metrics Insights SQL is not supported yet: use metricDataQueries"
            )
        return MetricSource((("m1", _metric(spec, spath)),), region=region)
    if kind == "CloudWatchLogs":
        groups = spec.get("logGroups")
        if isinstance(groups, str):
            groups = [groups]
        if (
            not isinstance(groups, list)
            or not groups
            or not all(isinstance(g, str) for g in groups)
        ):
            raise SpecError(f"{spath}.logGroups", "expected a list of log group names")
        return LogsSource(
            query=_text(spec.get("query"), f"{spath}.query"),
            log_groups=tuple(groups),
            field=_text(spec.get("field"), f"{spath}.field"),
            time_field=str(spec.get("timeField") or "bin"),
        )
    raise SpecError(
        f"{path}.metricSource.type", f"expected CloudWatch or CloudWatchLogs, got {kind!r}"
    )


def _metric(spec: Mapping[str, Any], path: str, stat_key: str = "stat") -> str:
    namespace = _text(spec.get("namespace"), f"{path}.namespace")
    metric = _text(spec.get("metricName"), f"{path}.metricName")
    stat = _text(spec.get(stat_key), f"{path}.{stat_key}")
    words = [namespace, metric]
    dims = spec.get("dimensions") or []
    if not isinstance(dims, list):
        raise SpecError(f"{path}.dimensions", "expected a list of {name, value}")
    for index, dim in enumerate(dims):
        dim = _mapping(dim, f"{path}.dimensions[{index}]")
        name = _text(dim.get("name"), f"{path}.dimensions[{index}].name")
        val = _text(dim.get("value"), f"{path}.dimensions[{index}].value")
        if " " in name + val or "=" in name:
            raise SpecError(
                f"{path}.dimensions[{index}]", "spaces and '=' are not supported in dimensions"
            )
        words.append(f"{name}={val}")
    words.append(f"stat={stat}")
    from opsbook.metrics import MetricSeries

    try:
        MetricSeries.parse(" ".join(words))
    except ConfigurationError as error:
        raise SpecError(f"{path}.{stat_key}", str(error)) from None
    return " ".join(words)


def _data_queries(value: Any, path: str, region: Any) -> MetricSource:
    if not isinstance(value, list) or not value:
        raise SpecError(path, "expected a list of metric data queries")
    queries, expressions, returned = [], [], []
    for index, item in enumerate(value):
        qpath = f"{path}[{index}]"
        item = _mapping(item, qpath)
        query_id = _text(item.get("id"), f"{qpath}.id")
        if not _ID.match(query_id):
            raise SpecError(
                f"{qpath}.id", f"{query_id!r}: start with a lower-case letter; letters, digits, _"
            )
        if ("expression" in item) == ("metricStat" in item):
            raise SpecError(qpath, "give exactly one of expression or metricStat")
        if "expression" in item:
            expressions.append((query_id, _text(item["expression"], f"{qpath}.expression")))
        else:
            stat = _mapping(item["metricStat"], f"{qpath}.metricStat")
            metric = _mapping(stat.get("metric"), f"{qpath}.metricStat.metric")
            queries.append(
                (query_id, _metric({**metric, "stat": stat.get("stat")}, f"{qpath}.metricStat"))
            )
        if item.get("returnData", True) is True:
            returned.append(query_id)
    if len(returned) != 1:
        raise SpecError(
            path, f"exactly one query must have returnData: true (found {len(returned)})"
        )
    if not queries:
        raise SpecError(path, "at least one query needs a metricStat")
    from opsbook.metrics import _math

    try:
        _math.check(dict(expressions), [q for q, _ in queries])
    except ConfigurationError as error:
        raise SpecError(path, str(error)) from None
    return MetricSource(tuple(queries), tuple(expressions), returned[0], region)


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        got = "nothing" if value is None else type(value).__name__
        raise SpecError(path, f"expected a mapping (key: value), got {got}")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SpecError(path, f"expected text, got {'nothing' if value is None else repr(value)}")
    return value


def _fraction(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise SpecError(path, f"expected a number above 0 and below 1, got {value!r}")
    return float(value)


def describe(slos: Sequence[Slo]) -> list[dict[str, Any]]:
    """Return one plain dict per SLO (name, service, target, window, budgeting, SLI kind).

    Examples
    --------
    >>> describe(parse_slos(EXAMPLE))[0]["window"]
    '30d rolling'
    """
    return [
        {
            "name": s.name,
            "service": s.service,
            "target": s.target,
            "window": f"{s.window.text} {'rolling' if s.window.rolling else 'calendar'}",
            "budgeting": s.budgeting,
            "sli": s.kind,
        }
        for s in slos
    ]
