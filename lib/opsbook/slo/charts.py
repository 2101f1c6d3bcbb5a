"""Plotly figures for SLO reports, in opsbook's theme.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"slo": ["a", "a"], "remaining": [1.0, 0.9],
...     "timestamp": pd.date_range("2026-11-01", periods=2, freq="h", tz="UTC")})
>>> budget_burn_down(frame).layout.title.text
'Error budget remaining over the SLO period'
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from opsbook.charts import THEME

__all__ = ["budget_burn_down", "burn_rates", "sli_over_time"]


def budget_burn_down(frame: pd.DataFrame, every: str = "1h") -> go.Figure:
    """Lines of budget remaining per SLO (from :meth:`SloReport.burn_down`), one point per hour."""
    figure = go.Figure(layout={"template": THEME})
    for slo, group in frame.groupby("slo", sort=False):
        hourly = group.set_index("timestamp").remaining.resample(every).last().dropna()
        figure.add_trace(
            go.Scatter(x=hourly.index, y=hourly.to_numpy(), name=str(slo), mode="lines")
        )
    figure.add_hline(y=0, line_dash="dot", line_color="#cf222e")
    figure.update_layout(
        title="Error budget remaining over the SLO period",
        yaxis_tickformat=".0%",
        yaxis_title="budget remaining",
    )
    return figure


def burn_rates(alerts: pd.DataFrame, tier: str, every: str = "5min") -> go.Figure:
    """Long and short window burn rates of one tier with its threshold (from ``alerts()``)."""
    part = alerts.loc[alerts.tier == tier].set_index("timestamp")
    figure = go.Figure(layout={"template": THEME})
    for column, dash in (("long_burn", "solid"), ("short_burn", "dot")):
        series = part[column].resample(every).max()
        figure.add_trace(
            go.Scatter(
                x=series.index, y=series.to_numpy(), name=column.replace("_", " "), line_dash=dash
            )
        )
    if not part.empty:
        figure.add_hline(
            y=float(part.threshold.iloc[0]), line_color="#cf222e", annotation_text="threshold"
        )
    figure.update_layout(title=f"Burn rate, {tier} tier", yaxis_title="burn rate (× budget)")
    return figure


def sli_over_time(frame: pd.DataFrame, target: float) -> go.Figure:
    """Plot the SLI per bucket (from :meth:`SloReport.sli_series`) against the target."""
    figure = go.Figure(
        go.Scatter(x=frame.timestamp, y=frame.sli, mode="lines", name="SLI"),
        layout={"template": THEME},
    )
    figure.add_hline(
        y=target, line_dash="dot", line_color="#cf222e", annotation_text=f"target {target:.3%}"
    )
    figure.update_layout(title="SLI over time", yaxis_tickformat=".2%")
    return figure
