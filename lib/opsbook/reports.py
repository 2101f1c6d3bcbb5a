"""Run report suites: notebooks executed headless by papermill, exported to HTML, indexed.

A suite is a named list of notebooks in ``suites.yaml`` at the project root. A run writes
``<output_dir>/<suite>/<run-date>/`` holding each executed notebook, its HTML (inputs hidden,
plotly embedded so it opens offline), ``summary.json`` and ``index.html``. The run is built in a
temporary folder and renamed into place only when every notebook succeeded, so a failed or
interrupted run never replaces the last good report; a failed run is kept beside it as
``<run-date>.failed/`` with the failed notebook as its log.

Examples
--------
>>> run = run_suite("daily")  # doctest: +SKIP
>>> run.index  # doctest: +SKIP
PosixPath('reports/daily/2026-11-22/index.html')
"""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

from opsbook.errors import ConfigurationError, ReportFailedError
from opsbook.kernel import ensure_kernel
from opsbook.record import read_records
from opsbook.settings import Settings, find_project_root, resolve

__all__ = ["NotebookRun", "SuiteRun", "load_suites", "run_notebook", "run_suite"]

SUITES_FILE = "suites.yaml"
DEFAULT_TIMEOUT_S = 600


@dataclass
class NotebookRun:
    """The outcome of one notebook in a run."""

    notebook: str
    status: str  # "ok" or "failed"
    seconds: float
    parameters: dict[str, Any]
    output: str
    html: str | None = None
    records: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


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


def load_suites(root: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Read ``suites.yaml`` from the project root and check its shape.

    Examples
    --------
    >>> sorted(load_suites())  # doctest: +SKIP
    ['daily']
    """
    path = find_project_root(root) / SUITES_FILE
    if not path.is_file():
        raise ConfigurationError(
            f"no {SUITES_FILE} in {path.parent}: run opsbook from the project root "
            "(the folder holding opsbook.toml)"
        )
    suites = yaml.load(path.read_text(), Loader=_NoDatesLoader) or {}
    if not isinstance(suites, dict):
        raise ConfigurationError(f"{SUITES_FILE} must map suite names to suites")
    for name, suite in suites.items():
        notebooks = suite.get("notebooks") if isinstance(suite, dict) else None
        if not isinstance(notebooks, list) or not notebooks:
            raise ConfigurationError(f"{SUITES_FILE}: suite {name!r} needs a list of notebooks")
        for entry in notebooks:
            if not isinstance(entry, dict) or "path" not in entry:
                raise ConfigurationError(
                    f"{SUITES_FILE}: suite {name!r}: each notebook needs a path, got {entry!r}"
                )
    return suites


class _NoDatesLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as strings: notebooks take ISO dates as ``str`` parameters."""


_NoDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def run_suite(
    suite: str,
    *,
    run_date: dt.date | None = None,
    parameters: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    progress: Callable[[str], None] | None = None,
) -> SuiteRun:
    """Execute every notebook of ``suite`` and publish the run atomically.

    Parameters
    ----------
    suite
        Name of a suite in ``suites.yaml``.
    run_date
        Date the run is filed under (UTC today by default).
    parameters
        Extra parameters for every notebook, on top of the suite's own; each must be declared in
        the notebook's ``parameters`` cell.
    settings
        Settings whose ``output_dir`` receives the run; resolved from the project by default.
    progress
        Called with one line of text per notebook started and finished.

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
        For an unknown suite, a missing notebook or an undeclared parameter.
    """
    settings = settings or resolve()
    root = find_project_root()
    suites = load_suites(root)
    if suite not in suites:
        raise ConfigurationError(
            f"unknown suite {suite!r}; suites in {SUITES_FILE}: {', '.join(sorted(suites))}"
        )
    run_date = run_date or dt.datetime.now(dt.UTC).date()
    say = progress or (lambda line: None)
    entries = suites[suite]["notebooks"]
    for entry in entries:
        _check_parameters(
            root / entry["path"], {**entry.get("parameters", {}), **(parameters or {})}
        )

    home = Path(settings.output_dir) / suite
    home.mkdir(parents=True, exist_ok=True)
    work = home / f".{run_date}.partial-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    runs: list[NotebookRun] = []
    try:
        for entry in entries:
            source = root / entry["path"]
            merged = {**entry.get("parameters", {}), **(parameters or {})}
            say(f"running {entry['path']}")
            result = run_notebook(
                source,
                work / source.name,
                parameters=merged,
                timeout=int(entry.get("timeout", DEFAULT_TIMEOUT_S)),
                cwd=root,
            )
            runs.append(result)
            say(f"{result.status:6} {entry['path']} in {result.seconds:.1f} s")
        run = SuiteRun(suite, run_date.isoformat(), work, runs)
        _write_summary(run)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)  # interrupted: leave no half-built run behind
        raise
    if run.ok:
        run.folder = _publish(work, home / run.run_date)
        return run
    run.folder = _publish(work, home / f"{run.run_date}.failed")
    failed = [n for n in run.notebooks if n.status != "ok"]
    details = "; ".join(f"{n.notebook}: {n.error}" for n in failed)
    raise ReportFailedError(
        f"{len(failed)} of {len(run.notebooks)} notebooks failed in suite {suite!r} ({details}). "
        f"The failed notebooks are kept in {run.folder}; the last good report was left untouched"
    )


