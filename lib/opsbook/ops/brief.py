"""The morning brief: is anything wrong across the organisation, and what changed, in one day.

:func:`review_brief` judges one day (``[day, day + 1)``, UTC) section by section, each a
:class:`~opsbook.present.Report` with its own status, and combines them with
:class:`~opsbook.present.Sections`:

- ``freshness``: when the CUR, metrics and logs were last written. A source older than the day
  makes the sections that read it SKIPPED with the reason: stale data never reads as "all quiet";
- ``cost``: the day's anomalies with their root cause (:func:`opsbook.cost.review_anomalies`),
  month to date against last month over the same days, the month-end forecast;
- ``slos``: budget left per SLO, burn-rate alerts firing at the day's end, the SLO that burned
  most budget in the day (:func:`opsbook.slo.review_slos`);
- ``alarms``: alarms in ALARM at the day's end and those that flapped in the day;
- ``deployments``: the day's deployments and the failed ones (:mod:`opsbook.ops.delivery`);
- ``errors``: error patterns new in the day or grown against the previous week's daily average.

A section whose source cannot be read is ERROR with the reason (never PASS).

Examples
--------
>>> brief = review_brief("2026-11-14")  # doctest: +SKIP
>>> brief.status(), brief.findings()[0]  # doctest: +SKIP
('FINDING', 'deployments: checkout-api 43 failed ...')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from opsbook import alarms, athena, clock, logs, metrics
from opsbook._docs import shared_params
from opsbook.errors import OpsbookError
from opsbook.incident.patterns import group_by_pattern
from opsbook.incident.triage import query_fields
from opsbook.ops.delivery import review_delivery
from opsbook.present import (
    ERROR,
    FINDING,
    PASS,
    SKIPPED,
    Sections,
    annotate,
    format_value,
)
from opsbook.runner import checks_arguments
from opsbook.settings import Settings, resolve

__all__ = ["Brief", "Section", "review_brief"]

#: The sections of the brief, in the order the page shows them, and the sources each reads.
READS = {
    "freshness": (),
    "cost": ("CUR",),
    "slos": ("metrics",),
    "alarms": (),
    "deployments": (),
    "errors": ("logs",),
}


@dataclass
class Section:
    """One section of the brief: a status, findings, figures and the table behind them.

    Examples
    --------
    >>> Section("alarms", PASS, ["no alarm in ALARM"]).findings()
    ['no alarm in ALARM']
    """

    name: str
    state: str
    lines: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    frame: pd.DataFrame | None = None
    kinds: dict[str, str] = field(default_factory=dict)
    error: Exception | None = field(default=None, repr=False)  # why an ERROR section failed

    def figures(self) -> dict[str, Any]:
        """Return the section's headline figures."""
        return dict(self.values)

    def findings(self) -> list[str]:
        """Return the section's findings (for SKIPPED and ERROR: the reason)."""
        return list(self.lines)

    def status(self) -> str:
        """Return PASS, FINDING, ERROR or SKIPPED."""
        return self.state

    def table(self) -> pd.DataFrame:
        """Return the table behind the section (its status and findings when it has none)."""
        if self.frame is not None:
            return self.frame
        return pd.DataFrame({"status": [self.state] * len(self.lines), "finding": self.lines})


@dataclass
class Brief:
    """The brief of one day: its sections (each a Report) and, as one Report, all of them."""

    day: dt.date
    parts: dict[str, Section]

    @property
    def report(self) -> Sections:
        """Return the sections as one Report (what ``record`` keeps)."""
        return Sections(self.parts)

    @property
    def kinds(self) -> dict[str, str]:
        """Return the figure kinds, under their prefixed names."""
        return self.report.kinds

    def figures(self) -> dict[str, Any]:
        """Return the day and every section's figures, prefixed by its name."""
        return {"day": self.day.isoformat(), **self.report.figures()}

    def findings(self) -> list[str]:
        """Return the findings of the sections needing people, worst first."""
        return self.report.findings()

    def status(self) -> str:
        """Return the worst status of the sections."""
        return self.report.status()

    def section(self, name: str) -> Section:
        """Return one section (``cost``, ``slos``, ``alarms``, ``deployments``, ``errors``, ...)."""
        return self.parts[name]


