"""Run a notebook as the tests do: papermill, the opsbook kernel, the project as working folder.

:func:`execute` runs a notebook and returns it executed; :func:`records` returns what it recorded.
A run is shared: the same notebook with the same parameters, working folder and ``OPSBOOK_*`` /
``AWS_*`` environment executes once per test process, and later calls get a copy of the first
run's notebook, so several tests can assert on one execution. A run that can reach moto
(``AWS_ENDPOINT_URL`` is set: the ``aws_env`` fixture) is never shared: moto's state is the test's.

A run goes through papermill (its parameters injected after the ``parameters`` cell) on a kernel
this process keeps: one per working folder and environment, so a run on the same ones skips the
kernel start and the imports (about a second of CPU each). Before each run :data:`RESET` gives
the kernel what a new kernel has: an empty namespace, ``[1]`` as the first cell's count, the
working folder and ``OPSBOOK_*`` / ``AWS_*`` variables it started with, and opsbook's per-run
state reset (query costs, skipped files, the magics' settings, the read-only guard, boto3 clients,
the run clock). What stays is what a JupyterLab kernel re-running a notebook keeps too: imported
modules and the readers' in-memory caches, each keyed by its files' identity (path, size,
modification time) or by the text it parsed, so a changed file is read again. A run that raises
(a cell error, a timeout, a dead kernel) shuts its kernel down: the next run starts a new one. ``fresh=True`` runs on a new kernel of its own (a test of what a new process does:
the run clock counting the imports). The kept kernels are shut down at the end of the session
(:func:`shutdown`, called by :mod:`support.session`).

:func:`one_kernel` starts one kernel for many short runs (``execute(..., kernel=...)``), failing
runs included: a run that fails in its setup cell takes a fraction of a second instead of a
kernel start and the imports.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
#: Executed notebooks of this process, by :func:`_key`.
_RUNS: dict[str, nbformat.NotebookNode] = {}
#: Kernels kept for the next run, by :func:`_kernel_key`, least recently used first.
_KERNELS: OrderedDict[str, Any] = OrderedDict()
#: How many kernels a process keeps (each holds its imports and its readers' caches).
KEPT = 4
#: Variables a kernel inherits that say nothing about it: they change from test to test.
_UNRELATED = frozenset({"PYTEST_CURRENT_TEST"})

#: Run before each run on a kept kernel: what a new kernel has (see the module's notes).
RESET = """\
import os, sys, time, warnings
shell = get_ipython()
if not hasattr(shell, "_opsbook_new"):  # the first run: the kernel as it started
    shell._opsbook_new = os.getcwd(), {
        name: value for name, value in os.environ.items() if name.startswith(("OPSBOOK_", "AWS_"))
    }
folder, settings = shell._opsbook_new
os.chdir(folder)
for name in [n for n in os.environ if n.startswith(("OPSBOOK_", "AWS_")) and n not in settings]:
    del os.environ[name]
os.environ.update(settings)
with warnings.catch_warnings():  # leaving it forgets where each warning was shown
    pass
warnings.onceregistry.clear()  # and which were shown once
shell.extension_manager.loaded.discard("opsbook")  # %load_ext opsbook registers the magics again
for module, function in [
    ("opsbook.queries.ledger", "reset"),  # the costs of the run's queries
    ("opsbook.queries.skips", "reset"),  # the files the run skipped
    ("opsbook.magics", "reset_session"),  # the magics' settings
    ("opsbook.backends.aws", "disable_read_only"),  # a runbook's read-only guard
    ("opsbook.backends.aws", "reset"),  # boto3 sessions and clients (retry quota, credentials)
]:
    if module in sys.modules:
        getattr(sys.modules[module], function)()
if "opsbook" in sys.modules:  # the run clock (incident.seconds_since_import) starts now
    sys.modules["opsbook"].IMPORTED_AT = time.perf_counter()
