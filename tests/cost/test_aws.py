"""The cost notebooks on the aws backend, end to end against moto: Glue table, Athena, S3 results.

moto's Athena runs no SQL, so :mod:`athena_replay` records each notebook's queries on the local
engine and queues their results; the aws run (papermill, a real kernel, settings passed as the
report runner passes them: ``OPSBOOK_*`` variables) must then record the same figures as the
local run. unit-cost also reads a CloudWatch metric: its daily sums are put into moto.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from opsbook.cost.unit_cost import DEFAULT_SERIES
from opsbook.metrics import MetricSeries
from opsbook.settings import resolve
from support.athena_replay import (
    AWS_SETTINGS,
    create_cur_table,
    immediate_executions,
    put_metrics,
    queue_results,
    record_run,
    run_notebook,
)

pytestmark = pytest.mark.kernel  # starts notebook kernels

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks" / "cost"
WINDOW = {"start": "2026-10-16", "end": "2026-11-15"}


@pytest.mark.parametrize(
    ("name", "parameters", "extra"),
    [
        pytest.param("monthly-review.ipynb", {"month": "2026-10"}, {}, id="monthly-review"),
        pytest.param("anomalies.ipynb", WINDOW, {}, id="anomalies"),
        pytest.param(
            "commitments.ipynb", {"month": "2026-10", "as_of": "2026-11-15"}, {}, id="commitments"
        ),  # fmt: skip
        pytest.param(
            "tag-allocation.ipynb",
            {"month": "2026-10"},
            {"required_tags": "App,Owner"},
            id="tag-allocation",
        ),  # fmt: skip
        pytest.param(
            "storage-and-transfer.ipynb", {"month": "2026-10"}, {}, id="storage-and-transfer"
        ),  # fmt: skip
        pytest.param("unit-cost.ipynb", WINDOW, {}, id="unit-cost"),
    ],
)
def test_cost_notebook_on_aws_records_what_the_local_run_records(
    aws_env, clean_env, sample_dir, tmp_path, monkeypatch, name, parameters, extra
) -> None:
    settings = create_cur_table(sample_dir, {**AWS_SETTINGS, **extra})
    for key, value in resolve(**settings).as_environment().items():
        monkeypatch.setenv(key, value)  # the local recording run sees the same policy settings
    local = record_run(NOTEBOOKS / name, parameters, sample_dir)
    assert local.queries and local.records
    queue_results(aws_env, local.queries)
    if name == "unit-cost.ipynb":  # its request counts come from CloudWatch
        series = MetricSeries.parse(DEFAULT_SERIES)
        assert [list(call.series.values()) for call in local.metrics] == [[series]]
        assert put_metrics(local.metrics) == 30
    with immediate_executions(aws_env):
        remote = run_notebook(NOTEBOOKS / name, tmp_path, parameters, settings, monkeypatch)
    assert remote == local.records
    athena = boto3.client("athena", region_name=settings["region"])
    assert len(athena.list_query_executions()["QueryExecutionIds"]) == len(local.queries)
    if name == "tag-allocation.ipynb":  # the configured policy reached the kernel
        assert set(remote["tag_share"]) == {"App", "Owner"}
    if name == "unit-cost.ipynb":
        assert remote["periods_with_unit_cost"] == 30 and remote["cost_per_million"] > 0
