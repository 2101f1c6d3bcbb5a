"""The budgets notebook and the anomalies notebook's AWS section, on the sample and on moto.

Moto serves DescribeBudgets but not DescribeBudgetPerformanceHistory, and no Cost Anomaly
Detection: on the aws backend those sections must show ERROR naming the API while the rest runs.
On the sample, both are read from the monthly suite's shared run (``support.reports.published``),
which runs them with these parameters at the pinned sample's morning.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import nbformat
import pandas as pd
import pytest
from opsbook.runner import read_records
from opsbook.settings import resolve
from support.athena_replay import (
    AWS_SETTINGS,
    create_cur_table,
    immediate_executions,
    queue_results,
    record_run,
    run_notebook,
)
from support.notebooks import execute
from support.reports import published

pytestmark = pytest.mark.kernel  # starts notebook kernels

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks" / "cost"
WINDOW = {"start": "2026-10-16", "end": "2026-11-15"}


def _text(notebook: nbformat.NotebookNode) -> str:
    """Every text output of the notebook, joined."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
            parts.append(output.get("data", {}).get("text/html", ""))
    return "\n".join("".join(p) if isinstance(p, list) else p for p in parts)


def test_budgets_notebook_on_the_sample(sample_dir: Path) -> None:
    notebook = published("monthly", "notebooks/cost/budgets.ipynb", sample_dir, {})
    records = read_records(notebook)
    assert records["budgets"] == 3
    assert records["by_status"] == {"ok": 2, "forecast over": 1}
    assert records["periods_over"]["northpeak-monthly-stretch"] == "3/3"
    assert "over its limit in 3 of its last 3 closed periods" in _text(notebook)


def test_budgets_notebook_on_moto_names_the_history_api_as_error(
    aws_env: str, clean_env: Path, sample_dir: Path, tmp_path: Path
) -> None:
    saved = json.loads((sample_dir / "billing" / "describe-budgets.json").read_text())["Budgets"]
    account = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
    api = boto3.client("budgets", region_name="us-east-1")
    for budget in saved:
        period = {k: pd.Timestamp(v).to_pydatetime() for k, v in budget["TimePeriod"].items()}
        api.create_budget(AccountId=account, Budget={
            **{k: v for k, v in budget.items() if k != "LastUpdatedTime"}, "TimePeriod": period})  # fmt: skip
    notebook = execute("notebooks/cost/budgets.ipynb", tmp_path, {"backend": "aws"})
    records = read_records(notebook)
    assert records["budgets"] == 3 and records["by_status"]["forecast over"] == 1
    text = _text(notebook)
    assert "ERROR" in text and "budgets:DescribeBudgetPerformanceHistory" in text


def test_anomalies_notebook_shows_aws_beside_opsbook(sample_dir: Path) -> None:
    notebook = published("monthly", "notebooks/cost/anomalies.ipynb", sample_dir, WINDOW)
    text = _text(notebook)
    assert "1 found by both, 2 only AWS, 0 only opsbook" in text
    assert "under opsbook&#x27;s min_impact_usd" in text or "under opsbook's min_impact_usd" in text
    assert "northpeak-services" in text


def test_anomalies_notebook_on_moto_names_get_anomalies_as_error(
    aws_env, clean_env, sample_dir, tmp_path, monkeypatch
) -> None:
    settings = create_cur_table(sample_dir, AWS_SETTINGS)
    for key, value in resolve(**settings).as_environment().items():
        monkeypatch.setenv(key, value)
    local = record_run(NOTEBOOKS / "anomalies.ipynb", WINDOW, sample_dir)
    queue_results(aws_env, local.queries)
    with immediate_executions(aws_env):
        remote = run_notebook(NOTEBOOKS / "anomalies.ipynb", tmp_path, WINDOW, settings,
                              monkeypatch)  # fmt: skip
    assert remote == local.records, "opsbook's own detections are the same on both"
    text = _text(nbformat.read(tmp_path / "aws-anomalies.ipynb", as_version=4))
    assert "ERROR aws_anomalies" in text and "ce:GetAnomalies" in text
