"""The sample's AWS Budgets: what ``aws budgets describe-budgets`` prints for the payer account.

Monthly cost budgets whose actual spend is the open month's CUR total so far and whose forecast
runs it to the month's end at the same daily rate: one forecast under its limit, one over, and a
quarterly one barely used.

Examples
--------
>>> rows = budgets({"2026-10": 90000.0, "2026-11": 42000.0}, dt.date(2026, 11, 15))
>>> [(b["BudgetName"], b["CalculatedSpend"]["ForecastedSpend"]["Amount"]) for b in rows][:2]
[('northpeak-monthly-total', '90000.0'), ('northpeak-monthly-stretch', '90000.0')]
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from pathlib import Path
from typing import Any

from opsbook.backends import layout

__all__ = ["budgets", "write_budgets"]


def _money(value: float) -> dict[str, str]:
    return {"Amount": f"{value:.1f}", "Unit": "USD"}


def budgets(totals: dict[str, float], as_of: dt.date) -> list[dict[str, Any]]:
    """Return DescribeBudgets' ``Budgets`` for CUR ``totals`` by period, seen on ``as_of``."""
    month = as_of - dt.timedelta(days=1)
    start = month.replace(day=1)
    days = calendar.monthrange(start.year, start.month)[1]
    actual = totals.get(start.strftime("%Y-%m"), 0.0)
    forecast = actual / max((as_of - start).days, 1) * days
    closed = [v for k, v in sorted(totals.items()) if k < start.strftime("%Y-%m")]
    baseline = closed[-1] if closed else forecast
    period = {"Start": f"{start.isoformat()}T00:00:00+00:00", "End": "2087-06-15T00:00:00+00:00"}
    quarter = start.replace(month=3 * ((start.month - 1) // 3) + 1)
    specs = (
        ("northpeak-monthly-total", round(baseline * 1.15, -3), actual, forecast, "MONTHLY", period),
        ("northpeak-monthly-stretch", round(baseline * 0.9, -3), actual, forecast, "MONTHLY", period),
        ("ml-sandbox-quarterly", 1500.0, 120.0, 240.0, "QUARTERLY",
         {**period, "Start": f"{quarter.isoformat()}T00:00:00+00:00"}),
    )  # fmt: skip
    return [
        {"BudgetName": name, "BudgetLimit": _money(limit), "TimeUnit": unit, "TimePeriod": when,
         "CalculatedSpend": {"ActualSpend": _money(spent), "ForecastedSpend": _money(ahead)},
         "BudgetType": "COST", "LastUpdatedTime": f"{as_of.isoformat()}T06:00:00+00:00"}
        for name, limit, spent, ahead, unit, when in specs
    ]  # fmt: skip


def write_budgets(root: Path, totals: dict[str, float], as_of: dt.date) -> dict[str, Any]:
    """Write ``billing/describe-budgets.json`` and return what it holds."""
    path = root / layout.DESCRIBE_BUDGETS
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = budgets(totals, as_of)
    path.write_text(json.dumps({"Budgets": saved}, indent=2) + "\n")
    return {"path": layout.DESCRIBE_BUDGETS, "budgets": [b["BudgetName"] for b in saved]}
