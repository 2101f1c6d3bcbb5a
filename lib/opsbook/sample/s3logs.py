"""Sample logs AWS writes straight to S3: checkout-alb's access logs and shop-prod's VPC flow logs.

Both go to one log bucket of shop-prod, in the keys AWS gives them
(:func:`opsbook.backends.layout.elb_object`, :func:`~opsbook.backends.layout.vpc_flow_object`),
so ``logs.query(..., ["s3://northpeak-shop-prod-logs/AWSLogs/"])`` reads them:

- **ALB access logs** of ``checkout-alb``, every request of checkout-api from half an hour
  before the bad deployment to half an hour after the errors end (the traffic model's requests,
  target 5XX and ALB-made 502/504, :mod:`opsbook.sample.traffic`), one file per 5 minutes per
  load balancer node. Each request goes to a task of the task set serving at the time (a new set
  a minute after each UpdateService, as in checkout-api's own logs), so the 5XX burst sits on the
  bad revision's targets.
- **VPC flow logs** (default format, a header line per file) of the incident day, 10-minute
  aggregates per flow: the load balancer to the tasks (8080), the tasks to shop-orders-db
  (5432), internet scanners rejected at the load balancer's interfaces all day (22, 3389, 23),
  and, while the bad revision serves, its tasks' calls to inventory-service (10.0.30.15:8443)
  REJECTed by the security group the new task definition forgot: the upstream timeouts
  checkout-api logs are these silently dropped packets.

Examples
--------
>>> import datetime as dt, tempfile
>>> from pathlib import Path
>>> from opsbook.sample.org import timeline
>>> facts = write_s3_logs(Path(tempfile.mkdtemp()), timeline(dt.date(2026, 11, 15)), scale=0.05)
>>> facts["bucket"], facts["alb"]["files"] > 0, facts["vpc"]["rejected_to_inventory"] > 0
('northpeak-shop-prod-logs', True, True)
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path
from typing import Any

import numpy as np

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.logs.events import (
    CHECKOUT_OK_STATUS,
    CHECKOUT_ROUTES,
    client_statuses,
    elb_5xx,
    expand_kinds,
    pick,
    random_hex,
    target_5xx,
)
from opsbook.sample.traffic import CHECKOUT_TASKS, Traffic, epoch_ms, traffic_model

__all__ = ["ALB_NODES", "BUCKET", "FLOW_LOG", "INVENTORY", "write_s3_logs"]

BUCKET = f"northpeak-{org.SHOP_PROD.name}-logs"
FLOW_LOG = "fl-0c5a7e19d4b2f3a61"
ALB_NODES = ("10.0.0.137", "10.0.1.52")  # one load balancer node per subnet
INVENTORY = ("10.0.30.15", 8443)  # inventory-service, which the bad task definition cannot reach
_ALB_ENIS = ("eni-0a4c1e2f3b5d6a7b8", "eni-0b5d2f3a4c6e7b8c9")
_DB = ("10.0.20.31", 5432, "eni-0d7f4b5c6e8a9b0c1")
_DOMAIN = "checkout.northpeak.example"
_TARGET_GROUP = f"arn:aws:elasticloadbalancing:{org.REGION}:{org.SHOP_PROD.id}:{org.TARGET_GROUP}"
_CERT = (
    f"arn:aws:acm:{org.REGION}:{org.SHOP_PROD.id}:certificate/3f9c2b1e-7a4d-4c8e-9b6f-1d2e3a4b5c6d"
)
_AGENTS = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Northpeak/4.12",
           "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0",
           "okhttp/4.12.0 Northpeak-Android/4.12")  # fmt: skip
_SCANNERS = ("45.148.10.81", "89.248.165.74", "162.142.125.12", "193.163.125.59")
_FIVE_MINUTES = 300_000


def write_s3_logs(
    root: Path, story: org.Timeline, *, scale: float = 1.0, seed: int = 7
) -> dict[str, Any]:
    """Write the ALB access logs and VPC flow logs under ``root/s3/<bucket>``; return the facts."""
    model = traffic_model(story, scale=scale, seed=seed)
    rng = np.random.default_rng([seed, 5_3])
    bucket = root / layout.S3_BUCKETS / BUCKET
    sets = _task_sets(model)
    alb = _write_alb(bucket, model, sets, rng)
    vpc = _write_flows(bucket, model, sets, rng)
    return {
        "bucket": BUCKET,
        "content": "ALB access logs of checkout-alb around the incident and VPC flow logs of "
        "the incident day, in the keys and formats AWS writes to S3",
        "sources": [f"s3://{BUCKET}/AWSLogs/{org.SHOP_PROD.id}/elasticloadbalancing/{org.REGION}/",
                    f"s3://{BUCKET}/AWSLogs/{org.SHOP_PROD.id}/vpcflowlogs/{org.REGION}/"],
        "alb": alb,
        "vpc": vpc,
    }  # fmt: skip


def _task_sets(model: Traffic) -> list[tuple[int, list[str], bool]]:
    """Return each task set as (first epoch ms it serves, its task IPs, whether it is the bad one)."""
    story = model.story
    chain = [r for r in model.releases if r.service == org.CHECKOUT.name]
    inside = [r for r in chain if story.logs_start <= r.at < story.end]
    sets = [(0, False)] + [(epoch_ms(r.at) + 60_000, r.at == story.deploy_at) for r in inside]
    return [
        (since, [f"10.0.{10 + k % 2}.{40 + (n * CHECKOUT_TASKS + k) % 200}" for k in range(CHECKOUT_TASKS)], bad)
        for n, (since, bad) in enumerate(sets)
    ]  # fmt: skip


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))


def _write_alb(
    bucket: Path, model: Traffic, sets: list[tuple[int, list[str], bool]], rng: np.random.Generator
) -> dict[str, Any]:
    story, flow = model.story, model.checkout
    window = model.window(
        story.deploy_at - dt.timedelta(minutes=30), story.errors_end + dt.timedelta(minutes=30)
    )
    elb = model.checkout_elb_errors[window]
    counts = [flow.requests[window] - flow.server_errors[window] - flow.client_errors[window] - elb,
              flow.client_errors[window], flow.server_errors[window], elb]  # fmt: skip
    minute, end_ms, kind = expand_kinds(model, window, counts, rng)
    n = minute.size
    order = np.argsort(end_ms, kind="stable")
    minute, end_ms, kind = minute[order], end_ms[order], kind[order]

    route = pick(rng, CHECKOUT_ROUTES, n)
    latency = flow.latency.sample(rng, minute) / 1000.0
    incident = model.incident[minute] > 0
    status = np.select(
        [kind == 0, kind == 1, kind == 2],
        [CHECKOUT_OK_STATUS[route], client_statuses(rng, n), target_5xx(rng, incident)],
        default=elb_5xx(rng, n),
    )
    starts = np.array([s for s, _, _ in sets], dtype=np.int64)
    serving = np.searchsorted(starts, end_ms, side="right") - 1
    task = rng.integers(0, CHECKOUT_TASKS, n)
    node = rng.integers(0, len(ALB_NODES), n)
    port = rng.integers(1024, 65535, n)
    client = [f"{a}.{b}.{c}.{d}" for a, b, c, d in rng.integers(1, 255, (n, 4)).tolist()]
    trace = random_hex(rng, n, 24)
    conn = random_hex(rng, n, 32)
    agent = rng.integers(0, len(_AGENTS), n)
    stamps = np.datetime_as_string(end_ms.astype("datetime64[ms]"), unit="us").tolist()
    created = np.datetime_as_string(
        (end_ms - np.round(latency * 1000).astype(np.int64) - 1).astype("datetime64[ms]"), unit="us"
    ).tolist()
    lines: dict[tuple[int, int], list[str]] = {}
    for i in range(n):
        k, st = int(kind[i]), int(status[i])
        target = f"{sets[serving[i]][1][task[i]]}:8080"
        method, path, _ = CHECKOUT_ROUTES[route[i]]
        path = path.replace("{id}", f"ord-{int(end_ms[i]) % 9_000_000 + 1_000_000}")
        if k == 3:  # the load balancer answered itself: no target response
            times, target_status = "0.000 -1 -1", "-"
        else:
            times, target_status = f"0.000 {latency[i]:.3f} 0.000", str(st)
        lines.setdefault((int(end_ms[i]) // _FIVE_MINUTES, int(node[i])), []).append(
            f"https {stamps[i]}Z {org.LOAD_BALANCER} {client[i]}:{port[i]} {target} {times} "
            f"{st} {target_status} {200 + route[i] * 90} {36 if st >= 500 else 480 + route[i] * 70} "
            f'"{method} https://{_DOMAIN}:443{path} HTTP/1.1" "{_AGENTS[agent[i]]}" '
            f"ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 {_TARGET_GROUP} "
            f'"Root=1-{int(end_ms[i]) // 1000:08x}-{trace[i]}" "{_DOMAIN}" "{_CERT}" 1 '
            f'{created[i]}Z "forward" "-" "-" "{target}" "{target_status}" "-" "-" TID_{conn[i]}'
        )
    lb = org.LOAD_BALANCER.split("/", 1)[1].replace("/", ".")
    for (interval, node_no), chunk in sorted(lines.items()):
        end = dt.datetime.fromtimestamp((interval + 1) * _FIVE_MINUTES / 1000, tz=dt.UTC)
        key = layout.elb_object(org.SHOP_PROD.id, org.REGION, lb, end, ALB_NODES[node_no],
                                random_hex(rng, 1, 8)[0])  # fmt: skip
        _write(bucket / key, chunk)
    bad = np.array([sets[s][2] for s in serving.tolist()], dtype=bool)
    return {
        "files": len(lines),
        "requests": int(n),
        "elb_5xx": int(((status >= 500) & (kind == 3)).sum()),
        "target_5xx": int(((status >= 500) & (kind == 2)).sum()),
        "target_5xx_on_bad_revision": int(((status >= 500) & (kind == 2) & bad).sum()),
    }


def _write_flows(
    bucket: Path, model: Traffic, sets: list[tuple[int, list[str], bool]], rng: np.random.Generator
) -> dict[str, Any]:
    story = model.story
    day = story.end - dt.timedelta(days=1)
    header = " ".join("version account-id interface-id srcaddr dstaddr srcport dstport protocol "
                      "packets bytes start end action log-status".split())  # fmt: skip
    account = org.SHOP_PROD.id
    starts = np.array([s for s, _, _ in sets], dtype=np.int64)
    rejected = 0
    files = 0
    for step in range(24 * 12):  # one file per 5 minutes, each with the flows that ended in it
        opened = day + dt.timedelta(minutes=5 * step)
        first = int(opened.timestamp())
        slot = model.index(opened)
        requests = int(model.checkout.requests[slot : slot + 5].sum())
        serving = int(np.searchsorted(starts, first * 1000, side="right") - 1)
        tasks, bad = sets[serving][1], sets[serving][2]
        lines = [header]
        for t, ip in enumerate(tasks):
            eni = f"eni-0{(serving * 8 + t) * 7919 % 16**16:016x}"
            share = max(requests // len(tasks), 1)
            for a, alb_eni in enumerate(_ALB_ENIS):
                lines.append(_flow(account, alb_eni, ALB_NODES[a], ip, 40000 + t, 8080,
                                   share * 6, share * 5200, first, "ACCEPT"))  # fmt: skip
            lines.append(_flow(account, eni, ip, _DB[0], 51000 + t, _DB[1], share * 3,
                               share * 900, first, "ACCEPT"))  # fmt: skip
            if bad and model.incident[slot] > 0:
                calls = int(rng.integers(30, 90))
                lines.append(_flow(account, eni, ip, INVENTORY[0], 52000 + t, INVENTORY[1],
                                   calls * 3, calls * 180, first, "REJECT"))  # fmt: skip
                rejected += 1
        for scanner in rng.choice(_SCANNERS, size=int(rng.integers(1, 4))).tolist():
            port = int(rng.choice([22, 3389, 23]))
            a = int(rng.integers(0, len(_ALB_ENIS)))
            lines.append(_flow(account, _ALB_ENIS[a], scanner, ALB_NODES[a],
                               int(rng.integers(30000, 60000)), port, 1, 44, first, "REJECT"))  # fmt: skip
        stamp = opened + dt.timedelta(minutes=5)
        key = layout.vpc_flow_object(account, org.REGION, FLOW_LOG, stamp, random_hex(rng, 1, 8)[0])
        _write(bucket / key, lines)
        files += 1
    return {"files": files, "format": "default (version 2)", "rejected_to_inventory": rejected}


def _flow(account: str, eni: str, src: str, dst: str, sport: int, dport: int, packets: int,
          size: int, first: int, action: str) -> str:  # fmt: skip
    return (
        f"2 {account} {eni} {src} {dst} {sport} {dport} 6 {packets} {size} {first} "
        f"{first + 299} {action} OK"
    )
