"""What checkout-api (ECS) logs: JSON application lines, its errors, and its tasks starting and stopping.

Each ECS UpdateService in the window (routine deployments, the bad revision, the rollback) starts
a task set with new task ids, so new ``ecs/checkout-api/<task id>`` streams; the bad set fails on
a KeyError and starves the database pool until the rollback.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np

from opsbook.sample import org
from opsbook.sample.logs.events import (
    CHECKOUT_OK_STATUS,
    CHECKOUT_ROUTES,
    SAMPLE_FRACTIONS,
    Events,
    client_statuses,
    expand_kinds,
    incident_masks,
    pick,
    random_hex,
    random_order_ids,
    share,
)
from opsbook.sample.traffic import CHECKOUT_TASKS, MINUTE_MS, Traffic, epoch_ms, random_uuids

__all__ = ["checkout_events"]

_TASKS = CHECKOUT_TASKS
_KEY_ERROR, _POOL, _TIMEOUT, _DEADLOCK = range(4)  # checkout-api error templates
_ERROR_STATUS = np.array([500, 503, 504, 503])  # HTTP status each template answers with

_TIERS = (("standard", 0.7), ("silver", 0.18), ("gold", 0.09), ("platinum", 0.03))
_COUNTRIES = (
    ("US", 0.4), ("DE", 0.15), ("GB", 0.1), ("CA", 0.08), ("FR", 0.07),
    ("NL", 0.05), ("AT", 0.05), ("CH", 0.04), ("SE", 0.03), ("NO", 0.03),
)  # fmt: skip


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
                "tasks": random_hex(rng, _TASKS, 32),
                "release": release,
                "image_tag": f"{built:%Y.%m.%d}-1",
                "bad": release is not None and release.at == story.deploy_at,
                "number": number,
            }
        )
    switch = np.array([epoch_ms(r.at) + 60_000 for r in inside], dtype=np.int64)
    return sets, switch


def checkout_events(
    model: Traffic, window: slice, rng: np.random.Generator
) -> tuple[Events, dict[str, Any]]:
    """Return checkout-api's events in ``window`` and the facts for the README."""
    flow = model.checkout
    fraction = SAMPLE_FRACTIONS[org.CHECKOUT.log_group]
    sets, switch = _task_sets(model, rng)
    bad_set = next((s["number"] for s in sets if s["bad"]), -1)
    events = Events(streams=[f"ecs/checkout-api/{t}" for s in sets for t in s["tasks"]])

    requests, errors = flow.requests[window], flow.server_errors[window]
    client = flow.client_errors[window]
    ok = requests - errors - client - model.checkout_elb_errors[window]
    counts = (ok, client, errors)  # kinds 0, 1, 2
    minute, end_ms, kind = expand_kinds(model, window, counts, rng, fraction=fraction)
    n = minute.size

    task_set = np.searchsorted(switch, end_ms, side="right")
    stream = task_set * _TASKS + rng.integers(0, _TASKS, n)
    route = pick(rng, CHECKOUT_ROUTES, n)
    latency = flow.latency.sample(rng, minute)
    status = np.where(kind == 1, client_statuses(rng, n), CHECKOUT_OK_STATUS[route])

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
    orders = random_order_ids(rng, n)
    carts = random_hex(rng, n, 8)
    tiers = [_TIERS[i][0] for i in pick(rng, _TIERS, n).tolist()]
    countries = [_COUNTRIES[i][0] for i in pick(rng, _COUNTRIES, n).tolist()]
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
        method, path, _ = CHECKOUT_ROUTES[r]
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

    in_window, before = incident_masks(model, minute)
    return events, {
        "content": "JSON application logs (nested http/customer/order/cart objects, level, "
        "logger, msg, request_id, task_definition); ERROR detail lines with error templates",
        "requests_logged": int(n),
        "incident": {
            "5xx_share_in_window": share(status[in_window] >= 500),
            "5xx_share_previous_day": share(status[before] >= 500),
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
