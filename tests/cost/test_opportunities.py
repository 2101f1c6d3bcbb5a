"""Savings opportunities on the sample: planted resources found, near-misses ignored, CUR-priced.

Every check finds its planted resource and ignores its near-miss; every dollar is the CUR's own
line items, reconciled row by row.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from opsbook import cost
from opsbook.cost.opportunities import Thresholds
from opsbook.errors import ConfigurationError
from opsbook.sample import org
from opsbook.sample.cur.opportunities import PLANTED, by_key
from opsbook.settings import resolve
from support.notebooks import records

pytestmark = pytest.mark.kernel  # one test runs the notebook
MONTH, END = "2026-10", "2026-11-15"
#: Check -> the usage types (regular expression) whose line items make its monthly cost.
PRICED = {
    "idle_nat": r"NatGateway-(?:Hours|Bytes)$",
    "idle_eip": r"IdleAddress$",
    "old_snapshot": r"EBS:SnapshotUsage",
    "gp2": r"EBS:VolumeUsage\.gp2$",
    "previous_generation": r"BoxUsage:",
    "graviton": r"BoxUsage:",
    "amd": r"BoxUsage:",
    "s3_cold": r"^[A-Z0-9]+-TimedStorage-ByteHrs$",
    "idle_load_balancer": r".",
    "idle_volume": r"EBS:VolumeUsage",
    "underused_instance": r"(?:BoxUsage|InstanceUsage):",
    "lambda_memory": r"Lambda-GB-Second",
    "log_retention": r"TimedStorage-ByteHrs$",
    "dynamodb_capacity": r"CapacityUnit-Hrs$",
    "provisioned_iops": r"EBS:VolumeP-IOPS\.",
}
#: Checks priced from other line items than the resource's usage (test_opportunities_provisioned).
NOT_BY_RESOURCE = {"savings_plan", "expiring_commitment"}


@pytest.fixture(scope="module")
def review(sample_dir: Path) -> cost.opportunities.OpportunityReview:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    return cost.review_opportunities(MONTH, end=END, basis="unblended",
                                     logs_account=org.SHOP_PROD.id, settings=settings)  # fmt: skip


def _flagged(review, check: str) -> set[str]:
    return set(review.found.loc[review.found["check"] == check, "resource_id"])


@pytest.mark.parametrize("planted", PLANTED, ids=[p.key for p in PLANTED])
def test_each_check_finds_its_planted_resource_and_ignores_its_near_miss(review, planted) -> None:
    flagged = _flagged(review, planted.check)
    if planted.expect == "flag":
        assert planted.resource_id in flagged, planted.key
    else:
        assert planted.resource_id not in flagged, planted.key


def test_every_check_ran_and_every_planted_check_has_both_cases(review) -> None:
    assert (review.sections["status"] == "ok").all(), review.sections
    for check in {p.check for p in PLANTED}:
        assert {p.expect for p in PLANTED if p.check == check} == {"flag", "ignore"}, check


def test_lambda_memory_from_report_lines(review) -> None:
    rows = review.found[review.found["check"] == "lambda_memory"]
    functions = set(rows["resource_id"].str.rsplit(":", n=1).str[-1])
    assert "catalog-api-handler" in functions, "512 MB configured, ~100 MB used"
    assert "orders-worker" not in functions, "runs out of its 1024 MB: must not shrink"
    row = rows.iloc[0]
    assert row["account_id"] == org.SHOP_PROD.id
    assert "MB used of 512 MB" in row["evidence"] and "set memory to" in row["action"]
    assert 0 < row["estimated_saving"] < row["monthly_cost"]


def test_generation_checks_leave_graviton_and_current_generation_alone(review) -> None:
    m6g, m5 = by_key("ec2-m6g").resource_id, by_key("ec2-oversized").resource_id
    assert m6g not in _flagged(review, "graviton") | _flagged(review, "previous_generation")
    assert m5 in _flagged(review, "graviton") and m5 in _flagged(review, "amd")
    m4 = review.found[review.found["resource_id"] == by_key("ec2-m4").resource_id]
    basis = m4.set_index("check")["pricing_basis"]
    assert (
        "m5.xlarge at $0.1920/h vs $0.2000/h (on-demand rates in this CUR)"
        in basis["previous_generation"]
    )
    assert "no m6g.xlarge rate in this CUR" not in basis["graviton"]  # m6g.xlarge is planted
    by_check = review.by_check.set_index("check")
    assert by_check.loc["previous_generation", "saving_if_alone"] > 0, "Graviton saves more"


def test_savings_reconcile_line_by_line_with_the_cur(review, sample_dir: Path) -> None:
    """Every row's monthly cost is the sum of its CUR line items; the total adds counted rows."""
    cur = duckdb.sql(
        f"SELECT line_item_resource_id AS resource_id, line_item_usage_type AS usage_type, "
        f"sum(line_item_unblended_cost) AS cost FROM read_parquet("
        f"'{sample_dir}/cur/**/*.parquet', hive_partitioning = true) "
        f"WHERE billing_period = '{MONTH}' AND line_item_line_item_type IN "
        f"('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') GROUP BY ALL"
    ).df()
    found = review.found
    assert len(found) > 20
    for row in found[~found["check"].isin(NOT_BY_RESOURCE)].itertuples():
        lines = cur[(cur["resource_id"] == row.resource_id)
                    & cur["usage_type"].str.contains(PRICED.get(row.check, "."))]  # fmt: skip
        if row.check.startswith("aws:") and lines.empty:  # AWS's, on no resource of the CUR
            assert pd.isna(row.monthly_cost), row
            continue
        assert row.monthly_cost == pytest.approx(lines["cost"].sum(), abs=0.005), row
        if row.check.startswith("idle") or row.check == "old_snapshot":
            assert row.estimated_saving == pytest.approx(row.monthly_cost), row
        assert pd.isna(row.estimated_saving) or 0 <= row.estimated_saving <= row.monthly_cost + 1e-9
        assert row.pricing_basis and row.evidence and row.account_name and row.region
    counted = found[found["counted"]]
    assert counted["resource_id"].is_unique
    assert review.figures()["monthly_saving"] == pytest.approx(
        counted["estimated_saving"].sum(), abs=0.01
    )
    assert review.by_check["saving"].sum() == pytest.approx(review.total_saving)
    assert review.status() == "FINDING"


