"""Sample CloudWatch Logs, written in the two layouts AWS itself writes log events to S3.

- CreateExportTask output, for ``/ecs/checkout-api``, ``/aws/lambda/catalog-api-handler`` and
  ``/aws/lambda/orders-worker``::

      logs/export/<log group without leading slash>/<export task id>/<log stream>/000000.gz

  gzip text, one ``<ISO-8601 timestamp with ms>Z <message>`` line per event, sorted by time per
  log stream; a large stream is split into ``000000.gz``, ``000001.gz``, ... of about 2 MiB of text.
- A subscription filter delivering to Firehose (no Firehose compression, since CloudWatch Logs
  already gzips each record), for the API Gateway access log group::

      logs/firehose/<delivery stream>/YYYY/MM/DD/HH/<delivery stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>

  each object a concatenation of gzip members, each member one subscription record
  (``messageType``, ``owner``, ``logGroup``, ``logStream``, ``subscriptionFilters``,
  ``logEvents``); the first object starts with the ``CONTROL_MESSAGE`` CloudWatch Logs sends when
  the subscription is created, which readers must skip.

Beside the events, ``logs/describe-log-groups.json`` holds what ``aws logs describe-log-groups``
prints for the account (see :func:`describe_log_groups`): the four groups above, with the
retention they were given, plus ``/aws/lambda/inventory-sync``, whose function was decommissioned
weeks before the data starts: a stale group that never expires and holds no event in the window.

The events are drawn from the shared traffic model (:mod:`opsbook.sample.traffic`), so they show
the same story as the metrics, and follow the deployments CloudTrail records
(:func:`opsbook.sample.episodes.releases`): each ECS UpdateService starts a task set of its own
(new ``ecs/checkout-api/<task id>`` streams), and the Lambda functions, invoked through their
``live`` alias, log in plain text to streams named after the published version that ran, e.g.
``2026/11/12/[58]<32 hex>`` with ``START RequestId: ... Version: 58``. To keep the volume small, the high-traffic groups hold a uniform
random sample of the requests (the fraction is in the returned facts); orders-worker's log is
complete, so its out-of-memory and time-out invocations match the Lambda ``Errors`` metric.

Examples
--------
>>> import datetime as dt, tempfile
>>> from pathlib import Path
>>> from opsbook.sample.org import timeline
>>> facts = write_logs(Path(tempfile.mkdtemp()), timeline(dt.date(2026, 11, 15)), scale=0.05)
>>> sorted(facts["log_groups"])[0]
'/aws/apigateway/shop-public-api/access'
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from opsbook.sample import org
from opsbook.sample.episodes import version_at
from opsbook.sample.traffic import (
    CATALOG_FUNCTION,
    CHECKOUT_TASKS,
    MINUTE_MS,
    ORDERS_FUNCTION,
    LambdaFunction,
    Traffic,
    check_scale,
    epoch_ms,
    random_uuids,
    traffic_model,
)

__all__ = [
    "ACCESS_LOG_DELIVERY_STREAM",
    "ACCESS_LOG_SUBSCRIPTION_FILTER",
    "LOG_GROUP_SETUP",
    "RETENTION_DAYS",
    "SAMPLE_FRACTIONS",
    "STALE_HISTORY",
    "STALE_LOG_GROUP",
    "describe_log_groups",
    "write_logs",
]

ACCESS_LOG_DELIVERY_STREAM = "shop-api-access-logs"
ACCESS_LOG_SUBSCRIPTION_FILTER = "api-access-to-firehose"

# Share of the modelled requests each log group holds (1.0: every invocation is logged).
SAMPLE_FRACTIONS: dict[str, float] = {
    org.API_ACCESS_LOG_GROUP: 1 / 500,
    org.CHECKOUT.log_group: 1 / 100,
    org.CATALOG.log_group: 1 / 2000,
    org.ORDERS.log_group: 1.0,
}
# Retention policies set on the groups; checkout-api's is the PutRetentionPolicy CloudTrail records
# (opsbook.sample.incident), orders-worker's was set when its SAM stack created the group. The
# other groups never expire.
RETENTION_DAYS: dict[str, int] = {org.CHECKOUT.log_group: 30, org.ORDERS.log_group: 14}
# Per group: days before the end of the data it was created, and its metric filters.
LOG_GROUP_SETUP: dict[str, tuple[int, int]] = {
    org.API_ACCESS_LOG_GROUP: (412, 0),
    org.CHECKOUT.log_group: (540, 2),
    org.CATALOG.log_group: (388, 1),
    org.ORDERS.log_group: (296, 1),
}
# The decommissioned inventory-sync function's group: its alarm (inventory-sync-errors) has had no
# data since it stopped. It ran every 5 minutes for `live` days, stopped `stopped` days before
# the end, and each run wrote START, two application lines, END and REPORT (`run_bytes`).
STALE_LOG_GROUP = "/aws/lambda/inventory-sync"
STALE_HISTORY = {"created": 420, "stopped": 47, "runs_per_day": 288, "run_bytes": 560}
_EXPORT_CHUNK_BYTES = 2 * 1024 * 1024  # text per exported object (AWS does not document it)
_FIREHOSE_BUFFER_MS = 900_000  # Firehose buffering interval (the maximum, 900 s)
_TASKS = CHECKOUT_TASKS
_KEY_ERROR, _POOL, _TIMEOUT, _DEADLOCK = range(4)  # checkout-api error templates
_ERROR_STATUS = np.array([500, 503, 504, 503])  # HTTP status each template answers with

_TIERS = (("standard", 0.7), ("silver", 0.18), ("gold", 0.09), ("platinum", 0.03))
_COUNTRIES = (
    ("US", 0.4), ("DE", 0.15), ("GB", 0.1), ("CA", 0.08), ("FR", 0.07),
    ("NL", 0.05), ("AT", 0.05), ("CH", 0.04), ("SE", 0.03), ("NO", 0.03),
)  # fmt: skip
_CHECKOUT_ROUTES = (
    ("GET", "/cart", 0.38),
    ("POST", "/cart/items", 0.3),
    ("POST", "/checkout", 0.2),
    ("GET", "/orders/{id}", 0.12),
)
_CATALOG_ROUTES = (
    ("GET", "/products", 0.35),
    ("GET", "/products/{id}", 0.4),
    ("GET", "/search", 0.15),
    ("GET", "/categories", 0.1),
)
_CLIENT_STATUS = ((400, 0.35), (401, 0.1), (404, 0.3), (409, 0.1), (422, 0.15))
_SEARCH_TERMS = ("tent", "down+jacket", "trail+shoes", "headlamp", "sleeping+bag", "gaiters")
_CARRIERS = ("dhl", "ups", "fedex", "gls", "postnl")
_WAREHOUSES = ("reno-1", "columbus-2", "leipzig-1")
_PUBLIC_OCTETS = (3, 18, 23, 31, 34, 44, 52, 54, 63, 66, 73, 81, 86, 90, 94, 98, 104, 109, 151,
                  176, 185, 188, 195, 203, 212, 217)  # fmt: skip
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class _Events:
    """Events of one log group, collected in batches, sorted per stream when written."""

    streams: list[str] = field(default_factory=list)
    ts: list[np.ndarray] = field(default_factory=list)
    stream: list[np.ndarray] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def add(self, ts: np.ndarray, stream: np.ndarray, messages: list[str]) -> None:
        self.ts.append(np.asarray(ts, dtype=np.int64))
        self.stream.append(np.asarray(stream, dtype=np.int64))
        self.messages += messages

    def ordered(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (timestamps, stream index, messages) sorted by stream, time, insertion order."""
        ts, stream = np.concatenate(self.ts), np.concatenate(self.stream)
        order = np.lexsort((np.arange(ts.size), ts, stream))
        return ts[order], stream[order], np.asarray(self.messages, dtype=object)[order]


