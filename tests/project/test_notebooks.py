"""Every notebook executed by papermill on the local backend; assertions on what it records.

The sample overview's run is the weekly suite's on the pinned sample (``support.reports.published``).
"""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat
import numpy as np
import pytest
from opsbook.runner import read_records
from support.reports import published

pytestmark = pytest.mark.kernel  # starts notebook kernels

ROOT = Path(__file__).resolve().parents[2]
PLOTLY = "application/vnd.plotly.v1+json"


def _figures(notebook: nbformat.NotebookNode) -> list[dict]:
    return [
        output["data"][PLOTLY]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if PLOTLY in output.get("data", {})
    ]


def _values(data: list | dict) -> list:
    """Decode a trace array: plotly writes numeric arrays as base64 typed arrays ("bdata")."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def test_sample_overview_sees_every_source(sample_dir: Path) -> None:
    notebook = published("weekly", "notebooks/sample-overview.ipynb", sample_dir, {})
    records = read_records(notebook)
    assert records["cur_billing_periods"] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert records["cur_unblended_cost"] > 0
    assert records["log_groups"] == 4
    assert records["metric_namespaces"] == [
        "AWS/ApiGateway", "AWS/ApplicationELB", "AWS/DynamoDB", "AWS/EBS", "AWS/EC2", "AWS/ECS",
        "AWS/Lambda", "AWS/RDS", "CWAgent", "CloudWatchSynthetics",
    ]  # fmt: skip
    cost, events = _figures(notebook)
    assert _values(cost["data"][0]["x"]) == records["cur_billing_periods"]
    assert sum(_values(cost["data"][0]["y"])) == pytest.approx(records["cur_unblended_cost"])
    assert sum(_values(events["data"][0]["x"])) == records["log_events"]
