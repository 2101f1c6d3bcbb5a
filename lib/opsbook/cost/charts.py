"""Plotly figures of the cost analyses, in the opsbook theme (one call per chart).

Every name (service, account, tag value) keeps its colour across charts and reports
(:func:`opsbook.charts.colours`); every value axis carries its unit; titles say the window.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"billing_period": ["2026-10"] * 2, "service": ["A", "B"], "cost": [3.0, 1.0]})
>>> figure = spend_stack(frame, "service")
>>> figure.layout.barmode, figure.layout.title.text
('stack', 'Cost by service, 2026-10')
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from opsbook.charts import (
    EXPECTED,
    PALETTE,
    THEME,
    WARNING,
    colours,
    no_data,
    span,
    value_axis,
    why_empty,
)
from opsbook.present import kind_of

__all__ = ["anomaly_timeline", "movers_bar", "share_bar", "spend_stack", "unit_cost_line"]

_UP, _DOWN = "#f28e2b", "#59a14f"  # cost rose, cost fell


def spend_stack(frame: pd.DataFrame, key: str, *, top: int = 8, title: str = "") -> go.Figure:
    """Stacked bars of cost per billing period by ``key``; keys past the top ``top`` as 'other'.

    A period the CUR holds in part (``frame.attrs["partial"]``: period -> "14 of 30 days") is
    drawn faded and labelled "so far", so it never reads as a month whose cost fell.
    """
    what = key.replace("_", " ")
    basis = frame.attrs.get("basis", "")
    label = f"{basis.replace('_', ' ').capitalize()} cost" if basis else "Cost"
    if frame.empty:
        return no_data(title or f"{label} by {what}", why_empty(frame))
    period = "billing_period" if "billing_period" in frame else "usage_day"
    partial = frame.attrs.get("partial", {})  # period -> how much of it the CUR holds
    leaders = frame.groupby(key)["cost"].sum().nlargest(top).index
    labelled = frame.assign(**{key: frame[key].where(frame[key].isin(leaders), "other")})
    pivot = labelled.pivot_table(index=period, columns=key, values="cost", aggfunc="sum").fillna(0)
    # largest at the bottom of each stack, "other" on top
    order = [c for c in pivot.sum().sort_values(ascending=False).index if c != "other"]
    order += ["other"] if "other" in pivot else []
    keyed = colours(order)
    ticks = [f"{p} (so far: {partial[p]})" if p in partial else p for p in pivot.index.astype(str)]
    faded = [0.45 if p in partial else 1.0 for p in pivot.index.astype(str)]
    figure = go.Figure(
        [go.Bar(name=str(name), x=ticks, y=pivot[name], marker_color=keyed[str(name)],
                marker_opacity=faded, hovertemplate=f"{name}: $%{{y:,.0f}}<extra></extra>")
         for name in order]
    )  # fmt: skip
    window = span(pivot.index.astype(str), "M" if period == "billing_period" else "D")
    figure.update_layout(
        template=THEME, barmode="stack",
        title=title or f"{label} by {what}, {window}",
        xaxis={"type": "category", "title": {"text": period.replace("_", " ")}},
        yaxis=value_axis("cost", "USD"), legend={"traceorder": "normal"},
    )  # fmt: skip
    return figure


def movers_bar(movers: pd.DataFrame) -> go.Figure:
    """Horizontal bars of each mover's change in dollars, increases in orange."""
    if movers.empty:
        return no_data("Top movers", why_empty(movers))
    labels = movers["account_name"] + " · " + movers["service"]
    figure = go.Figure(
        go.Bar(
            x=movers["change"][::-1], y=labels[::-1], orientation="h",
            marker_color=[_UP if v > 0 else _DOWN for v in movers["change"][::-1]],
            hovertemplate="%{y}: %{x:+$,.0f}<extra></extra>",
        )
    )  # fmt: skip
    days = movers.attrs.get("days_compared")
    compared = f", first {days} days" if movers.attrs.get("partial") else ""
    month, previous = movers.attrs.get("month", ""), movers.attrs.get("previous", "previous month")
    what = f"{month} vs {previous}" if month else f"vs {previous}"
    figure.update_layout(
        template=THEME,
        title=f"Largest cost changes, {what}{compared}",
        xaxis=value_axis("change", "USD", tickprefix="$", rangemode="normal"),
        yaxis={"title": {"text": ""}},
        height=max(300, 34 * len(movers) + 140),
    )
    return figure