def write_logs(
    root: Path, story: org.Timeline, *, scale: float = 1.0, seed: int = 7
) -> dict[str, Any]:
    """Write the sample CloudWatch Logs under ``root/logs`` and return facts for the README.

    Covers ``LOG_DAYS`` days ending at ``story.end``: about 300,000 events at scale 1, in the
    S3 export layout (ECS and Lambda log groups) and the Firehose subscription layout (API
    Gateway access logs). ``scale`` multiplies the event volume linearly.

    Parameters
    ----------
    root
        Folder of the sample data; ``logs/`` is created inside it.
    story
        The injected events, from :func:`opsbook.sample.org.timeline`.
    scale
        Volume multiplier, > 0.
    seed
        Seed of the random generators; the same seed writes the same bytes.

    Returns
    -------
    dict
        JSON-serialisable facts: per log group its format, events, streams, files and sampled
        fraction, and where the injected events show.

    Raises
    ------
    opsbook.errors.ConfigurationError
        If ``scale`` is not a positive number.

    Examples
    --------
    >>> import datetime as dt, tempfile
    >>> from opsbook.sample.org import timeline
    >>> facts = write_logs(Path(tempfile.mkdtemp()), timeline(dt.date(2026, 11, 15)), scale=0.05)
    >>> facts["log_groups"]["/aws/lambda/orders-worker"]["format"]
    's3-export'
    """
    scale = check_scale(scale)
    model = traffic_model(story, scale=scale, seed=seed)
    window = model.window(story.logs_start, story.end)
    rng = {
        name: np.random.default_rng([seed, 4409, index])
        for index, name in enumerate(("checkout", "catalog", "orders", "access", "ids"))
    }
    out = root / "logs"
    groups: dict[str, dict[str, Any]] = {}

    checkout, checkout_facts = _checkout_events(model, window, rng["checkout"])
    catalog, catalog_facts = _catalog_events(model, window, rng["catalog"])
    orders, orders_facts = _orders_events(model, window, rng["orders"])
    for group, events, facts in (
        (org.CHECKOUT.log_group, checkout, checkout_facts),
        (org.CATALOG.log_group, catalog, catalog_facts),
        (org.ORDERS.log_group, orders, orders_facts),
    ):
        groups[group] = _write_export(out / "export", group, events, rng["ids"]) | facts

    access, access_facts = _access_events(model, window, rng["access"])
    groups[org.API_ACCESS_LOG_GROUP] = (
        _write_firehose(out / "firehose", model, access, rng["ids"]) | access_facts
    )
    for group, facts in groups.items():
        facts["sampled_fraction"] = SAMPLE_FRACTIONS[group]
    for group, events in ((org.CHECKOUT.log_group, checkout), (org.CATALOG.log_group, catalog),
                          (org.ORDERS.log_group, orders), (org.API_ACCESS_LOG_GROUP, access)):  # fmt: skip
        groups[group]["stored_bytes"] = _stored_bytes(events)
    described = describe_log_groups(story, {g: f["stored_bytes"] for g, f in groups.items()})
    (out / "describe-log-groups.json").write_text(json.dumps(described, indent=2) + "\n")
    return {
        "start": story.logs_start.isoformat(),
        "end": story.end.isoformat(),
        "events": sum(g["events"] for g in groups.values()),
        "files": sum(g["files"] for g in groups.values()),
        "log_groups": dict(sorted(groups.items())),
        "sampling": "each log group holds a uniform random sample of the modelled requests "
        "(sampled_fraction; the metrics count all of them); orders-worker is complete",
        "owner": org.SHOP_PROD.id,
        "region": org.REGION,
        "describe_log_groups": {
            "path": "logs/describe-log-groups.json",
            "no_retention": sorted(
                g["logGroupName"] for g in described["logGroups"] if "retentionInDays" not in g
            ),
            "stale": [STALE_LOG_GROUP],
        },
    }


def describe_log_groups(story: org.Timeline, stored_bytes: dict[str, int]) -> dict[str, Any]:
    """Return the account's log groups as DescribeLogGroups prints them, by name.

    ``storedBytes`` of a group the sample writes is the UTF-8 size of its event messages
    (``stored_bytes``); the stale group's is its modelled history: runs per day × days it ran ×
    bytes per run. ``retentionInDays`` is present only where a policy is set
    (:data:`RETENTION_DAYS`).

    Examples
    --------
    >>> import datetime as dt
    >>> out = describe_log_groups(org.timeline(dt.date(2026, 11, 15)), {})
    >>> stale = next(g for g in out["logGroups"] if g["logGroupName"] == STALE_LOG_GROUP)
    >>> stale["storedBytes"], "retentionInDays" in stale
    (60157440, False)
    """
    stale = STALE_HISTORY
    ran = stale["created"] - stale["stopped"]
    setup = {**LOG_GROUP_SETUP, STALE_LOG_GROUP: (stale["created"], 0)}
    sizes = {**stored_bytes, STALE_LOG_GROUP: ran * stale["runs_per_day"] * stale["run_bytes"]}
    groups = []
    for name in sorted(setup):
        days, filters = setup[name]
        created = story.end - dt.timedelta(days=days, hours=3, minutes=17 * len(name) % 60)
        arn = f"arn:aws:logs:{org.REGION}:{org.SHOP_PROD.id}:log-group:{name}"
        group: dict[str, Any] = {"logGroupName": name, "creationTime": epoch_ms(created)}
        if name in RETENTION_DAYS:
            group["retentionInDays"] = RETENTION_DAYS[name]
        group |= {
            "metricFilterCount": filters,
            "arn": f"{arn}:*",
            "storedBytes": int(sizes.get(name, 0)),
            "logGroupClass": "STANDARD",
            "logGroupArn": arn,
        }
        groups.append(group)
    return {"logGroups": groups}


