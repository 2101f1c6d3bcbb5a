"""Run report suites: notebooks executed headless in parallel, exported to HTML, indexed.

A run writes ``<output_dir>/<suite>/<run-date>/`` holding each executed notebook, its HTML (inputs
hidden, plotly embedded once per page so it opens offline), ``summary.json`` and ``index.html``.
It is built in a temporary folder and renamed into place only when every notebook succeeded, so a
failed or interrupted run never replaces the last good report; a failed run is kept beside it as
``<run-date>.failed/``, each failed notebook saved with its error as the log.

Two runs of the same suite and date cannot race: a run holds a lock (``.<run-date>.lock`` in the
suite folder) and a second one fails at once naming the first (its pid and start time). An
interrupted run (Ctrl-C, SIGTERM) kills its kernels, so it stops within seconds, and removes its
work folder. A reports folder that cannot be written (read-only, full disk, no permission) is an
:class:`~opsbook.errors.OpsbookError` naming the folder; a run whose notebooks ran but could not be
published keeps them where it can (its work folder, else a temporary folder) and says where.

Examples
--------
>>> run = run_suite("daily", jobs=2)  # doctest: +SKIP
>>> run.index  # doctest: +SKIP
PosixPath('reports/daily/2026-11-22/index.html')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import html
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from opsbook import clock
from opsbook.errors import ConfigurationError, OpsbookError, ReportFailedError
from opsbook.present import ERROR, FINDING, format_value
from opsbook.runner._ahead import KernelsAhead, last_seconds, order_longest_first
from opsbook.runner._execute import (
    NotebookRun,
    allow_kernels,
    check_parameters,
    execute_notebook,
    kernel_manager_class,
    stop_kernels,
)
from opsbook.runner._kernel import ensure_kernel
from opsbook.runner._suites import load_suites
from opsbook.settings import Settings, find_project_root, resolve

__all__ = ["SuiteRun", "run_notebook_once", "run_suite"]


@dataclass
class SuiteRun:
    """The outcome of a suite run: where it landed and each notebook's result."""

    suite: str
    run_date: str
    folder: Path
    notebooks: list[NotebookRun]
    redacted: bool = False

    @property
    def ok(self) -> bool:
        """Whether every notebook succeeded."""
        return all(n.status == "ok" for n in self.notebooks)

    @property
    def index(self) -> Path:
        """The run's ``index.html``."""
        return self.folder / "index.html"


def run_suite(
    suite: str,
    *,
    run_date: dt.date | None = None,
    parameters: Mapping[str, Any] | None = None,
    jobs: int | None = None,
    redact: bool = False,
    settings: Settings | None = None,
    progress: Callable[[str], None] | None = None,
) -> SuiteRun:
    """Execute every notebook of ``suite`` (up to ``jobs`` at once) and publish the run atomically.

    Parameters
    ----------
    suite
        Name of a suite in ``suites.yaml``.
    run_date
        Date the run is filed under and relative dates are computed from (UTC today by default).
    parameters
        Extra parameters for every notebook, on top of the suite's own; each must be declared in
        the notebook's ``parameters`` cell with a matching type.
    jobs
        Notebooks executed in parallel, each in its own kernel (default: the number of cores).
    redact
        Mask account ids, ARNs and IP addresses in every output: the executed notebooks (their
        parameters and metadata too), their HTML, ``summary.json``, ``index.html`` and the
        notifications.
    settings
        Settings whose ``output_dir`` receives the run; resolved from the project by default.
    progress
        Called with a line of text as notebooks start and finish.

    Returns
    -------
    SuiteRun
        The published run.

    Raises
    ------
    ReportFailedError
        When a notebook failed; the run is kept as ``<run-date>.failed`` and the last good
        report is left as it was.
    ConfigurationError
        For an unknown suite, a missing notebook or a parameter the notebook does not declare.
    OpsbookError
        When another run of the same suite and date is running, or the reports folder cannot be
        written.
    KeyboardInterrupt
        When interrupted: the kernels are killed and the work folder removed first.
    """
    settings = settings or resolve()
    root = find_project_root()
    suites = load_suites(root)
    if suite not in suites:
        raise ConfigurationError(
            f"unknown suite {suite!r}; suites in suites.yaml: {', '.join(sorted(suites))}"
        )
    run_date = run_date or clock.today()
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise ConfigurationError(f"--jobs must be at least 1, got {jobs}")
    say = progress or (lambda line: None)
    # Everything is checked before the first kernel starts.
    plan = [
        (
            entry,
            check_parameters(root / entry.path, {**entry.resolved(run_date), **(parameters or {})}),
        )
        for entry in suites[suite].notebooks
    ]

    home = Path(settings.output_dir) / suite
    with _writing(home, "create the suite's reports folder"):
        home.mkdir(parents=True, exist_ok=True)
    with _run_lock(home, suite, run_date.isoformat()):
        _remove_stale_work(home, run_date.isoformat())
        work = home / f".{run_date}.partial-{uuid.uuid4().hex[:8]}"
        with _writing(work, "create the run's work folder"):
            work.mkdir()
        # Longest first (by the last published run), so that the workers finish together.
        seconds = last_seconds(home)
        order = order_longest_first([Path(entry.path).name for entry, _ in plan], seconds)
        outcome = _execute_all(
            suite, run_date, [plan[i] for i in order], root, work, jobs, redact, settings, say
        )
        # the summary and index list the notebooks in the suite's order
        outcome.notebooks = [run for _, run in sorted(zip(order, outcome.notebooks, strict=True))]
        return _finish(outcome, home, work)