def test_planted_costs_are_rate_times_amount(review) -> None:
    nat = review.found[review.found["resource_id"] == by_key("nat-idle").resource_id].iloc[0]
    assert nat["monthly_cost"] == pytest.approx(31 * 24 * 0.045 + 31 * 0.01 * 0.045)
    eip = review.found[review.found["resource_id"] == by_key("eip-idle").resource_id].iloc[0]
    assert eip["monthly_cost"] == pytest.approx(31 * 24 * 0.005)
    gp2 = review.found[review.found["resource_id"] == by_key("volume-gp2").resource_id].iloc[0]
    assert gp2["estimated_saving"] == pytest.approx(1000 * (0.10 - 0.08), rel=1e-6)


def test_a_source_that_cannot_be_read_is_an_error_section(sample_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(sample_dir / "cur", tmp_path / "cur")  # no metrics, no logs
    review = cost.review_opportunities(
        MONTH, end=END, settings=resolve(backend="local", data_dir=str(tmp_path))
    )
    failed = review.sections.set_index("section")["status"]
    assert failed["idle_nat"] == "ok" and failed["underused_instance"] == "ERROR"
    assert failed["cost_optimization_hub"] == "ERROR", "no Data Export copied"
    assert by_key("nat-idle").resource_id in set(review.found["resource_id"])
    assert any("could not run" in line for line in review.findings())
    saving = review.by_check.set_index("check")["saving"]
    assert pd.isna(saving["underused_instance"]), "not $0.00: the check did not run"


def test_thresholds_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="nat_min_gb"):
        Thresholds(nat_min_gb=-1)
    with pytest.raises(ConfigurationError, match="lookback_days"):
        cost.review_opportunities(MONTH, lookback_days=0)


def test_the_notebook_records_what_the_library_finds(
    review, sample_dir: Path, tmp_path: Path
) -> None:
    recorded = records(
        "notebooks/cost/opportunities.ipynb", tmp_path,
        {"data_dir": str(sample_dir), "month": MONTH, "end": END, "basis": "unblended",
         "logs_account": org.SHOP_PROD.id},
    )  # fmt: skip
    assert recorded["monthly_saving"] == pytest.approx(review.figures()["monthly_saving"])
    assert recorded["checks_failed"] == []
    assert recorded["findings"][0].startswith("$")


def test_aws_recommendations_are_reconciled_one_row_per_resource(review) -> None:
    found = review.found
    both = found[found["resource_id"] == by_key("ec2-oversized").resource_id]
    assert set(both["aws_action"]) == {"Rightsize"}, "AWS's estimate beside opsbook's"
    assert both["aws_saving"].iloc[0] == pytest.approx(138.20 * 0.97)
    assert not both["check"].str.startswith("aws:").any()
    only = found[found["resource_id"] == by_key("rds-busy").resource_id]
    assert only["check"].tolist() == ["aws:Rightsize"], "opsbook ignored it: CPU peaked at 58%"
    assert only["monthly_cost"].iloc[0] == pytest.approx(31 * 24 * 0.898) and only["counted"].all()
    plan = found[found["aws_action"] == "PurchaseSavingsPlans"]
    assert plan["check"].tolist() == ["savings_plan"], "Cost Explorer's plan beside opsbook's"
    assert plan["aws_saving"].iloc[0] == pytest.approx(610.00 * 0.97)
    by_check = review.by_check.set_index("check")
    assert by_check.loc["aws recommendations", "resources"] == 1


def test_budgets_against_their_limits(sample_dir: Path) -> None:
    review = cost.review_budgets(settings=resolve(backend="local", data_dir=str(sample_dir)))
    status = review.budgets.set_index("budget_name")["status"]
    assert status["northpeak-monthly-stretch"] == "forecast over"
    assert status["northpeak-monthly-total"] == "ok" and status["ml-sandbox-quarterly"] == "ok"
    assert review.status() == "FINDING"
    assert review.findings()[0].startswith("northpeak-monthly-stretch: forecast over")
