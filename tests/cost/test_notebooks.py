"""The cost notebooks executed by papermill on the sample org; assertions on what they record.

A run with the monthly suite's own parameters is read from the suite's shared run on the pinned
sample (``support.reports.published``: `opsbook report run monthly`, executed once per session
for the browser checks of its pages too); other parameters start a kernel of their own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from opsbook.runner import read_records
from support.notebooks import records
from support.reports import published

pytestmark = pytest.mark.kernel  # starts notebook kernels

ROOT = Path(__file__).resolve().parents[2]


def _run(name: str, tmp_path: Path, sample_dir: Path, **parameters: object) -> dict:
    return records(f"notebooks/cost/{name}", tmp_path, {"data_dir": str(sample_dir), **parameters})


def _monthly(name: str, sample_dir: Path, **parameters: object) -> dict:
    """What ``name`` recorded in the monthly suite's run (with these, its parameters)."""
    return read_records(published("monthly", f"notebooks/cost/{name}", sample_dir, parameters))


@pytest.fixture(scope="module")
def facts(sample_dir: Path) -> dict:
    return json.loads((sample_dir / "sample.json").read_text())["cur"]


def test_monthly_review_total_and_top_mover(sample_dir, tmp_path, facts) -> None:
    records = _run("monthly-review.ipynb", tmp_path, sample_dir, month="2026-10", basis="unblended")
    assert records["month_total"] == pytest.approx(
        facts["total_unblended_by_period"]["2026-10"], abs=0.01
    )
    assert records["previous_total"] == pytest.approx(
        facts["total_unblended_by_period"]["2026-09"], abs=0.01
    )
    outlook = records["forecast"]  # the month in progress at the sample's as-of date
    assert outlook["month"] == "2026-11" and 7 <= outlook["days_covered"] < 30
    assert outlook["actual_to_date"] == pytest.approx(
        facts["total_unblended_by_period"]["2026-11"], abs=0.01
    )
    assert outlook["actual_to_date"] < outlook["low"] <= outlook["forecast"] <= outlook["high"]
    amortized = _monthly("monthly-review.ipynb", sample_dir, month="2026-10")
    mover = amortized["top_mover"]
    assert (mover["account_id"], mover["service"]) == (facts["mover"]["account_id"], "AmazonES")
    assert "AmazonES in data-platform" in amortized["findings"][1]


def test_monthly_review_without_data_says_so(sample_dir, tmp_path) -> None:
    records = _run("monthly-review.ipynb", tmp_path, sample_dir, month="2026-10",
                   accounts="999999999999")  # fmt: skip
    assert records["month_total"] == 0
    assert records["findings"][0].startswith("no CUR line items in billing period 2026-10")


def test_anomalies_notebook_finds_the_injected_anomaly(sample_dir, facts) -> None:
    records = _monthly("anomalies.ipynb", sample_dir, start="2026-10-16", end="2026-11-15")
    assert records["anomalies_found"] == 1
    anomaly = records["anomalies"][0]
    assert anomaly["account_id"] == facts["anomaly"]["account_id"]
    assert anomaly["start_day"].startswith(facts["anomaly"]["day"])
    assert records["root_causes"][0]["usage_type"] == facts["anomaly"]["usage_type"]
    assert "NatGateway" in records["findings"][0]


def test_commitments_tags_storage_notebooks(sample_dir, facts) -> None:
    commit = _monthly("commitments.ipynb", sample_dir, month="2026-10", as_of="2026-11-15")
    ec2 = next(r for r in facts["reservations"] if r["product_code"] == "AmazonEC2")
    assert commit["expiring_commitments"] == [ec2["arn"]]
    assert 0 < commit["unused_commitment_cost"] < commit["commitment_cost"]
    tags = _monthly("tag-allocation.ipynb", sample_dir, month="2026-10")
    assert set(tags["tag_share"]) == {"App", "Env", "Owner", "CostCenter", "DataClass"}
    assert all(0.5 < share < 0.95 for share in tags["tag_share"].values())
    assert len(tags["findings"]) == 5
    stored = _monthly("storage-and-transfer.ipynb", sample_dir, month="2026-10")
    assert stored["transfer_cost"]["NAT gateway"] > stored["transfer_cost"]["inter-AZ"] > 0
    assert "Archive" in stored["s3_storage_cost"]


def test_unit_cost_notebook_records_cost_per_million(sample_dir, tmp_path) -> None:
    records = _monthly("unit-cost.ipynb", sample_dir, start="2026-10-16", end="2026-11-15")
    assert records["cost_per_million"] > 0
    assert records["periods_with_unit_cost"] == 30 and records["periods_without"] == {}
    assert records["findings"][0].startswith("App=catalog-api: $")
    empty = _run("unit-cost.ipynb", tmp_path, sample_dir, start="2026-09-01", end="2026-09-08")
    assert empty["cost_per_million"] == 0 and empty["findings"][0].startswith("no unit cost")