def _execute_all(
    suite: str,
    run_date: dt.date,
    plan: list[tuple[Any, dict[str, Any]]],
    root: Path,
    work: Path,
    jobs: int,
    redact: bool,
    settings: Settings,
    say: Callable[[str], None],
) -> SuiteRun:
    """Run the plan's notebooks into ``work``; on an interrupt kill the kernels, remove ``work``.

    Each worker's next kernel starts while its current notebook runs (:class:`KernelsAhead`).
    """
    kernels: KernelsAhead | None = None

    def run(item: tuple[Any, dict[str, Any]]) -> NotebookRun:
        entry, values = item
        source = root / entry.path
        say(f"start  {entry.path}")
        result = execute_notebook(
            source,
            work / source.name,
            parameters=values,
            timeout=entry.timeout,
            cwd=root,
            redact=redact,
            kernel=kernels.take() if kernels is not None else None,
        )
        say(f"{result.status:6} {entry.path} in {result.seconds:.1f} s")
        return result

    allow_kernels()
    workers = min(jobs, len(plan))
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        with _environment(settings.as_environment()):  # kernels started ahead inherit it too
            kernels = KernelsAhead(len(plan), workers, manager_class=kernel_manager_class(),
                                   kernel_name=ensure_kernel(), cwd=root)  # fmt: skip
            try:
                runs = list(pool.map(run, plan))
            finally:
                kernels.close()
        pool.shutdown()
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): stop now, leave no half-built run
        stop_kernels()
        pool.shutdown(wait=False, cancel_futures=True)
        _wait_for_workers(pool)
        shutil.rmtree(work, ignore_errors=True)
        raise
    return SuiteRun(suite, run_date.isoformat(), work, runs, redacted=redact)


def _wait_for_workers(pool: ThreadPoolExecutor, seconds: float = 10.0) -> None:
    """Wait up to ``seconds`` for the pool's threads, killing kernels started meanwhile."""
    end = time.monotonic() + seconds
    for thread in list(getattr(pool, "_threads", ())):
        while thread.is_alive() and time.monotonic() < end:
            stop_kernels()
            thread.join(0.2)


def _finish(outcome: SuiteRun, home: Path, work: Path) -> SuiteRun:
    """Write the summary and publish the run (or its ``.failed`` folder); raise when it failed."""
    suite = outcome.suite
    try:
        write_summary(outcome)
        target = home / (outcome.run_date if outcome.ok else f"{outcome.run_date}.failed")
        outcome.folder = _publish(work, target)
    except OSError as error:
        kept = _keep(work, suite, outcome.run_date)
        raise OpsbookError(
            f"could not publish the {suite} run of {outcome.run_date} into {home}: "
            f"{_why(error)}. {kept}"
        ) from None
    if outcome.ok:
        return outcome
    failed = [n for n in outcome.notebooks if n.status != "ok"]
    details = "; ".join(f"{n.notebook}: {n.error}" for n in failed)
    raise ReportFailedError(
        f"{len(failed)} of {len(outcome.notebooks)} notebooks failed in suite {suite!r} "
        f"({details}). The failed notebooks are kept in {outcome.folder}; "
        "the last good report was left untouched",
        run=outcome,
    )


