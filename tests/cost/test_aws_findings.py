"""AWS's own findings beside opsbook's on the sample: Compute Optimizer in the opportunities,
Cost Anomaly Detection in the anomalies, budget history in the budgets review."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from opsbook import billing, cost
from opsbook.backends.frames import anomaly_monitors_frame, cost_anomalies_frame
from opsbook.cost.anomalies import AnomalyReport
from opsbook.cost.aws_anomalies import compare_anomalies
from opsbook.errors import NoDataError
from opsbook.present import ERROR
from opsbook.sample import org
from opsbook.sample.cur.opportunities import by_key
from opsbook.settings import resolve

MONTH, END = "2026-10", "2026-11-15"
WINDOW = ("2026-10-16", "2026-11-15")
TAX = f"arn:aws:lambda:us-east-1:{org.SHOP_PROD.id}:function:tax-calculator"


@pytest.fixture(scope="module")
def opportunities(sample_dir: Path) -> cost.opportunities.OpportunityReview:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    return cost.review_opportunities(MONTH, end=END, basis="unblended",
                                     logs_account=org.SHOP_PROD.id, settings=settings)  # fmt: skip


@pytest.fixture(scope="module")
def anomalies(sample_dir: Path) -> tuple[AnomalyReport, cost.aws_anomalies.AnomalyComparison]:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    report = cost.review_anomalies(*WINDOW, settings=settings)
    return report, cost.compare_with_aws(report, *WINDOW, settings=settings)


def test_compute_optimizer_sits_beside_opsbook_and_the_hub(opportunities) -> None:
    found = opportunities.found
    oversized = found[found["resource_id"] == by_key("ec2-oversized").resource_id]
    row = oversized[oversized["check"] == "underused_instance"].iloc[0]
    assert row["aws_action"] == "Rightsize" and row["co_action"] == "Overprovisioned"
    assert row["co_saving"] == pytest.approx(131.4), "three estimates on one row"
    gp2 = found[found["resource_id"] == by_key("volume-gp2").resource_id]
    assert gp2["co_saving"].tolist() == [pytest.approx(19.4)]


def test_a_resource_only_compute_optimizer_names_gets_its_own_priced_row(
    opportunities, sample_dir: Path
) -> None:
    found = opportunities.found
    only = found[found["check"].str.startswith("co:")]
    assert only["resource_id"].tolist() == [TAX], "the versioned ARN joins the CUR's id"
    row = only.iloc[0]
    assert row["check"] == "co:NotOptimized" and row["counted"]
    assert row["monthly_cost"] > 0, "priced from the CUR"
    assert "1024 MB -> 768 MB" in row["evidence"]
    optimised = {by_key("ec2-m6g").resource_id, by_key("volume-gp3").resource_id}
    assert not (set(found.loc[found["check"].str.startswith("co:"), "resource_id"]) & optimised)
    by_check = opportunities.by_check.set_index("check")
    assert by_check.loc["compute optimizer", "resources"] == 1
    assert by_check.loc["compute optimizer", "saving"] == pytest.approx(205.0)
    # the hub's Savings Plan purchase now sits on opsbook's savings_plan row: one hub-only row left
    assert by_check.loc["aws recommendations", "resources"] == 1, "the hub's rows are unchanged"


def test_compute_optimizer_that_cannot_be_read_is_an_error_section(
    sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(**_: object) -> pd.DataFrame:
        raise NoDataError("no Compute Optimizer recommendations")

    monkeypatch.setattr(billing, "read_compute_optimizer_recommendations", missing)
    review = cost.review_opportunities(MONTH, end=END, basis="unblended",
                                       settings=resolve(backend="local", data_dir=str(sample_dir)))  # fmt: skip
    sections = review.sections.set_index("section")
    assert sections.loc["compute_optimizer", "status"] == ERROR
    assert sections.loc["cost_optimization_hub", "status"] == "ok"
    assert review.found["co_saving"].isna().all()


def test_aws_anomalies_are_matched_with_opsbook_and_explained(anomalies) -> None:
    report, comparison = anomalies
    compared = comparison.compared.set_index("service")
    both = compared.loc["AmazonEC2"]
    assert both["verdict"] == "found by both" and both["aws_service"] == "EC2 - Other"
    assert both["opsbook_impact"] == pytest.approx(report.anomalies["total_impact"].iloc[0])
    assert compared.loc["AmazonRDS", "verdict"] == "only AWS"
    assert "min_impact_pct" in compared.loc["AmazonRDS", "reason"]
    assert compared.loc["AmazonS3", "verdict"] == "only AWS"
    assert "min_impact_usd" in compared.loc["AmazonS3", "reason"]
    assert comparison.findings()[0] == "1 found by both, 2 only AWS, 0 only opsbook"
    assert comparison.status() == "FINDING"
    assert comparison.sections["status"].tolist() == ["ok", "ok"]


def _ours(day: str, account: str = "111122223333") -> AnomalyReport:
    anomalies = pd.DataFrame({"anomaly_id": ["a"], "account_id": [account],
                              "account_name": ["shop"], "service": ["AmazonEC2"],
                              "start_day": [pd.Timestamp(day)], "end_day": [pd.Timestamp(day)],
                              "total_impact": [550.0]})  # fmt: skip
    return AnomalyReport(anomalies, pd.DataFrame(), pd.DataFrame({"usage_day": [], "expected": []}))


@pytest.mark.parametrize(
    ("monitors", "reason"),
    [
        pytest.param(None, "could not be read", id="unread"),
        pytest.param([], "no Cost Anomaly Detection monitor", id="none"),
        pytest.param([{"monitor_type": "CUSTOM", "created": "2025-01-01",
                       "specification": '{"Dimensions": {"Key": "LINKED_ACCOUNT", '
                                        '"Values": ["999999999999"]}}'}],
                     "no AWS monitor watches account 111122223333", id="other-account"),
        pytest.param([{"monitor_type": "DIMENSIONAL", "created": "2025-01-01",
                       "last_evaluated": "2026-11-03"}], "had not evaluated", id="not-yet"),
        pytest.param([{"monitor_type": "DIMENSIONAL", "created": "2026-11-01",
                       "last_evaluated": "2026-11-14"}], "needs about 10 days", id="young"),
        pytest.param([{"monitor_type": "DIMENSIONAL", "created": "2025-01-01",
                       "last_evaluated": "2026-11-14"}], "its model", id="model"),
    ],
)  # fmt: skip
def test_only_opsbook_says_why_aws_missed_it(monitors: list | None, reason: str) -> None:
    frame = None if monitors is None else anomaly_monitors_frame(monitors)
    out = compare_anomalies(_ours("2026-11-05"), cost_anomalies_frame([]), frame)
    assert out["verdict"].tolist() == ["only opsbook"]
    assert reason in out["reason"].iloc[0]


def test_only_aws_on_days_opsbook_could_not_judge() -> None:
    aws = cost_anomalies_frame([{"anomaly_id": "x", "start_day": "2026-11-05",
                                 "end_day": "2026-11-05", "service": "AWS Lambda",
                                 "account_id": "1", "total_impact": 400.0, "impact_pct": 90.0}])  # fmt: skip
    out = compare_anomalies(_ours("2026-10-01"), aws, anomaly_monitors_frame([]))
    assert out["verdict"].tolist() == ["only AWS", "only opsbook"]
    assert "could not judge" in out["reason"].iloc[0]


def test_aws_anomalies_that_cannot_be_read_are_an_error(
    anomalies, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*_: object, **__: object) -> pd.DataFrame:
        raise NoDataError("no get-anomalies.json")

    monkeypatch.setattr(billing, "read_cost_anomalies", denied)
    report, _ = anomalies
    comparison = cost.compare_with_aws(report, *WINDOW,
                                       settings=resolve(backend="local", data_dir=str(sample_dir)))  # fmt: skip
    assert comparison.status() == ERROR
    assert comparison.findings() == ["ERROR aws_anomalies: NoDataError: no get-anomalies.json"]
    assert comparison.sections.set_index("section").loc["aws_monitors", "status"] == "ok"


def test_budget_history_counts_the_periods_each_budget_broke(
    sample_dir: Path, pinned_clock: object
) -> None:
    review = cost.review_budgets(settings=resolve(backend="local", data_dir=str(sample_dir)))
    assert review.findings()[0].startswith("northpeak-monthly-stretch: forecast over")
    assert "northpeak-monthly-stretch: over its limit in 3 of its last 3 closed periods" in (
        review.findings()
    )
    assert review.figures()["periods_over"]["northpeak-monthly-total"] == "0/3"
    open_periods = review.history[review.history["status"] == "open"]
    assert set(open_periods["budget_name"]) == {"northpeak-monthly-stretch",
                                                "northpeak-monthly-total",
                                                "ml-sandbox-quarterly"}  # fmt: skip
    assert review.sections["status"].tolist() == ["ok", "ok"]
