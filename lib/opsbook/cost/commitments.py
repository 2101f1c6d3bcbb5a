"""Reserved Instances and Savings Plans: utilisation, unused cost, savings, coverage, expirations.

Read from the CUR (``cur/commitments``, ``cur/commitment_coverage``): utilisation is the share of
a commitment's cost that covered usage (1 − unused / commitment); savings are the public on-demand
value of the covered usage minus what it cost (amortized) and minus the unused part; coverage is
the share of commitment-eligible usage (EC2 and RDS instance hours, Fargate, Lambda) that ran on a
commitment, at on-demand prices.

Examples
--------
>>> summary = commitment_summary("2026-10")  # doctest: +SKIP
>>> summary[["commitment_type", "utilisation"]].round(2).values.tolist()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from opsbook import athena
from opsbook.cost.spend import accounts_param, check_month
from opsbook.errors import ConfigurationError, QueryFailedError
from opsbook.settings import Settings

__all__ = ["figures", "commitment_summary", "coverage", "expiring_commitments", "REQUIRED_COLUMNS"]

#: CUR columns the commitment analyses read; a CUR exported without them cannot answer.
REQUIRED_COLUMNS = (
    "savings_plan_savings_plan_a_r_n",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_end_time",
    "reservation_reservation_a_r_n",
    "reservation_effective_cost",
    "reservation_unused_recurring_fee",
    "reservation_end_time",
)


def _run(name: str, month: str, accounts: object, settings: Settings | None) -> pd.DataFrame:
    params = {"start_period": check_month(month), "end_period": month,
              "accounts": accounts_param(accounts)}  # fmt: skip
    try:
        return athena.query(name, params, settings=settings)
    except (QueryFailedError, ConfigurationError) as error:
        text = str(error).lower()
        missing = [c for c in REQUIRED_COLUMNS if c in text]
        if missing or "savings_plan" in text or "reservation_" in text:
            raise ConfigurationError(
                "the CUR lacks the Savings Plan / Reserved Instance columns "
                f"({', '.join(missing) or 'savings_plan_*, reservation_*'}) that commitment "
                "analysis reads: export CUR 2.0 (Data Exports, table COST_AND_USAGE_REPORT), "
                "whose fixed schema always has them, or for a legacy CUR turn on "
                "'Include resource IDs' and wait for a month with a commitment"
            ) from error
        raise


def commitment_summary(
    month: str, *, accounts: str | Iterable[str] | None = None, settings: Settings | None = None
) -> pd.DataFrame:
    """Return one row per commitment active in ``month``: cost, unused cost, utilisation, savings.

    Returns
    -------
    pandas.DataFrame
        ``commitment_type``, ``commitment_arn``, ``end_time``, ``commitment_cost``,
        ``unused_cost``, ``utilisation`` (0-1), ``covered_on_demand_cost``,
        ``covered_effective_cost``, ``savings`` (vs on-demand, net of unused cost).

    Examples
    --------
    >>> commitment_summary("2026-10").utilisation.between(0, 1).all()  # doctest: +SKIP
    True
    """
    rows = _run("cur/commitments", month, accounts, settings)
    out = rows.drop(columns=["billing_period"]).copy()
    out["unused_cost"] = out["unused_cost"].clip(lower=0.0)  # float residue of used == total
    out["utilisation"] = 1 - out["unused_cost"] / out["commitment_cost"].where(
        out["commitment_cost"] > 0
    )
    out["savings"] = (
        out["covered_on_demand_cost"] - out["covered_effective_cost"] - out["unused_cost"]
    )
    out.attrs = rows.attrs
    return out.sort_values("commitment_cost", ascending=False, ignore_index=True)


def coverage(
    month: str, *, accounts: str | Iterable[str] | None = None, settings: Settings | None = None
) -> pd.DataFrame:
    """Return commitment coverage per service: on-demand-priced eligible usage by purchase option.

    Returns
    -------
    pandas.DataFrame
        ``service``, one column per purchase option (``OnDemand``, ``Reserved``,
        ``SavingsPlan``, ``Spot``) in public on-demand dollars, ``coverage`` (0-1: Reserved +
        SavingsPlan over everything but Spot).

    Examples
    --------
    >>> coverage("2026-10").set_index("service").loc["AmazonEC2", "coverage"]  # doctest: +SKIP
    """
    rows = _run("cur/commitment_coverage", month, accounts, settings)
    wide = rows.pivot_table(index="service", columns="purchase_option",
                            values="on_demand_equivalent_cost", aggfunc="sum", fill_value=0.0)  # fmt: skip
    for option in ("OnDemand", "Reserved", "SavingsPlan", "Spot"):
        if option not in wide:
            wide[option] = 0.0
    covered = wide["Reserved"] + wide["SavingsPlan"]
    eligible = covered + wide["OnDemand"]
    wide["coverage"] = covered / eligible.where(eligible > 0)
    out = wide[["OnDemand", "Reserved", "SavingsPlan", "Spot", "coverage"]].reset_index()
    out.columns.name = None
    out.attrs = rows.attrs
    return out.sort_values("OnDemand", ascending=False, ignore_index=True)


def expiring_commitments(
    summary: pd.DataFrame, as_of: str | dt.date, horizons: tuple[int, ...] = (30, 60, 90)
) -> pd.DataFrame:
    """Return the commitments of ``summary`` that end within the largest horizon of ``as_of``.

    Examples
    --------
    >>> frame = pd.DataFrame({"commitment_arn": ["a", "b"], "commitment_type": ["Reserved"] * 2,
    ...     "end_time": ["2026-12-01T00:00:00.000Z", "2027-09-01T00:00:00.000Z"],
    ...     "commitment_cost": [392.8, 476.2]})
    >>> expiring_commitments(frame, "2026-11-15")[["commitment_arn", "within_days"]].values.tolist()
    [['a', 30]]
    """
    day = pd.Timestamp(str(as_of)[:10])
    ends = pd.to_datetime(summary["end_time"], utc=True, errors="coerce").dt.tz_localize(None)
    left = (ends - day).dt.days
    out = summary.assign(end_day=ends.dt.normalize(), days_left=left)
    out = out[(left >= 0) & (left <= max(horizons))].copy()
    out["within_days"] = [min(h for h in horizons if d <= h) for d in out["days_left"]]
    columns = ["commitment_type", "commitment_arn", "end_day", "days_left", "within_days",
               "commitment_cost"]  # fmt: skip
    return (
        out[columns]
        .sort_values("days_left", ignore_index=True)
        .astype({"days_left": np.int64, "within_days": np.int64})
    )


def figures(summary: pd.DataFrame, expiring: pd.DataFrame) -> dict:
    """Return the commitment figures a report records, with short findings."""
    unused = float(summary["unused_cost"].sum())
    cost = float(summary["commitment_cost"].sum())
    findings = [
        f"{row.commitment_type} {row.commitment_arn.rsplit('/', 1)[-1].rsplit(':', 1)[-1]} "
        f"ends {row.end_day:%Y-%m-%d} (in {row.days_left} days)"
        for row in expiring.itertuples()
    ]
    if cost:
        findings.insert(0, f"Commitments used {1 - unused / cost:.1%}; ${unused:,.0f} went unused")
    return {
        "commitment_cost": round(cost, 2),
        "unused_commitment_cost": round(unused, 2),
        "commitment_savings": round(float(summary["savings"].sum()), 2),
        "expiring_commitments": expiring["commitment_arn"].tolist(),
        "findings": findings,
    }
