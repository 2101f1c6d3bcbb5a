from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from opsbook.errors import ConfigurationError, ReportFailedError
from opsbook.runner import load_suites, read_records, run_notebook_once, run_suite
from opsbook.settings import resolve

pytestmark = pytest.mark.kernel  # starts notebook kernels

DAY = dt.date(2026, 11, 15)


def _notebook(path: Path, body: str) -> None:
    notebook = new_notebook(
        cells=[
            new_code_cell("from opsbook import record"),
            new_code_cell('label: str = "x"  # a label', metadata={"tags": ["parameters"]}),
            new_code_cell(body),
        ],
        metadata={
            "kernelspec": {
                "name": "opsbook",
                "display_name": "Python (opsbook)",
                "language": "python",
            }
        },
    )
    nbformat.write(notebook, path)


@pytest.fixture
def project(clean_env: Path) -> Path:
    (clean_env / "opsbook.toml").write_text('output_dir = "out"\n')
    (clean_env / "nb").mkdir()
    _notebook(clean_env / "nb" / "good.ipynb", "record(label=label, answer=6 * 7)")
    (clean_env / "suites.yaml").write_text(
        "nightly:\n  notebooks:\n    - path: nb/good.ipynb\n      parameters: {label: '2026-11-01'}\n"
    )
    return clean_env


def test_a_good_run_is_published_with_html_summary_and_index(project: Path) -> None:
    run = run_suite("nightly", run_date=DAY, settings=resolve())
    folder = project / "out" / "nightly" / "2026-11-15"
    assert run.folder == folder and run.ok
    assert sorted(p.name for p in folder.iterdir()) == [
        "good.html",
        "good.ipynb",
        "index.html",
        "summary.json",
    ]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "ok"
    # The YAML date stays a string: notebooks take ISO dates as str parameters.
    assert summary["notebooks"][0]["records"] == {"label": "2026-11-01", "answer": 42}
    assert read_records(nbformat.read(folder / "good.ipynb", as_version=4))["answer"] == 42
    html = (folder / "good.html").read_text()
    assert "<html" in html and "from opsbook import record" not in html, "inputs are hidden"
    assert 'href="good.html"' in (folder / "index.html").read_text()
    assert not [p for p in (project / "out" / "nightly").iterdir() if p.name.startswith(".")]


def test_a_failed_run_keeps_the_last_good_report(project: Path) -> None:
    run_suite("nightly", run_date=DAY, settings=resolve())
    good = (project / "out" / "nightly" / "2026-11-15" / "summary.json").read_text()
    _notebook(project / "nb" / "good.ipynb", "raise RuntimeError('the CUR table is gone')")
    with pytest.raises(ReportFailedError, match="the CUR table is gone.*last good report"):
        run_suite("nightly", run_date=DAY, settings=resolve())
    assert (project / "out" / "nightly" / "2026-11-15" / "summary.json").read_text() == good
    failed = project / "out" / "nightly" / "2026-11-15.failed"
    summary = json.loads((failed / "summary.json").read_text())
    assert summary["status"] == "failed"
    assert "RuntimeError" in summary["notebooks"][0]["error"]
    assert "the CUR table is gone" in (failed / "good.ipynb").read_text(), "the notebook is the log"


def test_parameters_are_checked_against_the_notebook(project: Path) -> None:
    with pytest.raises(
        ConfigurationError, match="has no parameter colour; it declares: label: str"
    ):
        run_suite("nightly", run_date=DAY, parameters={"colour": "red"}, settings=resolve())
    assert not (project / "out" / "nightly" / "2026-11-15").exists()


def test_suites_file_errors_are_clear(project: Path) -> None:
    with pytest.raises(
        ConfigurationError, match="unknown suite 'weekly'; suites in suites.yaml: nightly"
    ):
        run_suite("weekly", settings=resolve())
    (project / "suites.yaml").write_text("nightly:\n  notebooks: []\n")
    with pytest.raises(ConfigurationError, match="needs a list of notebooks"):
        load_suites(project)
    (project / "suites.yaml").write_text("nightly:\n  notebooks:\n    - path: nb/missing.ipynb\n")
    with pytest.raises(ConfigurationError, match="notebook not found"):
        run_suite("nightly", settings=resolve())


