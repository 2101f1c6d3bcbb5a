"""CloudWatch hygiene and what observability costs: log groups, silent alarms, CloudWatch spend.

Definitions (the notebook shows the same text):

- **No retention**: a log group without a retention policy never expires its events; its
  stored bytes cost ``STORAGE_USD_PER_GB_MONTH`` ($0.03 per GB-month, us-east-1 standard class)
  every month, growing. Both backends read DescribeLogGroups output (the API, or the saved JSON).
- **Stale group**: no event written in the last ``stale_days`` days, or no event found at all.
- **Alarm with no actions**: its ALARM state notifies nobody (no AlarmActions, or actions
  disabled).
- **Stuck**: in INSUFFICIENT_DATA for at least ``stuck_hours`` (the metric stopped or never
  existed).
- **Flapping**: state changes per day over the window; the most flapping first.
- **CloudWatch spend**: CUR lines of product ``AmazonCloudWatch`` by usage type, named by what
  they pay for (logs ingestion, log storage, Logs Insights scans, metrics, GetMetricData...).

Each section reads its own source; one that cannot be read (an API the endpoint does not offer,
a missing file) shows ``ERROR`` and the reason in place of its figures
(:class:`opsbook.present.SectionError`).

Examples
--------
>>> report = review_hygiene("2026-11-01", "2026-11-15", month="2026-10")  # doctest: +SKIP
>>> report.silent.alarm_name.tolist()  # doctest: +SKIP
['checkout-api-ecs-cpu-high', 'orders-worker-throttles']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from opsbook import athena, clock
from opsbook._docs import shared_params
from opsbook.alarms import read_alarm_history
from opsbook.cost.spend import last_closed_month
from opsbook.errors import ConfigurationError
from opsbook.ops.delivery import resolve_window
from opsbook.ops.inventory import read_alarm_actions, read_log_group_settings
from opsbook.present import (
    SectionError,
    annotate,
    attempt,
    derive,
    format_value,
    read_or_none,
    sections_frame,
    status_of,
)
from opsbook.runner import checks_arguments
from opsbook.settings import Settings

__all__ = [
    "STORAGE_USD_PER_GB_MONTH",
    "HygieneReport",
    "cloudwatch_spend",
    "flapping_alarms",
    "log_groups_without_retention",
    "review_hygiene",
    "silent_alarms",
    "stale_log_groups",
    "stuck_alarms",
]

STORAGE_USD_PER_GB_MONTH = 0.03
_GB = 1024**3
# Usage-type suffixes (after the region prefix) -> what the money pays for.
_USAGE_KINDS = (
    (r"DataProcessing(-IA)?-Bytes$", "logs ingestion"),
    (r"VendedLog-Bytes$", "logs ingestion (vended)"),
    (r"TimedStorage-ByteHrs$", "log storage"),
    (r"DataScanned-Bytes$", "Logs Insights scans"),
    (r"CW:MetricMonitorUsage$", "custom metrics"),
    (r"CW:(GMD-Metrics|Requests)$", "GetMetricData / API requests"),
    (r"DashboardsUsageHour(-Basic)?$", "dashboards"),
    (r"CW:AlarmMonitorUsage$|AlarmMonitorUsage", "alarms"),
    (r"CW:Canary", "synthetics canaries"),
    (r"Logs-LiveTail", "Live Tail"),
)

# Report sections and the source each reads.
SECTIONS = {
    "log groups": "DescribeLogGroups (+ DescribeLogStreams / log files for the last event)",
    "alarms": "DescribeAlarms",
    "alarm history": "DescribeAlarmHistory",
    "spend": "CUR (Athena)",
}


def log_groups_without_retention(groups: pd.DataFrame) -> pd.DataFrame:
    """Return log groups with no retention, largest first, with their monthly storage cost.

    Parameters
    ----------
    groups
        From :func:`opsbook.ops.inventory.read_log_group_settings`.

    Examples
    --------
    >>> log_groups_without_retention(read_log_group_settings())  # doctest: +SKIP
    """
    out = groups[groups["retention_days"].isna()].copy()
    out["stored_gb"] = out["stored_bytes"].astype("float64") / _GB
    out["usd_per_month"] = out["stored_gb"] * STORAGE_USD_PER_GB_MONTH
    return out.sort_values("stored_bytes", ascending=False, ignore_index=True, na_position="last")


def stale_log_groups(
    groups: pd.DataFrame, as_of: clock.Moment, *, stale_days: int = 30
) -> pd.DataFrame:
    """Return log groups whose last event is older than ``stale_days`` before ``as_of``.

    Groups with no event found (no stream on AWS, no event in the local log files) are listed
    too, ``days_since_write`` missing, ``why`` saying so: a group nobody writes to is stale.

    Examples
    --------
    >>> stale_log_groups(read_log_group_settings(), "2026-11-15", stale_days=7)  # doctest: +SKIP
    """
    if stale_days < 1:
        raise ConfigurationError(f"stale_days {stale_days}: give a whole number of days >= 1")
    as_of_at = clock.to_utc(as_of, "as_of")
    age = (as_of_at - groups["last_event"]).dt.total_seconds() / 86400
    out = groups.assign(days_since_write=age)
    out = out[age.isna() | (age >= stale_days)].copy()
    out["why"] = out["days_since_write"].map(
        lambda days: "no event found" if pd.isna(days) else f"last event {days:.0f} days ago"
    )
    return out.sort_values(
        ["days_since_write", "log_group"], ascending=[False, True], ignore_index=True,
        na_position="first",
    )  # fmt: skip


def silent_alarms(alarms: pd.DataFrame) -> pd.DataFrame:
    """Return alarms whose ALARM state notifies nobody (no alarm actions, or actions disabled).

    Examples
    --------
    >>> silent_alarms(read_alarm_actions()).alarm_name.tolist()  # doctest: +SKIP
    """
    silent = (alarms["alarm_actions"].fillna(0) == 0) | (alarms["actions_enabled"] == False)  # noqa: E712
    out = alarms[silent].copy()
    out["why"] = out["actions_enabled"].map(
        lambda enabled: "actions disabled" if enabled is False else "no alarm actions"
    )
    return out.reset_index(drop=True)


def stuck_alarms(
    alarms: pd.DataFrame, as_of: clock.Moment, *, stuck_hours: float = 24
) -> pd.DataFrame:
    """Return alarms in INSUFFICIENT_DATA for at least ``stuck_hours`` at ``as_of``.

    Examples
    --------
    >>> stuck_alarms(read_alarm_actions(), "2026-11-15")  # doctest: +SKIP
    """
    as_of_at = clock.to_utc(as_of, "as_of")
    out = alarms[alarms["state"] == "INSUFFICIENT_DATA"].copy()
    out["hours_in_state"] = (as_of_at - out["state_updated"]).dt.total_seconds() / 3600
    out = out[out["hours_in_state"].isna() | (out["hours_in_state"] >= stuck_hours)]
    return out.sort_values("hours_in_state", ascending=False, ignore_index=True)


def flapping_alarms(history: pd.DataFrame, days: float, *, top: int = 10) -> pd.DataFrame:
    """Return the alarms with the most state changes per day in the window, most first.

    Parameters
    ----------
    history
        StateUpdate items from :func:`opsbook.alarms.read_alarm_history`.
    days
        The window's length in days.
    top
        How many alarms to return.

    Examples
    --------
    >>> flapping_alarms(read_alarm_history("2026-11-01", "2026-11-15"), 14)  # doctest: +SKIP
    """
    changes = history[history["item_type"] == "StateUpdate"]
    out = changes.groupby("alarm_name", as_index=False).agg(
        state_changes=("timestamp", "size"),
        to_alarm=("new_state", lambda s: int((s == "ALARM").sum())),
        first=("timestamp", "min"),
        last=("timestamp", "max"),
    )
    out["changes_per_day"] = out["state_changes"] / max(days, 1e-9)
    return out.sort_values(
        ["changes_per_day", "alarm_name"], ascending=[False, True], ignore_index=True
    ).head(top)


def _usage_kind(usage_type: str) -> str:
    for pattern, kind in _USAGE_KINDS:
        if re.search(pattern, usage_type):
            return kind
    return "other"


def cloudwatch_spend(
    month: str,
    *,
    accounts: Iterable[str] = (),
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return CloudWatch's own spend in ``month`` (YYYY-MM) by usage type, largest first.

    Usage line items only (also discounted and Savings Plans-covered usage): tax, credits and
    refunds are not what observability costs.

    Returns
    -------
    pandas.DataFrame
        ``kind`` (what it pays for), ``usage_type`` (without region prefix), ``operation``,
        ``usage_unit``, ``usage_amount``, ``unblended_cost``, ``amortized_cost``, ``share``.

    Examples
    --------
    >>> cloudwatch_spend("2026-10").head(3)  # doctest: +SKIP
    """
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        raise ConfigurationError(f"month {month!r}: give a billing period as YYYY-MM")
    params = {"start_period": month, "end_period": month,
              "accounts": ",".join(a for a in accounts if a)}  # fmt: skip
    rows = athena.query("cur/cloudwatch_spend", params, settings=settings)
    # USE1-DataProcessing-Bytes and EUW1-... pay for the same thing: group without the prefix.
    bare = rows["usage_type"].str.replace(r"^[A-Z]{2,4}\d?-", "", regex=True)
    out = (
        rows.assign(usage_type=bare)
        .groupby(["usage_type", "operation", "usage_unit"], as_index=False, dropna=False)
        .agg(
            usage_amount=("usage_amount", "sum"),
            unblended_cost=("unblended_cost", "sum"),
            amortized_cost=("amortized_cost", "sum"),
        )
    )
    out.insert(0, "kind", out["usage_type"].map(_usage_kind))
    total = out["unblended_cost"].sum()
    out["share"] = out["unblended_cost"] / total if total else 0.0
    out.attrs = rows.attrs
    return out.sort_values("unblended_cost", ascending=False, ignore_index=True)


