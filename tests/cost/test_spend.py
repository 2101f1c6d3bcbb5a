"""opsbook.cost on the sample org: totals reconcile with direct DuckDB sums; movers and anomalies."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from opsbook.cost import (
    allocation,
    anomalies,
    commitments,
    forecast,
    movers,
    review,
    spend,
    storage,
)
from opsbook.errors import ConfigurationError, NoDataError
from opsbook.settings import resolve


@pytest.fixture(scope="module")
def settings(sample_dir: Path):
    return resolve(backend="local", data_dir=str(sample_dir), cache_dir="off")


@pytest.fixture(scope="module")
def facts(sample_dir: Path) -> dict:
    return json.loads((sample_dir / "sample.json").read_text())["cur"]


def _direct(sample_dir: Path, month: str, expression: str) -> float:
    files = str(sample_dir / "cur" / "*" / "data" / f"BILLING_PERIOD={month}" / "*.parquet")
    with duckdb.connect() as con:
        return con.execute(f"SELECT sum({expression}) FROM read_parquet(?)", [files]).fetchall()[0][
            0
        ]


@pytest.mark.parametrize("dimension", ["service", "account", "region", "usage_type", "charge_type"])
def test_every_dimension_reconciles_with_a_direct_sum(sample_dir, settings, dimension) -> None:
    frame = spend.spend_by(dimension, "2026-09", basis="unblended", settings=settings)
    assert frame["cost"].sum() == pytest.approx(
        _direct(sample_dir, "2026-09", "line_item_unblended_cost"), abs=0.01
    )


def test_monthly_totals_match_the_sample_and_the_amortized_identity(sample_dir, settings, facts):
    for month, total in facts["total_unblended_by_period"].items():
        assert spend.monthly_total(month, basis="unblended", settings=settings) == pytest.approx(
            total, abs=0.01
        )
    amortized = spend.monthly_total("2026-10", basis="amortized", settings=settings)
    fragment = (
        "CASE WHEN line_item_line_item_type IN ('SavingsPlanNegation','SavingsPlanUpfrontFee') "
        "THEN 0 WHEN line_item_line_item_type = 'SavingsPlanCoveredUsage' "
        "THEN savings_plan_savings_plan_effective_cost "
        "WHEN line_item_line_item_type = 'DiscountedUsage' THEN reservation_effective_cost "
        "WHEN line_item_line_item_type = 'RIFee' THEN reservation_unused_amortized_upfront_fee_for_billing_period + reservation_unused_recurring_fee "
        "WHEN line_item_line_item_type = 'SavingsPlanRecurringFee' THEN savings_plan_total_commitment_to_date - savings_plan_used_commitment "
        "WHEN line_item_line_item_type = 'Fee' AND coalesce(reservation_reservation_a_r_n, '') <> '' THEN 0 "
        "ELSE line_item_unblended_cost END"
    )
    assert amortized == pytest.approx(_direct(sample_dir, "2026-10", fragment), abs=0.01)


def test_tag_view_sums_to_the_total_and_accounts_filter(settings) -> None:
    total = spend.monthly_total("2026-10", settings=settings)
    by_app = spend.spend_by("tag", "2026-10", key="user_app", settings=settings)
    assert by_app["cost"].sum() == pytest.approx(total, abs=0.01)
    assert spend.UNTAGGED in set(by_app["tag_value"])
    one = spend.spend_by("account", "2026-10", accounts="445566778899", settings=settings)
    assert one["account_name"].tolist() == ["data-platform"]


def test_bad_input_and_no_data(settings) -> None:
    with pytest.raises(ConfigurationError, match="cost basis"):
        spend.spend_by("service", "2026-10", basis="blended", settings=settings)
    with pytest.raises(ConfigurationError, match="12-digit"):
        spend.spend_by("service", "2026-10", accounts="shop-prod", settings=settings)
    with pytest.raises(ConfigurationError, match="dimension"):
        spend.spend_by("colour", "2026-10", settings=settings)
    with pytest.raises(NoDataError, match="2027-01"):
        spend.monthly_total("2027-01", settings=settings)
    with pytest.raises(NoDataError):
        spend.monthly_total("2026-10", accounts="999999999999", settings=settings)
    empty = review.review_month("2027-01", settings=settings)
    assert "no CUR line items" in empty.findings()[0] and empty.total == 0


def test_unknown_line_item_types_are_counted_and_reported() -> None:
    frame = pd.DataFrame(
        {"billing_period": ["2026-10"] * 3, "charge_type": ["Usage", "Tax", "FutureCharge"],
         "cost": [10.0, 1.0, 2.5]}
    )  # fmt: skip
    unknown = spend.unknown_line_item_types(frame)
    assert unknown.to_dict("records") == [{"charge_type": "FutureCharge", "cost": 2.5}]


def test_top_mover_is_opensearch_in_data_platform(settings, facts) -> None:
    top = movers.top_movers("2026-10", top=3, settings=settings)  # amortized: no upfront fees
    first = top.iloc[0]
    assert (first["account_name"], first["service"]) == ("data-platform", "AmazonES")
    mover = facts["mover"]
    assert first["previous_cost"] == pytest.approx(mover["previous_cost_usd"], rel=0.1)
    assert first["cost"] == pytest.approx(mover["new_cost_usd"], rel=0.1)
    assert top.attrs["days_compared"] == 31 and not top.attrs["partial"]


def test_partial_month_compares_the_same_days(settings) -> None:
    partial = movers.top_movers("2026-11", top=50, settings=settings)
    assert partial.attrs["partial"] and partial.attrs["days_compared"] == 14
    daily = spend.spend_by("account_service", "2026-10", grain="day", settings=settings)
    first_days = daily[pd.to_datetime(daily["usage_day"]).dt.day <= 14]["cost"].sum()
    monthly = spend.spend_by("account_service", "2026-10", postings="monthly", settings=settings)
    whole = movers.top_movers("2026-11", top=10_000, settings=settings)
    # the charges AWS posts once for October (tax, support fee, RI fees, credit) are set apart
    assert monthly["cost"].sum() > 10_000
    assert whole["previous_cost"].sum() == pytest.approx(
        first_days - monthly["cost"].sum(), abs=0.01
    )
    november = spend.spend_by("account_service", "2026-11", postings="monthly", settings=settings)
    assert whole.attrs["monthly_postings"] == pytest.approx(
        {"2026-10": monthly["cost"].sum(), "2026-11": november["cost"].sum()}
    )
    assert "posted so far in 2026-11" in whole.attrs["note"]
    # was -$3,237: October's whole support fee against November's fee accrued to date
    assert "AWSSupportBusiness" not in set(whole["service"])
    closed = movers.top_movers("2026-10", top=10_000, settings=settings)
    assert "monthly_postings" not in closed.attrs  # a closed month counts every charge
    assert closed["cost"].sum() == pytest.approx(
        spend.monthly_total("2026-10", settings=settings), abs=0.01
    )


def test_anomaly_detection_finds_the_nat_gateway_spike_and_nothing_weekly(settings, facts):
    found = anomalies.review_anomalies("2026-10-16", "2026-11-15", settings=settings)
    injected = facts["anomaly"]
    assert len(found.anomalies) == 1, found.anomalies
    top = found.anomalies.iloc[0]
    assert (top["account_id"], top["service"]) == (injected["account_id"], injected["product_code"])
    assert f"{top['start_day']:%Y-%m-%d}" == injected["day"] == f"{top['end_day']:%Y-%m-%d}"
    assert top["total_impact"] == pytest.approx(injected["extra_cost_usd"], rel=0.05)
    cause = found.root_causes[found.root_causes["anomaly_id"] == top["anomaly_id"]].iloc[0]
    assert cause["usage_type"] == injected["usage_type"]
    assert cause["contribution"] == pytest.approx(injected["extra_cost_usd"], rel=0.05)
    weekends = found.daily[pd.to_datetime(found.daily["usage_day"]).dt.day_of_week >= 5]
    assert not weekends["anomalous"].any()
    assert "NatGateway" in found.findings()[0]


def test_weekly_pattern_alone_is_expected() -> None:
    days = pd.date_range("2026-09-01", periods=70, freq="D")
    values = pd.Series([100.0 if d.weekday() < 5 else 30.0 for d in days], index=days)
    frame = anomalies.expected_by_weekday(values).dropna()
    assert (frame["actual"] - frame["expected"]).abs().max() == 0


def test_commitments_storage_allocation_forecast(settings, facts) -> None:
    summary = commitments.commitment_summary("2026-10", settings=settings)
    plan = summary.set_index("commitment_arn").loc[facts["savings_plan"]["arn"]]
    assert plan["commitment_cost"] == pytest.approx(
        facts["savings_plan"]["hourly_commitment_usd"] * 744, abs=0.5
    )
    assert summary["utilisation"].between(0, 1).all() and (summary["savings"] > 0).all()
    expiring = commitments.expiring_commitments(summary, "2026-11-15")
    ec2 = next(r for r in facts["reservations"] if r["product_code"] == "AmazonEC2")
    assert expiring["commitment_arn"].tolist() == [ec2["arn"]]
    assert expiring["within_days"].tolist() == [30]
    covered = commitments.coverage("2026-10", settings=settings).set_index("service")
    assert 0 < covered.loc["AmazonEC2", "coverage"] < 1
    transfer = storage.data_transfer("2026-10", basis="unblended", settings=settings)
    assert {"NAT gateway", "inter-AZ", "inter-region", "internet out"} <= set(
        transfer["transfer_type"]
    )
    classes = storage.s3_storage_classes("2026-10", settings=settings)
    assert classes["share"].sum() == pytest.approx(1)
    compliance = allocation.tag_compliance("2026-10", settings=settings).set_index("tag")
    assert compliance["share"].between(0.5, 0.95).all()
    fc = forecast.forecast_month_end("2026-11", settings=settings).iloc[0]
    assert fc["low"] <= fc["forecast"] <= fc["high"] and fc["forecast"] > fc["actual_to_date"]
    closed = forecast.forecast_month_end("2026-10", basis="unblended", settings=settings).iloc[0]
    assert closed["forecast"] == pytest.approx(
        facts["total_unblended_by_period"]["2026-10"], abs=0.01
    )


@pytest.mark.parametrize("basis", ["unblended", "amortized", "net_amortized", "public"])
def test_storage_and_transfer_read_the_basis_asked_for(sample_dir, settings, basis) -> None:
    # Each basis is its own column: public on-demand is not amortized cost under another name.
    classes = storage.s3_storage_classes("2026-10", basis=basis, settings=settings)
    transfer = storage.data_transfer("2026-10", basis=basis, settings=settings)
    files = str(sample_dir / "cur" / "*" / "data" / "BILLING_PERIOD=2026-10" / "*.parquet")
    columns = {"unblended": "line_item_unblended_cost", "public": "pricing_public_on_demand_cost"}
    if basis in columns:  # the bases a CUR holds as one column, summed by hand
        with duckdb.connect() as con:
            expected = con.execute(
                f"SELECT sum({columns[basis]}) FROM read_parquet(?) WHERE "
                "line_item_product_code = 'AmazonS3' AND line_item_usage_type LIKE '%TimedStorage%' "
                "AND line_item_line_item_type = 'Usage'",
                [files],
            ).fetchone()[0]
        assert classes["cost"].sum() == pytest.approx(expected, abs=0.01)
    rows = storage.run_cur_query(
        "cur/data_transfer", {"start_period": "2026-10", "end_period": "2026-10", "accounts": ""},
        settings=settings,
    )  # fmt: skip
    assert transfer["cost"].sum() == pytest.approx(rows[f"{basis}_cost"].sum(), abs=0.01)


def test_unit_cost_is_cost_over_requests_on_a_hand_checked_day(sample_dir, settings) -> None:
    from opsbook import metrics
    from opsbook.cost import unit_cost

    frame = unit_cost.unit_costs("2026-10-14", "2026-11-17", basis="unblended", settings=settings)
    day = frame.set_index("date").loc[pd.Timestamp("2026-10-20")]
    files = str(sample_dir / "cur" / "*" / "data" / "BILLING_PERIOD=2026-10" / "*.parquet")
    with duckdb.connect() as con:
        cost = con.execute(
            "SELECT sum(line_item_unblended_cost) FROM read_parquet(?) WHERE "
            "resource_tags['user_app'] = 'catalog-api' "
            "AND CAST(line_item_usage_start_date AS DATE) = DATE '2026-10-20'",
            [files],
        ).fetchall()[0][0]
    # Requests summed from hourly datapoints: a different aggregation path than the daily one.
    hourly = metrics.get([unit_cost.DEFAULT_SERIES], "2026-10-20", "2026-10-21", 3600,
                         settings=settings)  # fmt: skip
    assert day["cost"] == pytest.approx(cost, abs=0.01)
    assert day["requests"] == pytest.approx(hourly["value"].sum())
    assert day["cost_per_unit"] == pytest.approx(cost / hourly["value"].sum() * 1_000_000)
    assert day["status"] == "ok"
    # Outside the metrics (before 10-16) and the CUR (from 11-15): no unit cost, and why.
    by_day = frame.set_index("date")["status"]
    assert by_day[pd.Timestamp("2026-10-15")] == "no request data"
    assert by_day[pd.Timestamp("2026-11-15")] == "no CUR data"
    assert frame["cost_per_unit"].isna().sum() == 4
    monthly = unit_cost.unit_costs("2026-10-01", "2026-11-01", grain="month", settings=settings)
    assert monthly["days"].tolist() == [16]  # only the days with both cost and requests
    with pytest.raises(ConfigurationError, match="stat=Sum"):
        unit_cost.unit_costs("2026-10-16", "2026-10-17", series="AWS/ApiGateway Count "
                            "ApiName=shop-public-api stat=Average", settings=settings)  # fmt: skip
    with pytest.raises(ConfigurationError, match="YYYY-MM-DD"):
        unit_cost.unit_costs("16/10/2026", "2026-10-17", settings=settings)


def test_unit_cost_zero_request_day_has_no_unit_cost(settings, monkeypatch) -> None:
    from opsbook import metrics
    from opsbook.cost import unit_cost

    real = metrics.get

    def with_a_silent_day(*args, **kwargs):
        frame = real(*args, **kwargs)
        silent = frame["timestamp"] == pd.Timestamp("2026-10-18", tz="UTC")
        return frame.assign(value=frame["value"].where(~silent, 0.0))

    monkeypatch.setattr(unit_cost.metrics, "get", with_a_silent_day)
    frame = unit_cost.unit_costs("2026-10-16", "2026-10-21", settings=settings)
    silent = frame.set_index("date").loc[pd.Timestamp("2026-10-18")]
    assert silent["requests"] == 0 and silent["status"] == "no requests"
    assert pd.isna(silent["cost_per_unit"]) and silent["cost"] > 0
    assert frame["cost_per_unit"].notna().sum() == 4
    assert not frame["cost_per_unit"].dropna().isin([float("inf")]).any()
    summary = unit_cost.summarise(frame)
    assert summary["periods_without"] == {"no requests": 1}
    ok = frame[frame["status"] == "ok"]
    assert summary["cost_per_unit"] == pytest.approx(
        ok["cost"].sum() / float(ok["requests"].sum()) * 1_000_000, rel=1e-6
    )
    assert any("no requests" in line for line in unit_cost.UnitCostReport(frame).findings())


def test_tag_compliance_follows_the_required_tags_setting(settings) -> None:
    default = allocation.tag_compliance("2026-10", settings=settings)
    assert default["tag"].tolist() == list(settings.required_tags)
    policy = settings.replace(required_tags="Owner,CostCenter")
    configured = allocation.tag_compliance("2026-10", settings=policy)
    assert configured["tag"].tolist() == ["Owner", "CostCenter"]
    assert configured["cur_key"].tolist() == ["user_owner", "user_cost_center"]
    given = allocation.tag_compliance("2026-10", required="App, Env", settings=policy)
    assert given["tag"].tolist() == ["App", "Env"]
    by_tag = default.set_index("tag")["tagged_cost"]
    assert given.set_index("tag")["tagged_cost"].to_dict() == pytest.approx(
        by_tag[["App", "Env"]].to_dict()
    )
    with pytest.raises(ConfigurationError, match="required_tags.*tag keys"):
        allocation.tag_compliance("2026-10", required=["App", "Env;Owner"], settings=settings)
    nobody = allocation.tag_compliance("2026-10", accounts="999999999999", settings=settings)
    empty = nobody.iloc[:0]
    report = allocation.AllocationReview("2026-10", "App", nobody, empty, empty)
    assert report.findings()[0].startswith("no CUR line items in billing period 2026-10")
    assert report.status() == "SKIPPED"
