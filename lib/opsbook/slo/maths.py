"""SLO arithmetic on plain pandas: SLI, error budget, burn rates and multiwindow alerts.

Everything takes a *counts* frame: a UTC ``DatetimeIndex`` on a regular step (one row per minute or
time slice) with float columns ``good`` and ``total``. Missing periods mean no traffic. The SLI over
a window is always Σgood / Σtotal (never an average of ratios), and a window without traffic is
"no data" (NaN), never a division by zero.

Formulas follow the Google SRE Workbook, ch. 5 "Alerting on SLOs":

- budget = 1 - target; burn rate = error ratio / budget;
- budget consumed by a window = burn rate × window / period;
- the multiwindow, multi-burn-rate tiers derive their thresholds from the period:
  threshold = budget share × period / long window (30 days: 14.4, 6, 1; 28 days: 13.44, 5.6, 0.93).

Examples
--------
>>> tiers = derive_thresholds(DEFAULT_TIERS, pd.Timedelta(days=30))
>>> [round(t.threshold, 2) for t in tiers]
[14.4, 6.0, 1.0]
>>> round(time_to_fire(0.999, 1.0, pd.Timedelta(hours=1), 14.4).total_seconds(), 1)
51.8
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from opsbook import clock
from opsbook.errors import ConfigurationError

__all__ = [
    "DEFAULT_TIERS",
    "Tier",
    "alert_timeline",
    "budget_consumed",
    "burn_down",
    "burn_rate",
    "derive_thresholds",
    "low_traffic_share",
    "normalise_counts",
    "rolling_burn",
    "sli",
    "slice_counts",
    "time_to_exhaustion",
    "time_to_fire",
    "window_bounds",
]

Window = clock.Duration
_CENTURY_SECONDS = 100 * 365.25 * 86400


@dataclass(frozen=True)
class Tier:
    """A multiwindow burn-rate alert: fires when both windows burn above ``threshold``.

    ``budget_share`` is the share of the period's budget the long window must consume to fire;
    ``threshold`` is derived from it and the SLO period by :func:`derive_thresholds`.
    """

    name: str
    severity: str  # "page" or "ticket"
    budget_share: float
    long: pd.Timedelta
    short: pd.Timedelta
    threshold: float = math.nan


# SRE Workbook table 5-8: 2% in 1h (5m), 5% in 6h (30m), 10% in 3d (6h).
DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier("fast", "page", 0.02, pd.Timedelta(hours=1), pd.Timedelta(minutes=5)),
    Tier("medium", "page", 0.05, pd.Timedelta(hours=6), pd.Timedelta(minutes=30)),
    Tier("slow", "ticket", 0.10, pd.Timedelta(days=3), pd.Timedelta(hours=6)),
)


def derive_thresholds(tiers: Sequence[Tier], period: Window) -> tuple[Tier, ...]:
    """Return the tiers with ``threshold = budget_share × period / long window``.

    Examples
    --------
    >>> [round(t.threshold, 2) for t in derive_thresholds(DEFAULT_TIERS, "28D")]
    [13.44, 5.6, 0.93]
    """
    period = clock.to_duration(period, "period")
    out = []
    for tier in tiers:
        if not 0 < tier.budget_share <= 1:
            raise ConfigurationError(f"tier {tier.name}: budget_share must be in (0, 1]")
        if not pd.Timedelta(0) < tier.short < tier.long:
            raise ConfigurationError(
                f"tier {tier.name}: the short window must be shorter than the long one"
            )
        out.append(replace(tier, threshold=tier.budget_share * (period / tier.long)))
    return tuple(out)


def sli(good: float, total: float) -> float:
    """Return good / total, or NaN when there was no traffic.

    Examples
    --------
    >>> sli(999, 1000), sli(0, 0)
    (0.999, nan)
    """
    return good / total if total > 0 else math.nan


def burn_rate(bad: float, total: float, target: float) -> float:
    """Return the burn rate: (bad / total) / (1 - target); NaN without traffic.

    Examples
    --------
    >>> round(burn_rate(10, 1000, 0.999), 6)
    10.0
    """
    _check_target(target)
    return (bad / total) / (1 - target) if total > 0 else math.nan


def budget_consumed(burn: float, window: Window, period: Window) -> float:
    """Return the share of the period's budget a window burning at ``burn`` consumes.

    Examples
    --------
    >>> round(budget_consumed(14.4, "1h", "30D"), 4)
    0.02
    """
    return burn * (clock.to_duration(window, "window") / clock.to_duration(period, "period"))


def time_to_exhaustion(remaining: float, burn: float, period: Window) -> pd.Timedelta | None:
    """Return how long the remaining budget share lasts at ``burn``; None if never (or > 100 years).

    Examples
    --------
    >>> time_to_exhaustion(1.0, 10, "30D")
    Timedelta('3 days 00:00:00')
    """
    if not burn > 0 or math.isnan(remaining):
        return None
    seconds = clock.to_duration(period, "period").total_seconds() * max(remaining, 0.0) / burn
    # Beyond a century the budget effectively never runs out (and Timedelta would overflow).
    return pd.Timedelta(seconds=seconds) if seconds < _CENTURY_SECONDS else None


def time_to_fire(
    target: float, error_ratio: float, window: Window, threshold: float
) -> pd.Timedelta:
    """Return how long an error ratio takes to trip a window's burn-rate threshold.

    (1 - target) / error ratio × window × threshold (Workbook: 52 s for a total outage at 99.9%).
    """
    return clock.to_duration(window, "window") * ((1 - target) / error_ratio * threshold)


def normalise_counts(
    counts: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, step: Window = "1min"
) -> pd.DataFrame:
    """Return ``good``/``total`` on a complete grid over ``[start, end)`` (missing rows = 0).

    Rows are checked: ``total`` must be ≥ 0 and ``good`` within [0, total].

    Examples
    --------
    >>> frame = pd.DataFrame({"good": [9.0], "total": [10.0]},
    ...                      index=pd.DatetimeIndex(["2026-01-01 00:01"], tz="UTC"))
    >>> normalise_counts(frame, pd.Timestamp("2026-01-01", tz="UTC"),
    ...                  pd.Timestamp("2026-01-01 00:03", tz="UTC")).total.tolist()
    [0.0, 10.0, 0.0]
    """
    step = clock.to_duration(step, "step")
    grid = pd.date_range(start, end, freq=step, inclusive="left", name="timestamp")
    frame = counts[["good", "total"]].astype(float).reindex(grid, fill_value=0.0).fillna(0.0)
    if (
        (frame.total < 0).any()
        or (frame.good < -1e-9).any()
        or (frame.good > frame.total + 1e-9).any()
    ):
        raise ConfigurationError(
            "SLI counts out of range: good must lie between 0 and total; check that the good/bad "
            "and total queries count the same events"
        )
    return frame


def rolling_burn(counts: pd.DataFrame, window: Window, target: float) -> pd.Series:
    """Return the burn rate over the trailing ``window`` ending at each row (NaN: no data).

    The value at row *t* covers the rows in ``(t - window, t]``, so with minute rows it is the
    burn over the window that ends when that minute ends. Sums use cumulative totals, so a window
    is exactly Σbad / Σtotal.
    """
    _check_target(target)
    steps = _steps(counts, window)
    bad = (counts.total - counts.good).to_numpy()
    total = counts.total.to_numpy()
    bad_sum = _trailing_sum(bad, steps)
    total_sum = _trailing_sum(total, steps)
    with np.errstate(invalid="ignore", divide="ignore"):
        burn = np.where(
            total_sum > 0, bad_sum / np.where(total_sum > 0, total_sum, 1) / (1 - target), np.nan
        )
    return pd.Series(burn, index=counts.index, name=f"burn_{clock.to_duration(window, 'window')}")


def alert_timeline(
    counts: pd.DataFrame, target: float, period: Window, tiers: Sequence[Tier] = DEFAULT_TIERS
) -> pd.DataFrame:
    """Return per row and tier the long and short burn rates, the threshold and whether it fires.

    Columns: ``timestamp``, ``tier``, ``severity``, ``long_burn``, ``short_burn``, ``threshold``,
    ``firing`` (both windows above the threshold; "no data" never fires). Row *t* reports the
    state at the end of that minute.
    """
    parts = []
    for tier in derive_thresholds(tiers, period):
        long_burn = rolling_burn(counts, tier.long, target)
        short_burn = rolling_burn(counts, tier.short, target)
        firing = (long_burn > tier.threshold) & (short_burn > tier.threshold)
        parts.append(
            pd.DataFrame(
                {
                    "timestamp": counts.index + _step(counts),
                    "tier": tier.name,
                    "severity": tier.severity,
                    "long_burn": long_burn.to_numpy(),
                    "short_burn": short_burn.to_numpy(),
                    "threshold": tier.threshold,
                    "firing": firing.to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def slice_counts(values: pd.Series, op: str, threshold: float) -> pd.DataFrame:
    """Return time-slice counts: each slice with data is one event, good when ``value op threshold``.

    Slices without a datapoint count neither as good nor as bad (no data).

    Examples
    --------
    >>> index = pd.date_range("2026-01-01", periods=3, freq="1min", tz="UTC")
    >>> slice_counts(pd.Series([0.2, 0.7, np.nan], index=index), "lt", 0.5).good.tolist()
    [1.0, 0.0, 0.0]
    """
    compare = {"lt": np.less, "lte": np.less_equal, "gt": np.greater, "gte": np.greater_equal}
    if op not in compare:
        raise ConfigurationError(f"unknown operator {op!r}: use lt, lte, gt or gte")
    present = values.notna()
    good = compare[op](values.fillna(0).to_numpy(), threshold) & present.to_numpy()
    return pd.DataFrame(
        {"good": good.astype(float), "total": present.astype(float).to_numpy()}, index=values.index
    )


def ratio_slices(counts: pd.DataFrame, slice_target: float, step: Window) -> pd.DataFrame:
    """Return time-slice counts from event counts: a slice is good when its good ratio ≥ target.

    Slices without traffic are no data.
    """
    grouped = counts.resample(clock.to_duration(step, "step"), label="left", closed="left").sum()
    present = grouped.total > 0
    ratio = grouped.good / grouped.total.where(present)
    good = (ratio >= slice_target) & present
    return pd.DataFrame(
        {"good": good.astype(float), "total": present.astype(float)}, index=grouped.index
    )


def window_bounds(
    as_of: pd.Timestamp,
    *,
    duration: pd.Timedelta | None,
    rolling: bool,
    months: int = 0,
    anchor: dt.datetime | None = None,
    zone: str = "UTC",
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the SLO period that ``as_of`` falls in: ``[start, end)`` in UTC.

    A rolling window ends at ``as_of``. A calendar window starts at the latest period boundary
    counted from ``anchor`` (in its time zone) and runs a full period, which may end after
    ``as_of``: the budget is that of the whole period.

    Examples
    --------
    >>> as_of = pd.Timestamp("2026-11-15", tz="UTC")
    >>> window_bounds(as_of, duration=None, rolling=False, months=1,
    ...               anchor=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    (Timestamp('2026-11-01 00:00:00+0000', tz='UTC'), Timestamp('2026-12-01 00:00:00+0000', tz='UTC'))
    """
    as_of = pd.Timestamp(as_of).tz_convert("UTC")
    if rolling:
        return as_of - duration, as_of
    if anchor is None:
        raise ConfigurationError("a calendar window needs a start time")
    local = as_of.tz_convert(ZoneInfo(zone))
    start = pd.Timestamp(anchor).tz_convert(ZoneInfo(zone))
    if months:
        elapsed = (local.year - start.year) * 12 + local.month - start.month
        index = elapsed // months
        first = start + pd.DateOffset(months=index * months)
        if first > local:
            index -= 1
            first = start + pd.DateOffset(months=index * months)
        last = start + pd.DateOffset(months=(index + 1) * months)
    else:
        index = (local - start) // duration
        first = start + index * duration
        last = first + duration
    return first.tz_convert("UTC"), last.tz_convert("UTC")


