"""Planted savings opportunities: resources that each cost-optimisation check must find or ignore.

Every check of :mod:`opsbook.cost.opportunities` has at least one resource here it must flag (a
true positive, ``expect="flag"``) and one just on the other side of its default threshold that
it must not flag (a near-miss, ``expect="ignore"``). Their CUR rows are written beside the
catalogue's (:func:`planted_rows`: daily ``Usage`` line items at public on-demand rates, with the
EDP discount and its ``EdpDiscount`` line items like every on-demand row) and their CloudWatch evidence by :mod:`opsbook.sample.opportunity_metrics`. The Lambda
check reads the REPORT lines the logs sample already writes: ``catalog-api-handler`` (512 MB,
about 100 MB used) is its true positive, ``orders-worker`` (runs out of its 1024 MB) its
near-miss.

Examples
--------
>>> sorted({p.check for p in PLANTED})  # doctest: +NORMALIZE_WHITESPACE
['gp2', 'idle_eip', 'idle_load_balancer', 'idle_nat', 'idle_volume', 'old_snapshot',
 'previous_generation', 's3_cold', 'underused_instance']
>>> by_key("nat-idle").resource_id
'arn:aws:ec2:us-east-1:334455667799:natgateway/nat-09e99ee21b0ed5395'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from opsbook.sample import org
from opsbook.sample.cur.catalogue import REGIONS, SERVICE_NAMES
from opsbook.sample.cur.compiled import CompiledCatalogue
from opsbook.sample.cur.ids import digest, hashed_number, hashed_sku, line_item_ids
from opsbook.sample.cur.periods import Period, day_columns
from opsbook.sample.cur.schema import CUR2_SCHEMA, rate_text
from opsbook.sample.cur.variants import EDP_RATE, blank_record

__all__ = ["PLANTED", "Component", "Planted", "by_key", "planted_rows"]

#: Days before ``as_of`` a "recent" planted resource was created (the snapshot near-miss).
RECENT_DAYS = 45
#: Days before ``as_of`` a planted resource ``created="in trail"`` was created: inside the
#: sample trail's window, so CloudTrail holds its create event.
TRAIL_DAYS = 10


@dataclass(frozen=True)
class Component:
    """One daily usage component: what the resource is billed for (amount per day)."""

    usage_type: str  # without the region prefix
    operation: str
    unit: str
    rate: float
    family: str
    description: str
    per_day: float  # units a day; for GB-Mo the GB held (divided by the month's days)
    product: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Planted:
    """A planted resource, the check it exercises and whether that check must flag it."""

    key: str
    check: str
    expect: str  # "flag" or "ignore"
    account: str
    product_code: str
    resource_id: str
    components: tuple[Component, ...]
    instance_type: str = ""
    created: str = "start"  # "start" (before the CUR begins), "recent" or "in trail"
    tagged: bool = True  # whether its line items carry the app, owner and env tags
    app: str = "finops-sample"

    @property
    def account_id(self) -> str:
        """The 12-digit id of the resource's account."""
        return next(a.id for a in org.ACCOUNTS if a.name == self.account)


def _hex(key: str, width: int = 16) -> str:
    return digest("planted", key).hex()[:width]


def _arn(service: str, account: str, path: str) -> str:
    account_id = next(a.id for a in org.ACCOUNTS if a.name == account)
    return f"arn:aws:{service}:{org.REGION}:{account_id}:{path}"


#: The planted instance types: (USD per hour in us-east-1, vCPU, memory, processor).
_TYPES = {
    "m5.2xlarge": (0.384, "8", "32 GiB", "Intel Xeon Platinum 8175"),
    "m4.xlarge": (0.20, "4", "16 GiB", "Intel Xeon E5-2686 v4 (Broadwell)"),
    "m6g.xlarge": (0.154, "4", "16 GiB", "AWS Graviton2 Processor"),
}


def _instance(itype: str) -> Component:
    rate, vcpu, memory, processor = _TYPES[itype]
    return Component(f"BoxUsage:{itype}", "RunInstances", "Hrs", rate, "Compute Instance",
                     f"${rate_text(rate)} per On Demand Linux {itype} Instance Hour", 24.0,
                     (("vcpu", vcpu), ("memory", memory), ("physical_processor", processor),
                      ("instance_type_family", itype.split(".")[0]),
                      ("current_generation", "No" if itype.startswith("m4.") else "Yes")))  # fmt: skip


