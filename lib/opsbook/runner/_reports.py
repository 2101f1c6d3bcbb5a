"""Run report suites: notebooks executed headless in parallel, exported to HTML, indexed.

A run writes ``<output_dir>/<suite>/<run-date>/`` holding each executed notebook, its HTML (inputs
hidden, plotly embedded once per page so it opens offline), ``summary.json`` and ``index.html``.
It is built in a temporary folder and renamed into place only when every notebook succeeded, so a
failed or interrupted run never replaces the last good report; a failed run is kept beside it as
``<run-date>.failed/``, each failed notebook saved with its error as the log.

Examples
--------
>>> run = run_suite("daily", jobs=2)  # doctest: +SKIP
>>> run.index  # doctest: +SKIP
PosixPath('reports/daily/2026-11-22/index.html')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from opsbook import clock
from opsbook.errors import ConfigurationError, ReportFailedError
from opsbook.present import ERROR, FINDING, format_value
from opsbook.runner._execute import NotebookRun, check_parameters, execute_notebook
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
        Mask account ids, ARNs and IP addresses in the published notebooks and HTML.
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
    home.mkdir(parents=True, exist_ok=True)
    work = home / f".{run_date}.partial-{uuid.uuid4().hex[:8]}"
    work.mkdir()

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
        )
        say(f"{result.status:6} {entry.path} in {result.seconds:.1f} s")
        return result

    try:
        with (
            _environment(settings.as_environment()),
            ThreadPoolExecutor(max_workers=min(jobs, len(plan))) as pool,
        ):
            runs = list(pool.map(run, plan))
        outcome = SuiteRun(suite, run_date.isoformat(), work, runs)
        write_summary(outcome)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)  # interrupted: leave no half-built run behind
        raise
    if outcome.ok:
        outcome.folder = _publish(work, home / outcome.run_date)
        return outcome
    outcome.folder = _publish(work, home / f"{outcome.run_date}.failed")
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
