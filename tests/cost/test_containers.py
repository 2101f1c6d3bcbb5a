"""Container cost from split cost allocation data: the sample's ECS cluster on EC2 reconciles with its
instances, the split rows leave every total alone, and an export without the columns says which
setting adds them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from opsbook import athena
from opsbook.backends.layout import SAMPLE_FACTS
from opsbook.cost.containers import CONTAINER_BASES, review_containers, spend_by_container
from opsbook.errors import ConfigurationError
from opsbook.present import FINDING, PASS, SKIPPED
from opsbook.settings import resolve

MONTH = "2026-10"
#: Each parent instance's cost under each basis, from its own line items (the cost fragments).
PARENT_COST = """
SELECT line_item_resource_id AS parent_resource_id, {{cost_columns}}
FROM cur
WHERE billing_period = :p AND line_item_resource_id IN (
    SELECT DISTINCT split_line_item_parent_resource_id FROM cur
    WHERE billing_period = :p AND split_line_item_parent_resource_id <> '')
GROUP BY line_item_resource_id
"""


@pytest.fixture(scope="module")
def settings(sample_dir: Path):
    return resolve(backend="local", data_dir=str(sample_dir), cache_dir="off")


@pytest.fixture(scope="module")
def facts(sample_dir: Path) -> dict:
    return json.loads((sample_dir / SAMPLE_FACTS).read_text())["cur"]["containers"]


@pytest.mark.parametrize(
    ("basis", "column"),
    [("amortized", "amortized_cost"), ("net_amortized", "net_amortized_cost"),
     ("public", "public_cost")],
)  # fmt: skip
def test_split_plus_unused_cost_is_each_parent_instance_cost(
    settings, basis: str, column: str
) -> None:
    by_instance = spend_by_container(MONTH, by="instance", basis=basis, settings=settings)
    parents = athena.query(PARENT_COST, {"p": MONTH}, settings=settings)
    assert len(by_instance) == len(parents) == 10
    expected = parents.set_index("parent_resource_id")[column]
    got = by_instance.set_index("parent_resource_id")
    for instance, cost in expected.items():
        assert got.loc[instance, "cost"] == pytest.approx(cost, abs=1e-6), instance
        assert got.loc[instance, "used_cost"] + got.loc[instance, "unused_cost"] == pytest.approx(
            cost, abs=1e-6
        )
    assert (got.unused_cost > 0).all() and (got.used_cost > 0).all()


def test_every_level_sums_to_the_same_cost(settings, facts) -> None:
    levels = {by: spend_by_container(MONTH, by=by, settings=settings) for by in
              ("task", "workload", "cluster", "instance")}  # fmt: skip
    totals = {by: frame[["used_cost", "unused_cost"]].sum() for by, frame in levels.items()}
    for by, total in totals.items():
        assert total.used_cost == pytest.approx(totals["task"].used_cost), by
        assert total.unused_cost == pytest.approx(totals["task"].unused_cost), by
    workloads = levels["workload"]
    assert set(workloads.workload) == set(facts["services"])
    assert (workloads.cluster == facts["cluster"]).all() and (workloads.platform == "ECS").all()
    assert levels["cluster"].cluster.tolist() == [facts["cluster"]]
    tasks = levels["task"]
    assert tasks.task.str.startswith(
        f"arn:aws:ecs:us-east-1:334455667788:task/{facts['cluster']}/"
    ).all()
    assert set(tasks.parent_resource_id) == set(facts["parent_instances"])


def test_the_idle_instance_shows_its_unused_cost_apart(settings, facts) -> None:
    by_instance = spend_by_container(MONTH, by="instance", settings=settings)
    idle_share = by_instance.set_index("parent_resource_id").eval("unused_cost / cost")
    assert idle_share.idxmax() == facts["parent_instances"][-1], "the host running one small task"
    assert idle_share.max() > 0.7 > 0.25 > idle_share.drop(idle_share.idxmax()).max()


def test_split_rows_carry_no_cost_of_their_own(settings) -> None:
    rows = athena.query(
        "SELECT count(*) AS n, sum(line_item_unblended_cost) AS unblended, "
        "sum(pricing_public_on_demand_cost) AS public, sum(line_item_net_unblended_cost) AS net "
        "FROM cur WHERE billing_period = :p AND split_line_item_parent_resource_id <> ''",
        {"p": MONTH},
        settings=settings,
    ).iloc[0]
    tasks = spend_by_container(MONTH, by="task", settings=settings)
    assert rows.n == 2 * 31 * len(tasks), "a vCPU and a memory row per task and day"
    assert rows.unblended == rows.public == rows.net == 0.0


def test_bases_and_levels_are_checked(settings) -> None:
    with pytest.raises(ConfigurationError, match="no unblended cost.*amortized, net_amortized"):
        spend_by_container(MONTH, basis="unblended", settings=settings)
    with pytest.raises(ConfigurationError, match="unknown level 'pod'"):
        spend_by_container(MONTH, by="pod", settings=settings)
    assert set(CONTAINER_BASES) == {"amortized", "net_amortized", "public"}


def test_a_month_without_split_rows_says_why(settings) -> None:
    frame = spend_by_container("2025-01", settings=settings)
    assert frame.empty and "split cost allocation data" in frame.attrs["empty"]


def test_an_export_without_split_cost_data_names_the_setting(sample_dir, tmp_path) -> None:
    shutil.copytree(sample_dir / "cur", tmp_path / "cur")
    for path in (tmp_path / "cur").rglob("*.parquet"):
        table = pq.read_table(path)
        split = [c for c in table.column_names if c.startswith("split_line_item_")]
        pq.write_table(table.drop_columns(split), path)
    settings = resolve(backend="local", data_dir=str(tmp_path), cache_dir="off")
    with pytest.raises(ConfigurationError, match="INCLUDE_SPLIT_COST_ALLOCATION_DATA = TRUE"):
        spend_by_container(MONTH, settings=settings)
    review = review_containers(MONTH, settings=settings)  # a notebook section shows why instead
    assert review.status() == SKIPPED
    assert "INCLUDE_SPLIT_COST_ALLOCATION_DATA" in review.findings()[0]
    assert review.by_workload.empty and review.figures()["container_cost"] == 0


def test_the_review_flags_the_idle_instance(settings, facts) -> None:
    review = review_containers(MONTH, settings=settings)
    idle = facts["parent_instances"][-1]
    assert review.status() == FINDING
    assert len(review.findings()) == 1 and review.findings()[0].startswith(f"{idle}: 77% of its $")
    figures = review.figures()
    assert figures["container_cost"] == pytest.approx(review.by_workload.cost.sum(), abs=0.01)
    assert 0 < figures["container_unused_cost"] < figures["container_cost"] / 3
    assert review_containers(MONTH, idle_share=0.8, settings=settings).status() == PASS
