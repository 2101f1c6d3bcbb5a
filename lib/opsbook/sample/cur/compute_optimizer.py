"""The sample's Compute Optimizer recommendations: what its three ``get-*-recommendations`` print.

Written as ``billing/compute-optimizer/<command>.json`` in the API's shape. Some are about the
planted opportunities (:mod:`opsbook.sample.cur.opportunities`), so the reconciliation in
:func:`opsbook.cost.review_opportunities` has resources opsbook, Cost Optimization Hub and
Compute Optimizer all found (three estimates on one row); the memory-bound instance, which
Compute Optimizer would rightsize by CPU alone (it has no memory metrics) while opsbook's
underused check leaves it (its memory is busy); one only Compute Optimizer found
(``tax-calculator``, whose REPORT lines opsbook does not read); and resources it calls
``Optimized`` (no saving, so no row).

Examples
--------
>>> [(r["finding"], r["resource"]) for r in ITEMS]  # doctest: +NORMALIZE_WHITESPACE
[('Overprovisioned', 'ec2-oversized'), ('Overprovisioned', 'ec2-memory-bound'),
 ('Optimized', 'ec2-m6g'), ('NotOptimized', 'volume-gp2'), ('Optimized', 'volume-gp3'),
 ('NotOptimized', 'catalog-api-handler'), ('Optimized', 'orders-worker'),
 ('NotOptimized', 'tax-calculator')]
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.cur.opportunities import by_key

__all__ = ["ITEMS", "answers", "write_compute_optimizer"]

# (planted key or Lambda function in shop-prod, finding, reasons, current, recommended,
#  monthly saving after discounts, saving %, performance risk)
ITEMS: tuple[dict[str, Any], ...] = tuple(
    {"resource": key, "finding": finding, "reasons": reasons, "current": current,
     "recommended": recommended, "saving": saving, "share": share, "risk": risk}
    for key, finding, reasons, current, recommended, saving, share, risk in (
        ("ec2-oversized", "Overprovisioned", ["CPUOverprovisioned"], "m5.2xlarge", "m5.xlarge",
         131.4, 46.7, 1.0),
        ("ec2-memory-bound", "Overprovisioned", ["CPUOverprovisioned"], "m5.2xlarge",
         "m5.xlarge", 131.4, 46.7, 2.0),
        ("ec2-m6g", "Optimized", [], "m6g.xlarge", "m6g.xlarge", 0.0, 0.0, 1.0),
        ("volume-gp2", "NotOptimized", [], ("gp2", 1000), ("gp3", 1000), 19.4, 20.0, 0.0),
        ("volume-gp3", "Optimized", [], ("gp3", 500), ("gp3", 500), 0.0, 0.0, 0.0),
        ("catalog-api-handler", "NotOptimized", ["MemoryOverprovisioned"], 512, 192, 28.9,
         61.2, None),
        ("orders-worker", "Optimized", [], 1024, 1024, 0.0, 0.0, None),
        ("tax-calculator", "NotOptimized", ["MemoryOverprovisioned"], 1024, 768, 205.0, 25.0,
         None),
    )
)  # fmt: skip


def _money(value: float) -> dict[str, Any]:
    return {"currency": "USD", "value": value}


def _savings(item: dict[str, Any]) -> dict[str, Any]:
    after = {"savingsOpportunityPercentage": item["share"],
             "estimatedMonthlySavings": _money(item["saving"])}  # fmt: skip
    before = {"savingsOpportunityPercentage": item["share"],
              "estimatedMonthlySavings": _money(round(item["saving"] / 0.97, 2))}  # fmt: skip
    return {"savingsOpportunity": before, "savingsOpportunityAfterDiscounts": after}


def _volume(kind: str, size: int) -> dict[str, Any]:
    return {"volumeType": kind, "volumeSize": size, "volumeBaselineIOPS": 3000 if kind == "gp3"
            else 3 * size, "volumeBurstIOPS": 3000, "rootVolume": False}  # fmt: skip


def answers(as_of: dt.date) -> dict[str, dict[str, Any]]:
    """Return each operation's answer (``GetEC2InstanceRecommendations`` ...) for ``as_of``."""
    refreshed = f"{as_of - dt.timedelta(days=1)}T04:00:00+00:00"
    ec2, ebs, lambdas = [], [], []
    for item in ITEMS:
        common = {"finding": item["finding"], "lastRefreshTimestamp": refreshed,
                  "currentPerformanceRisk": "Low"}  # fmt: skip
        if item["resource"].startswith("ec2-"):
            planted = by_key(item["resource"])
            ec2.append({
                "instanceArn": f"arn:aws:ec2:{org.REGION}:{planted.account_id}:instance/"
                               f"{planted.resource_id}",
                "accountId": planted.account_id, "instanceName": item["resource"],
                "currentInstanceType": item["current"], **common,
                "findingReasonCodes": item["reasons"],
                "utilizationMetrics": [{"name": "CPU", "statistic": "MAXIMUM", "value": 31.0}],
                "lookBackPeriodInDays": 14.0, "instanceState": "running",
                "recommendationOptions": [{"instanceType": item["recommended"], "rank": 1,
                                           "performanceRisk": item["risk"],
                                           "migrationEffort": "VeryLow", **_savings(item)}],
            })  # fmt: skip
        elif item["resource"].startswith("volume-"):
            planted = by_key(item["resource"])
            ebs.append({
                "volumeArn": f"arn:aws:ec2:{org.REGION}:{planted.account_id}:volume/"
                             f"{planted.resource_id}",
                "accountId": planted.account_id, **common,
                "currentConfiguration": _volume(*item["current"]),
                "utilizationMetrics": [{"name": "VolumeReadOpsPerSecond", "statistic": "MAXIMUM",
                                        "value": 40.0}],
                "lookBackPeriodInDays": 14.0,
                "volumeRecommendationOptions": [{"configuration": _volume(*item["recommended"]),
                                                 "performanceRisk": item["risk"], "rank": 1,
                                                 **_savings(item)}],
            })  # fmt: skip
        else:
            account = org.SHOP_PROD.id
            lambdas.append({
                "functionArn": f"arn:aws:lambda:{org.REGION}:{account}:function:"
                               f"{item['resource']}:$LATEST",
                "functionVersion": "$LATEST", "accountId": account,
                "currentMemorySize": item["current"], "numberOfInvocations": 1_200_000,
                "utilizationMetrics": [{"name": "Memory", "statistic": "Maximum", "value": 101.0}],
                "lookbackPeriodInDays": 14.0, **common,
                "findingReasonCodes": item["reasons"],
                "memorySizeRecommendationOptions": [{"rank": 1, "memorySize": item["recommended"],
                                                     **_savings(item)}],
            })  # fmt: skip
    return {
        "GetEC2InstanceRecommendations": {"instanceRecommendations": ec2, "errors": []},
        "GetEBSVolumeRecommendations": {"volumeRecommendations": ebs, "errors": []},
        "GetLambdaFunctionRecommendations": {"lambdaFunctionRecommendations": lambdas},
    }


def write_compute_optimizer(root: Path, as_of: dt.date) -> dict[str, Any]:
    """Write the three answers under ``billing/compute-optimizer`` and return what they hold."""
    counts = {}
    for operation, answer in answers(as_of).items():
        path = root / layout.compute_optimizer(operation)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(answer, indent=2) + "\n")
        counts[operation] = sum(len(v) for v in answer.values())
    return {"path": layout.COMPUTE_OPTIMIZER, "recommendations": counts}