shell.execution_count = 1  # the run's first cell is [1], as in a new kernel
shell.reset(new_session=False)  # the namespace of a new kernel (last: it removes these names)
"""


def execute(
    notebook: str | Path,
    output_dir: Path,
    parameters: dict[str, Any] | None = None,
    *,
    cwd: Path | None = None,
    name: str | None = None,
    kernel: Any = None,
    fresh: bool = False,
) -> nbformat.NotebookNode:
    """Execute ``notebook`` (relative to the project, or absolute) with papermill; return it.

    The executed copy is written to ``output_dir / name`` (the notebook's file name by default);
    the kernel runs in ``cwd`` (the project by default): a kept kernel of this working folder and
    environment, a new one with ``fresh=True`` (not a shared run's copy either), or ``kernel``, a
    kernel of :func:`one_kernel` (its namespace emptied first; such a run is not shared).
    Papermill's errors propagate (a cell that fails raises
    :class:`papermill.exceptions.PapermillExecutionError`); a failed run is never shared. A
    shared run is written to ``output_dir`` too.
    """
    import papermill
    from opsbook.runner import ensure_kernel

    source = ROOT / notebook
    parameters = dict(parameters or {})
    output = output_dir / (name or source.name)
    if kernel is not None:
        assert cwd is None and not fresh, "a kernel of one_kernel() runs in the project"
        try:
            _run_cell(kernel, "get_ipython().reset(new_session=False)")  # a new kernel's namespace
            papermill.execute_notebook(str(source), str(output), parameters=parameters,
                                       kernel_name=ensure_kernel(), progress_bar=False, km=kernel)  # fmt: skip
        finally:
            _close_clients(kernel)
        return nbformat.read(output, as_version=4)
    key = _key(source, parameters, cwd)
    if key in _RUNS and not fresh:
        nbformat.write(_RUNS[key], output)
        return copy.deepcopy(_RUNS[key])
    folder = Path(cwd or ROOT)
    if fresh:
        papermill.execute_notebook(
            str(source), str(output), parameters=parameters, kernel_name=ensure_kernel(),
            cwd=str(folder), progress_bar=False,
        )  # fmt: skip
    else:
        _run_kept(source, output, parameters, folder)
    executed = nbformat.read(output, as_version=4)
    if key is not None:
        _RUNS[key] = copy.deepcopy(executed)
    return executed


def _run_kept(source: Path, output: Path, parameters: dict[str, Any], folder: Path) -> None:
    """Run papermill on the kept kernel of ``folder`` and this environment; keep it if all went well."""
    import papermill
    from opsbook.runner import ensure_kernel

    key = _kernel_key(folder)
    started = _KERNELS.pop(key, None)
    if started is None or not _alive(started):
        if started is not None:
            _stop(started)
        started = _start(folder, dict(os.environ))
    try:
        _run_cell(started.km, RESET)
        papermill.execute_notebook(str(source), str(output), parameters=parameters,
                                   kernel_name=ensure_kernel(), progress_bar=False, km=started.km)  # fmt: skip
    except BaseException:
        _stop(started)
        raise
    _close_clients(started.km)
    _KERNELS[key] = started
    while len(_KERNELS) > KEPT:
        _stop(_KERNELS.popitem(last=False)[1])


def shutdown() -> int:
    """Shut down the kernels this process keeps; return how many (the end of a session)."""
    count = len(_KERNELS)
    while _KERNELS:
        _stop(_KERNELS.popitem()[1])
    return count


@contextmanager
def one_kernel(env: dict[str, str] | None = None) -> Iterator[Any]:
    """Start one opsbook kernel in the project, with this environment and ``env``; yield it.

    Pass it to :func:`execute` (``kernel=``) for many short runs; it is shut down on leaving.
    """
    started = _start(ROOT, {**os.environ, **(env or {})})
    try:
        yield started.km
    finally:
        _stop(started)


def _start(folder: Path, env: dict[str, str]) -> Any:
    """Start an opsbook kernel in ``folder`` with ``env``; return its client (``.km``: the kernel)."""
    from nbclient import NotebookClient
    from opsbook.runner import ensure_kernel

    starter = NotebookClient(new_notebook(), kernel_name=ensure_kernel(),
                             kernel_manager_class=_manager_class(), shutdown_kernel="immediate")  # fmt: skip
    starter.km = starter.create_kernel_manager()
    starter.start_new_kernel(cwd=str(folder), env=env)
    return starter


def _stop(started: Any) -> None:
    _close_clients(started.km)
    started._cleanup_kernel()


def _alive(started: Any) -> bool:
    from jupyter_core.utils import run_sync

    return bool(run_sync(started.km.is_alive)())


@functools.cache
def _manager_class() -> type:
    """A kernel manager that remembers the clients it made, so a kept kernel's can be closed.

    Papermill and nbclient leave the client of a kernel they did not start open (its sockets).
    """
    from jupyter_client.manager import AsyncKernelManager

    class Manager(AsyncKernelManager):
        def client(self, **kwargs: Any) -> Any:
            made = super().client(**kwargs)
            self.clients = [*getattr(self, "clients", []), made]
            return made

    return Manager


def _close_clients(kernel: Any) -> None:
    for client in getattr(kernel, "clients", []):
        client.stop_channels()
    kernel.clients = []


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


def _kernel_key(folder: Path) -> str:
    """What a kernel started now would differ by: its working folder and the environment."""
    environment = sorted(item for item in os.environ.items() if item[0] not in _UNRELATED)
    return json.dumps([str(folder), environment])
