"""The provisioned and commitment checks on the sample: planted cases found, near-misses ignored.

Log groups that never expire, DynamoDB capacity and provisioned IOPS (:mod:`opsbook.sample.cur.provisioned`),
a Compute Savings Plan sized from the hourly on-demand spend, and commitments about to expire;
every dollar reconciled with the CUR's own line items.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from opsbook import cost
from opsbook.cost.opportunities import Thresholds
from opsbook.errors import ConfigurationError
from opsbook.sample import org
from opsbook.sample.cur.provisioned import LOG_NEAR_MISS, PROVISIONED, by_key
from opsbook.settings import resolve

MONTH, END = "2026-10", "2026-11-15"
HOURS = 31 * 24
NEW = ("log_retention", "dynamodb_capacity", "provisioned_iops", "savings_plan",
       "expiring_commitment")  # fmt: skip


@pytest.fixture(scope="module")
def review(sample_dir: Path) -> cost.opportunities.OpportunityReview:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    return cost.review_opportunities(MONTH, end=END, basis="unblended",
                                     logs_account=org.SHOP_PROD.id, settings=settings)  # fmt: skip


@pytest.fixture(scope="module")
def cur(sample_dir: Path):
    def query(sql: str) -> pd.DataFrame:
        source = f"read_parquet('{sample_dir}/cur/**/*.parquet', hive_partitioning = true)"
        return duckdb.sql(sql.format(cur=source, month=MONTH)).df()

    return query


def _rows(review, check: str) -> pd.DataFrame:
    return review.found[review.found["check"] == check].set_index("resource_id")


@pytest.mark.parametrize("planted", PROVISIONED, ids=[p.key for p in PROVISIONED])
def test_each_check_finds_its_planted_resource_and_ignores_its_near_miss(review, planted) -> None:
    flagged = set(_rows(review, planted.check).index)
    assert (planted.resource_id in flagged) == (planted.expect == "flag"), planted.key


def test_every_new_check_ran_with_both_cases(review) -> None:
    assert (review.sections["status"] == "ok").all(), review.sections
    for check in {p.check for p in PROVISIONED} - {"log_retention"}:  # its near-miss: LOG_NEAR_MISS
        assert {p.expect for p in PROVISIONED if p.check == check} == {"flag", "ignore"}, check
    assert set(NEW) <= set(review.by_check["check"])


def test_log_groups_that_never_expire(review) -> None:
    rows = _rows(review, "log_retention")
    assert LOG_NEAR_MISS not in rows.index, "never expires, but holds under 90 days of its logs"
    retired = rows.loc[by_key("logs-never-expire").resource_id]
    assert retired["monthly_cost"] == pytest.approx(3500 * 0.03)
    assert retired["estimated_saving"] == pytest.approx(3500 * 0.03), "nothing ingested lately"
    assert "never expires; created 700 days ago" in retired["evidence"]
    assert set(rows.index) <= {by_key("logs-never-expire").resource_id}, "only groups described"


def test_provisioned_capacity_is_priced_from_the_cur(review) -> None:
    table = _rows(review, "dynamodb_capacity").loc[by_key("table-overprovisioned").resource_id]
    assert table["monthly_cost"] == pytest.approx(HOURS * (2000 * 0.00013 + 500 * 0.00065))
    read, write = np.ceil(150 * 1.3), np.ceil(40 * 1.3)  # busiest hour + 30% headroom
    expected = HOURS * (0.00013 * (2000 - read) + 0.00065 * (500 - write))
    assert table["estimated_saving"] == pytest.approx(expected)
    assert "read capacity to 195" in table["action"]
    iops = _rows(review, "provisioned_iops")
    io1 = iops.loc[by_key("io1-overprovisioned").resource_id]
    assert io1["monthly_cost"] == pytest.approx(10_000 * 0.065)
    assert io1["estimated_saving"] == pytest.approx((10_000 - np.ceil(800 * 1.3)) * 0.065)
    gp3 = iops.loc[by_key("gp3-extra-iops").resource_id]
    assert gp3["estimated_saving"] == pytest.approx(13_000 * 0.005), "down to the free 3,000"
    assert "gp3 includes 3,000" in gp3["pricing_basis"]


def test_rows_reconcile_with_the_cur_line_items(review, cur) -> None:
    lines = cur("SELECT line_item_resource_id AS resource_id, line_item_usage_type AS usage_type, "
                "sum(line_item_unblended_cost) AS cost FROM {cur} WHERE billing_period = "
                "'{month}' AND line_item_line_item_type = 'Usage' GROUP BY ALL")  # fmt: skip
    priced = {"log_retention": r"TimedStorage-ByteHrs$", "dynamodb_capacity": r"CapacityUnit-Hrs$",
              "provisioned_iops": r"EBS:VolumeP-IOPS\."}  # fmt: skip
    found = review.found[review.found["check"].isin(priced)]
    assert len(found) >= 4
    for row in found.itertuples():
        mine = lines[(lines["resource_id"] == row.resource_id)
                     & lines["usage_type"].str.contains(priced[row.check])]  # fmt: skip
        assert row.monthly_cost == pytest.approx(mine["cost"].sum(), abs=0.005), row
        assert 0 < row.estimated_saving <= row.monthly_cost + 1e-9, row


def test_savings_plan_is_sized_from_the_hourly_on_demand_spend(review, cur) -> None:
    daily = cur(
        "SELECT line_item_usage_account_id AS account_id, line_item_usage_start_date AS day, "
        "sum(pricing_public_on_demand_cost) AS public, sum(line_item_unblended_cost) AS cost "
        "FROM {cur} WHERE billing_period = '{month}' AND line_item_line_item_type = 'Usage' "
        "AND line_item_usage_type NOT LIKE '%Spot%' AND (line_item_usage_type LIKE '%BoxUsage%' "
        "OR line_item_usage_type LIKE '%Fargate%' OR line_item_usage_type LIKE "
        "'%Lambda-GB-Second%') GROUP BY ALL"
    )  # the sample's CUR is daily: each day's spend is a 24th in each of its hours
    plans = _rows(review, "savings_plan")
    for account, spend in daily.groupby("account_id"):
        hourly = np.repeat(spend.set_index("day")["public"].reindex(
            pd.date_range("2026-10-01", periods=31), fill_value=0.0).to_numpy() / 24, 24)  # fmt: skip
        covered = np.percentile(hourly, 10)
        resource = f"compute-savings-plan/{account}"
        if covered * 0.8 < 0.1:
            assert resource not in plans.index, account
            continue
        row = plans.loc[resource]
        assert row["monthly_cost"] == pytest.approx(spend["cost"].sum(), abs=0.005)
        saving = (np.minimum(hourly, covered) - covered * 0.8).sum()
        assert row["estimated_saving"] == pytest.approx(saving)
        assert f"${covered * 0.8:,.2f}/h" in row["action"]
    ml = next(a.id for a in org.ACCOUNTS if a.name == "ml-research")
    assert f"compute-savings-plan/{ml}" not in plans.index, "training runs some days only: p10 $0"
    assert f"compute-savings-plan/{org.SHOP_PROD.id}" in plans.index
    shop = plans.loc[f"compute-savings-plan/{org.SHOP_PROD.id}"]
    assert shop["aws_action"] == "PurchaseSavingsPlans", "Cost Explorer's estimate beside ours"


def test_expiring_commitments_are_at_stake_not_counted(review, cur) -> None:
    terms = cur(
        "SELECT coalesce(nullif(savings_plan_savings_plan_a_r_n, ''), "
        "reservation_reservation_a_r_n) AS arn, max(coalesce(nullif(savings_plan_end_time, ''), "
        "reservation_end_time)) AS end_time, sum(CASE line_item_line_item_type WHEN 'RIFee' THEN "
        "line_item_unblended_cost + coalesce(reservation_amortized_upfront_fee_for_billing_period,"
        " 0) ELSE coalesce(savings_plan_total_commitment_to_date, 0) END) AS cost FROM {cur} "
        "WHERE billing_period = '{month}' AND line_item_line_item_type IN ('RIFee', "
        "'SavingsPlanRecurringFee') GROUP BY ALL"
    ).set_index("arn")
    ends = pd.to_datetime(terms["end_time"]).dt.tz_localize(None)
    soon = set(terms.index[(ends - pd.Timestamp(END)).dt.days.between(0, 90)])
    rows = _rows(review, "expiring_commitment")
    assert set(rows.index) == soon and len(soon) == 1, "the EC2 RI; the SP and RDS RI end later"
    for arn, row in rows.iterrows():
        assert row["monthly_cost"] == pytest.approx(terms.loc[arn, "cost"], abs=0.005)
        assert row["estimated_saving"] > 0 and not row["counted"]
        assert row["account_id"] == org.SHOP_PROD.id and "renew" in row["action"]
    by_check = review.by_check.set_index("check")
    assert by_check.loc["expiring_commitment", "saving"] == 0
    assert by_check.loc["expiring_commitment", "saving_if_alone"] > 0


def test_thresholds_are_bounded() -> None:
    with pytest.raises(ConfigurationError, match="sp_percentile"):
        Thresholds(sp_percentile=150)
    with pytest.raises(ConfigurationError, match="capacity_max_used_share"):
        Thresholds(capacity_max_used_share=2)
    assert Thresholds(expiring_days=30).expiring_days == 30


def test_a_month_without_metrics_leaves_the_capacity_checks_not_evaluated(sample_dir: Path) -> None:
    """The sample's metrics end 2026-11-15: a later window has none (the bug: a TypeError)."""
    later = cost.review_opportunities("2026-11", end="2026-12-05", basis="unblended",
                                      settings=resolve(data_dir=str(sample_dir)))  # fmt: skip
    by_check = later.by_check.set_index("check")
    sections = later.sections.set_index("section")
    for check in ("provisioned_iops", "dynamodb_capacity"):
        assert sections.loc[check, "status"] == "ok", sections.loc[check, "reason"]
        assert by_check.loc[check, "resources"] == 0
        assert by_check.loc[check, "not_evaluated"] > 0, "never read as nothing to save"
