"""The incident on one time axis: golden signals per minute, with change and alarm markers.

Examples
--------
>>> fig = timeline_chart(triage("checkout-api", "2026-11-14T14:00Z", "2026-11-14T15:00Z"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from opsbook.charts import EXPECTED, THEME, colours, no_data, value_axis

if TYPE_CHECKING:
    from opsbook.incident.triage import Triage

__all__ = ["timeline_chart"]


def timeline_chart(result: Triage) -> go.Figure:
    """Return one panel per golden signal over the window, changes and alarms as vertical lines.

    Signals come from the triage's ``golden_signals`` frame (abnormal ones first); changes to
    the service are dashed lines, alarms going to ALARM dotted ones, each labelled.
    """
    check = result.checks.get("golden_signals")
    series = check.frame.attrs.get("series") if check is not None else None
    table = check.frame if check is not None else pd.DataFrame()
    if series is None or series.empty:
        return no_data(f"{result.service.name}: {result.window.describe()}",
                       "no metric data in the window")  # fmt: skip
    order = table.sort_values("status").loc[table.status.isin(["abnormal", "normal"])]
    panels = [(r.resource, r.signal) for r in order.itertuples()][:6]
    figure = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.03,
                           subplot_titles=[f"{a} {b}" for a, b in panels])  # fmt: skip
    window = series.loc[series.part == "window"]
    keyed = colours(resource for resource, _ in panels)
    for row, (resource, signal) in enumerate(panels, start=1):
        data = window.loc[(window.resource == resource) & (window.signal == signal)]
        figure.add_trace(go.Scatter(x=data.timestamp, y=data.value, mode="lines", name=f"{resource} {signal}",
                                    line={"color": keyed[resource]}, showlegend=False), row=row, col=1)  # fmt: skip
        figure.update_yaxes(value_axis(*_unit(signal)), row=row, col=1)
    for name, style in (("changes", "dash"), ("alarms", "dot")):
        done = result.checks.get(name)
        for finding in done.findings if done is not None else []:
            if (
                finding.since is not None
                and result.window.start <= finding.since <= result.window.end
            ):
                # the line through every panel, its label once, in the top panel
                figure.add_vline(
                    x=finding.since, line_dash=style, line_width=1, line_color=EXPECTED
                )
                figure.add_annotation(x=finding.since, xref="x", y=1, yref="y domain",
                                      text=finding.what[:40], textangle=-90, showarrow=False,
                                      xanchor="left", yanchor="top", font={"size": 10})  # fmt: skip
    figure.update_layout(template=THEME, height=170 * len(panels) + 80,
                         title=f"{result.service.name}: {result.window.describe()}")  # fmt: skip
    return figure


def _unit(signal: str) -> tuple[str, str]:
    """Return what a golden signal measures and its unit, from its name (``p99 latency ms``).

    Examples
    --------
    >>> _unit("p99 latency ms"), _unit("requests/min"), _unit("connections")
    (('p99 latency', 'ms'), ('requests', 'per minute'), ('connections', 'count'))
    """
    for suffix, unit in ((" ms", "ms"), (" %", "percent"), ("/min", "per minute")):
        if signal.endswith(suffix):
            return signal.removesuffix(suffix), unit
    return signal, "count"
