"""The sample's X-Ray traces: checkout-api and the downstreams it calls, on the incident day.

Two sampled requests a minute (X-Ray's default rule keeps one a second and 5 % more; the
sample keeps fewer) through checkout-api, each one trace with one segment and a subsegment per
downstream call: ``inventory-api`` (HTTP), ``shop-orders-db`` (SQL) and ``payments-api`` (HTTP),
in that order. They are saved as BatchGetTraces returns them, one file per hour
(:func:`opsbook.backends.layout.trace_batch`).

The story is the traffic model's (:mod:`opsbook.sample.traffic`): while the bad checkout-api
deployment (``checkout-api:43``) serves, its calls to payments-api fail (503, or a read timed out
after 2 s) as often as the ALB's target 5XX say, and the calls that succeed slow down; the
failures are faults of the payments-api subsegment and of the checkout-api segment. inventory-api
answers a steady 1 % of 404s (client errors, not faults) all day, so its edge never moves.

Examples
--------
>>> import datetime as dt
>>> from opsbook.sample.org import timeline
>>> traces = build_traces(timeline(dt.date(2026, 11, 15)), seed=7)
>>> len(traces), traces[0]["Id"][:11]
(2880, '1-6af7a487-')
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.episodes import version_at
from opsbook.sample.incident.formats import write_json
from opsbook.sample.traffic import MINUTE_MS, epoch_ms, traffic_model

__all__ = [
    "CHECKOUT_URL",
    "DOWNSTREAMS",
    "PAYMENTS",
    "TRACES_PER_MINUTE",
    "build_traces",
    "write_traces",
]

TRACES_PER_MINUTE = 2
CHECKOUT_URL = "https://shop.northpeak.example/api/checkout"
PAYMENTS = "payments-api"
#: The downstream calls of a checkout request, in order: name, URL or SQL, median ms, sigma.
DOWNSTREAMS = (
    ("inventory-api", "http://inventory-api.shop.internal/v1/reservations", 12.0, 0.4),
    ("shop-orders-db", "postgresql://shop-orders-db.internal:5432/orders", 6.0, 0.5),
    (PAYMENTS, "https://payments-api.shop.internal/v2/charges", 45.0, 0.35),
)
_TIMEOUT_S = 2.0
_OWN_MS = 8.0  # checkout-api's own work around the calls


def build_traces(story: org.Timeline, *, seed: int = 7) -> list[dict[str, Any]]:
    """Return the incident day's traces as BatchGetTraces ``Traces`` items, oldest first."""
    model = traffic_model(story, seed=seed)
    rng = np.random.default_rng([seed, 5150])
    day = story.end - dt.timedelta(days=1)
    count = 1440 * TRACES_PER_MINUTE
    started = epoch_ms(day) / 1000 + np.sort(rng.uniform(0, 86_400, count))
    minute = np.clip(
        ((started * 1000).astype(np.int64) - model.start_ms) // MINUTE_MS, 0, model.minutes - 1
    )
    strength = model.incident[minute]
    version = version_at(
        model.releases,
        org.CHECKOUT.name,
        (started * 1000).astype(np.int64),
        rng.uniform(size=count),
    )
    bad = np.clip(0.001 + 0.38 * strength * rng.uniform(0.8, 1.2, count), 0, 0.9)
    fails = rng.uniform(size=count) < bad
    timeouts = fails & (rng.uniform(size=count) < 0.6)
    ids = rng.bytes(12 * count).hex()
    segment_ids = rng.bytes(8 * 4 * count).hex()
    draws = rng.standard_normal((count, len(DOWNSTREAMS)))
    not_found = rng.uniform(size=count) < 0.01
    traces = []
    for n in range(count):
        trace_id = f"1-{int(started[n]):08x}-{ids[24 * n : 24 * n + 24]}"
        seg = [segment_ids[64 * n + 16 * k : 64 * n + 16 * k + 16] for k in range(4)]
        clock = float(started[n]) + 0.002
        subsegments = []
        for k, (name, url, median, sigma) in enumerate(DOWNSTREAMS):
            slow = 1 + 3 * float(strength[n]) if name == PAYMENTS else 1.0
            seconds = median * slow * float(np.exp(sigma * draws[n, k])) / 1000
            call = {
                "id": seg[k + 1],
                "name": name,
                "start_time": round(clock, 3),
                "namespace": "remote",
            }
            status = 200
            if name == PAYMENTS and fails[n]:
                seconds = _TIMEOUT_S if timeouts[n] else seconds
                status = None if timeouts[n] else 503
                message = (f"Read timed out after {int(_TIMEOUT_S * 1000)} ms ({name})" if timeouts[n]
                           else f"{name} answered 503 Service Unavailable")  # fmt: skip
                call.update(fault=True, cause={"exceptions": [{"id": seg[k + 1], "type": "PaymentsClientError" if status else "ReadTimeout", "message": message}]})  # fmt: skip
            elif name == "inventory-api" and not_found[n]:
                status = 404
                call["error"] = True
            clock += seconds
            call["end_time"] = round(clock, 3)
            if name == "shop-orders-db":
                call["sql"] = {"url": url, "database_type": "PostgreSQL", "sanitized_query": "INSERT INTO orders VALUES ($1, $2, $3)"}  # fmt: skip
            else:
                call["http"] = {"request": {"method": "POST", "url": url}, "response": {"status": status} if status else {}}  # fmt: skip
                if not status:
                    call["http"].pop("response")
            subsegments.append(call)
        end = round(clock + _OWN_MS / 1000, 3)
        root = {
            "id": seg[0], "trace_id": trace_id, "name": org.CHECKOUT.name, "start_time": round(float(started[n]), 3),
            "end_time": end, "origin": "AWS::ECS::Container",
            "http": {"request": {"method": "POST", "url": CHECKOUT_URL},
                     "response": {"status": 500 if fails[n] else 200}},
            "aws": {"ecs": {"cluster": org.ECS_CLUSTER, "container": org.CHECKOUT.name}},
            "annotations": {"version": f"{org.CHECKOUT.name}:{int(version[n])}"},
            "subsegments": subsegments,
        }  # fmt: skip
        if fails[n]:
            root["fault"] = True
        traces.append({"Id": trace_id, "Duration": round(end - root["start_time"], 3), "LimitExceeded": False,
                       "Segments": [{"Id": seg[0], "Document": json.dumps(root, separators=(",", ":"))}]})  # fmt: skip
    return traces


