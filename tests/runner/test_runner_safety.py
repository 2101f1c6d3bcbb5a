"""A report run under faults: interrupts, SIGTERM, a second run, unwritable folders, redaction."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from opsbook.cli import main
from opsbook.errors import OpsbookError
from opsbook.runner import _reports, notify, run_suite
from opsbook.settings import resolve

pytestmark = pytest.mark.kernel  # starts notebook kernels

DAY = "2026-11-15"
ACCOUNT = "123456789012"
ARN = f"arn:aws:iam::{ACCOUNT}:role/ops-admin"


def _notebook(path: Path, body: str) -> None:
    notebook = new_notebook(
        cells=[
            new_code_cell("from opsbook import record"),
            new_code_cell('label: str = "x"  # a label', metadata={"tags": ["parameters"]}),
            new_code_cell(body),
        ],
        metadata={"kernelspec": {"name": "opsbook", "display_name": "Python (opsbook)",
                                 "language": "python"}},
    )  # fmt: skip
    nbformat.write(notebook, path)


@pytest.fixture
def project(clean_env: Path) -> Path:
    """A project with a quick suite, a slow one (a cell that says it started, then sleeps 60 s)
    and a last good report."""
    (clean_env / "opsbook.toml").write_text('output_dir = "out"\n')
    (clean_env / "nb").mkdir()
    _notebook(clean_env / "nb" / "good.ipynb", "record(label=label, answer=6 * 7)")
    entered = clean_env / "entered"  # the slow cell runs: _start waits for it
    _notebook(clean_env / "nb" / "slow.ipynb",
              f"import pathlib, time\npathlib.Path({str(entered)!r}).touch()\ntime.sleep(60)")  # fmt: skip
    (clean_env / "suites.yaml").write_text(
        "nightly:\n  notebooks:\n    - path: nb/good.ipynb\n"
        "slow:\n  notebooks:\n    - path: nb/slow.ipynb\n      timeout: 600\n"
    )
    last_good = clean_env / "out" / "slow" / DAY
    last_good.mkdir(parents=True)
    (last_good / "index.html").write_text("the last good report")
    return clean_env


def _start(project: Path, before: str = "") -> subprocess.Popen[str]:
    """Start ``opsbook report run slow`` and return once its kernel runs the slow cell."""
    command = f"{before}\nfrom opsbook.cli import main\nraise SystemExit(main())"
    process = subprocess.Popen(
        [sys.executable, "-c", command, "report", "run", "slow", "--date", DAY],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (project / "entered").is_file():  # the kernel started and entered the slow cell
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run did not start"
        time.sleep(0.2)
    return process


def _assert_nothing_half_written(project: Path) -> None:
    home = project / "out" / "slow"
    assert sorted(p.name for p in home.iterdir()) == [DAY], "no partial folder, no lock left"
    assert (home / DAY / "index.html").read_text() == "the last good report"


@pytest.mark.parametrize(
    ("sign", "code", "said"),
    [(signal.SIGINT, 130, "SIGINT received"), (signal.SIGTERM, 143, "SIGTERM received")],
)
def test_a_signal_stops_the_run_within_seconds_and_leaves_no_partial_folder(
    project: Path, sign: signal.Signals, code: int, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    process = _start(project)
    # meanwhile, a second run of the same suite and date (here, in this process) is refused,
    # naming the first
    assert main(["report", "run", "slow", "--date", DAY]) == 1
    refused = capsys.readouterr().err
    assert f"the slow run of {DAY} is already running (pid {process.pid}" in refused
    assert f".{DAY}.lock" in refused
    sent = time.monotonic()
    process.send_signal(sign)
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - sent < 10, "stopped within seconds, not at the cell's end"
    assert process.returncode == code
    assert said in err and "Traceback" not in err
    _assert_nothing_half_written(project)


def test_a_second_ctrl_c_ends_the_run_at_once(project: Path) -> None:
    # the first Ctrl-C's clean-up is made to hang: the second one must not wait for it
    process = _start(project, "import time\nfrom opsbook.runner import _reports\n"
                     "_reports._wait_for_workers = lambda pool: time.sleep(60)")  # fmt: skip
    process.send_signal(signal.SIGINT)
    time.sleep(2)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert time.monotonic() - sent < 3
    assert process.returncode == 130 and "stopped at once" in err
    # the kernels were killed; what the hard stop left is removed by the next run's lock holder
    assert (project / "out" / "slow" / DAY / "index.html").read_text() == "the last good report"


def test_a_run_holding_the_lock_refuses_a_second_one(project: Path) -> None:
    home = project / "out" / "nightly"
    home.mkdir(parents=True)
    with _reports._run_lock(home, "nightly", DAY):
        assert f"pid {os.getpid()}, started " in (home / f".{DAY}.lock").read_text()
        with pytest.raises(
            OpsbookError, match=r"already running \(pid \d+, started .*lock .*\.lock"
        ):
            run_suite("nightly", run_date=_date(), settings=resolve())
    assert not list(home.iterdir()), "the lock file goes with the run"


def test_stale_work_folders_of_a_killed_run_are_removed(project: Path) -> None:
    stale = project / "out" / "nightly" / f".{DAY}.partial-deadbeef"
    stale.mkdir(parents=True)
    run = run_suite("nightly", run_date=_date(), settings=resolve())
    assert run.ok and not stale.exists()


@pytest.mark.parametrize(("code", "said"), [(errno.EROFS, "read-only"), (errno.ENOSPC, "full")])
def test_an_unwritable_reports_folder_is_a_clear_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, code: int, said: str
) -> None:
    # root writes through chmod, so the failing call is made to fail as the file system would
    real = Path.mkdir

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self.name.startswith(f".{DAY}.partial-"):
            raise OSError(code, os.strerror(code), str(self))
        real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(
        OpsbookError, match=f"cannot create the run's work folder .*{said}.*output_dir"
    ):
        run_suite("nightly", run_date=_date(), settings=resolve())
    assert not list((project / "out" / "nightly").iterdir())


def test_a_run_that_cannot_be_published_keeps_its_notebooks(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_reports, "_publish", full)
    with pytest.raises(OpsbookError, match=r"could not publish .*the disk is full\. .*kept in (\S+)"
                       ) as caught:  # fmt: skip
        run_suite("nightly", run_date=_date(), settings=resolve())
    kept = Path(str(caught.value).rsplit(" ", 1)[-1])
    assert (kept / "good.ipynb").is_file() and (kept / "summary.json").is_file()
    assert not list((project / "out" / "nightly").iterdir()), "no partial folder left"


def test_redact_covers_every_output(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _notebook(
        project / "nb" / "good.ipynb",
        f'print(label)\nrecord(label=label, role="{ARN}", findings=[f"{ARN} is wide open"])',
    )
    sent: list[str] = []
    monkeypatch.setattr("opsbook.runner._notify._post", lambda url, payload: sent.append(
        json.dumps(payload)))  # fmt: skip
    monkeypatch.setenv("OPSBOOK_NOTIFY_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    status = main(["report", "run", "nightly", "--date", DAY, "-p", f"label=acct-{ACCOUNT}",
                   "--redact"])  # fmt: skip
    assert status == 0
    folder = project / "out" / "nightly" / DAY
    printed = capsys.readouterr()
    outputs = {p.name: p.read_text() for p in folder.iterdir()}
    assert set(outputs) == {"good.ipynb", "good.html", "summary.json", "index.html"}
    outputs |= {"stdout": printed.out + printed.err, "notification": "".join(sent)}
    assert sent, "the finding was sent"
    for name, text in outputs.items():
        assert ACCOUNT not in text, name
        assert "ops-admin" not in text, name
    assert "********9012" in outputs["summary.json"] and "********9012" in outputs["stdout"]
    notebook = nbformat.read(folder / "good.ipynb", as_version=4)
    assert notebook.metadata.papermill.parameters.label == "acct-********9012"


def test_notifications_of_a_redacted_run_are_masked(project: Path) -> None:
    from opsbook.runner import NotebookRun, SuiteRun

    run = SuiteRun("d", DAY, Path(f"out/{ACCOUNT}"), [
        NotebookRun("a.ipynb", "failed", 1.0, {}, "a.ipynb", error=f"denied for {ARN}")],
        redacted=True)  # fmt: skip
    out = _Lines()
    notify(run, resolve(), out=out)  # type: ignore[arg-type]
    assert ACCOUNT not in out.text and "********9012" in out.text


class _Lines:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def _date():  # noqa: ANN202
    import datetime as dt

    return dt.date.fromisoformat(DAY)
