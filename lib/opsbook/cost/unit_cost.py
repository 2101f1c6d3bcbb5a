"""Unit cost: an app's CUR cost (by cost allocation tag) per million requests from CloudWatch.

Cost comes from the shipped ``cur/spend_by_tag`` query (via :func:`opsbook.cost.spend.spend_by`),
requests from one CloudWatch metric series summed per UTC day (:func:`opsbook.metrics.get` at
``period=86400``); both are keyed by UTC day, as the CUR is. A day without requests, without a
request datapoint or without CUR data has no unit cost (``<NA>``, never a division by zero) and
says why in ``status``, so a gap never reads as a cheap day.

:func:`review_unit_cost` wraps them in a :class:`UnitCostReport` (a
:class:`~opsbook.present.Report`).

Examples
--------
>>> frame = unit_costs("2026-10-16", "2026-11-15")  # doctest: +SKIP
>>> frame.columns.tolist()  # doctest: +SKIP
['date', 'cost', 'requests', 'cost_per_unit', 'status']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from opsbook import clock, metrics
from opsbook.cost.allocation import cur_tag_key
from opsbook.cost.spend import UNTAGGED, check_basis, spend_by
from opsbook.errors import ConfigurationError
from opsbook.metrics import MetricSeries
from opsbook.present import PASS, SKIPPED
from opsbook.runner import checks_arguments
from opsbook.settings import Settings

__all__ = ["DEFAULT_SERIES", "UnitCostReport", "review_unit_cost", "summarise", "unit_costs"]

#: The sample org's public API (shop-public-api), the front door of the catalog-api app.
DEFAULT_SERIES = "AWS/ApiGateway Count ApiName=shop-public-api stat=Sum"
OK = "ok"
NO_REQUESTS = "no requests"
NO_METRIC = "no request data"
NO_CUR = "no CUR data"
NO_TAGGED_COST = "no tagged cost"
DEFAULT_DAYS = 30


def unit_costs(
    start: str | dt.date,
    end: str | dt.date,
    *,
    tag_key: str = "App",
    tag_value: str = "catalog-api",
    series: str = DEFAULT_SERIES,
    per: int = 1_000_000,
    basis: str = "amortized",
    grain: str = "day",
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return cost, requests and cost per ``per`` requests of one tagged app, per day or month.

    Parameters
    ----------
    start, end
        UTC days ``YYYY-MM-DD``; the window is ``[start, end)``. Empty ``end``: today (UTC);
        empty ``start``: 30 days before ``end``.
    tag_key, tag_value
        The cost allocation tag selecting the app's cost (``App`` or its CUR form ``user_app``).
    series
        The request count, a compact CloudWatch series read with ``stat=Sum``.
    per
        Requests per unit (1,000,000: cost per million requests).
    basis
        Cost basis: ``unblended``, ``amortized``, ``net_amortized`` or ``public``.
    grain
        ``day`` or ``month`` (``date`` is then the month's first day).
    settings
        Backend and data location; default :func:`opsbook.settings.resolve`.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``cost``, ``requests``, ``cost_per_unit`` (nullable, ``<NA>`` where it cannot
        be computed) and ``status`` (``ok``, ``no requests``, ``no request data``, ``no CUR
        data``, ``no tagged cost``); one row per day of the window. With ``grain="month"`` a month sums only its
        ``ok`` days (counted in ``days``). ``attrs`` holds the query, basis, series and per.

    Raises
    ------
    opsbook.errors.ConfigurationError
        Bad dates, grain, basis, ``per`` or a series not read as ``stat=Sum``.

    Examples
    --------
    >>> unit_costs("2026-11-01", "2026-11-08", tag_value="catalog-api").cost_per_unit  # doctest: +SKIP
    """
    first, stop = _check_window(start, end)
    check_basis(basis)
    if grain not in ("day", "month"):
        raise ConfigurationError(f"grain must be 'day' or 'month', got {grain!r}")
    if not isinstance(per, int) or per <= 0:
        raise ConfigurationError(f"per must be a positive whole number of requests, got {per!r}")
    parsed = MetricSeries.parse(series)
    if parsed.stat != "Sum":
        raise ConfigurationError(
            f"unit cost series {series!r} is read with stat={parsed.stat}; request counts "
            "must be summed: end the series with 'stat=Sum'"
        )
    days = pd.date_range(first, stop - dt.timedelta(days=1), freq="D")
    cost = spend_by("tag", f"{first:%Y-%m}", f"{stop - dt.timedelta(days=1):%Y-%m}", basis=basis,
                    key=cur_tag_key(tag_key), grain="day", settings=settings)  # fmt: skip
    cost_days = pd.to_datetime(cost["usage_day"]).dt.tz_localize(None).dt.normalize()
    covered = set(cost_days)
    mine = cost["tag_value"] == tag_value
    app_cost = cost[mine].groupby(cost_days[mine])["cost"].sum()
    values = cost.loc[cost["tag_value"] != UNTAGGED, "tag_value"]
    counts = metrics.get([parsed], first.isoformat(), stop.isoformat(), 86400, settings=settings)
    count_days = pd.to_datetime(counts["timestamp"]).dt.tz_convert("UTC").dt.tz_localize(None)
    requests = counts.groupby(count_days.dt.normalize())["value"].sum()
    frame = pd.DataFrame({"date": days})
    frame["cost"] = frame["date"].map(app_cost).fillna(0.0).astype(float)
    frame["requests"] = frame["date"].map(requests).astype("Float64")
    frame["has_cur"] = frame["date"].isin(covered)
    frame["tagged"] = frame["date"].isin(app_cost.index)
    out = _with_unit_cost(frame, per)
    if grain == "month":
        out = _by_month(out, per)
    out.attrs.update(query=cost.attrs.get("query", {}), basis=basis, series=series, per=per,
                     tag=f"{tag_key}={tag_value}", tag_key=tag_key,
                     tag_values=values.value_counts().index.astype(str).tolist(),
                     missing={"cost_per_unit": "see status", "requests": "no datapoint"})  # fmt: skip
    return out