def burn_down(
    counts: pd.DataFrame, target: float, *, budget_events: float | None = None
) -> pd.DataFrame:
    """Return the budget remaining (share) after each row, from the start of ``counts``.

    The budget in events is ``(1 - target) × Σtotal`` over the frame, unless ``budget_events``
    is given (time slices: the period's slices × (1 - target)). Columns: ``timestamp``,
    ``bad``, ``consumed``, ``remaining``.
    """
    bad = (counts.total - counts.good).cumsum()
    budget = budget_events if budget_events is not None else (1 - target) * counts.total.sum()
    consumed = bad / budget if budget > 0 else pd.Series(np.nan, index=counts.index)
    return pd.DataFrame(
        {
            "timestamp": counts.index + _step(counts),
            "bad": bad.to_numpy(),
            "consumed": consumed.to_numpy(),
            "remaining": 1 - consumed.to_numpy(),
        }
    )


def low_traffic_share(target: float, events_in_period: float) -> float:
    """Return the share of the period's budget one bad event consumes (inf without traffic).

    Workbook: 10 requests/h over 30 days at 99.9% → one failure uses 13.9% of the budget.

    Examples
    --------
    >>> round(low_traffic_share(0.999, 10 * 24 * 30), 3)
    0.139
    """
    budget = (1 - target) * events_in_period
    return 1 / budget if budget > 0 else math.inf


