"""Incident triage in the on-call order: alarms, canaries, Health, changes, signals, then more.

After the golden signals come the dependencies (the traced downstream calls), the top errors
and the SLO burn.

Each check reports PASS, FINDING, ERROR or SKIPPED with its reason.

Examples
--------
>>> result = triage("checkout-api", "2026-11-14T14:00Z", "2026-11-14T15:00Z")  # doctest: +SKIP
>>> result.found()[["check", "what", "since"]]  # doctest: +SKIP
>>> result.next_runbook()  # doctest: +SKIP
'runbooks/api-5xx.ipynb'
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from opsbook import alarms, changes, health, logs
from opsbook.errors import ConfigurationError, NoDataError, OpsbookError, QueryFailedError
from opsbook.incident.checks import (
    ERROR,
    FINDING,
    PASS,
    SKIPPED,
    STATUSES,
    Check,
    Finding,
    run_check,
)
from opsbook.incident.patterns import group_by_pattern
from opsbook.incident.services import ServiceTargets, find_service
from opsbook.incident.signals import compare_signals, fetch_signals, signal_specs
from opsbook.incident.tracing import check_canaries, check_dependencies
from opsbook.incident.window import IncidentWindow, drill_params, resolve_window
from opsbook.present import format_value, worst
from opsbook.settings import Settings, resolve

__all__ = [
    "ALL_CHECKS",
    "FIRST_CHECKS",
    "Triage",
    "available_runbook",
    "load_query",
    "query_fields",
    "triage",
]

FIRST_CHECKS = (
    "alarms", "canaries", "health", "changes", "golden_signals", "dependencies", "top_errors",
)  # fmt: skip
ALL_CHECKS = (*FIRST_CHECKS, "slo_burn")
_SYMPTOMS = ("golden_signals", "alarms", "top_errors", "canaries", "dependencies")
_PROJECT = Path(__file__).resolve().parents[3]  # lib/opsbook/incident -> the project
_FINDING_COLUMNS = ["severity", "check", "what", "detail", "value", "baseline", "since"]


@dataclass
class Triage:
    """A triage's checks (in the order they ran), the service and window they looked at."""

    service: ServiceTargets
    window: IncidentWindow
    settings: Settings
    checks: dict[str, Check] = field(default_factory=dict)
    seconds: float = 0.0  # how long triage() took, service discovery included

    def summary(self) -> pd.DataFrame:
        """Return one row per check: status, summary, seconds."""
        rows = [(c.name, c.status, c.summary, c.seconds) for c in self.checks.values()]
        return pd.DataFrame(rows, columns=["check", "status", "summary", "seconds"]).set_index(
            "check"
        )

    def figures(self) -> dict[str, object]:
        """Return the figures a runbook records: statuses, the suspected change, what to run next."""
        change = self.suspected_change()
        return {
            "triage_service": self.service.name,
            "triage_window": [self.window.start.isoformat(), self.window.end.isoformat()],
            "triage_status": {n: c.status for n, c in self.checks.items()},
            "suspected_change": None if change is None else {
                "time": change.event_time.isoformat(), "action": change.action,
                "resource": change.resource, "version": change.version,
            },
            "next_runbook": self.next_runbook(),
            "next_parameters": self.next_parameters(),
        }  # fmt: skip

    def findings(self) -> list[str]:
        """Return each finding as a line (``check: what (detail)``), most likely cause first."""
        return [f"{r.check}: {r.what} ({r.detail})" for r in self.found().itertuples()]

    def status(self) -> str:
        """Return the most pressing status of the checks (ERROR, FINDING, SKIPPED, PASS)."""
        return worst(c.status for c in self.checks.values())

    def found(self) -> pd.DataFrame:
        """Return what is abnormal, most likely cause first, then checks that could not run.

        ``severity`` 1 is a likely cause or a page, 2 a symptom, 3 context. ERROR and SKIPPED
        checks appear as rows too, so a section that could not run is never mistaken for health.
        """
        rows = [f.__dict__ for c in self.checks.values() for f in c.findings]
        for check in self.checks.values():
            if check.status in (ERROR, SKIPPED):
                rows.append({"severity": 4, "check": check.name, "what": f"{check.name} {check.status}",
                             "detail": check.summary, "value": None, "baseline": None, "since": None})  # fmt: skip
        frame = pd.DataFrame(rows, columns=_FINDING_COLUMNS)
        frame["since"] = pd.to_datetime(frame.since, utc=True)
        symptoms = frame.loc[frame.check.isin(_SYMPTOMS)].since.dropna()
        if not symptoms.empty:  # a change made after the first symptom is a response, not a cause
            late = (frame.check == "changes") & (frame.since > symptoms.min())
            frame.loc[late, "severity"] = 2
        return frame.sort_values(["severity", "since"], kind="stable", ignore_index=True)

    def frame(self, check: str) -> pd.DataFrame:
        """Return the frame behind one check (e.g. ``"golden_signals"``)."""
        if check not in self.checks:
            raise ConfigurationError(
                f"no check {check!r} in this triage: it ran {', '.join(self.checks)}"
            )
        return self.checks[check].frame

    def run(self, check: str) -> pd.DataFrame:
        """Run one more check (e.g. ``"slo_burn"``), add it, and return its frame."""
        self.checks[check] = _run_one(check, self)
        return self.checks[check].frame

    def suspected_change(self) -> pd.Series | None:
        """Return the change to the service closest before the first symptom, if any."""
        check = self.checks.get("changes")
        if check is None or check.frame.empty or "service_change" not in check.frame:
            return None
        mine = check.frame.loc[
            check.frame.service_change & (check.frame.event_time <= self.onset())
        ]
        return None if mine.empty else mine.iloc[-1]

    def onset(self) -> pd.Timestamp:
        """Return the earliest ``since`` of the symptom findings (the window end if none)."""
        found = self.found()
        symptoms = found.loc[found.check.isin(_SYMPTOMS)].since.dropna()
        return symptoms.min() if not symptoms.empty else self.window.end

    def next_runbook(self) -> str:
        """Return the drill-down runbook that fits the findings (a path under ``runbooks/``).

        Only a runbook that exists is named: one not written yet falls back to the closest that
        is (``api-5xx`` for errors). Triage never names itself: with nothing to drill into the
        answer is empty and :meth:`next_steps` says why.
        """
        fitting = self._fitting_runbook()
        return available_runbook(fitting) if fitting else ""

    def _fitting_runbook(self) -> str:
        found = self.found()
        found = found.loc[found.severity < 4]
        text = " ".join(found.what.astype(str)).lower()
        if "5xx" in text or "error rate" in text:
            return (
                "runbooks/lambda-failures.ipynb"
                if self.service.functions
                and not self.service.load_balancers
                and not self.service.apis
                else "runbooks/api-5xx.ipynb"
            )
        if "latency" in text:
            return "runbooks/latency-regression.ipynb"
        if "throttles" in text or "concurrency" in text:
            return "runbooks/lambda-failures.ipynb"
        return ""

    def next_parameters(self) -> dict[str, str]:
        """Return the parameters the next runbook accepts, empty when there is none to run.

        The window is triage's, widened to start before the suspected change when the change
        came before it (a runbook compares before and after the change inside its window).

        Examples
        --------
        >>> _handoff("runbooks/api-5xx.ipynb", "checkout-api", pd.Timestamp("2026-11-14T14:00Z"),
        ...          pd.Timestamp("2026-11-14T15:00Z"), pd.Timestamp("2026-11-14T13:58Z"))
        {'service': 'checkout-api', 'start': '2026-11-14T13:45Z', 'end': '2026-11-14T15:00Z', 'change_at': '2026-11-14T13:58:00Z'}
        """
        runbook = self.next_runbook()
        if not runbook:
            return {}
        change = self.suspected_change()
        at = None if change is None else pd.Timestamp(change.event_time)
        return _handoff(runbook, self.service.name, self.window.start, self.window.end, at)

    def next_steps(self) -> pd.DataFrame:
        """Return what to run next: the drill-down runbook with the parameters to give it.

        Without a runbook to run, one row says why (nothing abnormal, or checks that could not run).
        """
        runbook = self.next_runbook()
        if not runbook:
            return pd.DataFrame({"parameter": ["runbook"], "value": [f"none: {self._why_none()}"]}
                                ).set_index("parameter")  # fmt: skip
        rows = [("runbook", runbook), *self.next_parameters().items()]
        return pd.DataFrame(rows, columns=["parameter", "value"]).set_index("parameter")

    def _why_none(self) -> str:
        unread = [c.name for c in self.checks.values() if c.status in (ERROR, SKIPPED)]
        found = self.found()
        if (found.severity < 4).any():
            return ("the findings (" + ", ".join(sorted(set(found.loc[found.severity < 4].check)))
                    + ") point at no drill-down runbook: read them above")  # fmt: skip
        if unread:
            return (f"no symptom found, and {', '.join(unread)} could not run (see their reasons): "
                    "fix the data or widen the window, then triage again")  # fmt: skip
        return "every check passed: no symptom to drill into"


