"""``support.notebooks.execute`` keeps a kernel per working folder and environment.

A run on a kept kernel must be a run on a new one for the notebook: its namespace empty, its
first cell ``[1]``, the read-only guard off, the environment as the kernel inherited it. A run
that fails takes its kernel with it; another environment is another kernel.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from opsbook.runner import read_records
from papermill.exceptions import PapermillExecutionError
from support.notebooks import execute

pytestmark = pytest.mark.kernel  # starts notebook kernels

KERNEL = {"kernelspec": {"name": "opsbook", "display_name": "opsbook", "language": "python"}}
PROBE = """\
import os
from opsbook import backends, record
record(pid=os.getpid(), step=step, seen="left" in globals(), guarded=backends.read_only_enabled(),
       backend=os.environ.get("OPSBOOK_BACKEND"), now=os.environ.get("OPSBOOK_NOW"))
left = step
backends.enable_read_only()
os.environ["OPSBOOK_BACKEND"] = "aws"
assert not fail, "the run fails"
"""


@pytest.fixture
def probe(tmp_path: Path) -> Path:
    """A notebook that records its kernel's process and what an earlier run could have left."""
    cells = [new_code_cell("step = 0\nfail = False", metadata={"tags": ["parameters"]}),
             new_code_cell(PROBE)]  # fmt: skip
    path = tmp_path / "probe.ipynb"
    nbformat.write(new_notebook(cells=cells, metadata=KERNEL), path)
    return path


def _run(probe: Path, step: int, fail: bool = False) -> dict:
    executed = execute(probe, probe.parent, {"step": step, "fail": fail}, name=f"run-{step}.ipynb")
    assert [cell.execution_count for cell in executed.cells][:2] == [1, 2]
    return read_records(executed)


def test_runs_share_a_kernel_and_start_as_in_a_new_one(probe: Path) -> None:
    first, second = _run(probe, 1), _run(probe, 2)
    assert second["pid"] == first["pid"]
    for run in (first, second):
        assert run["seen"] is False and run["guarded"] is False
        assert (
            run["backend"] == "local"
        )  # as support.session sets it, not as the earlier run left it


def test_a_failing_run_takes_its_kernel_with_it(probe: Path) -> None:
    before = _run(probe, 1)
    with pytest.raises(PapermillExecutionError, match="the run fails"):
        _run(probe, 2, fail=True)
    assert _run(probe, 3)["pid"] != before["pid"]


def test_another_environment_is_another_kernel(
    probe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _run(probe, 1)
    monkeypatch.setenv("OPSBOOK_NOW", "2026-11-15T06:00:00Z")
    pinned = _run(probe, 2)
    assert pinned["pid"] != first["pid"] and pinned["now"] == "2026-11-15T06:00:00Z"
    monkeypatch.undo()
    assert _run(probe, 3)["pid"] == first["pid"]  # the first kernel was kept
