"""Rows from the billing APIs' response shapes, shared by both backends.

Compute Optimizer (``Get*Recommendations``), Cost Anomaly Detection (``GetAnomalies``,
``GetAnomalyMonitors``) and AWS Budgets (``DescribeBudgets``,
``DescribeBudgetPerformanceHistory``): the aws backend gets these shapes from boto3, the local
one reads them saved as the AWS CLI prints them; both turn them into the rows of :mod:`.frames`
here, and the ``*_of`` functions into the frames they return, in the same order.

Examples
--------
>>> resource_id_of("arn:aws:ec2:us-east-1:334455667788:instance/i-0ceff854bc052bb91")
'i-0ceff854bc052bb91'
>>> resource_id_of("arn:aws:lambda:us-east-1:334455667788:function:checkout:$LATEST")
'arn:aws:lambda:us-east-1:334455667788:function:checkout'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from opsbook.backends import frames

__all__ = [
    "COMPUTE_OPTIMIZER_LISTS",
    "anomalies_of",
    "anomaly_rows",
    "budget_history_of",
    "budget_history_rows",
    "budget_rows",
    "budgets_of",
    "compute_optimizer_of",
    "compute_optimizer_rows",
    "monitor_rows",
    "monitors_of",
    "recommendations_of",
    "resource_id_of",
]

Item = Mapping[str, Any]


def _volume(config: Item | None) -> str | None:
    if not config:
        return None
    return f"{config.get('volumeType')} {config.get('volumeSize')} GiB"


#: Response list -> (resource type, ARN field, options field, current summary, option summary).
_KINDS: dict[str, tuple[str, str, str, Callable[[Item], Any], Callable[[Item], Any]]] = {
    "instanceRecommendations": (
        "Ec2Instance", "instanceArn", "recommendationOptions",
        lambda r: r.get("currentInstanceType"), lambda o: o.get("instanceType"),
    ),
    "volumeRecommendations": (
        "EbsVolume", "volumeArn", "volumeRecommendationOptions",
        lambda r: _volume(r.get("currentConfiguration")), lambda o: _volume(o.get("configuration")),
    ),
    "lambdaFunctionRecommendations": (
        "LambdaFunction", "functionArn", "memorySizeRecommendationOptions",
        lambda r: f"{r.get('currentMemorySize')} MB", lambda o: f"{o.get('memorySize')} MB",
    ),
}  # fmt: skip

#: Each Compute Optimizer operation read and the list its answer holds, in the order read.
COMPUTE_OPTIMIZER_LISTS = {
    "GetEC2InstanceRecommendations": "instanceRecommendations",
    "GetEBSVolumeRecommendations": "volumeRecommendations",
    "GetLambdaFunctionRecommendations": "lambdaFunctionRecommendations",
}


def resource_id_of(arn: str) -> str:
    """Return the CUR's ``line_item_resource_id`` of a Compute Optimizer resource ARN.

    EC2 instances and EBS volumes are their id; a Lambda function is its ARN without a version.
    """
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda":
        return ":".join(parts[:7])
    return parts[-1].rsplit("/", 1)[-1]


def _savings(option: Item) -> tuple[float | None, float | None]:
    """AWS's monthly saving and percentage: after discounts where given, else before."""
    for key in ("savingsOpportunityAfterDiscounts", "savingsOpportunity"):
        found = option.get(key) or {}
        value = (found.get("estimatedMonthlySavings") or {}).get("value")
        if value is not None:
            return float(value), found.get("savingsOpportunityPercentage")
    return None, None


def compute_optimizer_rows(answers: Mapping[str, Iterable[Item]]) -> list[dict[str, Any]]:
    """Return one row per resource from the recommendation lists, keyed as the API names them.

    Examples
    --------
    >>> rows = compute_optimizer_rows({"volumeRecommendations": [{
    ...     "volumeArn": "arn:aws:ec2:us-east-1:111122223333:volume/vol-1", "accountId":
    ...     "111122223333", "finding": "NotOptimized", "currentConfiguration": {"volumeType":
    ...     "gp2", "volumeSize": 100}, "volumeRecommendationOptions": [{"rank": 1,
    ...     "configuration": {"volumeType": "gp3", "volumeSize": 100}, "savingsOpportunity":
    ...     {"estimatedMonthlySavings": {"currency": "USD", "value": 2.0}}}]}]})
    >>> rows[0]["resource_id"], rows[0]["current"], rows[0]["recommended"], rows[0]["estimated_monthly_savings"]
    ('vol-1', 'gp2 100 GiB', 'gp3 100 GiB', 2.0)
    """
    rows = []
    for key, items in answers.items():
        kind, arn_field, options_field, current, summary = _KINDS[key]
        for item in items:
            arn = item.get(arn_field) or ""
            options = sorted(item.get(options_field) or [], key=lambda o: o.get("rank", 99))
            best = options[0] if options else {}
            saving, share = _savings(best)
            rows.append({
                "resource_type": kind,
                "resource_arn": arn,
                "resource_id": resource_id_of(arn),
                "account_id": item.get("accountId"),
                "region": arn.split(":")[3] if arn.count(":") >= 4 else None,
                "finding": item.get("finding"),
                "finding_reasons": ", ".join(item.get("findingReasonCodes") or []) or None,
                "current": current(item),
                "recommended": summary(best) if best else None,
                "estimated_monthly_savings": saving,
                "savings_percentage": share,
                "performance_risk": best.get("performanceRisk"),
                "lookback_days": item.get("lookBackPeriodInDays", item.get("lookbackPeriodInDays")),
                "last_refresh": item.get("lastRefreshTimestamp"),
            })  # fmt: skip
    return rows


