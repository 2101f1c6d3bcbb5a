"""The create events of the planted untagged resources (:mod:`opsbook.sample.cur.untagged`).

Written as trail log files of their own, beside the incident's, so the owner hints of tag
governance find who created each resource: RunInstances by a developer's SSO session (its
``responseElements`` hold the instance id) and CreateBucket by the CI deploy role.

Examples
--------
>>> import datetime as dt, random
>>> from opsbook.sample.org import timeline
>>> trail = Trail(random.Random(1))
>>> record_creations(trail, timeline(dt.date(2026, 11, 15)))
>>> [r["eventName"] for _, _, _, r in trail.records]
['RunInstances', 'CreateBucket']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from opsbook.sample.cur.opportunities import TRAIL_DAYS
from opsbook.sample.cur.untagged import by_key
from opsbook.sample.incident.trail import CLI_LINUX, ONCALL, Trail, ci_actor
from opsbook.sample.org import REGION, Timeline

__all__ = ["DEVELOPER", "merge_file_facts", "record_creations"]

#: The developer who launched the untagged instance.
DEVELOPER = replace(
    ONCALL,
    role="AWSReservedSSO_Developer_9a4c2e6f8b0d1357",
    session="li.wei@northpeak.example",
    source_ip="198.51.100.87",
)


def record_creations(trail: Trail, story: Timeline) -> None:
    """Record the create events of the untagged resources planted inside the trail's window."""
    day = dt.datetime.combine(story.as_of - dt.timedelta(days=TRAIL_DAYS), dt.time(), dt.UTC)
    instance, bucket = by_key("untagged-instance"), by_key("untagged-bucket")
    trail.call(
        DEVELOPER, day + dt.timedelta(hours=9, minutes=12, seconds=41), "ec2.amazonaws.com",
        "RunInstances",
        {"instancesSet": {"items": [{"imageId": "ami-0c7217cdde317cfec", "minCount": 1,
                                     "maxCount": 1}]},
         "instanceType": instance.instance_type},
        {"reservationId": "r-0" + instance.resource_id[3:], "ownerId": instance.account_id,
         "instancesSet": {"items": [{"instanceId": instance.resource_id,
                                     "instanceType": instance.instance_type,
                                     "instanceState": {"code": 0, "name": "pending"}}]}},
    )  # fmt: skip
    trail.call(
        ci_actor(), day + dt.timedelta(hours=14, minutes=3, seconds=9), "s3.amazonaws.com",
        "CreateBucket",
        {"bucketName": bucket.resource_id, "Host": f"{bucket.resource_id}.s3.amazonaws.com"},
        user_agent=CLI_LINUX, region=REGION,
    )  # fmt: skip


def merge_file_facts(first: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Return the facts of two sets of trail files written side by side, as one."""
    return {
        **first,
        **{k: first[k] + more[k] for k in ("files", "records", "write_records",
                                           "read_only_records")},
        "accounts": sorted({*first["accounts"], *more["accounts"]}),
        "regions": sorted({*first["regions"], *more["regions"]}),
        "first_file": min(first["first_file"], more["first_file"]),
        "last_file": max(first["last_file"], more["last_file"]),
    }  # fmt: skip
