from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from opsbook.queries import ledger
from opsbook.runner import execute_notebook


def test_charges_are_tallied_per_engine() -> None:
    ledger.reset()
    ledger.charge("athena", usd=0.05, bytes_scanned=10_485_760, query_id="a")
    ledger.charge("athena", usd=0.5, bytes_scanned=100_000_000)
    ledger.charge("logs-insights", usd=0.005, bytes_scanned=1_000_000_000)
    assert ledger.totals() == {
        "athena": {"queries": 2, "usd": 0.55, "bytes_scanned": 110_485_760},
        "logs-insights": {"queries": 1, "usd": 0.005, "bytes_scanned": 1_000_000_000},
    }
    ledger.reset()
    assert ledger.totals() == {}


def test_a_run_reports_what_its_queries_cost_and_hides_the_cell(tmp_path: Path) -> None:
    source = tmp_path / "costly.ipynb"
    notebook = new_notebook(
        cells=[
            new_code_cell(
                "from opsbook.queries import ledger\nledger.charge('athena', usd=0.25, bytes_scanned=42)"
            )
        ],
        metadata={
            "kernelspec": {"name": "opsbook", "display_name": "opsbook", "language": "python"}
        },
    )
    nbformat.write(notebook, source)
    run = execute_notebook(source, tmp_path / "out" / "costly.ipynb")
    assert run.status == "ok", run.error
    assert run.costs == {"athena": {"queries": 1, "usd": 0.25, "bytes_scanned": 42}}
    assert "query_costs" not in run.records
    assert "record_costs" not in (tmp_path / "out" / "costly.html").read_text()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["costly.html", "costly.ipynb"]
    assert json.loads((tmp_path / "out" / "costly.ipynb").read_text())["cells"][-1]["metadata"][
        "tags"
    ] == ["opsbook-hidden"]


def test_sources_charge_the_ledger(sample_dir: Path) -> None:
    from opsbook import athena
    from opsbook.settings import resolve

    ledger.reset()
    settings = resolve(backend="local", data_dir=str(sample_dir), cache_dir="off")
    frame = athena.query(
        "cur/cost_by_service",
        {"start_period": "2026-10", "end_period": "2026-10"},
        settings=settings,
    )
    facts = frame.attrs["query"]
    (engine,) = ledger.totals()
    assert ledger.totals()[engine] == {
        "queries": 1,
        "usd": round(facts["cost_usd"], 6),
        "bytes_scanned": facts["bytes_scanned"],
    }
