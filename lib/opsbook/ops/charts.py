"""Plotly figures for the delivery-metrics and CloudWatch-hygiene notebooks, in opsbook's theme.

A section whose source failed (:class:`~opsbook.present.SectionError`) draws as an empty chart
saying ERROR and why. Services keep their colour in every chart (:func:`opsbook.charts.colours`).

Examples
--------
>>> import pandas as pd
>>> weeks = pd.DataFrame({"account_id": ["1", "1"], "service": ["a", "a"],
...     "week": pd.to_datetime(["2026-11-02", "2026-11-09"]), "deployments": [3, 5]})
>>> deployments_per_week(weeks).layout.title.text
'Deployments per week and service, weeks of 2026-11-02 to 2026-11-09'
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from opsbook.charts import PALETTE, THEME, WARNING, colours, no_data, span, value_axis
from opsbook.present import SectionError

__all__ = [
    "cloudwatch_spend",
    "deployments_per_week",
    "flapping_alarms",
    "log_groups_without_retention",
    "time_to_restore",
]

Frame = pd.DataFrame | SectionError


def _failed(title: str, error: SectionError) -> go.Figure:
    """Return an empty figure saying ERROR and why, in place of a chart whose source failed."""
    return no_data(title, f"ERROR {error.section}: {error.reason}")


def deployments_per_week(frequency: Frame) -> go.Figure:
    """Stacked bars of deployments per week, one colour per service (and account when several).

    From :func:`opsbook.ops.delivery.deployment_frequency`.
    """
    title = "Deployments per week and service"
    if isinstance(frequency, SectionError):
        return _failed(title, frequency)
    if frequency.empty:
        return no_data(title, "No deployment in the window")
    several = frequency["account_id"].nunique() > 1
    names = {
        key: f"{key[1]} ({key[0]})" if several else str(key[1])
        for key in frequency.groupby(["account_id", "service"]).groups
    }
    keyed = colours(names.values())
    figure = go.Figure(layout={"template": THEME})
    for (account, service), group in frequency.groupby(["account_id", "service"], sort=True):
        name = names[(account, service)]
        figure.add_trace(
            go.Bar(x=group["week"], y=group["deployments"], name=name, marker_color=keyed[name],
                   hovertemplate=f"{name}: %{{y}}<extra></extra>")
        )  # fmt: skip
    figure.update_layout(
        title=f"{title}, weeks of {span(frequency['week'])}",
        barmode="stack",
        xaxis={"title": {"text": "week starting (Monday, UTC)"}, "tickformat": "%Y-%m-%d"},
        yaxis=value_axis("deployments", "count", tickformat=",d"),
    )
    return figure


def time_to_restore(incidents: Frame, failures: Frame | None = None) -> go.Figure:
    """Each incident's time to restore over time, per service; failed changes marked.

    The axis is linear; only when restore times span more than a hundredfold is it logarithmic,
    and then its title says so and its ticks are whole durations (``10 min``, ``1 h``).
    From :func:`opsbook.ops.delivery.merge_incidents` (and ``find_failed_changes``).
    """
    title = "Time to restore per incident"
    if isinstance(incidents, SectionError):
        return _failed(title, incidents)
    done = incidents.dropna(subset=["minutes"])
    if done.empty:
        return no_data(title, "No incident restored in the window")
    keyed = colours(done["service"].astype(str))
    figure = go.Figure(layout={"template": THEME})
    for service, group in done.groupby("service", sort=True):
        figure.add_trace(
            go.Scatter(x=group["started"], y=group["minutes"], name=str(service), mode="markers",
                       marker={"size": 10, "color": keyed[str(service)]}, text=group["alarms"],
                       hovertemplate="%{x}: %{y:.1f} min (%{text})<extra></extra>")
        )  # fmt: skip
    if isinstance(failures, pd.DataFrame) and failures["failed"].any():
        failed = failures[failures["failed"]]
        figure.add_trace(
            go.Scatter(x=failed["signal_at"], y=failed["restore_minutes"], mode="markers",
                       name="failed change", text=failed["service"] + " " + failed["version"],
                       marker={"symbol": "x", "size": 14, "color": WARNING},
                       hovertemplate="%{text}: restored in %{y:.1f} min<extra></extra>")
        )  # fmt: skip
    low, high = float(done["minutes"].min()), float(done["minutes"].max())
    if low > 0 and high / low > 100:
        ticks = [v for v in (1, 2, 5, 10, 20, 30, 60, 120, 240, 480, 1440, 2880, 10080)
                 if low / 2 <= v <= high * 2]  # fmt: skip
        axis = value_axis("time to restore", "minutes, log scale", type="log", tickvals=ticks,
                          ticktext=[_minutes(v) for v in ticks], rangemode="normal")  # fmt: skip
    else:
        axis = value_axis("time to restore", "minutes")
    figure.update_layout(
        title=f"{title}, {span(done['started'])}",
        xaxis={"title": {"text": "incident start (UTC)"}},
        yaxis=axis,
        hovermode="closest",
    )
    return figure


def _minutes(value: float) -> str:
    if value < 60:
        return f"{value:g} min"
    if value < 1440:
        return f"{value / 60:g} h"
    return f"{value / 1440:g} d"


def log_groups_without_retention(groups: Frame, top: int = 20) -> go.Figure:
    """Horizontal bars of stored GB of the log groups that never expire, largest on top.

    From :func:`opsbook.ops.hygiene.log_groups_without_retention`.
    """
    title = "Log groups without retention: data stored"
    if isinstance(groups, SectionError):
        return _failed(title, groups)
    if groups.empty:
        return no_data(title, "Every log group has a retention policy")
    shown = groups.head(top).iloc[::-1]
    keyed = colours(shown["log_group"])
    figure = go.Figure(
        go.Bar(x=shown["stored_gb"], y=shown["log_group"], orientation="h",
               marker_color=[keyed[str(g)] for g in shown["log_group"]],
               customdata=shown["usd_per_month"],
               hovertemplate="%{y}: %{x:.3f} GB, $%{customdata:.2f}/month<extra></extra>"),
        layout={"template": THEME},
    )  # fmt: skip
    figure.update_layout(
        title=title,
        xaxis=value_axis("stored", "GB"),
        yaxis={"title": {"text": ""}},
        height=max(260, 40 * len(shown) + 140),
    )
    return figure


def flapping_alarms(flapping: Frame) -> go.Figure:
    """Horizontal bars of state changes per day, most flapping on top.

    From :func:`opsbook.ops.hygiene.flapping_alarms`.
    """
    title = "Alarm state changes per day"
    if isinstance(flapping, SectionError):
        return _failed(title, flapping)
    if flapping.empty:
        return no_data(title, "No alarm changed state in the window")
    shown = flapping.iloc[::-1]
    figure = go.Figure(
        go.Bar(x=shown["changes_per_day"], y=shown["alarm_name"], orientation="h",
               marker_color=PALETTE[1],
               hovertemplate="%{y}: %{x:.2f} state changes a day<extra></extra>"),
        layout={"template": THEME},
    )  # fmt: skip
    figure.update_layout(
        title=title,
        xaxis=value_axis("state changes", "per day"),
        yaxis={"title": {"text": ""}},
        height=max(260, 34 * len(shown) + 140),
    )
    return figure


def cloudwatch_spend(spend: Frame, month: str = "") -> go.Figure:
    """Bars of CloudWatch cost by what it pays for (from :func:`opsbook.ops.hygiene.cloudwatch_spend`)."""
    title = "CloudWatch cost by kind (unblended)" + (f", {month}" if month else "")
    if isinstance(spend, SectionError):
        return _failed(title, spend)
    if spend.empty:
        return no_data(title, "No CloudWatch line in the CUR for the month")
    kinds = (
        spend.groupby("kind", as_index=False)["unblended_cost"].sum().sort_values("unblended_cost")
    )
    keyed = colours(kinds["kind"])
    figure = go.Figure(
        go.Bar(x=kinds["unblended_cost"], y=kinds["kind"], orientation="h",
               marker_color=[keyed[str(k)] for k in kinds["kind"]],
               text=[f"${v:,.0f}" for v in kinds["unblended_cost"]], textposition="outside",
               cliponaxis=False, hovertemplate="%{y}: $%{x:,.2f}<extra></extra>"),
        layout={"template": THEME},
    )  # fmt: skip
    top = float(kinds["unblended_cost"].max()) if len(kinds) else 0.0
    figure.update_layout(
        title=title,
        xaxis=value_axis("cost", "USD", range=[0, top * 1.15 if top > 0 else 1]),
        yaxis={"title": {"text": ""}},
        height=max(260, 34 * len(kinds) + 140),
    )
    return figure
