"""Daily cost anomalies with root causes, in the shape AWS Cost Anomaly Detection reports them.

Each monitored series is one linked account and service, daily amortized cost of usage line items
(``cur/usage_cost_daily``: fees, taxes, credits and discounts posted once a month are left out,
as they are not usage). The expected cost of a day is the median of the same weekday over the
previous ``history_weeks`` weeks, so the ordinary weekly pattern (quiet weekends) is expected, not
flagged. The score is how many robust standard deviations (1.4826 × the median absolute
deviation of the history's residuals) the day is above its expectation. A day is anomalous when
its score, its impact in dollars and its impact in percent all pass their thresholds; consecutive
anomalous days of a series form one anomaly.

Each anomaly carries what Cost Anomaly Detection reports (reference §4): start and end day, total
actual and expected spend, total impact (actual − expected), impact percentage (omitted when
expected is 0), max daily impact, max score, and root causes (service, account, region, usage
type) with their dollar contribution.

Examples
--------
>>> found = review_anomalies("2026-10-16", "2026-11-15")  # doctest: +SKIP
>>> found.anomalies.iloc[0][["account_name", "service", "start_day"]].tolist()  # doctest: +SKIP
['shop-prod', 'AmazonEC2', Timestamp('2026-11-05 00:00:00')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opsbook import clock
from opsbook.cost.query import run_cur_query
from opsbook.cost.spend import accounts_param, cost_params, for_accounts
from opsbook.errors import ConfigurationError
from opsbook.present import SKIPPED, annotate, status_of
from opsbook.runner import checks_arguments
from opsbook.settings import Settings

__all__ = ["AnomalyReport", "anomaly_window", "expected_by_weekday", "review_anomalies"]

_SERIES = ["account_id", "account_name", "service"]
_CAUSE = ["region", "usage_type"]
_MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class AnomalyReport:
    """Anomalies found in a window, their root causes and the daily series they came from.

    Attributes
    ----------
    anomalies
        One row per anomaly, largest total impact first (see :func:`review_anomalies`).
    root_causes
        ``anomaly_id``, account, service, region, usage type, ``contribution`` in dollars.
    daily
        Per day of the window: ``actual`` and ``expected`` total usage cost, ``anomalous``.
    message
        Why nothing could be judged (no CUR data in the window); empty when days were judged.
    notes
        Days of the window left unjudged and why (no CUR data yet, too little history).
    """

    anomalies: pd.DataFrame
    root_causes: pd.DataFrame
    daily: pd.DataFrame
    message: str = ""
    notes: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, object]:
        """Return what a report records: how many anomalies, each one and its root causes."""
        return {
            "anomalies_found": int(len(self.anomalies)),
            "anomalies": self.anomalies.astype(str).to_dict("records"),
            "root_causes": self.root_causes.astype(str).to_dict("records"),
            "days_judged": int(self.daily["expected"].notna().sum()) if len(self.daily) else 0,
            "unjudged": list(self.notes),
        }

    def status(self) -> str:
        """Return SKIPPED when no day could be judged, FINDING for an anomaly, else PASS."""
        if self.message:
            return SKIPPED
        return status_of(self.anomalies.index)

    def findings(self, top: int = 3) -> list[str]:
        """Return the largest anomalies as one-line findings (or that none passed the thresholds).

        Examples
        --------
        >>> AnomalyReport(pd.DataFrame(), pd.DataFrame(), pd.DataFrame()).findings()
        ['no cost anomaly passed the thresholds in the window']
        >>> AnomalyReport(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
        ...               notes=["2 days not judged: no CUR data yet"]).findings()
        ['no cost anomaly passed the thresholds in the days judged', '2 days not judged: no CUR data yet']
        """
        if self.message:
            return [self.message]
        if self.anomalies.empty:
            where = "the days judged" if self.notes else "the window"
            return [f"no cost anomaly passed the thresholds in {where}", *self.notes]
        lines = []
        for row in self.anomalies.head(top).itertuples():
            causes = self.root_causes[self.root_causes["anomaly_id"] == row.anomaly_id]
            cause = f", mostly {causes.iloc[0]['usage_type']}" if len(causes) else ""
            span = f"{row.start_day:%Y-%m-%d}" + (
                f" to {row.end_day:%Y-%m-%d}" if row.end_day != row.start_day else ""
            )
            lines.append(
                f"Cost anomaly {span}: {row.service} in {row.account_name} "
                f"+${row.total_impact:,.0f} over expected{cause}"
            )
        return lines + self.notes


def expected_by_weekday(series: pd.Series, history_weeks: int = 4) -> pd.DataFrame:
    """Return the expected value and robust spread of each day from the same weekdays before it.

    ``series`` is indexed by consecutive days. Days with fewer than two same-weekday days of
    history get NaN (not judged).

    Examples
    --------
    >>> days = pd.date_range("2026-10-01", periods=35, freq="D")
    >>> values = pd.Series([10.0 if d.weekday() < 5 else 4.0 for d in days], index=days)
    >>> frame = expected_by_weekday(values)
    >>> float(frame.loc["2026-11-01", "expected"]), float(frame.loc["2026-11-02", "expected"])
    (4.0, 10.0)
    """
    lagged = pd.concat([series.shift(7 * k) for k in range(1, history_weeks + 1)], axis=1)
    expected = lagged.median(axis=1, skipna=True).where(lagged.notna().sum(axis=1) >= 2)
    residual = series - expected
    # Spread from the residuals of the previous weeks (not today's), so a spike cannot hide itself.
    spread = (
        residual.shift(1).abs().rolling(7 * history_weeks, min_periods=7).median() * _MAD_TO_SIGMA
    )
    return pd.DataFrame({"actual": series, "expected": expected, "spread": spread})


def anomaly_window(start: str | dt.date, end: str | dt.date) -> tuple[dt.date, dt.date]:
    """Return the usage days ``[first, stop)`` to judge.

    Empty ``end`` is up to today (UTC), empty ``start`` the 30 days before ``end``.

    Examples
    --------
    >>> anomaly_window("2026-10-16", "2026-11-15")
    (datetime.date(2026, 10, 16), datetime.date(2026, 11, 15))
    >>> anomaly_window("", "2026-11-15")[0]
    datetime.date(2026, 10, 16)
    """
    stop = clock.to_day(end, "end") if end else clock.today() + dt.timedelta(days=1)
    first = clock.to_day(start, "start") if start else stop - dt.timedelta(days=30)
    if stop <= first:
        raise ConfigurationError(f"anomaly window is empty: end {stop} is not after start {first}")
    return first, stop


@checks_arguments("start", "end", "accounts", "min_score", "min_impact_usd")
@cost_params
def review_anomalies(
    start: str | dt.date,
    end: str | dt.date,
    *,
    accounts: str | Iterable[str] | None = None,
    history_weeks: int = 4,
    min_score: float = 5.0,
    min_impact_usd: float = 100.0,
    min_impact_pct: float = 10.0,
    settings: Settings | None = None,
) -> AnomalyReport:
    """Return the daily cost anomalies of ``[start, end)`` with their root causes.

    Parameters
    ----------
    start, end
        Usage days to judge (``YYYY-MM-DD``; end excluded). History before ``start`` is read too.
        Empty ``end``: up to today (UTC); empty ``start``: the 30 days before ``end``.
    history_weeks
        Weeks of same-weekday history behind each day's expectation.
    min_score, min_impact_usd, min_impact_pct
        A day is anomalous when all three pass (score in robust standard deviations).

    Returns
    -------
    AnomalyReport
        ``anomalies`` columns: ``anomaly_id``, ``account_id``, ``account_name``, ``service``,
        ``start_day``, ``end_day``, ``days``, ``total_actual``, ``total_expected``,
        ``total_impact``, ``impact_pct``, ``max_daily_impact``, ``max_score``.

    Examples
    --------
    >>> report = review_anomalies("2026-10-16", "2026-11-15")  # doctest: +SKIP
    >>> report.findings()[0]  # doctest: +SKIP
    'Cost anomaly 2026-11-05: AmazonEC2 in shop-prod +$550 over expected, mostly USE1-NatGateway-Bytes'
    """
    first, stop = anomaly_window(start, end)
    if history_weeks < 2:
        raise ConfigurationError(f"history_weeks must be at least 2, got {history_weeks}")
    read_from = first - dt.timedelta(days=7 * history_weeks + 7 * history_weeks)
    rows = run_cur_query(
        "cur/usage_cost_daily",
        {
            "start_period": f"{read_from:%Y-%m}",
            "end_period": f"{stop - dt.timedelta(days=1):%Y-%m}",
            "accounts": accounts_param(accounts),
            "start_date": read_from.isoformat(),
            "end_date": stop.isoformat(),
        },
        settings=settings,
    )
    rows["usage_day"] = pd.to_datetime(rows["usage_day"])
    window = pd.date_range(first, stop - dt.timedelta(days=1), freq="D")
    seen = rows["usage_day"].between(window[0], window[-1])
    if not seen.any():
        message = (f"no cost anomaly can be judged: the CUR has no usage line items from "
                   f"{_span(window)}{for_accounts(accounts)}")  # fmt: skip
        return AnomalyReport(_empty_anomalies(), _empty_causes(),
                             annotate(_empty_daily(), empty=message), message)  # fmt: skip
    days = pd.date_range(rows["usage_day"].min(), rows["usage_day"].max(), freq="D")
    judged = (days >= pd.Timestamp(first)) & (days < pd.Timestamp(stop))
    flagged = []
    for series_key, group in rows.groupby(_SERIES, sort=True):
        series = group.groupby("usage_day")["amortized_cost"].sum().reindex(days, fill_value=0.0)
        frame = expected_by_weekday(series, history_weeks)[judged]
        # A floor on the spread: a flat series (spread 0) must not make cents look anomalous.
        spread = np.maximum(frame["spread"], np.maximum(0.02 * frame["expected"], 1.0))
        frame["impact"] = frame["actual"] - frame["expected"]
        frame["score"] = frame["impact"] / spread
        frame["impact_pct"] = frame["impact"] / frame["expected"].where(frame["expected"] > 0) * 100
        hit = (
            (frame["score"] >= min_score)
            & (frame["impact"] >= min_impact_usd)
            & (frame["impact_pct"].fillna(np.inf) >= min_impact_pct)
        )
        if hit.any():
            flagged.append((series_key, frame[hit], group))
    anomalies, causes = _group_anomalies(flagged, days, history_weeks)
    daily = _daily_totals(rows, days, judged, history_weeks, anomalies)
    annotate(anomalies, first=["service", "account_name", "start_day", "end_day", "total_impact",
                               "impact_pct", "total_actual", "total_expected"],
             missing={"impact_pct": "nothing expected"})  # fmt: skip
    return AnomalyReport(anomalies, causes, daily, notes=_unjudged(window, daily, history_weeks))


def _span(days: pd.DatetimeIndex) -> str:
    first, last = f"{days[0]:%Y-%m-%d}", f"{days[-1]:%Y-%m-%d}"
    return first if first == last else f"{first} to {last}"


def _unjudged(window: pd.DatetimeIndex, daily: pd.DataFrame, history_weeks: int) -> list[str]:
    """Say which days of the window were not judged and why: no CUR data, or too little history."""
    covered = pd.DatetimeIndex(daily["usage_day"])
    notes = []
    outside = window.difference(covered)
    if len(outside):
        notes.append(f"{len(outside)} day(s) of the window not judged, no CUR data: "
                     f"{_span(outside)}")  # fmt: skip
    young = pd.DatetimeIndex(daily.loc[daily["expected"].isna(), "usage_day"])
    if len(young):
        notes.append(f"{len(young)} day(s) not judged, under two weeks of same-weekday history "
                     f"in the CUR (of the {history_weeks} used): {_span(young)}")  # fmt: skip
    return notes


def _group_anomalies(
    flagged: list, days: pd.DatetimeIndex, history_weeks: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    records, causes = [], []
    for (account_id, account_name, service), hits, group in flagged:
        # Consecutive anomalous days are one anomaly.
        run = (hits.index.to_series().diff() != pd.Timedelta(days=1)).cumsum()
        for _, span in hits.groupby(run.to_numpy()):
            expected = float(span["expected"].sum())
            impact = float(span["impact"].sum())
            anomaly_id = f"{account_id}/{service}/{span.index[0]:%Y-%m-%d}"
            records.append(
                {
                    "anomaly_id": anomaly_id,
                    "account_id": account_id,
                    "account_name": account_name,
                    "service": service,
                    "start_day": span.index[0],
                    "end_day": span.index[-1],
                    "days": len(span),
                    "total_actual": float(span["actual"].sum()),
                    "total_expected": expected,
                    "total_impact": impact,
                    "impact_pct": impact / expected * 100 if expected > 0 else np.nan,
                    "max_daily_impact": float(span["impact"].max()),
                    "max_score": float(span["score"].max()),
                }
            )
            causes.append(_root_causes(anomaly_id, group, span.index, days, history_weeks))
    if not records:
        return _empty_anomalies(), _empty_causes()
    anomalies = pd.DataFrame(records).sort_values("total_impact", ascending=False)
    return anomalies.reset_index(drop=True), pd.concat(causes, ignore_index=True)


def _root_causes(
    anomaly_id: str,
    group: pd.DataFrame,
    span: pd.DatetimeIndex,
    days: pd.DatetimeIndex,
    history_weeks: int,
) -> pd.DataFrame:
    """Each region and usage type's contribution: its own actual minus its own expectation."""
    rows = []
    account_id, account_name, service = group.iloc[0][_SERIES]
    for (region, usage_type), part in group.groupby(_CAUSE):
        series = part.groupby("usage_day")["amortized_cost"].sum().reindex(days, fill_value=0.0)
        frame = expected_by_weekday(series, history_weeks).loc[span]
        contribution = float((frame["actual"] - frame["expected"].fillna(0.0)).sum())
        rows.append(
            (anomaly_id, account_id, account_name, service, region, usage_type, contribution)
        )
    causes = pd.DataFrame(
        rows, columns=["anomaly_id", *_SERIES, *_CAUSE, "contribution"]
    ).sort_values("contribution", ascending=False)
    return causes[causes["contribution"] > 0].head(5)


def _daily_totals(
    rows: pd.DataFrame,
    days: pd.DatetimeIndex,
    judged: np.ndarray,
    history_weeks: int,
    anomalies: pd.DataFrame,
) -> pd.DataFrame:
    total = rows.groupby("usage_day")["amortized_cost"].sum().reindex(days, fill_value=0.0)
    frame = expected_by_weekday(total, history_weeks)[judged][["actual", "expected"]]
    marked = set()
    for row in anomalies.itertuples():
        marked.update(pd.date_range(row.start_day, row.end_day, freq="D"))
    frame["anomalous"] = frame.index.isin(list(marked))
    return frame.rename_axis("usage_day").reset_index()


def _empty_anomalies() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["anomaly_id", *_SERIES, "start_day", "end_day", "days", "total_actual",
                 "total_expected", "total_impact", "impact_pct", "max_daily_impact", "max_score"]
    )  # fmt: skip


def _empty_causes() -> pd.DataFrame:
    return pd.DataFrame(columns=["anomaly_id", *_SERIES, *_CAUSE, "contribution"])


def _empty_daily() -> pd.DataFrame:
    return pd.DataFrame(columns=["usage_day", "actual", "expected", "anomalous"])
