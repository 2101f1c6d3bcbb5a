"""Spend over time by any dimension, under a chosen cost basis, from the shipped CUR queries.

Every figure comes from one shipped query (``cur/spend_by_<dimension>``) that returns daily
unblended, amortized, net amortized and public on-demand cost; the cost basis only picks a
column, so switching basis never changes which rows are counted.

Examples
--------
>>> frame = spend_by("service", "2026-10", "2026-10")  # doctest: +SKIP
>>> frame.columns.tolist()  # doctest: +SKIP
['billing_period', 'service', 'cost']
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd

from opsbook import clock
from opsbook._docs import ENTRIES, sharing
from opsbook.cost.query import run_cur_query
from opsbook.errors import ConfigurationError, NoDataError
from opsbook.settings import Settings

__all__ = [
    "BASES",
    "CHARGE_GROUPS",
    "DIMENSIONS",
    "KNOWN_LINE_ITEM_TYPES",
    "charge_breakdown",
    "check_basis",
    "last_closed_month",
    "month_days",
    "monthly_total",
    "spend_by",
    "unknown_line_item_types",
]

#: Cost basis name -> the column each spend query returns for it.
BASES = {
    "unblended": "unblended_cost",
    "amortized": "amortized_cost",
    "net_amortized": "net_amortized_cost",
    "public": "public_cost",
}
#: Dimension -> (shipped query, key columns it returns).
DIMENSIONS = {
    "service": ("cur/spend_by_service", ["service"]),
    "account": ("cur/spend_by_account", ["account_id", "account_name"]),
    "account_service": ("cur/spend_by_account_service", ["account_id", "account_name", "service"]),
    "region": ("cur/spend_by_region", ["region"]),
    "usage_type": ("cur/spend_by_usage_type", ["service", "usage_type"]),
    "charge_type": ("cur/spend_by_charge_type", ["charge_type"]),
    "tag": ("cur/spend_by_tag", ["tag_value"]),
    "cost_category": ("cur/spend_by_cost_category", ["category_value"]),
    "principal": ("cur/spend_by_principal", ["principal"]),
}
#: Line item types grouped for the credits / refunds / tax / discounts breakdown (reference §2.3).
CHARGE_GROUPS = {
    "Usage": "usage",
    "DiscountedUsage": "usage",
    "SavingsPlanCoveredUsage": "usage",
    "SavingsPlanNegation": "usage",
    "RIFee": "commitment fees",
    "SavingsPlanRecurringFee": "commitment fees",
    "SavingsPlanUpfrontFee": "commitment fees",
    "Fee": "fees",
    "Credit": "credits",
    "Refund": "refunds",
    "Tax": "tax",
    "BundledDiscount": "discounts",
    "EdpDiscount": "discounts",
    "PrivateRateDiscount": "discounts",
    "RiVolumeDiscount": "discounts",
    "SppDiscount": "discounts",
    "DistributorDiscount": "discounts",
    "FlatRateSubscription": "fees",
}
KNOWN_LINE_ITEM_TYPES = frozenset(CHARGE_GROUPS)
UNTAGGED = "(untagged)"
_POSTINGS = ("all", "daily", "monthly")
_POSTED = ("charge_type", "account_service")  # their queries return ``monthly_posting``
_ACCOUNT = re.compile(r"\d{12}")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def check_basis(basis: str) -> str:
    """Return the result column of cost ``basis``; raise a clear error for an unknown one.

    Examples
    --------
    >>> check_basis("amortized")
    'amortized_cost'
    """
    if basis not in BASES:
        raise ConfigurationError(
            f"unknown cost basis {basis!r}; choose one of {', '.join(BASES)} "
            "(unblended = invoiced, public = public on-demand prices)"
        )
    return BASES[basis]


#: Writes the entries of the cost analyses' shared parameters into their docstrings: those of
#: :data:`opsbook._docs.ENTRIES` and the accounts :func:`accounts_param` takes.
cost_params = sharing(
    {
        **ENTRIES,
        "accounts": "Linked account ids to keep (comma-separated or a list); empty keeps all.",
    }
)


def accounts_param(accounts: str | Iterable[str] | None) -> str:
    """Return ``accounts`` (ids, comma-separated or a list) as the bound query parameter.

    Examples
    --------
    >>> accounts_param("334455667788, 445566778899")
    '334455667788,445566778899'
    >>> accounts_param(None), accounts_param(12345678901)
    ('', '012345678901')
    """
    if not accounts:
        return ""
    if isinstance(accounts, int) and not isinstance(accounts, bool):
        accounts = f"{accounts:012d}"  # an id read as a number lost its leading zeros
    items = accounts.split(",") if isinstance(accounts, str) else list(accounts)
    ids = [str(item).strip() for item in items if str(item).strip()]
    bad = [item for item in ids if not _ACCOUNT.fullmatch(item)]
    if bad:
        raise ConfigurationError(
            f"accounts filter: {', '.join(map(repr, bad))} is not a 12-digit account id; "
            "give ids separated by commas, or leave it empty for all accounts"
        )
    return ",".join(ids)


def last_closed_month(today: dt.date | None = None) -> str:
    """Return the billing period before ``today``'s month (``YYYY-MM``).

    Examples
    --------
    >>> last_closed_month(dt.date(2026, 1, 3))
    '2025-12'
    """
    today = today or clock.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


def today() -> str:
    """Return today's date in UTC as ``YYYY-MM-DD``."""
    return f"{clock.today():%Y-%m-%d}"


