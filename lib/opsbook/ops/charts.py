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

from typing import Any

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


def _placeholder(title: str, frame: Frame, empty: str) -> go.Figure | None:
    """Return the empty figure drawn instead of a chart: ERROR and why, or ``empty``; else None."""
    if isinstance(frame, SectionError):
        return no_data(title, f"ERROR {frame.section}: {frame.reason}")
    return no_data(title, empty) if frame.empty else None


def _bars(
    title: str, names: pd.Series, values: pd.Series, axis: dict[str, Any], row: int, **bar: Any
) -> go.Figure:
    """Return horizontal bars of ``values`` named ``names`` (the first at the bottom), ``row`` px each."""
    figure = go.Figure(
        go.Bar(x=values, y=names, orientation="h", **bar), layout={"template": THEME}
    )
    figure.update_layout(
        title=title,
        xaxis=axis,
        yaxis={"title": {"text": ""}},
        height=max(260, row * len(names) + 140),
    )
    return figure


def deployments_per_week(frequency: Frame) -> go.Figure:
    """Stacked bars of deployments per week, one colour per service (and account when several).

    From :func:`opsbook.ops.delivery.deployment_frequency`.
    """
    title = "Deployments per week and service"
    placeholder = _placeholder(title, frequency, "No deployment in the window")
    if placeholder is not None:
        return placeholder
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
    done = (
        incidents if isinstance(incidents, SectionError) else incidents.dropna(subset=["minutes"])
    )
    placeholder = _placeholder(title, done, "No incident restored in the window")
    if placeholder is not None:
        return placeholder
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
    placeholder = _placeholder(title, groups, "Every log group has a retention policy")
    if placeholder is not None:
        return placeholder
    shown = groups.head(top).iloc[::-1]
    keyed = colours(shown["log_group"])
    return _bars(
        title, shown["log_group"], shown["stored_gb"], value_axis("stored", "GB"), 40,
        marker_color=[keyed[str(g)] for g in shown["log_group"]],
        customdata=shown["usd_per_month"],
        hovertemplate="%{y}: %{x:.3f} GB, $%{customdata:.2f}/month<extra></extra>",
    )  # fmt: skip


def flapping_alarms(flapping: Frame) -> go.Figure:
    """Horizontal bars of state changes per day, most flapping on top.

    From :func:`opsbook.ops.hygiene.flapping_alarms`.
    """
    title = "Alarm state changes per day"
    placeholder = _placeholder(title, flapping, "No alarm changed state in the window")
    if placeholder is not None:
        return placeholder
    shown = flapping.iloc[::-1]
    return _bars(
        title, shown["alarm_name"], shown["changes_per_day"],
        value_axis("state changes", "per day"), 34, marker_color=PALETTE[1],
        hovertemplate="%{y}: %{x:.2f} state changes a day<extra></extra>",
    )  # fmt: skip


def cloudwatch_spend(spend: Frame, month: str = "") -> go.Figure:
    """Bars of CloudWatch cost by what it pays for (from :func:`opsbook.ops.hygiene.cloudwatch_spend`)."""
    title = "CloudWatch cost by kind (unblended)" + (f", {month}" if month else "")
    placeholder = _placeholder(title, spend, "No CloudWatch line in the CUR for the month")
    if placeholder is not None:
        return placeholder
    kinds = (
        spend.groupby("kind", as_index=False)["unblended_cost"].sum().sort_values("unblended_cost")
    )
    keyed = colours(kinds["kind"])
    top = float(kinds["unblended_cost"].max()) if len(kinds) else 0.0
    return _bars(
        title, kinds["kind"], kinds["unblended_cost"],
        value_axis("cost", "USD", range=[0, top * 1.15 if top > 0 else 1]), 34,
        marker_color=[keyed[str(k)] for k in kinds["kind"]],
        text=[f"${v:,.0f}" for v in kinds["unblended_cost"]], textposition="outside",
        cliponaxis=False, hovertemplate="%{y}: $%{x:,.2f}<extra></extra>",
    )  # fmt: skip
