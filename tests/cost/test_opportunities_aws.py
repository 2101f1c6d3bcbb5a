"""The opportunities notebook on the aws backend against moto: Athena (replayed), CloudWatch.

moto runs no Athena SQL (:mod:`athena_replay` queues the local run's results) and serves neither
Cost Optimization Hub, Compute Optimizer nor, for this query, Logs Insights: those sections must
show ERROR naming the API, and every check moto can serve must find what the local run found.
"""

from __future__ import annotations

from pathlib import Path

import pytest
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
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "cost" / "opportunities.ipynb"
PARAMETERS = {"month": "2026-10", "end": "2026-11-15", "basis": "unblended"}
#: Sections moto cannot serve here.
UNSERVED = {"cost_optimization_hub", "compute_optimizer", "lambda_memory"}
#: Checks that run on moto but cannot find what the local run finds, and why.
DIFFERENT = {
    "log_retention": "moto gives a log group the creation time of the call that makes it, so "
    "the sample's groups (and their age) cannot be recreated",
}


def test_opportunities_on_aws_find_what_the_local_run_finds(
    aws_env, clean_env, sample_dir, sample_cache, tmp_path, monkeypatch
) -> None:
    settings = create_cur_table(sample_dir, AWS_SETTINGS)
    for key, value in resolve(**settings).as_environment().items():
        monkeypatch.setenv(key, value)
    local = record_run(NOTEBOOK, PARAMETERS, sample_dir, sample_cache)  # decoded files shared
    assert local.records["checks_failed"] == []
    queue_results(aws_env, local.queries)
    assert put_metrics(local.metrics) > 0
    with immediate_executions(aws_env):
        remote = run_notebook(NOTEBOOK, tmp_path, PARAMETERS, settings, monkeypatch)
    assert {"cost_optimization_hub", "compute_optimizer"} <= set(remote["checks_failed"])
    assert set(remote["checks_failed"]) <= UNSERVED
    mine = {k: v for k, v in local.records["saving_by_check"].items()
            if k not in UNSERVED and k not in DIFFERENT}  # fmt: skip
    theirs = remote["saving_by_check"]
    for check, saving in mine.items():
        if check in ("aws recommendations", "compute optimizer"):
            continue
        assert theirs[check] == saving, check
