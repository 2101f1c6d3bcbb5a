"""The sample's Cost Anomaly Detection: what ``aws ce get-anomalies`` and ``get-anomaly-monitors`` print.

Written under ``billing/cost-anomaly-detection``. AWS detects the planted NAT gateway spike
(the CUR's ``anomaly`` fact) as opsbook does, so the anomalies notebook has one anomaly found by
both; and two that only AWS reports, each for a reason opsbook can name: an S3 rise in
data-platform whose impact is under opsbook's default dollar threshold, and a two-day RDS rise in
shop-prod large in dollars but small against what the service usually costs (under the percent
threshold). AWS names services as Cost Explorer does (``EC2 - Other`` holds NAT gateway
processing), not by product code.

Examples
--------
>>> fact = {"day": "2026-11-05", "account_id": "334455667788", "account_name": "shop-prod",
...         "usage_type": "USE1-NatGateway-Bytes", "typical_daily_cost_usd": 62.9,
...         "cost_usd": 623.3, "extra_cost_usd": 554.0}
>>> [(a["AnomalyStartDate"], a["DimensionValue"]) for a in anomalies(fact, dt.date(2026, 11, 15))]
[('2026-11-05', 'EC2 - Other'), ('2026-11-08', 'Amazon Simple Storage Service'), ('2026-11-02', 'Amazon Relational Database Service')]
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.cur.ids import hashed_uuid

__all__ = ["anomalies", "monitors", "write_anomaly_detection"]

_MONITOR = f"arn:aws:ce::{org.PAYER_ACCOUNT_ID}:anomalymonitor/"


def monitors(as_of: dt.date) -> list[dict[str, Any]]:
    """Return GetAnomalyMonitors' ``AnomalyMonitors``: AWS services, and one account watched alone."""
    evaluated = (as_of - dt.timedelta(days=1)).isoformat()
    ml = next(a for a in org.ACCOUNTS if a.name == "ml-research")
    return [
        {"MonitorArn": _MONITOR + hashed_uuid("monitor", "services"),
         "MonitorName": "northpeak-services", "MonitorType": "DIMENSIONAL",
         "MonitorDimension": "SERVICE", "CreationDate": (as_of - dt.timedelta(days=400)).isoformat(),
         "LastUpdatedDate": (as_of - dt.timedelta(days=400)).isoformat(),
         "LastEvaluatedDate": evaluated, "DimensionalValueCount": 31},
        {"MonitorArn": _MONITOR + hashed_uuid("monitor", "ml-research"),
         "MonitorName": "ml-research-account", "MonitorType": "CUSTOM",
         "MonitorSpecification": {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [ml.id]}},
         "CreationDate": (as_of - dt.timedelta(days=90)).isoformat(),
         "LastUpdatedDate": (as_of - dt.timedelta(days=90)).isoformat(),
         "LastEvaluatedDate": evaluated, "DimensionalValueCount": 0},
    ]  # fmt: skip


def _anomaly(key: str, start: dt.date, days: int, service: str, account: Any, usage_type: str,
             actual: float, expected: float, score: float) -> dict[str, Any]:  # fmt: skip
    impact = round(actual - expected, 2)
    end = start + dt.timedelta(days=days - 1)
    return {
        "AnomalyId": hashed_uuid("anomaly", key),
        "AnomalyStartDate": start.isoformat(),
        "AnomalyEndDate": end.isoformat(),
        "DimensionValue": service,
        "RootCauses": [{"Service": service, "Region": org.REGION, "LinkedAccount": account.id,
                        "LinkedAccountName": account.name, "UsageType": usage_type,
                        "Impact": {"Contribution": round(impact * 0.97, 2)}}],
        "AnomalyScore": {"MaxScore": score, "CurrentScore": round(score / 8, 2)},
        "Impact": {"MaxImpact": round(impact / days, 2), "TotalImpact": impact,
                   "TotalActualSpend": round(actual, 2), "TotalExpectedSpend": round(expected, 2),
                   "TotalImpactPercentage": round(100 * impact / expected, 2)},
        "MonitorArn": _MONITOR + hashed_uuid("monitor", "services"),
    }  # fmt: skip


def anomalies(fact: dict[str, Any], as_of: dt.date) -> list[dict[str, Any]]:
    """Return GetAnomalies' ``Anomalies`` for the CUR's planted ``anomaly`` fact, seen on ``as_of``."""
    shop = next(a for a in org.ACCOUNTS if a.id == fact["account_id"])
    data = next(a for a in org.ACCOUNTS if a.name == "data-platform")
    prefix = fact["usage_type"].split("-", 1)[0]
    return [
        _anomaly("nat-spike", dt.date.fromisoformat(fact["day"]), 1, "EC2 - Other", shop,
                 fact["usage_type"], fact["cost_usd"], fact["typical_daily_cost_usd"], 0.97),
        _anomaly("s3-requests", as_of - dt.timedelta(days=7), 1, "Amazon Simple Storage Service",
                 data, f"{prefix}-Requests-Tier1", 212.0, 148.0, 0.58),
        _anomaly("rds-drift", as_of - dt.timedelta(days=13), 2,
                 "Amazon Relational Database Service", shop,
                 f"{prefix}-InstanceUsage:db.r6g.2xlarge", 2950.0, 2770.0, 0.64),
    ]  # fmt: skip


def write_anomaly_detection(root: Path, fact: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    """Write ``get-anomalies.json`` and ``get-anomaly-monitors.json``; return what they hold."""
    found = anomalies(fact, as_of)
    for name, saved in ((layout.ANOMALIES, {"Anomalies": found}),
                        (layout.ANOMALY_MONITORS, {"AnomalyMonitors": monitors(as_of)})):  # fmt: skip
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(saved, indent=2) + "\n")
    return {"path": str(Path(layout.ANOMALIES).parent), "anomalies": len(found)}
