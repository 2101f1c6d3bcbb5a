"""The ops notebooks executed by papermill on the pinned sample org; assertions on their records."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest
from opsbook.kernel import ensure_kernel
from opsbook.record import read_records

ROOT = Path(__file__).resolve().parents[1]


def _run(name: str, tmp_path: Path, sample_dir: Path, **parameters: object) -> dict:
    output = tmp_path / name
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "ops" / name), str(output),
        parameters={"data_dir": str(sample_dir), "backend": "local", **parameters},
        kernel_name=ensure_kernel(), cwd=str(ROOT), progress_bar=False,
    )  # fmt: skip
    return read_records(nbformat.read(output, as_version=4))


def test_delivery_metrics_notebook_records_the_failed_change(sample_dir, tmp_path) -> None:
    records = _run("delivery-metrics.ipynb", tmp_path, sample_dir, end="2026-11-15",
                   accounts="334455667788")  # fmt: skip
    assert records["deployments"] == 19  # 17 releases and two observability-stack updates
    assert records["failed_changes"] == 1
    failed = records["failed"][0]
    assert (failed["service"], failed["version"]) == ("checkout-api", "checkout-api:43")
    assert failed["restore_minutes"] == pytest.approx(45, abs=0.5)
    assert records["findings"][1].startswith("failed change: checkout-api checkout-api:43")


def test_cloudwatch_hygiene_notebook_records_silent_and_stuck_alarms(sample_dir, tmp_path) -> None:
    records = _run("cloudwatch-hygiene.ipynb", tmp_path, sample_dir, end="2026-11-15")
    assert records["silent_alarms"] == ["checkout-api-ecs-cpu-high", "orders-worker-throttles"]
    assert records["stuck_alarms"] == ["inventory-sync-errors"]
    assert len(records["no_retention"]) == 3
    assert records["cloudwatch_usd"] > 0  # month defaults to the last closed one: 2026-10
    assert any("notify nobody" in f for f in records["findings"])