def _cause_text(cause: Item) -> str:
    where = "/".join(
        str(cause[k]) for k in ("Service", "LinkedAccount", "Region", "UsageType") if cause.get(k)
    )
    contribution = (cause.get("Impact") or {}).get("Contribution")
    return where + (f" ${contribution:,.2f}" if contribution is not None else "")


def anomaly_rows(anomalies: Iterable[Item]) -> list[dict[str, Any]]:
    """Return one row per anomaly of GetAnomalies' ``Anomalies``, its largest root cause spelled out.

    Examples
    --------
    >>> row = anomaly_rows([{"AnomalyId": "a1", "AnomalyStartDate": "2026-11-05",
    ...     "DimensionValue": "EC2 - Other", "AnomalyScore": {"MaxScore": 0.9, "CurrentScore": 0.1},
    ...     "Impact": {"MaxImpact": 500.0, "TotalImpact": 500.0}, "MonitorArn": "m",
    ...     "RootCauses": [{"Service": "EC2 - Other", "LinkedAccount": "111122223333",
    ...                     "Impact": {"Contribution": 480.0}}]}])[0]
    >>> row["service"], row["account_id"], row["end_day"], row["root_causes"]
    ('EC2 - Other', '111122223333', '2026-11-05', 'EC2 - Other/111122223333 $480.00')
    """
    rows = []
    for anomaly in anomalies:
        causes = sorted(anomaly.get("RootCauses") or [],
                        key=lambda c: -((c.get("Impact") or {}).get("Contribution") or 0.0))  # fmt: skip
        top = causes[0] if causes else {}
        impact = anomaly.get("Impact") or {}
        score = anomaly.get("AnomalyScore") or {}
        start = anomaly.get("AnomalyStartDate")
        rows.append({
            "anomaly_id": anomaly.get("AnomalyId"),
            "monitor_arn": anomaly.get("MonitorArn"),
            "start_day": start,
            "end_day": anomaly.get("AnomalyEndDate") or start,
            "dimension_value": anomaly.get("DimensionValue"),
            "total_impact": impact.get("TotalImpact"),
            "total_actual": impact.get("TotalActualSpend"),
            "total_expected": impact.get("TotalExpectedSpend"),
            "impact_pct": impact.get("TotalImpactPercentage"),
            "max_impact": impact.get("MaxImpact"),
            "max_score": score.get("MaxScore"),
            "current_score": score.get("CurrentScore"),
            "feedback": anomaly.get("Feedback"),
            "service": top.get("Service") or anomaly.get("DimensionValue"),
            "account_id": top.get("LinkedAccount"),
            "account_name": top.get("LinkedAccountName"),
            "region": top.get("Region"),
            "usage_type": top.get("UsageType"),
            "contribution": (top.get("Impact") or {}).get("Contribution"),
            "root_causes": "; ".join(_cause_text(c) for c in causes) or None,
        })  # fmt: skip
    return rows


def monitor_rows(monitors: Iterable[Item]) -> list[dict[str, Any]]:
    """Return one row per monitor of GetAnomalyMonitors' ``AnomalyMonitors``.

    Examples
    --------
    >>> monitor_rows([{"MonitorArn": "m", "MonitorName": "services", "MonitorType": "DIMENSIONAL",
    ...                "MonitorDimension": "SERVICE"}])[0]["dimension"]
    'SERVICE'
    """
    return [{
        "monitor_arn": m.get("MonitorArn"),
        "monitor_name": m.get("MonitorName"),
        "monitor_type": m.get("MonitorType"),
        "dimension": m.get("MonitorDimension"),
        "specification": json.dumps(m["MonitorSpecification"], sort_keys=True)
        if m.get("MonitorSpecification") else None,
        "created": m.get("CreationDate"),
        "last_evaluated": m.get("LastEvaluatedDate"),
        "dimension_values": m.get("DimensionalValueCount"),
    } for m in monitors]  # fmt: skip


