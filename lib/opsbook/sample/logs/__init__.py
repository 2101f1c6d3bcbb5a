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
weeks before the data starts: a stale group that never expires and holds no event in the window,
and ``/aws/ecs/legacy-batch``, a retired job's group that still bills terabytes of storage.

The events are drawn from the shared traffic model (:mod:`opsbook.sample.traffic`), so they show
the same story as the metrics, and follow the deployments CloudTrail records
(:func:`opsbook.sample.episodes.releases`): each ECS UpdateService starts a task set of its own
(new ``ecs/checkout-api/<task id>`` streams), and the Lambda functions, invoked through their
``live`` alias, log in plain text to streams named after the published version that ran, e.g.
``2026/11/12/[58]<32 hex>`` with ``START RequestId: ... Version: 58``. To keep the volume small, the high-traffic groups hold a uniform
random sample of the requests (the fraction is in the returned facts); orders-worker's log is
complete, so its out-of-memory and time-out invocations match the Lambda ``Errors`` metric.

The package's modules: :mod:`~opsbook.sample.logs.events` (the events of a log group and the
draws they share), :mod:`~opsbook.sample.logs.checkout`, :mod:`~opsbook.sample.logs.lambdas` and
:mod:`~opsbook.sample.logs.access` (what each service logs), and :mod:`~opsbook.sample.logs.s3`
(the two S3 layouts).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.cur.provisioned import LOG_GROUPS as PLANTED_LOG_GROUPS
from opsbook.sample.logs.access import access_events
from opsbook.sample.logs.checkout import checkout_events
from opsbook.sample.logs.events import SAMPLE_FRACTIONS, Events
from opsbook.sample.logs.lambdas import catalog_events, orders_events
from opsbook.sample.logs.s3 import (
    ACCESS_LOG_DELIVERY_STREAM,
    ACCESS_LOG_SUBSCRIPTION_FILTER,
    write_export,
    write_firehose,
)
from opsbook.sample.traffic import check_scale, epoch_ms, sample_params, traffic_model

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

# Retention policies set on the groups; checkout-api's is the PutRetentionPolicy CloudTrail records
# (opsbook.sample.incident.activity), orders-worker's was set when its SAM stack created the group. The
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


@sample_params
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
    >>> sorted(facts["log_groups"])[0], facts["log_groups"]["/aws/lambda/orders-worker"]["format"]
    ('/aws/apigateway/shop-public-api/access', 's3-export')
    """
    scale = check_scale(scale)
    model = traffic_model(story, scale=scale, seed=seed)
    window = model.window(story.logs_start, story.end)
    rng = {
        name: np.random.default_rng([seed, 4409, index])
        for index, name in enumerate(("checkout", "catalog", "orders", "access", "ids"))
    }
    groups: dict[str, dict[str, Any]] = {}

    checkout, checkout_facts = checkout_events(model, window, rng["checkout"])
    catalog, catalog_facts = catalog_events(model, window, rng["catalog"])
    orders, orders_facts = orders_events(model, window, rng["orders"])
    for group, events, facts in (
        (org.CHECKOUT.log_group, checkout, checkout_facts),
        (org.CATALOG.log_group, catalog, catalog_facts),
        (org.ORDERS.log_group, orders, orders_facts),
    ):
        groups[group] = write_export(root, group, events, rng["ids"]) | facts

    access, access_facts = access_events(model, window, rng["access"])
    groups[org.API_ACCESS_LOG_GROUP] = (
        write_firehose(root, model, access, rng["ids"]) | access_facts
    )
    for group, facts in groups.items():
        facts["sampled_fraction"] = SAMPLE_FRACTIONS[group]
    for group, events in ((org.CHECKOUT.log_group, checkout), (org.CATALOG.log_group, catalog),
                          (org.ORDERS.log_group, orders), (org.API_ACCESS_LOG_GROUP, access)):  # fmt: skip
        groups[group]["stored_bytes"] = _stored_bytes(events)
    described = describe_log_groups(story, {g: f["stored_bytes"] for g, f in groups.items()})
    (root / layout.DESCRIBE_LOG_GROUPS).write_text(json.dumps(described, indent=2) + "\n")
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
            "path": layout.DESCRIBE_LOG_GROUPS,
            "no_retention": sorted(
                g["logGroupName"] for g in described["logGroups"] if "retentionInDays" not in g
            ),
            "stale": [STALE_LOG_GROUP],
        },
    }


def describe_log_groups(story: org.Timeline, stored_bytes: dict[str, int]) -> dict[str, Any]:
    """Return the account's log groups as DescribeLogGroups prints them, by name.

    Beside the sample's own groups, the retired one the ``log_retention`` savings check must
    flag (:data:`opsbook.sample.cur.provisioned.LOG_GROUPS`): it never expires, holds no event,
    and its stored bytes are the GB its CUR storage line items bill.

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
    setup = {**LOG_GROUP_SETUP, STALE_LOG_GROUP: (stale["created"], 0),
             **{name: (days, 0) for name, (days, _) in PLANTED_LOG_GROUPS.items()}}  # fmt: skip
    sizes = {**stored_bytes, STALE_LOG_GROUP: ran * stale["runs_per_day"] * stale["run_bytes"],
             **{name: gb * 1024**3 for name, (_, gb) in PLANTED_LOG_GROUPS.items()}}  # fmt: skip
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


def _stored_bytes(events: Events) -> int:
    return sum(len(message.encode()) for message in events.messages)
