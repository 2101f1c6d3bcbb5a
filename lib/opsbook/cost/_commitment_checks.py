"""Savings checks of commitments: a Savings Plan to buy, and the commitments about to expire.

* ``savings_plan``: per linked account, the on-demand spend a Compute Savings Plan would cover
  (EC2 instance hours, Fargate, Lambda compute not yet on a commitment, Spot left out;
  ``cur/savings_plan_eligible``), spread over the month's hours (a daily CUR line item counts
  a 24th in each of its hours). Like Cost Explorer's recommendation, the commitment is sized
  from the hourly on-demand equivalent, conservatively: the ``sp_percentile``-th percentile hour
  (hours without eligible usage count as $0), bought at ``sp_discount`` below on-demand. Each
  hour saves the on-demand spend it covers (at most that percentile) less the commitment; the
  monthly saving adds the month's hours.
* ``expiring_commitment``: Reserved Instances and Savings Plans whose term ends within
  ``expiring_days`` of the evidence window's end (the CUR's ``reservation_end_time`` /
  ``savings_plan_end_time``, :func:`opsbook.cost.commitments.expiring_commitments`). Their
  saving is what the commitment saved in the month (covered usage at on-demand rates, less its
  cost and its unused part): what lapsing would add to the bill, so renewing keeps it. It is a
  saving at stake, not a cut: these rows never count towards the total.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from opsbook.cost._evidence_checks import Evidence
from opsbook.cost._usage_checks import Usage, opportunity_rows
from opsbook.cost.commitments import commitment_summary, expiring_commitments
from opsbook.cost.query import run_cur_query

__all__ = ["AT_STAKE", "COMMITMENT_CHECKS", "PLAN_ID", "hourly_spend"]

#: Checks whose saving is at stake (kept by acting), not cut from today's bill: never counted.
AT_STAKE = frozenset({"expiring_commitment"})
#: Resource id of an account's proposed Savings Plan: this, then the account id.
PLAN_ID = "compute-savings-plan/"
_HOUR = pd.Timedelta(hours=1)


def hourly_spend(rows: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Return each account's spend per hour in ``[start, end)``: hours as rows, accounts as columns.

    ``rows`` has ``account_id``, ``usage_start``, ``usage_end`` and ``public_cost``; a line
    item of several hours spreads its cost evenly over them; hours without one read $0.

    Examples
    --------
    >>> rows = pd.DataFrame({"account_id": ["1", "1"], "public_cost": [48.0, 3.0],
    ...     "usage_start": pd.to_datetime(["2026-10-01 00:00", "2026-10-02 05:00"]),
    ...     "usage_end": pd.to_datetime(["2026-10-02 00:00", "2026-10-02 06:00"])})
    >>> spend = hourly_spend(rows, pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-03"))
    >>> spend["1"].iloc[[0, 23, 24, 29, 30]].tolist()
    [2.0, 2.0, 0.0, 3.0, 0.0]
    """
    hours = pd.date_range(start, end, freq="h", inclusive="left")
    if rows.empty:
        return pd.DataFrame(index=hours, dtype="float64")
    first = pd.to_datetime(rows["usage_start"]).dt.tz_localize(None).dt.floor("h")
    last = pd.to_datetime(rows["usage_end"]).dt.tz_localize(None).dt.ceil("h")
    span = ((last - first) / _HOUR).clip(lower=1).astype("int64").to_numpy()
    at = np.repeat(first.to_numpy(), span) + np.concatenate([np.arange(n) for n in span]) * _HOUR
    each = pd.DataFrame({
        "hour": at,
        "account_id": np.repeat(rows["account_id"].to_numpy(), span),
        "cost": np.repeat(rows["public_cost"].to_numpy() / span, span),
    })  # fmt: skip
    wide = each.pivot_table(index="hour", columns="account_id", values="cost", aggfunc="sum")
    return wide.reindex(index=hours, fill_value=0.0).fillna(0.0)


