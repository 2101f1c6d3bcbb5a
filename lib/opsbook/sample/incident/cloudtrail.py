"""The sample's trail: every recorded call, written as the gzip log files CloudTrail delivers to S3.

:func:`build_trail` records the deployments (:mod:`~opsbook.sample.incident.deployments`) of
:func:`opsbook.sample.episodes.releases`, which the logs and metrics follow too, among the
changes and noise of :mod:`~opsbook.sample.incident.activity`. :func:`write_trail` groups the
records per account and region into files of 5 to 15 minutes of activity, each named by its
delivery time a few minutes later::

    cloudtrail/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<16 chars>.json.gz

Examples
--------
>>> import datetime as dt, random
>>> from opsbook.sample.org import timeline
>>> trail, facts = build_trail(timeline(dt.date(2026, 11, 15)), random.Random(7001), 7)
>>> facts["bad_deploy"]["version"], facts["rollback"]["version"]
('checkout-api:43', 'checkout-api:42')
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from pathlib import Path
from typing import Any

from opsbook.backends import layout
from opsbook.sample.episodes import (
    BURN_ALARM,
    FLAPPING_ALARM,
    burn_alarm_created_at,
    flapping_threshold_raised_at,
    releases,
)
from opsbook.sample.incident.activity import (
    record_config_changes,
    record_investigation,
    record_noise,
    record_other_accounts,
)
from opsbook.sample.incident.alarms import alarm_named
from opsbook.sample.incident.deployments import (
    deploy_catalog,
    deploy_checkout,
    deploy_orders,
    update_observability_stack,
)
from opsbook.sample.incident.formats import random_token
from opsbook.sample.incident.trail import ONCALL, Trail
from opsbook.sample.org import CATALOG, CHECKOUT, ORDERS, Timeline

__all__ = ["build_trail", "write_trail"]


def build_trail(story: Timeline, rng: random.Random, seed: int) -> tuple[Trail, dict[str, Any]]:
    """Record everything the trail holds and return it, with the deployments and changes made."""
    trail = Trail(rng)
    shipped = releases(story, seed)  # the deployments the logs and metrics follow too
    deployments: list[dict[str, Any]] = []
    # checkout-api: routine deploys every couple of days, then the bad one and the rollback
    checkout: list[tuple[dt.datetime, int]] = []
    bad: dict[str, Any] = {}
    rollback: dict[str, Any] = {}
    last: dt.datetime | None = None
    for release in (r for r in shipped if r.service == CHECKOUT.name):
        at, rev, previous = release.at, release.version, release.previous
        if release.rollback:
            rollback = deploy_checkout(trail, at, rev, previous, actor=ONCALL, previous_at=last)
            deployments.append(rollback)
        else:
            deployments.append(deploy_checkout(trail, at, rev, previous, previous_at=last))
            checkout.append((at, rev))
            if at == story.deploy_at:
                bad = deployments[-1]
                record_investigation(trail, story)
        last = at

    # catalog-api-handler: routine deploys, then the one that starts the slow burn
    catalog: dict[str, Any] = {}
    for release in (r for r in shipped if r.service == CATALOG.name):
        deployments.append(deploy_catalog(trail, release.at, release.version))
        if release.at == story.slow_burn_start:
            catalog = deployments[-1]

    # orders-worker via SAM and CodeDeploy; the last one is on the incident morning
    for release in (r for r in shipped if r.service == ORDERS.name):
        deployments.append(deploy_orders(trail, release))

    flapping, burn = alarm_named(FLAPPING_ALARM), alarm_named(BURN_ALARM)
    deployments.append(
        update_observability_stack(trail, burn_alarm_created_at(story), burn, burn.threshold)
    )
    deployments.append(
        update_observability_stack(
            trail, flapping_threshold_raised_at(story), flapping, flapping.threshold
        )
    )
    changes = record_config_changes(trail, story)
    record_noise(trail, story)
    record_other_accounts(trail, story, checkout)

    deployments.sort(key=lambda d: d["time"])
    facts = {
        "deployments": deployments,
        "bad_deploy": bad,
        "rollback": rollback,
        "catalog_deploy": catalog,
        "config_changes": changes,
    }
    return trail, facts


def _write_log_file(
    root: Path,
    account: str,
    region: str,
    closes: dt.datetime,
    batch: list[dict[str, Any]],
    rng: random.Random,
) -> str:
    """Write one gzip log file, named by its delivery time a few minutes after the batch closes."""
    delivered = closes + dt.timedelta(minutes=rng.randint(1, 4), seconds=rng.randint(0, 59))
    folder = root / layout.trail_folder(account, region, delivered.strftime(layout.TRAIL_DAY))
    stamp = delivered.strftime(layout.TRAIL_DELIVERED)
    name = layout.trail_file(account, region, stamp, random_token(rng, 16))
    body = json.dumps({"Records": batch}, separators=(",", ":")).encode()
    folder.mkdir(parents=True, exist_ok=True)
    # mtime=0 and no file name in the gzip header keep the bytes reproducible
    (folder / name).write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
    return (folder / name).relative_to(root).as_posix()


def write_trail(root: Path, trail: Trail, rng: random.Random) -> dict[str, Any]:
    """Write records as CloudTrail log files: one file per 5-15 minutes of activity."""
    groups: dict[tuple[str, str], list[tuple[dt.datetime, dict[str, Any]]]] = {}
    for t, account, region, record in trail.records:
        groups.setdefault((account, region), []).append((t, record))
    files: list[str] = []
    for (account, region), items in sorted(groups.items()):
        items.sort(key=lambda item: item[0])
        batch: list[dict[str, Any]] = []
        closes = items[0][0]
        for t, record in items:
            if batch and t >= closes:
                files.append(_write_log_file(root, account, region, closes, batch, rng))
                batch = []
            if not batch:
                closes = t + dt.timedelta(minutes=rng.randint(5, 15))
            batch.append(record)
        files.append(_write_log_file(root, account, region, closes, batch, rng))
    write = sum(not r["readOnly"] for _, _, _, r in trail.records)
    return {
        "files": len(files),
        "records": len(trail.records),
        "write_records": write,
        "read_only_records": len(trail.records) - write,
        "accounts": sorted({a for a, _ in groups}),
        "regions": sorted({r for _, r in groups}),
        "first_file": min(files),
        "last_file": max(files),
    }
