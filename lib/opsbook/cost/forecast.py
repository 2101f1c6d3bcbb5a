"""Month-end spend forecast with an interval, from the month's daily cost so far.

The remaining days are forecast by weekday: each remaining day costs the median of the same
weekday over the last four weeks of usage seen (this month's and the previous month's), and the
interval comes from the spread of those weeks' totals (the 10th to 90th percentile of what the
remaining days would have cost in each of the last four weeks' patterns), so a month seen for one
day is forecast as well as one seen for three weeks. With no usage day at all the forecast is NaN
(unknown), never the spend so far, and a month without any line item has an unknown spend to
date, never $0; with under a week of usage seen there are not four weeks' patterns to spread, so
the interval is NaN (unknown) rather than a falsely narrow one. Charges posted once a month (fees,
tax, commitment fees) already posted are kept as they are; a closed month is returned as its
actual total with a zero-width interval.

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

__all__ = ["forecast_figures", "forecast_month_end"]

_USAGE = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation")
_MIN_DAYS_FOR_INTERVAL = 7  # one of each weekday: below that, every scenario repeats one day


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
    if days == 0:  # a month the CUR does not have (yet, or any more) is unknown, never $0
        nan = float("nan")
        row = {"month": month, "actual_to_date": nan if charges.empty else actual,
               "days_covered": 0, "forecast": nan, "low": nan, "high": nan}  # fmt: skip
        frame = _shown(pd.DataFrame([row]), "no data",
                       actual="no data" if charges.empty else "")  # fmt: skip
        frame.attrs["note"] = f"The CUR has no usage day in {month}: nothing to forecast from."
        return frame
    if days == total_days:
        return _shown(pd.DataFrame([{"month": month, "actual_to_date": actual, "days_covered": days,
                                     "forecast": actual, "low": actual, "high": actual}]))  # fmt: skip
    usage = daily[daily["charge_type"].isin(_USAGE)].groupby("usage_day")["cost"].sum()
    usage.index = pd.to_datetime(usage.index)
    last = pd.Timestamp(f"{month}-{days:02d}")
    remaining = pd.date_range(last + pd.Timedelta(days=1), periods=total_days - days, freq="D")
    seen = usage[usage.index <= last]
    scenarios = _weekday_scenarios(seen, remaining)
    if scenarios is None:
        nan = float("nan")  # nothing to forecast from: unknown, never "no more spend"
        return _shown(pd.DataFrame([{"month": month, "actual_to_date": actual,
                                     "days_covered": days, "forecast": nan, "low": nan,
                                     "high": nan}]))  # fmt: skip
    expected = actual + float(np.median(scenarios, axis=1).sum())
    low, high = actual + np.percentile(scenarios.sum(axis=0), [10, 90])
    low, high = min(float(low), expected), max(float(high), expected)
    if len(seen.tail(28)) < _MIN_DAYS_FOR_INTERVAL:
        low = high = float("nan")
    return _shown(pd.DataFrame([{"month": month, "actual_to_date": actual, "days_covered": days,
                                 "forecast": expected, "low": low, "high": high}]))  # fmt: skip


def _shown(
    frame: pd.DataFrame, why: str = "unknown: under a week of history", actual: str = ""
) -> pd.DataFrame:
    """Return ``frame`` with what its columns are and why a value may be unknown."""
    frame.attrs["kinds"] = {"low": "money", "high": "money"}
    frame.attrs["missing"] = {c: why for c in ("forecast", "low", "high")}
    if actual:
        frame.attrs["missing"]["actual_to_date"] = actual
    return frame


def forecast_figures(frame: pd.DataFrame) -> dict:
    """Return a forecast row as JSON-ready figures (unknown values as ``None``, dollars rounded).

    Examples
    --------
    >>> forecast_figures(pd.DataFrame([{"month": "2026-11", "actual_to_date": 10.0,
    ...     "days_covered": 3, "forecast": 100.004, "low": float("nan"), "high": float("nan")}]))
    {'month': '2026-11', 'days_covered': 3, 'actual_to_date': 10.0, 'forecast': 100.0, 'low': None, 'high': None}
    """
    row = frame.iloc[0]
    money = {k: None if pd.isna(row[k]) else round(float(row[k]), 2)
             for k in ("actual_to_date", "forecast", "low", "high")}  # fmt: skip
    return {"month": row["month"], "days_covered": int(row["days_covered"]), **money}


def _weekday_scenarios(usage: pd.Series, remaining: pd.DatetimeIndex) -> np.ndarray | None:
    """Return, per remaining day, the last four observed same-weekday costs (most recent first).

    Column k is the month's rest as it would cost in the k-th most recent week's pattern. A
    weekday not seen in the last four weeks takes the most recent days of any weekday; with no
    usage day at all there is nothing to forecast from (``None``).

    Examples
    --------
    >>> days = pd.date_range("2026-10-01", periods=14, freq="D")
    >>> usage = pd.Series([7.0 if d.weekday() < 5 else 2.0 for d in days], index=days)
    >>> _weekday_scenarios(usage, pd.date_range("2026-10-17", periods=2, freq="D"))[:, 0].tolist()
    [2.0, 2.0]
    """
    recent = usage.tail(28)
    if recent.empty:
        return None
    rows = []
    for day in remaining:
        same = recent[recent.index.day_of_week == day.day_of_week].to_numpy()[::-1]
        rows.append(np.resize(same if len(same) else recent.to_numpy()[::-1], 4))
    return np.array(rows).reshape(len(remaining), 4)
