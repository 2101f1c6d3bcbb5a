"""Drill into Lambda failures: errors, throttles, time-outs, out-of-memory kills, cold starts.

The function's own log lines say what the metrics cannot: REPORT lines carry the duration, the
configured memory, the most memory used and the init duration of a cold start; the runtime
writes ``Task timed out after N seconds`` (N is the configured time-out) and ``Runtime exited
with error: signal: killed`` when the sandbox ran out of memory. The version is in the log stream
name (``YYYY/MM/DD/[58]<id>``). CloudWatch metrics add what never reaches the logs: throttles and
concurrency. A source that cannot answer (an emulator's Logs Insights, a percentile CloudWatch
will not compute) marks what it feeds ERROR with the reason (:meth:`LambdaDrill.section`); the
metrics it could answer still stand.

Examples
--------
>>> drill = drill_lambda("orders-worker", "2026-11-13T00:00Z", "2026-11-15T00:00Z")  # doctest: +SKIP
>>> drill.failed.kind.value_counts()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from opsbook import metrics
from opsbook.errors import ConfigurationError, OpsbookError
from opsbook.incident.services import ServiceTargets, find_service
from opsbook.incident.triage import query_fields
from opsbook.incident.window import IncidentWindow, drill_params, resolve_window
from opsbook.present import SKIPPED, SectionError, status_of
from opsbook.settings import Settings, resolve

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["LAMBDA_METRICS", "LambdaDrill", "drill_lambda"]

#: Metric id to (metric name, statistic) asked of AWS/Lambda for every function.
LAMBDA_METRICS = {
    "invocations": ("Invocations", "Sum"),
    "errors": ("Errors", "Sum"),
    "throttles": ("Throttles", "Sum"),
    "duration_p99": ("Duration", "p99"),
    "concurrency": ("ConcurrentExecutions", "Maximum"),
}
_VERSION_COLUMNS = [
    "function", "version", "invocations", "errors", "timeouts", "out_of_memory", "cold_starts",
    "cold_start_pct", "p50_ms", "p99_ms", "max_duration_ms", "timeout_s", "init_p99_ms",
    "memory_size_mb", "max_memory_used_mb",
]  # fmt: skip
_FAILED_COLUMNS = [
    "time", "function", "version", "request_id", "kind", "duration_ms", "timeout_s",
    "memory_size_mb", "max_memory_used_mb",
]  # fmt: skip
_METRIC_COLUMNS = [
    "function",
    "invocations",
    "errors",
    "throttles",
    "worst_p99_ms",
    "peak_concurrency",
]


@dataclass
class LambdaDrill:
    """The Lambda failure breakdowns of one window; every frame is plain pandas."""

    service: ServiceTargets
    window: IncidentWindow
    functions: tuple[str, ...]
    by_version: pd.DataFrame  # one row per function and version (see _VERSION_COLUMNS)
    failed: pd.DataFrame  # one row per timed-out or out-of-memory invocation
    metric_totals: pd.DataFrame  # one row per function: metric sums and peaks
    series: pd.DataFrame  # timestamp, function, metric, value (per minute)
    metrics_error: str = ""  # why the metrics could not be read, if they could not
    logs_error: str = ""  # why the logs could not be queried, if they could not

    def section(self, name: str) -> pd.DataFrame | SectionError:
        """Return the table ``name`` shows, or the ERROR saying why its source failed.

        ``by_version``, ``failed`` and ``by_day`` come from the logs, ``metric_totals`` from the
        metrics: an empty table whose source failed would read as "no failure".

        Examples
        --------
        >>> drill.section("by_day")  # doctest: +SKIP
        """
        frame = self.by_day() if name == "by_day" else getattr(self, name)
        error = self.metrics_error if name == "metric_totals" else self.logs_error
        return SectionError(name, error) if frame.empty and error else frame

    def by_day(self) -> pd.DataFrame:
        """Return failed invocations per UTC day, function and kind (time-out, out of memory)."""
        if self.failed.empty:
            return pd.DataFrame(columns=["day", "function", "kind", "invocations"])
        days = self.failed.assign(day=self.failed.time.dt.strftime("%Y-%m-%d"))
        return (
            days.groupby(["day", "function", "kind"], as_index=False)
            .size()
            .rename(columns={"size": "invocations"})
        )

    def status(self) -> str:
        """Return ERROR when a source failed, SKIPPED without data, FINDING for failures, or PASS."""
        errors = [e for e in (self.metrics_error, self.logs_error) if e]
        lines = self.findings()
        if not errors and lines[0].startswith("no data"):
            return SKIPPED
        return status_of([] if lines[0].startswith("no failure") else lines, errors=errors)

    def figures(self) -> dict[str, object]:
        """Return the figures a runbook records: failed invocations per day and kind, metrics."""
        days = self.by_day()
        return {
            "lambda_functions": list(self.functions),
            "lambda_failures_by_day": [
                {
                    "day": r.day,
                    "function": r.function,
                    "kind": r.kind,
                    "invocations": int(r.invocations),
                }
                for r in days.itertuples()
            ],
            "lambda_throttles": {
                r.function: float(r.throttles) for r in self.metric_totals.itertuples()
            },
            "lambda_metric_totals": {
                r.function: {
                    key: None if pd.isna(value) else float(value)
                    for key, value in r._asdict().items()
                    if key not in ("Index", "function")
                }
                for r in self.metric_totals.itertuples()
            },
        }

    def findings(self) -> list[str]:
        """Return short findings: out-of-memory kills, time-outs, throttles, errors, cold starts."""
        out: list[str] = []
        if self.metrics_error:
            out.append(f"metrics ERROR: {self.metrics_error}")
        if self.logs_error:
            out.append(f"logs ERROR: {self.logs_error}")
        if self.by_version.empty and self.metric_totals.empty and self.logs_error:
            return out
        if self.by_version.empty and self.metric_totals.empty:
            return [*out, f"no data: no Lambda log events or metrics for {', '.join(self.functions)} in the window"]  # fmt: skip
        if self.by_version.empty and not self.logs_error:
            out.append(
                f"no data: no Lambda log events for {', '.join(self.functions)} in the window"
            )
        for row in self.by_version.itertuples():
            where = f"{row.function} version {row.version}"
            if row.out_of_memory:
                kills = self.failed.loc[(self.failed.function == row.function)
                                        & (self.failed.version == row.version) & (self.failed.kind == "out of memory")]  # fmt: skip
                days = kills.time.dt.date.nunique()
                out.append(f"{where}: {row.out_of_memory} out-of-memory invocation(s) on {days} day(s) "
                           f"(Max Memory Used reached the {row.memory_size_mb:.0f} MB Memory Size)")  # fmt: skip
            if row.timeouts:
                limit = (
                    f"the configured {row.timeout_s:g} s"
                    if pd.notna(row.timeout_s)
                    else "its time-out"
                )
                out.append(f"{where}: {row.timeouts} invocation(s) timed out at {limit}")
            if row.invocations and row.cold_start_pct >= 10:
                out.append(
                    f"{where}: {row.cold_start_pct:.0f}% cold starts, init p99 {row.init_p99_ms:.0f} ms"
                )
        for row in self.metric_totals.itertuples():
            if row.throttles > 0:
                out.append(f"{row.function}: {row.throttles:.0f} throttled invocation(s), "
                           f"peak concurrency {row.peak_concurrency:.0f}")  # fmt: skip
            if row.errors > 0:
                rate = 100 * row.errors / row.invocations if row.invocations else float("nan")
                out.append(
                    f"{row.function}: {row.errors:.0f} errors (metric Errors, {rate:.2g}% of invocations)"
                )
        return out or [
            f"no failure: {', '.join(self.functions)} had no error, throttle, time-out or out-of-memory kill"
        ]

    def chart(self) -> go.Figure:
        """Return one panel per metric (errors, throttles, duration p99, concurrency) over time."""
        import plotly.graph_objects as go  # charts only when drawn: not on the first findings' path
        from plotly.subplots import make_subplots

        from opsbook.charts import THEME, colours, no_data, value_axis

        if self.series.empty:
            why = (
                f"ERROR: {self.metrics_error}"
                if self.metrics_error
                else "no metric data in the window"
            )
            return no_data(f"Lambda metrics: {self.window.describe()}", why)
        names = [m for m in LAMBDA_METRICS if m in set(self.series.metric)]
        figure = make_subplots(rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.04,
                               subplot_titles=names)  # fmt: skip
        keyed = colours(self.series.function.astype(str))
        for row, name in enumerate(names, start=1):
            for function, data in self.series.loc[self.series.metric == name].groupby("function"):
                figure.add_trace(go.Scatter(x=data.timestamp, y=data.value, mode="lines", name=function,
                                            line={"color": keyed[str(function)]},
                                            legendgroup=function, showlegend=row == 1), row=row, col=1)  # fmt: skip
            unit = (
                "ms"
                if name == "duration_p99"
                else "per minute"
                if name != "concurrency"
                else "count"
            )
            figure.update_yaxes(value_axis(name.replace("_", " "), unit), row=row, col=1)
        for kind, symbol in (("time-out", "x"), ("out of memory", "circle")):
            marks = self.failed.loc[self.failed.kind == kind]
            if not marks.empty:
                figure.add_trace(go.Scatter(x=marks.time, y=marks.duration_ms, mode="markers", name=kind,
                                            marker_symbol=symbol), row=names.index("duration_p99") + 1 if "duration_p99" in names else 1, col=1)  # fmt: skip
        title = f"{', '.join(self.functions)}: {self.window.describe()}"
        if self.metrics_error:  # a panel left out must say why, not just be missing
            title += f"<br>ERROR: {self.metrics_error}"
        figure.update_layout(template=THEME, height=160 * len(names) + 80, title=title)
        return figure


@drill_params
def drill_lambda(
    service: str,
    start: str | pd.Timestamp = "",
    end: str | pd.Timestamp = "",
    *,
    functions: Sequence[str] = (),
    settings: Settings | None = None,
) -> LambdaDrill:
    """Return Lambda failure breakdowns for ``service`` over ``[start, end)``.

    Parameters
    ----------
    service
        The service, e.g. ``orders-worker``; its functions come from its alarms and SLOs.
    functions
        Function names to look at instead of the service's own.

    Raises
    ------
    opsbook.errors.ConfigurationError
        Bad window, unknown service, or a service without a Lambda function.

    Examples
    --------
    >>> drill_lambda("orders-worker", "2026-11-14T00:00Z", "2026-11-15T00:00Z").findings()[:1]  # doctest: +SKIP
    ['orders-worker version 34: 2 out-of-memory invocation(s) on 2 day(s) (...)']
    """
    window = resolve_window(start, end)
    settings = settings or resolve()
    targets = find_service(service, settings=settings)
    names = tuple(functions) or targets.functions
    if not names:
        raise ConfigurationError(
            f"{service} has no Lambda function (no alarm or SLO names a FunctionName): give "
            "functions=[...] or use runbooks/api-5xx.ipynb for services behind a load balancer"
        )
    groups = [f"/aws/lambda/{name}" for name in names]
    problems: list[str] = []
    versions = query_fields("lambda_by_version", groups, window.start, window.end,
                             ("log_group", "invocations"), settings, problems=problems)  # fmt: skip
    failed = _failed(query_fields("lambda_failed_invocations", groups, window.start, window.end,
                                   ("log_group", "killed", "timed_out", "at_memory_limit"), settings,
                                   problems=problems))  # fmt: skip
    by_version = _by_version(versions, failed)
    series, problem = _metric_series(names, window, settings)
    return LambdaDrill(targets, window, names, by_version, failed, _metric_totals(series), series,
                       problem, "; ".join(problems))  # fmt: skip


def _function(log_group: pd.Series) -> pd.Series:
    return log_group.astype(str).str.removeprefix("/aws/lambda/")


def _failed(raw: pd.DataFrame) -> pd.DataFrame:
    if raw.empty:
        return pd.DataFrame(columns=_FAILED_COLUMNS)
    timed_out = raw.timed_out.fillna(0).astype(int) > 0
    # A kill is out of memory; so is a REPORT at the memory limit unless the run timed out.
    oom = (raw.killed.fillna(0).astype(int) > 0) | (
        (raw.at_memory_limit.fillna(0).astype(int) > 0) & ~timed_out
    )
    frame = raw.assign(
        function=_function(raw.log_group),
        version=raw.version.astype("string").fillna("unknown"),
        kind=["out of memory" if o else "time-out" for o in oom],
        time=pd.to_datetime(raw.time, utc=True),
    )
    return frame.loc[oom | timed_out, _FAILED_COLUMNS].reset_index(drop=True)


def _by_version(raw: pd.DataFrame, failed: pd.DataFrame) -> pd.DataFrame:
    if raw.empty:
        return pd.DataFrame(columns=_VERSION_COLUMNS)
    frame = raw.assign(function=_function(raw.log_group),
                       version=raw.version.astype("string").fillna("unknown"))  # fmt: skip
    counts = failed.groupby(["function", "version", "kind"]).size().unstack(fill_value=0)
    for kind in ("time-out", "out of memory"):
        if kind not in counts:
            counts[kind] = 0
    counts = counts.rename(columns={"time-out": "timeouts", "out of memory": "out_of_memory"})
    limits = failed.groupby(["function", "version"]).timeout_s.max()
    frame = frame.merge(counts[["timeouts", "out_of_memory"]], how="left", left_on=["function", "version"],
                        right_index=True).merge(limits, how="left", left_on=["function", "version"], right_index=True)  # fmt: skip
    frame[["timeouts", "out_of_memory"]] = (
        frame[["timeouts", "out_of_memory"]].fillna(0).astype(int)
    )
    # Time-outs and kills end the invocation with an error too; [ERROR] lines are handled ones.
    frame["errors"] = frame.error_lines.fillna(0).astype(int) + frame.timeouts + frame.out_of_memory
    frame["cold_start_pct"] = (
        100 * frame.cold_starts / frame.invocations.where(frame.invocations > 0)
    )
    frame = frame.sort_values(["errors", "invocations"], ascending=False, ignore_index=True)
    return frame[_VERSION_COLUMNS]


def _metric_series(
    names: tuple[str, ...], window: IncidentWindow, settings: Settings
) -> tuple[pd.DataFrame, str]:
    # Returns the series and why some could not be read ("" if all were).
    queries = {
        f"{key}_{index}": f"AWS/Lambda {metric} FunctionName={name} stat={stat}"
        for index, name in enumerate(names)
        for key, (metric, stat) in LAMBDA_METRICS.items()
    }
    problems: list[str] = []

    def ask(wanted: dict[str, str]) -> pd.DataFrame | None:
        # 60 s: Metric Streams percentiles do not combine into longer periods (windows are short).
        try:
            return metrics.get(wanted, window.start, window.end, 60, settings=settings)
        except OpsbookError as error:
            keys = sorted({key.rsplit("_", 1)[0] for key in wanted})
            problems.append(f"{', '.join(keys)}: {type(error).__name__}: {error}")
            return None

    frame = ask(queries)
    if frame is None:  # asked apart once: a source without percentiles keeps the sums and peaks
        problems.clear()
        percentile = {
            k: q
            for k, q in queries.items()
            if LAMBDA_METRICS[k.rsplit("_", 1)[0]][1].startswith("p")
        }
        parts = [
            ask(part)
            for part in (percentile, {k: q for k, q in queries.items() if k not in percentile})
        ]
        found = [part for part in parts if part is not None]
        frame = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["timestamp", "id", "value"])  # fmt: skip
    return _long(frame, names), "; ".join(problems)


def _long(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    parts = frame.id.astype(str).str.rsplit("_", n=1)
    return pd.DataFrame({
        "timestamp": frame.timestamp,
        "function": [names[int(p[1])] for p in parts],
        "metric": [p[0] for p in parts],
        "value": frame.value,
    })  # fmt: skip


def _metric_totals(series: pd.DataFrame) -> pd.DataFrame:
    if series.empty:
        return pd.DataFrame(columns=_METRIC_COLUMNS)
    wide = series.pivot_table(index="function", columns="metric", values="value", aggfunc="sum")
    peaks = series.pivot_table(index="function", columns="metric", values="value", aggfunc="max")
    table = pd.DataFrame(index=wide.index)
    for key in ("invocations", "errors", "throttles"):
        table[key] = wide[key] if key in wide else 0.0
    table["worst_p99_ms"] = peaks["duration_p99"] if "duration_p99" in peaks else float("nan")
    table["peak_concurrency"] = peaks["concurrency"] if "concurrency" in peaks else float("nan")
    return table.reset_index()[_METRIC_COLUMNS]