#: The parameters each drill-down runbook takes beyond service, start and end.
_TAKES_CHANGE = frozenset({"runbooks/api-5xx.ipynb", "runbooks/latency-regression.ipynb"})
_LEAD = pd.Timedelta(minutes=10)  # how long before a change a widened window starts


def _handoff(
    runbook: str,
    service: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    change_at: pd.Timestamp | None,
) -> dict[str, str]:
    params = {"service": service}
    if runbook in _TAKES_CHANGE and change_at is not None and change_at < end:
        if change_at <= start:
            start = (change_at - _LEAD).floor("5min")
        params.update(start=f"{start:%Y-%m-%dT%H:%MZ}", end=f"{end:%Y-%m-%dT%H:%MZ}",
                      change_at=f"{change_at:%Y-%m-%dT%H:%M:%SZ}")  # fmt: skip
        return params
    params.update(start=f"{start:%Y-%m-%dT%H:%MZ}", end=f"{end:%Y-%m-%dT%H:%MZ}")
    return params


@drill_params
def triage(
    service: str,
    start: str | pd.Timestamp = "",
    end: str | pd.Timestamp = "",
    *,
    baseline: str = "",
    lookback: str = "6h",
    checks: Sequence[str] = ALL_CHECKS,
    databases: Sequence[str] = (),
    settings: Settings | None = None,
) -> Triage:
    """Run the triage checks for ``service`` over ``[start, end)`` in the on-call order.

    Parameters
    ----------
    service
        The service (as named in its alarms, SLOs and log groups), e.g. ``checkout-api``.
    baseline
        Empty: the same length before ``start``; else an offset back such as ``1d``.
    lookback
        How long before ``start`` to look for changes.
    checks
        Which checks, in order (default all: ``alarms``, ``canaries``, ``health``, ``changes``,
        ``golden_signals``, ``dependencies``, ``top_errors``, ``slo_burn``).
    databases
        RDS instances the service depends on, for saturation signals.

    Returns
    -------
    Triage
        ``.findings()``, ``.found()``, ``.summary()``, ``.frame(check)``, ``.next_runbook()``.

    Raises
    ------
    opsbook.errors.ConfigurationError
        Bad window, unknown check, unknown service: before any check runs.
    """
    started = time.perf_counter()
    unknown = [c for c in checks if c not in _CHECKS]
    if unknown:
        raise ConfigurationError(
            f"unknown check {', '.join(unknown)}: choose from {', '.join(ALL_CHECKS)}"
        )
    window = resolve_window(start, end, baseline=baseline, lookback=lookback)
    settings = settings or resolve()
    targets = find_service(service, settings=settings, databases=tuple(databases))
    result = Triage(targets, window, settings)
    for name in checks:
        result.checks[name] = _run_one(name, result)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


