"""The per-minute traffic model that the sample logs and metrics are both drawn from.

One deterministic model (numpy, vectorised over the minutes of the metrics window) decides how
many requests each service served in each minute, how many failed, and the latency distribution
they had. The metrics generator aggregates these counts and distributions; the logs generator
samples individual events from the same minutes. So a 5XX burst, a p99 rise or an out-of-memory
crash shows up at the same minute in both sources.

The story (see :mod:`opsbook.sample.org`):

- demand follows a diurnal curve (peak around 19:00 UTC, trough around 07:00 UTC), is higher on
  weekends (a retailer) and drifts slowly from day to day;
- checkout-api (ECS behind an ALB) returns a burst of 5XX and its p99 latency rises from about
  200 ms to about 2 s between ``errors_start`` and ``errors_end`` (bad deployment, rollback);
- catalog-api (Lambda behind API Gateway) steps from an error rate of about 0.03 % to about
  0.26 % when version 58 goes live at ``slow_burn_start`` and stays there (a slow SLO burn);
- orders-worker (SQS-triggered Lambda) has a few out-of-memory and time-out invocations a day;
- the episodes of :mod:`opsbook.sample.episodes` (a load test, a nightly database job, throttling,
  a 502 burst, poison messages, batch bursts) and its releases (rolling ECS task sets) are added
  minute by minute, so the alarms evaluated from the metrics fire exactly where they are listed.

Latencies are shifted log-normal distributions per minute (``shift + exp(mu + sigma * z)``), which
gives closed-form percentiles for the metrics and cheap sampling for the logs.

Examples
--------
>>> import datetime as dt
>>> from opsbook.sample.org import timeline
>>> model = traffic_model(timeline(dt.date(2026, 11, 15)))
>>> model.minutes
43200
>>> bool(model.checkout.server_errors[model.window(model.story.errors_start,
...      model.story.errors_end)].sum() > 100)
True
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

import numpy as np

from opsbook._docs import sharing
from opsbook.errors import ConfigurationError
from opsbook.sample import episodes as plan
from opsbook.sample import org

__all__ = [
    "CATALOG_FUNCTION",
    "CATALOG_RPM",
    "CHECKOUT_RPM",
    "CHECKOUT_TASKS",
    "LAMBDA_FUNCTIONS",
    "MINUTE_MS",
    "ORDERS_FUNCTION",
    "Failures",
    "Flow",
    "LambdaFunction",
    "Latency",
    "Traffic",
    "check_scale",
    "epoch_ms",
    "mixture_quantile",
    "norm_cdf",
    "norm_ppf",
    "random_uuids",
    "sample_params",
    "traffic_model",
]

MINUTE_MS = 60_000
DAY_MS = 86_400_000

# Mean requests per minute at scale 1 (before the diurnal and weekday factors). Sized so the
# incident crosses the sample alarms' thresholds (ALB target 5XX > 25 a minute, API 5XX > 1 %).
CATALOG_RPM = 4000.0
CHECKOUT_RPM = 600.0
# orders-worker invocations per checkout-api request: few requests place an order, and SQS hands
# the worker batches of messages.
ORDERS_PER_CHECKOUT = 0.0025
CHECKOUT_TASKS = 6  # desired count of the checkout-api ECS service


@dataclass(frozen=True)
class LambdaFunction:
    """A Lambda function's configuration, as its REPORT lines and metrics reflect it."""

    name: str
    memory_mb: int
    timeout_s: int
    runtime: str


CATALOG_FUNCTION = LambdaFunction(org.CATALOG.log_group.rsplit("/", 1)[1], 512, 10, "python:3.12")
ORDERS_FUNCTION = LambdaFunction(org.ORDERS.log_group.rsplit("/", 1)[1], 1024, 15, "python:3.12")
LAMBDA_FUNCTIONS = (CATALOG_FUNCTION, ORDERS_FUNCTION)


#: Writes the entries of a sample writer's ``story``, ``scale`` and ``seed`` parameters into its
#: docstring (see :func:`opsbook._docs.sharing`).
sample_params = sharing(
    {
        "story": "The injected events, from :func:`opsbook.sample.org.timeline`.",
        "scale": "Volume multiplier, > 0.",
        "seed": "Seed of the random generators; the same seed writes the same bytes.",
    }
)