Frame = pd.DataFrame | SectionError


@dataclass
class HygieneReport:
    """Everything the hygiene notebook shows; a section whose source failed is a SectionError."""

    as_of: pd.Timestamp
    days: float
    month: str
    log_groups: Frame
    no_retention: Frame
    stale: Frame
    alarms: Frame
    silent: Frame
    stuck: Frame
    flapping: Frame
    spend: Frame
    errors: dict[str, str] = field(default_factory=dict)

    def figures(self) -> dict[str, object]:
        """Return the figures worth recording; those of a failed section are ``None``."""
        read = (self.no_retention, self.silent, self.stuck, self.stale, self.flapping, self.spend)
        groups, silent, stuck, stale, flapping, spend = map(read_or_none, read)
        return {
            "log_groups": int(len(self.log_groups)) if groups is not None else None,
            "no_retention": groups["log_group"].tolist() if groups is not None else None,
            "no_retention_usd_per_month": round(float(groups["usd_per_month"].sum()), 4)
            if groups is not None
            else None,
            "stale_log_groups": stale["log_group"].tolist() if stale is not None else None,
            "silent_alarms": silent["alarm_name"].tolist() if silent is not None else None,
            "stuck_alarms": stuck["alarm_name"].tolist() if stuck is not None else None,
            "most_flapping": flapping["alarm_name"].iloc[0]
            if flapping is not None and len(flapping)
            else None,
            "cloudwatch_usd": round(float(spend["unblended_cost"].sum()), 2)
            if spend is not None
            else None,
            "errors": dict(self.errors),
        }

    def findings(self) -> list[str]:
        """Return the findings: failed sections first, then each kind of problem found."""
        return _findings(self)

    def status(self) -> str:
        """Return ERROR when a source failed, FINDING when a problem was found, else PASS."""
        problems = [f for f in (self.no_retention, self.stale, self.silent, self.stuck,
                                self.flapping) if read_or_none(f) is not None and len(f)]  # fmt: skip
        return status_of(problems, errors=self.errors)

    def sources(self) -> pd.DataFrame:
        """Return each section's source and state: ``ok``, or ``ERROR`` with the reason."""
        return sections_frame(SECTIONS, self.errors)


