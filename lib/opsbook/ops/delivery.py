"""DORA-style delivery metrics from CloudTrail deployments and CloudWatch alarm history.

Definitions (the notebook shows the same text):

- **Deployment**: CloudTrail write events named in ``event_names`` (ECS UpdateService, Lambda
  UpdateFunctionCode / PublishVersion / UpdateAlias, CloudFormation UpdateStack /
  ExecuteChangeSet, CodeDeploy CreateDeployment by default) grouped per account and service;
  events of one service less than ``merge_within`` minutes after the first event of a deployment
  belong to it (a SAM release writes six events, a Lambda alias flip three). An ECS UpdateService
  counts only when it rolls tasks (a new ``taskDefinition`` or ``forceNewDeployment``), not
  when it only scales.
- **Service** of an event: the ECS service, Lambda function, CodeDeploy application or
  CloudFormation stack it names. An alarm's service: ``alarm_services[name]`` when given, else a
  deployed service named in its dimensions, else the longest deployed service its name starts
  with (``checkout-api-alb-target-5xx`` -> ``checkout-api``), else its first dimension value or
  its own name.
- **Incident**: the time one service has any alarm in ALARM; overlapping ALARM -> OK spans of a
  service's alarms merge into one. **Time to restore** is an incident's duration.
- **Failed change**: a deployment followed within ``window`` minutes by an alarm of the same
  account and service entering ALARM, or by an SLO of the service starting to page (a page tier
  of its multiwindow burn-rate alerts, see :mod:`opsbook.ops.pages`); ``signals`` names them.
  Its restore time is the duration of the alarm's incident, or without an alarm that of the page.

Examples
--------
>>> report = review("2026-11-01", "2026-11-15")  # doctest: +SKIP
>>> report.failures.query("failed")[["service", "version", "restore_minutes"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from opsbook import clock
from opsbook._docs import shared_params
from opsbook.alarms import describe_alarms, read_alarm_history
from opsbook.errors import ConfigurationError
from opsbook.ops.deployments import (
    _DIMENSION_KEYS,
    DEPLOYMENT_EVENTS,
    deployment_frequency,
    read_deployments,
)
from opsbook.ops.pages import PAGE_COLUMNS, SloSignal, read_slo_pages
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
from opsbook.slo.maths import DEFAULT_TIERS, Tier

__all__ = [
    "DeliveryReport",
    "change_failure_rate",
    "find_failed_changes",
    "merge_incidents",
    "read_alarm_spans",
    "resolve_window",
    "review_delivery",
    "time_to_restore",
]


SPAN_COLUMNS = ["alarm_name", "account_id", "service", "started", "ended"]
INCIDENT_COLUMNS = ["account_id", "service", "started", "restored", "minutes", "alarms"]
# Report sections and the source each reads.
SECTIONS = {
    "deployments": "CloudTrail (LookupEvents / log files)",
    "alarm history": "DescribeAlarms + DescribeAlarmHistory",
}


def _alarm_service(
    alarm: Mapping[str, object], services: list[str], alarm_services: Mapping[str, str]
) -> str:
    name = str(alarm["alarm_name"])
    if name in alarm_services:
        return alarm_services[name]
    # The shared alarm frame writes dimensions as "Name=Value, Name=Value".
    dimensions = [
        {"Name": name.strip(), "Value": value.strip()}
        for name, _, value in (
            part.partition("=") for part in str(alarm.get("dimensions") or "").split(", ")
        )
        if value
    ]
    values = [d.get("Value") for d in dimensions if isinstance(d, dict)]
    for value in values:
        if value in services:
            return str(value)
    prefixed = [s for s in services if name.startswith(f"{s}-")]
    if prefixed:
        return max(prefixed, key=len)
    for wanted in _DIMENSION_KEYS:
        for d in dimensions:
            if isinstance(d, dict) and d.get("Name") == wanted and d.get("Value"):
                return str(d["Value"])
    return name


def _account_of(arn: object) -> str | None:
    parts = str(arn).split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and parts[4] else None


@shared_params
def read_alarm_spans(
    start: clock.Moment,
    end: clock.Moment,
    *,
    services: Iterable[str] = (),
    alarm_services: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return each alarm's ALARM spans that start in ``[start, end)``, with the alarm's service.

    A span ends at the alarm's next state change out of ALARM (``ended`` is missing while the
    alarm is still in ALARM at ``end``). Spans already open at ``start`` are left out: their
    beginning is not in the window.

    Parameters
    ----------
    start, end
        The window (naive times are UTC).
    services
        Deployed service names the alarms are matched to (see the module's definitions).
    alarm_services
        Explicit ``{alarm name: service}`` overrides.

    Examples
    --------
    >>> read_alarm_spans("2026-11-14", "2026-11-15", services=["checkout-api"])  # doctest: +SKIP
    """
    start_at, end_at = clock.window(start, end)
    overrides = dict(alarm_services or {})
    known = sorted(set(services))
    alarms = describe_alarms(None, settings=settings)
    service_of = {
        str(a["alarm_name"]): _alarm_service(a, known, overrides) for a in alarms.to_dict("records")
    }
    account_of = {
        str(n): _account_of(arn) for n, arn in zip(alarms.alarm_name, alarms.arn, strict=True)
    }
    history = read_alarm_history(start_at, end_at, settings=settings)
    rows = []
    for name, items in history.groupby("alarm_name", sort=True):
        opened: pd.Timestamp | None = None
        for item in items.sort_values("timestamp").itertuples(index=False):
            if item.new_state == "ALARM" and opened is None:
                opened = item.timestamp
            elif item.new_state != "ALARM" and opened is not None:
                rows.append((name, opened, item.timestamp))
                opened = None
        if opened is not None:
            rows.append((name, opened, pd.NaT))
    spans = pd.DataFrame(rows, columns=["alarm_name", "started", "ended"])
    spans["account_id"] = spans["alarm_name"].map(account_of)
    spans["service"] = spans["alarm_name"].map(lambda n: service_of.get(n, n))
    spans = spans[SPAN_COLUMNS].astype(
        {
            "alarm_name": "string",
            "account_id": "string",
            "service": "string",
            "started": "datetime64[ms, UTC]",
            "ended": "datetime64[ms, UTC]",
        }  # fmt: skip
    )
    return spans.sort_values("started", ignore_index=True, kind="stable")


