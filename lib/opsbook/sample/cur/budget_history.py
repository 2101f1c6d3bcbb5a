"""The sample's budget performance history: ``describe-budget-performance-history`` per budget.

One file per budget of :mod:`opsbook.sample.cur.budgets`, ``billing/budget-performance-history/
<budget>.json``: each monthly budget's limit and the CUR's total of every billing period the
sample holds (the open month's so far), so the stretch budget shows the months it broke; the
quarterly one its quarters.

Examples
--------
>>> totals = {"2026-09": 80000.0, "2026-10": 90000.0, "2026-11": 42000.0}
>>> saved = histories(totals, dt.date(2026, 11, 15))
>>> [(p["TimePeriod"]["Start"][:7], p["ActualAmount"]["Amount"])
...  for p in saved[1]["BudgetedAndActualAmountsList"]]
[('2026-09', '80000.0'), ('2026-10', '90000.0'), ('2026-11', '42000.0')]
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from opsbook.backends import layout
from opsbook.sample.cur.budgets import budgets

__all__ = ["histories", "write_budget_history"]


def _next_month(start: dt.date, months: int = 1) -> dt.date:
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+00:00"


def histories(totals: dict[str, float], as_of: dt.date) -> list[dict[str, Any]]:
    """Return each budget's ``BudgetPerformanceHistory`` for CUR ``totals`` by period."""
    out = []
    for budget in budgets(totals, as_of):
        limit = budget["BudgetLimit"]
        months = 3 if budget["TimeUnit"] == "QUARTERLY" else 1
        spans: dict[dt.date, float] = {}
        for label, total in sorted(totals.items()):
            month = dt.date.fromisoformat(f"{label}-01")
            start = month.replace(month=3 * ((month.month - 1) // 3) + 1) if months == 3 else month
            spans[start] = spans.get(start, 0.0) + total
        if months == 3:  # the sandbox's own small spend, not the organisation's
            spans = {start: 120.0 * (1 + i % 2) for i, start in enumerate(sorted(spans))}
        out.append({
            "BudgetName": budget["BudgetName"], "BudgetType": budget["BudgetType"],
            "TimeUnit": budget["TimeUnit"],
            "CostTypes": {"IncludeTax": True, "IncludeCredit": False, "UseAmortized": False},
            "BudgetedAndActualAmountsList": [{
                "BudgetedAmount": limit,
                "ActualAmount": {"Amount": f"{spent:.1f}", "Unit": limit["Unit"]},
                "TimePeriod": {"Start": _stamp(start), "End": _stamp(_next_month(start, months))},
            } for start, spent in sorted(spans.items())],
        })  # fmt: skip
    return out


def write_budget_history(root: Path, totals: dict[str, float], as_of: dt.date) -> dict[str, Any]:
    """Write one ``describe-budget-performance-history`` answer per budget; return their names."""
    names = []
    for history in histories(totals, as_of):
        path = root / layout.budget_history(history["BudgetName"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"BudgetPerformanceHistory": history}, indent=2) + "\n")
        names.append(history["BudgetName"])
    return {"path": layout.BUDGET_HISTORY, "budgets": names}