def _volume(kind: str, gb: float, rate: float) -> Component:
    return Component(f"EBS:VolumeUsage.{kind}", f"CreateVolume-{kind.capitalize()}", "GB-Mo", rate,
                     "Storage", f"${rate_text(rate)} per GB-month of {kind} provisioned storage",
                     gb, (("volume_api_name", kind),))  # fmt: skip


def _nat(gb_per_day: float) -> tuple[Component, ...]:
    return (
        Component("NatGateway-Hours", "NatGateway", "Hrs", 0.045, "NAT Gateway",
                  "$0.045 per NAT Gateway Hour", 24.0),
        Component("NatGateway-Bytes", "NatGateway", "GB", 0.045, "NAT Gateway",
                  "$0.045 per GB Data Processed by NAT Gateways", gb_per_day),
    )  # fmt: skip


def _alb(lcu_per_day: float) -> tuple[Component, ...]:
    return (
        Component("LoadBalancerUsage", "LoadBalancing:Application", "Hrs", 0.0225,
                  "Load Balancer-Application",
                  "$0.0225 per Application LoadBalancer-hour (or partial hour)", 24.0),
        Component("LCUUsage", "LoadBalancing:Application", "LCU-Hrs", 0.008,
                  "Load Balancer-Application",
                  "$0.008 per used Application load balancer capacity unit-hour", lcu_per_day),
    )  # fmt: skip


def _bucket(standard_gb: float, gets_per_day: float) -> tuple[Component, ...]:
    return (
        Component("TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", 0.023, "Storage",
                  "$0.023 per GB-Month of storage used (General Purpose)", standard_gb,
                  (("storage_class", "General Purpose"),)),
        Component("Requests-Tier2", "GetObject", "Requests", 0.0000004, "API Request",
                  "$0.0004 per 1,000 GET and all other requests", gets_per_day,
                  (("group", "S3-API-Tier2"),)),
    )  # fmt: skip


def _rds(itype: str, rate: float) -> Component:
    return Component(f"InstanceUsage:{itype}", "CreateDBInstance:0014", "Hrs", rate,
                     "Database Instance",
                     f"${rate_text(rate)} per RDS {itype} Single-AZ instance hour running "
                     "PostgreSQL", 24.0,
                     (("database_engine", "PostgreSQL"), ("deployment_option", "Single-AZ")))  # fmt: skip


_SNAPSHOT = ("EBS:SnapshotUsage", "CreateSnapshot", "GB-Mo", 0.05, "Storage Snapshot",
             "$0.05 per GB-Month of snapshot data stored")  # fmt: skip
_EIP = ("PublicIPv4:{state}Address", "AssociateAddressVPC", "Hrs", 0.005, "IP Address",
        "$0.005 per {state} public IPv4 address per hour")  # fmt: skip


def _eip(state: str) -> Component:
    usage, operation, unit, rate, family, text = _EIP
    return Component(usage.format(state=state), operation, unit, rate, family,
                     text.format(state=state), 24.0)  # fmt: skip


STAGING, DATA, SHOP, SHARED = "shop-staging", "data-platform", "shop-prod", "shared-services"

