"""Sample CloudWatch metrics, written as a CloudWatch metric stream delivers them through Firehose.

Layout (Firehose with GZIP compression, one object per hour)::

    metrics/<metric stream>/YYYY/MM/DD/HH/<metric stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>.gz

Each object holds newline-delimited records in the Metric Streams JSON output format, one data
point of one metric per line::

    {"metric_stream_name": "...", "account_id": "...", "region": "us-east-1",
     "namespace": "AWS/ApplicationELB", "metric_name": "RequestCount",
     "dimensions": {"LoadBalancer": "app/..."}, "timestamp": 1731592920000,
     "value": {"max": 1.0, "min": 1.0, "sum": 1234.0, "count": 1234.0}, "unit": "Count"}

``value`` always carries the four statistics a stream sends by default (max, min, sum,
sample count); latency metrics the stream is configured to send additional statistics for also
carry ``p50``, ``p90`` and ``p99``. The values aggregate the shared traffic model
(:mod:`opsbook.sample.traffic`) with CloudWatch's semantics: a request-count metric has one sample
of 1 per request, an error-rate metric (API Gateway ``5XXError``, Lambda ``Errors``) one 0/1
sample per request so that its average is the error rate, and a metric with no samples in a
minute (an idle Lambda function, an ALB without 5XX) has no record for it.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.opportunity_metrics import write_opportunity_metrics
from opsbook.sample.provisioned_metrics import write_provisioned_metrics
from opsbook.sample.traffic import (
    CATALOG_FUNCTION,
    CHECKOUT_RPM,
    CHECKOUT_TASKS,
    ORDERS_FUNCTION,
    Flow,
    Latency,
    Traffic,
    check_scale,
    mixture_quantile,
    random_uuids,
    sample_params,
    traffic_model,
)

__all__ = ["EXTRA_STATISTICS", "MetricData", "MetricSeries", "metric_series", "write_metrics"]

# Metrics the stream sends additional statistics for (StatisticsConfigurations).
EXTRA_STATISTICS: dict[tuple[str, str], tuple[str, ...]] = {
    ("AWS/ApiGateway", "Latency"): ("p50", "p90", "p99"),
    ("AWS/ApiGateway", "IntegrationLatency"): ("p50", "p90", "p99"),
    ("AWS/ApplicationELB", "TargetResponseTime"): ("p50", "p90", "p99"),
    ("AWS/Lambda", "Duration"): ("p50", "p90", "p99"),
}
_QUANTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99}
_BASE_STATS = ("max", "min", "sum", "count")
_HOUR_MS = 3_600_000

# Functions added per unit of scale above 1 (each brings five Lambda series).
_EXTRA_FUNCTIONS = (
    "inventory-sync",
    "price-feed-import",
    "image-resizer",
    "search-indexer",
    "cart-expiry-sweeper",
    "email-dispatcher",
    "recommendations-refresh",
    "returns-processor",
    "loyalty-points",
    "fraud-screening",
)


_Built = tuple[np.ndarray, dict[str, np.ndarray]]  # (minutes with a data point, statistics)


@dataclass(frozen=True)
class MetricSeries:
    """One streamed metric: its identity and its per-minute statistics over the window."""

    namespace: str
    metric: str
    dimensions: dict[str, str]
    unit: str
    present: np.ndarray  # bool per minute of the window: is there a data point?
    stats: dict[str, np.ndarray]  # max, min, sum, count (+ p50, p90, p99), per minute


@dataclass(frozen=True)
class MetricData:
    """Every streamed metric over the window, exactly as :func:`write_metrics` writes it."""

    minute_ms: np.ndarray  # epoch ms of each minute of the window
    window: slice  # the window's minutes within the traffic model
    series: tuple[MetricSeries, ...]

    def find(self, namespace: str, metric: str, dimensions: dict[str, str]) -> MetricSeries | None:
        """Return the series with exactly these dimensions (as CloudWatch matches), or None."""
        return next(
            (
                s
                for s in self.series
                if (s.namespace, s.metric, s.dimensions) == (namespace, metric, dimensions)
            ),
            None,
        )


@sample_params
def write_metrics(
    root: Path, story: org.Timeline, *, scale: float = 1.0, seed: int = 7
) -> dict[str, Any]:
    """Write the sample metric stream under ``root/metrics`` and return facts for the README.

    At scale 1 the stream covers ``METRIC_DAYS`` days at 1-minute resolution ending at
    ``story.end``: 25 series (about 1M records). ``scale`` multiplies the volume linearly: below 1
    the window is shortened (its end stays at ``story.end``), above 1 more Lambda functions are
    streamed. The request volumes in the values follow ``scale`` too, as the logs do.

    Parameters
    ----------
    root
        Folder of the sample data; ``metrics/`` is created inside it.

    Returns
    -------
    dict
        JSON-serialisable facts: files, records, series, namespaces, window and incident figures.

    Raises
    ------
    opsbook.errors.ConfigurationError
        If ``scale`` is not a positive number.

    Examples
    --------
    >>> import datetime as dt, tempfile
    >>> from opsbook.sample.org import timeline
    >>> facts = write_metrics(Path(tempfile.mkdtemp()), timeline(dt.date(2026, 11, 15)), scale=0.1)
    >>> facts["series"], facts["namespaces"]["AWS/Lambda"]
    (25, 10)
    """
    scale = check_scale(scale)
    model = traffic_model(story, scale=scale, seed=seed)
    data = metric_series(story, scale=scale, seed=seed)
    series, minute_ms, window = list(data.series), data.minute_ms, data.window
    files, records = _write_stream(root, series, minute_ms, np.random.default_rng([seed, 2418]))

    namespaces = Counter(s.namespace for s in series)
    return {
        "format": "CloudWatch Metric Streams JSON output format, delivered by Firehose with GZIP "
        "compression (one object per hour)",
        "path": f"{layout.METRICS}/{org.METRIC_STREAM}/YYYY/MM/DD/HH/"
        f"{org.METRIC_STREAM}-1-YYYY-MM-DD-HH-MM-SS-<uuid>.gz",
        "metric_stream": org.METRIC_STREAM,
        "account_id": org.SHOP_PROD.id,
        "region": org.REGION,
        "start": _iso(minute_ms[0]),
        "end": story.end.isoformat(),
        "resolution_seconds": 60,
        "files": files,
        "records": records,
        "series": len(series),
        "namespaces": dict(sorted(namespaces.items())),
        "metrics": sorted({f"{s.namespace} {s.metric}" for s in series}),
        "statistics": {
            "default": list(_BASE_STATS),
            "additional": {f"{ns} {name}": list(v) for (ns, name), v in EXTRA_STATISTICS.items()},
        },
        "incident": _incident_facts(model, series, window),
        "opportunities": write_opportunity_metrics(root, story, seed=seed),
        "provisioned": write_provisioned_metrics(root, story, seed=seed),
    }


def metric_series(story: org.Timeline, *, scale: float = 1.0, seed: int = 7) -> MetricData:
    """Return the metrics :func:`write_metrics` streams, as per-minute numpy statistics.

    The alarm history (:mod:`opsbook.sample.incident`) is evaluated from these very values, so
    it agrees with the written metric stream to the last digit. Cached, and read-only.

    Parameters
    ----------
    story
        The injected events, from :func:`opsbook.sample.org.timeline`.
    scale
        Volume multiplier, > 0 (as for :func:`write_metrics`).
    seed
        Seed of the random generators.

    Examples
    --------
    >>> import datetime as dt
    >>> from opsbook.sample.org import timeline
    >>> data = metric_series(timeline(dt.date(2026, 11, 15)), scale=0.1)
    >>> data.find("AWS/Lambda", "Throttles", {"FunctionName": "orders-worker"}).unit
    'Count'
    """
    return _metric_series(story, check_scale(scale), int(seed))


@functools.lru_cache(maxsize=2)
def _metric_series(story: org.Timeline, scale: float, seed: int) -> MetricData:
    model = traffic_model(story, scale=scale, seed=seed)
    rng = np.random.default_rng([seed, 2417])
    keep = max(60, int(round(model.minutes * min(scale, 1.0))))
    window = slice(model.minutes - keep, model.minutes)
    extra = int(round((scale - 1) * 5)) if scale > 1 else 0
    series = _core_series(model, window, rng) + _extra_series(model, window, extra, seed)
    for item in series:  # shared through the cache: nobody may alter it
        item.present.flags.writeable = False
        for values in item.stats.values():
            values.flags.writeable = False
    return MetricData(model.minute_ms[window], window, tuple(series))


# -- statistics ----------------------------------------------------------------------------------


def _counts(n: np.ndarray) -> _Built:
    """Each event is one sample of value 1 (RequestCount, Count, Invocations, HTTPCode_*)."""
    n = n.astype(float)
    ones = np.ones_like(n)
    return n > 0, {"max": ones, "min": ones, "sum": n, "count": n}


def _ratio(bad: np.ndarray, total: np.ndarray) -> _Built:
    """One 0/1 sample per request: sum = failures, count = requests, average = the rate."""
    bad, total = bad.astype(float), total.astype(float)
    stats = {
        "max": (bad > 0).astype(float),
        "min": (bad >= total).astype(float),
        "sum": bad,
        "count": total,
    }
    return total > 0, stats


def _gauge(value: np.ndarray, decimals: int) -> _Built:
    """One sample per minute (RDS, UnHealthyHostCount, ConcurrentExecutions)."""
    value = np.round(value.astype(float), decimals)
    return np.ones(value.size, dtype=bool), {
        "max": value,
        "min": value,
        "sum": value,
        "count": np.ones_like(value),
    }


def _latency(
    parts: list[tuple[np.ndarray, Latency]],
    rng: np.random.Generator,
    *,
    divide: float = 1.0,
    decimals: int = 2,
    outliers: tuple[np.ndarray, np.ndarray] | None = None,
) -> _Built:
    """Statistics of latency samples: one per request, drawn from per-minute distributions.

    Extremes are drawn from the exact distribution of a sample's min and max; percentiles are the
    distribution's (mixture's) quantiles. ``outliers`` (count and value per minute) are extra
    samples of a known value, such as Lambda invocations that ran into their timeout.
    """
    total = sum(n for n, _ in parts).astype(float)
    size = total.size
    hi, lo, acc = np.full(size, -np.inf), np.full(size, np.inf), np.zeros(size)
    for n, latency in parts:
        nf = np.maximum(n.astype(float), 1.0)
        has = n > 0
        # The max of n uniforms is U**(1/n); the other n-1 lie uniformly below it.
        u_top = rng.random(size) ** (1 / nf)
        u_bottom = u_top * (1 - rng.random(size) ** (1 / np.maximum(nf - 1, 1)))
        top = latency.quantile(u_top)
        bottom = np.where(nf > 1, latency.quantile(u_bottom), top)
        mean = latency.mean() + latency.std() / np.sqrt(nf) * rng.standard_normal(size)
        hi = np.where(has, np.maximum(hi, top), hi)
        lo = np.where(has, np.minimum(lo, bottom), lo)
        acc += np.where(has, np.clip(mean, bottom, top) * n, 0.0)
    if len(parts) == 1:
        quantiles = {k: parts[0][1].quantile(q) for k, q in _QUANTILES.items()}
    else:
        quantiles = {k: mixture_quantile(parts, q) for k, q in _QUANTILES.items()}
    if outliers is not None:
        k, value = outliers
        has = k > 0
        hi = np.where(has, np.maximum(hi, value), hi)
        lo = np.where(has, np.minimum(lo, value), lo)
        acc += np.where(has, value * k, 0.0)
        total = total + k
        for name, q in _QUANTILES.items():
            # The q-th sample falls among the top k outliers when its rank exceeds n - k.
            in_tail = has & (np.ceil(q * total) > total - k)
            quantiles[name] = np.where(in_tail, np.maximum(value, quantiles[name]), quantiles[name])
    empty = total == 0  # no record is written for these minutes; keep their numbers finite
    hi, lo = np.where(empty, 0.0, hi), np.where(empty, 0.0, lo)
    single = total == 1  # one sample: every statistic is that sample
    lo = np.where(single, hi, lo)
    scale = 1.0 / divide
    hi, lo = np.round(hi * scale, decimals), np.round(lo * scale, decimals)
    mean = np.clip(acc / np.maximum(total, 1.0) * scale, lo, hi)
    stats = {"max": hi, "min": lo, "sum": np.where(single, hi, mean * total), "count": total}
    floor = lo
    for name in _QUANTILES:
        value = np.round(np.where(single, hi, quantiles[name]) * scale, decimals)
        floor = np.clip(np.maximum(value, floor), lo, hi)  # p50 <= p90 <= p99 within [min, max]
        stats[name] = floor
    return total > 0, stats


# -- series --------------------------------------------------------------------------------------


def _part(latency: Latency, window: slice) -> Latency:
    return Latency(latency.mu[window], latency.sigma[window], latency.shift)


def _lambda_series(
    name: str,
    flow: Flow,
    window: slice,
    rng: np.random.Generator,
    outliers: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[MetricSeries]:
    calls = flow.requests[window]
    errors = flow.server_errors[window]
    throttled = np.zeros_like(calls) if flow.throttled is None else flow.throttled[window]
    normal = calls - (outliers[0] if outliers is not None else 0)
    duration = _part(flow.latency, window)
    # Concurrency by Little's law (arrival rate x mean duration), peaked within the minute.
    busy = calls / 60.0 * duration.mean() / 1000.0
    concurrent = np.maximum(1, rng.poisson(busy * 1.6) + 1)
    dims = {"FunctionName": name}
    present = calls > 0
    attempts = calls + throttled  # a throttled request is no invocation, but it is counted
    out = [
        ("Invocations", "Count", _counts(calls)),
        ("Errors", "Count", _ratio(errors, calls)),
        ("Throttles", "Count", _ratio(throttled, attempts)),
        ("Duration", "Milliseconds", _latency([(normal, duration)], rng, outliers=outliers)),
        ("ConcurrentExecutions", "Count", (present, _gauge(concurrent, 0)[1])),
    ]
    return [
        MetricSeries(
            "AWS/Lambda", m, dims, u, p & (attempts > 0 if m == "Throttles" else present), s
        )
        for m, u, (p, s) in out
    ]


def _core_series(model: Traffic, window: slice, rng: np.random.Generator) -> list[MetricSeries]:
    catalog, checkout = model.catalog, model.checkout
    n = window.stop - window.start
    inc = model.incident[window]
    cat_n, chk_n = catalog.requests[window], checkout.requests[window]
    elb = model.checkout_elb_errors[window]
    lambda_latency = _part(catalog.latency, window)
    target_latency = _part(checkout.latency, window)
    api_dims = {"ApiName": org.API_NAME}
    lb_dims = {"LoadBalancer": org.LOAD_BALANCER}
    series = []

    def add(namespace: str, metric: str, dims: dict[str, str], unit: str, built: _Built) -> None:
        series.append(MetricSeries(namespace, metric, dims, unit, built[0], built[1]))

    # API Gateway fronts both the catalog routes (Lambda proxy) and checkout (HTTP to the ALB).
    api_5xx = catalog.server_errors[window] + checkout.server_errors[window] + elb
    api_4xx = catalog.client_errors[window] + checkout.client_errors[window]
    total = cat_n + chk_n
    add("AWS/ApiGateway", "Count", api_dims, "Count", _counts(total))
    add("AWS/ApiGateway", "4XXError", api_dims, "Count", _ratio(api_4xx, total))
    add("AWS/ApiGateway", "5XXError", api_dims, "Count", _ratio(api_5xx, total))
    gateway = [(cat_n, lambda_latency.plus(10.0)), (chk_n, target_latency.plus(9.0))]
    integration = [(cat_n, lambda_latency.plus(4.0)), (chk_n, target_latency.plus(3.0))]
    add("AWS/ApiGateway", "Latency", api_dims, "Milliseconds", _latency(gateway, rng))
    add(
        "AWS/ApiGateway", "IntegrationLatency", api_dims, "Milliseconds", _latency(integration, rng)
    )

    add("AWS/ApplicationELB", "RequestCount", lb_dims, "Count", _counts(chk_n))
    target_5xx = checkout.server_errors[window]
    add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb_dims, "Count", _counts(target_5xx))
    add("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb_dims, "Count", _counts(elb))
    responded = [(chk_n - elb, target_latency)]
    add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb_dims,
        "Seconds",
        _latency(responded, rng, divide=1000.0, decimals=6),
    )
    unhealthy = np.round(2.4 * inc * rng.uniform(0.5, 1.2, n))
    add(
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {**lb_dims, "TargetGroup": org.TARGET_GROUP},
        "Count",
        _gauge(unhealthy, 0),
    )

    series += _lambda_series(CATALOG_FUNCTION.name, catalog, window, rng)
    failures = model.orders_failures
    minute = failures.minute - window.start
    inside = minute >= 0
    fail_n = np.bincount(minute[inside], minlength=n)
    fail_max = np.zeros(n)
    np.maximum.at(fail_max, minute[inside], failures.duration_ms[inside])
    series += _lambda_series(ORDERS_FUNCTION.name, model.orders, window, rng, (fail_n, fail_max))

    # ECS publishes one sample per running task; the bad task set burns CPU while it fails, and
    # the load test's synthetic requests load every task.
    tasks = model.ecs_tasks[window]
    load = chk_n / (CHECKOUT_RPM * model.scale)  # about 1 on average
    per_task = load * CHECKOUT_TASKS / tasks  # new tasks share the load while both sets run
    cpu = 9.0 + 11.0 * per_task + 45.0 * inc
    memory = 41.0 + 2.0 * per_task + 18.0 * inc
    ecs_dims = {"ClusterName": org.ECS_CLUSTER, "ServiceName": org.CHECKOUT.name}
    for metric, level, spread in (("CPUUtilization", cpu, 2.5), ("MemoryUtilization", memory, 1.0)):
        add("AWS/ECS", metric, ecs_dims, "Percent", _per_task(level, spread, tasks, rng))

    # RDS: checkout's connection pools (50 per task) fill up during the incident; the load test's
    # cart reads are served from the cache, and the reporting job adds its own CPU.
    rds_dims = {"DBInstanceIdentifier": org.DB_INSTANCE}
    organic = (chk_n - model.checkout_synthetic[window]) / (CHECKOUT_RPM * model.scale)
    connections = np.round(40 + 8 * organic + 230 * inc + rng.normal(0, 2.0, n)).clip(1)
    job = model.db_job_cpu[window]
    rds_cpu = np.clip(9 + 14 * organic + 30 * inc + job + rng.normal(0, 1.2, n), 1, 100)
    freeable = 4.2e9 - 6.0e6 * connections + rng.normal(0, 1.5e7, n)
    add("AWS/RDS", "CPUUtilization", rds_dims, "Percent", _gauge(rds_cpu, 4))
    add("AWS/RDS", "DatabaseConnections", rds_dims, "Count", _gauge(connections, 0))
    add("AWS/RDS", "FreeableMemory", rds_dims, "Bytes", _gauge(freeable, 0))
    return series


def _per_task(
    level: np.ndarray, spread: float, tasks: np.ndarray, rng: np.random.Generator
) -> _Built:
    width = int(tasks.max())
    values = np.clip(level[:, None] + rng.normal(0, spread, (level.size, width)), 0.5, 100.0)
    values = np.round(values, 4)
    running = np.arange(width)[None, :] < tasks[:, None]
    stats = {
        "max": np.where(running, values, -np.inf).max(axis=1),
        "min": np.where(running, values, np.inf).min(axis=1),
        "sum": np.where(running, values, 0.0).sum(axis=1),
        "count": tasks.astype(float),
    }
    return np.ones(level.size, dtype=bool), stats


def _extra_series(model: Traffic, window: slice, count: int, seed: int) -> list[MetricSeries]:
    """More Lambda functions for scales above 1, with their own quiet traffic."""
    out: list[MetricSeries] = []
    n = window.stop - window.start
    demand = model.demand[window]
    for index in range(count):
        rng = np.random.default_rng([seed, 3301, index])
        base = _EXTRA_FUNCTIONS[index % len(_EXTRA_FUNCTIONS)]
        name = base if index < len(_EXTRA_FUNCTIONS) else f"{base}-{index // len(_EXTRA_FUNCTIONS)}"
        calls = rng.poisson(rng.uniform(5, 60) * model.scale * demand)
        errors = rng.binomial(calls, 0.001)
        mu = np.full(n, np.log(rng.uniform(20, 400))) + rng.normal(0, 0.05, n)
        flow = Flow(calls, errors, np.zeros(n, dtype=np.int64), Latency(mu, np.full(n, 0.6)))
        out += _lambda_series(name, flow, slice(0, n), rng)
    return out


# -- writing -------------------------------------------------------------------------------------


def _template(series: MetricSeries) -> str:
    head = json.dumps(
        {
            "metric_stream_name": org.METRIC_STREAM,
            "account_id": org.SHOP_PROD.id,
            "region": org.REGION,
            "namespace": series.namespace,
            "metric_name": series.metric,
            "dimensions": series.dimensions,
        },
        separators=(",", ":"),
    )[:-1].replace("%", "%%")
    value = ",".join(f'"{name}":%r' for name in series.stats)
    return head + ',"timestamp":%d,"value":{' + value + '},"unit":"' + series.unit + '"}\n'


def _write_stream(
    root: Path, series: list[MetricSeries], minute_ms: np.ndarray, rng: np.random.Generator
) -> tuple[int, int]:
    lines: list[str] = []
    keys = []
    for number, item in enumerate(series):
        template = _template(item)
        where = np.flatnonzero(item.present)
        columns = [minute_ms[where].tolist()]
        columns += [item.stats[name][where].tolist() for name in item.stats]
        lines += [template % row for row in zip(*columns, strict=True)]
        keys.append(where * len(series) + number)
    order = np.argsort(np.concatenate(keys), kind="stable")
    ordered = np.asarray(lines, dtype=object)[order]
    minute = np.concatenate(keys)[order] // len(series)
    hour = (minute_ms[minute] // _HOUR_MS).astype(np.int64)
    bounds = np.flatnonzero(np.diff(hour)) + 1
    starts = np.concatenate([[0], bounds]).tolist()
    stops = np.concatenate([bounds, [hour.size]]).tolist()
    hours = hour[starts].tolist()
    delays = rng.integers(60, 240, len(starts)).tolist()  # buffer opened a little after the hour
    names = random_uuids(rng, len(starts))

    def write(job: int) -> None:
        opened = dt.datetime.fromtimestamp(hours[job] * 3600 + delays[job], tz=dt.UTC)
        path = root / layout.metric_stream_object(org.METRIC_STREAM, opened, names[job])
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(ordered[starts[job] : stops[job]].tolist()).encode()
        # zlib releases the GIL, so two threads compress two hours at once.
        path.write_bytes(gzip.compress(text, compresslevel=6, mtime=0))

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(write, range(len(starts))))
    return len(starts), len(lines)


# -- facts ---------------------------------------------------------------------------------------


def _iso(ms: int | np.integer) -> str:
    return dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC).isoformat()


def _find(series: list[MetricSeries], metric: str, **dims: str) -> MetricSeries:
    return next(
        s
        for s in series
        if s.metric == metric and all(s.dimensions.get(k) == v for k, v in dims.items())
    )


def _incident_facts(model: Traffic, series: list[MetricSeries], window: slice) -> dict[str, Any]:
    story = model.story
    offset = window.start

    def span(start: dt.datetime, end: dt.datetime) -> slice:
        part = model.window(start, end)
        return slice(max(part.start - offset, 0), max(part.stop - offset, 0))

    inside = span(story.errors_start, story.errors_end)
    before = span(story.errors_start - dt.timedelta(days=1), story.deploy_at)
    facts: dict[str, Any] = {
        "window": [story.errors_start.isoformat(), story.errors_end.isoformat()],
        "in_window": inside.stop > inside.start,
    }
    if facts["in_window"]:
        target = _find(series, "HTTPCode_Target_5XX_Count")
        trt = _find(series, "TargetResponseTime")
        gw = _find(series, "5XXError", ApiName=org.API_NAME)
        cpu = _find(series, "CPUUtilization", ServiceName=org.CHECKOUT.name)

        def rate(s: MetricSeries, part: slice) -> float:
            return float(s.stats["sum"][part].sum() / max(s.stats["count"][part].sum(), 1))

        facts |= {
            "alb_target_5xx_in_window": int(
                target.stats["sum"][inside][target.present[inside]].sum()
            ),
            "alb_target_5xx_previous_day": int(
                target.stats["sum"][before][target.present[before]].sum()
            ),
            "api_gateway_5xx_rate_in_window": round(rate(gw, inside), 4),
            "api_gateway_5xx_rate_previous_day": round(rate(gw, before), 6),
            "target_response_time_p99_s_previous_day_median": round(
                float(np.median(trt.stats["p99"][before])), 3
            ),
            "target_response_time_p99_s_in_window_max": round(
                float(trt.stats["p99"][inside].max()), 3
            ),
            "ecs_cpu_average_previous_day": round(rate(cpu, before), 1),
            "ecs_cpu_max_in_window": round(float(cpu.stats["max"][inside].max()), 1),
        }
    burn = span(story.slow_burn_start, story.end)
    errors = _find(series, "Errors", FunctionName=CATALOG_FUNCTION.name)
    early = slice(0, burn.start)
    last_day = slice(max(window.stop - window.start - 1440, 0), window.stop - window.start)
    facts["catalog_slow_burn"] = {
        "from": story.slow_burn_start.isoformat(),
        "error_rate_before": round(
            float(errors.stats["sum"][early].sum() / max(errors.stats["count"][early].sum(), 1)), 5
        ),
        "error_rate_last_day": round(
            float(
                errors.stats["sum"][last_day].sum() / max(errors.stats["count"][last_day].sum(), 1)
            ),
            5,
        ),
    }
    failures = model.orders_failures
    keep = failures.minute >= offset
    kinds = Counter(failures.kind[keep].tolist())
    facts["orders_worker_errors"] = {
        "total": int(keep.sum()),
        "out_of_memory": kinds.get("oom", 0),
        "timeout": kinds.get("timeout", 0),
        "note": "Lambda Errors for orders-worker are exactly these invocations; its logs hold the "
        "matching REPORT lines with Max Memory Used = Memory Size and 'Task timed out' lines",
    }
    return facts
