"""Run a notebook as the tests do: papermill, the opsbook kernel, the project as working folder.

:func:`execute` runs a notebook and returns it executed; :func:`records` returns what it recorded.
A run is shared: the same notebook with the same parameters, working folder and ``OPSBOOK_*`` /
``AWS_*`` environment executes once per test process, and later calls get a copy of the first
run's notebook, so several tests can assert on one execution. A run that can reach moto
(``AWS_ENDPOINT_URL`` is set: the ``aws_env`` fixture) is never shared: moto's state is the test's.

:func:`one_kernel` starts one kernel for many short runs (``execute(..., kernel=...)``): each run
still goes through papermill (its parameters injected after the ``parameters`` cell) and starts
with the empty namespace of a new kernel, but the modules its first cell imports are already
loaded: a run that fails in its setup cell takes a fraction of a second instead of a kernel start
and the imports.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
#: Executed notebooks of this process, by :func:`_key`.
_RUNS: dict[str, nbformat.NotebookNode] = {}


def execute(
    notebook: str | Path,
    output_dir: Path,
    parameters: dict[str, Any] | None = None,
    *,
    cwd: Path | None = None,
    name: str | None = None,
    kernel: Any = None,
) -> nbformat.NotebookNode:
    """Execute ``notebook`` (relative to the project, or absolute) with papermill; return it.

    The executed copy is written to ``output_dir / name`` (the notebook's file name by default);
    the kernel runs in ``cwd`` (the project by default), or is ``kernel``, a kernel of
    :func:`one_kernel` (its namespace emptied first; such a run is not shared). Papermill's errors
    propagate (a cell that fails raises :class:`papermill.exceptions.PapermillExecutionError`); a
    failed run is never shared. A shared run is written to ``output_dir`` too.
    """
    import papermill
    from opsbook.runner import ensure_kernel

    source = ROOT / notebook
    parameters = dict(parameters or {})
    output = output_dir / (name or source.name)
    if kernel is not None:
        assert cwd is None, "a kernel of one_kernel() runs in the project"
        _run_cell(kernel, "get_ipython().reset(new_session=False)")  # a new kernel's namespace
        papermill.execute_notebook(str(source), str(output), parameters=parameters,
                                   kernel_name=ensure_kernel(), progress_bar=False, km=kernel)  # fmt: skip
        return nbformat.read(output, as_version=4)
    key = _key(source, parameters, cwd)
    if key in _RUNS:
        nbformat.write(_RUNS[key], output)
        return copy.deepcopy(_RUNS[key])
    papermill.execute_notebook(
        str(source), str(output), parameters=parameters, kernel_name=ensure_kernel(),
        cwd=str(cwd or ROOT), progress_bar=False,
    )  # fmt: skip
    executed = nbformat.read(output, as_version=4)
    if key is not None:
        _RUNS[key] = copy.deepcopy(executed)
    return executed


@contextmanager
def one_kernel(env: dict[str, str] | None = None) -> Iterator[Any]:
    """Start one opsbook kernel in the project, with this environment and ``env``; yield it.

    Pass it to :func:`execute` (``kernel=``) for many short runs; it is shut down on leaving.
    """
    from nbclient import NotebookClient
    from opsbook.runner import ensure_kernel

    starter = NotebookClient(new_notebook(), kernel_name=ensure_kernel())
    starter.km = starter.create_kernel_manager()
    starter.start_new_kernel(cwd=str(ROOT), env={**os.environ, **(env or {})})
    try:
        yield starter.km
    finally:
        starter._cleanup_kernel()


def _run_cell(kernel: Any, source: str) -> None:
    from nbclient import NotebookClient

    NotebookClient(new_notebook(cells=[new_code_cell(source)]), km=kernel).execute()


def records(
    notebook: str | Path,
    output_dir: Path,
    parameters: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """What ``notebook`` recorded (``opsbook.record``) when run as :func:`execute` runs it."""
    from opsbook.runner import read_records

    return read_records(execute(notebook, output_dir, parameters, **options))


def _key(source: Path, parameters: dict[str, Any], cwd: Path | None) -> str | None:
    if "AWS_ENDPOINT_URL" in os.environ:
        return None
    environment = sorted(
        (name, value) for name, value in os.environ.items() if name.startswith(("OPSBOOK_", "AWS_"))
    )
    return json.dumps([str(source), parameters, str(cwd), environment], sort_keys=True, default=str)
