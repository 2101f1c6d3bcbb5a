"""Report runs shared by the whole pytest session: one `opsbook report run` per suite and date.

A report suite takes a kernel per notebook, and several test files read the same run (the command
line's tests its output, the browser checks its pages). :func:`report_run` runs ``opsbook report
run SUITE --date DAY`` on a data folder, at the pinned moment (``OPSBOOK_NOW``), once per pytest
session: xdist workers wait for one another on a file lock in the session's folder (set by
:mod:`support.session`), and later calls get the first run's result and folder. Read the folder,
do not write to it (copy it first).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
#: The run date of the shared runs on the pinned sample, and their moment: the morning after its
#: last day (``PINNED_NOW`` of :mod:`support.session`).
DAY, NOW = "2026-11-15", "2026-11-15T06:00:00Z"
#: The environment variable naming the pytest session's shared folder (set by
#: :mod:`support.session`).
SESSION = "PYTEST_OPSBOOK_SESSION"


def report_run(
    suite: str, day: str, data_dir: Path, now: str
) -> tuple[subprocess.CompletedProcess, Path]:
    """The result of ``opsbook report run SUITE --date DAY`` and its output folder.

    The command runs in the project with ``OPSBOOK_DATA_DIR=data_dir``, ``OPSBOOK_NOW=now`` and a
    fresh ``OPSBOOK_OUTPUT_DIR`` (the folder returned), the first time it is asked for in the
    session; later calls, from any worker, get that run.
    """
    key = hashlib.sha256(json.dumps([suite, day, str(data_dir), now]).encode()).hexdigest()[:12]
    home = Path(os.environ[SESSION]) / "report-runs"
    home.mkdir(parents=True, exist_ok=True)
    out, done = home / f"{suite}-{key}", home / f"{suite}-{key}.json"
    with open(home / f".{suite}-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.is_file():
            env = {**os.environ, "OPSBOOK_OUTPUT_DIR": str(out), "OPSBOOK_DATA_DIR": str(data_dir),
                   "OPSBOOK_NOW": now}  # fmt: skip
            args = [sys.executable, "-m", "opsbook.cli", "report", "run", suite, "--date", day]
            result = subprocess.run(
                args, cwd=ROOT, capture_output=True, text=True, env=env, timeout=900
            )
            done.write_text(json.dumps([args, result.returncode, result.stdout, result.stderr]))
    args, returncode, stdout, stderr = json.loads(done.read_text())
    return subprocess.CompletedProcess(args, returncode, stdout, stderr), out


def published(
    suite: str, notebook: str, data_dir: Path, parameters: dict[str, object]
) -> nbformat.NotebookNode:
    """``notebook`` as the shared run of ``suite`` on ``data_dir`` (at :data:`NOW`) executed it.

    The suite's kernels read ``data_dir`` from ``OPSBOOK_DATA_DIR`` and run at ``OPSBOOK_NOW``
    (the pinned sample's morning); ``parameters`` are the values the caller would pass to
    :func:`support.notebooks.execute` besides ``data_dir``: the suite must have passed exactly
    these (an assertion), so the notebook read is the run the caller asks for.
    """
    result, out = report_run(suite, DAY, data_dir, NOW)
    assert result.returncode == 0, result.stderr[-2000:]
    folder = out / suite / DAY
    summary = json.loads((folder / "summary.json").read_text())
    name = Path(notebook).name
    (run,) = [run for run in summary["notebooks"] if run["notebook"] == name]
    assert (run["status"], run["parameters"]) == ("ok", parameters), run
    return nbformat.read(folder / run["output"], as_version=4)
