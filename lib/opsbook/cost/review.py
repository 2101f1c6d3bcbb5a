"""The monthly cost review in one call: totals under every basis, movers, breakdowns, findings.

Examples
--------
>>> review = review_month("2026-10")  # doctest: +SKIP
>>> review.figures()["month_total"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from opsbook.cost import movers, spend
from opsbook.errors import NoDataError
from opsbook.present import FINDING, PASS, SKIPPED, annotate
from opsbook.runner import checks_arguments
from opsbook.settings import Settings

__all__ = ["MonthlyReview", "review_month"]


@dataclass(frozen=True)
class MonthlyReview:
    """What the monthly review notebook shows; ``message`` explains an empty review.

    ``trend`` is the cost by service of the month and the three before it; a month the CUR holds
    in part is named in ``trend.attrs["partial"]`` so a chart never shows it as a whole month.

    A :class:`~opsbook.present.Report`: SKIPPED without data, FINDING when line item types
    opsbook does not know were counted, else PASS (the findings tell the month's story).
    """

    kinds: ClassVar[dict[str, str]] = {
        "month_total": "money", "previous_total": "money", "unknown_line_item_types": "money",
    }  # fmt: skip

    month: str
    basis: str
    totals: pd.DataFrame
    by_service: pd.DataFrame
    by_account: pd.DataFrame
    charges: pd.DataFrame
    movers: pd.DataFrame
    unknown_types: pd.DataFrame
    message: str = ""
    notes: list[str] = field(default_factory=list)
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def total(self) -> float:
        """The month's total under the chosen basis (0 when there is no data)."""
        if self.totals.empty:
            return 0.0
        return float(self.totals.set_index("billing_period")["cost"].get(self.month, 0.0))

    @property
    def compared(self) -> dict:
        """How the month compares with the one before, like for like (``movers.attrs``).

        ``previous_total`` is the previous month's cost over the days compared: all of it for a
        closed month, its first ``days_compared`` days for a month the CUR has in part. Empty
        when there is nothing to compare with (``movers.attrs["empty"]`` says why).
        """
        attrs = self.movers.attrs
        if "previous_total" not in attrs:
            return {}
        return {key: attrs[key] for key in ("previous", "previous_total", "total",
                                            "days_compared", "partial", "monthly_postings")
                if key in attrs}  # fmt: skip

    def status(self) -> str:
        """Return SKIPPED without data, FINDING with unknown line item types, else PASS."""
        if self.message:
            return SKIPPED
        return FINDING if len(self.unknown_types) else PASS

    def findings(self, top: int = 3) -> list[str]:
        """Return short findings: the total and its change, then the biggest movers.

        A month the CUR holds in part is compared with the same days of the month before, and
        says so; a month with nothing before it says there is nothing to compare with.
        """
        if self.message:
            return [self.message]
        lines = [f"{self.month} {self.basis} cost ${self.total:,.0f}{self._change()}"]
        if self.compared.get("partial") and "note" in self.movers.attrs:
            lines.append(self.movers.attrs["note"])
        if not self.compared:
            lines.append(self.movers.attrs.get("empty", "no previous month to compare with"))
        for row in self.movers.head(top).itertuples():
            pct = "" if pd.isna(row.change_pct) else f" ({row.change_pct:+.0f}%)"
            lines.append(
                f"Mover: {row.service} in {row.account_name} "
                f"{'-' if row.change < 0 else '+'}${abs(row.change):,.0f}{pct} vs "
                f"{self._versus()}"
            )
        lines += self.notes
        return lines

    def _versus(self) -> str:
        compared = self.compared
        if not compared:
            return "previous month"
        first = f"'s first {compared['days_compared']} days" if compared["partial"] else ""
        return f"{compared['previous']}{first}"

    def _change(self) -> str:
        compared = self.compared
        if not compared or not compared["previous_total"]:
            return ""
        delta = compared["total"] - compared["previous_total"]
        change = f"{'-' if delta < 0 else '+'}${abs(delta):,.0f}"
        ratio = f"{delta / compared['previous_total']:+.1%}"
        if compared["partial"]:
            return (f" over the {compared['days_compared']} days the CUR has so far; charges by "
                    f"the day {change} ({ratio}) vs {self._versus()}")  # fmt: skip
        return f" ({change}, {ratio} vs {self._versus()})"

    def figures(self) -> dict:
        """Return the figures a report records (JSON-ready).

        ``previous_total`` is what the month is compared with: the previous month's cost over
        the same days (``days_compared``; all of them unless ``partial``), ``None`` when the
        CUR has no previous month.
        """
        top = self.movers.head(1)
        compared = self.compared
        return {
            "month": self.month,
            "basis": self.basis,
            "month_total": round(self.total, 2),
            "previous_total": round(compared["previous_total"], 2) if compared else None,
            "days_compared": compared.get("days_compared"),
            "partial": compared.get("partial"),
            "monthly_postings_left_out": compared.get("monthly_postings"),
            "top_mover": None
            if top.empty
            else {
                "account_id": top.iloc[0]["account_id"],
                "account_name": top.iloc[0]["account_name"],
                "service": top.iloc[0]["service"],
                "change": round(float(top.iloc[0]["change"]), 2),
            },
            "unknown_line_item_types": self.unknown_types.set_index("charge_type")["cost"]
            .round(2)
            .to_dict(),
        }


@checks_arguments("month", "basis", "accounts", "top")
def review_month(
    month: str = "",
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    top: int = 10,
    settings: Settings | None = None,
) -> MonthlyReview:
    """Return the review of billing period ``month`` (empty: the last closed month).

    A month (or accounts filter) without data gives a review whose ``message`` says so and whose
    tables are empty, so a scheduled report shows the reason instead of failing.

    Examples
    --------
    >>> review_month("2026-10", basis="unblended").total  # doctest: +SKIP
    92398.04
    """
    month = spend.check_month(month or spend.last_closed_month(), "month")
    spend.check_basis(basis)
    previous = spend.shift_month(month, -1)
    # One query for the month's services and the trend behind them (the month and three before).
    trend = spend.spend_by("service", spend.shift_month(month, -3), month, basis=basis,
                           accounts=accounts, settings=settings)  # fmt: skip
    by_service = trend[trend["billing_period"] == month].reset_index(drop=True)
    by_service.attrs = dict(trend.attrs)
    empty = pd.DataFrame()
    if by_service.empty:
        message = spend.no_data_message(month, accounts)
        return MonthlyReview(month, basis, empty, annotate(by_service, empty=message), empty,
                             empty, empty, pd.DataFrame(columns=["charge_type", "cost"]),
                             message)  # fmt: skip
    both = trend[trend["billing_period"].isin([previous, month])]
    totals = both.groupby("billing_period", as_index=False)["cost"].sum()
    by_account = spend.spend_by("account", month, basis=basis, accounts=accounts, settings=settings)
    charges = spend.charge_breakdown(month, basis=basis, accounts=accounts, settings=settings)
    types = spend.spend_by("charge_type", month, basis=basis, accounts=accounts, settings=settings)
    unknown = spend.unknown_line_item_types(types)
    notes = [
        f"{len(unknown)} unknown line item type(s) counted in the total: "
        + ", ".join(unknown["charge_type"])
    ] if len(unknown) else []  # fmt: skip
    try:
        moved = movers.top_movers(month, basis=basis, accounts=accounts, top=top, settings=settings)
    except NoDataError as error:
        moved = annotate(pd.DataFrame(), empty=str(error))
    if moved.attrs.get("partial"):
        days = moved.attrs["days_compared"]
        trend.attrs["partial"] = {month: f"{days} of {spend.month_days(month)} days"}
    return MonthlyReview(month, basis, totals, by_service, by_account, charges,
                         moved, unknown, notes=notes, trend=trend)  # fmt: skip