def _check_target(target: float) -> None:
    if not 0 < target < 1:
        raise ConfigurationError(f"SLO target {target!r} must lie strictly between 0 and 1")


def _step(counts: pd.DataFrame) -> pd.Timedelta:
    if len(counts.index) < 2:
        freq = getattr(counts.index, "freq", None)
        return pd.Timedelta(freq) if freq is not None else pd.Timedelta(minutes=1)
    return pd.Timedelta(counts.index[1] - counts.index[0])


def _steps(counts: pd.DataFrame, window: Window) -> int:
    step = _step(counts)
    window = clock.to_duration(window, "window")
    if window < step or window % step:
        raise ConfigurationError(f"window {window} is not a whole number of {step} rows")
    return int(window // step)


def _trailing_sum(values: np.ndarray, steps: int) -> np.ndarray:
    cumulative = np.concatenate([[0.0], np.cumsum(values, dtype=float)])
    head = np.zeros(min(steps - 1, len(values)))
    lagged = np.concatenate([head, cumulative[: max(len(values) - steps + 1, 0)]])
    sums = cumulative[1:] - lagged[: len(values)]
    # Cancel rounding left by cumulative sums so an all-good window reads exactly zero.
    sums[np.abs(sums) < 1e-9 * max(1.0, abs(cumulative[-1]))] = 0.0
    return sums
