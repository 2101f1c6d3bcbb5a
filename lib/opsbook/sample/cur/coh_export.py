"""The sample's Cost Optimization Hub Data Export: AWS's own recommendations for the sample.

Some are about the planted opportunities (:mod:`opsbook.sample.cur.opportunities`), some only AWS
makes. Written as the ``COST_OPTIMIZATION_RECOMMENDATIONS`` table in Parquet under
``billing/cost-optimization-hub/data/BILLING_PERIOD=YYYY-MM/``, two refreshes (the newer one
counts), so the reconciliation in :func:`opsbook.cost.review_opportunities` has a resource
both found (two estimates), resources only AWS found and resources only opsbook found.

Examples
--------
>>> [r["action_type"] for r in RECOMMENDATIONS]
['Rightsize', 'Delete', 'Upgrade', 'Rightsize', 'PurchaseSavingsPlans']
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.cur.ids import hashed_uuid
from opsbook.sample.cur.opportunities import by_key

__all__ = ["EXPORT", "RECOMMENDATIONS", "write_coh_export"]

EXPORT = "northpeak-coh"
# (planted key or "" for an account-level one, action, current, recommended, type, monthly cost,
# monthly saving, effort, source)
_RAW = (
    ("ec2-oversized", "Rightsize", "m5.2xlarge", "m5.xlarge", "Ec2Instance", 285.70, 138.20,
     "Medium", "ComputeOptimizer"),
    ("volume-detached", "Delete", "gp3 800 GiB", "", "EbsVolume", 64.00, 64.00, "Low",
     "ComputeOptimizer"),
    ("volume-gp2", "Upgrade", "gp2 1000 GiB", "gp3 1000 GiB", "EbsVolume", 100.00, 20.00,
     "VeryLow", "ComputeOptimizer"),
    ("rds-busy", "Rightsize", "db.r6g.2xlarge", "db.r6g.xlarge", "RdsDbInstance", 668.11,
     300.00, "Medium", "ComputeOptimizer"),
    ("", "PurchaseSavingsPlans", "", "Compute Savings Plans 1yr No Upfront $4.50/h",
     "ComputeSavingsPlans", 4200.00, 610.00, "VeryLow", "CostExplorer"),
)  # fmt: skip


def _recommendations() -> list[dict[str, Any]]:
    rows = []
    for key, action, current, recommended, kind, cost, saving, effort, source in _RAW:
        planted = by_key(key) if key else None
        account = planted.account_id if planted else org.SHOP_PROD.id
        resource = planted.resource_id if planted else account
        rows.append({
            "recommendation_id": hashed_uuid("coh", key or action),
            "account_id": account,
            "account_name": next(a.name for a in org.ACCOUNTS if a.id == account),
            "action_type": action,
            "currency_code": "USD",
            "current_resource_details": "{}",
            "current_resource_summary": current,
            "current_resource_type": kind,
            "estimated_monthly_cost_after_discount": cost * 0.97,
            "estimated_monthly_cost_before_discount": cost,
            "estimated_monthly_savings_after_discount": saving * 0.97,
            "estimated_monthly_savings_before_discount": saving,
            "estimated_savings_percentage_after_discount": round(100 * saving / cost, 2),
            "estimated_savings_percentage_before_discount": round(100 * saving / cost, 2),
            "implementation_effort": effort,
            "recommendation_lookback_period_in_days": 14,
            "recommendation_source": source,
            "recommended_resource_details": "{}",
            "recommended_resource_summary": recommended,
            "recommended_resource_type": kind,
            "region": org.REGION,
            "resource_arn": resource if resource.startswith("arn:") else "",
            "resource_id": resource.rsplit(":", 1)[-1] if kind == "RdsDbInstance" else resource,
            "restart_needed": action == "Rightsize",
            "rollback_possible": action != "Delete",
            "tags": "[]",
        })  # fmt: skip
    return rows


RECOMMENDATIONS = _recommendations()


def write_coh_export(root: Path, as_of: dt.date) -> dict[str, Any]:
    """Write two refreshes of :data:`RECOMMENDATIONS` (the day before ``as_of`` and a week earlier)."""
    period = (as_of - dt.timedelta(days=1)).strftime("%Y-%m")
    folder = root / layout.COST_OPTIMIZATION_HUB / "data" / f"BILLING_PERIOD={period}"
    folder.mkdir(parents=True, exist_ok=True)
    for number, days in enumerate((8, 1), start=1):
        stamp = dt.datetime.combine(as_of - dt.timedelta(days=days), dt.time(6), dt.UTC)
        stale = 1.1 if days == 8 else 1.0  # the older refresh estimated a little more
        rows = [{**r, "last_refresh_timestamp": stamp,
                 "estimated_monthly_savings_after_discount":
                     r["estimated_monthly_savings_after_discount"] * stale} for r in RECOMMENDATIONS]  # fmt: skip
        pq.write_table(pa.Table.from_pylist(rows), folder / f"{EXPORT}-{number:05d}.snappy.parquet")
    return {"path": str(folder.relative_to(root)), "recommendations": len(RECOMMENDATIONS)}
