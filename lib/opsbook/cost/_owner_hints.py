"""Owner hints: who created a resource, from its CloudTrail create event.

The create events (:data:`CREATE_EVENTS`) in the trail's window are read through the
``changes`` source; a resource matches an event of its account whose request or response names
it, by the ids those calls carry (:data:`ID_KEYS`: ``instanceId`` from RunInstances'
response, ``volumeId``, ``bucketName``, ``dBInstanceIdentifier``, ``functionName``...), compared
with the CUR resource id whole or with its last ``:`` or ``/`` part. The hint names the caller
(``userIdentity.arn``; for a role session, the role and session name), the call and its date.
A resource with no create event says so: it was created before the trail's window (CloudTrail's
event history covers 90 days) or by a call this list does not hold.

Examples
--------
>>> ids_in('{"instancesSet": {"items": [{"instanceId": "i-0abc", "imageId": "ami-1"}]}}')
{'i-0abc'}
>>> sorted(names_of("arn:aws:rds:us-east-1:111122223333:db:reporting-db"))
['arn:aws:rds:us-east-1:111122223333:db:reporting-db', 'reporting-db']
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd

from opsbook import changes, clock
from opsbook.settings import Settings

__all__ = ["CREATE_EVENTS", "ID_KEYS", "NOT_IN_WINDOW", "ids_in", "names_of", "owner_hints"]

#: The calls that create a billed resource.
CREATE_EVENTS = (
    "RunInstances", "CreateVolume", "CreateSnapshot", "CreateNatGateway", "AllocateAddress",
    "CreateLoadBalancer", "CreateBucket", "CreateDBInstance", "CreateDBCluster",
    "CreateFunction", "CreateTable", "CreateLogGroup", "CreateFileSystem", "CreateCluster",
    "CreateCacheCluster", "CreateReplicationGroup", "CreateDomain", "CreateQueue", "CreateTopic",
    "CreateStream", "CreateDeliveryStream", "CreateKey", "CreateRepository",
)  # fmt: skip
#: Request or response keys whose value names the created resource.
ID_KEYS = frozenset({
    "instanceId", "volumeId", "snapshotId", "natGatewayId", "allocationId", "loadBalancerArn",
    "bucketName", "dBInstanceIdentifier", "dBInstanceArn", "dBClusterIdentifier", "dBClusterArn",
    "functionName", "functionArn", "tableName", "tableArn", "logGroupName", "fileSystemId",
    "fileSystemArn", "clusterArn", "cacheClusterId", "replicationGroupId", "domainName",
    "queueUrl", "topicArn", "streamName", "deliveryStreamName", "keyId", "repositoryName",
    "repositoryArn",
})  # fmt: skip
#: What the hint says when the trail holds no create event of the resource.
NOT_IN_WINDOW = "not in CloudTrail's window"


def _walk(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ID_KEYS and isinstance(inner, str) and inner:
                yield inner
            else:
                yield from _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner)


def ids_in(text: str | None) -> set[str]:
    """Return the resource ids named in a request or response (JSON text)."""
    if not isinstance(text, str) or not text:
        return set()
    try:
        return set(_walk(json.loads(text)))
    except ValueError:
        return set()


def names_of(resource_id: str) -> set[str]:
    """Return the names a CUR resource id may go by in a create call."""
    names = {resource_id, resource_id.rsplit(":", 1)[-1], resource_id.rsplit("/", 1)[-1]}
    return {name for name in names if name}


def _principal(actor: str | None) -> str:
    """Return ``role/session`` for an assumed-role session ARN, else the ARN itself."""
    actor = actor or "unknown caller"
    if ":assumed-role/" in actor:
        return "role " + actor.split(":assumed-role/", 1)[1]
    return actor


def owner_hints(
    resources: pd.DataFrame,
    end: clock.Moment | None = None,
    *,
    days: int = 90,
    settings: Settings | None = None,
) -> pd.Series:
    """Return who created each of ``resources`` (``resource_id``, ``account_id``), never blank.

    Parameters
    ----------
    end, days
        The trail's window: ``days`` days up to ``end`` (default: now).
    """
    stop = pd.Timestamp(clock.to_utc(end, "end") if end else clock.now())
    start = stop - pd.Timedelta(days=days)
    events = changes.read_changes(start, stop, event_names=list(CREATE_EVENTS), settings=settings)
    found: dict[tuple[str, str], str] = {}
    for event in events.itertuples():
        hint = (f"{_principal(event.actor)} ({event.action}, "
                f"{pd.Timestamp(event.event_time):%Y-%m-%d})")  # fmt: skip
        for name in ids_in(event.request_parameters) | ids_in(event.response_elements):
            found.setdefault((str(event.account_id), name), hint)
    window = f"{NOT_IN_WINDOW} ({start:%Y-%m-%d} to {stop:%Y-%m-%d})"
    hints = [
        next((found[(str(a), n)] for n in sorted(names_of(r)) if (str(a), n) in found), window)
        for r, a in zip(resources["resource_id"], resources["account_id"], strict=True)
    ]
    return pd.Series(hints, index=resources.index, dtype="string")