#: Where to go when a runbook is missing (e.g. an older checkout): the closest one that exists.
_FALLBACKS = {
    "runbooks/lambda-failures.ipynb": "runbooks/api-5xx.ipynb",
    "runbooks/latency-regression.ipynb": "runbooks/api-5xx.ipynb",
}


def available_runbook(path: str, root: Path | None = None) -> str:
    """Return ``path`` if that runbook exists under ``root`` (the project), else its fallback.

    Empty when neither exists: triage never hands off to itself.

    Examples
    --------
    >>> available_runbook("runbooks/lambda-failures.ipynb", root=Path("/nowhere"))
    ''
    """
    base = root if root is not None else _PROJECT
    while not (base / path).is_file() and path in _FALLBACKS:
        path = _FALLBACKS[path]
    return path if (base / path).is_file() else ""


def load_query(name: str) -> str:
    """Return the Logs Insights text of one of this package's queries (``queries/<name>.insights``)."""
    path = resources.files("opsbook.incident") / "queries" / f"{name}.insights"
    lines = path.read_text().splitlines()
    return "\n".join(line for line in lines if not line.startswith("#")).strip()


def query_fields(
    name: str,
    groups: Sequence[str],
    first: pd.Timestamp,
    last: pd.Timestamp,
    fields: Sequence[str],
    settings: Settings,
    *,
    problems: list[str] | None = None,
    missing_is_error: bool = False,
) -> pd.DataFrame:
    """Run query ``name`` and return its rows, refusing rows that lack the ``fields`` it makes.

    Rows without the fields a query computes (absent, or empty in every row) are an answer the
    source could not give (an emulator's Logs Insights, a query CloudWatch read differently),
    never "no errors".

    Parameters
    ----------
    problems
        None: a failure raises. A list, for one section of a drill-down among others: a query
        the source could not run is noted there (``name: ErrorType: message``, for the findings
        to name) and gives an empty frame, so the other sections still stand; no log files for
        the window give an empty frame too (no data, which the findings report).
    missing_is_error
        With ``problems``: no log files for the window still raise.

    Raises
    ------
    opsbook.errors.QueryFailedError
        When rows came back without the fields (and ``problems`` is None).
    """
    try:
        frame = logs.query(load_query(name), list(groups), first, last, settings=settings)
        missing = [f for f in fields if f not in frame.columns or frame[f].isna().all()]
        if len(frame) and missing:
            raise QueryFailedError(
                f"Logs Insights (StartQuery/GetQueryResults) answered query {name!r} with "
                f"{len(frame)} row(s) lacking its fields {', '.join(missing)}: the source could "
                "not run it; run the query in the CloudWatch console or use a snapshot"
            )
    except NoDataError:
        if problems is None or missing_is_error:
            raise
        return pd.DataFrame()
    except OpsbookError as error:
        if problems is None:
            raise
        problems.append(f"{name}: {type(error).__name__}: {error}")
        return pd.DataFrame()
    return frame