def run_notebook_once(
    notebook: str | Path,
    parameters: Mapping[str, str],
    *,
    settings: Settings | None = None,
    now: dt.datetime | None = None,
    redact: bool = False,
) -> NotebookRun:
    """Run one notebook with command-line parameters into ``<output_dir>/runs/<name>/<time>/``.

    The strings are converted to the types the notebook declares; undeclared names and values of
    the wrong type are errors before anything runs. The executed notebook and its HTML are kept
    whether or not it failed (the failed notebook is the log).
    """
    settings = settings or resolve()
    root = find_project_root()
    source = Path(notebook) if Path(notebook).is_absolute() else root / notebook
    values = check_parameters(source, parameters, from_text=True)
    stamp = (now or clock.now().to_pydatetime()).strftime("%Y-%m-%dT%H%M%SZ")
    folder = Path(settings.output_dir) / "runs" / source.stem / stamp
    folder.mkdir(parents=True, exist_ok=True)
    with _environment(settings.as_environment()):
        return execute_notebook(
            source, folder / source.name, parameters=values, cwd=root, redact=redact
        )


@contextlib.contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Set ``variables`` while kernels start (they inherit them), then restore the old values."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


#: What a failed write means for the user, by errno.
_WRITE_FAILURES = {
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def _why(error: OSError) -> str:
    return _WRITE_FAILURES.get(error.errno or 0) or str(error.strerror or error)


@contextlib.contextmanager
def _writing(folder: Path, what: str) -> Iterator[None]:
    """Turn a failed write under ``folder`` into an :class:`OpsbookError` saying what to do."""
    try:
        yield
    except OSError as error:
        if error.errno not in _WRITE_FAILURES:
            raise
        raise OpsbookError(
            f"cannot {what} {folder}: {_why(error)}. Free space or fix the permissions there, "
            "or point output_dir (OPSBOOK_OUTPUT_DIR) at a writable folder"
        ) from None


def _keep(work: Path, suite: str, run_date: str) -> str:
    """Keep an unpublished run's notebooks where it can and say where they are.

    They go to a temporary folder, else stay in the work folder.
    """
    spare = None
    try:
        spare = Path(tempfile.mkdtemp(prefix=f"opsbook-{suite}-{run_date}-"))
        shutil.copytree(work, spare, dirs_exist_ok=True)
    except OSError:
        if spare is not None:
            shutil.rmtree(spare, ignore_errors=True)
        if any(work.glob("*.ipynb")):
            return f"The executed notebooks are left in {work}; copy them before the next run"
        return "The executed notebooks could not be kept"
    shutil.rmtree(work, ignore_errors=True)
    return f"The executed notebooks are kept in {spare}"


@contextlib.contextmanager
def _run_lock(home: Path, suite: str, run_date: str) -> Iterator[None]:
    """Hold the lock of ``suite``'s run of ``run_date``; fail at once, naming the holder, if taken.

    The lock is ``flock`` on ``.<run-date>.lock`` (released by the system when the process dies),
    holding the owner's pid and start time; the file is removed when the run ends.
    """
    path = home / f".{run_date}.lock"
    while True:
        with _writing(home, "create the run's lock file in"):
            handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise OpsbookError(
                f"the {suite} run of {run_date} is already running ({holder}; lock {path}). "
                "Wait for it to finish, or stop it; the lock goes when that process ends"
            ) from None
        try:
            same = os.fstat(handle.fileno()).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()  # the file was removed by the run that just ended: lock the new one
    started = clock.now().to_pydatetime().isoformat(timespec="seconds")
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}, started {started}\n")
    handle.flush()
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        handle.close()


def _remove_stale_work(home: Path, run_date: str) -> None:
    """Remove work folders a killed earlier run of this date left behind.

    The caller holds the lock, so none of them is in use.
    """
    for folder in home.glob(f".{run_date}.partial-*"):
        shutil.rmtree(folder, ignore_errors=True)