@checks_arguments("day", "stale_hours", "flapping_changes", "growth", "top")
@shared_params
def review_brief(
    day: clock.Moment | None = "",
    *,
    stale_hours: float = 36,
    flapping_changes: int = 6,
    growth: float = 2.0,
    top: int = 10,
    settings: Settings | None = None,
) -> Brief:
    """Return the morning brief of ``day`` (UTC; empty: yesterday).

    Parameters
    ----------
    day
        The day to judge (``YYYY-MM-DD``); the brief looks at ``[day, day + 1)``.
    stale_hours
        A source whose newest data is older than this before the day's end is stale.
    flapping_changes
        An alarm that changed state in the day and this many times in the week to its end flaps.
    growth
        An error pattern is grown when the day has this many times its previous-week daily average.
    top
        How many error patterns to list.

    Raises
    ------
    opsbook.errors.OpsbookError
        When none of the CUR, metrics and logs can be read (e.g. no data folder): the first error.
    """
    settings = settings or resolve()
    start = (
        clock.to_utc(day, "day").normalize()
        if day
        else clock.now().normalize() - pd.Timedelta(days=1)
    )
    end = start + pd.Timedelta(days=1)
    parts: dict[str, Section] = {}
    fresh = _guard("freshness", lambda: _freshness(start, end, stale_hours, settings))
    if fresh.error is not None:
        # Not one source could be read (no data folder, no credentials): nothing to brief on,
        # and a run that "succeeds" with every section in ERROR would hide that.
        raise fresh.error
    parts["freshness"] = fresh
    stale = fresh.values.get("stale", {}) if fresh.state != ERROR else {}
    builders: dict[str, Callable[[], Section]] = {
        "cost": lambda: _cost(start, settings),
        "slos": lambda: _slos(start, end, settings),
        "alarms": lambda: _alarms(start, end, flapping_changes, settings),
        "deployments": lambda: _deployments(start, end, settings),
        "errors": lambda: _errors(start, end, growth, top, settings),
    }
    for name, build in builders.items():
        late = [f"{source} {stale[source]}" for source in READS[name] if source in stale]
        if late:
            parts[name] = Section(name, SKIPPED, [f"stale data, not judged: {'; '.join(late)}"])
        else:
            parts[name] = _guard(name, build)
    return Brief(start.date(), parts)


def _guard(name: str, build: Callable[[], Section]) -> Section:
    """Build one section; a failure makes it ERROR with the reason, and the others still run.

    An unexpected exception (a bug, not bad data) is ERROR too, never a stopped brief or a
    healthy-looking section, and says it is unexpected so it gets reported.

    Examples
    --------
    >>> _guard("alarms", lambda: 1 / 0).findings()
    ['failed with an unexpected ZeroDivisionError: division by zero (a bug in opsbook: please report it)']
    """
    try:
        return build()
    except OpsbookError as error:
        lines = [f"could not be read: {type(error).__name__}: {error}"]
        return Section(name, ERROR, lines, error=error)
    except Exception as error:  # noqa: BLE001 - one section's bug must not hide the others
        lines = [f"failed with an unexpected {type(error).__name__}: {error} "
                 "(a bug in opsbook: please report it)"]  # fmt: skip
        return Section(name, ERROR, lines, error=error)


