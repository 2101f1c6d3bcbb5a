"""Plotly figures for SLO reports, in opsbook's theme: one colour per SLO in every chart.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"slo": ["a", "a"], "remaining": [1.0, 0.9],
...     "timestamp": pd.date_range("2026-11-01", periods=2, freq="h", tz="UTC")})
>>> figure = budget_burn_down(frame)
>>> figure.layout.title.text, figure.layout.yaxis.title.text
('Error budget remaining, 2026-11-01', 'budget remaining (%)')
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from opsbook.charts import PALETTE, THEME, WARNING, colour, colours, no_data, span, value_axis

__all__ = ["budget_burn_down", "burn_rates", "sli_over_time"]


def budget_burn_down(frame: pd.DataFrame, every: str = "1h") -> go.Figure:
    """Lines of budget remaining per SLO (from :meth:`SloReport.burn_down`), one point per hour."""
    title = "Error budget remaining"
    if frame.empty:
        return no_data(title)
    figure = go.Figure(layout={"template": THEME})
    keyed = colours(frame["slo"].unique())
    for slo, group in frame.groupby("slo", sort=False):
        hourly = group.set_index("timestamp").remaining.resample(every).last().dropna()
        figure.add_trace(
            go.Scatter(x=hourly.index, y=hourly.to_numpy(), name=str(slo), mode="lines",
                       line={"color": keyed[str(slo)]},
                       hovertemplate=f"{slo}: %{{y:.1%}}<extra></extra>")
        )  # fmt: skip
    figure.add_hline(y=0, line_dash="dot", line_color=WARNING, annotation_text="budget spent")
    figure.update_layout(
        title=f"{title}, {span(frame['timestamp'])}",
        yaxis=value_axis("budget remaining", "%", rangemode="normal"),
        xaxis={"title": {"text": "time (UTC)"}},
    )
    return figure


def burn_rates(alerts: pd.DataFrame, tier: str, every: str = "5min") -> go.Figure:
    """Long and short window burn rates of one tier with its threshold (from ``alerts()``)."""
    part = alerts.loc[alerts.tier == tier].set_index("timestamp")
    slos = ", ".join(dict.fromkeys(part["slo"].astype(str))) if "slo" in part else ""
    title = f"Burn rate of {slos or 'the SLO'}, {tier} tier"
    if part.empty:
        return no_data(title)
    figure = go.Figure(layout={"template": THEME})
    line = colour(slos) if slos else PALETTE[0]
    for column, dash in (("long_burn", "solid"), ("short_burn", "dot")):
        series = part[column].resample(every).max()
        figure.add_trace(
            go.Scatter(x=series.index, y=series.to_numpy(), name=column.replace("_", " ") + " window",
                       line={"dash": dash, "color": line})
        )  # fmt: skip
    figure.add_hline(
        y=float(part.threshold.iloc[0]), line_color=WARNING, annotation_text="threshold"
    )
    figure.update_layout(
        title=f"{title}, {span(part.index)}",
        yaxis=value_axis("burn rate", "× budget"),
        xaxis={"title": {"text": "time (UTC)"}},
    )
    return figure


def sli_over_time(frame: pd.DataFrame, target: float, name: str = "") -> go.Figure:
    """Plot the SLI per bucket (from :meth:`SloReport.sli_series`) against the target."""
    title = f"SLI of {name}" if name else "SLI"
    if frame.empty:
        return no_data(title)
    figure = go.Figure(
        go.Scatter(x=frame.timestamp, y=frame.sli, mode="lines", name="SLI",
                   line={"color": colour(name) if name else PALETTE[0]}),
        layout={"template": THEME},
    )  # fmt: skip
    figure.add_hline(
        y=target, line_dash="dot", line_color=WARNING, annotation_text=f"target {target:.3%}"
    )
    figure.update_layout(
        title=f"{title} against its target, {span(frame.timestamp)}",
        yaxis=value_axis("good events", "%", tickformat=".2%", rangemode="normal"),
        xaxis={"title": {"text": "time (UTC)"}},
    )
    return figure