def _publish(work: Path, target: Path) -> Path:
    """Move the finished run to ``target``, replacing an older run of the same name."""
    old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
    if target.exists():
        target.rename(old)
    work.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def write_summary(run: SuiteRun) -> None:
    """Write the run's ``summary.json`` and ``index.html`` into its folder.

    ``summary.json`` keeps every recorded value as recorded, with its kind; ``index.html``
    writes them for people: each report's status, its findings, then its headline figures
    (``$90,892.31``, ``93.0%``), never a raw Python value or a table of records.
    """
    summary = {
        "suite": run.suite,
        "run_date": run.run_date,
        "status": "ok" if run.ok else "failed",
        "finished_at": clock.now().to_pydatetime().isoformat(timespec="seconds"),
        "notebooks": [asdict(n) for n in run.notebooks],
        "inputs_skipped": [
            {"notebook": n.notebook, **skip}
            for n in run.notebooks
            for skip in n.records.get("inputs_skipped", [])
        ],
    }
    (run.folder / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    rows = "\n".join(_index_row(n) for n in run.notebooks)
    title = html.escape(f"opsbook · {run.suite} · {run.run_date}")
    failed = sum(n.status != "ok" for n in run.notebooks)
    attention = sum(n.records.get("status") in (FINDING, ERROR) for n in run.notebooks)
    line = f"{len(run.notebooks)} reports" + (f", {failed} failed" if failed else "") + (
        f", {attention} with findings to look at" if attention else "")  # fmt: skip
    (run.folder / "index.html").write_text(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
*, *::before, *::after {{ box-sizing: border-box; }}
body {{ font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
  max-width: 68rem; padding: 0 1.5rem; color: #1f2328; }}
h1 {{ margin-bottom: .2rem; }} .sub {{ color: #57606a; margin-top: 0; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
th, td {{ text-align: left; padding: .5rem .6rem; border-bottom: 1px solid #d0d7de;
  vertical-align: top; overflow-wrap: anywhere; }}
col.report {{ width: 11rem; }} col.status {{ width: 7rem; }} col.time {{ width: 5rem; }}
td.time {{ text-align: right; color: #57606a; font-variant-numeric: tabular-nums; }}
ul {{ margin: 0; padding-left: 1.1rem; }} li {{ margin: .1rem 0; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .05rem .8rem;
  margin: .4rem 0 0; color: #57606a; font-size: 13px; }}
dt {{ font-weight: 600; }} dd {{ margin: 0; }}
.badge {{ display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: 12px;
  font-weight: 600; color: #fff; background: #57606a; }}
.PASS, .ok {{ background: #1a7f37; }} .FINDING {{ background: #9a6700; }}
.ERROR, .failed {{ background: #cf222e; }} .SKIPPED {{ background: #57606a; }}
.error {{ color: #cf222e; }}
</style></head>
<body><h1>{title}</h1>
<p class="sub">{html.escape(line)}</p>
<table><colgroup><col class="report"><col class="status"><col><col class="time"></colgroup>
<thead><tr><th>report</th><th>status</th><th>headlines</th><th>time</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""
    )


#: Recorded values the index never lists as figures: shown otherwise, or not for people.
_NOT_FIGURES = {"findings", "status", "query_costs"}


def _index_row(run: NotebookRun) -> str:
    link = html.escape(run.html or run.output)
    name = html.escape(Path(run.notebook).stem)
    status = "failed" if run.status != "ok" else str(run.records.get("status") or "ok")
    badge = f'<span class="badge {html.escape(status)}">{html.escape(status)}</span>'
    if run.error:
        body = f'<p class="error">{html.escape(run.error)}</p>'
    else:
        found = run.records.get("findings") or []
        found = found if isinstance(found, list) else [found]
        items = "".join(f"<li>{html.escape(format_value(f, 'text'))}</li>" for f in found)
        figures = "".join(
            f"<dt>{html.escape(key.replace('_', ' '))}</dt><dd>{html.escape(text)}</dd>"
            for key, value in run.records.items()
            if key not in _NOT_FIGURES and (text := _figure(value, run.kinds.get(key)))
        )
        body = (f"<ul>{items}</ul>" if items else "") + (f"<dl>{figures}</dl>" if figures else "")
    return (
        f'<tr><td><a href="{link}">{name}</a></td><td>{badge}</td><td>{body}</td>'
        f'<td class="time">{run.seconds:.0f} s</td></tr>'
    )


def _figure(value: Any, kind: str | None) -> str:
    """Return a recorded value as people read it; empty for rows of records and empty values."""
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return ""  # rows of a table: the report shows them, summary.json keeps them
    if isinstance(value, dict) and any(isinstance(v, dict | list) for v in value.values()):
        return ""
    return format_value(value, kind)
