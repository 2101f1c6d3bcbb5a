"""AWS's savings recommendations, anomalies and budgets on AWS, read-only.

``ListRecommendations`` (Cost Optimization Hub), ``GetEC2InstanceRecommendations``,
``GetEBSVolumeRecommendations`` and ``GetLambdaFunctionRecommendations`` (Compute Optimizer, in
the settings' region), ``GetAnomalies`` and ``GetAnomalyMonitors`` (Cost Anomaly Detection),
``DescribeBudgets`` and ``DescribeBudgetPerformanceHistory``. The hub's, Cost Explorer's and
Budgets' endpoints are in us-east-1 whatever the region asked; the account must have enrolled
in Cost Optimization Hub and Compute Optimizer (an enrolment error names the API).

Examples
--------
>>> from opsbook.settings import resolve
>>> read_optimization_recommendations(resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from botocore import xform_name

from opsbook.backends import billing_shapes
from opsbook.backends.aws import aws_errors, client, pages
from opsbook.backends.contract import Billing, contract_functions
from opsbook.settings import Settings

__all__ = contract_functions(Billing)

_FIELDS = {  # ListRecommendations field -> frame column
    "recommendationId": "recommendation_id",
    "accountId": "account_id",
    "region": "region",
    "resourceId": "resource_id",
    "resourceArn": "resource_arn",
    "actionType": "action_type",
    "currentResourceType": "current_resource_type",
    "currentResourceSummary": "current_resource_summary",
    "recommendedResourceSummary": "recommended_resource_summary",
    "estimatedMonthlyCost": "estimated_monthly_cost",
    "estimatedMonthlySavings": "estimated_monthly_savings",
    "implementationEffort": "implementation_effort",
    "source": "source",
    "lastRefreshTimestamp": "last_refresh",
}


def read_optimization_recommendations(settings: Settings) -> pd.DataFrame:
    """Return every current recommendation, all pages."""
    hub = client(settings.replace(region="us-east-1"), "cost-optimization-hub")
    items: list[dict[str, Any]] = []
    with aws_errors("cost-optimization-hub:ListRecommendations"):
        pages = hub.get_paginator("list_recommendations").paginate(includeAllRecommendations=True)
        for page in pages:
            items += page.get("items", [])
    rows = [{column: item.get(field) for field, column in _FIELDS.items()} for item in items]
    return billing_shapes.recommendations_of(pd.DataFrame(rows, columns=list(_FIELDS.values())))


def read_compute_optimizer_recommendations(settings: Settings) -> pd.DataFrame:
    """Return Compute Optimizer's EC2 instance, EBS volume and Lambda recommendations, all pages."""
    api = client(settings, "compute-optimizer")
    answers: dict[str, list[dict[str, Any]]] = {}
    for operation, key in billing_shapes.COMPUTE_OPTIMIZER_LISTS.items():
        method = getattr(api, xform_name(operation))
        action = f"compute-optimizer:{operation}"
        answers[key] = [
            item
            for page in pages(method, {}, action, token="nextToken")
            for item in page.get(key, [])
        ]
    return billing_shapes.compute_optimizer_of(answers)


def read_cost_anomalies(settings: Settings, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Return the anomalies GetAnomalies reports ending in ``[start, end)``, all pages."""
    ce = client(settings.replace(region="us-east-1"), "ce")
    interval = {"StartDate": start.isoformat(),
                "EndDate": (end - dt.timedelta(days=1)).isoformat()}  # fmt: skip
    anomalies: list[dict[str, Any]] = []
    with aws_errors("ce:GetAnomalies"):
        for page in ce.get_paginator("get_anomalies").paginate(DateInterval=interval):
            anomalies += page.get("Anomalies", [])
    return billing_shapes.anomalies_of(anomalies)


def read_anomaly_monitors(settings: Settings) -> pd.DataFrame:
    """Return the account's Cost Anomaly Detection monitors (GetAnomalyMonitors, all pages)."""
    ce = client(settings.replace(region="us-east-1"), "ce")
    monitors: list[dict[str, Any]] = []
    with aws_errors("ce:GetAnomalyMonitors"):
        for page in ce.get_paginator("get_anomaly_monitors").paginate():
            monitors += page.get("AnomalyMonitors", [])
    return billing_shapes.monitors_of(monitors)


def _budgets(settings: Settings) -> tuple[str, list[dict[str, Any]]]:
    """Return the caller's account and its budgets (DescribeBudgets, all pages)."""
    with aws_errors("sts:GetCallerIdentity"):
        account = client(settings, "sts").get_caller_identity()["Account"]
    budgets_api = client(settings.replace(region="us-east-1"), "budgets")
    budgets: list[dict[str, Any]] = []
    with aws_errors("budgets:DescribeBudgets"):
        for page in budgets_api.get_paginator("describe_budgets").paginate(AccountId=account):
            budgets += page.get("Budgets", [])
    return account, budgets


def read_budgets(settings: Settings) -> pd.DataFrame:
    """Return the caller's account's budgets (DescribeBudgets, all pages)."""
    _, budgets = _budgets(settings)
    return billing_shapes.budgets_of(budgets)


def read_budget_history(settings: Settings) -> pd.DataFrame:
    """Return each budget's periods (DescribeBudgetPerformanceHistory, all pages of each)."""
    account, budgets = _budgets(settings)
    budgets_api = client(settings.replace(region="us-east-1"), "budgets")
    paginator = budgets_api.get_paginator("describe_budget_performance_history")
    rows: list[dict[str, Any]] = []
    with aws_errors("budgets:DescribeBudgetPerformanceHistory"):
        for budget in budgets:
            for page in paginator.paginate(AccountId=account, BudgetName=budget["BudgetName"]):
                rows += billing_shapes.budget_history_rows(page.get("BudgetPerformanceHistory", {}))
    return billing_shapes.budget_history_of(rows)
