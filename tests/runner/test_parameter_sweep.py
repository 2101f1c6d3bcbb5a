"""Bad parameters through plain papermill, as a user's own scheduler passes them, and the checker.

Papermill injects values and never checks them: every notebook and runbook checks its own with
``checked(globals())``, the first line of its setup cell (the first code cell after the
parameters). The sweep runs each notebook once under ``papermill.execute_notebook``
with a value its parameter does not accept and asserts that the setup cell fails with an opsbook
error naming the parameter. The runs share one kernel (``support.notebooks.one_kernel``: each
starts from an empty namespace, only its imports are already loaded), on the pinned sample. ``test_parameters.py`` checks the same rules over every parameter
every notebook declares, without a kernel.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError
from support.notebooks import execute, one_kernel

pytestmark = pytest.mark.kernel  # starts notebook kernels

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(
    str(Path(p).relative_to(ROOT))
    for pattern in ("notebooks/**/*.ipynb", "runbooks/*.ipynb")
    for p in glob.glob(str(ROOT / pattern), recursive=True)
)
#: (notebook, bad parameters, the parameter the message must name): one run each.
SWEEP: list[tuple[str, dict[str, Any], str]] = [
    ("notebooks/cost/anomalies.ipynb", {"end": 1764547200}, "end"),
    ("notebooks/cost/budgets.ipynb", {"backend": "azure"}, "backend"),
    ("notebooks/cost/commitments.ipynb", {"as_of": "tomorrow"}, "as_of"),
    ("notebooks/cost/monthly-review.ipynb", {"top": "ten"}, "top"),
    ("notebooks/cost/opportunities.ipynb", {"logs_account": "shop-prod"}, "logs_account"),
    ("notebooks/cost/storage-and-transfer.ipynb", {"month": "2026-13"}, "month"),
    ("notebooks/cost/tag-allocation.ipynb", {"top": 0}, "top"),
    ("notebooks/cost/tag-governance.ipynb", {"prohibited_tags": 7}, "prohibited_tags"),
    ("notebooks/cost/unit-cost.ipynb", {"grain": "week"}, "grain"),
    ("notebooks/explore/cur-explorer.ipynb", {"month": 202610}, "month"),
    ("notebooks/explore/logs-explorer.ipynb", {"hours": -6}, "hours"),
    ("notebooks/explore/metrics-explorer.ipynb", {"hours": 1_000_000}, "hours"),
    ("notebooks/ops/cloudwatch-hygiene.ipynb", {"days": "٣"}, "days"),
    ("notebooks/ops/delivery-metrics.ipynb", {"accounts": "12345"}, "accounts"),
    ("notebooks/sample-overview.ipynb", {"backend": "azure"}, "backend"),
    ("notebooks/daily-brief.ipynb", {"day": "tomorrow"}, "day"),
    ("notebooks/slo/slo-detail.ipynb", {"tier": "urgent"}, "tier"),
    ("notebooks/slo/slo-report.ipynb", {"as_of": 1764547200}, "as_of"),
    ("runbooks/api-5xx.ipynb", {"change_at": "yesterday"}, "change_at"),
    ("runbooks/cost-spike.ipynb", {"account": "1234"}, "account"),
    (
        "runbooks/incident-triage.ipynb",
        {"start": "2026-11-14T11:00Z", "end": "2026-11-14T10:00Z"},
        "end",
    ),
    ("runbooks/lambda-failures.ipynb", {"functions": 7}, "functions"),
    ("runbooks/latency-regression.ipynb", {"end": "tomorrow"}, "end"),
]


def _setup_index(notebook: str) -> int:
    """Index of the setup cell once papermill has injected its cell after the parameters."""
    cells = nbformat.read(ROOT / notebook, as_version=4).cells
    tagged = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    setup = next(i for i in range(tagged + 1, len(cells)) if cells[i].cell_type == "code")
    assert cells[setup].source.startswith("checked(globals())\n"), notebook
    return setup + 1


@pytest.fixture(scope="module")
def kernel(sample_dir: Path) -> Iterator[object]:
    """The sweep's kernel: its notebooks read the pinned sample (``OPSBOOK_DATA_DIR``)."""
    with one_kernel({"OPSBOOK_DATA_DIR": str(sample_dir)}) as started:
        yield started


def test_the_sweep_covers_every_notebook_and_runbook() -> None:
    assert sorted({notebook for notebook, _, _ in SWEEP}) == NOTEBOOKS


@pytest.mark.parametrize(
    ("notebook", "parameters", "name"),
    SWEEP,
    ids=[f"{Path(n).stem}-{next(iter(p))}" for n, p, _ in SWEEP],
)
def test_plain_papermill_fails_in_the_setup_cell_naming_the_parameter(
    notebook: str,
    parameters: dict[str, Any],
    name: str,
    kernel: object,
    tmp_path: Path,
) -> None:
    with pytest.raises(PapermillExecutionError) as failure:
        execute(notebook, tmp_path, parameters, name="out.ipynb", kernel=kernel)
    error = failure.value
    assert error.ename == "ConfigurationError", error.evalue
    assert f"parameter {name} " in error.evalue
    assert error.cell_index == _setup_index(notebook)
