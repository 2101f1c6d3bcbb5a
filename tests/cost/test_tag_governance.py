"""Tag governance on the sample: coverage of taggable spend, policy violations, untagged resources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from opsbook import cost
from opsbook.cost.tag_governance import TagPolicy
from opsbook.errors import ConfigurationError
from opsbook.settings import resolve
from support.notebooks import records

pytestmark = pytest.mark.kernel  # one test runs the notebook
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
    recorded = records(
        "notebooks/cost/tag-governance.ipynb", tmp_path,
        {"data_dir": str(sample_dir), "month": MONTH, "prohibited_tags": "DataClass"},
    )  # fmt: skip
    assert recorded["coverage"] == governed.figures()["coverage"]
    assert recorded["violations"] == governed.figures()["violations"]