def summarise(frame: pd.DataFrame) -> dict[str, object]:
    """Return cost, requests and unit cost summed over the periods that have both (status ok).

    Periods without a unit cost are counted by reason in ``periods_without``; with none usable,
    ``cost_per_unit`` is 0.0 and ``periods_with_unit_cost`` 0 (check that before reading it).

    Examples
    --------
    >>> frame = pd.DataFrame({"cost": [10.0, 4.0], "requests": pd.array([2e6, 0], "Float64"),
    ...                       "status": ["ok", "no requests"]})
    >>> frame.attrs["per"] = 1_000_000
    >>> summarise(frame)["cost_per_unit"]
    5.0
    """
    usable = frame[frame["status"] == OK]
    requests = float(usable["requests"].sum()) if len(usable) else 0.0
    cost = float(usable["cost"].sum())
    per = int(frame.attrs.get("per", 1_000_000))
    return {
        "cost": round(cost, 2),
        "requests": int(requests),
        "cost_per_unit": round(cost / requests * per, 4) if requests else 0.0,
        "periods_with_unit_cost": int(len(usable)),
        "periods_without": {str(k): int(v) for k, v in frame["status"].value_counts().items()
                            if k != OK},
    }  # fmt: skip


@dataclass(frozen=True)
class UnitCostReport:
    """An app's cost per unit of requests over a window, from :func:`unit_costs`.

    A :class:`~opsbook.present.Report`: SKIPPED when no period has both cost and requests
    (the findings say why), else PASS; ``figures()`` the unit cost over the periods that have
    one, their cost and requests, and the periods without one by reason.
    """

    frame: pd.DataFrame
    kinds: ClassVar[dict[str, str]] = {
        "requests": "count", "periods_with_unit_cost": "count", "periods_without": "count",
    }  # fmt: skip

    def figures(self) -> dict[str, object]:
        """Return the unit cost, cost and requests over the usable periods, and the others."""
        summary = summarise(self.frame)
        return {
            "cost_per_million": summary["cost_per_unit"],
            "cost": summary["cost"],
            "requests": summary["requests"],
            "periods_with_unit_cost": summary["periods_with_unit_cost"],
            "periods_without": summary["periods_without"],
        }

    def findings(self) -> list[str]:
        """Return the headline sentences: the unit cost, its range, and periods without one."""
        return _findings(self.frame)

    def status(self) -> str:
        """Return SKIPPED when no period has a unit cost, else PASS."""
        return PASS if summarise(self.frame)["periods_with_unit_cost"] else SKIPPED


@checks_arguments("start", "end", "basis", "grain")
def review_unit_cost(
    start: str | dt.date,
    end: str | dt.date,
    *,
    tag_key: str = "App",
    tag_value: str = "catalog-api",
    series: str = DEFAULT_SERIES,
    per: int = 1_000_000,
    basis: str = "amortized",
    grain: str = "day",
    settings: Settings | None = None,
) -> UnitCostReport:
    """Return the unit cost of one tagged app over ``[start, end)`` (see :func:`unit_costs`).

    Examples
    --------
    >>> review_unit_cost("2026-10-16", "2026-11-15").findings()[0]  # doctest: +SKIP
    'App=catalog-api: $59.03 per million requests ($12,887 over 218,318,332 requests)'
    """
    return UnitCostReport(
        unit_costs(
            start,
            end,
            tag_key=tag_key,
            tag_value=tag_value,
            series=series,
            per=per,
            basis=basis,
            grain=grain,
            settings=settings,
        )  # fmt: skip
    )