def merge_incidents(spans: pd.DataFrame) -> pd.DataFrame:
    """Merge overlapping ALARM spans of one account and service into incidents.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``service``, ``started``, ``restored`` (missing while ongoing),
        ``minutes`` (time to restore), ``alarms`` (the alarm names, for audit).

    Examples
    --------
    >>> merge_incidents(read_alarm_spans("2026-11-14", "2026-11-15"))  # doctest: +SKIP
    """
    rows = []
    ongoing = pd.Timestamp.max.tz_localize("UTC")
    keys = spans.assign(account_id=spans["account_id"].fillna(""))
    for (account, service), group in keys.groupby(["account_id", "service"], sort=True):
        current: dict[str, object] | None = None
        for span in group.sort_values("started").itertuples(index=False):
            ended = ongoing if pd.isna(span.ended) else span.ended
            if current is not None and span.started <= current["restored"]:
                current["restored"] = max(current["restored"], ended)
                current["alarms"].append(span.alarm_name)
                continue
            if current is not None:
                rows.append(current)
            current = {"account_id": account or None, "service": service,
                       "started": span.started, "restored": ended,
                       "alarms": [span.alarm_name]}  # fmt: skip
        if current is not None:
            rows.append(current)
    out = pd.DataFrame(rows, columns=INCIDENT_COLUMNS)
    out["restored"] = out["restored"].where(out["restored"] != ongoing)
    out = out.astype(
        {
            "account_id": "string",
            "service": "string",
            "started": "datetime64[ms, UTC]",
            "restored": "datetime64[ms, UTC]",
        }  # fmt: skip
    )
    out["minutes"] = (out["restored"] - out["started"]).dt.total_seconds() / 60
    out["alarms"] = out["alarms"].map(lambda names: ", ".join(dict.fromkeys(names)))
    out["alarms"] = out["alarms"].astype("string")
    return out.sort_values("started", ignore_index=True, kind="stable")