def check_scale(scale: float) -> float:
    """Return ``scale`` as a float, or raise if it is not a positive finite number.

    Examples
    --------
    >>> check_scale(2)
    2.0
    """
    try:
        value = float(scale)
    except (TypeError, ValueError):
        raise ConfigurationError(f"scale must be a positive number, got {scale!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"scale must be a positive number, got {scale!r}")
    return value


def epoch_ms(when: dt.datetime) -> int:
    """Return a timezone-aware datetime as epoch milliseconds.

    Examples
    --------
    >>> epoch_ms(dt.datetime(1970, 1, 1, 0, 1, tzinfo=dt.UTC))
    60000
    """
    return int(round(when.timestamp() * 1000))


def random_uuids(rng: np.random.Generator, count: int) -> list[str]:
    """Return ``count`` random (version 4 format) UUID strings drawn from ``rng``.

    Examples
    --------
    >>> random_uuids(np.random.default_rng(1), 1)[0][14]
    '4'
    """
    h = rng.bytes(16 * count).hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-4{h[i + 13 : i + 16]}-"
        f"{'89ab'[int(h[i + 16], 16) & 3]}{h[i + 17 : i + 20]}-{h[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


# -- normal distribution helpers (no scipy dependency) -------------------------------------------

_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def norm_cdf(x: np.ndarray) -> np.ndarray:
    """Return the standard normal CDF, vectorised (Abramowitz-Stegun 7.1.26, error < 1.5e-7).

    Examples
    --------
    >>> round(float(norm_cdf(np.array(1.0))), 4)
    0.8413
    """
    z = np.abs(np.asarray(x, dtype=float)) / math.sqrt(2.0)
    t = 1.0 / (1.0 + _ERF_P * z)
    a1, a2, a3, a4, a5 = _ERF_A
    erf = 1.0 - ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t * np.exp(-z * z)
    return np.where(np.asarray(x) >= 0, 0.5 * (1.0 + erf), 0.5 * (1.0 - erf))


_PPF_A = (-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690,
          -30.66479806614716, 2.506628277459239)  # fmt: skip
_PPF_B = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
          -13.28068155288572)  # fmt: skip
_PPF_C = (-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
          4.374664141464968, 2.938163982698783)  # fmt: skip
_PPF_D = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)


