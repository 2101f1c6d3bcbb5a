"""Suites start each notebook's kernel ahead and run the longest notebooks first."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from opsbook.runner import run_suite
from opsbook.runner._ahead import KernelsAhead, last_seconds, order_longest_first
from opsbook.runner._execute import kernel_manager_class
from opsbook.runner._kernel import ensure_kernel
from opsbook.settings import resolve

pytestmark = pytest.mark.kernel  # starts notebook kernels

DAY = dt.date(2026, 11, 15)
KERNELSPEC = {"name": "opsbook", "display_name": "Python (opsbook)", "language": "python"}


def _notebook(path: Path, body: str) -> None:
    cells = [new_code_cell("from opsbook import record"), new_code_cell(body)]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}), path)


def test_longest_first_by_the_last_published_run(tmp_path: Path) -> None:
    (tmp_path / "2026-11-14").mkdir()
    (tmp_path / "2026-11-14" / "summary.json").write_text(
        json.dumps(
            {
                "notebooks": [
                    {"notebook": "a.ipynb", "seconds": 2.0},
                    {"notebook": "b.ipynb", "seconds": 5.0},
                ]
            }
        )  # fmt: skip
    )
    (tmp_path / ".2026-11-15.partial-1").mkdir()  # a run in progress is not read
    seconds = last_seconds(tmp_path)
    assert seconds == {"a.ipynb": 2.0, "b.ipynb": 5.0}
    # a notebook the last run did not have goes first: it may be the longest
    assert order_longest_first(["a.ipynb", "b.ipynb", "new.ipynb"], seconds) == [2, 1, 0]
    assert order_longest_first(["a.ipynb", "b.ipynb"], {}) == [0, 1]


def test_kernels_started_ahead_run_notebooks_and_none_is_left_running(clean_env: Path) -> None:
    (clean_env / "opsbook.toml").write_text('output_dir = "out"\n')
    (clean_env / "nb").mkdir()
    names = ["one", "two", "three"]
    for name in names:
        _notebook(clean_env / "nb" / f"{name}.ipynb",
                  f"import os\nrecord(name='{name}', cwd=os.getcwd(), pid=os.getpid())")  # fmt: skip
    (clean_env / "suites.yaml").write_text(
        "nightly:\n  notebooks:\n" + "".join(f"    - path: nb/{n}.ipynb\n" for n in names)
    )
    run = run_suite("nightly", run_date=DAY, jobs=2, settings=resolve())
    assert [n.notebook for n in run.notebooks] == [f"{n}.ipynb" for n in names]  # suite order
    records = [n.records for n in run.notebooks]
    assert [r["name"] for r in records] == names
    assert {r["cwd"] for r in records} == {str(clean_env)}
    assert len({r["pid"] for r in records}) == 3  # a kernel per notebook


def test_kernels_never_taken_are_stopped(tmp_path: Path) -> None:
    kernels = KernelsAhead(3, 2, manager_class=kernel_manager_class(),
                           kernel_name=ensure_kernel(), cwd=tmp_path)  # fmt: skip
    first = kernels.take()
    assert first is not None and first.is_alive()
    kernels.close()  # the others are stopped; no more are started
    assert kernels.take() is None
    first.shutdown_kernel(now=True)
