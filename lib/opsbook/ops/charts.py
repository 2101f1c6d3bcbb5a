"""Plotly figures for the delivery-metrics and CloudWatch-hygiene notebooks, in opsbook's theme.

Examples
--------
>>> import pandas as pd
>>> weeks = pd.DataFrame({"account_id": ["1", "1"], "service": ["a", "a"],
...     "week": pd.to_datetime(["2026-11-02", "2026-11-09"]), "deployments": [3, 5]})
>>> deployments_per_week(weeks).layout.title.text
'Deployments per week and service'
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from opsbook.charts import THEME
from opsbook.ops.sections import error_of

__all__ = [
    "cloudwatch_spend",
    "deployments_per_week",
    "flapping_alarms",
    "log_groups_without_retention",
    "time_to_restore",
]


def _error_figure(reason: str) -> go.Figure:
    """Return an empty figure saying ERROR and why, in place of a chart whose source failed."""
    figure = go.Figure(layout={"template": THEME})
    figure.add_annotation(text=f"ERROR: {reason}", showarrow=False, font={"color": "#cf222e"},
                          xref="paper", yref="paper", x=0.5, y=0.5)  # fmt: skip
    figure.update_layout(title="ERROR", xaxis_visible=False, yaxis_visible=False)
    return figure


def deployments_per_week(frequency: pd.DataFrame) -> go.Figure:
    """Stacked bars of deployments per week, one colour per service (and account when several).

    From :func:`opsbook.ops.delivery.deployment_frequency`.
    """
    if error_of(frequency):
        return _error_figure(str(error_of(frequency)))
    several = frequency["account_id"].nunique() > 1
    figure = go.Figure(layout={"template": THEME})
    for (account, service), group in frequency.groupby(["account_id", "service"], sort=True):
        name = f"{service} ({account})" if several else str(service)
        figure.add_trace(
            go.Bar(
                x=group["week"],
                y=group["deployments"],
                name=name,
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )  # fmt: skip
        )
    figure.update_layout(
        title="Deployments per week and service",
        barmode="stack",
        xaxis_title="week starting (Monday, UTC)",
        yaxis_title="deployments",
        xaxis_tickformat="%Y-%m-%d",
    )
    return figure


def time_to_restore(incidents: pd.DataFrame, failures: pd.DataFrame | None = None) -> go.Figure:
    """Each incident's time to restore over time, per service; failed changes marked.

    From :func:`opsbook.ops.delivery.merge_incidents` (and ``find_failed_changes``).
    """
    if error_of(incidents):
        return _error_figure(str(error_of(incidents)))
    figure = go.Figure(layout={"template": THEME})
    done = incidents.dropna(subset=["minutes"])
    for service, group in done.groupby("service", sort=True):
        figure.add_trace(
            go.Scatter(
                x=group["started"],
                y=group["minutes"],
                name=str(service),
                mode="markers",
                text=group["alarms"],
                hovertemplate="%{x}: %{y:.1f} min (%{text})<extra></extra>",
            )  # fmt: skip
        )
    if failures is not None and not error_of(failures) and failures["failed"].any():
        failed = failures[failures["failed"]]
        figure.add_trace(
            go.Scatter(
                x=failed["signal_at"],
                y=failed["restore_minutes"],
                mode="markers",
                name="failed change",
                text=failed["service"] + " " + failed["version"],
                marker={"symbol": "x", "size": 14, "color": "#cf222e"},
                hovertemplate="%{text}: restored in %{y:.1f} min<extra></extra>",
            )  # fmt: skip
        )
    figure.update_layout(
        title="Time to restore per incident (minutes, log scale)",
        yaxis_type="log",
        yaxis_title="minutes",
        hovermode="closest",
    )
    return figure


def log_groups_without_retention(groups: pd.DataFrame, top: int = 20) -> go.Figure:
    """Horizontal bars of stored GB of the log groups that never expire, largest on top.

    From :func:`opsbook.ops.hygiene.log_groups_without_retention`.
    """
    if error_of(groups):
        return _error_figure(str(error_of(groups)))
    shown = groups.head(top).iloc[::-1]
    figure = go.Figure(
        go.Bar(
            x=shown["stored_gb"],
            y=shown["log_group"],
            orientation="h",
            customdata=shown["usd_per_month"],
            hovertemplate="%{y}: %{x:.3f} GB, $%{customdata:.2f}/month<extra></extra>",
        ),  # fmt: skip
        layout={"template": THEME},
    )
    figure.update_layout(title="Log groups without retention: stored GB", xaxis_title="GB")
    return figure


def flapping_alarms(flapping: pd.DataFrame) -> go.Figure:
    """Horizontal bars of state changes per day, most flapping on top.

    From :func:`opsbook.ops.hygiene.flapping_alarms`.
    """
    if error_of(flapping):
        return _error_figure(str(error_of(flapping)))
    shown = flapping.iloc[::-1]
    figure = go.Figure(
        go.Bar(
            x=shown["changes_per_day"],
            y=shown["alarm_name"],
            orientation="h",
            hovertemplate="%{y}: %{x:.2f} state changes a day<extra></extra>",
        ),  # fmt: skip
        layout={"template": THEME},
    )
    figure.update_layout(title="Alarm state changes per day", xaxis_title="changes per day")
    return figure


def cloudwatch_spend(spend: pd.DataFrame) -> go.Figure:
    """Bars of CloudWatch cost by what it pays for (from :func:`opsbook.ops.hygiene.cloudwatch_spend`)."""
    if error_of(spend):
        return _error_figure(str(error_of(spend)))
    kinds = (
        spend.groupby("kind", as_index=False)["unblended_cost"].sum().sort_values("unblended_cost")
    )
    figure = go.Figure(
        go.Bar(
            x=kinds["unblended_cost"],
            y=kinds["kind"],
            orientation="h",
            text=[f"${v:,.0f}" for v in kinds["unblended_cost"]],
            textposition="outside",
            hovertemplate="%{y}: $%{x:,.2f}<extra></extra>",
        ),  # fmt: skip
        layout={"template": THEME},
    )
    figure.update_layout(title="CloudWatch cost by kind (USD, unblended)", xaxis_tickprefix="$")
    return figure
