"""The sample organisation's injected episodes and releases: one definition every source reads.

:mod:`opsbook.sample.org` holds the headline story (the checkout incident, the catalog slow burn);
this module adds everything else that an alarm or a deployment should be visible in:

- :func:`episodes` lists the metric excursions (a load test, a nightly database job, a DynamoDB
  throttling spike, an ALB 502 burst, poison messages and throttling in orders-worker and the
  orders-worker batch bursts that keep its p99 duration alarm flapping), each with the alarms it is
  meant to trip. :mod:`opsbook.sample.traffic` turns them into per-minute traffic; the alarm
  history in :mod:`opsbook.sample.incident` is then *evaluated* from the resulting metrics, so an
  ALARM span and the metric crossing the threshold can never disagree.
- :func:`releases` lists the deployments (ECS task definition revisions, Lambda versions behind the
  ``live`` alias) with the time traffic reaches the new version. CloudTrail records the API calls,
  the logs name the versions in their streams and START lines, and the metrics show the rolling
  ECS task sets.

Everything is derived from ``story`` and ``seed`` only, so every generator gets the same answer.

Examples
--------
>>> import datetime as dt
>>> from opsbook.sample.org import timeline
>>> story = timeline(dt.date(2026, 11, 15))
>>> load = next(e for e in episodes(story) if e.kind == LOAD_TEST)
>>> load.start.isoformat(), load.alarms
('2026-11-03T19:25:00+00:00', ('checkout-api-ecs-cpu-high',))
>>> [r.version for r in releases(story) if r.service == "catalog-api"][-1]
58
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np

from opsbook.sample import org

__all__ = [
    "API_5XX_ALARM",
    "BURN_ALARM",
    "CATALOG_ERRORS_ALARM",
    "CATALOG_THROTTLING",
    "CHECKOUT_5XX_ALARM",
    "CHECKOUT_INCIDENT",
    "CHECKOUT_P99_ALARM",
    "DB_CPU_ALARM",
    "DB_JOB",
    "ECS_CPU_ALARM",
    "ELB_502",
    "FLAPPING_ALARM",
    "LOAD_TEST",
    "ORDERS_BATCH",
    "ORDERS_ERRORS_ALARM",
    "ORDERS_POISON",
    "ORDERS_THROTTLES_ALARM",
    "ORDERS_THROTTLING",
    "SLOW_BURN",
    "STALE_ALARM",
    "Episode",
    "Release",
    "burn_alarm_created_at",
    "episodes",
    "flapping_threshold_raised_at",
    "releases",
    "version_at",
]

# Alarm names (their definitions are in opsbook.sample.incident.alarms).
CHECKOUT_5XX_ALARM = "checkout-api-alb-target-5xx"
CHECKOUT_P99_ALARM = "checkout-api-alb-target-response-time-p99"
ECS_CPU_ALARM = "checkout-api-ecs-cpu-high"
API_5XX_ALARM = "shop-public-api-5xx-rate"
CATALOG_ERRORS_ALARM = "catalog-api-handler-errors"
BURN_ALARM = "catalog-api-availability-burn-rate-1h"
ORDERS_ERRORS_ALARM = "orders-worker-errors"
ORDERS_THROTTLES_ALARM = "orders-worker-throttles"
FLAPPING_ALARM = "orders-worker-duration-p99"
DB_CPU_ALARM = "shop-orders-db-cpu-high"
STALE_ALARM = "inventory-sync-errors"

# Episode kinds, with what ``Episode.level`` means for each.
CHECKOUT_INCIDENT = "checkout-bad-deployment"  # level unused: see traffic._incident
SLOW_BURN = "catalog-slow-burn"  # level: catalog error rate after the release
LOAD_TEST = "checkout-load-test"  # level: synthetic requests per minute, x CHECKOUT_RPM x scale
DB_JOB = "orders-db-reporting-job"  # level: CPU percentage points the job adds
CATALOG_THROTTLING = "catalog-dynamodb-throttling"  # level: extra catalog error rate
ELB_502 = "alb-502-burst"  # level: share of checkout requests the ALB answers with 502
ORDERS_POISON = "orders-poison-message"  # level: orders-worker time-outs per minute
ORDERS_THROTTLING = "orders-throttling"  # level: throttled invocations per minute
ORDERS_BATCH = "orders-batch-burst"  # level: median duration (ms) of the burst's invocations

SLOW_BURN_ERROR_RATE = 0.0026  # catalog-api error rate after version 58 (before: 0.0003)
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Episode:
    """A metric excursion in ``[start, end)`` and the alarms it is meant to trip."""

    kind: str
    alarms: tuple[str, ...]
    start: dt.datetime
    end: dt.datetime
    level: float
    note: str = ""


@dataclass(frozen=True)
class Release:
    """A deployment: ``at`` is the API call, traffic moves between ``shift_at`` and ``full_at``.

    Between the two, a share ``canary`` of the invocations reaches the new version (a CodeDeploy
    canary); ECS and a plain alias flip move everything at once (``shift_at == full_at``).
    """

    service: str  # org.Service name
    version: int  # ECS task definition revision or Lambda version
    previous: int
    at: dt.datetime
    shift_at: dt.datetime
    full_at: dt.datetime
    canary: float = 0.0
    rollback: bool = False


def burn_alarm_created_at(story: org.Timeline) -> dt.datetime:
    """Return when the burn-rate alarm was created (it has no data before).

    Examples
    --------
    >>> from opsbook.sample.org import timeline
    >>> burn_alarm_created_at(timeline(dt.date(2026, 11, 15))).isoformat()
    '2026-11-03T10:31:17.402000+00:00'
    """
    return story.end - dt.timedelta(days=12) + dt.timedelta(hours=10, minutes=31, seconds=17.402)


def flapping_threshold_raised_at(story: org.Timeline) -> dt.datetime:
    """Return when a stack update raised the orders-worker p99 threshold from 8 s to 10 s.

    Examples
    --------
    >>> from opsbook.sample.org import timeline
    >>> flapping_threshold_raised_at(timeline(dt.date(2026, 11, 15))).isoformat()
    '2026-11-10T15:10:44.118000+00:00'
    """
    return story.end - dt.timedelta(days=5) + dt.timedelta(hours=15, minutes=10, seconds=44.118)


# (kind, alarms, days before the end, "HH:MM" start, minutes, level, note). Start and length are
# chosen so that the alarm's evaluation (period, M of N) opens and closes the ALARM span near the
# round times an on-call engineer would remember: e.g. 3 of 3 five-minute datapoints above 80 %
# from 19:25 put checkout-api-ecs-cpu-high in ALARM at 19:40.
_FIXED: tuple[tuple[str, tuple[str, ...], int, str, int, float, str], ...] = (
    (LOAD_TEST, (ECS_CPU_ALARM,), 12, "19:25", 35, 6.5,
     "load test of the public checkout API before a sale; it replays cart reads the cache serves"),
    (ORDERS_POISON, (ORDERS_ERRORS_ALARM, FLAPPING_ALARM), 11, "03:15", 15, 3.0,
     "a poison message: the batch times out and SQS redelivers it until it reaches the DLQ"),
    (ORDERS_THROTTLING, (ORDERS_THROTTLES_ALARM,), 10, "20:04", 3, 20.0,
     "a backlog flush runs into orders-worker's reserved concurrency"),
    (ELB_502, (API_5XX_ALARM,), 9, "16:09", 6, 0.2,
     "the ALB answers 502 while a target group health-check change drains healthy targets"),
    (CATALOG_THROTTLING, (CATALOG_ERRORS_ALARM,), 8, "11:27", 2, 0.04,
     "DynamoDB throttles the catalog table during a bulk price import"),
    (DB_JOB, (DB_CPU_ALARM,), 6, "02:05", 40, 70.0,
     "the nightly reporting job runs a full-history rebuild on shop-orders-db"),
    (ORDERS_POISON, (ORDERS_ERRORS_ALARM, FLAPPING_ALARM), 6, "21:45", 10, 3.0,
     "another poison message, shorter"),
)  # fmt: skip


def episodes(story: org.Timeline, seed: int = 7) -> tuple[Episode, ...]:
    """Return every injected metric excursion of the sample organisation, oldest first.

    The fixed episodes sit at offsets from ``story.end``; the orders-worker batch bursts (one to
    three a day, one to three minutes each) are drawn from ``seed``. All lie inside the metrics
    window, and none is still running at the end, so only the burn-rate alarm ends in ALARM.

    Parameters
    ----------
    story
        The headline events, from :func:`opsbook.sample.org.timeline`.
    seed
        Seed of the batch bursts' times and sizes.

    Returns
    -------
    tuple of Episode
        Sorted by start time.

    Examples
    --------
    >>> from opsbook.sample.org import timeline
    >>> found = episodes(timeline(dt.date(2026, 11, 15)))
    >>> sorted({e.kind for e in found})[:3]
    ['alb-502-burst', 'catalog-dynamodb-throttling', 'catalog-slow-burn']
    """
    return _episodes(story, int(seed))


@functools.lru_cache(maxsize=8)
def _episodes(story: org.Timeline, seed: int) -> tuple[Episode, ...]:
    found = [
        Episode(
            CHECKOUT_INCIDENT,
            (CHECKOUT_5XX_ALARM, CHECKOUT_P99_ALARM, API_5XX_ALARM),
            story.errors_start,
            story.errors_end,
            1.0,
            "checkout-api:43 fails on a KeyError and starves the DB pool until the rollback",
        ),
        Episode(
            SLOW_BURN,
            (BURN_ALARM,),
            story.slow_burn_start,
            story.end,
            SLOW_BURN_ERROR_RATE,
            "catalog-api-handler version 58 fails on products without variants",
        ),
    ]
    for kind, alarms, days, hhmm, minutes, level, note in _FIXED:
        hour, minute = map(int, hhmm.split(":"))
        start = story.end - days * _DAY + dt.timedelta(hours=hour, minutes=minute)
        found.append(
            Episode(kind, alarms, start, start + dt.timedelta(minutes=minutes), level, note)
        )
    found += _batch_bursts(story, seed, [(e.start, e.end) for e in found])
    found.sort(key=lambda e: (e.start, e.kind))
    return tuple(found)


def _batch_bursts(
    story: org.Timeline, seed: int, busy: list[tuple[dt.datetime, dt.datetime]]
) -> list[Episode]:
    """orders-worker batch bursts: big orders whose invocations run 5-8 s for a minute or three."""
    rng = np.random.default_rng([seed, 6607])
    raised = flapping_threshold_raised_at(story)
    keep_clear = [(s - dt.timedelta(minutes=20), e + dt.timedelta(minutes=20)) for s, e in busy]
    keep_clear.append((raised - dt.timedelta(minutes=30), raised + dt.timedelta(minutes=30)))
    last = story.end - dt.timedelta(hours=1)  # every burst is over well before the data ends
    out: list[Episode] = []
    for day in range(org.METRIC_DAYS):
        midnight = story.metrics_start + day * _DAY
        count = int(rng.integers(1, 4))
        slots = np.sort(rng.choice(np.arange(7 * 60, 23 * 60, 20), size=count, replace=False))
        for slot in slots.tolist():
            start = midnight + dt.timedelta(minutes=slot + int(rng.integers(0, 10)))
            end = start + dt.timedelta(minutes=int(rng.integers(1, 4)))
            median = round(float(rng.uniform(5600.0, 8400.0)), 1)
            if end > last or any(s < end and start < e for s, e in keep_clear):
                continue
            out.append(
                Episode(
                    ORDERS_BATCH,
                    (FLAPPING_ALARM,),
                    start,
                    end,
                    median,
                    "a marketplace batch of large orders",
                )
            )
    return out


def releases(story: org.Timeline, seed: int = 7) -> tuple[Release, ...]:
    """Return the deployments of checkout-api, catalog-api-handler and orders-worker, oldest first.

    checkout-api (ECS) is deployed every couple of days, then comes the bad revision 43 at
    ``story.deploy_at`` and the rollback to 42 at ``story.rollback_at``; catalog-api-handler
    flips its ``live`` alias to a new version (58 at ``story.slow_burn_start``); orders-worker
    deploys with SAM and a CodeDeploy canary (10 % for five minutes), the last one on the
    incident morning. Times are whole seconds, as CloudTrail records them.

    Parameters
    ----------
    story
        The headline events, from :func:`opsbook.sample.org.timeline`.
    seed
        Seed of the routine deployments' times.

    Returns
    -------
    tuple of Release
        Sorted by ``at``.

    Examples
    --------
    >>> from opsbook.sample.org import timeline
    >>> story = timeline(dt.date(2026, 11, 15))
    >>> bad = next(r for r in releases(story) if r.at == story.deploy_at)
    >>> bad.service, bad.version, bad.previous
    ('checkout-api', 43, 42)
    """
    return _releases(story, int(seed))


@functools.lru_cache(maxsize=8)
def _releases(story: org.Timeline, seed: int) -> tuple[Release, ...]:
    rng = np.random.default_rng([seed, 6619])
    end = story.end

    def workday(days_before: int) -> dt.datetime:
        hour, minute, second = (int(rng.integers(lo, hi)) for lo, hi in ((9, 17), (0, 60), (0, 60)))
        return end - days_before * _DAY + dt.timedelta(hours=hour, minutes=minute, seconds=second)

    def flip(service: str, version: int, at: dt.datetime, **extra: object) -> Release:
        return Release(service, version, version - 1, at, at, at, **extra)  # type: ignore[arg-type]

    out: list[Release] = []
    checkout, catalog, orders = org.CHECKOUT.name, org.CATALOG.name, org.ORDERS.name
    for rev, days in zip(range(37, 43), (13, 11, 9, 6, 4, 2), strict=True):
        out.append(flip(checkout, rev, workday(days)))
    out.append(flip(checkout, 43, story.deploy_at))
    out.append(Release(checkout, 42, 43, story.rollback_at, story.rollback_at, story.rollback_at,
                       rollback=True))  # fmt: skip
    for version, days in zip(range(54, 58), (12, 10, 7, 5), strict=True):
        out.append(flip(catalog, version, workday(days)))
    out.append(flip(catalog, 58, story.slow_burn_start))
    morning = story.deploy_at - dt.timedelta(hours=3, minutes=53, seconds=-int(rng.integers(0, 60)))
    for version, at in zip(
        range(31, 35), [workday(13), workday(9), workday(5), morning], strict=True
    ):
        canary_at = at + dt.timedelta(seconds=int(rng.integers(45, 56)))
        full_at = canary_at + dt.timedelta(minutes=5, seconds=int(rng.integers(2, 10)))
        out.append(Release(orders, version, version - 1, at, canary_at, full_at, canary=0.1))
    out.sort(key=lambda r: (r.at, r.service))
    return tuple(out)


def version_at(
    shipped: tuple[Release, ...], service: str, when: np.ndarray, draw: np.ndarray
) -> np.ndarray:
    """Return the version of ``service`` that served each request at epoch ms ``when``.

    ``shipped`` is :func:`releases`' answer; ``draw`` holds one uniform [0, 1) number per
    request: during a canary, requests with a draw below the canary share reach the new version.

    Examples
    --------
    >>> from opsbook.sample.org import timeline
    >>> story = timeline(dt.date(2026, 11, 15))
    >>> ms = int(story.slow_burn_start.timestamp() * 1000)
    >>> version_at(releases(story), "catalog-api", np.array([ms - 1, ms]), np.zeros(2)).tolist()
    [57, 58]
    """
    chain = [r for r in shipped if r.service == service]
    version = np.full(np.shape(when), chain[0].previous, dtype=np.int64)
    for release in chain:
        shift, full = (int(t.timestamp() * 1000) for t in (release.shift_at, release.full_at))
        moved = (when >= full) | ((when >= shift) & (draw < release.canary))
        version = np.where(moved, release.version, version)
    return version
