"""Drill into a cost spike: the anomaly, its usage types and resources, the daily series, changes.

The anomaly comes from :func:`opsbook.cost.anomalies.review_anomalies` (same-weekday baseline,
robust score); the drill-down reads the anomaly's account and service per day, usage type and
resource id (``cur/anomaly_resources_daily``), compares each resource's spike-day cost with its
median day over the two weeks before, and lists the CloudTrail changes in that account from the
day before the spike to its end, so a change that caused it is next to it. When CloudTrail cannot
be read (no trail, no permission, an emulator without LookupEvents) the changes section shows
ERROR and why (:meth:`CostSpike.section`), never "no change".

Examples
--------
>>> spike = drill_cost_spike("2026-10-23", "2026-11-15")  # doctest: +SKIP
>>> spike.by_resource.iloc[0].resource_id  # doctest: +SKIP
'arn:aws:ec2:us-east-1:334455667788:natgateway/nat-029567c5a515d69c8'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from opsbook import athena, changes, clock
from opsbook.charts import THEME, colour, no_data, span, value_axis
from opsbook.cost.anomalies import review_anomalies
from opsbook.errors import ConfigurationError, OpsbookError
from opsbook.present import SectionError, status_of
from opsbook.settings import Settings, resolve

__all__ = ["CostSpike", "drill_cost_spike"]

_BEFORE = dt.timedelta(days=14)  # the resources' typical day is their median over this
_RESOURCE_COLUMNS = ["usage_type", "resource_id", "spike_cost", "typical_daily_cost", "extra_cost"]


@dataclass
class CostSpike:
    """One cost anomaly drilled down; every frame is plain pandas."""

    start: dt.date
    end: dt.date
    anomalies: pd.DataFrame  # every anomaly of the window, largest impact first
    anomaly: pd.Series | None  # the one drilled into
    root_causes: pd.DataFrame  # its region and usage type contributions
    daily: pd.DataFrame  # usage_day, amortized_cost of its account and service
    by_resource: pd.DataFrame  # see _RESOURCE_COLUMNS, largest extra cost first
    changes: pd.DataFrame  # CloudTrail write events in its account around the spike
    changes_error: str = ""

    def section(self, name: str) -> pd.DataFrame | SectionError:
        """Return the table ``name`` shows; ``changes`` is the ERROR saying why when CloudTrail failed.

        Examples
        --------
        >>> spike.section("changes")  # doctest: +SKIP
        """
        frame = getattr(self, name)
        if name == "changes" and self.changes_error:
            return SectionError(name, self.changes_error)
        return frame

    def findings(self) -> list[str]:
        """Return short findings: the anomaly, the resource behind it, the changes next to it."""
        if self.anomaly is None:
            return [f"no cost anomaly passed the thresholds from {self.start} to {self.end} "
                    "(or no CUR data for those days)"]  # fmt: skip
        a = self.anomaly
        out = [f"cost anomaly {a.start_day:%Y-%m-%d}: {a.service} in {a.account_name} ({a.account_id}) "
               f"${a.total_actual:,.0f} vs ${a.total_expected:,.0f} expected (+${a.total_impact:,.0f})"]  # fmt: skip
        if not self.by_resource.empty:
            r = self.by_resource.iloc[0]
            what = r.resource_id or "(no resource id)"
            out.append(f"resource {what} ({r.usage_type}): ${r.spike_cost:,.0f} vs "
                       f"${r.typical_daily_cost:,.0f} on a typical day")  # fmt: skip
        if self.changes_error:
            out.append(f"changes ERROR: {self.changes_error}")
        elif self.changes.empty:
            out.append(f"no CloudTrail write event in {a.account_id} from the day before the spike")
        else:
            out.append(f"{len(self.changes)} CloudTrail change(s) in {a.account_id} around the spike, "
                       f"first {self.changes.iloc[0].action} {self.changes.iloc[0].resource} at "
                       f"{self.changes.iloc[0].event_time:%Y-%m-%d %H:%M} UTC")  # fmt: skip
        return out

    def chart(self) -> go.Figure:
        """Return the daily cost of the anomaly's account and service, the spike marked."""
        if self.anomaly is None or self.daily.empty:
            return no_data("Daily cost: no anomaly to show", "no cost anomaly in the window")
        a = self.anomaly
        figure = go.Figure(
            go.Bar(x=self.daily.usage_day, y=self.daily.amortized_cost, name="daily cost",
                   marker_color=colour(a.service))
        )  # fmt: skip
        figure.add_vrect(x0=a.start_day - pd.Timedelta(hours=12), x1=a.end_day + pd.Timedelta(hours=12),
                         fillcolor="red", opacity=0.15, line_width=0, annotation_text="anomaly")  # fmt: skip
        figure.update_layout(template=THEME, yaxis=value_axis("amortized cost per day", "USD"),
                             xaxis={"title": {"text": "usage day (UTC)"}},
                             title=f"{a.service} in {a.account_name}: daily usage cost, "
                                   f"{span(self.daily.usage_day)}")  # fmt: skip
        return figure

    def status(self) -> str:
        """Return FINDING for an anomaly (ERROR when CloudTrail failed), else PASS."""
        return status_of([self.anomaly] if self.anomaly is not None else [],
                         errors=[self.changes_error] if self.changes_error else [])  # fmt: skip

    def figures(self) -> dict[str, object]:
        """Return the figures a runbook records: the anomaly, its top usage type and resource."""
        a = self.anomaly
        top = self.by_resource.iloc[0] if not self.by_resource.empty else None
        return {
            "anomaly_day": None if a is None else f"{a.start_day:%Y-%m-%d}",
            "anomaly_account": None if a is None else str(a.account_id),
            "anomaly_service": None if a is None else str(a.service),
            "anomaly_impact_usd": None if a is None else round(float(a.total_impact), 2),
            "top_usage_type": None if top is None else str(top.usage_type),
            "top_resource": None if top is None else str(top.resource_id),
        }


