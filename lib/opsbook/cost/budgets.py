"""AWS Budgets against their limits: spent so far, forecast to the period's end, and which break.

A budget is ``over`` when its actual spend passed the limit, ``forecast over`` when AWS's
forecast for the period does, else ``ok``; a budget without a forecast (AWS gives none for some
budget types) says so rather than reading as under its limit.

Examples
--------
>>> review_budgets().status()  # doctest: +SKIP
'FINDING'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from opsbook import billing
from opsbook.present import FINDING, PASS, SKIPPED, annotate
from opsbook.settings import Settings

__all__ = ["BudgetReview", "budget_status", "review_budgets"]


def budget_status(budgets: pd.DataFrame) -> pd.DataFrame:
    """Return ``budgets`` with ``used_share``, ``forecast_share`` and ``status``, worst first.

    Examples
    --------
    >>> frame = pd.DataFrame({"budget_name": ["a"], "limit": [100.0], "actual": [60.0],
    ...                       "forecast": [120.0]})
    >>> budget_status(frame)[["status", "forecast_share"]].values.tolist()
    [['forecast over', 1.2]]
    """
    limit = budgets["limit"].where(budgets["limit"] > 0)
    out = budgets.assign(used_share=budgets["actual"] / limit,
                         forecast_share=budgets["forecast"] / limit)  # fmt: skip
    out["status"] = np.select(
        [out["used_share"] > 1, out["forecast_share"] > 1, out["forecast"].isna()],
        ["over", "forecast over", "no forecast"],
        default="ok",
    )
    order = out["status"].map({"over": 0, "forecast over": 1, "no forecast": 2, "ok": 3})
    out = out.assign(_order=order).sort_values(
        ["_order", "forecast_share"], ascending=[True, False]
    )
    return annotate(out.drop(columns="_order").reset_index(drop=True),
                    kinds={"limit": "money", "actual": "money", "forecast": "money"},
                    missing={"forecast": "AWS gives no forecast for this budget"},
                    empty="no budget in this account")  # fmt: skip


@dataclass(frozen=True)
class BudgetReview:
    """The account's budgets and their status; a :class:`~opsbook.present.Report`."""

    budgets: pd.DataFrame

    def figures(self) -> dict[str, object]:
        """Return the count of budgets per status."""
        return {"budgets": len(self.budgets),
                "by_status": self.budgets["status"].value_counts().to_dict()}  # fmt: skip

    def findings(self) -> list[str]:
        """Return one line per budget over or forecast over its limit."""
        if self.budgets.empty:
            return ["no AWS Budgets in this account"]
        bad = self.budgets[self.budgets["status"].isin(["over", "forecast over"])]
        if bad.empty:
            return [f"all {len(self.budgets)} budgets are forecast within their limits"]
        return [f"{r.budget_name}: {r.status} - forecast ${r.forecast:,.0f} of ${r.limit:,.0f} "
                f"({r.forecast_share:.0%}), ${r.actual:,.0f} spent" for r in bad.itertuples()]  # fmt: skip

    def status(self) -> str:
        """Return FINDING when a budget is (forecast) over, SKIPPED without budgets."""
        if self.budgets.empty:
            return SKIPPED
        return FINDING if self.budgets["status"].isin(["over", "forecast over"]).any() else PASS


def review_budgets(*, settings: Settings | None = None) -> BudgetReview:
    """Return the account's budgets with their status (DescribeBudgets, or its saved output).

    Examples
    --------
    >>> review_budgets().findings()  # doctest: +SKIP
    """
    return BudgetReview(budget_status(billing.read_budgets(settings=settings)))
