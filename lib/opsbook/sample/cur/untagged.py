"""Planted untagged resources, for the owner hints of tag governance (who created them).

Two resources without any tag were created in shop-prod ten days before the data ends, inside
the sample trail's window, so CloudTrail holds their create events
(:mod:`opsbook.sample.incident.creations`): an m5.xlarge instance launched by a developer's SSO
session (RunInstances) and a bucket created by the CI deploy role (CreateBucket). A third, an
io1 volume created before the CUR begins, has no create event in the trail: its owner hint says
it is not in CloudTrail's window.

Examples
--------
>>> [p.key for p in UNTAGGED if p.created == "in trail"]
['untagged-instance', 'untagged-bucket']
"""

from __future__ import annotations

from opsbook.sample.cur.ids import digest
from opsbook.sample.cur.opportunities import SHOP, Component, Planted

__all__ = ["UNTAGGED", "by_key"]


def _id(prefix: str, key: str) -> str:
    return f"{prefix}-0{digest('planted', key).hex()[:16]}"


UNTAGGED: tuple[Planted, ...] = (
    Planted("untagged-instance", "owner_hint", "flag", SHOP, "AmazonEC2",
            _id("i", "untagged-instance"),
            (Component("BoxUsage:m5.xlarge", "RunInstances", "Hrs", 0.192, "Compute Instance",
                       "$0.192 per On Demand Linux m5.xlarge Instance Hour", 24.0,
                       (("vcpu", "4"), ("memory", "16 GiB"))),),
            "m5.xlarge", created="in trail", tagged=False),
    Planted("untagged-bucket", "owner_hint", "flag", SHOP, "AmazonS3", "northpeak-adhoc-exports",
            (Component("TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", 0.023, "Storage",
                       "$0.023 per GB-Month of storage used (General Purpose)", 4000.0,
                       (("storage_class", "General Purpose"),)),),
            created="in trail", tagged=False),
    Planted("untagged-volume", "owner_hint", "ignore", SHOP, "AmazonEC2",
            _id("vol", "untagged-volume"),
            (Component("EBS:VolumeUsage.piops", "CreateVolume-Piops", "GB-Mo", 0.125, "Storage",
                       "$0.125 per GB-month of io1 provisioned storage", 2000.0,
                       (("volume_api_name", "io1"),)),),
            tagged=False),
)  # fmt: skip


def by_key(key: str) -> Planted:
    """Return the planted untagged resource called ``key``."""
    return next(p for p in UNTAGGED if p.key == key)
