"""Run one notebook headless: parameters checked against its ``parameters`` cell, HTML exported.

Papermill only warns about a parameter the notebook does not declare and never checks types;
here both are errors, raised before a kernel starts. A failed notebook is kept as the log of the
failure (papermill saves it with the error in place), and a kernel that died is retried.
:func:`stop_kernels` kills every kernel this process started, so an interrupted run stops within
seconds instead of waiting for the running cells.

Examples
--------
>>> params = declared_parameters("notebooks/sample-overview.ipynb")  # doctest: +SKIP
>>> params["backend"].type, params["backend"].help  # doctest: +SKIP
('str', '"local" or "aws"; empty: from OPSBOOK_BACKEND or opsbook.toml')
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from opsbook.errors import ConfigurationError
from opsbook.runner._export import HIDDEN_TAG, export_html
from opsbook.runner._kernel import ensure_kernel
from opsbook.runner._parameters import check_values
from opsbook.runner._record import read_kinds, read_records
from opsbook.runner._redact import redact_notebook, redact_value

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "NotebookRun",
    "Parameter",
    "check_parameters",
    "declared_parameters",
    "allow_kernels",
    "execute_notebook",
    "redact_run",
    "stop_kernels",
]

DEFAULT_TIMEOUT_S = 600


@dataclass(frozen=True)
class Parameter:
    """A parameter declared in a notebook's ``parameters`` cell."""

    name: str
    type: str
    default: str
    help: str


@dataclass
class NotebookRun:
    """The outcome of one notebook: ``ok`` or ``failed``, with what it recorded.

    ``records`` holds the recorded values by name, ``kinds`` their kinds (``money``,
    ``percent``, ``count``, ...: see :mod:`opsbook.present`).
    """

    notebook: str
    status: str
    seconds: float
    parameters: dict[str, Any]
    output: str
    html: str | None = None
    records: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    attempts: int = 1
    costs: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


#: Kernel managers of the kernels running now, by the thread that runs them.
_RUNNING: dict[Any, int] = {}
_RUNNING_LOCK = threading.Lock()
_STOPPING = threading.Event()


@functools.cache
def kernel_manager_class() -> type:
    """Return a kernel manager class that registers each manager, so it can be stopped at once.

    The manager is synchronous, so that a kernel started ahead in one thread
    (:mod:`opsbook.runner._ahead`) can be handed to the thread that runs the notebook; its
    client is asynchronous: a blocking client waits for the next output of a killed kernel for
    ever. It keeps the client it made last, whose channels are closed when the kernel stops.
    """
    from jupyter_client.manager import KernelManager

    class TrackedKernelManager(KernelManager):
        client_class = "jupyter_client.asynchronous.AsyncKernelClient"

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.last_client: Any = None
            with _RUNNING_LOCK:
                _RUNNING[self] = threading.get_ident()

        def client(self, **kwargs: Any) -> Any:
            self.last_client = super().client(**kwargs)
            return self.last_client

    return TrackedKernelManager


def _adopt(manager: Any) -> None:
    """Register a kernel started ahead in another thread as this thread's."""
    with _RUNNING_LOCK:
        _RUNNING[manager] = threading.get_ident()


