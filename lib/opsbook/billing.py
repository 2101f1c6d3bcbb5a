"""AWS's own savings recommendations (Cost Optimization Hub) and the team's AWS Budgets.

Budgets come from ``DescribeBudgets`` (aws) or its saved output ``billing/describe-budgets.json``
(local): limit, actual and forecast spend per budget.

The aws backend asks ``ListRecommendations``; the local one reads the hub's Data Export (the
``COST_OPTIMIZATION_RECOMMENDATIONS`` table as Parquet under ``billing/cost-optimization-hub``).
Both return the same columns: ``resource_id``, ``resource_arn``, ``action_type``, the current and
recommended resource, ``estimated_monthly_cost`` and ``estimated_monthly_savings`` (after
discounts), ``source`` (Compute Optimizer or Cost Explorer) and ``last_refresh``.

Examples
--------
>>> read_optimization_recommendations()[["resource_id", "action_type"]]  # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from opsbook.backends import backend
from opsbook.settings import Settings, resolve

__all__ = ["read_budgets", "read_optimization_recommendations"]


def read_optimization_recommendations(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return Cost Optimization Hub's current recommendations, one row each.

    Examples
    --------
    >>> read_optimization_recommendations().action_type.unique()  # doctest: +SKIP
    """
    settings = settings or resolve()
    return backend(settings).billing.read_optimization_recommendations(settings)


def read_budgets(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return the account's budgets: ``limit``, ``actual`` and ``forecast`` spend, by name.

    Examples
    --------
    >>> read_budgets()[["budget_name", "limit", "forecast"]]  # doctest: +SKIP
    """
    settings = settings or resolve()
    return backend(settings).billing.read_budgets(settings)
