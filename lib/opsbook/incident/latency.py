"""Drill into a latency regression: percentiles before and after a change point, by route.

The change point is given (e.g. the suspected deployment from triage) or detected: the split of
the per-minute p99 that best explains it as two levels (least absolute deviation from each side's
median, on a log scale so one slow minute does not dominate), moved back to the first minute of
the run of abnormal minutes leading into it. The p99 comes from the service's CloudWatch latency
metric when it has one (load balancer, API, function: one value per minute from every request),
else from its request log lines. Per-route percentiles, the slowest requests and the WARN/ERROR
lines those requests wrote come from the service's JSON request logs (``latency_ms``,
``http.path``, ``request_id``). A source that cannot answer (CloudWatch without percentiles, an
emulator's Logs Insights) is named in the findings and marks its sections ERROR
(:meth:`LatencyDrill.section`): no data is never inferred from a failed read.

Examples
--------
>>> drill = drill_latency("checkout-api", "2026-11-14T13:30Z", "2026-11-14T15:00Z")  # doctest: +SKIP
>>> drill.change_at  # doctest: +SKIP
Timestamp('2026-11-14 14:02:00+0000', tz='UTC')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from opsbook import metrics
from opsbook.charts import THEME, colour, no_data, value_axis
from opsbook.errors import OpsbookError
from opsbook.incident.patterns import mask_message
from opsbook.incident.services import ServiceTargets, find_service
from opsbook.incident.signals import signal_specs
from opsbook.incident.triage import query_fields
from opsbook.incident.window import IncidentWindow, drill_params, resolve_window
from opsbook.present import SKIPPED, SectionError, format_value, status_of
from opsbook.settings import Settings, resolve

__all__ = ["LatencyDrill", "detect_change_point", "drill_latency"]

_ROUTE_COLUMNS = ["method", "route", "requests_before", "p50_before_ms", "p99_before_ms",
                  "requests_after", "p50_after_ms", "p99_after_ms", "p99_change"]  # fmt: skip
_MIN_SHIFT = 1.5  # a p99 level change smaller than this factor is no regression


@dataclass
class LatencyDrill:
    """Latency before and after one change point; every frame is plain pandas."""

    service: ServiceTargets
    window: IncidentWindow
    change_at: pd.Timestamp | None
    change_source: str  # "given", "detected from <source>", or why there is none
    p99: pd.DataFrame  # timestamp, p99_ms, source: the per-minute series the change is found on
    by_route: pd.DataFrame  # see _ROUTE_COLUMNS, worst p99 change first
    slowest: pd.DataFrame  # the slowest requests after the change (or in the window)
    slow_lines: pd.DataFrame  # WARN/ERROR lines of the slowest requests
    by_dependency: pd.DataFrame  # dependency, problem lines before/after
    metrics_error: str = ""  # why the p99 metric could not be read, if it could not
    logs_error: str = ""  # why the request logs could not be queried, if they could not

    def section(self, name: str) -> pd.DataFrame | SectionError:
        """Return the table ``name`` shows, or the ERROR saying why its source failed.

        ``by_route``, ``by_dependency``, ``slowest`` and ``slow_lines`` come from the logs: an
        empty table whose source failed would read as "nothing slow".

        Examples
        --------
        >>> drill.section("by_route")  # doctest: +SKIP
        """
        frame = getattr(self, name)
        return SectionError(name, self.logs_error) if frame.empty and self.logs_error else frame

    def findings(self) -> list[str]:
        """Return short findings: the change point, the p99 shift, the worst route, the dependency."""
        out = [f"metrics ERROR: {self.metrics_error}"] if self.metrics_error else []
        out += [f"logs ERROR: {self.logs_error}"] if self.logs_error else []
        if self.p99.empty and self.by_route.empty:
            if out:
                return out
            return [f"no data: no latency metric or request log lines for {self.service.name} in the window"]  # fmt: skip
        if self.change_at is None:
            return [*out, f"no latency change point: {self.change_source}"]
        out += [f"change point {self.change_at:%Y-%m-%d %H:%M} UTC ({self.change_source})"]
        before, after = self._levels()
        if pd.notna(before) and pd.notna(after):
            out.append(
                f"p99 {before:.0f} ms before, {after:.0f} ms after (x{format_value(after / before, 'number')})"
            )
        moved = self.by_route.dropna(subset=["p99_change"])
        if not moved.empty:
            r = moved.iloc[0]
            out.append(f"slowest-growing route {r.method} {r.route}: p99 {r.p99_before_ms:.0f} -> "
                       f"{r.p99_after_ms:.0f} ms over {int(r.requests_after)} requests")  # fmt: skip
        grown = self.by_dependency.loc[
            self.by_dependency.lines_after > self.by_dependency.lines_before
        ]
        if not grown.empty:
            d = grown.iloc[0]
            out.append(f"dependency {d.dependency}: {int(d.lines_after)} WARN/ERROR lines after "
                       f"the change vs {int(d.lines_before)} before")  # fmt: skip
        return out

    def _levels(self) -> tuple[float, float]:
        if self.p99.empty or self.change_at is None:
            return float("nan"), float("nan")
        before = self.p99.loc[self.p99.timestamp < self.change_at].p99_ms.median()
        after = self.p99.loc[self.p99.timestamp >= self.change_at].p99_ms.median()
        return float(before), float(after)

    def chart(self) -> go.Figure:
        """Return the per-minute p99 with the change point marked."""
        if self.p99.empty:
            errors = "; ".join(e for e in (self.metrics_error, self.logs_error) if e)
            why = f"ERROR: {errors}" if errors else "no data in the window"
            return no_data(f"{self.service.name} p99 latency: {self.window.describe()}", why)
        figure = go.Figure(go.Scatter(x=self.p99.timestamp, y=self.p99.p99_ms, mode="lines",
                                      name=f"p99 ({self.p99.source.iloc[0]})",
                                      line={"color": colour(self.service.name)}))  # fmt: skip
        if self.change_at is not None:
            figure.add_vline(x=self.change_at, line_dash="dash", line_width=1,
                             annotation_text=f"change {self.change_at:%H:%M} ({self.change_source})")  # fmt: skip
        figure.update_layout(template=THEME, title=f"{self.service.name} p99 latency: {self.window.describe()}",
                             yaxis=value_axis("p99 latency", "ms"),
                             xaxis={"title": {"text": "time (UTC)"}})  # fmt: skip
        return figure

    def status(self) -> str:
        """Return ERROR when a source failed, SKIPPED without data, FINDING for a change point."""
        errors = [e for e in (self.metrics_error, self.logs_error) if e]
        if not errors and self.p99.empty and self.by_route.empty:
            return SKIPPED
        return status_of([self.change_at] if self.change_at is not None else [], errors=errors)

    def figures(self) -> dict[str, object]:
        """Return the figures a runbook records: the change point and p99 before and after."""
        before, after = self._levels()
        return {
            "change_at": None if self.change_at is None else self.change_at.isoformat(),
            "change_source": self.change_source,
            "p99_before_ms": None if pd.isna(before) else round(before, 1),
            "p99_after_ms": None if pd.isna(after) else round(after, 1),
            "worst_route": None if self.by_route.empty else f"{self.by_route.iloc[0].method} {self.by_route.iloc[0].route}",
        }  # fmt: skip


def detect_change_point(
    values: pd.Series, *, min_points: int = 5, ratio: float = 2.0
) -> pd.Timestamp | None:
    """Return where a per-minute latency series changes level (``None`` if it does not).

    The split minimises the absolute deviation of log values from each side's median; a level
    change under x1.5 is none. The split then moves back over the minutes just before it that
    are already ``ratio`` times past the earlier level: the onset, not the middle of the ramp.

    Examples
    --------
    >>> minutes = pd.date_range("2026-11-14T14:00Z", periods=12, freq="min")
    >>> detect_change_point(pd.Series([100.0] * 6 + [250.0] + [900.0] * 5, index=minutes))
    Timestamp('2026-11-14 14:06:00+0000', tz='UTC')
    """
    series = values.dropna().sort_index()
    series = series.loc[series > 0]
    if len(series) < 2 * min_points:
        return None
    logs_ = np.log(series.to_numpy(dtype=float))
    costs = [
        np.abs(logs_[:k] - np.median(logs_[:k])).sum() + np.abs(logs_[k:] - np.median(logs_[k:])).sum()
        for k in range(min_points, len(logs_) - min_points + 1)
    ]  # fmt: skip
    split = min_points + int(np.argmin(costs))
    before, after = np.median(logs_[:split]), np.median(logs_[split:])
    if abs(after - before) < np.log(_MIN_SHIFT):
        return None
    up = after > before
    limit = before + np.log(ratio) if up else before - np.log(ratio)
    while split > 1 and ((logs_[split - 1] >= limit) if up else (logs_[split - 1] <= limit)):
        split -= 1
    return series.index[split]


@drill_params
def drill_latency(
    service: str,
    start: str | pd.Timestamp = "",
    end: str | pd.Timestamp = "",
    *,
    change_at: str = "",
    settings: Settings | None = None,
) -> LatencyDrill:
    """Return latency percentiles before and after the change point of ``service``'s p99.

    Parameters
    ----------
    start, end
        The window (ISO 8601, UTC; empty: the last hour). Give room before the regression.
    change_at
        The change point (ISO time, e.g. ``change_at`` from incident-triage); empty: detected.

    Raises
    ------
    opsbook.errors.ConfigurationError
        Bad window, unknown service, a ``change_at`` outside the window.

    Examples
    --------
    >>> drill_latency("checkout-api", "2026-11-14T13:30Z", "2026-11-14T15:00Z").findings()[0]  # doctest: +SKIP
    'change point 2026-11-14 14:02 UTC (detected from ALB checkout-alb p99 latency metric)'
    """
    window = resolve_window(start, end)
    given = window.within(change_at, "change_at")
    settings = settings or resolve()
    targets = find_service(service, settings=settings)
    problems: list[str] = []
    requests = _requests(targets, window, settings, problems)
    p99, metric_problem = _metric_p99(targets, window, settings)
    if p99.empty and not requests.empty:
        per_minute = requests.set_index("time").latency_ms.resample("1min").apply(_p99)
        p99 = pd.DataFrame({"timestamp": per_minute.index, "p99_ms": per_minute.to_numpy(),
                            "source": "request log lines"}).dropna()  # fmt: skip
    if given is not None:
        change, source = given, "given"
    else:
        series = p99.set_index("timestamp").p99_ms if not p99.empty else pd.Series(dtype=float)
        change = detect_change_point(series)
        if change is not None:
            source = f"detected from {p99.source.iloc[0]}"
        elif p99.empty and (metric_problem or problems):
            source = "the p99 could not be read (see the ERROR findings)"
        elif p99.empty:
            source = "no p99 data in the window to detect it on"
        else:
            source = "the p99 holds one level through the window (no shift of x1.5 or more)"
    split = change if change is not None else window.end
    lines = _problem_lines(targets, window, settings, problems)
    slowest = _slowest(requests, split if change is not None else window.start)
    slow_lines = lines.loc[lines.request_id.isin(slowest.request_id)].sort_values(
        "time", ignore_index=True
    )
    # The metric is only an error when the logs could not stand in for it either.
    metric_problem = metric_problem if p99.empty else ""
    return LatencyDrill(targets, window, change, source, p99, _by_route(requests, split), slowest,
                        slow_lines, _by_dependency(lines, split), metric_problem, "; ".join(problems))  # fmt: skip


def _p99(values: pd.Series) -> float:
    # Nearest rank, as Logs Insights' pct() and CloudWatch percentiles name an observed value.
    return float(np.quantile(values, 0.99, method="inverted_cdf")) if len(values) else float("nan")


def _p50(values: pd.Series) -> float:
    return float(np.quantile(values, 0.5, method="inverted_cdf")) if len(values) else float("nan")


def _query(
    name: str,
    targets: ServiceTargets,
    window: IncidentWindow,
    settings: Settings,
    problems: list[str],
    fields: tuple[str, ...],
) -> pd.DataFrame:
    groups = [g for g in targets.log_groups if not g.startswith("/aws/lambda/")]
    if not groups:
        return pd.DataFrame()
    return query_fields(name, groups, window.start, window.end, fields, settings, problems=problems)


def _requests(
    targets: ServiceTargets, window: IncidentWindow, settings: Settings, problems: list[str]
) -> pd.DataFrame:
    raw = _query("request_latencies", targets, window, settings, problems,
                 ("time", "route", "latency_ms"))  # fmt: skip
    columns = ["time", "method", "route", "status", "latency_ms", "request_id", "version"]
    if raw.empty:
        return pd.DataFrame(columns=columns)
    return raw.assign(time=pd.to_datetime(raw.time, utc=True),
                      route=raw.route.astype(str).map(mask_message),
                      latency_ms=pd.to_numeric(raw.latency_ms, errors="coerce"))[columns]  # fmt: skip


def _metric_p99(
    targets: ServiceTargets, window: IncidentWindow, settings: Settings
) -> tuple[pd.DataFrame, str]:
    # Returns the series and why the metrics could not be read ("" if none failed).
    specs = [s for s in signal_specs(targets) if s.name == "p99 latency ms"]
    problems = []
    for spec in specs:
        try:
            frame = metrics.get(
                {"p99": spec.series[0]}, window.start, window.end, 60, settings=settings
            )
        except OpsbookError as error:  # try the next, then the logs; kept to say why
            problems.append(f"{spec.resource} p99: {type(error).__name__}: {error}")
            continue
        if not frame.empty:
            return pd.DataFrame({"timestamp": frame.timestamp, "p99_ms": frame.value * spec.scale,
                                 "source": f"{spec.resource} p99 latency metric"}), ""  # fmt: skip
    return pd.DataFrame(columns=["timestamp", "p99_ms", "source"]), "; ".join(problems)


def _by_route(requests: pd.DataFrame, split: pd.Timestamp) -> pd.DataFrame:
    if requests.empty:
        return pd.DataFrame(columns=_ROUTE_COLUMNS)
    part = np.where(requests.time < split, "before", "after")
    grouped = requests.assign(part=part).groupby(["method", "route", "part"]).latency_ms
    table = grouped.agg(requests="size", p50_ms=_p50, p99_ms=_p99).unstack("part")
    table.columns = [f"{stat.replace('_ms', '')}_{part}_ms" if stat != "requests" else f"requests_{part}"
                     for stat, part in table.columns]  # fmt: skip
    for column in _ROUTE_COLUMNS[2:-1]:
        if column not in table:
            table[column] = np.nan
    table = table.reset_index().fillna({"requests_before": 0, "requests_after": 0})
    table["p99_change"] = table.p99_after_ms / table.p99_before_ms
    return table.sort_values(["p99_change", "requests_after"], ascending=False, ignore_index=True)[
        _ROUTE_COLUMNS
    ]


def _slowest(requests: pd.DataFrame, since: pd.Timestamp, top: int = 20) -> pd.DataFrame:
    if requests.empty:
        return requests
    return requests.loc[requests.time >= since].nlargest(top, "latency_ms").reset_index(drop=True)


def _problem_lines(
    targets: ServiceTargets, window: IncidentWindow, settings: Settings, problems: list[str]
) -> pd.DataFrame:
    raw = _query("request_problem_lines", targets, window, settings, problems,
                 ("time", "request_id", "level"))  # fmt: skip
    columns = ["time", "request_id", "level", "logger", "msg", "dependency"]
    if raw.empty:
        return pd.DataFrame(columns=columns)
    return raw.assign(time=pd.to_datetime(raw.time, utc=True))[columns]


def _by_dependency(problems: pd.DataFrame, split: pd.Timestamp) -> pd.DataFrame:
    columns = ["dependency", "lines_before", "lines_after"]
    named = problems.dropna(subset=["dependency"])
    if named.empty:
        return pd.DataFrame(columns=columns)
    part = np.where(named.time < split, "lines_before", "lines_after")
    table = (
        named.assign(part=part).groupby(["dependency", "part"]).size().unstack("part", fill_value=0)
    )
    for column in columns[1:]:
        if column not in table:
            table[column] = 0
    table = table.reset_index()[columns]
    return table.sort_values("lines_after", ascending=False, ignore_index=True)