def savings_plan(usage: Usage, t: Any, ev: Evidence) -> pd.DataFrame:
    """Accounts whose steady on-demand compute spend would carry a Compute Savings Plan."""
    params = {"start_period": usage.month, "end_period": usage.month, "accounts": ev.accounts}
    rows = run_cur_query("cur/savings_plan_eligible", params, basis="public",
                         settings=ev.settings)  # fmt: skip
    start = pd.Timestamp(pd.Period(usage.month).start_time)
    end = min(pd.Timestamp(pd.Period(usage.month).end_time).ceil("h"),
              usage.as_of.tz_localize(None) if usage.as_of.tzinfo else usage.as_of)  # fmt: skip
    spend = hourly_spend(rows, start, end)
    column = "public_cost" if ev.basis == "public" else "unblended_cost"
    accounts = rows.groupby(["account_id", "account_name"], as_index=False)[column].sum()
    accounts = accounts.rename(columns={column: "cost"})
    covered = spend.quantile(t.sp_percentile / 100).reindex(accounts["account_id"]).to_numpy()
    commitment = covered * (1 - t.sp_discount)
    saving = np.array([float((np.minimum(spend[a], c) - k).sum()) if c > 0 else 0.0
                       for a, c, k in zip(accounts["account_id"], covered, commitment,
                                          strict=True)])  # fmt: skip
    accounts = accounts.assign(
        resource_id=PLAN_ID + accounts["account_id"], region="all regions",
        service="ComputeSavingsPlans", covered=covered, commitment=commitment, saving=saving,
        median=spend.median().reindex(accounts["account_id"]).to_numpy(),
        idle=(spend == 0).sum().reindex(accounts["account_id"]).to_numpy(),
    )  # fmt: skip
    flagged = accounts[(accounts["commitment"] >= t.sp_min_hourly_commitment)
                       & (accounts["saving"] > 0)]  # fmt: skip
    return opportunity_rows(
        flagged, "savings_plan", "commitments",
        evidence=[f"on-demand compute (EC2, Fargate, Lambda) over {len(spend):,} hours: "
                  f"p{t.sp_percentile:g} ${c:,.2f}/h, median ${m:,.2f}/h, {i:,} hours without "
                  "any (CUR)" for c, m, i in zip(flagged["covered"], flagged["median"],
                                                 flagged["idle"], strict=True)],
        monthly_cost=flagged["cost"].to_numpy(), estimated_saving=flagged["saving"].to_numpy(),
        pricing_basis=[f"${k:,.2f}/h commitment covers ${c:,.2f}/h of on-demand (the "
                       f"p{t.sp_percentile:g} hour) at {t.sp_discount:.0%} off; each hour saves "
                       "the on-demand it covers less the commitment" for k, c in
                       zip(flagged["commitment"], flagged["covered"], strict=True)],
        action=[f"buy a 1-year Compute Savings Plan of ${k:,.2f}/h" for k in flagged["commitment"]],
    )  # fmt: skip


def _arn_part(arns: pd.Series, index: int) -> pd.Series:
    return arns.str.split(":").str[index]


def expiring_commitment(usage: Usage, t: Any, ev: Evidence) -> pd.DataFrame:
    """Reserved Instances and Savings Plans ending within ``expiring_days``."""
    summary = commitment_summary(usage.month, accounts=ev.accounts or None, settings=ev.settings)
    ending = expiring_commitments(summary, ev.end.strftime("%Y-%m-%d"),
                                  (int(t.expiring_days),))  # fmt: skip
    ending = ending.merge(summary.drop(columns=["commitment_type", "commitment_cost"]),
                          on="commitment_arn")  # fmt: skip
    arns = ending["commitment_arn"]
    names = usage.lines.drop_duplicates("account_id").set_index("account_id")["account_name"]
    account = _arn_part(arns, 4)
    region = _arn_part(arns, 3)
    service = _arn_part(arns, 2).map({"ec2": "AmazonEC2", "rds": "AmazonRDS",
                                      "savingsplans": "ComputeSavingsPlans"})  # fmt: skip
    frame = ending.assign(resource_id=arns, account_id=account,
                          account_name=account.map(names).fillna(account),
                          region=region.where(region != "", "all regions"),
                          service=service.fillna(_arn_part(arns, 2)))  # fmt: skip
    return opportunity_rows(
        frame, "expiring_commitment", "commitments",
        evidence=[f"{k} ends {e:%Y-%m-%d} (in {d} days; threshold {t.expiring_days:g}); in "
                  f"{usage.month} it covered ${od:,.2f} of on-demand usage for ${eff:,.2f}, "
                  f"{u:.0%} used (CUR)" for k, e, d, od, eff, u in
                  zip(frame["commitment_type"], frame["end_day"], frame["days_left"],
                      frame["covered_on_demand_cost"], frame["covered_effective_cost"],
                      frame["utilisation"].fillna(0.0), strict=True)],
        monthly_cost=frame["commitment_cost"].to_numpy(),
        estimated_saving=frame["savings"].clip(lower=0).to_numpy(),
        pricing_basis="at stake, not counted in the total: what the commitment saved in the "
                      "month (covered usage at on-demand rates, less its cost and unused part)",
        action=[f"renew or replace it before {e:%Y-%m-%d}, sized to the usage it covers now"
                for e in frame["end_day"]],
    )  # fmt: skip


#: Check name -> (category, function, source read beside the CUR).
COMMITMENT_CHECKS = {
    "savings_plan": ("commitments", savings_plan, "CUR hourly on-demand spend"),
    "expiring_commitment": ("commitments", expiring_commitment, "CUR commitment terms"),
}
