"""AWS's savings recommendations and budgets on AWS: ``ListRecommendations``, ``DescribeBudgets``.

The hub's endpoint is in us-east-1 whatever the region asked; the account must have enrolled
in Cost Optimization Hub (an enrolment error names the console page that does it).

Examples
--------
>>> from opsbook.settings import resolve
>>> read_optimization_recommendations(resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsbook.backends.aws import aws_errors, client
from opsbook.backends.frames import budgets_frame, optimization_recommendations_frame
from opsbook.backends.shapes import budget_rows
from opsbook.settings import Settings

__all__ = ["read_budgets", "read_optimization_recommendations"]

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
    frame = optimization_recommendations_frame(pd.DataFrame(rows, columns=list(_FIELDS.values())))
    return frame.sort_values("recommendation_id", ignore_index=True)


def read_budgets(settings: Settings) -> pd.DataFrame:
    """Return the caller's account's budgets (DescribeBudgets, all pages)."""
    with aws_errors("sts:GetCallerIdentity"):
        account = client(settings, "sts").get_caller_identity()["Account"]
    budgets_api = client(settings.replace(region="us-east-1"), "budgets")
    budgets: list[dict[str, Any]] = []
    with aws_errors("budgets:DescribeBudgets"):
        for page in budgets_api.get_paginator("describe_budgets").paginate(AccountId=account):
            budgets += page.get("Budgets", [])
    return budgets_frame(budget_rows(budgets)).sort_values("budget_name", ignore_index=True)
