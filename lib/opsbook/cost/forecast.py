"""Month-end spend forecast with an interval, from the month's daily cost so far.

The remaining days are forecast by weekday: each remaining day costs the median of the same
weekday over the last four weeks, and the interval comes from the spread of those weeks' totals
(the 10th to 90th percentile of what the remaining days would have cost in each of the last four
weeks' patterns). Charges posted once a month (fees, tax, commitment fees) already posted are kept
as they are; a closed month is returned as its actual total with a zero-width interval.

Examples
--------
>>> forecast_month_end("2026-11").loc[0, "forecast"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from opsbook.cost.movers import compared_days
from opsbook.cost.spend import month_days, shift_month, spend_by
from opsbook.settings import Settings

__all__ = ["forecast_month_end"]

_USAGE = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation")


def forecast_month_end(
    month: str,
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return one row: ``month``, ``actual_to_date``, ``days_covered``, ``forecast``, ``low``, ``high``.

    Examples
    --------
    >>> forecast_month_end("2026-10").loc[0, "days_covered"]  # doctest: +SKIP
    31
    """
    daily = spend_by("charge_type", shift_month(month, -1), month, basis=basis,
                     accounts=accounts, grain="day", settings=settings)  # fmt: skip
    charges = spend_by("charge_type", month, basis=basis, accounts=accounts, settings=settings)
    actual = float(charges["cost"].sum())
    days = compared_days(daily, month)
    total_days = month_days(month)
    if days in (0, total_days):
        return pd.DataFrame([{"month": month, "actual_to_date": actual, "days_covered": days,
                              "forecast": actual, "low": actual, "high": actual}])  # fmt: skip
    usage = daily[daily["charge_type"].isin(_USAGE)].groupby("usage_day")["cost"].sum()
    usage.index = pd.to_datetime(usage.index)
    last = usage.index.max()
    remaining = pd.date_range(last + pd.Timedelta(days=1), periods=total_days - days, freq="D")
    weeks = [
        sum(float(usage.get(day - pd.Timedelta(days=7 * k), np.nan)) for day in remaining)
        for k in range(1, 5)
    ]
    weeks = [w for w in weeks if not np.isnan(w)] or [0.0]
    median = float(np.median(weeks))
    low, high = np.percentile(weeks, [10, 90])
    return pd.DataFrame([{"month": month, "actual_to_date": actual, "days_covered": days,
                          "forecast": actual + median, "low": actual + float(low),
                          "high": actual + float(high)}])  # fmt: skip