#: The planted resources, in the order their rows are written.
PLANTED: tuple[Planted, ...] = (
    Planted("nat-idle", "idle_nat", "flag", STAGING, "AmazonEC2",
            _arn("ec2", STAGING, f"natgateway/nat-0{_hex('nat-idle')}"), _nat(0.01)),
    Planted("nat-busy", "idle_nat", "ignore", DATA, "AmazonEC2",
            _arn("ec2", DATA, f"natgateway/nat-0{_hex('nat-busy')}"), _nat(0.5)),
    Planted("alb-idle", "idle_load_balancer", "flag", STAGING, "AWSELB",
            _arn("elasticloadbalancing", STAGING,
                 f"loadbalancer/app/qa-preview-alb/{_hex('alb-idle', 16)}"), _alb(0.2)),
    Planted("alb-quiet", "idle_load_balancer", "ignore", STAGING, "AWSELB",
            _arn("elasticloadbalancing", STAGING,
                 f"loadbalancer/app/partner-api-alb/{_hex('alb-quiet', 16)}"), _alb(0.5)),
    Planted("eip-idle", "idle_eip", "flag", SHOP, "AmazonVPC",
            _arn("ec2", SHOP, f"elastic-ip/eipalloc-0{_hex('eip-idle')}"), (_eip("Idle"),)),
    Planted("eip-in-use", "idle_eip", "ignore", SHOP, "AmazonVPC",
            _arn("ec2", SHOP, f"elastic-ip/eipalloc-0{_hex('eip-in-use')}"), (_eip("InUse"),)),
    Planted("volume-detached", "idle_volume", "flag", SHOP, "AmazonEC2",
            f"vol-0{_hex('volume-detached')}", (_volume("gp3", 800, 0.08),)),
    Planted("volume-quiet", "idle_volume", "ignore", SHOP, "AmazonEC2",
            f"vol-0{_hex('volume-quiet')}", (_volume("gp3", 800, 0.08),)),
    Planted("snapshot-old", "old_snapshot", "flag", DATA, "AmazonEC2",
            _arn("ec2", DATA, f"snapshot/snap-0{_hex('snapshot-old')}"),
            (Component(*_SNAPSHOT, 2400.0),)),
    Planted("snapshot-recent", "old_snapshot", "ignore", DATA, "AmazonEC2",
            _arn("ec2", DATA, f"snapshot/snap-0{_hex('snapshot-recent')}"),
            (Component(*_SNAPSHOT, 2400.0),), created="recent"),
    Planted("ec2-oversized", "underused_instance", "flag", SHOP, "AmazonEC2",
            f"i-0{_hex('ec2-oversized')}", (_instance("m5.2xlarge"),), "m5.2xlarge"),
    Planted("ec2-memory-bound", "underused_instance", "ignore", SHOP, "AmazonEC2",
            f"i-0{_hex('ec2-memory-bound')}", (_instance("m5.2xlarge"),), "m5.2xlarge"),
    Planted("rds-oversized", "underused_instance", "flag", SHOP, "AmazonRDS",
            _arn("rds", SHOP, "db:reporting-db"), (_rds("db.r6g.2xlarge", 0.898),),
            "db.r6g.2xlarge"),
    Planted("rds-busy", "underused_instance", "ignore", SHOP, "AmazonRDS",
            _arn("rds", SHOP, "db:ledger-db"), (_rds("db.r6g.2xlarge", 0.898),),
            "db.r6g.2xlarge"),
    Planted("volume-gp2", "gp2", "flag", SHARED, "AmazonEC2",
            f"vol-0{_hex('volume-gp2')}", (_volume("gp2", 1000, 0.10),)),
    Planted("volume-gp3", "gp2", "ignore", SHARED, "AmazonEC2",
            f"vol-0{_hex('volume-gp3')}", (_volume("gp3", 1000, 0.08),)),
    Planted("ec2-m4", "previous_generation", "flag", SHARED, "AmazonEC2",
            f"i-0{_hex('ec2-m4')}", (_instance("m4.xlarge"),), "m4.xlarge"),
    Planted("ec2-m6g", "previous_generation", "ignore", SHARED, "AmazonEC2",
            f"i-0{_hex('ec2-m6g')}", (_instance("m6g.xlarge"),), "m6g.xlarge"),
    Planted("bucket-cold", "s3_cold", "flag", DATA, "AmazonS3", "northpeak-legacy-exports",
            _bucket(9000.0, 30.0)),
    Planted("bucket-warm", "s3_cold", "ignore", DATA, "AmazonS3", "northpeak-partner-feeds",
            _bucket(9000.0, 450.0)),
)  # fmt: skip


def by_key(key: str) -> Planted:
    """Return the planted resource called ``key``."""
    return next(p for p in PLANTED if p.key == key)


def _created(planted: Planted, as_of: dt.date) -> dt.date:
    if planted.created == "start":
        return dt.date.min
    days = TRAIL_DAYS if planted.created == "in trail" else RECENT_DAYS
    return as_of - dt.timedelta(days=days)


