"""Tag governance on the sample: coverage of taggable spend, policy violations, untagged resources."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill
import pytest
from opsbook import cost
from opsbook.cost.tag_governance import TagPolicy
from opsbook.errors import ConfigurationError
from opsbook.runner import ensure_kernel, read_records
from opsbook.settings import resolve

ROOT = Path(__file__).resolve().parents[1]
MONTH = "2026-10"
POLICY = "Env=prod|staging|dev|shared; CostCenter=CC-%"


@pytest.fixture(scope="module")
def governed(sample_dir: Path) -> cost.tag_governance.TagGovernanceReview:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    return cost.review_tag_governance(MONTH, allowed=POLICY, prohibited="DataClass",
                                      settings=settings)  # fmt: skip


def test_coverage_counts_only_taggable_spend_and_the_rest_adds_up(governed, sample_dir) -> None:
    facts = json.loads((sample_dir / "sample.json").read_text())["cur"]
    total = facts["total_unblended_by_period"][MONTH]
    assert governed.total_cost == pytest.approx(total, abs=0.01)
    left_out = float(governed.untaggable["unblended_cost"].sum())
    assert governed.taggable_cost + left_out == pytest.approx(total, abs=0.01)
    reasons = set(governed.untaggable["reason"])
    assert {"tax", "credits", "commitment fees"} <= reasons
    assert any(r.startswith("usage without a resource id") for r in reasons)
    shares = governed.coverage.set_index("tag")["share"]
    assert shares.between(0.5, 1).all() and shares["DataClass"] < shares["App"]
    assert "left out" in governed.findings()[1]


def test_values_outside_the_policy_and_prohibited_keys_are_violations(governed) -> None:
    found = governed.violations
    bad = found.loc[found["problem"] == "value not allowed (allowed: prod, staging, dev, shared)"]
    assert "production" in set(bad["tag_value"]) and (bad["tag_key"] == "user_env").all()
    assert "prohibited key" in set(found["problem"])
    assert (governed.violations.loc[governed.violations["problem"] == "prohibited key",
                                    "tag_key"] == "user_data_class").all()  # fmt: skip
    assert governed.violations["cost"].is_monotonic_decreasing
    assert governed.status() == "FINDING"


def test_untagged_resources_are_ranked_by_cost(governed) -> None:
    untagged = governed.untagged
    assert untagged["cost"].is_monotonic_decreasing
    top = untagged.iloc[0]
    assert ":natgateway/" in top["resource_id"], "nobody tags the NAT gateways of the story"
    assert top["missing"] == "App, Env, Owner, CostCenter, DataClass" and not top["any_tag"]
    assert (untagged["missing"] != "").all()


def test_policy_text_is_checked() -> None:
    assert TagPolicy.parse("CostCenter=CC-%").problem("user_cost_center", "cc-1") == (
        "does not match CC-%"
    )
    with pytest.raises(ConfigurationError, match="allowed tag values"):
        TagPolicy.parse("Env")


def test_the_notebook_records_the_coverage(governed, sample_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "tag-governance.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "cost" / "tag-governance.ipynb"), str(output),
        parameters={"data_dir": str(sample_dir), "month": MONTH, "prohibited_tags": "DataClass"},
        kernel_name=ensure_kernel(), cwd=str(ROOT), progress_bar=False,
    )  # fmt: skip
    records = read_records(nbformat.read(output, as_version=4))
    assert records["coverage"] == governed.figures()["coverage"]
    assert records["violations"] == governed.figures()["violations"]