def _stored_bytes(events: _Events) -> int:
    return sum(len(message.encode()) for message in events.messages)


# -- shared helpers ------------------------------------------------------------------------------


def _iso(ts: np.ndarray) -> list[str]:
    text = np.datetime_as_string(np.asarray(ts, dtype="datetime64[ms]"), unit="ms")
    return [f"{t}Z" for t in text.tolist()]


def _pick(rng: np.random.Generator, table: tuple[tuple[Any, ...], ...], count: int) -> np.ndarray:
    """Return ``count`` random row indices of ``table``, whose last column is each row's weight."""
    weights = np.array([row[-1] for row in table], dtype=float)
    return rng.choice(len(table), size=count, p=weights / weights.sum())


def _sample(rng: np.random.Generator, counts: np.ndarray, fraction: float) -> np.ndarray:
    return counts if fraction >= 1 else rng.binomial(counts, fraction)


def _expand(
    model: Traffic, window: slice, counts: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return (minute index, epoch ms) of one event per count, at a random time in its minute."""
    minute = np.repeat(np.arange(window.start, window.stop), counts)
    return minute, model.minute_ms[minute] + rng.integers(0, MINUTE_MS, minute.size)


def _share(flags: np.ndarray) -> float | None:
    """Return the share of true values (rounded), or None when there are none to count."""
    return round(float(flags.mean()), 5) if flags.size else None


def _hex(rng: np.random.Generator, count: int, width: int) -> list[str]:
    h = rng.bytes(count * width // 2 + 1).hex()
    return [h[i * width : (i + 1) * width] for i in range(count)]


def _order_ids(rng: np.random.Generator, count: int) -> list[str]:
    return [f"ord-{n}" for n in rng.integers(1_000_000, 9_999_999, count).tolist()]


# -- checkout-api (ECS, JSON application logs) ---------------------------------------------------


def _task_sets(model: Traffic, rng: np.random.Generator) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Return the task sets of the log window and when the load balancer switches between them.

    One set runs at the start of the window, and each ECS UpdateService in the window (routine
    deployments, the bad revision, the rollback) starts a new one with new task ids; the load
    balancer sends it traffic a minute after the call.
    """
    story = model.story
    chain = [r for r in model.releases if r.service == org.CHECKOUT.name]
    inside = [r for r in chain if story.logs_start <= r.at < story.end]
    before = [r for r in chain if r.at < story.logs_start]
    first = before[-1].version if before else chain[0].previous
    introduced: dict[int, dt.datetime] = {}
    for release in chain:  # CI tags an image with the day it first shipped
        introduced.setdefault(release.version, release.at)
    sets: list[dict[str, Any]] = []
    for number, (revision, release) in enumerate(
        [(first, None), *[(r.version, r) for r in inside]]
    ):
        built = introduced.get(revision, chain[0].at - dt.timedelta(days=2))
        sets.append(
            {
                "taskdef": f"{org.CHECKOUT.name}:{revision}",
                "tasks": _hex(rng, _TASKS, 32),
                "release": release,
                "image_tag": f"{built:%Y.%m.%d}-1",
                "bad": release is not None and release.at == story.deploy_at,
                "number": number,
            }
        )
    switch = np.array([epoch_ms(r.at) + 60_000 for r in inside], dtype=np.int64)
    return sets, switch


def _checkout_events(
    model: Traffic, window: slice, rng: np.random.Generator
) -> tuple[_Events, dict[str, Any]]:
    story, flow = model.story, model.checkout
    fraction = SAMPLE_FRACTIONS[org.CHECKOUT.log_group]
    sets, switch = _task_sets(model, rng)
    bad_set = next((s["number"] for s in sets if s["bad"]), -1)
    events = _Events(streams=[f"ecs/checkout-api/{t}" for s in sets for t in s["tasks"]])

    requests, errors = flow.requests[window], flow.server_errors[window]
    client = flow.client_errors[window]
    ok = requests - errors - client - model.checkout_elb_errors[window]
    parts = [_expand(model, window, _sample(rng, c, fraction), rng) for c in (ok, client, errors)]
    minute = np.concatenate([p[0] for p in parts])
    end_ms = np.concatenate([p[1] for p in parts])
    kind = np.repeat([0, 1, 2], [p[0].size for p in parts])  # ok, 4XX, 5XX
    n = minute.size

    task_set = np.searchsorted(switch, end_ms, side="right")
    stream = task_set * _TASKS + rng.integers(0, _TASKS, n)
    route = _pick(rng, _CHECKOUT_ROUTES, n)
    latency = flow.latency.sample(rng, minute)
    status = np.where(route >= 1, 201, 200)
    status = np.where(route == 3, 200, status)
    client_status = np.array([s for s, _ in _CLIENT_STATUS])[_pick(rng, _CLIENT_STATUS, n)]
    status = np.where(kind == 1, client_status, status)

    # Error templates: the bad task set fails on a KeyError and starves the DB pool; once rolled
    # back the backlog still times out for a few minutes; outside the incident errors are rare.
    incident = model.incident[minute] > 0
    template = np.where(rng.random(n) < 0.5, _DEADLOCK, _TIMEOUT)
    bad = rng.choice([_KEY_ERROR, _POOL, _TIMEOUT], size=n, p=[0.45, 0.3, 0.25])
    template = np.where(incident & (task_set == bad_set), bad, template)
    template = np.where(
        incident & (task_set != bad_set), rng.choice([_POOL, _TIMEOUT], size=n), template
    )
    failed = kind == 2
    template = np.where(failed, template, -1)
    status = np.where(failed, _ERROR_STATUS[template], status)
    wait = np.exp(rng.normal(np.log(15.0), 0.5, n))
    latency = np.where(template == _TIMEOUT, 3000.0 + wait, latency)  # the client's timeout
    latency = np.where(template == _POOL, 2000.0 + wait, latency)  # the pool's checkout timeout
    latency = np.where(template == _DEADLOCK, rng.uniform(150, 900, n), latency)
    latency = np.round(latency, 1)

    ids = random_uuids(rng, n)
    orders = _order_ids(rng, n)
    carts = _hex(rng, n, 8)
    tiers = [_TIERS[i][0] for i in _pick(rng, _TIERS, n).tolist()]
    countries = [_COUNTRIES[i][0] for i in _pick(rng, _COUNTRIES, n).tolist()]
    amounts = np.round(np.exp(rng.normal(np.log(85.0), 0.7, n)), 2).tolist()
    items = (1 + rng.poisson(1.4, n)).tolist()
    taskdefs = [s["taskdef"] for s in sets]
    upstream = np.where(
        incident | (rng.random(n) < 0.7), "payments-gateway", "inventory-service"
    ).tolist()
    messages = []
    details: list[tuple[int, str]] = []
    warns: list[tuple[int, str]] = []
    slow_roll = rng.random(n).tolist()
    for i, (r, st, lat, tmpl, ts_set) in enumerate(
        zip(
            route.tolist(),
            status.tolist(),
            latency.tolist(),
            template.tolist(),
            task_set.tolist(),
            strict=True,
        )
    ):
        method, path, _ = _CHECKOUT_ROUTES[r]
        record: dict[str, Any] = {
            "level": "ERROR" if st >= 500 else ("WARN" if lat > 1000 else "INFO"),
            "logger": "checkout.http",
            "msg": "request completed",
            "http": {
                "method": method,
                "path": path.replace("{id}", orders[i]),
                "status": st,
            },
            "latency_ms": lat,
            "request_id": ids[i],
            "task_definition": taskdefs[ts_set],
            "customer": {"tier": tiers[i], "country": countries[i]},
        }
        if r in (2, 3):
            record["order"] = {"id": orders[i], "amount": amounts[i], "items": items[i]}
        else:
            record["cart"] = {"id": carts[i], "items": items[i]}
        messages.append(json.dumps(record, separators=(",", ":")))
        if tmpl >= 0:
            text = _checkout_error(tmpl, ids[i], orders[i], carts[i], lat, upstream[i])
            details.append((i, text))
        elif slow_roll[i] < 0.005:
            warns.append((i, _checkout_warning(rng, ids[i], carts[i])))
    events.add(end_ms, stream, messages)
    for batch, before_end in ((details, 1), (warns, None)):
        if batch:
            index = np.array([b[0] for b in batch])
            # An error is logged just before the completion line, a warning mid-request.
            back = before_end or np.ceil(latency[index] / 2).astype(np.int64)
            events.add(end_ms[index] - back, stream[index], [b[1] for b in batch])
    lifecycle = _checkout_lifecycle(model, sets, bad_set, rng)
    for ts, stream_no, message in lifecycle:
        events.add(np.array([ts]), np.array([stream_no]), [message])

    inside = model.window(story.errors_start, story.errors_end)
    in_window = (minute >= inside.start) & (minute < inside.stop)
    before = (minute >= inside.start - 1440) & (minute < model.index(story.deploy_at))
    return events, {
        "content": "JSON application logs (nested http/customer/order/cart objects, level, "
        "logger, msg, request_id, task_definition); ERROR detail lines with error templates",
        "requests_logged": int(n),
        "incident": {
            "5xx_share_in_window": _share(status[in_window] >= 500),
            "5xx_share_previous_day": _share(status[before] >= 500),
            "error_lines_in_window": int(sum(1 for d in details if in_window[d[0]])),
            "deployment_lines": [
                f"{s['taskdef']}{' (rollback)' if s['release'].rollback else ''} at "
                f"{s['release'].at:%Y-%m-%d %H:%M} UTC"
                for s in sets
                if s["release"] is not None
            ],
        },
    }


def _checkout_error(
    template: int, request_id: str, order: str, cart: str, latency: float, upstream: str
) -> str:
    if template == _KEY_ERROR:
        record: dict[str, Any] = {
            "level": "ERROR",
            "logger": "checkout.cart",
            "msg": f"unhandled KeyError 'shipping_zone' in cart {cart}",
            "error": {
                "type": "KeyError",
                "stack": 'Traceback (most recent call last):\n  File "/app/checkout/shipping.py",'
                " line 88, in quote\n    zone = cart.address['shipping_zone']\n"
                "KeyError: 'shipping_zone'",
            },
        }
    elif template == _POOL:
        record = {
            "level": "ERROR",
            "logger": "checkout.db",
            "msg": f"connection pool exhausted (50/50 in use) for order {order}",
            "error": {"type": "PoolTimeout", "waited_ms": int(latency)},
            "db": {"instance": org.DB_INSTANCE, "pool_size": 50, "in_use": 50},
        }
    elif template == _TIMEOUT:
        record = {
            "level": "ERROR",
            "logger": "checkout.upstream",
            "msg": f"upstream timeout calling {upstream} after 3000 ms",
            "error": {"type": "UpstreamTimeout", "upstream": upstream, "attempts": 3},
            "order": {"id": order},
        }
    else:
        record = {
            "level": "ERROR",
            "logger": "checkout.db",
            "msg": f"deadlock detected while updating order {order}; transaction rolled back",
            "error": {"type": "DeadlockDetected", "sqlstate": "40P01"},
        }
    record["request_id"] = request_id
    return json.dumps(record, separators=(",", ":"))


def _checkout_warning(rng: np.random.Generator, request_id: str, cart: str) -> str:
    if rng.random() < 0.6:
        slow = int(rng.integers(1100, 2600))
        record: dict[str, Any] = {
            "level": "WARN",
            "logger": "checkout.upstream",
            "msg": f"payments-gateway slow response ({slow} ms), retrying (attempt 2/3)",
            "upstream": {"name": "payments-gateway", "latency_ms": slow, "attempt": 2},
        }
    else:
        count = int(rng.integers(1, 6))
        record = {
            "level": "WARN",
            "logger": "checkout.inventory",
            "msg": f"inventory reservation for cart {cart} expired, re-reserving {count} items",
            "cart": {"id": cart, "items": count},
        }
    record["request_id"] = request_id
    return json.dumps(record, separators=(",", ":"))


def _checkout_lifecycle(
    model: Traffic, sets: list[dict[str, Any]], bad_set: int, rng: np.random.Generator
) -> list[tuple[int, int, str]]:
    """Task start/stop lines at every deployment, health warnings while the bad set runs."""
    story = model.story
    lines: list[tuple[int, int, str]] = []

    def line(ts: int, stream_no: int, level: str, logger: str, msg: str, **extra: Any) -> None:
        record = {"level": level, "logger": logger, "msg": msg, **extra}
        lines.append((ts, stream_no, json.dumps(record, separators=(",", ":"))))

    image = f"{org.SHOP_PROD.id}.dkr.ecr.{org.REGION}.amazonaws.com/checkout-api"
    for new in range(1, len(sets)):
        old, release = new - 1, sets[new]["release"]
        start = epoch_ms(release.at)
        taskdef, tag = sets[new]["taskdef"], sets[new]["image_tag"]
        for k in range(_TASKS):
            boot = start + int(rng.integers(8_000, 30_000))
            stream_no = new * _TASKS + k
            line(boot, stream_no, "INFO", "checkout.boot",
                 f"starting checkout-api task definition {taskdef}",
                 task_definition=taskdef, image=f"{image}:{tag}", cluster=org.ECS_CLUSTER)  # fmt: skip
            line(boot + 900, stream_no, "INFO", "checkout.db",
                 f"connected to {org.DB_INSTANCE} (pool size 50)",
                 db={"instance": org.DB_INSTANCE, "pool_size": 50})  # fmt: skip
            line(boot + 1400, stream_no, "INFO", "checkout.http", "listening on 0.0.0.0:8080")
            stop = start + 60_000 + int(rng.integers(0, 15_000))
            line(stop, old * _TASKS + k, "INFO", "checkout.boot",
                 "received SIGTERM, draining in-flight requests",
                 task_definition=sets[old]["taskdef"])  # fmt: skip
            line(stop + int(rng.integers(2_000, 9_000)), old * _TASKS + k, "INFO", "checkout.boot",
                 "shutdown complete")  # fmt: skip
    # The bad tasks report a degraded health check while the pool is exhausted.
    inside = model.window(story.errors_start, story.rollback_at)
    for m in range(inside.start, inside.stop):
        if model.incident[m] < 0.3 or bad_set < 0:
            continue
        for k in range(_TASKS):
            if rng.random() < 0.5:
                ts = int(model.minute_ms[m] + rng.integers(0, MINUTE_MS))
                line(ts, bad_set * _TASKS + k, "WARN", "checkout.health",
                     "health check degraded: db pool 50/50 in use",
                     db={"pool_size": 50, "in_use": 50})  # fmt: skip
    return lines


# -- Lambda functions ----------------------------------------------------------------------------


@dataclass
class _Invocations:
    """Individual Lambda invocations, before they are turned into log lines."""

    start: np.ndarray  # epoch ms of START, ascending
    duration: np.ndarray  # ms
    memory: np.ndarray  # Max Memory Used, MB
    kind: np.ndarray  # outcome code, meaning per function
    version: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    stream: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    init: np.ndarray = field(default_factory=lambda: np.zeros(0))  # 0 on warm starts
    ids: list[str] = field(default_factory=list)

    @classmethod
    def by_start(
        cls, start: np.ndarray, duration: np.ndarray, memory: np.ndarray, kind: np.ndarray
    ) -> _Invocations:
        """Return the invocations in START order."""
        order = np.argsort(start, kind="stable")
        return cls(start[order], duration[order], memory[order], kind[order])


def _place(
    calls: _Invocations,
    events: _Events,
    rng: np.random.Generator,
    *,
    init_ms: tuple[float, float],
    version: np.ndarray,
) -> None:
    """Assign invocations to execution environments (one log stream each), as Lambda does.

    ``version`` is the published version each invocation ran (through the ``live`` alias). A
    warm, idle environment of that version is reused; otherwise a new one starts (a cold start
    with an init duration), whose stream is named after the version, as in
    ``2026/11/14/[58]<32 hex>``. Environments are recycled after a few hours and after 20 idle
    minutes, so an old version's environments fade out once the alias moves on.
    """
    n = calls.start.size
    stream = np.empty(n, dtype=np.int64)
    init = np.zeros(n)
    lifetimes = rng.uniform(2 * 3_600_000, 6 * 3_600_000, n + 1).tolist()
    init_draw = np.maximum(rng.normal(init_ms[0], init_ms[1], n), 50.0).tolist()
    names = iter(_hex(rng, n + 1, 32))
    pools: dict[int, list[list[float]]] = {}  # per version: [busy until, retire at, stream index]
    starts = calls.start.tolist()
    ends = (calls.start + calls.duration).tolist()
    versions = version.tolist()
    for i in range(n):
        now = starts[i]
        warm = [w for w in pools.get(versions[i], []) if w[1] > now and now - w[0] < 1_200_000]
        pools[versions[i]] = warm
        free = next((w for w in warm if w[0] <= now), None)
        if free is None:
            born = dt.datetime.fromtimestamp(now / 1000, tz=dt.UTC)
            events.streams.append(f"{born:%Y/%m/%d}/[{versions[i]}]{next(names)}")
            free = [now, now + lifetimes[i], len(events.streams) - 1]
            warm.append(free)
            init[i] = round(init_draw[i], 2)
        free[0] = ends[i]
        stream[i] = int(free[2])
    calls.stream, calls.init, calls.version = stream, init, np.asarray(version)
    calls.ids = random_uuids(rng, n)


def _lambda_lines(
    calls: _Invocations,
    function: LambdaFunction,
    events: _Events,
    app: list[tuple[np.ndarray, np.ndarray, list[str]]],
    *,
    runtime_version: str,
    after_report: tuple[np.ndarray, list[str]] | None = None,
) -> None:
    """Add the platform lines (INIT_START, START, END, REPORT) around the app lines ``app``.

    ``app`` holds (invocation index, epoch ms, message) batches logged during the invocation (a
    line at the very end still sorts before END); ``after_report`` lines follow REPORT (crashes).
    """
    start, stream, ids = calls.start, calls.stream, calls.ids
    end = start + np.ceil(calls.duration).astype(np.int64)
    cold = np.flatnonzero(calls.init > 0)
    digest = hashlib.sha256(runtime_version.encode()).hexdigest()
    arn = f"arn:aws:lambda:{org.REGION}::runtime:{digest}"
    events.add(
        start[cold] - np.ceil(calls.init[cold]).astype(np.int64) - 2,
        stream[cold],
        [f"INIT_START Runtime Version: {runtime_version}\tRuntime Version ARN: {arn}"] * cold.size,
    )
    events.add(
        start,
        stream,
        [
            f"START RequestId: {i} Version: {v}"
            for i, v in zip(ids, calls.version.tolist(), strict=True)
        ],
    )
    for index, ts, messages in app:
        events.add(ts, stream[index], messages)
    events.add(end, stream, [f"END RequestId: {i}" for i in ids])
    memory = function.memory_mb
    reports = [
        f"REPORT RequestId: {i}\tDuration: {d:.2f} ms\tBilled Duration: {math.ceil(d)} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {int(m)} MB\t"
        + (f"Init Duration: {c:.2f} ms\t" if c > 0 else "")
        for i, d, m, c in zip(
            ids, calls.duration.tolist(), calls.memory.tolist(), calls.init.tolist(), strict=True
        )
    ]
    events.add(end, stream, reports)
    if after_report is not None:
        events.add(end[after_report[0]] + 1, stream[after_report[0]], after_report[1])


def _catalog_events(
    model: Traffic, window: slice, rng: np.random.Generator
) -> tuple[_Events, dict[str, Any]]:
    story, flow = model.story, model.catalog
    fraction = SAMPLE_FRACTIONS[org.CATALOG.log_group]
    requests, errors = flow.requests[window], flow.server_errors[window]
    client = flow.client_errors[window]
    parts = [
        _expand(model, window, _sample(rng, c, fraction), rng)
        for c in (requests - errors - client, client, errors)
    ]
    minute = np.concatenate([p[0] for p in parts])
    n = minute.size
    calls = _Invocations.by_start(
        start=np.concatenate([p[1] for p in parts]),
        duration=np.round(flow.latency.sample(rng, minute), 2),
        memory=np.clip(np.round(rng.normal(92, 6, n)), 70, 200),
        kind=np.repeat([0, 1, 2], [p[0].size for p in parts]),  # ok, 4XX, function error
    )
    events = _Events()
    # An alias flip moves every invocation at once: no draw decides the version.
    version = version_at(model.releases, org.CATALOG.name, calls.start, np.ones(n))
    _place(calls, events, rng, init_ms=(210.0, 40.0), version=version)
    route = _pick(rng, _CATALOG_ROUTES, n).tolist()
    products = rng.integers(10_000, 99_999, n).tolist()
    found = rng.integers(0, 48, n).tolist()
    cache = np.where(rng.random(n) < 0.72, "hit", "miss").tolist()
    terms = rng.integers(0, len(_SEARCH_TERMS), n).tolist()
    app_ms = np.minimum(calls.start + 2, calls.start + np.ceil(calls.duration).astype(np.int64))
    iso = _iso(app_ms)
    kinds = calls.kind.tolist()
    app = []
    for i in range(n):
        method, path, _ = _CATALOG_ROUTES[route[i]]
        if path == "/products/{id}":
            path = f"/products/prd-{products[i]}"
        elif path == "/search":
            path = f"/search?q={_SEARCH_TERMS[terms[i]]}"
        status = {0: 200, 1: 404 if route[i] == 1 else 400, 2: 502}[kinds[i]]
        shown = 1 if route[i] == 1 else found[i]
        app.append(
            f"[INFO]\t{iso[i]}\t{calls.ids[i]}\t{method} {path} status={status} "
            f"cache={cache[i]} items={shown}"
        )
    failed = np.flatnonzero(calls.kind == 2)
    after_deploy = calls.start[failed] >= epoch_ms(story.slow_burn_start)
    error_ms = calls.start[failed] + np.ceil(calls.duration[failed]).astype(np.int64)
    error_iso = _iso(error_ms)
    errors_text = [
        f"[ERROR]\t{error_iso[j]}\t{calls.ids[i]}\t" + _catalog_error(rng, bool(after), products[i])
        for j, (i, after) in enumerate(zip(failed.tolist(), after_deploy.tolist(), strict=True))
    ]
    _lambda_lines(
        calls,
        CATALOG_FUNCTION,
        events,
        [(np.arange(n), app_ms, app), (failed, error_ms, errors_text)],
        runtime_version="python:3.12.v38",
    )
    burn = epoch_ms(story.slow_burn_start)
    early, late = calls.start < burn, calls.start >= burn
    return events, {
        "content": "Lambda platform lines (INIT_START, START, END, REPORT) and Python runtime "
        "lines '[LEVEL]\\t<ISO ts>\\t<request id>\\t<message>'",
        "invocations_logged": int(n),
        "cold_starts": int((calls.init > 0).sum()),
        "slow_burn": {
            "from": story.slow_burn_start.isoformat(),
            "error_rate_before": _share(calls.kind[early] == 2),
            "error_rate_after": _share(calls.kind[late] == 2),
        },
    }


def _catalog_error(rng: np.random.Generator, after_deploy: bool, product: int) -> str:
    """Return the message of a failed catalog invocation (one line: exports hold no newlines)."""
    if after_deploy and rng.random() < 0.75:  # the new version's bug: products without variants
        return (
            f"failed to build listing for prd-{product}: TypeError: 'NoneType' object is not "
            "subscriptable (catalog/listing.py, line 41, in to_listing)"
        )
    retries = int(rng.integers(3, 5))
    return (
        "An error occurred (ProvisionedThroughputExceededException) when calling the GetItem "
        f"operation (reached max retries: {retries}): The level of configured provisioned "
        "throughput for the table was exceeded. Consider increasing your provisioning level with "
        "the UpdateTable API."
    )


def _orders_events(
    model: Traffic, window: slice, rng: np.random.Generator
) -> tuple[_Events, dict[str, Any]]:
    flow, failures = model.orders, model.orders_failures
    fraction = SAMPLE_FRACTIONS[org.ORDERS.log_group]
    normal = _sample(rng, flow.requests[window] - flow.server_errors[window], fraction)
    minute, start = _expand(model, window, normal, rng)
    keep = (failures.minute >= window.start) & (failures.minute < window.stop)
    fail_kind = failures.kind[keep]
    fail_oom = fail_kind == "oom"
    # An invocation that ran into the timeout is a failure, listed apart: the others end before.
    limit = ORDERS_FUNCTION.timeout_s * 1000.0 - 1.0
    durations = np.round(np.minimum(flow.latency.sample(rng, minute), limit), 2)
    calls = _Invocations.by_start(
        start=np.concatenate([start, failures.start_ms[keep]]),
        duration=np.concatenate([durations, failures.duration_ms[keep]]),
        memory=np.concatenate(
            [
                np.clip(np.round(rng.normal(380, 60, minute.size)), 150, 980),
                np.where(
                    fail_oom, ORDERS_FUNCTION.memory_mb, np.round(rng.normal(420, 40, keep.sum()))
                ),
            ]
        ),
        # -1: processed; 0: out of memory; 1: timed out
        kind=np.concatenate([np.full(minute.size, -1), np.where(fail_oom, 0, 1)]),
    )
    outcome = calls.kind
    events = _Events()
    # CodeDeploy shifts 10 % of the invocations to a new version for five minutes, then all.
    canary = rng.random(calls.start.size)
    version = version_at(model.releases, org.ORDERS.name, calls.start, canary)
    _place(calls, events, rng, init_ms=(650.0, 120.0), version=version)
    n = calls.start.size
    batch = (1 + rng.poisson(2.5, n)).tolist()
    order_ids = _order_ids(rng, n)
    batch_ms = calls.start + 3
    order_ms = calls.start + np.clip(np.ceil(calls.duration).astype(np.int64) - 5, 4, 400)
    iso_batch, iso_order = _iso(batch_ms), _iso(order_ms)
    items = (1 + rng.poisson(2.0, n)).tolist()
    big = rng.integers(180, 420, n).tolist()
    carrier = rng.integers(0, len(_CARRIERS), n).tolist()
    house = rng.integers(0, len(_WAREHOUSES), n).tolist()
    first = [
        f"[INFO]\t{iso_batch[i]}\t{calls.ids[i]}\tprocessing batch of {batch[i]} messages "
        f"from orders-fulfilment-queue"
        for i in range(n)
    ]
    outcomes = outcome.tolist()
    second = []
    for i in range(n):
        if outcomes[i] == 0:
            second.append(
                f"[WARNING]\t{iso_order[i]}\t{calls.ids[i]}\torder {order_ids[i]} has {big[i]} "
                "line items; building pick list in memory"
            )
        elif outcomes[i] == 1:
            second.append(
                f"[INFO]\t{iso_order[i]}\t{calls.ids[i]}\treserving stock in warehouse-api for "
                f"order {order_ids[i]}"
            )
        else:
            second.append(
                f"[INFO]\t{iso_order[i]}\t{calls.ids[i]}\torder {order_ids[i]} fulfilled: "
                f"{items[i]} items, carrier={_CARRIERS[carrier[i]]}, "
                f"warehouse={_WAREHOUSES[house[i]]}"
            )
    oom = np.flatnonzero(outcome == 0)
    timeout = np.flatnonzero(outcome == 1)
    timeout_ms = calls.start[timeout] + np.ceil(calls.duration[timeout]).astype(np.int64)
    end_iso = _iso(timeout_ms)
    seconds = ORDERS_FUNCTION.timeout_s
    _lambda_lines(
        calls,
        ORDERS_FUNCTION,
        events,
        [
            (np.arange(n), batch_ms, first),
            (np.arange(n), order_ms, second),
            (
                timeout,
                timeout_ms,
                [
                    f"{end_iso[j]} {calls.ids[i]} Task timed out after {seconds:.2f} seconds"
                    for j, i in enumerate(timeout.tolist())
                ],
            ),
        ],
        runtime_version="python:3.12.v38",
        after_report=(
            oom,
            [
                f"RequestId: {calls.ids[i]} Error: Runtime exited with error: signal: killed "
                "Runtime.ExitError"
                for i in oom.tolist()
            ],
        ),
    )
    return events, {
        "content": "Lambda platform lines and Python runtime lines "
        "'[LEVEL]\\t<ISO ts>\\t<request id>\\t<message>'",
        "invocations_logged": int(n),
        "cold_starts": int((calls.init > 0).sum()),
        "out_of_memory": int(oom.size),
        "timeouts": int(timeout.size),
        "note": "complete (every invocation); out-of-memory and time-out invocations are the "
        "orders-worker Lambda Errors in the metrics, minute for minute",
    }


# -- API Gateway access logs (Firehose) ----------------------------------------------------------


def _access_events(
    model: Traffic, window: slice, rng: np.random.Generator
) -> tuple[_Events, dict[str, Any]]:
    story = model.story
    fraction = SAMPLE_FRACTIONS[org.API_ACCESS_LOG_GROUP]
    cat, chk = model.catalog, model.checkout
    elb = model.checkout_elb_errors[window]
    counts = [
        cat.requests[window] - cat.server_errors[window] - cat.client_errors[window],
        cat.client_errors[window],
        cat.server_errors[window],
        chk.requests[window] - chk.server_errors[window] - chk.client_errors[window] - elb,
        chk.client_errors[window],
        chk.server_errors[window],
        elb,
    ]
    parts = [_expand(model, window, _sample(rng, c, fraction), rng) for c in counts]
    minute = np.concatenate([p[0] for p in parts])
    end_ms = np.concatenate([p[1] for p in parts])
    kind = np.repeat(np.arange(7), [p[0].size for p in parts])
    n = minute.size
    checkout = kind >= 3

    cat_route = _pick(rng, _CATALOG_ROUTES, n)
    chk_route = _pick(rng, _CHECKOUT_ROUTES, n)
    cat_latency = cat.latency.sample(rng, minute) + 4
    chk_latency = chk.latency.sample(rng, minute) + 3
    integration = np.where(checkout, chk_latency, cat_latency)
    bad_set = model.incident[minute] > 0
    target_status = np.where(
        bad_set,
        rng.choice([500, 503, 504], size=n, p=[0.45, 0.3, 0.25]),
        rng.choice([503, 504], size=n),
    )
    client_status = np.array([s for s, _ in _CLIENT_STATUS])[_pick(rng, _CLIENT_STATUS, n)]
    ok_status = np.where(chk_route == 1, 201, np.where(chk_route == 2, 201, 200))
    status = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3, kind == 4, kind == 5],
        [np.full(n, 200), np.where(cat_route == 1, 404, 400), np.full(n, 502), ok_status,
         client_status, target_status],
        default=rng.choice([502, 504], size=n, p=[0.7, 0.3]),
    )  # fmt: skip
    integration = np.where(status == 504, 3000 + rng.uniform(0, 40, n), integration)
    integration = np.where(
        kind == 6, np.where(status == 504, integration, rng.uniform(2, 30, n)), integration
    )
    response = integration + rng.uniform(4, 9, n)
    length = np.select(
        [status >= 500, checkout, cat_route == 0, cat_route == 1, cat_route == 2],
        [np.where(status == 502, 36, 122), rng.integers(180, 1600, n), rng.integers(12_000, 40_000, n),
         rng.integers(2_000, 6_500, n), rng.integers(8_000, 25_000, n)],
        default=rng.integers(1_400, 1_700, n),
    )  # fmt: skip
    request_ms = end_ms - np.round(response).astype(np.int64)
    stamp = np.datetime_as_string(request_ms.astype("datetime64[ms]"), unit="s").tolist()

    ips = [
        f"{a}.{b}.{c}.{d}"
        for a, b, c, d in zip(
            rng.choice(_PUBLIC_OCTETS, 5000).tolist(),
            rng.integers(0, 256, 5000).tolist(),
            rng.integers(0, 256, 5000).tolist(),
            rng.integers(1, 255, 5000).tolist(),
            strict=True,
        )
    ]
    client_ip = rng.integers(0, len(ips), n).tolist()
    ids = random_uuids(rng, n)
    messages = []
    for i, (k, cr, kr, st, il, rl, ln) in enumerate(
        zip(
            kind.tolist(),
            cat_route.tolist(),
            chk_route.tolist(),
            status.tolist(),
            integration.tolist(),
            response.tolist(),
            length.tolist(),
            strict=True,
        )
    ):
        method, path, _ = _CHECKOUT_ROUTES[kr] if k >= 3 else _CATALOG_ROUTES[cr]
        s = stamp[i]
        when = f"{s[8:10]}/{_MONTHS[int(s[5:7]) - 1]}/{s[0:4]}:{s[11:19]} +0000"
        messages.append(
            json.dumps(
                {
                    "requestId": ids[i],
                    "ip": ips[client_ip[i]],
                    "caller": "-",
                    "user": "-",
                    "requestTime": when,
                    "httpMethod": method,
                    "resourcePath": path,
                    "status": str(st),
                    "protocol": "HTTP/1.1",
                    "responseLength": str(ln),
                    "integrationLatency": str(int(round(il))),
                    "responseLatency": str(int(round(rl))),
                },
                separators=(",", ":"),
            )
        )
    # API Gateway writes access logs to a few streams that change every day.
    day = (end_ms - epoch_ms(story.logs_start)) // 86_400_000
    lane = rng.integers(0, 2, n)
    names = _hex(rng, 2 * (int(day.max(initial=0)) + 1), 32)
    events = _Events(streams=names)
    events.add(end_ms, day * 2 + lane, messages)

    inside = model.window(story.errors_start, story.errors_end)
    in_window = (minute >= inside.start) & (minute < inside.stop)
    before = (minute >= inside.start - 1440) & (minute < model.index(story.deploy_at))
    route_checkout = in_window & checkout
    return events, {
        "content": "API Gateway REST access logs, JSON per event in the $context format "
        "(requestId, ip, requestTime, httpMethod, resourcePath, status as strings, ...)",
        "requests_logged": int(n),
        "incident": {
            "checkout_5xx_share_in_window": _share(status[route_checkout] >= 500),
            "5xx_share_in_window": _share(status[in_window] >= 500),
            "5xx_share_previous_day": _share(status[before] >= 500),
        },
    }


