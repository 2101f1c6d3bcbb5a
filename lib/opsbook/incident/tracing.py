"""Traces and canaries in an incident: did users notice first, and which downstream call broke.

Two triage checks and the trace evidence the drill-downs show:

- :func:`check_canaries`: canaries failing (or slowed) in the window against the baseline, when
  each began to fail, and whether that was before or after the first alarm;
- :func:`check_dependencies`: the downstream edge of the service (caller -> callee in the X-Ray
  service graph) whose faults and errors, or latency, moved most against the baseline;
- :func:`edge_changes`: the service graph's edges before and after a moment, side by side;
- :func:`trace_evidence`: the failing and the slowest downstream calls, with the trace ids an
  engineer opens in the X-Ray console;
- :func:`drill_traces`: both for a drill-down runbook, before and after the suspected change.

A check that cannot read its source is ERROR (the exception, through
:func:`~opsbook.incident.checks.run_check`), and one with nothing to compare is SKIPPED: neither
reads as healthy.

Examples
--------
>>> edges = pd.DataFrame({"caller": ["api"], "callee": ["db"], "requests": [100], "errors": [1],
...                       "faults": [20], "p99_ms": [900.0]})
>>> base = edges.assign(faults=[0], p99_ms=[100.0])
>>> edge_changes(base, edges, "api")[["edge", "bad_rate_before", "bad_rate_after", "moved"]]
        edge  bad_rate_before  bad_rate_after moved
0  api -> db             0.01            0.21  both
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from opsbook import canaries, clock, traces
from opsbook._docs import shared_params
from opsbook.errors import OpsbookError
from opsbook.incident.checks import FINDING, PASS, SKIPPED, Check, Finding
from opsbook.incident.window import IncidentWindow, resolve_window
from opsbook.present import SectionError, format_value, status_of
from opsbook.settings import Settings, resolve

if TYPE_CHECKING:
    from opsbook.incident.triage import Triage

__all__ = [
    "FAILING_RATE",
    "SLOWED_RATIO",
    "TraceDrill",
    "check_canaries",
    "check_dependencies",
    "drill_traces",
    "edge_changes",
    "trace_evidence",
]

#: A rise of the share of failed calls (faults and errors) at least this large, and at least
#: double the baseline's, marks an edge or a canary failing.
FAILING_RATE = 0.02
#: A p99 (an edge) or median (a canary) at least this many times the baseline's, and at least
#: :data:`_SLOWER_MS` more, marks it slowed.
SLOWED_RATIO = 2.0
_SLOWER_MS = 100.0
#: A canary failing at least this share of its runs in the window is failing, whatever the baseline.
_STILL_FAILING = 0.5
_GENERIC = frozenset({"api", "service", "svc", "app", "web", "worker", "handler", "prod"})
_MOVES = {
    (True, True): "both",
    (True, False): "failing",
    (False, True): "slowed",
    (False, False): "",
}
_EDGE_COLUMNS = [
    "edge", *(f"{c}_{side}" for side in ("before", "after") for c in ("requests", "errors", "faults", "p99_ms")),
    "bad_rate_before", "bad_rate_after", "moved", "score",
]  # fmt: skip
_SAID = {"both": "failing and slowed"}  # how a finding says a move


def _hhmm(moment: pd.Timestamp) -> str:
    return f"{moment:%H:%M} UTC"


def _num(value: float) -> str:
    return format_value(value, "number")


def _first_alarm(t: Triage) -> tuple[pd.Timestamp, str] | None:
    """Return when the first alarm of the window fired (the service's first if any) and its name."""
    check = t.checks.get("alarms")
    if check is None or check.frame.empty or "went_to_alarm_at" not in check.frame:
        return None
    fired = check.frame.loc[check.frame.went_to_alarm_at.notna()]
    mine = fired.loc[fired.service_alarm] if fired.service_alarm.any() else fired
    if mine.empty:
        return None
    first = mine.sort_values("went_to_alarm_at").iloc[0]
    return pd.Timestamp(first.went_to_alarm_at), str(first.alarm_name)


def _related(canary: str, service: str) -> bool:
    """Return whether a canary's name shares a word with the service's (``checkout-flow``, ``checkout-api``).

    Examples
    --------
    >>> _related("checkout-flow", "checkout-api"), _related("catalog-browse", "checkout-api")
    (True, False)
    """
    words = {w for w in re.split(r"[^a-z0-9]+", service.lower()) if w and w not in _GENERIC}
    return bool(words & set(re.split(r"[^a-z0-9]+", canary.lower())))


def _canary_table(runs: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """Return one row per canary: runs, failures and median duration in the window and baseline."""
    runs = runs.assign(inside=runs.started >= start, failed=runs.state == "FAILED")
    rows = []
    for name, group in runs.groupby("canary", sort=True):
        now, before = group.loc[group.inside], group.loc[~group.inside]
        failing = now.loc[now.failed]
        # When it began to fail: the first failed run after the last pass before the failures.
        first_failure = failing.started.min() if len(failing) else pd.NaT
        rows.append({
            "canary": name, "runs": len(now), "failed": int(now.failed.sum()),
            "success_rate": 1 - now.failed.mean() if len(now) else np.nan,
            "baseline_success_rate": 1 - before.failed.mean() if len(before) else np.nan,
            "median_ms": now.duration_ms.median(), "baseline_median_ms": before.duration_ms.median(),
            "first_failure": first_failure,
            "reason": failing.state_reason.dropna().mode().iloc[0] if failing.state_reason.notna().any() else None,
        })  # fmt: skip
    return pd.DataFrame(rows)


def check_canaries(t: Triage) -> Check:
    """Triage check: are the canaries failing or slowed, since when, before or after the alarms."""
    w = t.window
    runs = canaries.read_canary_runs(w.baseline_start, w.end, settings=t.settings)
    runs = runs.loc[(runs.started < w.baseline_end) | (runs.started >= w.start)]
    if runs.empty:
        return Check(
            "canaries", SKIPPED, "no canary runs in the window or its baseline: cannot tell", runs
        )
    table = _canary_table(runs, w.start)
    measured = table.loc[table.runs > 0]
    if measured.empty:
        return Check("canaries", SKIPPED, "no canary ran in the window: cannot tell", table)
    failed_share = 1 - table.success_rate
    rise = failed_share - (1 - table.baseline_success_rate.fillna(1))
    failing = (rise >= FAILING_RATE) | (failed_share >= _STILL_FAILING)
    slowed = (table.median_ms >= SLOWED_RATIO * table.baseline_median_ms) & (
        table.median_ms - table.baseline_median_ms >= _SLOWER_MS
    )
    table["status"] = [
        _MOVES[(bool(f), bool(s))] or "normal" for f, s in zip(failing, slowed, strict=True)
    ]
    table.loc[table.runs == 0, "status"] = "no runs"
    alarm = _first_alarm(t)
    findings = []
    for row in table.loc[table.status.isin(["failing", "slowed", "both"])].itertuples():
        related = _related(row.canary, t.service.name)
        since = None
        if row.status == "slowed":
            what = f"canary {row.canary} slowed"
            detail = (
                f"median {_num(row.median_ms)} ms vs {_num(row.baseline_median_ms)} ms baseline"
            )
        else:
            before = (
                "no baseline runs"
                if pd.isna(row.baseline_success_rate)
                else f"baseline {1 - row.baseline_success_rate:.0%} failed"
            )
            what = f"canary {row.canary} failing"
            detail = f"{row.failed} of {row.runs} runs failed since {_hhmm(row.first_failure)} ({before}): {row.reason}"
            since = row.first_failure
            if alarm is not None:
                gap = (alarm[0] - row.first_failure).total_seconds() / 60
                order = "before" if gap > 0 else "after"
                detail += f"; failed {abs(gap):.0f} min {order} the first alarm ({alarm[1]} at {_hhmm(alarm[0])})"
            elif "alarms" in t.checks:
                detail += "; no alarm fired in the window"
        findings.append(Finding("canaries", what, detail, value=float(row.success_rate),
                                baseline=float(row.baseline_success_rate), since=since,
                                severity=1 if related else 3))  # fmt: skip
    if not findings:
        return Check(
            "canaries", PASS, f"{len(measured)} canary(ies) passing as in the baseline", table
        )
    return Check(
        "canaries", FINDING, f"{len(findings)} canary(ies) failing or slowed", table, findings
    )


def edge_changes(before: pd.DataFrame, after: pd.DataFrame, service: str) -> pd.DataFrame:
    """Return the service's downstream edges before and after, most moved first.

    ``bad_rate`` is the share of calls that faulted or errored; ``moved`` is ``failing``,
    ``slowed``, ``both`` or empty (see :data:`FAILING_RATE`, :data:`SLOWED_RATIO`).
    """
    columns = ["requests", "errors", "faults", "p99_ms"]

    def mine(edges: pd.DataFrame) -> pd.DataFrame:
        edges = edges.loc[edges.caller == service]
        return edges.groupby(["caller", "callee"], as_index=False)[columns].agg(
            {"requests": "sum", "errors": "sum", "faults": "sum", "p99_ms": "max"})  # fmt: skip

    early, late = mine(before), mine(after)
    if early.empty and late.empty:
        return pd.DataFrame(columns=_EDGE_COLUMNS)
    table = early.merge(late, on=["caller", "callee"], how="outer", suffixes=("_before", "_after"))
    for side in ("before", "after"):
        requests = table[f"requests_{side}"].astype("float64")
        bad = (table[f"errors_{side}"] + table[f"faults_{side}"]).astype("float64")
        table[f"bad_rate_{side}"] = (bad / requests.where(requests > 0)).round(4)
    table.insert(0, "edge", table.caller + " -> " + table.callee)
    rise = table.bad_rate_after.fillna(0) - table.bad_rate_before.fillna(0)
    failing = (rise >= FAILING_RATE) & (
        table.bad_rate_after.fillna(0) >= 2 * table.bad_rate_before.fillna(0)
    )
    p99_before, p99_after = (
        table.p99_ms_before.astype("float64"),
        table.p99_ms_after.astype("float64"),
    )
    slowed = (p99_after >= SLOWED_RATIO * p99_before) & (p99_after - p99_before >= _SLOWER_MS)
    table["moved"] = [
        _MOVES[(bool(f), bool(s))] for f, s in zip(failing, slowed.fillna(False), strict=True)
    ]
    table["score"] = rise.clip(lower=0) * 100 + np.log2(
        (p99_after / p99_before).where(p99_before > 0).fillna(1)
    ).clip(lower=0)
    ordered = table.sort_values(["score", "edge"], ascending=[False, True], ignore_index=True)
    return ordered.drop(columns=["caller", "callee"])


def check_dependencies(t: Triage) -> Check:
    """Triage check: the downstream edge whose failures or latency moved most against the baseline."""
    w, name = t.window, t.service.name
    after = traces.read_service_graph(w.start, w.end, settings=t.settings)
    before = traces.read_service_graph(w.baseline_start, w.baseline_end, settings=t.settings)
    if not (after.caller == name).any():
        return Check("dependencies", SKIPPED, f"no traced downstream call of {name} in the window "
                     "(is X-Ray or OpenTelemetry tracing on?): cannot tell", after)  # fmt: skip
    table = edge_changes(before, after, name)
    moved = table.loc[table.moved != ""]
    if moved.empty:
        return Check(
            "dependencies",
            PASS,
            f"{len(table)} downstream edge(s) of {name} as in the baseline",
            table,
        )
    findings = []
    for rank, row in enumerate(moved.itertuples()):
        callee = row.edge.split(" -> ", 1)[1]
        failed = traces.read_trace_summaries(w.start, w.end, settings=t.settings,
                                             filter_expression=f'service("{callee}") {{ fault }}')  # fmt: skip
        since = failed.start.min() if len(failed) else None
        detail = (f"{row.bad_rate_after:.1%} of {int(row.requests_after)} calls failed (baseline "
                  f"{0 if pd.isna(row.bad_rate_before) else row.bad_rate_before:.1%}), p99 {_num(row.p99_ms_after)} ms "
                  f"vs {_num(row.p99_ms_before)} ms")  # fmt: skip
        if since is not None:
            detail += f"; first faulted trace {_hhmm(since)}: {failed.trace_id.iloc[0]}"
        findings.append(Finding("dependencies", f"dependency {row.edge} {_SAID.get(row.moved, row.moved)}", detail,
                                value=float(row.bad_rate_after), baseline=float(np.nan_to_num(row.bad_rate_before)),
                                since=since, severity=1 if rank == 0 else 2))  # fmt: skip
    top = moved.edge.iloc[0]
    return Check(
        "dependencies",
        FINDING,
        f"{len(moved)} downstream edge(s) moved; most: {top}",
        table,
        findings,
    )


def trace_evidence(
    start: pd.Timestamp,
    end: pd.Timestamp,
    service: str,
    *,
    top: int = 10,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the service's failing and slowest downstream calls in ``[start, end)``, with trace ids.

    Failing calls (fault or error) first, newest cause kept, then the slowest successful ones;
    ``top`` of each. Columns: ``kind`` (``failing``/``slowest``), ``trace_id``, ``start``,
    ``callee``, ``duration_ms``, ``http_status``, ``cause``, ``version`` (the service's
    ``version`` annotation, when it has one).
    """
    chosen = settings
    summaries = traces.read_trace_summaries(
        start, end, settings=chosen, filter_expression=f'service("{service}")'
    )
    failing = summaries.loc[summaries.fault | summaries.error].head(top)
    slowest = summaries.loc[~(summaries.fault | summaries.error)].nlargest(top, "response_time_s")
    ids = list(dict.fromkeys([*failing.trace_id, *slowest.trace_id]))
    columns = [
        "kind",
        "trace_id",
        "start",
        "callee",
        "duration_ms",
        "http_status",
        "cause",
        "version",
    ]
    if not ids:
        return pd.DataFrame(columns=columns)
    segments = traces.read_traces(ids, settings=chosen)
    calls = segments.loc[(segments.service == service) & (segments.depth == 1)]
    versions = {
        r.trace_id: json.loads(r.annotations).get("version") for r in summaries.itertuples()
    }
    rows = []
    for kind, chosen_ids in (("failing", failing.trace_id), ("slowest", slowest.trace_id)):
        picked = calls.loc[calls.trace_id.isin(set(chosen_ids))]
        if kind == "failing":
            picked = picked.loc[picked.fault | picked.error]
        else:
            picked = picked.sort_values("duration_ms", ascending=False).drop_duplicates("trace_id")
        for row in picked.itertuples():
            rows.append({"kind": kind, "trace_id": row.trace_id, "start": row.start, "callee": row.name,
                         "duration_ms": row.duration_ms, "http_status": row.http_status, "cause": row.cause,
                         "version": versions.get(row.trace_id)})  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    # failing calls oldest first (the first is where it began), then the slowest first
    key = frame.start.astype("int64") // 10**6 * frame.kind.eq(
        "failing"
    ) - frame.duration_ms * frame.kind.eq("slowest")
    return (
        frame.assign(_k=frame.kind.eq("slowest"), _o=key)
        .sort_values(["_k", "_o"], ignore_index=True)
        .drop(columns=["_k", "_o"])
    )


@dataclass
class TraceDrill:
    """The trace evidence of one window: the service graph before and after, failing and slow calls."""

    service: str
    window: IncidentWindow
    split: pd.Timestamp  # the change (or the window's start: before is then the baseline)
    graph: pd.DataFrame  # edge_changes: the service's downstream edges, most moved first
    evidence: pd.DataFrame  # trace_evidence after the split
    error: str = ""  # why the traces could not be read, if they could not

    def section(self, name: str) -> pd.DataFrame | SectionError:
        """Return ``graph`` or ``evidence``, or the ERROR saying why the traces could not be read."""
        frame = getattr(self, name)
        return SectionError(name, self.error) if frame.empty and self.error else frame

    def findings(self) -> list[str]:
        """Return short findings: the edge that moved most, the first failing trace."""
        if self.error:
            return [f"traces ERROR: {self.error}"]
        if self.graph.empty:
            return [f"no data: no traced downstream call of {self.service} in the window"]
        moved = self.graph.loc[self.graph.moved != ""]
        if moved.empty:
            return [f"no downstream edge of {self.service} moved after {_hhmm(self.split)}"]
        top = moved.iloc[0]
        out = [f"dependency {top.edge} {_SAID.get(top.moved, top.moved)} after {_hhmm(self.split)}: {top.bad_rate_after:.1%} of calls "
               f"failed (before {np.nan_to_num(top.bad_rate_before):.1%}), p99 {_num(top.p99_ms_before)} -> "
               f"{_num(top.p99_ms_after)} ms"]  # fmt: skip
        failing = self.evidence.loc[self.evidence.kind == "failing"]
        if len(failing):
            first = failing.iloc[0]
            out.append(
                f"first failing call {first.callee} at {_hhmm(first.start)} in trace {first.trace_id}: {first.cause}"
            )
        return out

    def status(self) -> str:
        """Return ERROR when traces could not be read, SKIPPED without any, FINDING for a moved edge."""
        if not self.error and self.graph.empty:
            return SKIPPED
        moved = [] if self.graph.empty else list(self.graph.loc[self.graph.moved != ""].edge)
        return status_of(moved, errors=[self.error] if self.error else [])

    def figures(self) -> dict[str, object]:
        """Return the figures a runbook records: the edge that moved most."""
        moved = self.graph.loc[self.graph.moved != ""] if not self.graph.empty else self.graph
        return {"moved_edge": None if moved.empty else str(moved.iloc[0].edge)}


@shared_params
def drill_traces(
    service: str,
    start: clock.Moment,
    end: clock.Moment,
    *,
    change_at: clock.Moment | None = None,
    top: int = 10,
    settings: Settings | None = None,
) -> TraceDrill:
    """Return the service graph before and after ``change_at`` and the trace evidence after it.

    Parameters
    ----------
    service
        The traced service (its segments' name), e.g. ``checkout-api``.
    start, end
        The window (ISO 8601, UTC).
    change_at
        The suspected change inside the window; empty: before is the baseline (the same length
        before ``start``), after is the window.
    top
        How many failing and how many slowest calls to list.

    Examples
    --------
    >>> drill = drill_traces("checkout-api", "2026-11-14T13:45Z", "2026-11-14T15:00Z",
    ...                      change_at="2026-11-14T13:58Z")  # doctest: +SKIP
    >>> drill.findings()[0]  # doctest: +SKIP
    'dependency checkout-api -> payments-api failing and slowed after 13:58 UTC: ...'
    """
    window = resolve_window(start, end)
    settings = settings or resolve()
    split = clock.to_utc(change_at, "change_at") if change_at not in (None, "") else window.start
    if not window.start <= split < window.end:
        split = window.start
    before = (
        (window.baseline_start, window.baseline_end)
        if split == window.start
        else (window.start, split)
    )
    try:
        graph = edge_changes(traces.read_service_graph(*before, settings=settings),
                             traces.read_service_graph(split, window.end, settings=settings), service)  # fmt: skip
        evidence = trace_evidence(split, window.end, service, top=top, settings=settings)
    except OpsbookError as error:
        empty = pd.DataFrame()
        return TraceDrill(service, window, split, empty, empty, f"{type(error).__name__}: {error}")
    return TraceDrill(service, window, split, graph, evidence)