def _findings(frame: pd.DataFrame) -> list[str]:
    tag = frame.attrs.get("tag", "the app")
    per = int(frame.attrs.get("per", 1_000_000))
    unit = "million requests" if per == 1_000_000 else f"{per:,} requests"
    summary = summarise(frame)
    if not summary["periods_with_unit_cost"]:
        return [f"no unit cost for {tag}: no period has both CUR cost and requests "
                f"({', '.join(f'{k}: {v}' for k, v in summary['periods_without'].items())})",
                *_missing_tag(frame)]  # fmt: skip
    usable = frame[frame["status"] == OK]
    low, high = (
        usable.loc[usable["cost_per_unit"].idxmin()],
        usable.loc[usable["cost_per_unit"].idxmax()],
    )
    when = "%Y-%m" if "days" in frame else "%Y-%m-%d"
    out = [
        f"{tag}: ${summary['cost_per_unit']:,.2f} per {unit} "
        f"(${summary['cost']:,.0f} over {summary['requests']:,} requests)",
        f"cheapest {low['date']:{when}} at ${low['cost_per_unit']:,.2f}, "
        f"dearest {high['date']:{when}} at ${high['cost_per_unit']:,.2f}",
    ]
    out += [f"{count} period(s) without a unit cost: {status}"
            for status, count in summary["periods_without"].items()]  # fmt: skip
    return out


def _missing_tag(frame: pd.DataFrame) -> list[str]:
    """Say which part of the tag the CUR lacks when no day has cost carrying it."""
    if (frame["status"] != NO_TAGGED_COST).any() or "tag_values" not in frame.attrs:
        return []
    key, values = frame.attrs["tag_key"], frame.attrs["tag_values"]
    if not values:
        return [f"no line item in the window carries the tag key {key!r} (CUR key "
                f"{cur_tag_key(key)}): check its spelling and that it is an active cost "
                "allocation tag"]  # fmt: skip
    shown = ", ".join(values[:10]) + (f" and {len(values) - 10} more" if len(values) > 10 else "")
    return [f"no cost in the window carries {frame.attrs['tag']}; values of {key} in the CUR "
            f"then: {shown}"]  # fmt: skip


def _check_window(start: str | dt.date, end: str | dt.date) -> tuple[dt.date, dt.date]:
    stop = clock.to_day(end, "end") if end else clock.today()
    first = clock.to_day(start, "start") if start else stop - dt.timedelta(days=DEFAULT_DAYS)
    if stop <= first:
        raise ConfigurationError(f"unit cost window: end {stop} must be after start {first}")
    return first, stop


def _by_month(daily: pd.DataFrame, per: int) -> pd.DataFrame:
    # A month sums only its days with both cost and requests, so a month the metrics cover in
    # part is not divided by part of its requests; ``days`` says how many days that is.
    month = daily["date"].dt.to_period("M").dt.to_timestamp().rename("date")
    ok = daily["status"] == OK
    out = daily[ok].groupby(month[ok]).agg(cost=("cost", "sum"), requests=("requests", "sum"),
                                           days=("date", "size"))  # fmt: skip
    out = out.reindex(month.unique()).rename_axis("date").reset_index()
    out["days"] = out["days"].fillna(0).astype(int)
    out["cost"] = out["cost"].fillna(0.0)
    unit = pd.Series(pd.NA, index=out.index, dtype="Float64")
    has = out["days"] > 0
    unit[has] = out.loc[has, "cost"] / out.loc[has, "requests"].astype(float) * per
    gaps = daily[~ok].groupby(month[~ok])["status"].agg(lambda s: s.mode().iloc[0])
    status = out["date"].map(gaps).where(~has, OK)
    return pd.DataFrame({"date": out["date"], "cost": out["cost"],
                         "requests": out["requests"].astype("Float64"), "cost_per_unit": unit,
                         "status": status, "days": out["days"]})  # fmt: skip


def _with_unit_cost(frame: pd.DataFrame, per: int) -> pd.DataFrame:
    requests = frame["requests"].astype("Float64")
    status = pd.Series(OK, index=frame.index)
    status[requests.fillna(0) == 0] = NO_REQUESTS
    status[requests.isna()] = NO_METRIC
    status[~frame["tagged"]] = NO_TAGGED_COST
    status[~frame["has_cur"]] = NO_CUR
    ok = status == OK
    # Only divide where requests > 0; everything else stays <NA> with its reason in status.
    unit = pd.Series(pd.NA, index=frame.index, dtype="Float64")
    unit[ok] = frame.loc[ok, "cost"] / requests[ok] * per
    return pd.DataFrame({"date": frame["date"], "cost": frame["cost"], "requests": requests,
                         "cost_per_unit": unit, "status": status})  # fmt: skip
