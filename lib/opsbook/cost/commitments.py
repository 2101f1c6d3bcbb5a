"""Reserved Instances and Savings Plans: utilisation, unused cost, savings, coverage, expirations.

Read from the CUR (``cur/commitments``, ``cur/commitment_coverage``): utilisation is the share of
a commitment's cost that covered usage (1 − unused / commitment); savings are the public on-demand
value of the covered usage minus what it cost (amortized) and minus the unused part; coverage is
the share of commitment-eligible usage (EC2 and RDS instance hours, Fargate, Lambda) that ran on a
commitment, at on-demand prices.

:func:`review_commitments` gathers all of it for the notebook. A CUR exported without the
``savings_plan_*`` / ``reservation_*`` columns cannot answer: the review then says so (whether
the data holds commitment line items, and which export setting adds the columns) and its figures
read ``not applicable``, never 0% coverage.

Examples
--------
>>> summary = commitment_summary("2026-10")  # doctest: +SKIP
>>> summary[["commitment_type", "utilisation"]].round(2).values.tolist()  # doctest: +SKIP
>>> review_commitments("2026-10").figures()["coverage"]  # doctest: +SKIP
0.2874
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from opsbook import clock
from opsbook.cost.query import (
    EXPORT_HINT,
    commitment_line_items,
    is_commitment_column,
    run_cur_query,
)
from opsbook.cost.spend import accounts_param, check_month, last_closed_month, today
from opsbook.errors import ConfigurationError, MissingColumnError, QueryFailedError
from opsbook.present import FINDING, PASS, SKIPPED, annotate
from opsbook.runner import checks_arguments
from opsbook.settings import Settings

__all__ = [
    "NOT_APPLICABLE",
    "REQUIRED_COLUMNS",
    "CommitmentReview",
    "NoCommitmentColumnsError",
    "commitment_summary",
    "coverage",
    "expiring_commitments",
    "no_columns_message",
    "review_commitments",
]

#: What a figure reads when the CUR cannot answer it (no commitment columns), never 0 or 0%.
NOT_APPLICABLE = "not applicable"
_COVERAGE_COLUMNS = ["service", "OnDemand", "Reserved", "SavingsPlan", "Spot", "coverage"]

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


class NoCommitmentColumnsError(ConfigurationError):
    """The CUR lacks the Savings Plan / Reserved Instance columns commitment analysis reads."""


def _run(name: str, month: str, accounts: object, settings: Settings | None) -> pd.DataFrame:
    params = {"start_period": check_month(month), "end_period": month,
              "accounts": accounts_param(accounts)}  # fmt: skip
    try:
        return run_cur_query(name, params, basis="public", settings=settings)
    except MissingColumnError as error:
        if not is_commitment_column(error.column):
            raise
        column = error.column
        failure: Exception = error
    except QueryFailedError as error:
        # An engine's own "column not found" (a column opsbook's checks do not know of).
        missing = [c for c in REQUIRED_COLUMNS if c in str(error).lower()]
        if not missing:
            raise
        column, failure = missing[0], error
    message = no_columns_message(column, commitment_line_items(params, settings))
    raise NoCommitmentColumnsError(message) from failure


def no_columns_message(column: str, present: pd.DataFrame) -> str:
    """Return what a CUR without commitment columns means, given its commitment line items.

    Examples
    --------
    >>> no_columns_message("savings_plan_savings_plan_a_r_n", pd.DataFrame(
    ...     columns=["charge_type", "line_items"]))[:60]
    'This CUR export has no Savings Plans / Reserved Instances co'
    """
    head = (
        f"This CUR export has no Savings Plans / Reserved Instances columns ({column} and the "
        "other savings_plan_*, reservation_* columns), so commitment utilisation, coverage and "
        "savings are not applicable here (recorded as such, not as 0%). "
    )
    if len(present):
        kinds = ", ".join(f"{r.line_items:,} {r.charge_type}" for r in present.itertuples())
        why = (
            f"Yet it has commitment line items ({kinds}): commitments exist, and the export "
            "leaves out the columns that describe them. "
        )
    else:
        why = (
            "It has no commitment line items either: either no Reserved Instances or Savings "
            "Plans were bought while this export ran, or the export leaves their columns out. "
        )
    return head + why + f"To analyse commitments, {EXPORT_HINT}."


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
    out = out.sort_values("commitment_cost", ascending=False, ignore_index=True)
    return annotate(out, first=["commitment_type", "commitment_arn", "utilisation",
                                "commitment_cost", "unused_cost", "savings", "end_time"],
                    missing={"utilisation": "no commitment cost"})  # fmt: skip


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
    out.attrs = {
        **rows.attrs,
        "kinds": dict.fromkeys(["OnDemand", "Reserved", "SavingsPlan", "Spot"], "money"),
    }
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
    day = pd.Timestamp(clock.to_day(as_of, "as_of"))
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


def _figures(summary: pd.DataFrame, expiring: pd.DataFrame) -> dict:
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


@dataclass(frozen=True)
class CommitmentReview:
    """What the commitments notebook shows; ``message`` explains a CUR that cannot answer.

    A :class:`~opsbook.present.Report`: SKIPPED when the CUR cannot answer or no commitment was
    active, FINDING when a commitment went partly unused or ends within 90 days, else PASS.
    """

    month: str
    summary: pd.DataFrame
    coverage: pd.DataFrame
    expiring: pd.DataFrame
    message: str = ""

    @property
    def applicable(self) -> bool:
        """Whether the CUR has the commitment columns (else every figure is not applicable)."""
        return not self.message

    def findings(self) -> list[str]:
        """Return utilisation and unused cost, then the commitments ending soon (or why none)."""
        if self.message:
            return [self.message]
        lines = _figures(self.summary, self.expiring)["findings"]
        return lines or [f"no commitment was active in {self.month}"]

    def status(self) -> str:
        """Return SKIPPED without commitments, FINDING for unused or expiring ones, else PASS."""
        if self.message or self.summary.empty:
            return SKIPPED
        unused = float(self.summary["unused_cost"].sum()) >= 0.01
        return FINDING if unused or len(self.expiring) else PASS

    def figures(self) -> dict:
        """Return the figures a report records; ``not applicable`` ones when the CUR cannot say.

        Examples
        --------
        >>> empty = pd.DataFrame()
        >>> CommitmentReview("2026-10", empty, empty, empty, "no columns").figures()["coverage"]
        'not applicable'
        """
        if self.message:
            keys = ("commitment_cost", "unused_commitment_cost", "commitment_savings",
                    "utilisation", "coverage")  # fmt: skip
            return {"commitments_applicable": False, **dict.fromkeys(keys, NOT_APPLICABLE),
                    "expiring_commitments": []}  # fmt: skip
        out = _figures(self.summary, self.expiring)
        del out["findings"]
        cost, unused = out["commitment_cost"], out["unused_commitment_cost"]
        covered = self.coverage[["Reserved", "SavingsPlan"]].sum().sum()
        eligible = covered + self.coverage["OnDemand"].sum()
        return {
            "commitments_applicable": True,
            **out,
            "utilisation": round(1 - unused / cost, 4) if cost else None,
            "coverage": round(float(covered / eligible), 4) if eligible else None,
        }


@checks_arguments("month", "accounts", "as_of")
def review_commitments(
    month: str = "",
    *,
    accounts: str | Iterable[str] | None = None,
    as_of: str | dt.date = "",
    settings: Settings | None = None,
) -> CommitmentReview:
    """Return the commitments of ``month`` (empty: the last closed one), coverage and expirations.

    A CUR without the Savings Plan / Reserved Instance columns gives a review whose ``message``
    says what that means and which export setting adds them, with empty tables and figures
    recorded as ``not applicable``: a scheduled report shows the reason instead of failing or
    reading as 0% coverage.

    Examples
    --------
    >>> review_commitments("2026-10", as_of="2026-11-15").figures()["coverage"]  # doctest: +SKIP
    0.5811
    """
    period = check_month(month or last_closed_month())
    try:
        summary = commitment_summary(period, accounts=accounts, settings=settings)
    except NoCommitmentColumnsError as error:
        empty = pd.DataFrame()
        return CommitmentReview(period, empty, pd.DataFrame(columns=_COVERAGE_COLUMNS), empty,
                                str(error))  # fmt: skip
    expiring = expiring_commitments(summary, as_of or today())
    covered = coverage(period, accounts=accounts, settings=settings)
    return CommitmentReview(period, summary, covered, expiring)