# -- writers -------------------------------------------------------------------------------------


def _write_export(
    folder: Path, group: str, events: _Events, rng: np.random.Generator
) -> dict[str, Any]:
    """Write one CreateExportTask output: gzip text per stream, split at about 2 MiB of text."""
    task = random_uuids(rng, 1)[0]
    base = folder / group.lstrip("/") / task
    ts, stream, messages = events.ordered()
    lines = [f"{t} {m}\n" for t, m in zip(_iso(ts), messages.tolist(), strict=True)]
    bounds = np.flatnonzero(np.diff(stream)) + 1
    files = 0
    for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(lines)], strict=True):
        target = base / events.streams[int(stream[lo])]
        target.mkdir(parents=True, exist_ok=True)
        chunk: list[str] = []
        size = 0
        part = 0
        for line in lines[lo:hi]:
            if size + len(line) > _EXPORT_CHUNK_BYTES and chunk:
                (target / f"{part:06d}.gz").write_bytes(_gzip("".join(chunk)))
                files, part, chunk, size = files + 1, part + 1, [], 0
            chunk.append(line)
            size += len(line)
        (target / f"{part:06d}.gz").write_bytes(_gzip("".join(chunk)))
        files += 1
    return {
        "format": "s3-export",
        "path": f"logs/export/{group.lstrip('/')}/{task}/<log stream>/NNNNNN.gz",
        "export_task_id": task,
        "events": len(lines),
        "streams": int(bounds.size + (1 if lines else 0)),
        "files": files,
    }


