"""AWS's own savings recommendations and cost anomalies, and the team's AWS Budgets.

Compute Optimizer's EC2 instance, EBS volume and Lambda function recommendations come from its
``Get*Recommendations`` APIs (aws) or their saved output under ``billing/compute-optimizer``
(local); Cost Anomaly Detection's anomalies, with root causes, impact and score, and its
monitors from ``GetAnomalies`` and ``GetAnomalyMonitors`` (or ``billing/cost-anomaly-detection``);
each budget's past periods from ``DescribeBudgetPerformanceHistory``.

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

from opsbook import clock
from opsbook.backends import backend
from opsbook.settings import Settings, resolve

__all__ = [
    "read_anomaly_monitors",
    "read_budget_history",
    "read_budgets",
    "read_compute_optimizer_recommendations",
    "read_cost_anomalies",
    "read_optimization_recommendations",
]


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


def read_compute_optimizer_recommendations(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return Compute Optimizer's EC2, EBS and Lambda recommendations, one row per resource.

    ``estimated_monthly_savings`` is the rank-1 option's, after discounts where AWS gives it;
    ``resource_id`` is the CUR's ``line_item_resource_id`` of the resource.

    Examples
    --------
    >>> read_compute_optimizer_recommendations()[["resource_id", "finding"]]  # doctest: +SKIP
    """
    settings = settings or resolve()
    return backend(settings).billing.read_compute_optimizer_recommendations(settings)


def read_cost_anomalies(
    start: clock.Moment, end: clock.Moment, *, settings: Settings | None = None
) -> pd.DataFrame:
    """Return Cost Anomaly Detection's anomalies that end in ``[start, end)``, one row each.

    The largest root cause is spelled out (``service``, ``account_id``, ``region``,
    ``usage_type``, ``contribution``); ``root_causes`` lists them all.

    Examples
    --------
    >>> read_cost_anomalies("2026-10-16", "2026-11-15")[["start_day", "service"]]  # doctest: +SKIP
    """
    settings = settings or resolve()
    first, stop = clock.to_day(start, "start"), clock.to_day(end, "end")
    return backend(settings).billing.read_cost_anomalies(settings, first, stop)


def read_anomaly_monitors(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return Cost Anomaly Detection's monitors: what each watches and when it last evaluated.

    Examples
    --------
    >>> read_anomaly_monitors()[["monitor_name", "dimension"]]  # doctest: +SKIP
    """
    settings = settings or resolve()
    return backend(settings).billing.read_anomaly_monitors(settings)


def read_budget_history(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return each budget's limit (``budgeted``) and ``actual`` spend per past period.

    Examples
    --------
    >>> read_budget_history()[["budget_name", "period_start", "actual"]]  # doctest: +SKIP
    """
    settings = settings or resolve()
    return backend(settings).billing.read_budget_history(settings)
