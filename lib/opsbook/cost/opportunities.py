"""Savings opportunities: what to do about the spend, each priced from the CUR and evidenced.

Every opportunity row names the resource, its account and region, the evidence, its monthly
cost now (the month's CUR usage line items of that ``line_item_resource_id``, on the chosen
basis) and the estimated monthly saving with its pricing basis. The checks:

* **idle**: NAT gateways that processed little data, application load balancers with no
  traffic (CloudWatch ``RequestCount``), idle public IPv4 addresses, EBS volumes with no I/O
  (detached or on a stopped instance), old large snapshots;
* **underused**: EC2 and RDS instances by CPU (and the CloudWatch agent's ``mem_used_percent``
  where it exists), Lambda memory from ``Max Memory Used`` vs ``Memory Size`` in REPORT lines;
* **generation**: gp2 volumes (at the gp3 rate this CUR bills), previous-generation instance
  families, Graviton and AMD candidates;
* **storage**: S3 buckets holding much data in STANDARD that is rarely read.

A resource can be the subject of several checks (an m5 instance: Graviton, AMD and underused);
``counted`` marks the one with the largest saving, and only counted rows add up to the total.
A check whose source cannot be read shows ERROR with the reason (:attr:`OpportunityReview.sections`)
and the others still run.

AWS's own recommendations (Cost Optimization Hub, :mod:`opsbook.billing`) are reconciled with
these: a resource both found keeps one row with both estimates (``aws_action``, ``aws_saving``);
one only AWS found gets a row of check ``aws:<action>``, priced from the CUR where the month has
line items of that resource id, its saving AWS's estimate after discounts.

Examples
--------
>>> review = review_opportunities("2026-10", end="2026-11-15")  # doctest: +SKIP
>>> review.figures()["monthly_saving"]  # doctest: +SKIP
>>> sorted(CHECKS)  # doctest: +NORMALIZE_WHITESPACE
['amd', 'gp2', 'graviton', 'idle_eip', 'idle_load_balancer', 'idle_nat', 'idle_volume',
 'lambda_memory', 'old_snapshot', 'previous_generation', 's3_cold', 'underused_instance']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from opsbook import billing, clock
from opsbook.cost._evidence_checks import EVIDENCE_CHECKS, Evidence
from opsbook.cost._usage_checks import COLUMNS, USAGE_CHECKS, Usage
from opsbook.cost.query import run_cur_query
from opsbook.cost.spend import (
    accounts_param,
    check_basis,
    check_month,
    last_closed_month,
    shift_month,
)
from opsbook.errors import ConfigurationError
from opsbook.present import FINDING, PASS, SKIPPED, annotate, attempt, sections_frame
from opsbook.settings import Settings

__all__ = [
    "CHECKS",
    "OpportunityReview",
    "Thresholds",
    "opportunities",
    "reconcile",
    "resource_usage",
    "review_opportunities",
]


@dataclass(frozen=True)
class Thresholds:
    """The checks' thresholds; the notebook's parameters of the same names, same defaults."""

    nat_min_gb: float = 10.0  # GB processed a month below which a NAT gateway is idle
    lb_min_requests_per_day: float = 100.0
    volume_min_ops_per_day: float = 1.0
    snapshot_min_gb: float = 500.0
    snapshot_min_age_days: int = 90
    cpu_max_percent: float = 40.0  # peak CPU below which an instance is underused
    memory_max_percent: float = 60.0  # ... unless its agent memory peaked at this or more
    lambda_max_used_share: float = 0.5  # most memory used / memory size below which to resize
    lambda_headroom: float = 0.3  # proposed memory: most used + this share, in 64 MB steps
    s3_min_standard_gb: float = 1000.0
    s3_max_gets_per_gb: float = 1.0  # GET requests a month per GB in STANDARD below = cold

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigurationError(f"threshold {name}={value!r}: give a number >= 0")


#: Check name -> (category, source beside the CUR).
CHECKS: dict[str, tuple[str, str]] = {
    **{name: (category, "CUR") for name, (category, _) in USAGE_CHECKS.items()},
    **{name: (category, f"CUR + {source}") for name, (category, _, source)
       in EVIDENCE_CHECKS.items()},
}  # fmt: skip


def resource_usage(
    month: str,
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    history_months: int = 3,
    end: clock.Moment | None = None,
    settings: Settings | None = None,
) -> Usage:
    """Return the month's usage by resource (``cur/resource_usage``) and when each was first billed.

    Examples
    --------
    >>> resource_usage("2026-10").lines.columns.tolist()[:4]  # doctest: +SKIP
    ['account_id', 'account_name', 'region', 'resource_id']
    """
    column = check_basis(basis)
    if column not in ("unblended_cost", "amortized_cost", "public_cost"):
        column = "amortized_cost"
    month = check_month(month)
    params = {"start_period": shift_month(month, -history_months), "end_period": month,
              "accounts": accounts_param(accounts)}  # fmt: skip
    rows = run_cur_query("cur/resource_usage", params, basis=basis, settings=settings)
    first = pd.to_datetime(rows.groupby("resource_id")["first_usage"].min(), utc=True)
    lines = rows.rename(columns={column: "cost"})  # the month's rows; first usage over history
    lines = lines[["account_id", "account_name", "region", "resource_id", "service",
                   "usage_type", "usage_amount", "cost", "public_cost"]].reset_index(drop=True)  # fmt: skip
    as_of = clock.to_utc(end, "end") if end else clock.now()
    out = Usage(month, lines, first, pd.Timestamp(as_of))
    return out


def opportunities(
    usage: Usage, thresholds: Thresholds, evidence: Evidence, errors: dict[str, str]
) -> pd.DataFrame:
    """Return every check's rows, ``counted`` marking each resource's largest saving."""
    frames = []
    runs: dict[str, Callable[[], pd.DataFrame]] = {
        **{n: (lambda f=f: f(usage, thresholds)) for n, (_, f) in USAGE_CHECKS.items()},
        **{n: (lambda f=f: f(usage, thresholds, evidence)) for n, (_, f, _s) in EVIDENCE_CHECKS.items()},
    }  # fmt: skip
    for name, run in runs.items():
        result = attempt(name, errors, run)
        if isinstance(result, pd.DataFrame) and len(result):
            frames.append(result)
    found = (pd.concat(frames, ignore_index=True) if frames
             else pd.DataFrame(columns=COLUMNS))  # fmt: skip
    found = found.astype({"monthly_cost": "float64", "estimated_saving": "float64"})
    found = found.sort_values(["estimated_saving", "resource_id"], ascending=[False, True],
                              na_position="last", ignore_index=True)  # fmt: skip
    found["counted"] = ~found["resource_id"].duplicated() & found["estimated_saving"].notna()
    return annotate(
        found,
        first=["check", "resource_id", "estimated_saving", "monthly_cost", "aws_saving"],
        kinds={"monthly_cost": "money", "estimated_saving": "money"},
        missing={"estimated_saving": "not estimated: the pricing basis says why"},
        empty="no opportunity found by any check that ran",
    )


AWS_SECTION = "cost_optimization_hub"
_AWS_SOURCE = "Cost Optimization Hub (ListRecommendations, or its Data Export)"


def reconcile(found: pd.DataFrame, recommendations: pd.DataFrame, usage: Usage) -> pd.DataFrame:
    """Return ``found`` with AWS's estimate beside each resource both found, plus AWS-only rows.

    A recommendation matches a row when its ``resource_id`` or ``resource_arn`` is the row's
    CUR resource id. AWS-only rows count (``counted``) unless the resource already does.
    """
    recs = recommendations.assign(
        key=recommendations["resource_arn"].where(
            recommendations["resource_arn"].isin(found["resource_id"]),
            recommendations["resource_id"],
        )
    )
    matched = recs[recs["key"].isin(found["resource_id"])]
    best = matched.sort_values("estimated_monthly_savings").drop_duplicates("key", keep="last")
    by_key = best.set_index("key")
    out = found.assign(aws_action=found["resource_id"].map(by_key["action_type"]),
                       aws_saving=found["resource_id"].map(by_key["estimated_monthly_savings"]))  # fmt: skip
    only = recs[~recs["key"].isin(found["resource_id"])]
    if only.empty:
        return out
    keys = only["resource_arn"].where(only["resource_arn"].fillna("") != "", only["resource_id"])
    cost = usage.lines.groupby("resource_id")["cost"].sum()
    names = usage.lines.drop_duplicates("account_id").set_index("account_id")["account_name"]
    extra = pd.DataFrame({
        "check": "aws:" + only["action_type"].astype(str),
        "category": "aws recommendation",
        "resource_id": keys.to_numpy(),
        "account_id": only["account_id"].to_numpy(),
        "account_name": only["account_id"].map(names).to_numpy(),
        "region": only["region"].to_numpy(),
        "service": only["current_resource_type"].to_numpy(),
        "evidence": [f"Cost Optimization Hub ({s}): {c or '-'} -> {r or '-'}" for s, c, r in
                     zip(only["source"], only["current_resource_summary"],
                         only["recommended_resource_summary"], strict=True)],
        "monthly_cost": keys.map(cost).to_numpy(),
        "estimated_saving": only["estimated_monthly_savings"].to_numpy(),
        "pricing_basis": [f"AWS's estimate after discounts, refreshed {t:%Y-%m-%d}"
                          for t in only["last_refresh"]],
        "action": only["action_type"].to_numpy(),
        "aws_action": only["action_type"].to_numpy(),
        "aws_saving": only["estimated_monthly_savings"].to_numpy(),
    })  # fmt: skip
    extra["counted"] = ~extra["resource_id"].isin(out.loc[out["counted"], "resource_id"])
    merged = pd.concat([out, extra], ignore_index=True)
    merged.attrs = found.attrs
    return merged.sort_values(["estimated_saving", "resource_id"], ascending=[False, True],
                              na_position="last", ignore_index=True)  # fmt: skip


@dataclass(frozen=True)
class OpportunityReview:
    """A month's savings opportunities, by check; a :class:`~opsbook.present.Report`."""

    month: str
    window: tuple[pd.Timestamp, pd.Timestamp]
    found: pd.DataFrame
    by_check: pd.DataFrame
    sections: pd.DataFrame
    unevaluated: dict[str, int] = field(default_factory=dict)
    month_cost: float = 0.0

    @property
    def total_saving(self) -> float:
        """The estimated monthly saving: each resource's largest saving, once."""
        return float(self.found.loc[self.found["counted"], "estimated_saving"].sum())

    def figures(self) -> dict[str, Any]:
        """Return the total, the count and the saving per check (checks that ran)."""
        return {
            "month": self.month,
            "monthly_saving": round(self.total_saving, 2),
            "opportunities": int(self.found["counted"].sum()),
            "saving_by_check": self.by_check.set_index("check")["saving"].round(2).to_dict(),
            "checks_failed": sorted(self.sections.loc[self.sections["status"] != "ok", "section"]),
        }

    def findings(self) -> list[str]:
        """Return the total saving, the largest opportunity and the checks that could not run."""
        lines = []
        if self.found.empty:
            lines.append(f"no savings opportunity found in {self.month} by the checks that ran")
        else:
            top = self.found.iloc[0]
            lines.append(
                f"${self.total_saving:,.0f} a month to save across "
                f"{int(self.found['counted'].sum())} resources in {self.month} "
                f"({self.total_saving / self.month_cost:.1%} of the usage priced)"
                if self.month_cost
                else f"${self.total_saving:,.0f} a month to save"
            )
            lines.append(f"largest: {top['check']} {top['resource_id']} ({top['account_name']}) "
                         f"${top['estimated_saving']:,.0f} a month - {top['action']}")  # fmt: skip
        for row in self.sections.itertuples():
            if row.status != "ok":
                lines.append(f"{row.section} could not run: {row.reason}")
        for name, count in self.unevaluated.items():
            if count:
                lines.append(f"{name}: {count} resources not evaluated (no CloudWatch data)")
        return lines

    def status(self) -> str:
        """Return FINDING when there is something to save, SKIPPED when the month has no usage."""
        if self.month_cost == 0 and self.found.empty:
            return SKIPPED
        return FINDING if self.total_saving > 0 else PASS