def _record(cat: CompiledCatalogue, planted: Planted, use: Component) -> dict[str, Any]:
    """Return the static columns of ``planted``'s ``use`` rows."""
    prefix, location = REGIONS[org.REGION]
    usage_type = f"{prefix}-{use.usage_type}"
    sku = hashed_sku(planted.product_code, usage_type, use.operation, org.REGION)
    rate = rate_text(use.rate)
    product = {
        "product_name": SERVICE_NAMES[planted.product_code],
        "region": org.REGION,
        "servicename": SERVICE_NAMES[planted.product_code],
        **dict(use.product),
    }
    tags = {"user_app": planted.app, "user_owner": "team-finops",
            "user_env": next(a.env for a in org.ACCOUNTS if a.name == planted.account)}  # fmt: skip
    record = blank_record()
    record.update(
        cat.acct_records[cat.account_index[planted.account]],
        line_item_line_item_type="Usage",
        line_item_product_code=planted.product_code,
        line_item_usage_type=usage_type,
        line_item_operation=use.operation,
        line_item_line_item_description=use.description,
        line_item_unblended_rate=rate,
        line_item_blended_rate=rate,
        line_item_net_unblended_rate=rate_text(use.rate * (1 - EDP_RATE)),
        line_item_resource_id=planted.resource_id,
        pricing_term="OnDemand",
        pricing_unit=use.unit,
        pricing_public_on_demand_rate=rate,
        pricing_rate_code=f"{sku}.JRTCKXETXF.6YS6EN2CT7",
        pricing_rate_id=hashed_number(10, "rate", sku),
        product=sorted(product.items()),
        product_servicecode=planted.product_code,
        product_product_family=use.family,
        product_region_code=org.REGION,
        product_location=location,
        product_location_type="AWS Region",
        product_usagetype=usage_type,
        product_operation=use.operation,
        product_pricing_unit=use.unit,
        product_sku=sku,
        product_instance_type=planted.instance_type,
        resource_tags=sorted(tags.items()) if planted.tagged else [],
    )
    return record


def planted_rows(
    cat: CompiledCatalogue,
    period: Period,
    as_of: dt.date,
    rng: np.random.Generator,
    planted_resources: tuple[Planted, ...] = PLANTED,
) -> pa.Table:
    """Return the daily ``Usage`` rows of ``planted_resources`` in ``period``, and their EDP rows.

    Usage is constant from day to day (monthly components, GB-Mo or IOPS-Mo, spread the month's
    amount over its days), so a month's cost is its rate x amount x days, to the cent.
    """
    records: list[dict[str, Any]] = []
    edp: dict[tuple[dt.date, str, str], float] = {}
    for planted in planted_resources:
        first = max(period.start, _created(planted, as_of))
        for use in planted.components:
            static = _record(cat, planted, use)
            day = first
            while day < period.data_end:
                days_in_month = (period.end - period.start).days
                amount = use.per_day / days_in_month if use.unit.endswith("-Mo") else use.per_day
                cost = round(amount * use.rate, 10)
                discount = -cost * EDP_RATE
                records.append({
                    **static, **day_columns(period, day),
                    "line_item_usage_amount": amount,
                    "line_item_unblended_cost": cost,
                    "line_item_blended_cost": cost,
                    "line_item_net_unblended_cost": cost + discount,
                    "pricing_public_on_demand_cost": cost,
                    "discount": [("edp_discount", discount)],
                    "discount_total_discount": discount,
                })  # fmt: skip
                key = (day, planted.account, planted.product_code)
                edp[key] = edp.get(key, 0.0) + discount
                day += dt.timedelta(days=1)
    for (day, account, product), discount in edp.items():
        records.append({
            **cat.cv.records[int(cat.edp_cv[cat.product_index[product]])],
            **cat.acct_records[cat.account_index[account]], **day_columns(period, day),
            "line_item_unblended_cost": discount, "line_item_blended_cost": discount,
        })  # fmt: skip
    table = pa.Table.from_pylist(records, schema=CUR2_SCHEMA)
    ids = line_item_ids(table.num_rows, rng)
    return table.set_column(CUR2_SCHEMA.get_field_index("identity_line_item_id"),
                            "identity_line_item_id", ids)  # fmt: skip