@checks_arguments("start", "end", "month", "days", "stale_days", "stuck_hours", "top")
@shared_params
def review_hygiene(
    start: clock.Moment | None,
    end: clock.Moment | None,
    *,
    month: str = "",
    days: int = 14,
    stale_days: int = 30,
    stuck_hours: float = 24,
    top: int = 10,
    accounts: Iterable[str] = (),
    settings: Settings | None = None,
) -> HygieneReport:
    """Return the CloudWatch hygiene findings: log groups, alarms (history in ``[start, end)``).

    Parameters
    ----------
    start, end
        Window of alarm history for flapping; ``end`` is also the "as of" time for stale groups
        and stuck alarms.
        Empty: see :func:`opsbook.ops.delivery.resolve_window` (``days`` long).
    month
        Billing period (YYYY-MM) of the CloudWatch spend; empty: the last closed month.
    stale_days, stuck_hours, top
        See :func:`stale_log_groups`, :func:`stuck_alarms`, :func:`flapping_alarms`.
    accounts
        Linked accounts of the spend (empty: all).

    Examples
    --------
    >>> review_hygiene("2026-11-01", "2026-11-15", month="2026-10").figures()  # doctest: +SKIP
    """
    start_at, end_at = resolve_window(start, end, days)
    month = month or last_closed_month(end_at.date())
    days = (end_at - start_at).total_seconds() / 86400
    errors: dict[str, str] = {}
    groups = attempt("log groups", errors, lambda: read_log_group_settings(settings=settings))
    alarms = attempt("alarms", errors, lambda: read_alarm_actions(settings=settings))
    history = attempt(
        "alarm history", errors, lambda: read_alarm_history(start_at, end_at, settings=settings)
    )
    spend = attempt(
        "spend", errors, lambda: cloudwatch_spend(month, accounts=accounts, settings=settings)
    )
    return HygieneReport(
        as_of=end_at,
        days=days,
        month=month,
        log_groups=groups,
        no_retention=annotate(
            derive(groups, log_groups_without_retention),
            first=["log_group", "stored_gb", "usd_per_month", "last_event"],
            empty="Every log group has a retention policy.",
        ),
        stale=annotate(
            derive(groups, lambda g: stale_log_groups(g, end_at, stale_days=stale_days)),
            first=["log_group", "why", "days_since_write", "last_event"],
            empty=f"Every log group was written to in the last {stale_days} days.",
        ),
        alarms=alarms,
        silent=annotate(
            derive(alarms, silent_alarms),
            first=["alarm_name", "why", "state"],
            empty="Every alarm notifies someone.",
        ),
        stuck=annotate(
            derive(alarms, lambda a: stuck_alarms(a, end_at, stuck_hours=stuck_hours)),
            first=["alarm_name", "hours_in_state", "state", "state_updated"],
            empty=f"No alarm in INSUFFICIENT_DATA for {stuck_hours:g} hours or more.",
        ),
        flapping=derive(history, lambda h: flapping_alarms(h, days, top=top)),
        spend=spend,
        errors=errors,
    )