def drill_cost_spike(
    start: str | dt.date = "",
    end: str | dt.date = "",
    *,
    account: str = "",
    service: str = "",
    settings: Settings | None = None,
) -> CostSpike:
    """Return the largest cost anomaly of ``[start, end)`` drilled down to resources and changes.

    Parameters
    ----------
    start, end
        Usage days (``YYYY-MM-DD``, end excluded); empty: the 30 days up to today (UTC).
    account, service
        Drill into the largest anomaly of this linked account id and/or product code
        (e.g. ``AmazonEC2``); empty: the largest of all.
    settings
        Backend and CUR location.

    Raises
    ------
    opsbook.errors.ConfigurationError
        Bad days; an ``account`` or ``service`` with no anomaly when others have one.

    Examples
    --------
    >>> drill_cost_spike("2026-10-23", "2026-11-15").findings()[0]  # doctest: +SKIP
    'cost anomaly 2026-11-05: AmazonEC2 in shop-prod (334455667788) $1,065 vs $504 expected (+$561)'
    """
    settings = settings or resolve()
    report = review_anomalies(start, end, settings=settings)
    stop = clock.to_day(end, "end") if end else clock.today() + dt.timedelta(days=1)
    first = clock.to_day(start, "start") if start else stop - dt.timedelta(days=30)
    found = report.anomalies
    chosen = found
    if account:
        chosen = chosen.loc[chosen.account_id == account]
    if service:
        chosen = chosen.loc[chosen.service == service]
    if chosen.empty and not found.empty:
        listed = ", ".join(f"{r.account_id}/{r.service}" for r in found.itertuples())
        raise ConfigurationError(
            f"no anomaly for account {account or '(any)'} and service {service or '(any)'}: "
            f"the window has {listed}; pick one of them or leave account and service empty"
        )
    empty = pd.DataFrame()
    if chosen.empty:
        return CostSpike(
            first, stop, found, None, empty, empty, pd.DataFrame(columns=_RESOURCE_COLUMNS), empty
        )
    anomaly = chosen.iloc[0]
    causes = report.root_causes.loc[report.root_causes.anomaly_id == anomaly.anomaly_id]
    rows = _resource_days(anomaly, settings)
    daily = rows.groupby("usage_day", as_index=False).amortized_cost.sum()
    changed, problem = _changes_near(anomaly, settings)
    return CostSpike(first, stop, found, anomaly, causes.reset_index(drop=True), daily,
                     _by_resource(rows, anomaly), changed, problem)  # fmt: skip


def _resource_days(anomaly: pd.Series, settings: Settings) -> pd.DataFrame:
    since = anomaly.start_day.date() - _BEFORE
    until = anomaly.end_day.date() + dt.timedelta(days=1)
    rows = athena.query("cur/anomaly_resources_daily", {
        "start_period": f"{since:%Y-%m}", "end_period": f"{anomaly.end_day:%Y-%m}",
        "account_id": str(anomaly.account_id), "service": str(anomaly.service),
        "start_date": since.isoformat(), "end_date": until.isoformat(),
    }, settings=settings)  # fmt: skip
    return rows.assign(
        usage_day=pd.to_datetime(rows.usage_day), resource_id=rows.resource_id.fillna("")
    )


def _by_resource(rows: pd.DataFrame, anomaly: pd.Series) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=_RESOURCE_COLUMNS)
    spike = rows.usage_day.between(anomaly.start_day, anomaly.end_day)
    keys = ["usage_type", "resource_id"]
    days = int(anomaly.days)
    during = rows.loc[spike].groupby(keys).amortized_cost.sum().rename("spike_cost")
    # Days without a line cost nothing: fill them before taking a resource's typical day.
    before = rows.loc[~spike].pivot_table(index="usage_day", columns=keys, values="amortized_cost",
                                          aggfunc="sum", fill_value=0.0)  # fmt: skip
    typical = (
        before.median().rename("typical_daily_cost") if not before.empty else pd.Series(dtype=float)
    )
    table = pd.concat([during, typical], axis=1).fillna(0.0).reset_index()
    table["extra_cost"] = table.spike_cost - days * table.typical_daily_cost
    return table.sort_values("extra_cost", ascending=False, ignore_index=True)[_RESOURCE_COLUMNS]


def _changes_near(anomaly: pd.Series, settings: Settings) -> tuple[pd.DataFrame, str]:
    since = pd.Timestamp(anomaly.start_day, tz="UTC") - pd.Timedelta(days=1)
    until = pd.Timestamp(anomaly.end_day, tz="UTC") + pd.Timedelta(days=1)
    try:
        frame = changes.read_changes(since, until, settings=settings)
    except OpsbookError as error:  # no trail, no LookupEvents: said, not shown as "no change"
        return pd.DataFrame(), f"{type(error).__name__}: {error}"
    frame = frame.loc[frame.account_id == str(anomaly.account_id)]
    return frame.assign(event_time=pd.to_datetime(frame.event_time, utc=True)).reset_index(
        drop=True
    ), ""
