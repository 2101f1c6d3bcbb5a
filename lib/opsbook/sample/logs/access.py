"""What API Gateway logs: REST access log lines in the ``$context`` JSON format, for both APIs behind it.

One line per request to catalog-api or checkout-api, with statuses as strings (as API Gateway
writes them), the integration and response latency, and the 5XX of the incident.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from opsbook.sample import org
from opsbook.sample.logs.events import (
    CATALOG_ROUTES,
    CHECKOUT_OK_STATUS,
    CHECKOUT_ROUTES,
    SAMPLE_FRACTIONS,
    Events,
    client_statuses,
    elb_5xx,
    expand_kinds,
    incident_masks,
    pick,
    random_hex,
    share,
    target_5xx,
)
from opsbook.sample.traffic import Traffic, epoch_ms, random_uuids

__all__ = ["access_events"]

_PUBLIC_OCTETS = (3, 18, 23, 31, 34, 44, 52, 54, 63, 66, 73, 81, 86, 90, 94, 98, 104, 109, 151,
                  176, 185, 188, 195, 203, 212, 217)  # fmt: skip
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def access_events(
    model: Traffic, window: slice, rng: np.random.Generator
) -> tuple[Events, dict[str, Any]]:
    """Return the API access log events in ``window`` and the facts for the README."""
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
    minute, end_ms, kind = expand_kinds(model, window, counts, rng, fraction=fraction)
    n = minute.size
    checkout = kind >= 3

    cat_route = pick(rng, CATALOG_ROUTES, n)
    chk_route = pick(rng, CHECKOUT_ROUTES, n)
    cat_latency = cat.latency.sample(rng, minute) + 4
    chk_latency = chk.latency.sample(rng, minute) + 3
    integration = np.where(checkout, chk_latency, cat_latency)
    target_status = target_5xx(rng, model.incident[minute] > 0)
    client_status = client_statuses(rng, n)
    status = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3, kind == 4, kind == 5],
        [np.full(n, 200), np.where(cat_route == 1, 404, 400), np.full(n, 502),
         CHECKOUT_OK_STATUS[chk_route], client_status, target_status],
        default=elb_5xx(rng, n),
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
        method, path, _ = CHECKOUT_ROUTES[kr] if k >= 3 else CATALOG_ROUTES[cr]
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
    names = random_hex(rng, 2 * (int(day.max(initial=0)) + 1), 32)
    events = Events(streams=names)
    events.add(end_ms, day * 2 + lane, messages)

    in_window, before = incident_masks(model, minute)
    route_checkout = in_window & checkout
    return events, {
        "content": "API Gateway REST access logs, JSON per event in the $context format "
        "(requestId, ip, requestTime, httpMethod, resourcePath, status as strings, ...)",
        "requests_logged": int(n),
        "incident": {
            "checkout_5xx_share_in_window": share(status[route_checkout] >= 500),
            "5xx_share_in_window": share(status[in_window] >= 500),
            "5xx_share_previous_day": share(status[before] >= 500),
        },
    }