def _run_one(name: str, result: Triage) -> Check:
    if name not in _CHECKS:
        raise ConfigurationError(f"unknown check {name!r}: choose from {', '.join(ALL_CHECKS)}")
    return run_check(name, lambda: _CHECKS[name](result))


def _check_alarms(t: Triage) -> Check:
    w, mine = t.window, set(t.service.alarms)
    current = alarms.describe_alarms(None, settings=t.settings)
    updated = pd.to_datetime(current.state_updated, utc=True)
    unread = ""
    if updated.notna().all() and not (updated >= w.start).any():
        # No state changed since the window began: DescribeAlarms alone is the whole answer.
        history = pd.DataFrame({"alarm_name": pd.Series(dtype=str), "timestamp": pd.Series(dtype="datetime64[ns, UTC]"),
                                "old_state": pd.Series(dtype=str), "new_state": pd.Series(dtype=str)})  # fmt: skip
    else:
        try:
            history = alarms.read_alarm_history(
                w.start - pd.Timedelta(hours=1), max(w.end, updated.max() + pd.Timedelta(seconds=1)),
                settings=t.settings)  # fmt: skip
        except OpsbookError as error:
            unread = f"{type(error).__name__}: {error}"
            history = _history_from_states(current, updated)
    history["timestamp"] = pd.to_datetime(history.timestamp, utc=True)
    # State at the window's end: the current state, unless a transition after the end changed it.
    after = (
        history.loc[history.timestamp >= w.end]
        .sort_values("timestamp")
        .groupby("alarm_name")
        .first()
    )
    state = current.set_index("alarm_name").state.copy()
    state.update(after.old_state)
    inside = history.loc[(history.timestamp >= w.start) & (history.timestamp < w.end)]
    to_alarm = inside.loc[inside.new_state == "ALARM"].groupby("alarm_name").timestamp.min()
    rows = pd.DataFrame({"state_at_end": state})
    rows["went_to_alarm_at"] = to_alarm
    rows["transitions_in_window"] = inside.groupby("alarm_name").size()
    rows["service_alarm"] = rows.index.isin(mine)
    rows = rows.fillna({"transitions_in_window": 0}).reset_index(names="alarm_name")
    firing = rows.loc[(rows.state_at_end == "ALARM") | rows.went_to_alarm_at.notna()]
    findings = [
        Finding("alarms", f"alarm {r.alarm_name} {'in ALARM' if r.state_at_end == 'ALARM' else 'fired'}",
                f"went to ALARM at {r.went_to_alarm_at:%H:%M} UTC" if pd.notna(r.went_to_alarm_at)
                else "in ALARM since before the window",
                since=r.went_to_alarm_at if pd.notna(r.went_to_alarm_at) else None,
                severity=1 if r.service_alarm else 3)
        for r in firing.sort_values("went_to_alarm_at").itertuples()
    ]  # fmt: skip
    frame = rows.sort_values(
        ["service_alarm", "went_to_alarm_at"], ascending=[False, True], ignore_index=True
    )
    if unread:
        # Without history only the last change of each alarm is known: one that changed state
        # in or after the window may have fired in it unseen.
        open_ = current.loc[updated >= w.start, "alarm_name"].tolist()
        frame.attrs["history_error"] = unread
        gap = (f"alarm history could not be read ({unread}); whether {len(open_)} alarm(s) that changed "
               f"state since {w.start:%H:%M} UTC fired in the window is unknown: {', '.join(open_)}")  # fmt: skip
        if not findings:
            return Check("alarms", ERROR, f"could not run: {gap}", frame)
        findings.append(Finding("alarms", "alarm history ERROR", gap, severity=4))
        names = ", ".join(firing.alarm_name)
        return Check("alarms", FINDING, f"{len(firing)} alarm(s) in ALARM: {names}; {gap}", frame, findings)  # fmt: skip
    if not findings:
        return Check(
            "alarms", PASS, f"no alarm in ALARM or firing in the window ({len(rows)} alarms)", frame
        )
    names = ", ".join(firing.alarm_name)
    return Check(
        "alarms", FINDING, f"{len(firing)} alarm(s) in ALARM or fired: {names}", frame, findings
    )