def write_traces(root: Path, story: org.Timeline, *, seed: int = 7) -> dict[str, Any]:
    """Write the traces under ``root/traces``, one BatchGetTraces file per hour; return facts."""
    by_hour: dict[str, list[dict[str, Any]]] = {}
    for trace in build_traces(story, seed=seed):
        hour = dt.datetime.fromtimestamp(int(trace["Id"].split("-")[1], 16), tz=dt.UTC)
        by_hour.setdefault(f"{hour:{layout.TRACE_HOUR}}", []).append(trace)
    for hour, traces in by_hour.items():
        write_json(root / layout.trace_batch(hour), {"Traces": traces, "UnprocessedTraceIds": []})
    faults = sum(
        '"fault":true' in t["Segments"][0]["Document"] for ts in by_hour.values() for t in ts
    )
    return {
        "format": "X-Ray BatchGetTraces output, one file per hour the traces started in",
        "path": layout.trace_batch("YYYY/MM/DD/HH"),
        "traces": sum(len(t) for t in by_hour.values()),
        "faulted": faults,
        "files": len(by_hour),
        "services": [org.CHECKOUT.name, *(d[0] for d in DOWNSTREAMS)],
        "failing_edge": f"{org.CHECKOUT.name} -> {PAYMENTS}",
    }