def check_month(month: str, what: str = "month") -> str:
    """Return ``month`` if it is ``YYYY-MM``; raise a clear error otherwise."""
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise ConfigurationError(f"{what} must be a billing period written YYYY-MM, got {month!r}")
    return month


def shift_month(month: str, months: int) -> str:
    """Return the billing period ``months`` after ``month`` (negative: before).

    Examples
    --------
    >>> shift_month("2026-01", -1)
    '2025-12'
    """
    year, mon = map(int, check_month(month).split("-"))
    index = year * 12 + mon - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_days(month: str) -> int:
    """Return the number of days of billing period ``month``.

    Examples
    --------
    >>> month_days("2026-02")
    28
    """
    start = dt.date.fromisoformat(f"{check_month(month)}-01")
    return (dt.date.fromisoformat(f"{shift_month(month, 1)}-01") - start).days


@cost_params
def spend_by(
    dimension: str,
    start_period: str,
    end_period: str | None = None,
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    key: str = "",
    grain: str = "month",
    postings: str = "all",
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return cost per period and value of ``dimension`` under cost ``basis``.

    Parameters
    ----------
    dimension
        One of ``service``, ``account``, ``region``, ``usage_type``, ``charge_type``, ``tag``,
        ``cost_category``, ``principal`` (``line_item_iam_principal``: a CUR 2.0 export without
        ``INCLUDE_IAM_PRINCIPAL_DATA`` lacks it, and the error says which setting adds it).
    start_period, end_period
        Billing periods ``YYYY-MM`` (``end_period`` defaults to ``start_period``).
    basis
        ``unblended`` (invoiced), ``amortized``, ``net_amortized`` or ``public`` (on-demand).
    key
        For ``tag``: the CUR tag key (``user_app``); for ``cost_category``: its name. Untagged
        cost is returned as the value ``(untagged)`` so the tag view sums to the total.
    grain
        ``month`` (one row per billing period) or ``day`` (per usage day).
    postings
        ``all``; ``daily`` leaves out the line items AWS posts once for the whole month (tax,
        fees, monthly commitment fees, credits: their usage period is the month, dated the 1st),
        so the first days of two months compare like for like; ``monthly`` keeps only those.
        For the ``charge_type`` and ``account_service`` dimensions.

    Returns
    -------
    pandas.DataFrame
        ``billing_period`` (or ``usage_day``), the dimension's key columns, ``cost``; largest
        first within each period. ``attrs["query"]`` names the query that produced it.

    Examples
    --------
    >>> spend_by("account", "2026-10", basis="unblended").head(2)  # doctest: +SKIP
    """
    if dimension not in DIMENSIONS:
        raise ConfigurationError(
            f"unknown dimension {dimension!r}; choose one of {', '.join(DIMENSIONS)}"
        )
    if grain not in ("month", "day"):
        raise ConfigurationError(f"grain must be 'month' or 'day', got {grain!r}")
    column = check_basis(basis)
    name, keys = DIMENSIONS[dimension]
    if postings not in _POSTINGS:
        raise ConfigurationError(
            f"postings must be one of {', '.join(_POSTINGS)}, got {postings!r}"
        )
    if postings != "all" and dimension not in _POSTED:
        raise ConfigurationError(
            f"postings={postings!r} needs the dimension charge_type or account_service, "
            f"got {dimension!r}"
        )
    params = period_params(start_period, end_period, accounts)
    if dimension in ("tag", "cost_category"):
        if not key:
            raise ConfigurationError(
                f"spend by {dimension} needs key=: the "
                + ("CUR tag key, e.g. 'user_app'" if dimension == "tag" else "category name")
            )
        params["tag_key" if dimension == "tag" else "category"] = key
    rows = run_cur_query(name, params, basis=basis, settings=settings)
    if dimension in ("tag", "cost_category"):
        rows = _with_untagged(rows, keys[0], params, basis, settings)
    if postings != "all":
        rows = rows[rows["monthly_posting"].fillna(False).astype(bool) == (postings == "monthly")]
    period = "billing_period" if grain == "month" else "usage_day"
    out = rows.groupby([period, *keys], dropna=False, as_index=False)[column].sum()
    out = out.rename(columns={column: "cost"})
    out = out.sort_values([period, "cost"], ascending=[True, False], ignore_index=True)
    out.attrs["query"] = rows.attrs.get("query", {})
    out.attrs["basis"] = basis
    if out.empty:
        periods = params["start_period"] + (
            f" to {params['end_period']}" if params["end_period"] != params["start_period"] else ""
        )
        out.attrs["empty"] = no_data_message(periods, accounts)
    elif dimension == "tag" and (out[keys[0]] == UNTAGGED).all():
        out.attrs["note"] = (f"no line item carries the tag key {key!r}: check its spelling and "
                             "that it is an active cost allocation tag")  # fmt: skip
    return out


def monthly_total(
    month: str,
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    settings: Settings | None = None,
) -> float:
    """Return the total cost of billing period ``month`` under ``basis``.

    Raises
    ------
    NoDataError
        When the CUR has no line items for that month (and accounts filter).

    Examples
    --------
    >>> round(monthly_total("2026-10", basis="unblended"), 2)  # doctest: +SKIP
    92398.04
    """
    frame = spend_by("charge_type", month, basis=basis, accounts=accounts, settings=settings)
    if frame.empty:
        raise NoDataError(no_data_message(month, accounts))
    return float(frame["cost"].sum())


def for_accounts(accounts: str | Iterable[str] | None) -> str:
    """Return `` for accounts …`` naming an accounts filter, or nothing without one.

    Examples
    --------
    >>> for_accounts("334455667788"), for_accounts("")
    (' for accounts 334455667788', '')
    """
    chosen = accounts_param(accounts)
    return f" for accounts {chosen}" if chosen else ""


def no_data_message(month: str, accounts: str | Iterable[str] | None = None) -> str:
    """Return the message shown when a billing period (and accounts filter) has no line items."""
    return (
        f"no CUR line items in billing period {month}{for_accounts(accounts)}: check the month (the CUR holds "
        "the periods listed by opsbook.athena.describe_cur()) and the accounts filter"
    )


def charge_breakdown(
    start_period: str,
    end_period: str | None = None,
    *,
    basis: str = "unblended",
    accounts: str | Iterable[str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return cost per billing period and charge group: usage, fees, credits, refunds, tax ...

    Line item types the library does not know are kept, in the group ``unknown`` (see
    :func:`unknown_line_item_types`), so the groups always sum to the total.

    Examples
    --------
    >>> charge_breakdown("2026-10").set_index("charge_group").loc["credits", "cost"]  # doctest: +SKIP
    -400.0
    """
    frame = spend_by("charge_type", start_period, end_period, basis=basis, accounts=accounts,
                     settings=settings)  # fmt: skip
    frame["charge_group"] = frame["charge_type"].map(CHARGE_GROUPS).fillna("unknown")
    out = frame.groupby(["billing_period", "charge_group"], as_index=False).agg(
        cost=("cost", "sum"), line_item_types=("charge_type", lambda s: ", ".join(sorted(s)))
    )
    out.attrs = frame.attrs
    return out.sort_values(["billing_period", "cost"], ascending=[True, False], ignore_index=True)


def unknown_line_item_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the line item types of a ``spend_by("charge_type")`` frame that opsbook does not know.

    They are counted in every total (never dropped); this lists them so a report can say so.

    Examples
    --------
    >>> frame = pd.DataFrame({"billing_period": ["2026-10"] * 2,
    ...                       "charge_type": ["Usage", "NewKindOfCharge"], "cost": [5.0, 1.0]})
    >>> unknown_line_item_types(frame).charge_type.tolist()
    ['NewKindOfCharge']
    """
    unknown = frame[~frame["charge_type"].isin(KNOWN_LINE_ITEM_TYPES)]
    return unknown.groupby("charge_type", as_index=False)["cost"].sum()


def period_params(
    start_period: str, end_period: str | None, accounts: str | Iterable[str] | None
) -> dict[str, str]:
    start = check_month(start_period, "start_period")
    end = check_month(end_period or start_period, "end_period")
    if end < start:
        raise ConfigurationError(f"end_period {end} is before start_period {start}")
    return {"start_period": start, "end_period": end, "accounts": accounts_param(accounts)}


def _with_untagged(
    tagged: pd.DataFrame,
    value: str,
    params: dict[str, str],
    basis: str,
    settings: Settings | None,
) -> pd.DataFrame:
    """Add per-day rows of value ``(untagged)``: total cost minus the tagged cost."""
    base = {k: params[k] for k in ("start_period", "end_period", "accounts")}
    totals = run_cur_query("cur/spend_by_charge_type", base, basis=basis, settings=settings)
    costs = list(BASES.values())
    per_day = ["billing_period", "usage_day"]
    total = totals.groupby(per_day)[costs].sum()
    done = tagged.groupby(per_day)[costs].sum().reindex(total.index, fill_value=0.0)
    rest = (total - done).reset_index()
    rest[value] = UNTAGGED
    out = pd.concat([tagged, rest], ignore_index=True)
    out.attrs = tagged.attrs
    return out
