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
* **underused**, provisioned: DynamoDB read/write capacity and io1/io2/gp3 IOPS well above the
  busiest hour's use (CloudWatch);
* **storage**: S3 buckets holding much data in STANDARD that is rarely read, log groups that
  never expire (DescribeLogGroups) with the storage cost of what is older than a retention;
* **commitments**: a Compute Savings Plan sized from the hourly on-demand spend, and Reserved
  Instances and Savings Plans about to expire (their saving is at stake, never counted).

A resource can be the subject of several checks (an m5 instance: Graviton, AMD and underused);
``counted`` marks the one with the largest saving, and only counted rows add up to the total.
A check whose source cannot be read shows ERROR with the reason (:attr:`OpportunityReview.sections`)
and the others still run.

AWS's own recommendations (Cost Optimization Hub and Compute Optimizer, :mod:`opsbook.billing`)
are reconciled with these: a resource both found keeps one row with every estimate (the hub's
``aws_action`` and ``aws_saving``, Compute Optimizer's finding ``co_action`` and ``co_saving``);
one only AWS found gets a row of check ``aws:<action>`` (the hub) or ``co:<finding>`` (Compute
Optimizer, unless the hub already named it), priced from the CUR where the month has line items
of that resource id, its saving AWS's estimate after discounts. Compute Optimizer's
``Optimized`` resources (no saving) add no row.

Examples
--------
>>> review = review_opportunities("2026-10", end="2026-11-15")  # doctest: +SKIP
>>> review.figures()["monthly_saving"]  # doctest: +SKIP
>>> sorted(CHECKS)  # doctest: +NORMALIZE_WHITESPACE
['amd', 'dynamodb_capacity', 'expiring_commitment', 'gp2', 'graviton', 'idle_eip',
 'idle_load_balancer', 'idle_nat', 'idle_volume', 'lambda_memory', 'log_retention',
 'old_snapshot', 'previous_generation', 'provisioned_iops', 's3_cold', 'savings_plan',
 'underused_instance']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from opsbook import billing, clock
from opsbook.cost._capacity_checks import CAPACITY_CHECKS
from opsbook.cost._commitment_checks import AT_STAKE, COMMITMENT_CHECKS, PLAN_ID
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
from opsbook.runner import checks_arguments
from opsbook.settings import Settings

__all__ = [
    "AWS_SOURCES",
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
    log_retention_days: int = 90  # suggested retention of a log group that never expires
    capacity_max_used_share: float = 0.3  # busiest hour / provisioned (DynamoDB, IOPS) below
    capacity_headroom: float = 0.3  # proposed capacity: the busiest hour plus this share
    sp_percentile: float = 10.0  # the hour (percentile of hourly on-demand) a Savings Plan covers
    sp_discount: float = 0.2  # Compute Savings Plan (1 year, no upfront) below on-demand
    sp_min_hourly_commitment: float = 0.1  # USD an hour below which no plan is proposed
    expiring_days: int = 90  # commitments ending within this many days

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigurationError(f"threshold {name}={value!r}: give a number >= 0")
        for name, top in (("sp_percentile", 100), ("sp_discount", 0.99),
                          ("capacity_max_used_share", 1)):  # fmt: skip
            if getattr(self, name) > top:
                raise ConfigurationError(f"threshold {name}={getattr(self, name)!r}: at most {top}")


#: Check name -> (category, source beside the CUR).
CHECKS: dict[str, tuple[str, str]] = {
    **{name: (category, "CUR") for name, (category, _) in USAGE_CHECKS.items()},
    **{name: (category, f"CUR + {source}") for name, (category, _, source)
       in {**EVIDENCE_CHECKS, **CAPACITY_CHECKS}.items()},
    **{name: (category, source) for name, (category, _, source) in COMMITMENT_CHECKS.items()},
}  # fmt: skip
_WITH_EVIDENCE = {**EVIDENCE_CHECKS, **CAPACITY_CHECKS, **COMMITMENT_CHECKS}


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
        **{n: (lambda f=f: f(usage, thresholds, evidence)) for n, (_, f, _s) in _WITH_EVIDENCE.items()},
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
    found["counted"] = (~found["resource_id"].duplicated() & found["estimated_saving"].notna()
                        & ~found["check"].isin(AT_STAKE))  # fmt: skip
    return annotate(
        found,
        first=[
            "check",
            "resource_id",
            "estimated_saving",
            "monthly_cost",
            "aws_saving",
            "co_saving",
        ],
        kinds={"monthly_cost": "money", "estimated_saving": "money"},
        missing={"estimated_saving": "not estimated: the pricing basis says why"},
        empty="no opportunity found by any check that ran",
    )


@dataclass(frozen=True)
class _AwsSource:
    """One source of AWS's own recommendations and how its rows join opsbook's."""

    section: str  # the section's name (ERROR there when the source cannot be read)
    label: str  # the source and its APIs, as the sections table names them
    prefix: str  # columns ``<prefix>_action`` and ``<prefix>_saving``; checks ``<prefix>:<action>``
    group: str  # its row in ``by_check``
    estimate: str  # what its saving is, in the pricing basis
    read: Callable[[Settings | None], pd.DataFrame]
    normalise: Callable[[pd.DataFrame], pd.DataFrame]


def _from_hub(recs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "resource_id": recs["resource_id"], "resource_arn": recs["resource_arn"],
        "account_id": recs["account_id"], "region": recs["region"],
        "resource_type": recs["current_resource_type"], "action": recs["action_type"],
        "saving": recs["estimated_monthly_savings"], "refreshed": recs["last_refresh"],
        "evidence": [f"Cost Optimization Hub ({s}): {c or '-'} -> {r or '-'}" for s, c, r in
                     zip(recs["source"], recs["current_resource_summary"],
                         recs["recommended_resource_summary"], strict=True)],
    })  # fmt: skip


def _from_optimizer(recs: pd.DataFrame) -> pd.DataFrame:
    recs = recs[recs["estimated_monthly_savings"].fillna(0) > 0]  # Optimized: nothing to do
    risk = recs["performance_risk"].map(lambda r: "" if pd.isna(r) else f", performance risk {r:g}")
    return pd.DataFrame({
        "resource_id": recs["resource_id"], "resource_arn": recs["resource_arn"],
        "account_id": recs["account_id"], "region": recs["region"],
        "resource_type": recs["resource_type"], "action": recs["finding"],
        "saving": recs["estimated_monthly_savings"], "refreshed": recs["last_refresh"],
        "evidence": [f"Compute Optimizer ({why or f}): {c or '-'} -> {r or '-'}{k}"
                     for f, why, c, r, k in zip(recs["finding"], recs["finding_reasons"].fillna(""),
                                                recs["current"], recs["recommended"], risk,
                                                strict=True)],
    })  # fmt: skip


#: AWS's recommendations, reconciled in this order: a resource Compute Optimizer and the hub
#: both name (the hub relays many of Compute Optimizer's) keeps one row with both estimates.
AWS_SOURCES = {
    source.section: source
    for source in (
        _AwsSource("cost_optimization_hub",
                   "Cost Optimization Hub (ListRecommendations, or its Data Export)",
                   "aws", "aws recommendations", "AWS's estimate after discounts",
                   lambda settings: billing.read_optimization_recommendations(settings=settings),
                   _from_hub),
        _AwsSource("compute_optimizer",
                   "Compute Optimizer (GetEC2InstanceRecommendations, "
                   "GetEBSVolumeRecommendations, GetLambdaFunctionRecommendations)",
                   "co", "compute optimizer", "Compute Optimizer's estimate after discounts "
                   "(its first-ranked option)",
                   lambda settings: billing.read_compute_optimizer_recommendations(
                       settings=settings),
                   _from_optimizer),
    )
}  # fmt: skip
AWS_SECTION = "cost_optimization_hub"


def reconcile(
    found: pd.DataFrame,
    recommendations: pd.DataFrame,
    usage: Usage,
    *,
    source: str = AWS_SECTION,
) -> pd.DataFrame:
    """Return ``found`` with AWS's estimate beside each resource both found, plus AWS-only rows.

    ``recommendations`` are ``source``'s (a key of :data:`AWS_SOURCES`: Cost Optimization Hub's
    or Compute Optimizer's frame). A recommendation matches a row when its ``resource_id`` or
    ``resource_arn`` is the row's CUR resource id; a Compute Savings Plan purchase matches the
    ``savings_plan`` row of its account. Its action and saving go into ``<prefix>_action`` and
    ``<prefix>_saving``. AWS-only rows count (``counted``) unless the resource already does.
    """
    spec = AWS_SOURCES[source]
    recs = spec.normalise(recommendations)
    plan = (recs["action"] == "PurchaseSavingsPlans") & (
        recs["resource_type"] == "ComputeSavingsPlans"
    )
    recs = recs.assign(
        key=recs["resource_arn"].where(recs["resource_arn"].isin(found["resource_id"]),
                                       recs["resource_id"])
        .where(~plan, PLAN_ID + recs["account_id"].astype(str))
    )  # fmt: skip
    matched = recs[recs["key"].isin(found["resource_id"])]
    best = matched.sort_values("saving").drop_duplicates("key", keep="last")
    by_key = best.set_index("key")
    action, saving = f"{spec.prefix}_action", f"{spec.prefix}_saving"
    out = found.assign(**{action: found["resource_id"].map(by_key["action"]),
                          saving: found["resource_id"].map(by_key["saving"])})  # fmt: skip
    only = recs[~recs["key"].isin(found["resource_id"])]
    if only.empty:
        return out
    cost = usage.lines.groupby("resource_id")["cost"].sum()
    # the id the CUR bills where it bills one of them, else the ARN, else the id
    keys = only["resource_arn"].where(only["resource_arn"].fillna("") != "", only["resource_id"])
    keys = keys.where(~only["resource_id"].isin(cost.index), only["resource_id"])
    names = usage.lines.drop_duplicates("account_id").set_index("account_id")["account_name"]
    extra = pd.DataFrame({
        "check": f"{spec.prefix}:" + only["action"].astype(str),
        "category": "aws recommendation",
        "resource_id": keys.to_numpy(),
        "account_id": only["account_id"].to_numpy(),
        "account_name": only["account_id"].map(names).to_numpy(),
        "region": only["region"].to_numpy(),
        "service": only["resource_type"].to_numpy(),
        "evidence": only["evidence"].to_numpy(),
        "monthly_cost": keys.map(cost).to_numpy(),
        "estimated_saving": only["saving"].to_numpy(),
        "pricing_basis": [f"{spec.estimate}, refreshed {t:%Y-%m-%d}" for t in only["refreshed"]],
        "action": only["action"].to_numpy(),
        action: only["action"].to_numpy(),
        saving: only["saving"].to_numpy(),
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


@checks_arguments("month", "end", "basis", "accounts", "max_resources", "logs_account")
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
                        logs_account, accounts=accounts_param(accounts), basis=basis)  # fmt: skip
    errors: dict[str, str] = {}
    found = opportunities(usage, t, evidence, errors)
    for spec in AWS_SOURCES.values():
        recs = attempt(spec.section, errors, lambda spec=spec: spec.read(settings))
        if isinstance(recs, pd.DataFrame):
            found = reconcile(found, recs, usage, source=spec.section)
        else:
            found = found.assign(**{f"{spec.prefix}_action": pd.NA,
                                    f"{spec.prefix}_saving": float("nan")})  # fmt: skip
    annotate(found, kinds={"aws_saving": "money", "co_saving": "money"},
             missing={"aws_saving": "no recommendation",
                      "co_saving": "no recommendation",
                      "monthly_cost": "no line item of this resource id in the month"})  # fmt: skip
    counted = found[found["counted"]]
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
    aws_rows = []
    for spec in AWS_SOURCES.values():
        mine = found["check"].str.startswith(f"{spec.prefix}:")
        failed = spec.section in errors
        aws_rows.append({
            "check": spec.group, "category": "aws recommendation", "source": spec.label,
            "resources": int(mine.sum()),
            "saving": float("nan") if failed else float(found.loc[mine & found["counted"],
                                                                  "estimated_saving"].sum()),
            "saving_if_alone": float("nan") if failed
            else float(found.loc[mine, "estimated_saving"].sum()),
            "not_evaluated": pd.NA,
        })  # fmt: skip
    by_check = pd.concat([by_check, pd.DataFrame(aws_rows)], ignore_index=True)
    by_check = annotate(by_check, kinds={"saving": "money", "saving_if_alone": "money"},
                        missing={"saving": "the check could not run (see sections)",
                                 "saving_if_alone": "the check could not run (see sections)",
                                 "not_evaluated": "the CUR alone answers this check"})  # fmt: skip
    sections = sections_frame({**{c: CHECKS[c][1] for c in CHECKS},
                               **{k: spec.label for k, spec in AWS_SOURCES.items()}}, errors)  # fmt: skip
    return OpportunityReview(period, (evidence.start, stop), found, by_check, sections,
                             dict(evidence.unevaluated), float(usage.lines["cost"].sum()))  # fmt: skip