def _history_from_states(current: pd.DataFrame, updated: pd.Series) -> pd.DataFrame:
    """Return the one transition DescribeAlarms shows per alarm: into its state, when it changed.

    What the alarm was before is ``unknown``, so a change after the window leaves the state at
    the window's end unknown rather than guessed.
    """
    return pd.DataFrame({"alarm_name": current.alarm_name.to_numpy(), "timestamp": updated.to_numpy(),
                         "old_state": "unknown", "new_state": current.state.to_numpy()})  # fmt: skip


def _check_health(t: Triage) -> Check:
    w = t.window
    events = health.read_health_events(w.start - w.lookback, w.end, settings=t.settings)
    if not events.attrs.get("available", True):
        reason = events.description.iloc[0] if len(events) else "AWS Health cannot be asked"
        return Check("health", SKIPPED, f"AWS Health unavailable: {reason}", events)
    issues = events.loc[events.category == "issue"]
    if issues.empty:
        return Check("health", PASS, f"no AWS service issue ({len(events)} other event(s))", events)
    findings = [Finding("health", f"AWS Health issue {r.event_type}", f"{r.service} in {r.region}: {r.status}",
                        since=r.start, severity=1) for r in issues.itertuples()]  # fmt: skip
    return Check("health", FINDING, f"{len(issues)} AWS service issue(s) open", events, findings)