def _findings(report: HygieneReport) -> list[str]:
    out = [f"ERROR {name}: {reason}" for name, reason in report.errors.items()]
    ok = {name: name not in report.errors for name in SECTIONS}
    if ok["log groups"] and len(report.no_retention):
        out.append(
            f"{len(report.no_retention)} of {len(report.log_groups)} log groups never expire "
            f"({format_value(report.no_retention['stored_gb'].sum(), 'size:GB')} stored, "
            f"{format_value(report.no_retention['usd_per_month'].sum(), 'money')} a month "
            "and growing)"
        )
    if ok["log groups"] and len(report.stale):
        out.append(f"{len(report.stale)} log groups not written to recently: "
                   + ", ".join(report.stale["log_group"]))  # fmt: skip
    if ok["alarms"] and len(report.silent):
        out.append("alarms that notify nobody: " + ", ".join(report.silent["alarm_name"]))
    if ok["alarms"] and len(report.stuck):
        out.append(
            "alarms stuck in INSUFFICIENT_DATA: "
            + ", ".join(
                f"{r.alarm_name} ({r.hours_in_state / 24:.0f} d)" for r in report.stuck.itertuples()
            )  # fmt: skip
        )
    if ok["alarm history"] and len(report.flapping):
        first = report.flapping.iloc[0]
        out.append(
            f"most flapping: {first['alarm_name']} ({first['changes_per_day']:.1f} state "
            "changes a day)"
        )
    if ok["spend"] and len(report.spend):
        top = report.spend.iloc[0]
        out.append(
            f"CloudWatch cost ${report.spend['unblended_cost'].sum():,.2f} in {report.month}; "
            f"largest: {top['kind']} ({top['usage_type']}, {top['share']:.0%})"
        )
    elif ok["spend"]:
        out.append(f"no CloudWatch lines in the CUR for {report.month}")
    return out