def _freshness(
    start: pd.Timestamp, end: pd.Timestamp, stale_hours: float, settings: Settings
) -> Section:
    newest: dict[str, pd.Timestamp | None] = {}
    reasons: dict[str, str] = {}
    oldest: dict[str, pd.Timestamp | None] = {}
    first_error: OpsbookError | None = None
    readers = {
        "CUR": lambda: (athena.describe_cur(settings=settings), "first_usage", "last_usage"),
        "metrics": lambda: (metrics.describe_namespaces(settings=settings), "first", "last"),
        "logs": lambda: (logs.describe_log_groups(settings=settings), "first_event", "last_event"),
    }
    for source, read in readers.items():
        try:
            frame, first, last = read()
            low = pd.to_datetime(frame[first], utc=True).min()
            high = pd.to_datetime(frame[last], utc=True).max()
            newest[source] = None if pd.isna(high) else high
            oldest[source] = None if pd.isna(low) else low
        except OpsbookError as error:
            newest[source], reasons[source] = None, f"{type(error).__name__}: {error}"
            first_error = first_error or error
    if first_error is not None and len(reasons) == len(readers):
        raise first_error
    limit = end - pd.Timedelta(hours=stale_hours)
    rows, stale = [], {}
    for source, when in newest.items():
        since = oldest.get(source)
        if since is not None and since > start:
            stale[source] = f"starts {since:%Y-%m-%d %H:%M} UTC, after the day began"
            state = "stale"
        elif when is None:
            why = reasons.get(source, "no data at all")
            stale[source] = f"could not be read ({why})" if source in reasons else "has no data"
            state = ERROR if source in reasons else "stale"
        elif when < limit:
            stale[source] = f"last updated {when:%Y-%m-%d %H:%M} UTC, before {limit:%Y-%m-%d %H:%M}"
            state = "stale"
        else:
            state = "fresh"
        rows.append({"source": source, "state": state, "first_data": since, "last_updated": when,
                     "reason": stale.get(source, "")})  # fmt: skip
    frame = annotate(
        pd.DataFrame(rows), missing={"last_updated": "no data", "first_data": "no data"}
    )
    status = ERROR if reasons else SKIPPED if stale else PASS
    lines = [f"{source} {why}" for source, why in stale.items()] or [
        f"CUR, metrics and logs all updated after {limit:%Y-%m-%d %H:%M} UTC"
    ]
    values = {"stale": stale, **{f"{s}_last_updated": None if w is None else w.isoformat()
                                 for s, w in newest.items()}}  # fmt: skip
    if status == SKIPPED:
        status = FINDING  # the freshness check itself ran: stale sources are its finding
    return Section("freshness", status, lines, values, frame)


def _cost(start: pd.Timestamp, settings: Settings) -> Section:
    from opsbook import cost

    day = start.date()
    found = cost.review_anomalies(day, day + dt.timedelta(days=1), settings=settings)
    month = f"{day:%Y-%m}"
    last = cost.spend.shift_month(month, -1)
    forecast = cost.forecast.forecast_month_end(month, settings=settings)
    covered = min(int(forecast.days_covered.iloc[0]), day.day)
    # like for like: the month's first days against last month's, without the charges AWS posts
    # once for the whole month (last month has them, this one not yet)
    daily = cost.spend.spend_by("charge_type", last, month, grain="day", postings="daily",
                                settings=settings)  # fmt: skip
    posted = cost.spend.spend_by("charge_type", last, month, postings="monthly", settings=settings)
    left_out = posted.groupby("billing_period")["cost"].sum().to_dict()
    daily["usage_day"] = pd.to_datetime(daily.usage_day)
    mine = daily.loc[
        (daily.usage_day.dt.strftime("%Y-%m") == month) & (daily.usage_day.dt.day <= covered)
    ]
    to_date = float(mine.cost.sum())
    before = daily.loc[
        (daily.usage_day.dt.strftime("%Y-%m") == last) & (daily.usage_day.dt.day <= covered)
    ]
    like = float(before.cost.sum())
    change = (to_date - like) / like if like else float("nan")
    row = forecast.iloc[0]
    lines = [line for line in found.findings() if found.status() != PASS]
    if found.status() == PASS and len(found.daily):
        one = found.daily.iloc[-1]
        lines.append(f"{day}: {format_value(float(one.actual), 'money')} against "
                     f"{format_value(float(one.expected), 'money')} expected, no anomaly")  # fmt: skip
    if covered:
        lines.append(f"month to date {format_value(to_date, 'money')} charged by the day over "
                     f"{covered} day(s), {format_value(change, 'percent+')} against {last}'s "
                     f"first {covered} day(s) ({format_value(like, 'money')})")  # fmt: skip
        lines.append(cost.movers.monthly_postings_note(left_out, last, month))
    else:  # nothing of the month in the CUR yet: no month-to-date figure, never $0.00
        to_date = like = change = float("nan")
        lines.append(f"no month-to-date cost: the CUR has no usage day of {month} yet")
    if pd.notna(row.forecast):
        lines.append(f"month-end forecast {format_value(float(row.forecast), 'money')}")
    frame = found.anomalies if len(found.anomalies) else None
    values = {
        "anomalies": int(len(found.anomalies)),
        "month_to_date": None if pd.isna(to_date) else round(to_date, 2),
        "last_month_same_days": None if pd.isna(like) else round(like, 2),
        "monthly_postings_left_out": {
            period: round(value, 2) for period, value in left_out.items()
        },
        "forecast": None if pd.isna(row.forecast) else round(float(row.forecast), 2),
    }
    kinds = {"month_to_date": "money", "last_month_same_days": "money", "forecast": "money",
             "anomalies": "count"}  # fmt: skip
    if frame is None:
        frame = pd.DataFrame(
            [
                {
                    "month": month,
                    "month_to_date": to_date,
                    "last_month_same_days": like,
                    "change": change,
                    "forecast": row.forecast,
                }
            ]  # fmt: skip
        )
        frame = annotate(frame, kinds={"month_to_date": "money", "last_month_same_days": "money",
                                       "change": "percent+", "forecast": "money"},
                         missing={"forecast": "under a week of history",
                                  "month_to_date": "no usage day in the CUR yet",
                                  "last_month_same_days": "no usage day in the CUR yet",
                                  "change": "no usage day in the CUR yet"})  # fmt: skip
    return Section("cost", found.status(), lines, values, frame, kinds)