def _check_changes(t: Triage) -> Check:
    w = t.window
    frame = changes.read_changes(w.start - w.lookback, w.end, settings=t.settings)
    names = t.service.names()
    accounts = _accounts(t)
    frame = frame.assign(
        event_time=pd.to_datetime(frame.event_time, utc=True),
        version=[_version(p) for p in frame.request_parameters],
        service_change=[
            _touches(r, p, names) and (not accounts or a in accounts)
            for r, p, a in zip(frame.resource, frame.request_parameters, frame.account_id, strict=True)
        ],
    )  # fmt: skip
    mine = frame.loc[frame.service_change]
    if mine.empty:
        note = f"; {len(frame)} change(s) to other resources" if len(frame) else ""
        return Check(
            "changes", PASS, f"no change to {t.service.name} in the look-back{note}", frame
        )
    findings = [
        Finding("changes", f"{r.action} {r.resource}" + (f" to {r.version}" if r.version else ""),
                f"at {r.event_time:%Y-%m-%d %H:%M} UTC in account {r.account_id} by {str(r.actor).rsplit('/', 1)[-1]}",
                since=r.event_time, severity=1 if r.event_time <= w.end else 2)
        for r in mine.itertuples()
    ]  # fmt: skip
    return Check("changes", FINDING, f"{len(mine)} change(s) to {t.service.name} since {w.start - w.lookback:%H:%M} UTC",
                 frame, findings)  # fmt: skip


def _check_signals(t: Triage) -> Check:
    specs = signal_specs(t.service)
    if not specs:
        return Check(
            "golden_signals",
            SKIPPED,
            f"no load balancer, API, function or ECS service found for {t.service.name}",
        )
    values = fetch_signals(specs, t.window, settings=t.settings)
    table = compare_signals(specs, values)
    table.attrs["series"] = values
    measured = table.loc[table.status.isin(["abnormal", "normal"])]
    broken = table.loc[table.status == "error"]
    unread = (
        f"{len(broken)} signal(s) could not be read ({broken.note.iloc[0]})" if len(broken) else ""
    )
    if measured.empty:
        if unread:
            return Check("golden_signals", ERROR, f"could not run: {unread}", table)
        why = (
            "no datapoints in the window"
            if (table.status == "no data").all()
            else "no baseline to compare with"
        )
        return Check("golden_signals", SKIPPED, f"could not compare: {why}", table)
    bad = table.loc[table.status == "abnormal"]
    unmeasured = len(table) - len(measured) - len(broken)
    note = f"; {unmeasured} signal(s) without data" if unmeasured else ""
    note += f"; {unread}" if unread else ""
    if bad.empty:
        # Signals that could not be read leave the answer open: never PASS on part of them.
        status = ERROR if unread else PASS
        return Check(
            "golden_signals",
            status,
            f"{len(measured)} signal(s) within their baseline{note}",
            table,
        )
    findings = [
        Finding("golden_signals", f"{r.resource} {r.signal}",
                f"{_num(r.window)} vs {_num(r.baseline)} baseline (x{_num(r.change)}), worst minute {_num(r.peak)}",
                value=float(r.window), baseline=float(r.baseline), since=r.since,
                severity=2)
        for r in bad.itertuples()
    ]  # fmt: skip
    findings += [Finding("golden_signals", f"{r.resource} {r.signal} ERROR", f"could not read: {r.note}", severity=4)
                 for r in broken.itertuples()]  # fmt: skip
    return Check("golden_signals", FINDING, f"{len(bad)} signal(s) abnormal{note}", table, findings)