def anomaly_timeline(daily: pd.DataFrame) -> go.Figure:
    """Daily usage cost against its expectation, anomalous days marked."""
    title = "Daily usage cost vs expected"
    if daily.empty:
        return no_data(title, why_empty(daily))
    figure = go.Figure(
        [
            go.Scatter(x=daily["usage_day"], y=daily["expected"], name="expected",
                       line={"dash": "dot", "color": EXPECTED}),
            go.Scatter(x=daily["usage_day"], y=daily["actual"], name="actual",
                       line={"color": PALETTE[0]}),
        ]
    )  # fmt: skip
    marked = daily[daily["anomalous"].astype(bool)]
    figure.add_trace(
        go.Scatter(x=marked["usage_day"], y=marked["actual"], mode="markers", name="anomaly",
                   marker={"color": WARNING, "size": 11})
    )  # fmt: skip
    figure.update_layout(
        template=THEME, title=f"{title}, {span(daily['usage_day'])}",
        xaxis={"title": {"text": "usage day (UTC)"}}, yaxis=value_axis("cost per day", "USD"),
    )  # fmt: skip
    return figure


def share_bar(frame: pd.DataFrame, label: str, value: str, *, title: str) -> go.Figure:
    """Horizontal bars of ``value`` per ``label``: a share (``share``, ``coverage``) in %, else USD."""
    if frame.empty:
        return no_data(title, why_empty(frame))
    percent = kind_of(value, frame[value]).name == "percent"
    keyed = colours(frame[label].astype(str))
    figure = go.Figure(
        go.Bar(x=frame[value], y=frame[label].astype(str), orientation="h",
               marker_color=[keyed[str(n)] for n in frame[label]],
               texttemplate="%{x:.0%}" if percent else "$%{x:,.0f}", textposition="auto")
    )  # fmt: skip
    what = value.replace("_", " ")
    axis = value_axis(what, "%", range=[0, 1]) if percent else value_axis(what, "USD")
    figure.update_layout(
        template=THEME, title=title, yaxis={"autorange": "reversed", "title": {"text": ""}},
        xaxis=axis, height=max(260, 34 * len(frame) + 140),
    )  # fmt: skip
    return figure


def unit_cost_line(frame: pd.DataFrame) -> go.Figure:
    """Cost per unit of requests over time (top panel) and the app's cost (bottom panel).

    Two panels on one time axis, each with its own unit, rather than a second y axis whose bars
    hide the line. Periods without a unit cost (no requests, no request data, no CUR data) are
    gaps, never zero.
    """
    per = int(frame.attrs.get("per", 1_000_000))
    unit = "million requests" if per == 1_000_000 else f"{per:,} requests"
    app = frame.attrs.get("tag", "App")
    title = f"{app}: cost per {unit}"
    if frame.empty or frame["cost_per_unit"].isna().all():
        gaps = frame["status"].value_counts() if "status" in frame else pd.Series(dtype=int)
        why = "No period has a unit cost: " + ", ".join(f"{k} ({v})" for k, v in gaps.items())
        return no_data(title, why if len(gaps) else why_empty(frame))
    title += f", {span(frame['date'])}"
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                           row_heights=[0.6, 0.4])  # fmt: skip
    figure.add_trace(
        go.Scatter(x=frame["date"], y=frame["cost_per_unit"].astype(float), name=f"cost per {unit}",
                   mode="lines+markers", line={"color": PALETTE[0]}, connectgaps=False,
                   hovertemplate="$%{y:,.2f}<extra></extra>"), row=1, col=1,
    )  # fmt: skip
    figure.add_trace(
        go.Bar(x=frame["date"], y=frame["cost"], name="cost", marker_color=PALETTE[4],
               hovertemplate="$%{y:,.0f}<extra></extra>"), row=2, col=1,
    )  # fmt: skip
    figure.update_layout(
        template=THEME, title=title, height=560, showlegend=False,
        yaxis=value_axis(f"per {unit}", "USD", tickformat=",.2f"),
        yaxis2=value_axis("cost", "USD"), xaxis2={"title": {"text": "day (UTC)"}},
    )  # fmt: skip
    return figure
