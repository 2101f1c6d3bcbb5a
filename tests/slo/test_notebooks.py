"""The SLO notebooks executed by papermill on the sample org; assertions on what they record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from opsbook.runner import read_records
from opsbook.sample.org import timeline
from opsbook.sample.slos import write_slos
from support.notebooks import execute

pytestmark = pytest.mark.kernel  # starts notebook kernels

ROOT = Path(__file__).resolve().parents[2]
STORY = timeline(dt.date(2026, 11, 15))
PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spec")
    write_slos(root, STORY)
    return root / "slos.yaml"


def _run(name: str, tmp_path: Path, **parameters: object) -> nbformat.NotebookNode:
    return execute(name, tmp_path, parameters)


def _pages(records: dict, slo: str) -> list[dict]:
    return [e for e in records["slo_alert_episodes"] if e["slo"] == slo and e["severity"] == "page"]


def test_slo_report(sample_dir: Path, spec: Path, tmp_path: Path) -> None:
    notebook = _run("notebooks/slo/slo-report.ipynb", tmp_path, data_dir=str(sample_dir),
                    spec=str(spec), as_of="2026-11-15")  # fmt: skip
    records = read_records(notebook)
    assert set(records["slo_status"]) == {
        "api-availability",
        "checkout-latency",
        "catalog-lambda-success",
    }
    assert records["slo_status"]["api-availability"] in {"ok", "ticket"}  # recovered: no page
    assert 0 < records["slo_budget_remaining"]["api-availability"] < 1
    pages = _pages(records, "api-availability")
    assert pages, "the incident must page"
    for page in pages:
        assert (
            pd.Timestamp(STORY.errors_start)
            <= pd.Timestamp(page["start"])
            < pd.Timestamp(STORY.errors_end)
        )
        assert pd.Timestamp(page["end"]) <= pd.Timestamp(STORY.errors_end) + pd.Timedelta(
            minutes=35
        )
    figures = [
        o for c in notebook.cells for o in c.get("outputs", []) if PLOTLY in o.get("data", {})
    ]
    assert len(figures) == 1 and len(figures[0]["data"][PLOTLY]["data"]) == 3


def test_slo_detail_during_and_after_the_incident(
    sample_dir: Path, spec: Path, tmp_path: Path
) -> None:
    during = read_records(_run("notebooks/slo/slo-detail.ipynb", tmp_path, data_dir=str(sample_dir),
                               spec=str(spec), slo="checkout-latency", as_of="2026-11-14T14:40Z"))  # fmt: skip
    assert during["slo_status"] == {"checkout-latency": "page"}
    notebook = _run("notebooks/slo/slo-detail.ipynb", tmp_path, data_dir=str(sample_dir),
                    spec=str(spec), slo="api-availability", as_of="2026-11-15")  # fmt: skip
    records = read_records(notebook)
    assert records["slo_status"]["api-availability"] != "page"
    assert 0.99 < records["slo_attainment"]["api-availability"] < 1
    assert _pages(records, "api-availability")
    last = notebook.cells[-1]["outputs"][0]["data"]["text/plain"]
    assert "bad_events" in last and "status" in last