def test_the_project_suites_reference_existing_notebooks() -> None:
    root = Path(__file__).resolve().parents[2]
    suites = load_suites(root)
    assert "daily" in suites
    for suite in suites.values():
        for entry in suite.notebooks:
            assert (root / entry.path).is_file(), entry.path


def test_notebooks_run_in_parallel_and_one_failure_does_not_stop_the_others(
    project: Path,
) -> None:
    _notebook(project / "nb" / "bad.ipynb", "raise ValueError('no data for ' + label)")
    _notebook(project / "nb" / "other.ipynb", "record(label=label)")
    (project / "suites.yaml").write_text(
        "nightly:\n  notebooks:\n"
        "    - path: nb/good.ipynb\n      parameters: {label: '${month-1}'}\n"
        "    - path: nb/bad.ipynb\n      parameters: {label: '${run_date-7d}'}\n"
        "    - path: nb/other.ipynb\n"
    )
    lines: list[str] = []
    with pytest.raises(ReportFailedError, match="1 of 3 notebooks failed.*no data for 2026-11-08"):
        run_suite("nightly", run_date=DAY, jobs=2, settings=resolve(), progress=lines.append)
    summary = json.loads(
        (project / "out" / "nightly" / "2026-11-15.failed" / "summary.json").read_text()
    )
    by_name = {n["notebook"]: n for n in summary["notebooks"]}
    assert by_name["good.ipynb"]["records"] == {"label": "2026-10", "answer": 42}
    assert by_name["other.ipynb"]["status"] == "ok"
    assert by_name["bad.ipynb"]["status"] == "failed"
    assert sum(line.startswith("start") for line in lines) == 3


def test_a_single_notebook_run_converts_and_checks_command_line_values(project: Path) -> None:
    _notebook(project / "nb" / "typed.ipynb", "record(double=count * 2)")
    notebook = nbformat.read(project / "nb" / "typed.ipynb", as_version=4)
    notebook.cells[1].source = "count: int = 1  # how many"
    nbformat.write(notebook, project / "nb" / "typed.ipynb")
    result = run_notebook_once("nb/typed.ipynb", {"count": "21"}, settings=resolve())
    assert result.status == "ok" and result.records == {"double": 42}
    with pytest.raises(
        ConfigurationError, match="parameter count must be a whole number, got 'many'"
    ):
        run_notebook_once("nb/typed.ipynb", {"count": "many"}, settings=resolve())
    with pytest.raises(ConfigurationError, match="has no parameter size"):
        run_notebook_once("nb/typed.ipynb", {"size": "1"}, settings=resolve())


def test_settings_given_to_the_runner_reach_the_notebooks(project: Path) -> None:
    _notebook(
        project / "nb" / "good.ipynb",
        "from opsbook.settings import resolve\n"
        "record(data_dir=str(resolve().data_dir), backend=resolve().backend)",
    )
    elsewhere = project / "exports" / "acme"
    run = run_suite("nightly", run_date=DAY, settings=resolve(data_dir=str(elsewhere)))
    assert run.notebooks[0].records == {"data_dir": str(elsewhere), "backend": "local"}
    assert "OPSBOOK_DATA_DIR" not in os.environ, "restored after the run"


def test_the_index_writes_headlines_for_people_and_pages_hide_the_records(project: Path) -> None:
    _notebook(
        project / "nb" / "good.ipynb",
        'record(total_cost=1234.5, share=0.25, rows=[{"a": 1}], findings=["cost rose"], '
        'status="FINDING")',
    )
    run = run_suite("nightly", run_date=DAY, settings=resolve())
    index = (run.folder / "index.html").read_text()
    assert "$1,234.50" in index and "25.0%" in index and "<li>cost rose</li>" in index
    assert 'class="badge FINDING"' in index
    assert "{'a': 1}" not in index and "[{" not in index, "rows of records stay in summary.json"
    page = (run.folder / "good.html").read_text()
    assert "total_cost" not in page and "1234.5" not in page, "no record dump in the page"
    notebook = nbformat.read(run.folder / "good.ipynb", as_version=4)
    assert notebook.metadata["opsbook"]["records"]["total_cost"] == 1234.5
    summary = json.loads((run.folder / "summary.json").read_text())
    assert summary["notebooks"][0]["kinds"]["total_cost"] == "money"