def run_notebook(
    source: Path,
    output: Path,
    *,
    parameters: Mapping[str, Any] | None = None,
    timeout: int = DEFAULT_TIMEOUT_S,
    cwd: Path | None = None,
) -> NotebookRun:
    """Execute one notebook with papermill into ``output`` and export its HTML beside it.

    A failure is returned as a ``failed`` :class:`NotebookRun` (the executed notebook, with the
    error in place, is the log), so one notebook's failure does not stop the others.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    if not source.is_file():
        raise ConfigurationError(f"notebook not found: {source}")
    started = time.perf_counter()
    error = None
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=dict(parameters or {}),
            kernel_name=ensure_kernel(),
            cwd=str(cwd or source.parent),
            execution_timeout=timeout,
            progress_bar=False,
            log_output=False,
        )
    except PapermillExecutionError as failure:
        error = f"cell {failure.exec_count}: {failure.ename}: {failure.evalue}"
    except Exception as failure:  # kernel died, timeout, bad notebook: the run must go on
        error = f"{type(failure).__name__}: {failure}"
    seconds = time.perf_counter() - started
    records: dict[str, Any] = {}
    html_path = None
    if output.is_file():
        notebook = nbformat.read(output, as_version=4)
        records = read_records(notebook)
        html_path = output.with_suffix(".html")
        html_path.write_text(export_html(notebook))
    return NotebookRun(
        notebook=source.name,
        status="failed" if error else "ok",
        seconds=round(seconds, 2),
        parameters=dict(parameters or {}),
        output=output.name,
        html=html_path.name if html_path else None,
        records=records,
        error=error,
    )


def export_html(notebook: nbformat.NotebookNode) -> str:
    """Return a notebook as standalone HTML without input cells (plotly.js embedded)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(notebook)
    return body


def _check_parameters(source: Path, parameters: Mapping[str, Any]) -> None:
    """Refuse parameters the notebook does not declare (papermill would only warn)."""
    import papermill

    if not source.is_file():
        raise ConfigurationError(f"notebook not found: {source}")
    declared = papermill.inspect_notebook(str(source))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ConfigurationError(
            f"{source.name} has no parameter {', '.join(unknown)}; "
            f"it declares: {', '.join(declared) or '(none)'}"
        )


def _publish(work: Path, target: Path) -> Path:
    """Move the finished run to ``target``, replacing an older run of the same name."""
    old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
    if target.exists():
        target.rename(old)
    work.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def _write_summary(run: SuiteRun) -> None:
    summary = {
        "suite": run.suite,
        "run_date": run.run_date,
        "status": "ok" if run.ok else "failed",
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "notebooks": [asdict(n) for n in run.notebooks],
    }
    (run.folder / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    rows = "\n".join(_index_row(n) for n in run.notebooks)
    title = html.escape(f"opsbook · {run.suite} · {run.run_date}")
    (run.folder / "index.html").write_text(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1f2933; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d9e2ec; }}
.ok {{ color: #1a7f37; }} .failed {{ color: #cf222e; font-weight: 600; }}
</style></head>
<body><h1>{title}</h1>
<table><thead><tr><th>report</th><th>status</th><th>seconds</th><th>headlines</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""
    )


def _index_row(run: NotebookRun) -> str:
    link = html.escape(run.html or run.output)
    name = html.escape(Path(run.notebook).stem)
    headlines = "<br>".join(
        f"{html.escape(str(k))}: {html.escape(str(v))}" for k, v in run.records.items()
    )
    if run.error:
        headlines = html.escape(run.error)
    return (
        f'<tr><td><a href="{link}">{name}</a></td><td class="{run.status}">{run.status}</td>'
        f"<td>{run.seconds:.1f}</td><td>{headlines}</td></tr>"
    )