def find_failed_changes(
    deployments: pd.DataFrame,
    spans: pd.DataFrame,
    *,
    window: float = 60,
    pages: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the deployments with ``failed``, the signals that failed them and the restore time.

    A deployment failed when, within ``window`` minutes after it (after its first event), an
    alarm of its account and service entered ALARM or an SLO page of its service started
    (``pages`` from :func:`opsbook.ops.pages.read_slo_pages`; a page with no account matches
    any). ``restore_minutes`` is the duration of the incident the first alarm belongs to, or
    without an alarm that of the first page (missing while ongoing).

    Returns
    -------
    pandas.DataFrame
        The deployments plus ``failed``, ``alarm_name`` / ``alarm_at`` (first alarm),
        ``slo_name`` / ``page_at`` (first SLO page), ``signal_at`` (the earliest),
        ``signals`` (every alarm and page in the window, for audit) and ``restore_minutes``.

    Examples
    --------
    >>> failures = find_failed_changes(deployments, spans, window=60, pages=signal.pages)  # doctest: +SKIP
    """
    if window <= 0:
        raise ConfigurationError(f"window {window}: give minutes > 0, e.g. 60")
    pages = pages if pages is not None else pd.DataFrame(columns=list(PAGE_COLUMNS))
    incidents = merge_incidents(spans)
    limit = pd.Timedelta(minutes=window)
    rows = []
    for deployment in deployments.itertuples(index=False):
        alarms = _following(spans, deployment, limit)
        paged = _following(pages, deployment, limit)
        row: dict[str, object] = {"alarm_name": None, "alarm_at": pd.NaT, "slo_name": None,
                                  "page_at": pd.NaT, "restore": np.nan}  # fmt: skip
        if len(paged):
            first_page = paged.iloc[0]
            row.update(slo_name=first_page["slo"], page_at=first_page["started"])
            ended = first_page["ended"]
            row["restore"] = (
                (ended - first_page["started"]).total_seconds() / 60 if pd.notna(ended) else np.nan
            )
        if len(alarms):
            first = alarms.iloc[0]
            incident = incidents[
                (incidents["service"] == first["service"])
                & (incidents["started"] <= first["started"])
                & (incidents["restored"].isna() | (incidents["restored"] >= first["started"]))
            ]
            row.update(alarm_name=first["alarm_name"], alarm_at=first["started"])
            row["restore"] = incident["minutes"].iloc[-1] if len(incident) else np.nan
        firsts = alarms.drop_duplicates("alarm_name")
        row["signals"] = "; ".join(
            [f"alarm {a.alarm_name} at {a.started:%H:%M}" for a in firsts.itertuples(index=False)]
            + [
                f"SLO {p.slo} {p.tier} page at {p.started:%H:%M}"
                for p in paged.itertuples(index=False)
            ]
        )
        rows.append(row)
    found = pd.DataFrame(rows, columns=["alarm_name", "alarm_at", "slo_name", "page_at",
                                        "restore", "signals"], index=deployments.index)  # fmt: skip
    out = deployments.copy()
    out["failed"] = (found["alarm_name"].notna() | found["slo_name"].notna()).astype(bool)
    for column in ("alarm_name", "alarm_at", "slo_name", "page_at"):
        out[column] = (
            found[column].astype("string")
            if column.endswith("name")
            else pd.to_datetime(found[column], utc=True).astype("datetime64[ms, UTC]")
        )
    out["signal_at"] = out[["alarm_at", "page_at"]].min(axis=1).astype("datetime64[ms, UTC]")
    out["signals"] = found["signals"].astype("string")
    out["restore_minutes"] = found["restore"].astype("float64")
    return out


def _following(events: pd.DataFrame, deployment: object, limit: pd.Timedelta) -> pd.DataFrame:
    """Return the events of the deployment's service (and account) starting within ``limit``."""
    same = events[
        (events["service"] == deployment.service)
        & (events["account_id"].isna() | (events["account_id"] == deployment.account_id))
        & (events["started"] > deployment.deployed_at)
        & (events["started"] <= deployment.deployed_at + limit)
    ]
    return same.sort_values("started", kind="stable")


def change_failure_rate(failures: pd.DataFrame) -> pd.DataFrame:
    """Return deployments, failed changes and their share per account and service, plus a total.

    Examples
    --------
    >>> change_failure_rate(find_failed_changes(deployments, spans))  # doctest: +SKIP
    """
    per = failures.groupby(["account_id", "service"], as_index=False).agg(
        deployments=("failed", "size"), failed=("failed", "sum")
    )
    total = pd.DataFrame(
        [
            {
                "account_id": "all",
                "service": "all",
                "deployments": int(per["deployments"].sum()),
                "failed": int(per["failed"].sum()),
            }
        ]  # fmt: skip
    )
    out = pd.concat([per, total], ignore_index=True)
    out["failure_rate"] = out["failed"] / out["deployments"].where(out["deployments"] > 0)
    return out


def time_to_restore(incidents: pd.DataFrame) -> pd.DataFrame:
    """Return incidents, median and p90 time to restore (minutes) per service and month.

    Ongoing incidents (no restore yet) are counted in ``ongoing`` and left out of the figures.

    Examples
    --------
    >>> time_to_restore(merge_incidents(spans))  # doctest: +SKIP
    """
    month = incidents["started"].dt.strftime("%Y-%m")
    frame = incidents.assign(month=month)
    out = frame.groupby(["service", "month"], as_index=False).agg(
        incidents=("minutes", "size"),
        ongoing=("minutes", lambda m: int(m.isna().sum())),
        median_minutes=("minutes", "median"),
        p90_minutes=("minutes", lambda m: m.dropna().quantile(0.9) if m.notna().any() else np.nan),
    )
    return out.sort_values(["month", "service"], ignore_index=True)


Frame = pd.DataFrame | SectionError


@dataclass
class DeliveryReport:
    """Everything the delivery-metrics notebook shows, with the events behind each figure.

    A frame whose source failed is a :class:`~opsbook.present.SectionError` saying why;
    ``errors`` names those sources.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    window: float
    deployments: Frame
    frequency: Frame
    spans: Frame
    incidents: Frame
    failures: Frame
    failure_rate: Frame
    restore: Frame
    slo: SloSignal | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def sources(self) -> pd.DataFrame:
        """Return each source's state: ``ok``, or ``ERROR`` with the reason."""
        return sections_frame(SECTIONS, self.errors)

    def failed_changes(self) -> Frame:
        """Return the failed deployments with their signals (the error if they are unknown)."""
        failed = derive(self.failures, lambda f: f[f["failed"]].reset_index(drop=True))
        return annotate(failed, first=["service", "version", "deployed_at", "signals",
                                       "restore_minutes", "alarm_name", "slo_name", "signal_at"],
                        missing={"restore_minutes": "not restored yet"},
                        empty="No deployment failed in the window.")  # fmt: skip

    def signals(self) -> pd.DataFrame:
        """Return the change failure rate's signals: each one's state, what it saw and why.

        A signal that could not run shows ``ERROR`` or ``unavailable`` with the reason, never
        zero failures.
        """
        failures, spans = read_or_none(self.failures), read_or_none(self.spans)
        failed = failures[failures["failed"]] if failures is not None else None
        rows = [
            {
                "signal": "alarms entering ALARM",
                "state": "evaluated" if spans is not None else "ERROR",
                "events": int(len(spans)) if spans is not None else None,
                "failed_changes": int(failed["alarm_name"].notna().sum())
                if failed is not None
                else None,
                "note": f"{spans['alarm_name'].nunique()} alarms changed state"
                if spans is not None
                else self.errors["alarm history"],
            }
        ]
        slo = self.slo
        rows.append(
            {
                "signal": "SLO page alerts",
                "state": "off" if slo is None else "evaluated" if slo.available else "unavailable",
                "events": int(len(slo.pages)) if slo is not None and slo.available else None,
                "failed_changes": int(failed["slo_name"].notna().sum())
                if failed is not None
                else None,
                "note": "not asked for (slo_pages=False)" if slo is None else slo.note,
            }
        )
        return pd.DataFrame(rows)

    def figures(self) -> dict[str, object]:
        """Return the figures worth recording: counts, rates, the failed changes (``None``: ERROR)."""
        deployments, failures = read_or_none(self.deployments), read_or_none(self.failures)
        incidents = read_or_none(self.incidents)
        failed = failures[failures["failed"]] if failures is not None else None
        restored = (
            incidents["minutes"].dropna() if incidents is not None else pd.Series(dtype=float)
        )
        days = max((self.end - self.start).total_seconds() / 86400, 1e-9)
        return {
            "deployments": int(len(deployments)) if deployments is not None else None,
            "deployments_per_day": round(len(deployments) / days, 3)
            if deployments is not None
            else None,
            "failed_changes": int(len(failed)) if failed is not None else None,
            "change_failure_rate": round(len(failed) / len(deployments), 4)
            if failed is not None and deployments is not None and len(deployments)
            else None,
            "failed": [
                {
                    "service": r.service,
                    "version": r.version,
                    "deployed_at": str(r.deployed_at),
                    "alarm": None if pd.isna(r.alarm_name) else r.alarm_name,
                    "slo": None if pd.isna(r.slo_name) else r.slo_name,
                    "signals": r.signals,
                    "restore_minutes": None
                    if pd.isna(r.restore_minutes)
                    else round(float(r.restore_minutes), 1),
                }  # fmt: skip
                for r in failed.itertuples(index=False)
            ]
            if failed is not None
            else None,
            "slo_signal": "off"
            if self.slo is None
            else "evaluated"
            if self.slo.available
            else "unavailable",
            "incidents": int(len(incidents)) if incidents is not None else None,
            "median_restore_minutes": round(float(restored.median()), 1) if len(restored) else None,
            "errors": dict(self.errors),
        }

    def findings(self) -> list[str]:
        """Return the findings: failed sources first, the figures, each failed change."""
        return _findings(self)

    def status(self) -> str:
        """Return ERROR when a source failed, FINDING when a change failed, else PASS."""
        return status_of(self.figures()["failed"] or [], errors=self.errors)


def resolve_window(
    start: clock.Moment | None, end: clock.Moment | None, days: int = 14
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return ``[start, end)`` with defaults: ``end`` the end of today (UTC), ``start`` ``days`` before.

    Examples
    --------
    >>> resolve_window("", "2026-11-15")[0].isoformat()
    '2026-11-01T00:00:00+00:00'
    """
    if days < 1:
        raise ConfigurationError(f"days {days}: give a window of at least one day")
    if end is None or (isinstance(end, str) and not end.strip()):
        end = clock.now().normalize() + pd.Timedelta(days=1)
    return clock.window(start, end, length=pd.Timedelta(days=days))


@checks_arguments("start", "end", "days")
@shared_params
def review_delivery(
    start: clock.Moment | None,
    end: clock.Moment | None,
    *,
    days: int = 14,
    event_names: str | Iterable[str] = DEPLOYMENT_EVENTS,
    window: float = 60,
    merge_within: float = 15,
    accounts: Iterable[str] = (),
    alarm_services: Mapping[str, str] | None = None,
    slo_pages: bool = True,
    slo_spec: str | Path | None = None,
    slo_services: Mapping[str, str] | None = None,
    slo_account: str = "",
    tiers: Sequence[Tier] = DEFAULT_TIERS,
    settings: Settings | None = None,
) -> DeliveryReport:
    """Return deployment frequency, change failure rate and time to restore for ``[start, end)``.

    Alarm history is read up to ``end + window`` so a deployment just before ``end`` can still
    be found failed.

    Parameters
    ----------
    start, end
        The window of deployments (naive times are UTC); empty: see :func:`resolve_window`.
    days
        Length of the window when ``start`` is empty.
    event_names
        CloudTrail event names that count as a deployment, as a list or a comma-separated
        string (a notebook parameter); empty: :data:`DEPLOYMENT_EVENTS`.
    window
        Minutes after a deployment in which an alarm or SLO page of its service makes it a
        failed change.
    merge_within
        Minutes grouping one release's CloudTrail events into one deployment.
    accounts
        Only deployments in these accounts (empty: all).
    alarm_services
        ``{alarm name: service}`` overrides of the alarm-to-service matching.
    slo_pages
        Also count SLO page alerts as failure signals (see :mod:`opsbook.ops.pages`).
    slo_spec
        OpenSLO file of the SLOs; ``None``: ``slos.yaml`` in the data folder.
    slo_services, slo_account, tiers
        See :func:`opsbook.ops.pages.read_slo_pages`.

    Examples
    --------
    >>> review_delivery("2026-11-01", "2026-11-15").figures()["failed_changes"]  # doctest: +SKIP
    1
    """
    start_at, end_at = resolve_window(start, end, days)
    if window <= 0:
        raise ConfigurationError(f"window {window}: give minutes > 0, e.g. 60")
    if isinstance(event_names, str):
        event_names = [name.strip() for name in event_names.split(",")]
    names = [name for name in event_names if name] or list(DEPLOYMENT_EVENTS)
    errors: dict[str, str] = {}
    deployments = attempt(
        "deployments",
        errors,
        lambda: read_deployments(
            start_at, end_at, event_names=names, merge_within=merge_within, settings=settings
        ),  # fmt: skip
    )
    wanted = [a for a in accounts if a]
    read = read_or_none(deployments)
    if read is not None and wanted:
        deployments = read = read[read["account_id"].isin(wanted)].reset_index(drop=True)
    services = read["service"].dropna().unique() if read is not None else []
    spans = attempt(
        "alarm history",
        errors,
        lambda: read_alarm_spans(
            start_at,
            end_at + pd.Timedelta(minutes=window),
            services=services,
            alarm_services=alarm_services,
            settings=settings,
        ),  # fmt: skip
    )
    slo = None
    if slo_pages and read is not None:
        slo = read_slo_pages(read, window=window, spec=slo_spec, slo_services=slo_services,
                             slo_account=slo_account, tiers=tiers, settings=settings)  # fmt: skip
    elif slo_pages:
        slo = SloSignal.unavailable("no deployments to follow: " + errors["deployments"])
    pages = slo.pages if slo is not None else None
    incidents = annotate(derive(spans, merge_incidents),
                         missing={"restored": "ongoing", "minutes": "ongoing"})  # fmt: skip
    failures = derive(deployments, lambda d: derive(
        spans, lambda s: find_failed_changes(d, s, window=window, pages=pages)))  # fmt: skip
    return DeliveryReport(
        start=start_at,
        end=end_at,
        window=window,
        deployments=deployments,
        frequency=derive(deployments, deployment_frequency),
        spans=spans,
        incidents=incidents,
        failures=failures,
        failure_rate=derive(failures, change_failure_rate),
        restore=annotate(
            derive(incidents, time_to_restore),
            missing=dict.fromkeys(["median_minutes", "p90_minutes"], "ongoing"),
        ),
        slo=slo,
        errors=errors,
    )


def _findings(report: DeliveryReport) -> list[str]:
    head = report.figures()
    errors = [f"ERROR {name}: {reason}" for name, reason in report.errors.items()]
    restore = (
        [
            f"{head['incidents']} incidents; median time to restore "
            f"{head['median_restore_minutes']:g} min"
        ]  # fmt: skip
        if head["median_restore_minutes"] is not None
        else []
    )
    if head["failed_changes"] is None:
        return errors + _slo_findings(report) + restore
    out = errors + [
        f"{head['deployments']} deployments ({head['deployments_per_day']} a day) from "
        f"{report.start:%Y-%m-%d} to {report.end:%Y-%m-%d}; "
        f"{head['failed_changes']} failed within {report.window:g} min"
        + (
            f" (change failure rate {head['change_failure_rate']:.0%})"
            if head["deployments"]
            else ""
        )
    ]
    for failed in head["failed"]:
        restored = (
            "not restored yet"
            if failed["restore_minutes"] is None
            else f"restored in {failed['restore_minutes']:g} min"
        )
        out.append(
            f"failed change: {failed['service']} {failed['version']} at "
            f"{format_value(failed['deployed_at'], 'datetime')} "
            f"-> {failed['signals']}; {restored}"
        )
    return out + _slo_findings(report) + restore


def _slo_findings(report: DeliveryReport) -> list[str]:
    if report.slo is None or report.slo.available:
        return []
    return [
        f"SLO page signal unavailable ({report.slo.note}): the change failure rate counts "
        "alarms only"
    ]