def review_opportunities(
    month: str = "",
    *,
    end: clock.Moment | None = None,
    lookback_days: int = 14,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    thresholds: Thresholds | None = None,
    max_resources: int = 200,
    logs_account: str = "",
    settings: Settings | None = None,
    **threshold_values: float,
) -> OpportunityReview:
    """Run every check on ``month`` (empty: the last closed) with evidence from the window ending ``end``.

    Parameters
    ----------
    month
        Billing period whose line items price the resources (``YYYY-MM``).
    end, lookback_days
        The CloudWatch and logs evidence window: ``lookback_days`` days up to ``end``
        (default: now).
    thresholds, threshold_values
        :class:`Thresholds`, or its fields by name.
    max_resources
        The costliest resources per check whose metrics are read.
    logs_account
        Account whose Lambda log groups the logs source reads; empty: match by function name.

    Examples
    --------
    >>> review_opportunities("2026-10", end="2026-11-15").status()  # doctest: +SKIP
    'FINDING'
    """
    period = check_month(month or last_closed_month())
    if (
        isinstance(lookback_days, bool)
        or not isinstance(lookback_days, int)
        or not 1 <= lookback_days <= 455
    ):
        raise ConfigurationError(f"lookback_days {lookback_days!r}: give whole days from 1 to 455")
    t = thresholds or Thresholds(**threshold_values)
    stop = pd.Timestamp(clock.to_utc(end, "end") if end else clock.now()).floor("min")
    usage = resource_usage(period, basis=basis, accounts=accounts, end=stop, settings=settings)
    evidence = Evidence(stop - pd.Timedelta(days=lookback_days), stop, settings, max_resources,
                        logs_account)  # fmt: skip
    errors: dict[str, str] = {}
    found = opportunities(usage, t, evidence, errors)
    recs = attempt(AWS_SECTION, errors,
                   lambda: billing.read_optimization_recommendations(settings=settings))  # fmt: skip
    if isinstance(recs, pd.DataFrame):
        found = reconcile(found, recs, usage)
    else:
        found = found.assign(aws_action=pd.NA, aws_saving=float("nan"))
    annotate(found, kinds={"aws_saving": "money"},
             missing={"aws_saving": "AWS made no recommendation for this resource",
                      "monthly_cost": "no line item of this resource id in the month"})  # fmt: skip
    counted = found[found["counted"]]
    aws = counted[counted["check"].str.startswith("aws:")]
    by_check = pd.DataFrame({
        "check": list(CHECKS),
        "category": [CHECKS[c][0] for c in CHECKS],
        "source": [CHECKS[c][1] for c in CHECKS],
        "resources": [int((found["check"] == c).sum()) for c in CHECKS],
        "saving": [float(counted.loc[counted["check"] == c, "estimated_saving"].sum())
                   if c not in errors else float("nan") for c in CHECKS],
        "saving_if_alone": [float(found.loc[found["check"] == c, "estimated_saving"].sum())
                            if c not in errors else float("nan") for c in CHECKS],
        "not_evaluated": [evidence.unevaluated.get(c, pd.NA) for c in CHECKS],
    })  # fmt: skip
    by_check = pd.concat([by_check, pd.DataFrame([{
        "check": "aws recommendations", "category": "aws recommendation", "source": _AWS_SOURCE,
        "resources": int(found["check"].str.startswith("aws:").sum()),
        "saving": float(aws["estimated_saving"].sum()) if AWS_SECTION not in errors else float("nan"),
        "saving_if_alone": float(found.loc[found["check"].str.startswith("aws:"), "estimated_saving"].sum())
        if AWS_SECTION not in errors else float("nan"),
        "not_evaluated": pd.NA}])], ignore_index=True)  # fmt: skip
    by_check = annotate(by_check, kinds={"saving": "money", "saving_if_alone": "money"},
                        missing={"saving": "the check could not run (see sections)",
                                 "saving_if_alone": "the check could not run (see sections)",
                                 "not_evaluated": "the CUR alone answers this check"})  # fmt: skip
    sections = sections_frame({**{c: CHECKS[c][1] for c in CHECKS}, AWS_SECTION: _AWS_SOURCE},
                              errors)  # fmt: skip
    return OpportunityReview(period, (evidence.start, stop), found, by_check, sections,
                             dict(evidence.unevaluated), float(usage.lines["cost"].sum()))  # fmt: skip
