"""AWS Budgets against their limits: spent so far, forecast to the period's end, and which break.

A budget is ``over`` when its actual spend passed the limit, ``forecast over`` when AWS's
forecast for the period does (``DescribeBudgets``' ``CalculatedSpend.ForecastedSpend``), else
``ok``; a budget without a forecast (AWS gives none for some budget types) says so rather than
reading as under its limit. Each budget's past periods (``DescribeBudgetPerformanceHistory``)
show how often it broke: a period is ``over`` when its actual spend passed that period's limit,
``open`` while it has not ended.

Examples
--------
>>> review_budgets().status()  # doctest: +SKIP
'FINDING'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opsbook import billing, clock
from opsbook.present import FINDING, PASS, SKIPPED, SectionError, annotate, attempt, sections_frame
from opsbook.settings import Settings

__all__ = ["BudgetReview", "budget_history", "budget_status", "review_budgets"]

_SOURCES = {
    "budgets": "AWS Budgets (budgets:DescribeBudgets)",
    "budget_history": "AWS Budgets (budgets:DescribeBudgetPerformanceHistory)",
}


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


def budget_history(history: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Return ``history`` with ``used_share`` and ``status`` (``over``, ``ok``, ``open``) per period.

    Examples
    --------
    >>> frame = pd.DataFrame({"budget_name": ["a", "a"], "budgeted": [100.0, 100.0],
    ...     "actual": [120.0, 40.0], "period_start": pd.to_datetime(["2026-10-01", "2026-11-01"], utc=True),
    ...     "period_end": pd.to_datetime(["2026-11-01", "2026-12-01"], utc=True)})
    >>> budget_history(frame, pd.Timestamp("2026-11-15", tz="UTC"))["status"].tolist()
    ['over', 'open']
    """
    limit = history["budgeted"].where(history["budgeted"] > 0)
    out = history.assign(used_share=history["actual"] / limit)
    out["status"] = np.select([out["period_end"] > now, out["used_share"] > 1], ["open", "over"],
                              default="ok")  # fmt: skip
    return annotate(out.reset_index(drop=True),
                    first=["budget_name", "period_start", "budgeted", "actual", "used_share",
                           "status"],
                    kinds={"budgeted": "money", "actual": "money"},
                    empty="no budget history in this account")  # fmt: skip


@dataclass(frozen=True)
class BudgetReview:
    """The account's budgets, their status and past periods; a :class:`~opsbook.present.Report`."""

    budgets: pd.DataFrame
    history: pd.DataFrame | SectionError = field(default_factory=pd.DataFrame)
    sections: pd.DataFrame = field(default_factory=lambda: sections_frame(_SOURCES, {}))

    def figures(self) -> dict[str, object]:
        """Return the count of budgets per status and of closed periods over each limit."""
        return {"budgets": len(self.budgets),
                "by_status": self.budgets["status"].value_counts().to_dict(),
                "periods_over": self._periods_over()}  # fmt: skip

    def _periods_over(self) -> dict[str, str]:
        """Each budget's closed periods over the limit, as ``over/closed``."""
        if isinstance(self.history, SectionError) or self.history.empty:
            return {}
        closed = self.history[self.history["status"] != "open"]
        return {str(name): f"{int((group['status'] == 'over').sum())}/{len(group)}"
                for name, group in closed.groupby("budget_name")}  # fmt: skip

    def findings(self) -> list[str]:
        """Return one line per budget over or forecast over its limit."""
        if self.budgets.empty:
            return ["no AWS Budgets in this account"]
        bad = self.budgets[self.budgets["status"].isin(["over", "forecast over"])]
        if bad.empty:
            lines = [f"all {len(self.budgets)} budgets are forecast within their limits"]
        else:
            lines = [f"{r.budget_name}: {r.status} - forecast ${r.forecast:,.0f} of ${r.limit:,.0f} "
                     f"({r.forecast_share:.0%}), ${r.actual:,.0f} spent" for r in bad.itertuples()]  # fmt: skip
        if isinstance(self.history, SectionError):
            return [*lines, repr(self.history)]
        for name, counts in self._periods_over().items():
            over, closed = counts.split("/")
            if int(over):
                lines.append(
                    f"{name}: over its limit in {over} of its last {closed} closed periods"
                )
        return lines

    def status(self) -> str:
        """Return FINDING when a budget is (forecast) over, SKIPPED without budgets."""
        if self.budgets.empty:
            return SKIPPED
        return FINDING if self.budgets["status"].isin(["over", "forecast over"]).any() else PASS


def review_budgets(*, settings: Settings | None = None) -> BudgetReview:
    """Return the account's budgets with their status and past periods (or their saved output).

    The history is a section of its own: when it cannot be read (an API the endpoint does not
    serve, a missing file), it shows ERROR naming it and the budgets still show.

    Examples
    --------
    >>> review_budgets().findings()  # doctest: +SKIP
    """
    errors: dict[str, str] = {}
    history = attempt("budget_history", errors,
                      lambda: budget_history(billing.read_budget_history(settings=settings),
                                             pd.Timestamp(clock.now())))  # fmt: skip
    return BudgetReview(budget_status(billing.read_budgets(settings=settings)), history,
                        sections_frame(_SOURCES, errors))  # fmt: skip