def _slos(start: pd.Timestamp, end: pd.Timestamp, settings: Settings) -> Section:
    from opsbook.slo import review_slos

    report = review_slos(Path(settings.data_dir) / "slos.yaml", end, settings=settings)
    summary = report.summary()
    burned = {}
    for item in report.data:
        counts = item.counts.loc[(item.counts.index >= start) & (item.counts.index < end)]
        budget = item.budget_events()
        bad = float((counts.total - counts.good).sum())
        burned[item.slo.name] = bad / budget if budget > 0 else float("nan")
    frame = summary[["name", "status", "budget_remaining", "attainment"]].copy()
    frame["burned_today"] = frame.name.map(burned)
    frame = frame.sort_values("burned_today", ascending=False, ignore_index=True)
    frame = annotate(frame, kinds={"burned_today": "percent"})
    lines = report.findings()
    if len(frame) and pd.notna(frame.burned_today.iloc[0]) and frame.burned_today.iloc[0] > 0:
        lines.append(f"burned most in the day: {frame.name.iloc[0]} "
                     f"({format_value(float(frame.burned_today.iloc[0]), 'percent')} of its budget)")  # fmt: skip
    values = {"status": summary.set_index("name").status.to_dict(),
              "most_burned": frame.name.iloc[0] if len(frame) else None}  # fmt: skip
    return Section("slos", report.status(), lines, values, frame)


def _alarms(start: pd.Timestamp, end: pd.Timestamp, changes: int, settings: Settings) -> Section:
    current = alarms.describe_alarms(None, settings=settings)
    updated = pd.to_datetime(current.state_updated, utc=True)
    week = start - pd.Timedelta(days=6)
    history = alarms.read_alarm_history(
        week, max(end, updated.max() + pd.Timedelta(seconds=1)), settings=settings
    )
    history["timestamp"] = pd.to_datetime(history.timestamp, utc=True)
    changes_ = history.loc[history.item_type == "StateUpdate"].sort_values("timestamp")
    # The state at the day's end: the current one unless a change after the end replaced it.
    after = changes_.loc[changes_.timestamp >= end].groupby("alarm_name").first()
    state = current.set_index("alarm_name").state.copy()
    state.update(after.old_state)
    since = changes_.loc[changes_.timestamp < end].groupby("alarm_name").timestamp.max()
    frame = pd.DataFrame({"alarm_name": state.index, "state_at_end": state.to_numpy()})
    known = pd.Series(updated.to_numpy(), index=current.alarm_name)
    # Typed first: with no change before the end, map() gives floats that cannot take the times.
    # reindex, not map: map() of an empty time series tries to cast its times to floats.
    names = frame.alarm_name.to_numpy()
    last_change = pd.to_datetime(since.reindex(names).to_numpy(), utc=True)
    listed = pd.to_datetime(known.loc[known < end].reindex(names).to_numpy(), utc=True)
    frame["since"] = last_change.where(last_change.notna(), listed)
    inside = changes_.loc[changes_.timestamp < end]
    day = inside.loc[inside.timestamp >= start]
    frame["changes_in_day"] = (
        frame.alarm_name.map(day.groupby("alarm_name").size()).fillna(0).astype(int)
    )
    frame["changes_in_week"] = (
        frame.alarm_name.map(inside.groupby("alarm_name").size()).fillna(0).astype(int)
    )
    in_alarm = frame.loc[frame.state_at_end == "ALARM"]
    flapping = frame.loc[(frame.changes_in_week >= changes) & (frame.changes_in_day > 0)]
    lines = [f"{r.alarm_name} in ALARM since {r.since:%Y-%m-%d %H:%M} UTC"
             for r in in_alarm.itertuples()]  # fmt: skip
    lines += [f"{r.alarm_name} flapping: {r.changes_in_day} state change(s) in the day, "
              f"{r.changes_in_week} in the week to the day's end"
              for r in flapping.sort_values("changes_in_week", ascending=False).itertuples()]  # fmt: skip
    frame = frame.sort_values(["state_at_end", "changes_in_week"], ascending=[True, False],
                              ignore_index=True)  # fmt: skip
    values = {"in_alarm": in_alarm.alarm_name.tolist(), "flapping": flapping.alarm_name.tolist()}
    state = FINDING if lines else PASS
    return Section("alarms", state, lines or [f"no alarm in ALARM or flapping ({len(frame)} alarms)"],
                   values, frame)  # fmt: skip


