"""Month-over-month top movers by account and service, comparing like with like.

A closed month is compared with the whole previous month. A partial month (the current one, whose
CUR is still growing) is compared on the same number of days: its first N days against the
previous month's first N days, never against a whole month (CID issue #821). Charges AWS posts
once for the whole month (tax, fees, monthly commitment fees, credits, dated the 1st) are left out
of a partial comparison and shown apart: the closed month has them, the open one not yet.

Examples
--------
>>> movers = top_movers("2026-10", top=5)  # doctest: +SKIP
>>> movers.iloc[0][["account_name", "service", "change"]].tolist()  # doctest: +SKIP
['data-platform', 'AmazonES', 1089.8]
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from opsbook.cost.spend import (
    check_month,
    cost_params,
    for_accounts,
    month_days,
    no_data_message,
    shift_month,
    spend_by,
)
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = ["compared_days", "monthly_postings_note", "top_movers"]

_KEYS = ["account_id", "account_name", "service"]


def compared_days(daily: pd.DataFrame, month: str) -> int:
    """Return how many days of ``month`` to compare: all of them, or those the CUR covers so far.

    Examples
    --------
    >>> daily = pd.DataFrame({"usage_day": pd.to_datetime(["2026-11-01", "2026-11-14"])})
    >>> compared_days(daily, "2026-11")
    14
    """
    days = pd.to_datetime(daily["usage_day"])
    in_month = days[days.dt.strftime("%Y-%m") == month]
    if in_month.empty:
        return 0
    return min(int(in_month.max().day), month_days(month))


@cost_params
def top_movers(
    month: str,
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    top: int = 10,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the account/service pairs whose cost moved most from the previous month.

    Parameters
    ----------
    month
        The billing period to explain (``YYYY-MM``); compared with the one before.
    basis
        Cost basis (see :data:`opsbook.cost.spend.BASES`).
    top
        How many movers to return, largest absolute change first.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``account_name``, ``service``, ``previous_cost``, ``cost``, ``change``,
        ``change_pct`` (NaN when the pair is new), ``days_compared``.

    ``attrs`` holds ``total`` and ``previous_total``: every pair's cost summed over the days
    compared, so a partial month's change is read like for like. For a partial month the
    once-a-month charges are left out of both and given apart in ``attrs["monthly_postings"]``
    (period -> cost) and ``attrs["note"]``.

    Raises
    ------
    NoDataError
        When ``month`` has no line items (for the accounts filter), or the month before it has
        none on the days compared (there is nothing to compare with: the CUR starts later).

    Examples
    --------
    >>> top_movers("2026-11", top=3).days_compared.iloc[0]  # doctest: +SKIP
    14
    """
    previous = shift_month(check_month(month), -1)
    daily = spend_by("account_service", previous, month, basis=basis, accounts=accounts,
                     grain="day", settings=settings)  # fmt: skip
    days = compared_days(daily, month)
    if days == 0:
        raise NoDataError(no_data_message(month, accounts))
    partial = days < month_days(month)
    if partial:  # the month's once-a-month charges are not posted yet: compare the rest
        daily = spend_by("account_service", previous, month, basis=basis, accounts=accounts,
                         grain="day", postings="daily", settings=settings)  # fmt: skip
        posted = spend_by("account_service", previous, month, basis=basis, accounts=accounts,
                          postings="monthly", settings=settings)  # fmt: skip
        monthly = posted.groupby("billing_period")["cost"].sum()
    when = pd.to_datetime(daily["usage_day"])
    in_window = when.dt.day <= days
    current = daily[in_window & (when.dt.strftime("%Y-%m") == month)]
    before = daily[in_window & (when.dt.strftime("%Y-%m") == previous)]
    if before.empty:
        raise NoDataError(
            f"no CUR line items in billing period {previous}{for_accounts(accounts)} (the month "
            f"before {month}): no change from the previous month can be computed"
        )
    out = pd.merge(
        before.groupby(_KEYS, as_index=False)["cost"]
        .sum()
        .rename(columns={"cost": "previous_cost"}),
        current.groupby(_KEYS, as_index=False)["cost"].sum(),
        on=_KEYS,
        how="outer",
    ).fillna({"previous_cost": 0.0, "cost": 0.0})
    out["change"] = out["cost"] - out["previous_cost"]
    out["change_pct"] = (out["change"] / out["previous_cost"].where(out["previous_cost"] > 0)) * 100
    out["days_compared"] = days
    totals = {
        "total": float(out["cost"].sum()),
        "previous_total": float(out["previous_cost"].sum()),
    }
    out = out.reindex(out["change"].abs().sort_values(ascending=False).index)
    out = out.head(top).reset_index(drop=True)
    out.attrs = {"query": daily.attrs.get("query", {}), "month": month, "previous": previous,
                 "days_compared": days, "partial": partial, **totals}  # fmt: skip
    if partial:
        left_out = {period: float(monthly.get(period, 0.0)) for period in (previous, month)}
        out.attrs["monthly_postings"] = left_out
        out.attrs["note"] = monthly_postings_note(left_out, previous, month)
    return out


def monthly_postings_note(left_out: dict[str, float], previous: str, month: str) -> str:
    """Return the note saying which once-a-month charges a partial comparison leaves out.

    Examples
    --------
    >>> print(monthly_postings_note({"2026-10": 6117.6, "2026-11": 0.0}, "2026-10", "2026-11"))
    Left out of the comparison: charges AWS posts once for the whole month (tax, fees, monthly commitment fees, credits): $6,118 in 2026-10, none posted yet in 2026-11.
    """
    so_far = left_out.get(month, 0.0)
    now = f"${so_far:,.0f} posted so far in {month}" if so_far else f"none posted yet in {month}"
    return ("Left out of the comparison: charges AWS posts once for the whole month (tax, fees, "
            f"monthly commitment fees, credits): ${left_out.get(previous, 0.0):,.0f} in "
            f"{previous}, {now}.")  # fmt: skip
