"""No confident number from nothing: cost analyses say what is missing instead of $0 or 0%.

Each case asks the sample organisation (CUR 2026-08 to 2026-11-14) something it cannot fully
answer: a month it does not hold, a month with no month before it, a month it holds in part, a
tag key or value no line item carries, an anomaly window outside the CUR. The answer must say
which part is missing, and a number it still gives must be computed like for like (checked
against DuckDB over the Parquet files directly).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from opsbook import present
from opsbook.cost import (
    charts,
    forecast,
    review_allocation,
    review_anomalies,
    review_month,
    review_unit_cost,
)
from opsbook.present import FINDING, SKIPPED


def _unblended(sample_dir: Path, month: str, before_day: int = 32, by_the_day=False) -> float:
    """The month's unblended cost on usage days before ``before_day``, straight from Parquet.

    ``by_the_day`` leaves out the line items whose usage period is longer than a day.
    """
    files = str(sample_dir / "cur" / "*" / "data" / f"BILLING_PERIOD={month}" / "*.parquet")
    query = ("SELECT sum(line_item_unblended_cost) FROM read_parquet(?) "
             "WHERE day(line_item_usage_start_date) < ? AND (NOT ? OR "
             "line_item_usage_end_date - line_item_usage_start_date <= INTERVAL 24 HOUR)")  # fmt: skip
    return duckdb.execute(query, [files, before_day, by_the_day]).fetchone()[0]


def test_a_partial_month_is_compared_with_the_same_days_of_the_month_before(local, sample_dir):
    november = review_month("2026-11", basis="unblended", settings=local)
    figures = november.figures()
    assert figures["partial"] is True and figures["days_compared"] == 14
    assert figures["month_total"] == pytest.approx(_unblended(sample_dir, "2026-11"), abs=0.01)
    assert figures["previous_total"] == pytest.approx(
        _unblended(sample_dir, "2026-10", before_day=15, by_the_day=True), abs=0.01
    )
    monthly = _unblended(sample_dir, "2026-10") - _unblended(sample_dir, "2026-10", by_the_day=True)
    nov_monthly = figures["month_total"] - _unblended(sample_dir, "2026-11", by_the_day=True)
    assert 0 < nov_monthly < monthly  # the open month's fees are accrued to date
    assert figures["monthly_postings_left_out"] == pytest.approx(
        {"2026-10": monthly, "2026-11": nov_monthly}, abs=0.01
    )
    headline, note = november.findings()[:2]
    assert f"${monthly:,.0f} in 2026-10, ${nov_monthly:,.0f} posted so far in 2026-11" in note
    assert "over the 14 days the CUR has so far" in headline
    assert "vs 2026-10's first 14 days" in headline
    whole_october = _unblended(sample_dir, "2026-10")
    wrong = (figures["month_total"] - whole_october) / whole_october
    assert f"{wrong:+.1%}" not in headline, "never against the whole previous month"


def test_the_trend_chart_draws_a_partial_month_as_one(local):
    figure = charts.spend_stack(review_month("2026-11", settings=local).trend, "service")
    ticks = list(figure.data[0].x)
    assert ticks[:3] == ["2026-08", "2026-09", "2026-10"]
    assert ticks[3] == "2026-11 (so far: 14 of 30 days)"
    assert list(figure.data[0].marker.opacity) == [1.0, 1.0, 1.0, 0.45]


def test_a_closed_month_is_compared_with_the_whole_month_before(local, sample_dir):
    figures = review_month("2026-10", basis="unblended", settings=local).figures()
    assert figures["partial"] is False and figures["days_compared"] == 31
    assert figures["previous_total"] == pytest.approx(_unblended(sample_dir, "2026-09"), abs=0.01)


def test_the_first_month_has_no_change_and_says_why(local):
    august = review_month("2026-08", settings=local)
    assert august.figures()["previous_total"] is None
    assert august.movers.empty
    lines = august.findings()
    assert "%" not in lines[0] and "vs" not in lines[0]
    assert "no CUR line items in billing period 2026-07" in lines[1]
    assert not any(line.startswith("Mover:") for line in lines)
    chart = charts.movers_bar(august.movers)
    assert "2026-07" in chart.layout.annotations[0].text


def test_a_month_the_cur_does_not_hold_has_no_forecast_and_no_zero(local):
    for month in ("2027-03", "2026-05"):
        outlook = forecast.forecast_month_end(month, settings=local)
        figures = forecast.forecast_figures(outlook)
        assert figures["actual_to_date"] is None and figures["forecast"] is None
        shown = present.table(outlook)
        assert "$0.00" not in " ".join(shown.text.iloc[0])
        assert shown.text.iloc[0]["forecast"] == "— (no data)"
        assert f"The CUR has no usage day in {month}: nothing to forecast from." in shown.note


def test_a_tag_value_nothing_carries_gives_no_unit_cost_and_names_the_values(local):
    report = review_unit_cost("2026-10-16", "2026-11-15", tag_value="nope-app", settings=local)
    assert report.status() == SKIPPED
    assert report.frame["cost_per_unit"].isna().all()
    assert set(report.frame["status"]) == {"no tagged cost"}
    lines = report.findings()
    assert "$0.00" not in " ".join(lines)
    assert "no cost in the window carries App=nope-app" in lines[1] and "catalog-api" in lines[1]
    chart = charts.unit_cost_line(report.frame)
    assert "no tagged cost" in chart.layout.annotations[0].text


def test_a_tag_key_nothing_carries_is_named(local):
    report = review_unit_cost("2026-10-16", "2026-11-15", tag_key="Nokey", settings=local)
    assert report.status() == SKIPPED
    assert "no line item in the window carries the tag key 'Nokey'" in report.findings()[1]
    allocation = review_allocation("2026-10", tag="Nokey", required="App,Nokey", settings=local)
    nokey = allocation.findings()[0]
    assert nokey.startswith("Nokey: 0%") and "carries the key user_nokey" in nokey
    assert "user_app" in nokey, "the keys the CUR does hold are listed"
    assert not any("carries the key" in line for line in allocation.findings()[1:])
    assert "no line item carries the tag key" in present.table(allocation.by_value).note


def test_anomalies_outside_the_cur_are_skipped_not_clean(local):
    nothing = review_anomalies("2025-01-01", "2025-02-01", settings=local)
    assert nothing.status() == SKIPPED
    assert "no usage line items from 2025-01-01 to 2025-01-31" in nothing.findings()[0]
    chart = charts.anomaly_timeline(nothing.daily)
    assert "2025-01-01" in chart.layout.annotations[0].text


def test_anomaly_days_that_could_not_be_judged_are_counted(local):
    found = review_anomalies("2026-07-01", "2026-08-20", settings=local)
    lines = found.findings()
    assert lines[0] == "no cost anomaly passed the thresholds in the days judged"
    assert "31 day(s) of the window not judged, no CUR data: 2026-07-01 to 2026-07-31" in lines
    assert any(line.startswith("14 day(s) not judged, under two weeks") for line in lines)
    assert found.figures()["days_judged"] == 5
    whole = review_anomalies("2026-10-16", "2026-11-15", settings=local)
    assert whole.figures()["days_judged"] == 30 and whole.notes == []
    assert whole.status() == FINDING
