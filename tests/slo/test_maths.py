"""SLO arithmetic: properties of burn rates and budgets, and the SRE Workbook's worked numbers."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opsbook.errors import ConfigurationError
from opsbook.slo import maths

START = pd.Timestamp("2026-11-01", tz="UTC")


def _constant(minutes: int, per_minute: float, ratio: float) -> pd.DataFrame:
    index = pd.date_range(START, periods=minutes, freq="1min")
    total = np.full(minutes, per_minute)
    return pd.DataFrame({"good": total * (1 - ratio), "total": total}, index=index)


@settings(max_examples=40, deadline=None)
@given(
    ratio=st.floats(0, 1),
    target=st.floats(0.9, 0.99999),
    per_minute=st.floats(1, 1e6),
    window=st.sampled_from(["5min", "30min", "1h", "6h"]),
)
def test_constant_error_ratio_burns_ratio_over_budget_on_every_window(
    ratio: float, target: float, per_minute: float, window: str
) -> None:
    counts = _constant(600, per_minute, ratio)
    burn = maths.rolling_burn(counts, window, target).to_numpy()
    assert np.allclose(burn, ratio / (1 - target), rtol=1e-6, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(burn=st.floats(0, 1000), hours=st.integers(1, 72), days=st.sampled_from([7, 28, 30]))
def test_budget_consumed_is_burn_times_window_over_period(
    burn: float, hours: int, days: int
) -> None:
    consumed = maths.budget_consumed(burn, pd.Timedelta(hours=hours), pd.Timedelta(days=days))
    assert consumed == pytest.approx(burn * hours / (24 * days))
    left = maths.time_to_exhaustion(1.0, burn, pd.Timedelta(days=days))
    if left is not None:
        assert maths.budget_consumed(burn, left, pd.Timedelta(days=days)) == pytest.approx(1.0)
    else:
        assert burn * 100 * 365.25 < days * (1 + 1e-9)  # never, or beyond a century


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 1000)), min_size=2, max_size=50))
def test_sli_is_a_ratio_of_sums_not_an_average_of_ratios(pairs: list[tuple[int, int]]) -> None:
    totals = np.array([max(a, b) for a, b in pairs], dtype=float)
    goods = np.array([min(a, b) for a, b in pairs], dtype=float)
    index = pd.date_range(START, periods=len(pairs), freq="1min")
    counts = pd.DataFrame({"good": goods, "total": totals}, index=index)
    burn = maths.rolling_burn(counts, f"{len(pairs)}min", 0.99).iloc[-1]
    if totals.sum() == 0:
        assert math.isnan(burn)
    else:
        assert burn == pytest.approx((1 - goods.sum() / totals.sum()) / 0.01)


def test_workbook_thresholds_are_derived_from_the_period() -> None:
    thirty = maths.derive_thresholds(maths.DEFAULT_TIERS, pd.Timedelta(days=30))
    assert [round(t.threshold, 2) for t in thirty] == [14.4, 6.0, 1.0]
    four_weeks = maths.derive_thresholds(maths.DEFAULT_TIERS, pd.Timedelta(days=28))
    assert [round(t.threshold, 2) for t in four_weeks] == [13.44, 5.6, 0.93]
    # Raw error-ratio thresholds at 99.9%: 1.44%, 0.6%, 0.1%.
    assert [round(t.threshold * 0.001, 5) for t in thirty] == [0.0144, 0.006, 0.001]


@pytest.mark.parametrize(
    ("burn", "ratio", "days"),
    [(1, 0.001, 30), (2, 0.002, 15), (10, 0.01, 3), (1000, 1.0, 43.2 / 1440)],
)
def test_workbook_table_5_4_time_to_exhaust_the_budget(
    burn: float, ratio: float, days: float
) -> None:
    assert maths.burn_rate(ratio * 1000, 1000, 0.999) == pytest.approx(burn)
    left = maths.time_to_exhaustion(1.0, burn, pd.Timedelta(days=30))
    assert left / pd.Timedelta(days=1) == pytest.approx(days)


def test_workbook_worked_examples() -> None:
    # A total outage trips the 1h/14.4 page after ~52 s; the alert then consumed 2% of 30 days.
    assert maths.time_to_fire(0.999, 1.0, "1h", 14.4).total_seconds() == pytest.approx(51.84)
    assert maths.budget_consumed(14.4, "1h", "30D") == pytest.approx(0.02)
    # Low traffic: 10 req/h, one failure uses 13.9% of a 30-day 99.9% budget (burn 100 for 1h).
    assert maths.low_traffic_share(0.999, 10 * 24 * 30) == pytest.approx(0.1389, abs=1e-4)
    assert maths.burn_rate(1, 10, 0.999) == pytest.approx(100)
    # 99.9% over 30 days of full outage = 43.2 minutes.
    assert 0.001 * 30 * 1440 == pytest.approx(43.2)


def test_alert_fires_only_when_both_windows_exceed_and_resets_on_the_short_window() -> None:
    counts = _constant(24 * 60, 100.0, 0.0)
    outage = slice(600, 630)  # 30 minutes of total failure
    counts.iloc[outage, counts.columns.get_loc("good")] = 0.0
    timeline = maths.alert_timeline(counts, 0.999, "30D")
    fast = timeline.loc[timeline.tier == "fast"].set_index("timestamp")
    at = START + pd.Timedelta(minutes=600)
    assert fast.firing.loc[at + pd.Timedelta(minutes=1)]  # fires within a minute of the outage
    assert fast.firing.loc[at + pd.Timedelta(minutes=30)]
    # 10 minutes after recovery: the 1h window still burns above 14.4, the 5m one is clean.
    later = fast.loc[at + pd.Timedelta(minutes=40)]
    assert later.long_burn > 14.4 and later.short_burn == 0 and not later.firing
    assert not fast.firing.loc[at + pd.Timedelta(minutes=36) :].any()


def test_zero_traffic_is_no_data_not_nan_division() -> None:
    counts = _constant(120, 0.0, 0.0)
    assert math.isnan(maths.sli(0, 0)) and math.isnan(maths.burn_rate(0, 0, 0.99))
    timeline = maths.alert_timeline(counts, 0.999, "30D")
    assert timeline.long_burn.isna().all() and not timeline.firing.any()
    assert maths.low_traffic_share(0.999, 0) == math.inf
    assert maths.time_to_exhaustion(float("nan"), 1.0, "30D") is None


def test_time_slices_count_minutes_with_data() -> None:
    index = pd.date_range(START, periods=4, freq="1min")
    values = pd.Series([0.2, 0.6, np.nan, 0.5], index=index)
    assert maths.slice_counts(values, "lt", 0.5).to_numpy().tolist() == [
        [1, 1],
        [0, 1],
        [0, 0],
        [0, 1],
    ]
    assert maths.slice_counts(values, "lte", 0.5).good.tolist() == [1, 0, 0, 1]
    events = pd.DataFrame({"good": [99.0, 90, 0, 0, 0], "total": [100.0, 100, 0, 0, 0]},
                          index=pd.date_range(START, periods=5, freq="1min"))  # fmt: skip
    slices = maths.ratio_slices(events, 0.95, "1min")
    assert slices.good.tolist() == [1, 0, 0, 0, 0] and slices.total.tolist() == [1, 1, 0, 0, 0]


def test_calendar_and_rolling_windows() -> None:
    as_of = pd.Timestamp("2026-11-15 12:00", tz="UTC")
    assert maths.window_bounds(as_of, duration=pd.Timedelta(days=28), rolling=True) == (
        pd.Timestamp("2026-10-18 12:00", tz="UTC"), as_of,
    )  # fmt: skip
    paris = dt.datetime(2026, 1, 1)
    start, end = maths.window_bounds(
        as_of, duration=None, rolling=False, months=1,
        anchor=paris.replace(tzinfo=__import__("zoneinfo").ZoneInfo("Europe/Paris")), zone="Europe/Paris",
    )  # fmt: skip
    assert (start, end) == (
        pd.Timestamp("2026-10-31 23:00", tz="UTC"),
        pd.Timestamp("2026-11-30 23:00", tz="UTC"),
    )
    quarter = maths.window_bounds(as_of, duration=None, rolling=False, months=3,
                                  anchor=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    assert quarter[0] == pd.Timestamp("2026-10-01", tz="UTC")
    week = maths.window_bounds(as_of, duration=pd.Timedelta(weeks=1), rolling=False,
                               anchor=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))  # fmt: skip
    assert week == (pd.Timestamp("2026-11-09", tz="UTC"), pd.Timestamp("2026-11-16", tz="UTC"))


def test_burn_down_ends_at_the_remaining_budget() -> None:
    counts = _constant(100, 1000.0, 0.0005)
    frame = maths.burn_down(counts, 0.999)
    assert frame.remaining.iloc[-1] == pytest.approx(0.5)
    assert frame.remaining.is_monotonic_decreasing


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ConfigurationError, match="target"):
        maths.burn_rate(1, 10, 1.0)
    bad = pd.DataFrame({"good": [11.0], "total": [10.0]}, index=pd.DatetimeIndex([START]))
    with pytest.raises(ConfigurationError, match="between 0 and total"):
        maths.normalise_counts(bad, START, START + pd.Timedelta(minutes=1))
    with pytest.raises(ConfigurationError, match="shorter"):
        maths.derive_thresholds(
            [maths.Tier("x", "page", 0.1, pd.Timedelta("5min"), pd.Timedelta("1h"))], "30D"
        )
