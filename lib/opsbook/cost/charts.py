"""Plotly figures of the cost analyses, in the opsbook theme (one call per chart).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"billing_period": ["2026-10"] * 2, "service": ["A", "B"], "cost": [3.0, 1.0]})
>>> spend_stack(frame, "service").layout.barmode
'stack'
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from opsbook.charts import THEME

__all__ = ["anomaly_timeline", "movers_bar", "share_bar", "spend_stack", "unit_cost_line"]


def spend_stack(frame: pd.DataFrame, key: str, *, top: int = 8, title: str = "") -> go.Figure:
    """Stacked bars of cost per billing period by ``key``; keys past the top ``top`` as 'other'."""
    if frame.empty:
        return _no_data(title or f"Cost by {key.replace('_', ' ')}")
    period = "billing_period" if "billing_period" in frame else "usage_day"
    leaders = frame.groupby(key)["cost"].sum().nlargest(top).index
    labelled = frame.assign(**{key: frame[key].where(frame[key].isin(leaders), "other")})
    pivot = labelled.pivot_table(index=period, columns=key, values="cost", aggfunc="sum").fillna(0)
    figure = go.Figure(
        [go.Bar(name=str(name), x=pivot.index.astype(str), y=pivot[name],
                hovertemplate=f"{name}: $%{{y:,.0f}}<extra></extra>") for name in pivot.columns]
    )  # fmt: skip
    basis = frame.attrs.get("basis", "")
    figure.update_layout(
        template=THEME, barmode="stack",
        title=title or f"{basis.replace('_', ' ').capitalize()} cost by {key.replace('_', ' ')} (USD)",
        xaxis={"type": "category"}, yaxis={"tickprefix": "$", "tickformat": ",.0f"},
    )  # fmt: skip
    return figure


def movers_bar(movers: pd.DataFrame) -> go.Figure:
    """Horizontal bars of each mover's change in dollars, increases in orange."""
    if movers.empty:
        return _no_data("Top movers")
    labels = movers["account_name"] + " · " + movers["service"]
    figure = go.Figure(
        go.Bar(
            x=movers["change"][::-1], y=labels[::-1], orientation="h",
            marker_color=["#f0883e" if v > 0 else "#2da44e" for v in movers["change"][::-1]],
            hovertemplate="%{y}: %{x:+$,.0f}<extra></extra>",
        )
    )  # fmt: skip
    days = movers.attrs.get("days_compared")
    span = f", first {days} days" if movers.attrs.get("partial") else ""
    figure.update_layout(
        template=THEME,
        title=f"Change vs {movers.attrs.get('previous', 'previous month')}{span} (USD)",
        xaxis={"tickprefix": "$", "tickformat": ",.0f"},
    )
    return figure


def anomaly_timeline(daily: pd.DataFrame) -> go.Figure:
    """Daily usage cost against its expectation, anomalous days marked."""
    figure = go.Figure(
        [
            go.Scatter(x=daily["usage_day"], y=daily["expected"], name="expected",
                       line={"dash": "dot", "color": "#57606a"}),
            go.Scatter(x=daily["usage_day"], y=daily["actual"], name="actual",
                       line={"color": "#1f6feb"}),
        ]
    )  # fmt: skip
    marked = daily[daily["anomalous"].astype(bool)]
    figure.add_trace(
        go.Scatter(x=marked["usage_day"], y=marked["actual"], mode="markers", name="anomaly",
                   marker={"color": "#cf222e", "size": 11})
    )  # fmt: skip
    figure.update_layout(
        template=THEME, title="Daily usage cost vs expected (USD)",
        yaxis={"tickprefix": "$", "tickformat": ",.0f"},
    )  # fmt: skip
    return figure


def share_bar(frame: pd.DataFrame, label: str, value: str, *, title: str) -> go.Figure:
    """Horizontal bars of ``value`` per ``label`` (shares shown as percentages when 0-1)."""
    if frame.empty:
        return _no_data(title)
    percent = frame[value].between(0, 1).all()
    figure = go.Figure(
        go.Bar(x=frame[value], y=frame[label].astype(str), orientation="h",
               texttemplate="%{x:.0%}" if percent else "$%{x:,.0f}", textposition="auto")
    )  # fmt: skip
    figure.update_layout(
        template=THEME, title=title, yaxis={"autorange": "reversed"},
        xaxis={"tickformat": ".0%"} if percent else {"tickprefix": "$", "tickformat": ",.0f"},
    )  # fmt: skip
    return figure


def _no_data(title: str) -> go.Figure:
    """Return an empty figure that says there was nothing to draw, instead of failing."""
    figure = go.Figure()
    figure.add_annotation(text="No data for this selection", showarrow=False, font={"size": 16})
    figure.update_layout(template=THEME, title=title, xaxis={"visible": False},
                         yaxis={"visible": False})  # fmt: skip
    return figure


def unit_cost_line(frame: pd.DataFrame) -> go.Figure:
    """Cost per unit of requests over time (line), with the app's cost as bars behind it.

    Periods without a unit cost (no requests, no request data, no CUR data) are gaps, never zero.
    """
    per = int(frame.attrs.get("per", 1_000_000))
    unit = "million requests" if per == 1_000_000 else f"{per:,} requests"
    title = f"{frame.attrs.get('tag', 'App')}: cost per {unit} (USD)"
    if frame.empty or frame["cost_per_unit"].isna().all():
        return _no_data(title)
    figure = go.Figure(
        [
            go.Bar(x=frame["date"], y=frame["cost"], name="cost", yaxis="y2",
                   marker_color="#d0d7de", hovertemplate="cost $%{y:,.0f}<extra></extra>"),
            go.Scatter(x=frame["date"], y=frame["cost_per_unit"].astype(float), name=f"per {unit}",
                       mode="lines+markers", line={"color": "#1f6feb"}, connectgaps=False,
                       hovertemplate="$%{y:,.2f}<extra></extra>"),
        ]
    )  # fmt: skip
    figure.update_layout(
        template=THEME, title=title,
        yaxis={"tickprefix": "$", "tickformat": ",.2f", "title": f"per {unit}"},
        yaxis2={"overlaying": "y", "side": "right", "tickprefix": "$", "tickformat": ",.0f",
                "showgrid": False, "title": "cost"},
    )  # fmt: skip
    return figure