def stop_kernels() -> int:
    """Kill every kernel started by :func:`execute_notebook` in this process; return how many.

    Running notebooks then fail at once (their kernel died) and are not retried; notebooks not yet
    started are not started. Safe to call from a signal handler and more than once.

    Examples
    --------
    >>> stop_kernels()
    0
    >>> allow_kernels()
    """
    _STOPPING.set()
    with _RUNNING_LOCK:
        managers = list(_RUNNING)
    killed = 0
    for manager in managers:
        process = getattr(getattr(manager, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            try:
                process.kill()
                killed += 1
            except OSError:  # already gone
                pass
    return killed


def declared_parameters(path: str | Path) -> dict[str, Parameter]:
    """Return the parameters a notebook declares, in order.

    Raises
    ------
    ConfigurationError
        When the file is missing or is not a notebook.
    """
    import papermill

    path = Path(path)
    if not path.is_file():
        raise ConfigurationError(f"notebook not found: {path}")
    try:
        found = papermill.inspect_notebook(str(path))
    except Exception as error:  # not JSON, not a notebook
        raise ConfigurationError(f"cannot read notebook {path}: {error}") from None
    return {
        name: Parameter(
            name=name,
            type=str(spec.get("inferred_type_name") or "None"),
            default=str(spec.get("default")),
            help=str(spec.get("help") or ""),
        )
        for name, spec in found.items()
    }


def check_parameters(
    path: str | Path, values: Mapping[str, Any], *, from_text: bool = False
) -> dict[str, Any]:
    """Return ``values`` checked against the notebook's declared names and types.

    Parameters
    ----------
    path
        The notebook.
    values
        Parameter values, checked by the rules the notebook itself applies
        (:func:`opsbook.runner.check_values`): command-line text is converted to the declared
        type (``"7"`` for an ``int``, ``"true"`` for a ``bool``) where that is exact.
    from_text
        Kept for callers that pass command-line text: text is always converted where exact.

    Raises
    ------
    ConfigurationError
        For an undeclared name, naming what the notebook declares, or a value the parameter
        does not accept, naming the notebook, the parameter and what it accepts.

    Examples
    --------
    >>> check_parameters("notebooks/sample-overview.ipynb", {"backend": "aws"})  # doctest: +SKIP
    {'backend': 'aws'}
    """
    declared = declared_parameters(path)
    name = Path(path).name
    unknown = sorted(set(values) - set(declared))
    if unknown:
        listing = ", ".join(f"{p.name}: {p.type}" for p in declared.values()) or "(none)"
        raise ConfigurationError(
            f"{name} has no parameter {', '.join(unknown)}; it declares: {listing}"
        )
    try:
        return check_values(values, {key: p.type for key, p in declared.items()})
    except ConfigurationError as error:
        raise ConfigurationError(f"{name}: {error}") from None


def execute_notebook(
    source: Path,
    output: Path,
    *,
    parameters: Mapping[str, Any] | None = None,
    timeout: int = DEFAULT_TIMEOUT_S,
    cwd: Path | None = None,
    retries: int = 1,
    redact: bool = False,
    kernel: Any = None,
) -> NotebookRun:
    """Execute ``source`` with papermill into ``output`` and export its HTML beside it.

    A failure is returned as a ``failed`` :class:`NotebookRun` whose saved notebook (with the
    error in place) is the log, so one notebook's failure does not stop the others. A kernel that
    died is retried ``retries`` times; an error raised by the notebook's own code is not. With
    ``redact``, account ids, ARNs and IP addresses are masked in the saved notebook and HTML.
    ``kernel`` is the manager of a kernel already started in ``cwd``
    (:class:`opsbook.runner._ahead.KernelsAhead`), used by the first attempt and stopped after it.
    """
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    error = None
    attempts = 0
    runnable = _with_cost_cell(source, output)
    manager_class = kernel_manager_class()
    if kernel is not None:
        _adopt(kernel)
    while True:
        attempts += 1
        if _STOPPING.is_set():
            error = "interrupted before it started"
            break
        started_ahead = {"km": kernel} if kernel is not None and attempts == 1 else {}
        try:
            papermill.execute_notebook(
                str(runnable),
                str(output),
                parameters=dict(parameters or {}),
                kernel_name=ensure_kernel(),
                cwd=str(cwd or source.parent),
                execution_timeout=timeout,
                progress_bar=False,
                log_output=False,
                kernel_manager_class=manager_class,
                **started_ahead,
            )
            error = None
        except PapermillExecutionError as failure:
            error = f"cell {failure.exec_count}: {failure.ename}: {failure.evalue}"
        except DeadKernelError as failure:
            error = f"the kernel died: {failure}"
            if _STOPPING.is_set():
                error = "interrupted"
            elif attempts <= retries:
                continue
        except Exception as failure:  # timeout, bad notebook: the run must go on
            error = f"{type(failure).__name__}: {failure}"
        finally:
            if started_ahead:
                from opsbook.runner._ahead import stop_kernel

                stop_kernel(kernel)
            _forget_kernels()
        break
    runnable.unlink(missing_ok=True)
    if _STOPPING.is_set():  # interrupted: the caller removes the run, nothing to export
        return NotebookRun(source.name, "failed", 0.0, dict(parameters or {}), output.name,
                           error=error or "interrupted")  # fmt: skip
    records: dict[str, Any] = {}
    kinds: dict[str, str] = {}
    html = None
    if output.is_file():
        notebook = nbformat.read(output, as_version=4)
        if redact:
            notebook = redact_notebook(notebook)
        records, kinds = read_records(notebook), read_kinds(notebook)
        # the records in the notebook's metadata too: the page people read never shows them
        notebook.metadata["opsbook"] = {"records": records, "kinds": kinds}
        nbformat.write(notebook, output)
        html = output.with_suffix(".html")
        html.write_text(export_html(notebook))
    run = NotebookRun(
        notebook=source.name,
        status="failed" if error else "ok",
        seconds=round(time.perf_counter() - started, 2),
        parameters=dict(parameters or {}),
        output=output.name,
        html=html.name if html else None,
        records={k: v for k, v in records.items() if k != "query_costs"},
        error=error,
        attempts=attempts,
        costs=records.get("query_costs", {}),
        kinds={k: v for k, v in kinds.items() if k != "query_costs"},
    )
    return redact_run(run) if redact else run


def redact_run(run: NotebookRun) -> NotebookRun:
    """Mask account ids, ARNs and IPs in what a run carries to the summary, index and messages.

    Its parameters, records, error and query costs are masked in place.

    Examples
    --------
    >>> run = NotebookRun("a.ipynb", "ok", 1.0, {"account": "123456789012"}, "a.ipynb")
    >>> redact_run(run).parameters
    {'account': '********9012'}
    """
    run.parameters = redact_value(run.parameters)
    run.records = redact_value(run.records)
    run.costs = redact_value(run.costs)
    run.error = redact_value(run.error)
    return run


def _forget_kernels() -> None:
    """Drop the managers of the kernels this thread ran (papermill has shut them down)."""
    me = threading.get_ident()
    with _RUNNING_LOCK:
        for manager in [m for m, thread in _RUNNING.items() if thread == me]:
            del _RUNNING[manager]


def allow_kernels() -> None:
    """Let :func:`execute_notebook` start kernels again after :func:`stop_kernels`."""
    _STOPPING.clear()


def _with_cost_cell(source: Path, output: Path) -> Path:
    """Copy ``source`` beside ``output`` with a last, hidden cell recording the queries' cost."""
    notebook = nbformat.read(source, as_version=4)
    cell = nbformat.v4.new_code_cell(
        "from opsbook.runner import record_costs\nrecord_costs()",
        metadata={"tags": [HIDDEN_TAG]},
    )
    notebook.cells.append(cell)
    copy = output.with_name(f".{output.stem}.input.ipynb")
    copy.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, copy)
    return copy