def _deployments(start: pd.Timestamp, end: pd.Timestamp, settings: Settings) -> Section:
    report = review_delivery(start, end, settings=settings, slo_pages=False)
    figures = report.figures()
    failed = figures["failed"] or []
    lines = [f"{_named(f['service'], f['version'])} deployed {f['deployed_at'][:16]} UTC failed "
             f"({f['signals']})" for f in failed]  # fmt: skip
    lines += [f"{type_}: {why}" for type_, why in report.errors.items()]
    deployed = figures["deployments"]
    if not lines:
        lines = [f"{deployed} deployment(s), none failed"]
    elif deployed is not None:
        lines.append(f"{len(failed)} of {deployed} deployment(s) failed")
    state = ERROR if report.errors else FINDING if failed else PASS
    frame = report.deployments if isinstance(report.deployments, pd.DataFrame) else None
    values = {"count": deployed, "failed": [_named(f["service"], f["version"]) for f in failed]}
    return Section("deployments", state, lines, values, frame)


def _errors(
    start: pd.Timestamp, end: pd.Timestamp, growth: float, top: int, settings: Settings
) -> Section:
    groups = logs.list_log_groups(settings=settings)
    fields = ("text", "occurrences")
    week = start - pd.Timedelta(days=7)
    today = group_by_pattern(query_fields("error_messages", groups, start, end, fields, settings),
                             message="text", top=None)  # fmt: skip
    before = group_by_pattern(query_fields("error_messages", groups, week, start, fields, settings),
                              message="text", top=None)  # fmt: skip
    usual = before.set_index("pattern").occurrences / 7
    today["per_day_before"] = today.pattern.map(usual).fillna(0.0)
    new = today.per_day_before == 0
    grown = today.occurrences >= growth * today.per_day_before
    picked = today.loc[new | grown].head(top).reset_index(drop=True)
    picked.insert(0, "change", ["new" if n else "grown" for n in picked.per_day_before == 0])
    lines = [f"{r.change}: {r.pattern[:160]} ({r.occurrences} lines"
             + ("" if r.change == "new" else f", {r.per_day_before:.0f}/day the week before") + ")"
             for r in picked.head(3).itertuples()]  # fmt: skip
    values = {"patterns_in_day": int(len(today)), "new_or_grown": int(len(picked))}
    if picked.empty:
        return Section("errors", PASS,
                       [f"no error pattern new or grown ({len(today)} pattern(s) in the day)"], values,
                       annotate(today, empty="No error line in the day."))  # fmt: skip
    return Section("errors", FINDING, lines, values, picked)


def _named(service: str, version: object) -> str:
    """Return ``checkout-api:43`` for a version that names its service, else ``service version``."""
    text = str(version)
    return text if text.startswith(f"{service}:") else f"{service} {text}"
