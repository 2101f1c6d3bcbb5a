"""Split cost allocation data: the ECS tasks of an EC2-backed cluster and what each one cost.

With ``INCLUDE_SPLIT_COST_ALLOCATION_DATA`` a CUR 2.0 export adds, for every ECS task (and EKS
pod) that ran on an EC2 instance, two usage records per time period: one for its vCPU, one for
its memory (usage types ``ECS-EC2-vCPU-Hours`` and ``ECS-EC2-GB-Hours``, operation
``ECSTask-EC2``, the task ARN as ``line_item_resource_id``). Their unblended cost is 0: the
instance's own line items still carry the bill, so totals do not change; the task's share is in
the ``split_line_item_*`` columns, computed from the instance's amortized cost:

* ``split_usage`` = max(reserved, actual) usage; ``split_usage_ratio`` = split usage / the
  instance's capacity of that resource;
* ``split_cost`` = ratio x the instance's cost of that resource; the cost of the capacity no
  task used is ``unused_cost``, spread over the tasks in proportion to their ratios;
* so, per instance and period, the tasks' split + unused cost is the instance's amortized cost
  (``net_*``: its net amortized cost; ``public_on_demand_*``: its public on-demand cost).

The sample's cluster, ``shop-web`` (account shop-prod), runs on the ``shop-web-sp`` fleet (ten
m5.xlarge covered by the Savings Plan): the rows are derived from those instances' own daily line
items as the generator writes them (:class:`ContainerSplit` watches the chunks), so they
reconcile to the cent. An instance's cost is split between vCPU and memory at a per-unit price
ratio of 9 to 1 (the sample's choice; AWS weighs by the instance type's own rates). The last
instance runs one small task only: most of its cost is unused, the idle the analysis shows apart.

Examples
--------
>>> [(s.name, s.vcpu, s.memory_gb) for s in SERVICES]
[('storefront', 1.0, 3.0), ('catalog-api', 0.5, 2.0), ('image-resizer', 1.0, 4.0)]
>>> sum(s.vcpu * s.per_instance for s in SERVICES), sum(s.memory_gb * s.per_instance for s in SERVICES)
(3.0, 11.0)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from opsbook.sample import org
from opsbook.sample.cur.catalogue import REGIONS, SERVICE_NAMES
from opsbook.sample.cur.compiled import CompiledCatalogue
from opsbook.sample.cur.ids import digest, line_item_ids
from opsbook.sample.cur.periods import Period, day_columns
from opsbook.sample.cur.schema import CUR2_SCHEMA
from opsbook.sample.cur.variants import blank_record

__all__ = ["CLUSTER", "FLEET", "SERVICES", "ContainerSplit", "Service"]

#: The EC2-backed ECS cluster and the fleet (catalogue kind) its container instances are.
CLUSTER = "shop-web"
FLEET = "shop-web-sp"
_ACCOUNT = "shop-prod"
_CAPACITY = {"vCPU": 4.0, "GB": 16.0}  # m5.xlarge
_UNIT_PRICE_RATIO = {"vCPU": 9.0, "GB": 1.0}


@dataclass(frozen=True)
class Service:
    """An ECS service of the cluster: what each task reserves and uses, tasks per instance."""

    name: str
    vcpu: float
    memory_gb: float
    vcpu_used: float
    memory_used_gb: float
    per_instance: int


SERVICES = (
    Service("storefront", 1.0, 3.0, 0.6, 2.5, 1),
    Service("catalog-api", 0.5, 2.0, 0.7, 1.5, 2),  # uses more vCPU than it reserves
    Service("image-resizer", 1.0, 4.0, 0.3, 1.0, 1),
)
_IDLE_HOST = (SERVICES[0],)  # what the fleet's last instance runs: mostly idle

#: Cost columns of a parent line item: (amortized, net amortized, public on-demand) per type.
_COSTS = {
    "SavingsPlanCoveredUsage": (
        "savings_plan_savings_plan_effective_cost",
        "savings_plan_net_savings_plan_effective_cost",
        "pricing_public_on_demand_cost",
    ),
    "DiscountedUsage": (
        "reservation_effective_cost",
        "reservation_net_effective_cost",
        "pricing_public_on_demand_cost",
    ),
    "Usage": (
        "line_item_unblended_cost",
        "line_item_net_unblended_cost",
        "pricing_public_on_demand_cost",
    ),
}
_BASES = ("split", "net", "public")


class ContainerSplit:
    """Watches the parent instances' rows as they are written; then returns the task rows."""

    def __init__(self, cat: CompiledCatalogue, parents: list[str]) -> None:
        self.cat = cat
        self.parents = parents
        self._wanted = pa.array(parents, type=pa.string())
        self._costs: dict[tuple[dt.date, str], np.ndarray] = {}

    def observe(self, table: pa.Table) -> None:
        """Add the amortized, net amortized and public cost of the parents' rows in ``table``."""
        rows = table.filter(pc.is_in(table["line_item_resource_id"], value_set=self._wanted))
        if rows.num_rows == 0:
            return
        frame = rows.to_pandas()
        for kind, columns in _COSTS.items():
            part = frame[frame["line_item_line_item_type"] == kind]
            if part.empty:
                continue
            day = pd.to_datetime(part["line_item_usage_start_date"]).dt.date
            sums = part[list(columns)].groupby([day, part["line_item_resource_id"]]).sum()
            for key, values in zip(sums.index, sums.to_numpy(), strict=True):
                self._costs[key] = self._costs.get(key, np.zeros(3)) + values

    def rows(self, period: Period, rng: np.random.Generator) -> pa.Table:
        """Return the vCPU and memory split rows of every task in ``period`` (days observed)."""
        records: list[dict[str, Any]] = []
        days = sorted({d for d, _ in self._costs if period.start <= d < period.data_end})
        for day in days:
            for number, parent in enumerate(self.parents):
                costs = self._costs.get((day, parent))
                if costs is None:
                    continue
                tasks = _tasks(period, parent, number == len(self.parents) - 1)
                records += self._split(period, day, parent, costs, tasks)
        table = pa.Table.from_pylist(records, schema=CUR2_SCHEMA)
        ids = line_item_ids(table.num_rows, rng)
        column = CUR2_SCHEMA.get_field_index("identity_line_item_id")
        return table.set_column(column, "identity_line_item_id", ids)

    def _split(
        self,
        period: Period,
        day: dt.date,
        parent: str,
        costs: np.ndarray,
        tasks: list[tuple[str, Service]],
    ) -> list[dict[str, Any]]:
        weights = {r: _CAPACITY[r] * _UNIT_PRICE_RATIO[r] for r in _CAPACITY}
        out = []
        for resource, capacity in _CAPACITY.items():
            share = costs * weights[resource] / sum(weights.values())
            reserved = [_amounts(s, resource)[0] * 24 for _, s in tasks]
            actual = [_amounts(s, resource)[1] * 24 for _, s in tasks]
            used = [max(r, a) for r, a in zip(reserved, actual, strict=True)]
            ratios = np.array(used) / (capacity * 24)
            unused = share * (1 - ratios.sum())
            for i, (arn, service) in enumerate(tasks):
                split, task_unused = share * ratios[i], unused * ratios[i] / ratios.sum()
                record = self._static(service, arn, resource)
                record.update(
                    day_columns(period, day),
                    line_item_usage_amount=used[i],
                    split_line_item_parent_resource_id=parent,
                    split_line_item_reserved_usage=reserved[i],
                    split_line_item_actual_usage=actual[i],
                    split_line_item_split_usage=used[i],
                    split_line_item_split_usage_ratio=float(ratios[i]),
                    **{
                        f"split_line_item_{name}": round(float(value), 10)
                        for name, value in zip(
                            _split_columns(), (*split, *task_unused), strict=True
                        )
                    },
                )
                out.append(record)
        return out

    def _static(self, service: Service, arn: str, resource: str) -> dict[str, Any]:
        prefix, _ = REGIONS[org.REGION]
        usage_type = f"{prefix}-ECS-EC2-{resource}-Hours"
        record = blank_record()
        record.update(
            self.cat.acct_records[self.cat.account_index[_ACCOUNT]],
            line_item_line_item_type="Usage",
            line_item_product_code="AmazonECS",
            line_item_usage_type=usage_type,
            line_item_operation="ECSTask-EC2",
            line_item_line_item_description=f"{resource} hours of ECS tasks on EC2 instances",
            line_item_resource_id=arn,
            pricing_unit="vCPU-Hours" if resource == "vCPU" else "GB-Hours",
            product=[("product_name", SERVICE_NAMES["AmazonECS"]), ("region", org.REGION)],
            product_servicecode="AmazonECS",
            product_region_code=org.REGION,
            product_usagetype=usage_type,
            product_operation="ECSTask-EC2",
            resource_tags=[  # the ECS-managed aws:ecs:* tags, active as cost allocation tags
                ("aws_ecs_cluster_name", CLUSTER),
                ("aws_ecs_service_name", service.name),
            ],
        )
        return record


def _split_columns() -> tuple[str, ...]:
    """Return the split cost columns: (split, net, public on-demand) used, then unused."""
    used = ("split_cost", "net_split_cost", "public_on_demand_split_cost")
    unused = ("unused_cost", "net_unused_cost", "public_on_demand_unused_cost")
    return (*used, *unused)


def _amounts(service: Service, resource: str) -> tuple[float, float]:
    """(reserved, actual) units of ``resource`` a task of ``service`` holds per hour."""
    if resource == "vCPU":
        return service.vcpu, service.vcpu_used
    return service.memory_gb, service.memory_used_gb


def _tasks(period: Period, parent: str, idle: bool) -> list[tuple[str, Service]]:
    """Return the tasks (ARN, service) on ``parent`` in ``period`` (one deployment a month)."""
    account = next(a.id for a in org.ACCOUNTS if a.name == _ACCOUNT)
    tasks = []
    for service in _IDLE_HOST if idle else SERVICES:
        for slot in range(service.per_instance):
            task = digest("ecs-task", CLUSTER, parent, service.name, slot, period.label).hex()[:32]
            arn = f"arn:aws:ecs:{org.REGION}:{account}:task/{CLUSTER}/{task}"
            tasks.append((arn, service))
    return tasks