def norm_ppf(p: np.ndarray) -> np.ndarray:
    """Return the standard normal quantile, vectorised (Acklam's approximation, ~1e-9 relative).

    Examples
    --------
    >>> round(float(norm_ppf(np.array(0.99))), 3)
    2.326
    """
    p = np.clip(np.asarray(p, dtype=float), 1e-15, 1 - 1e-15)
    out = np.empty_like(p)
    low, high = p < 0.02425, p > 1 - 0.02425
    mid = ~(low | high)
    a, b, c, d = _PPF_A, _PPF_B, _PPF_C, _PPF_D
    q = p[mid] - 0.5
    r = q * q
    out[mid] = (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    )
    for mask, sign, tail in ((low, 1.0, p[low]), (high, -1.0, 1 - p[high])):
        q = np.sqrt(-2 * np.log(tail))
        out[mask] = (
            sign
            * (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        )
    return out


# -- model types ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    """A shifted log-normal latency distribution per minute: ``shift + exp(mu + sigma * z)`` ms."""

    mu: np.ndarray
    sigma: np.ndarray
    shift: float = 0.0

    def quantile(self, q: float | np.ndarray) -> np.ndarray:
        """Return the ``q`` quantile per minute (``q`` a scalar or an array like ``mu``)."""
        return self.shift + np.exp(self.mu + self.sigma * norm_ppf(np.asarray(q, dtype=float)))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Return P(latency <= x) per minute."""
        above = np.maximum(np.asarray(x, dtype=float) - self.shift, 1e-12)
        return norm_cdf((np.log(above) - self.mu) / self.sigma)

    def mean(self) -> np.ndarray:
        """Return the mean per minute."""
        return self.shift + np.exp(self.mu + self.sigma**2 / 2)

    def std(self) -> np.ndarray:
        """Return the standard deviation per minute."""
        s2 = self.sigma**2
        return np.sqrt((np.exp(s2) - 1) * np.exp(2 * self.mu + s2))

    def plus(self, shift: float) -> Latency:
        """Return the same distribution shifted by ``shift`` ms (fixed overhead added)."""
        return Latency(self.mu, self.sigma, self.shift + shift)

    def sample(self, rng: np.random.Generator, minute: np.ndarray) -> np.ndarray:
        """Draw one latency for each entry of ``minute`` (indices into the model's minutes)."""
        z = rng.standard_normal(minute.size)
        return self.shift + np.exp(self.mu[minute] + self.sigma[minute] * z)


def mixture_quantile(parts: list[tuple[np.ndarray, Latency]], q: float) -> np.ndarray:
    """Return the ``q`` quantile per minute of a mixture of latency distributions.

    ``parts`` pairs each distribution with its weight per minute (request counts). Solved by
    bisection between the components' own quantiles, where the mixture quantile must lie.

    Examples
    --------
    >>> one = Latency(np.log(np.array([100.0])), np.array([0.5]))
    >>> bool(np.allclose(mixture_quantile([(np.array([3.0]), one)] * 2, 0.5), 100.0))
    True
    """
    weights = [np.asarray(w, dtype=float) for w, _ in parts]
    total = np.maximum(sum(weights), 1e-12)
    own = [latency.quantile(q) for _, latency in parts]
    lo = np.log(np.minimum.reduce(own))
    hi = np.log(np.maximum.reduce(own))
    for _ in range(40):
        mid = (lo + hi) / 2
        x = np.exp(mid)
        below = sum(w * lat.cdf(x) for w, (_, lat) in zip(weights, parts, strict=True)) / total
        lo = np.where(below < q, mid, lo)
        hi = np.where(below < q, hi, mid)
    return np.exp((lo + hi) / 2)


@dataclass(frozen=True)
class Flow:
    """One service's requests in each minute, as realised counts (the metrics' ground truth)."""

    requests: np.ndarray  # int64, requests (or invocations) per minute
    server_errors: np.ndarray  # int64: 5XX from the service itself / Lambda function errors
    client_errors: np.ndarray  # int64: 4XX
    latency: Latency  # service-side latency (ALB target response time / Lambda duration), ms
    throttled: np.ndarray | None = None  # int64: Lambda invocations refused (not in requests)


@dataclass(frozen=True)
class Failures:
    """orders-worker invocations that ran out of memory or timed out, one entry each."""

    start_ms: np.ndarray  # int64 epoch ms of the invocation's START
    minute: np.ndarray  # index of the minute the invocation belongs to
    kind: np.ndarray  # "oom" or "timeout"
    duration_ms: np.ndarray  # float: run time until killed / until the timeout


@dataclass(frozen=True)
class Traffic:
    """The sample organisation's traffic, minute by minute over the metrics window."""

    story: org.Timeline
    scale: float
    seed: int
    start_ms: int  # first minute (the metrics window's start)
    minute_ms: np.ndarray  # epoch ms of each minute's start
    demand: np.ndarray  # relative demand (diurnal x weekday x drift), mean about 1
    incident: np.ndarray  # 0..1: how strongly the bad checkout-api deployment hurts
    catalog: Flow  # catalog-api-handler invocations (= API Gateway catalog routes)
    checkout: Flow  # checkout-api requests through API Gateway and the ALB
    checkout_elb_errors: np.ndarray  # 502/504 produced by the ALB itself (no target response)
    orders: Flow  # orders-worker invocations; server_errors are the failures below
    orders_failures: Failures
    ecs_tasks: np.ndarray  # running checkout-api tasks (doubles while a deployment rolls)
    checkout_synthetic: np.ndarray  # load-test requests per minute (part of checkout.requests)
    db_job_cpu: np.ndarray  # CPU percentage points the reporting job adds on shop-orders-db
    episodes: tuple[plan.Episode, ...]  # the injected excursions, as modelled here
    releases: tuple[plan.Release, ...]  # the deployments

    @property
    def minutes(self) -> int:
        """Number of minutes in the model."""
        return int(self.minute_ms.size)

    def index(self, when: dt.datetime) -> int:
        """Return the index of the minute that contains ``when`` (clipped to the window)."""
        return int(np.clip((epoch_ms(when) - self.start_ms) // MINUTE_MS, 0, self.minutes))

    def window(self, start: dt.datetime, end: dt.datetime) -> slice:
        """Return the slice of minutes in ``[start, end)``."""
        return slice(self.index(start), self.index(end))

    def during(self, kind: str) -> np.ndarray:
        """Return each minute's level of the episodes of ``kind`` (0 outside them)."""
        return _during(self.minute_ms, self.episodes, kind)


def _during(minute_ms: np.ndarray, found: tuple[plan.Episode, ...], kind: str) -> np.ndarray:
    level = np.zeros(minute_ms.size)
    for episode in found:
        if episode.kind == kind:
            inside = (minute_ms >= epoch_ms(episode.start)) & (minute_ms < epoch_ms(episode.end))
            level[inside] = episode.level
    return level


# -- the model -----------------------------------------------------------------------------------


def traffic_model(story: org.Timeline, *, scale: float = 1.0, seed: int = 7) -> Traffic:
    """Return the traffic of the sample organisation over the metrics window of ``story``.

    ``scale`` multiplies request volumes (a bigger shop); error rates, latencies and the injected
    events do not change with it. Deterministic for a given ``story``, ``scale`` and ``seed``.

    Parameters
    ----------
    story
        The injected events, from :func:`opsbook.sample.org.timeline`.
    scale
        Request volume multiplier, > 0.
    seed
        Seed of the random generators.

    Examples
    --------
    >>> import datetime as dt
    >>> model = traffic_model(org.timeline(dt.date(2026, 11, 15)), scale=0.5)
    >>> bool(1500 < model.catalog.requests.mean() < 2500)
    True
    """
    return _cached_model(story, check_scale(scale), int(seed))


@functools.lru_cache(maxsize=4)
def _cached_model(story: org.Timeline, scale: float, seed: int) -> Traffic:
    # Separate generators per concern, so adding a draw to one part leaves the others unchanged.
    rng = {
        name: np.random.default_rng([seed, 7919, index])
        for index, name in enumerate(
            ("demand", "catalog", "checkout", "orders", "failures", "episodes")
        )
    }
    start_ms = epoch_ms(story.metrics_start)
    minutes = (epoch_ms(story.end) - start_ms) // MINUTE_MS
    minute_ms = start_ms + np.arange(minutes, dtype=np.int64) * MINUTE_MS
    found = plan.episodes(story, seed)
    shipped = plan.releases(story, seed)
    demand = _demand(minute_ms, rng["demand"])
    incident = _incident(minute_ms, story)

    def during(kind: str) -> np.ndarray:
        return _during(minute_ms, found, kind)

    catalog = _catalog(
        minute_ms, demand, during(plan.SLOW_BURN), during(plan.CATALOG_THROTTLING), scale,
        rng["catalog"],
    )  # fmt: skip
    synthetic = rng["episodes"].poisson(during(plan.LOAD_TEST) * CHECKOUT_RPM * scale)
    checkout, elb_errors = _checkout(
        demand, incident, synthetic, during(plan.ELB_502), scale, rng["checkout"]
    )
    failures = _failures(story, minute_ms, demand, found, rng["failures"])
    orders = _orders(minute_ms, checkout, synthetic, demand, failures, found, scale, rng["orders"])

    tasks = np.full(minutes, CHECKOUT_TASKS, dtype=np.int64)
    for release in shipped:
        if release.service == org.CHECKOUT.name:  # old and new task sets overlap for 2 minutes
            first = (epoch_ms(release.at) - start_ms) // MINUTE_MS
            tasks[max(first, 0) : max(first + 2, 0)] = 2 * CHECKOUT_TASKS
    model = Traffic(
        story=story,
        scale=scale,
        seed=seed,
        start_ms=start_ms,
        minute_ms=minute_ms,
        demand=demand,
        incident=incident,
        catalog=catalog,
        checkout=checkout,
        checkout_elb_errors=elb_errors,
        orders=orders,
        orders_failures=failures,
        ecs_tasks=tasks,
        checkout_synthetic=synthetic,
        db_job_cpu=during(plan.DB_JOB),
        episodes=found,
        releases=shipped,
    )
    _freeze(model)
    return model


def _freeze(value: object) -> None:
    # The model is cached and shared: make its arrays read-only so no caller can alter it.
    for item in vars(value).values():
        if isinstance(item, np.ndarray):
            item.flags.writeable = False
        elif isinstance(item, Latency | Flow | Failures):
            _freeze(item)


def _demand(minute_ms: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    hours = (minute_ms // MINUTE_MS % 1440) / 60.0
    angle = 2 * np.pi * (hours - 19.0) / 24.0
    diurnal = 1.0 + 0.45 * np.cos(angle) + 0.1 * np.cos(2 * angle)
    weekday = (minute_ms // DAY_MS + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    weekly = np.choose(weekday, [1.04, 0.98, 0.97, 0.99, 1.03, 1.16, 1.2])
    days = (minute_ms - minute_ms[0]) / DAY_MS
    drift = np.ones_like(days)
    for period in (1.7, 3.1, 5.3):  # slow day-to-day wobble
        drift += 0.03 * np.sin(2 * np.pi * days / period + rng.uniform(0, 2 * np.pi))
    trend = 1.0 + 0.003 * days
    jitter = np.exp(rng.normal(0.0, 0.04, days.size))  # over-dispersion beyond Poisson noise
    return diurnal * weekly * drift * trend * jitter


def _incident(minute_ms: np.ndarray, story: org.Timeline) -> np.ndarray:
    start, rollback, end = (
        epoch_ms(t) for t in (story.errors_start, story.rollback_at, story.errors_end)
    )
    ramp_up = np.clip((minute_ms - start) / MINUTE_MS + 1, 0, 3) / 3  # full strength in 3 minutes
    ramp_down = np.clip((end - minute_ms) / (end - rollback), 0, 1)  # recovers after the rollback
    inside = (minute_ms >= start) & (minute_ms < end)
    return np.where(inside, np.minimum(ramp_up, ramp_down), 0.0)


def _catalog(
    minute_ms: np.ndarray,
    demand: np.ndarray,
    burn_rate: np.ndarray,
    throttling: np.ndarray,
    scale: float,
    rng: np.random.Generator,
) -> Flow:
    n = minute_ms.size
    requests = rng.poisson(CATALOG_RPM * scale * demand * np.exp(rng.normal(0, 0.03, n)))
    # A step, not a creep: the new version's bug fails a steady share of the requests.
    burn = (burn_rate > 0).astype(float)
    base = np.where(burn > 0, burn_rate, 0.0003)
    error_rate = base * np.exp(rng.normal(0, 0.12, n)) + throttling
    errors = rng.binomial(requests, np.clip(error_rate, 0, 1))
    client = rng.binomial(requests - errors, 0.012)
    mu = np.log(38.0) + 0.08 * (demand - 1) + rng.normal(0, 0.03, n)
    sigma = 0.79 + 0.06 * burn
    return Flow(requests, errors, client, Latency(mu, np.asarray(sigma, dtype=float)))


def _checkout(
    demand: np.ndarray,
    incident: np.ndarray,
    synthetic: np.ndarray,
    elb_burst: np.ndarray,
    scale: float,
    rng: np.random.Generator,
) -> tuple[Flow, np.ndarray]:
    n = demand.size
    requests = rng.poisson(CHECKOUT_RPM * scale * demand * np.exp(rng.normal(0, 0.05, n)))
    requests = requests + synthetic  # the load test goes through the public API too
    strength = incident * rng.uniform(0.8, 1.2, n)
    target_rate = np.clip(0.0008 + 0.38 * strength, 0, 0.9)
    target = rng.binomial(requests, target_rate)
    elb_rate = 0.0001 + 0.1 * strength + elb_burst
    elb = rng.binomial(requests - target, np.clip(elb_rate, 0, 0.9))
    client = rng.binomial(requests - target - elb, 0.02)
    # Baseline p50 ~70 ms and p99 ~200 ms; during the incident p50 ~220 ms and p99 ~2.5 s.
    mu = (1 - incident) * (np.log(70.0) + 0.1 * (demand - 1) + rng.normal(0, 0.03, n))
    mu = mu + incident * (np.log(220.0) + rng.normal(0, 0.08, n))
    sigma = 0.451 * (1 - incident) + 1.05 * incident
    return Flow(requests, target, client, Latency(mu, sigma)), elb


def _failures(
    story: org.Timeline,
    minute_ms: np.ndarray,
    demand: np.ndarray,
    found: tuple[plan.Episode, ...],
    rng: np.random.Generator,
) -> Failures:
    days = minute_ms.size // 1440
    starts, kinds, durations = [], [], []
    # No failure in the last minutes, so every alarm a failure trips has settled by the end.
    quiet = minute_ms >= epoch_ms(story.end) - 5 * MINUTE_MS
    for day in range(days):
        block = slice(day * 1440, (day + 1) * 1440)
        weight = np.where(quiet[block], 0.0, demand[block])
        weight = weight / weight.sum()  # failures happen where the orders are
        for kind, extra in (("oom", 1.5), ("timeout", 1.0)):
            count = 1 + int(rng.poisson(extra))
            picked = np.sort(rng.choice(1440, size=count, replace=False, p=weight))
            starts.append(minute_ms[block][picked] + rng.integers(0, MINUTE_MS, count))
            kinds += [kind] * count
            if kind == "oom":
                cap = ORDERS_FUNCTION.timeout_s * 1000.0 - 1000.0  # killed before the timeout
                durations.append(np.minimum(rng.lognormal(np.log(4200), 0.4, count), cap))
            else:
                durations.append(np.full(count, ORDERS_FUNCTION.timeout_s * 1000.0))
    # Poison messages: the same batch times out again and again until SQS gives up.
    poison = _during(minute_ms, found, plan.ORDERS_POISON)
    for minute in np.flatnonzero(poison).tolist():
        count = int(poison[minute]) + int(rng.poisson(1.0))
        starts.append(minute_ms[minute] + np.sort(rng.integers(0, MINUTE_MS, count)))
        kinds += ["timeout"] * count
        durations.append(np.full(count, ORDERS_FUNCTION.timeout_s * 1000.0))
    start_ms = np.concatenate(starts).astype(np.int64)
    order = np.argsort(start_ms, kind="stable")
    start_ms = start_ms[order]
    return Failures(
        start_ms=start_ms,
        minute=(start_ms - minute_ms[0]) // MINUTE_MS,
        kind=np.asarray(kinds)[order],
        duration_ms=np.round(np.concatenate(durations)[order], 2),
    )


def _orders(
    minute_ms: np.ndarray,
    checkout: Flow,
    synthetic: np.ndarray,
    demand: np.ndarray,
    failures: Failures,
    found: tuple[plan.Episode, ...],
    scale: float,
    rng: np.random.Generator,
) -> Flow:
    n = demand.size
    # Orders follow successful checkouts: fewer orders while checkout-api is failing (and none
    # from the load test, whose carts never check out).
    ok = np.maximum(checkout.requests - synthetic - checkout.server_errors, 0)
    expected = ORDERS_PER_CHECKOUT * (0.5 * ok + 0.5 * CHECKOUT_RPM * scale * demand)
    failed = np.bincount(failures.minute, minlength=n).astype(np.int64)
    mu = np.log(650.0) + 0.05 * (demand - 1) + rng.normal(0, 0.04, n)
    sigma = np.full(n, 0.56)
    # Batch bursts: many large orders at once, each invocation running 5-8 s, which pushes the
    # minute's p99 duration over the flapping alarm's threshold.
    burst = _during(minute_ms, found, plan.ORDERS_BATCH)
    extra = rng.poisson(np.where(burst > 0, 28.0, 0.0))
    mu = np.where(burst > 0, np.log(np.maximum(burst, 1.0)), mu)
    sigma = np.where(burst > 0, 0.2, sigma)
    # A backlog flush runs into the reserved concurrency: some invocations are throttled.
    limit = _during(minute_ms, found, plan.ORDERS_THROTTLING)
    extra = extra + rng.poisson(np.where(limit > 0, 40.0, 0.0))
    throttled = np.where(limit > 0, 1 + rng.poisson(limit), 0).astype(np.int64)
    requests = rng.poisson(expected) + extra + failed
    return Flow(requests, failed, np.zeros(n, dtype=np.int64), Latency(mu, sigma), throttled)
