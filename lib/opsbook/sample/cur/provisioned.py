"""Planted opportunities of what is provisioned or kept: log groups, DynamoDB capacity, IOPS.

Like :data:`opsbook.sample.cur.opportunities.PLANTED`, each check has a resource it must flag and
a near-miss it must not:

* ``log_retention``: ``/aws/ecs/legacy-batch``, the log group of a batch job retired long ago,
  never expires and still bills 3,500 GB of storage, none of it ingested lately; it is in
  shop-prod's DescribeLogGroups output (:data:`LOG_GROUPS`, written by
  :mod:`opsbook.sample.logs`), with no event in the log files (so the hygiene report lists it as
  stale too). The near-miss is the catalogue's ``/aws/lambda/catalog-api-handler``
  (:data:`LOG_NEAR_MISS`): it never expires either, but it holds less than the last 90 days of
  what it ingests, so nothing is older than the suggested retention;
* ``dynamodb_capacity``: ``loyalty-points`` is provisioned 2,000 RCU and 500 WCU and its busiest
  hour used under a tenth of either; ``gift-cards`` uses over a third of its capacity;
* ``provisioned_iops``: an io1 volume of 10,000 IOPS and a gp3 volume of 16,000 IOPS whose busiest
  hour averaged 800 and 1,200 IOPS; an io2 volume of 6,000 IOPS busy at 2,400.

Their CloudWatch metrics are in :mod:`opsbook.sample.provisioned_metrics`.

Examples
--------
>>> sorted({p.check for p in PROVISIONED})
['dynamodb_capacity', 'log_retention', 'provisioned_iops']
>>> by_key("logs-never-expire").resource_id
'arn:aws:logs:us-east-1:334455667788:log-group:/aws/ecs/legacy-batch'
"""

from __future__ import annotations

from opsbook.sample import org
from opsbook.sample.cur.ids import digest
from opsbook.sample.cur.opportunities import SHOP, Component, Planted

__all__ = ["CAPACITY", "IOPS", "LOG_GROUPS", "LOG_NEAR_MISS", "PROVISIONED", "by_key"]

DATA = "data-platform"

#: Log group name -> (days before the end of the data it was created, GB stored).
LOG_GROUPS: dict[str, tuple[int, float]] = {"/aws/ecs/legacy-batch": (700, 3500.0)}
#: Table -> (provisioned RCU, WCU; busiest hour's consumed RCU/s, WCU/s; mean RCU/s, WCU/s).
CAPACITY: dict[str, tuple[int, int, float, float, float, float]] = {
    "loyalty-points": (2000, 500, 150.0, 40.0, 60.0, 15.0),
    "gift-cards": (1000, 200, 380.0, 70.0, 150.0, 30.0),
}
#: Planted key -> (provisioned IOPS, busiest hour's IOPS, mean IOPS).
IOPS: dict[str, tuple[int, float, float]] = {
    "io1-overprovisioned": (10_000, 800.0, 300.0),
    "gp3-extra-iops": (16_000, 1200.0, 500.0),
    "io2-busy": (6_000, 2400.0, 1500.0),
}


def _hex(key: str) -> str:
    return digest("planted", key).hex()[:16]


def _log_group(name: str) -> tuple[Component, ...]:
    return (Component("TimedStorage-ByteHrs", "HourlyStorageMetering", "GB-Mo", 0.03,
                      "Storage Snapshot", "$0.03 per GB-mo of log storage", LOG_GROUPS[name][1]),)  # fmt: skip


def _table(name: str) -> tuple[Component, ...]:
    rcu, wcu = CAPACITY[name][:2]
    family = "Provisioned IOPS"
    return (
        Component("ReadCapacityUnit-Hrs", "CommittedThroughput", "ReadCapacityUnit-Hrs", 0.00013,
                  family, "$0.00013 per hour for 1 units of read capacity for a month",
                  rcu * 24.0, (("group", "DDB-ReadUnits"),)),
        Component("WriteCapacityUnit-Hrs", "CommittedThroughput", "WriteCapacityUnit-Hrs",
                  0.00065, family, "$0.00065 per hour for 1 units of write capacity for a month",
                  wcu * 24.0, (("group", "DDB-WriteUnits"),)),
    )  # fmt: skip


#: Volume type -> (storage usage suffix, storage rate, IOPS usage suffix, IOPS rate, IOPS included).
_VOLUMES = {
    "io1": ("piops", 0.125, "piops", 0.065, 0),
    "io2": ("io2", 0.125, "io2", 0.065, 0),
    "gp3": ("gp3", 0.08, "gp3", 0.005, 3000),
}


def _volume(kind: str, gb: float, key: str) -> tuple[Component, ...]:
    suffix, gb_rate, iops_suffix, iops_rate, included = _VOLUMES[kind]
    iops = IOPS[key][0] - included
    return (
        Component(f"EBS:VolumeUsage.{suffix}", f"CreateVolume-{kind.capitalize()}", "GB-Mo",
                  gb_rate, "Storage", f"${gb_rate} per GB-month of {kind} provisioned storage", gb,
                  (("volume_api_name", kind),)),
        Component(f"EBS:VolumeP-IOPS.{iops_suffix}", f"CreateVolume-{kind.capitalize()}",
                  "IOPS-Mo", iops_rate, "System Operation",
                  f"${iops_rate} per IOPS-month provisioned for {kind}", iops,
                  (("volume_api_name", kind),)),
    )  # fmt: skip


def _log_arn(name: str) -> str:
    return f"arn:aws:logs:{org.REGION}:{org.SHOP_PROD.id}:log-group:{name}"


def _table_arn(name: str) -> str:
    return f"arn:aws:dynamodb:{org.REGION}:{org.SHOP_PROD.id}:table/{name}"


#: The catalogue's log group the ``log_retention`` check must not flag.
LOG_NEAR_MISS = _log_arn(org.CATALOG.log_group)

#: The planted resources, written after :data:`~opsbook.sample.cur.opportunities.PLANTED`'s.
PROVISIONED: tuple[Planted, ...] = (
    Planted("logs-never-expire", "log_retention", "flag", SHOP, "AmazonCloudWatch",
            _log_arn("/aws/ecs/legacy-batch"), _log_group("/aws/ecs/legacy-batch")),
    Planted("table-overprovisioned", "dynamodb_capacity", "flag", SHOP, "AmazonDynamoDB",
            _table_arn("loyalty-points"), _table("loyalty-points")),
    Planted("table-busy", "dynamodb_capacity", "ignore", SHOP, "AmazonDynamoDB",
            _table_arn("gift-cards"), _table("gift-cards")),
    Planted("io1-overprovisioned", "provisioned_iops", "flag", DATA, "AmazonEC2",
            f"vol-0{_hex('io1-overprovisioned')}", _volume("io1", 500, "io1-overprovisioned")),
    Planted("gp3-extra-iops", "provisioned_iops", "flag", DATA, "AmazonEC2",
            f"vol-0{_hex('gp3-extra-iops')}", _volume("gp3", 400, "gp3-extra-iops")),
    Planted("io2-busy", "provisioned_iops", "ignore", DATA, "AmazonEC2",
            f"vol-0{_hex('io2-busy')}", _volume("io2", 500, "io2-busy")),
)  # fmt: skip


def by_key(key: str) -> Planted:
    """Return the planted resource called ``key``."""
    return next(p for p in PROVISIONED if p.key == key)