def _check_errors(t: Triage) -> Check:
    groups = list(t.service.log_groups)
    if not groups:
        return Check("top_errors", SKIPPED, f"no log group found for {t.service.name}")
    w = t.window
    raw = query_fields(
        "error_messages", groups, w.start, w.end, ("text", "occurrences"), t.settings
    )
    if raw.empty:
        seen = query_fields("count_events", groups, w.start, w.end, ("events",), t.settings)
        events = int(seen.events.sum()) if len(seen) else 0
        if events == 0:
            return Check("top_errors", SKIPPED,
                         f"no log events at all in {', '.join(groups)} in the window: cannot tell")  # fmt: skip
        return Check("top_errors", PASS, f"no error lines among {events} events in {', '.join(groups)}",
                     group_by_pattern(raw, message="text"))  # fmt: skip
    table = group_by_pattern(raw, message="text", top=15)
    findings = [
        Finding("top_errors", f"error: {r.pattern[:120]}", f"{r.occurrences} lines, {r.first_seen:%H:%M}-{r.last_seen:%H:%M} UTC",
                value=float(r.occurrences), since=r.first_seen, severity=2)
        for r in table.head(3).itertuples()
    ]  # fmt: skip
    total = int(raw.occurrences.sum())
    return Check(
        "top_errors", FINDING, f"{total} error lines in {len(table)} pattern(s)", table, findings
    )


def _check_slo(t: Triage) -> Check:
    from opsbook.slo import evaluate

    spec = Path(t.settings.data_dir) / "slos.yaml"
    if not t.service.slos:
        return Check("slo_burn", SKIPPED, f"{t.service.name} has no SLO in {spec.name}")
    report = evaluate.review_slos(
        spec, t.window.end, names=list(t.service.slos), settings=t.settings
    )
    table = report.summary()
    recent = sum(
        float(d.counts.loc[d.counts.index >= t.window.end - pd.Timedelta(hours=1)].total.sum())
        for d in report.data
    )
    if recent == 0:
        return Check(
            "slo_burn",
            SKIPPED,
            "no SLI data in the hour before the window's end: burn rates unknown",
            table,
        )
    burning = table.loc[table.status.isin(["page", "ticket"])]
    if burning.empty:
        return Check("slo_burn", PASS, "SLOs within budget burn", table)
    findings = [
        Finding("slo_burn", f"SLO {r.name} burn: {r.status}",
                f"fast burn {_num(r.fast_burn)}x (threshold {_num(r.fast_threshold)}), {r.budget_remaining:.0%} budget left",
                value=float(r.fast_burn), severity=1 if r.status == "page" else 2)
        for r in burning.itertuples()
    ]  # fmt: skip
    return Check("slo_burn", FINDING, f"{len(burning)} SLO(s) burning budget", table, findings)


def _accounts(t: Triage) -> set[str]:
    # The service's account(s), from its alarms' ARNs: a change to a same-named service in another
    # account (staging) is not this incident's change.
    table = alarms.describe_alarms(None, settings=t.settings)
    arns = table.loc[table.alarm_name.isin(t.service.alarms), "arn"].dropna().astype(str)
    return {a.split(":")[4] for a in arns if a.count(":") >= 5 and a.split(":")[4]}


def _version(parameters: object) -> str | None:
    try:
        params = json.loads(parameters) if isinstance(parameters, str) else {}
    except ValueError:
        return None
    if "taskDefinition" in params:
        return str(params["taskDefinition"])
    if "functionVersion" in params:
        return f"{params.get('functionName', '')}:{params['functionVersion']}"
    return None


def _touches(resource: object, parameters: object, names: set[str]) -> bool:
    text = f"{resource} {parameters}"
    return any(n and (f"/{n}" in text or f'"{n}"' in text or str(resource) == n) for n in names)


_CHECKS: dict[str, Callable[[Triage], Check]] = {
    "alarms": _check_alarms,
    "canaries": check_canaries,
    "health": _check_health,
    "changes": _check_changes,
    "golden_signals": _check_signals,
    "dependencies": check_dependencies,
    "top_errors": _check_errors,
    "slo_burn": _check_slo,
}
assert tuple(_CHECKS) == ALL_CHECKS and set(STATUSES) >= {PASS, FINDING, ERROR, SKIPPED}


def _num(value: float) -> str:
    """Return a measured value for a finding's text: ``1,760``, ``0.0922``, never ``1.76e+03``."""
    return format_value(value, "number")