def _gzip(text: str) -> bytes:
    return gzip.compress(text.encode(), compresslevel=6, mtime=0)


def _write_firehose(
    folder: Path, model: Traffic, events: _Events, rng: np.random.Generator
) -> dict[str, Any]:
    """Write subscription records (one per stream and minute) into Firehose objects."""
    group = org.API_ACCESS_LOG_GROUP
    ts, stream, messages = events.ordered()
    minute = ts // MINUTE_MS
    cut = np.flatnonzero((np.diff(stream) != 0) | (np.diff(minute) != 0)) + 1
    starts, stops = [0, *cut.tolist()], [*cut.tolist(), ts.size]
    # CloudWatch Logs delivers each batch a few seconds after its last event.
    last = ts[np.array(stops, dtype=np.int64) - 1] if ts.size else np.zeros(1, dtype=np.int64)
    arrival = last + rng.integers(1_500, 6_000, len(starts))
    ts_list, messages_list = ts.tolist(), messages.tolist()
    records = []
    for number, (lo, hi) in enumerate(zip(starts, stops, strict=True)):
        if lo == hi:
            continue
        name = events.streams[int(stream[lo])]
        log_events = [
            {
                "id": _event_id(ts_list[j], int(stream[lo]), j),
                "timestamp": ts_list[j],
                "message": messages_list[j],
            }
            for j in range(lo, hi)
        ]
        record = {
            "messageType": "DATA_MESSAGE",
            "owner": org.SHOP_PROD.id,
            "logGroup": group,
            "logStream": name,
            "subscriptionFilters": [ACCESS_LOG_SUBSCRIPTION_FILTER],
            "logEvents": log_events,
        }
        records.append((int(arrival[number]), json.dumps(record, separators=(",", ":"))))
    records.sort(key=lambda r: r[0])
    first_ms = epoch_ms(model.story.logs_start)
    control = json.dumps(
        {
            "messageType": "CONTROL_MESSAGE",
            "owner": "CloudwatchLogs",
            "logGroup": "",
            "logStream": "",
            "subscriptionFilters": [],
            "logEvents": [
                {
                    "id": "",
                    "timestamp": first_ms,
                    "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose.",
                }
            ],
        },
        separators=(",", ":"),
    )
    records.insert(0, (first_ms, control))
    # Firehose buffers records for up to 900 s and writes one object per buffer.
    objects: dict[int, list[bytes]] = {}
    opened: dict[int, int] = {}
    for arrived, text in records:
        key = (arrived - first_ms) // _FIREHOSE_BUFFER_MS
        opened.setdefault(key, arrived)
        objects.setdefault(key, []).append(gzip.compress(text.encode(), compresslevel=6, mtime=0))
    stream_name = ACCESS_LOG_DELIVERY_STREAM
    names = random_uuids(rng, len(objects))
    for (key, members), suffix in zip(sorted(objects.items()), names, strict=True):
        when = dt.datetime.fromtimestamp(opened[key] / 1000, tz=dt.UTC)
        target = folder / stream_name / f"{when:%Y/%m/%d/%H}"
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{stream_name}-1-{when:%Y-%m-%d-%H-%M-%S}-{suffix}").write_bytes(
            b"".join(members)
        )
    return {
        "format": "firehose-subscription",
        "path": f"logs/firehose/{stream_name}/YYYY/MM/DD/HH/{stream_name}-1-YYYY-MM-DD-HH-MM-SS-<uuid>",
        "delivery_stream": stream_name,
        "subscription_filter": ACCESS_LOG_SUBSCRIPTION_FILTER,
        "events": int(ts.size),
        "streams": int(np.unique(stream).size),
        "records": len(records),
        "control_messages": 1,
        "files": len(objects),
    }


def _event_id(ts: int, stream: int, seq: int) -> str:
    # CloudWatch Logs event ids are 56-digit decimals that start with the event's time.
    return str((ts << 144) | (stream << 100) | seq).zfill(56)