def _amount(value: Item | None) -> float | None:
    return float(value["Amount"]) if value and "Amount" in value else None


def budget_rows(budgets: Iterable[Item]) -> list[dict[str, Any]]:
    """Return DescribeBudgets' ``Budgets`` as rows of :func:`.frames.budgets_frame`.

    Examples
    --------
    >>> budget_rows([{"BudgetName": "all", "BudgetType": "COST", "TimeUnit": "MONTHLY",
    ...               "BudgetLimit": {"Amount": "100.0", "Unit": "USD"}}])[0]["limit"]
    100.0
    """
    rows = []
    for budget in budgets:
        spend = budget.get("CalculatedSpend", {})
        period = budget.get("TimePeriod", {})
        rows.append({
            "budget_name": budget.get("BudgetName"),
            "budget_type": budget.get("BudgetType"),
            "time_unit": budget.get("TimeUnit"),
            "limit": _amount(budget.get("BudgetLimit")),
            "actual": _amount(spend.get("ActualSpend")),
            "forecast": _amount(spend.get("ForecastedSpend")),
            "unit": (budget.get("BudgetLimit") or {}).get("Unit"),
            "period_start": period.get("Start"),
            "period_end": period.get("End"),
        })  # fmt: skip
    return rows


def budget_history_rows(history: Item) -> list[dict[str, Any]]:
    """Return one row per period of DescribeBudgetPerformanceHistory's ``BudgetPerformanceHistory``.

    Examples
    --------
    >>> budget_history_rows({"BudgetName": "all", "TimeUnit": "MONTHLY",
    ...     "BudgetedAndActualAmountsList": [{"BudgetedAmount": {"Amount": "100", "Unit": "USD"},
    ...     "ActualAmount": {"Amount": "80.5", "Unit": "USD"},
    ...     "TimePeriod": {"Start": "2026-10-01T00:00:00Z", "End": "2026-11-01T00:00:00Z"}}]})[0]["actual"]
    80.5
    """
    return [{
        "budget_name": history.get("BudgetName"),
        "time_unit": history.get("TimeUnit"),
        "period_start": (entry.get("TimePeriod") or {}).get("Start"),
        "period_end": (entry.get("TimePeriod") or {}).get("End"),
        "budgeted": _amount(entry.get("BudgetedAmount")),
        "actual": _amount(entry.get("ActualAmount")),
        "unit": (entry.get("BudgetedAmount") or entry.get("ActualAmount") or {}).get("Unit"),
    } for entry in history.get("BudgetedAndActualAmountsList") or []]  # fmt: skip


# The frames both backends return: the rows above conformed and in the same order.


def recommendations_of(rows: pd.DataFrame) -> pd.DataFrame:
    """Return Cost Optimization Hub recommendation rows as their frame, by id."""
    frame = frames.optimization_recommendations_frame(rows)
    return frame.sort_values("recommendation_id", ignore_index=True)


def compute_optimizer_of(answers: Mapping[str, Iterable[Item]]) -> pd.DataFrame:
    """Return the recommendation lists as their frame, by resource type and ARN."""
    frame = frames.compute_optimizer_frame(compute_optimizer_rows(answers))
    return frame.sort_values(["resource_type", "resource_arn"], ignore_index=True)


def anomalies_of(anomalies: Iterable[Item]) -> pd.DataFrame:
    """Return GetAnomalies' ``Anomalies`` as their frame, by start day and id."""
    frame = frames.cost_anomalies_frame(anomaly_rows(anomalies))
    return frame.sort_values(["start_day", "anomaly_id"], ignore_index=True)


def monitors_of(monitors: Iterable[Item]) -> pd.DataFrame:
    """Return GetAnomalyMonitors' ``AnomalyMonitors`` as their frame, by name."""
    return frames.anomaly_monitors_frame(monitor_rows(monitors)).sort_values(
        "monitor_name", ignore_index=True
    )


def budgets_of(budgets: Iterable[Item]) -> pd.DataFrame:
    """Return DescribeBudgets' ``Budgets`` as their frame, by name."""
    return frames.budgets_frame(budget_rows(budgets)).sort_values("budget_name", ignore_index=True)


def budget_history_of(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Return :func:`budget_history_rows` rows as their frame, by budget and period."""
    frame = frames.budget_history_frame(rows)
    return frame.sort_values(["budget_name", "period_start"], ignore_index=True)
