"""What the Lambda functions log: platform lines around each invocation, and their runtime lines.

Invocations are placed in execution environments as Lambda does (one log stream each, named after
the published version that ran), with START, END, REPORT and, on a cold start, INIT_START lines;
catalog-api-handler's and orders-worker's own lines go between them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from opsbook.sample import org
from opsbook.sample.episodes import version_at
from opsbook.sample.logs.events import (
    CATALOG_ROUTES,
    SAMPLE_FRACTIONS,
    Events,
    expand,
    expand_kinds,
    iso_times,
    pick,
    random_hex,
    random_order_ids,
    sampled,
    share,
)
from opsbook.sample.traffic import (
    CATALOG_FUNCTION,
    ORDERS_FUNCTION,
    LambdaFunction,
    Traffic,
    epoch_ms,
    random_uuids,
)

__all__ = ["catalog_events", "orders_events"]

_SEARCH_TERMS = ("tent", "down+jacket", "trail+shoes", "headlamp", "sleeping+bag", "gaiters")
_CARRIERS = ("dhl", "ups", "fedex", "gls", "postnl")
_WAREHOUSES = ("reno-1", "columbus-2", "leipzig-1")


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
    events: Events,
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
    names = iter(random_hex(rng, n + 1, 32))
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
    events: Events,
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


def catalog_events(
    model: Traffic, window: slice, rng: np.random.Generator
) -> tuple[Events, dict[str, Any]]:
    """Return catalog-api-handler's events in ``window`` and the facts for the README."""
    story, flow = model.story, model.catalog
    fraction = SAMPLE_FRACTIONS[org.CATALOG.log_group]
    requests, errors = flow.requests[window], flow.server_errors[window]
    client = flow.client_errors[window]
    counts = (requests - errors - client, client, errors)  # ok, 4XX, function error
    minute, start, kind = expand_kinds(model, window, counts, rng, fraction=fraction)
    n = minute.size
    calls = _Invocations.by_start(
        start=start,
        duration=np.round(flow.latency.sample(rng, minute), 2),
        memory=np.clip(np.round(rng.normal(92, 6, n)), 70, 200),
        kind=kind,
    )
    events = Events()
    # An alias flip moves every invocation at once: no draw decides the version.
    version = version_at(model.releases, org.CATALOG.name, calls.start, np.ones(n))
    _place(calls, events, rng, init_ms=(210.0, 40.0), version=version)
    route = pick(rng, CATALOG_ROUTES, n).tolist()
    products = rng.integers(10_000, 99_999, n).tolist()
    found = rng.integers(0, 48, n).tolist()
    cache = np.where(rng.random(n) < 0.72, "hit", "miss").tolist()
    terms = rng.integers(0, len(_SEARCH_TERMS), n).tolist()
    app_ms = np.minimum(calls.start + 2, calls.start + np.ceil(calls.duration).astype(np.int64))
    iso = iso_times(app_ms)
    kinds = calls.kind.tolist()
    app = []
    for i in range(n):
        method, path, _ = CATALOG_ROUTES[route[i]]
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
    error_iso = iso_times(error_ms)
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
            "error_rate_before": share(calls.kind[early] == 2),
            "error_rate_after": share(calls.kind[late] == 2),
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


def orders_events(
    model: Traffic, window: slice, rng: np.random.Generator
) -> tuple[Events, dict[str, Any]]:
    """Return orders-worker's events in ``window`` (every invocation) and the facts."""
    flow, failures = model.orders, model.orders_failures
    fraction = SAMPLE_FRACTIONS[org.ORDERS.log_group]
    normal = sampled(rng, flow.requests[window] - flow.server_errors[window], fraction)
    minute, start = expand(model, window, normal, rng)
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
    events = Events()
    # CodeDeploy shifts 10 % of the invocations to a new version for five minutes, then all.
    canary = rng.random(calls.start.size)
    version = version_at(model.releases, org.ORDERS.name, calls.start, canary)
    _place(calls, events, rng, init_ms=(650.0, 120.0), version=version)
    n = calls.start.size
    batch = (1 + rng.poisson(2.5, n)).tolist()
    order_ids = random_order_ids(rng, n)
    batch_ms = calls.start + 3
    order_ms = calls.start + np.clip(np.ceil(calls.duration).astype(np.int64) - 5, 4, 400)
    iso_batch, iso_order = iso_times(batch_ms), iso_times(order_ms)
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
    end_iso = iso_times(timeout_ms)
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
