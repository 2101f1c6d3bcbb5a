from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from opsbook.cli import main
from opsbook.errors import ConfigurationError
from opsbook.runner import parse_parameter
from support.reports import report_run

pytestmark = pytest.mark.kernel  # starts notebook kernels

ROOT = Path(__file__).resolve().parents[2]
PINNED = "2026-11-15T06:00:00Z"  # the morning after the pinned sample's last day


def _opsbook(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "opsbook.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


@pytest.fixture
def opsbook(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> Callable[..., subprocess.CompletedProcess]:
    """``opsbook ARGS`` in this process (``main``), in the project, with ``env`` set: its exit
    status and what it printed, for a command that fails before it would start a kernel (no
    process start and imports of its own)."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        with monkeypatch.context() as patch:
            patch.chdir(ROOT)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            capsys.readouterr()
            try:
                status = main(list(args))
            except SystemExit as stopped:  # argparse's usage errors
                status = stopped.code
        printed = capsys.readouterr()
        return subprocess.CompletedProcess(["opsbook", *args], status, printed.out, printed.err)

    return run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--scale", "0"], "bad scale 0.0: expected a number above 0", id="zero"),
        pytest.param(["--scale", "-3"], "bad scale", id="negative"),
        pytest.param(["--scale", "1e9"], "at most 10000", id="huge"),
        pytest.param(["--only", "cur,billing"], "unknown sample part billing", id="part"),
        pytest.param(["--seed", "-1"], "bad seed -1", id="seed"),
    ],
)
def test_bad_sample_arguments_exit_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str], message: str
) -> None:
    dest = tmp_path / "sample"
    assert main(["sample", "generate", "--dest", str(dest), *args]) == 2
    assert message in capsys.readouterr().err
    assert not dest.exists()


def test_if_missing_leaves_an_existing_sample_alone(
    sample_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    before = (sample_dir / "sample.json").stat().st_mtime_ns
    assert main(["sample", "generate", "--dest", str(sample_dir), "--if-missing"]) == 0
    assert "already" in capsys.readouterr().out
    assert (sample_dir / "sample.json").stat().st_mtime_ns == before


def test_unknown_setting_in_the_environment_exits_2() -> None:
    result = _opsbook("settings", env={"OPSBOOK_BAKEND": "aws"})
    assert result.returncode == 2
    assert "unknown setting: environment variable OPSBOOK_BAKEND" in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_shows_each_value_and_its_source() -> None:
    result = _opsbook("settings", env={"OPSBOOK_REGION": "eu-west-1"})
    assert result.returncode == 0
    assert "region" in result.stdout and "eu-west-1  (env OPSBOOK_REGION)" in result.stdout
    assert "athena_table" in result.stdout and "(opsbook.toml)" in result.stdout


@pytest.fixture(scope="module")
def daily(sample_dir: Path) -> tuple[subprocess.CompletedProcess, Path]:
    """One `opsbook report run daily` on the pinned sample, for the tests that read its report
    (shared with the browser checks of its pages: ``support.reports``)."""
    return report_run("daily", "2026-11-15", sample_dir, PINNED)


def test_report_run_publishes_and_prints_the_index(daily) -> None:
    result, out = daily
    assert result.returncode == 0, result.stderr
    index = out / "daily" / "2026-11-15" / "index.html"
    assert result.stdout.strip().endswith(f"report index: {index}")
    summary = json.loads((index.parent / "summary.json").read_text())
    records = summary["notebooks"][0]["records"]
    assert records["day"] == "2026-11-14"  # the brief judges the day before the run date
    assert records["sections"]["deployments"] == "FINDING"


def test_missing_data_dir_fails_the_run_clearly_and_keeps_the_last_report(
    daily, tmp_path: Path
) -> None:
    result, shared = daily
    assert result.returncode == 0, result.stderr
    out = Path(shutil.copytree(shared, tmp_path / "out"))  # the shared run is read, not written
    good = (out / "daily" / "2026-11-15" / "summary.json").read_text()
    missing = out / "no-such-folder"
    env = {"OPSBOOK_OUTPUT_DIR": str(out), "OPSBOOK_DATA_DIR": str(missing)}
    result = _opsbook("report", "run", "daily", "--date", "2026-11-15", env=env)
    assert result.returncode == 1
    assert f"NoDataError: data folder {missing} does not exist" in result.stderr
    assert "opsbook sample generate" in result.stderr
    assert (out / "daily" / "2026-11-15" / "summary.json").read_text() == good
    assert (out / "daily" / "2026-11-15.failed" / "daily-brief.ipynb").is_file()


def test_bad_parameters_exit_2(opsbook, sample_dir: Path, tmp_path: Path) -> None:
    env = {"OPSBOOK_OUTPUT_DIR": str(tmp_path)}
    result = opsbook("report", "run", "daily", "-p", "colour=red", env=env)
    assert result.returncode == 2 and "has no parameter colour" in result.stderr
    result = opsbook("report", "run", "daily", "-p", "nonsense", env=env)
    assert result.returncode == 2
    assert "-p 'nonsense' is not name=value: write e.g. -p month=2026-09" in result.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("month=2026-09", ("month", "2026-09")),
        ("days=7", ("days", 7)),
        ("share=-0.5", ("share", -0.5)),
        ("scale=1e3", ("scale", 1000.0)),
        ("redact=True", ("redact", True)),
        ("account=none", ("account", None)),
        ("account='012345678901'", ("account", "012345678901")),
        ('note="a=b"', ("note", "a=b")),
        ("empty=", ("empty", "")),
        ("label=nan", ("label", "nan")),  # text, not a float: only digits are numbers
    ],
)
def test_one_name_value_parser_for_the_command_line_and_the_magics(
    text: str, parsed: tuple
) -> None:
    value = parse_parameter(text)
    assert value == parsed and type(value[1]) is type(parsed[1])


@pytest.mark.parametrize("text", ["nonsense", "=5", "2x=1", "a-b=1", "é=1"])
def test_a_bad_parameter_names_the_option_and_the_item(text: str) -> None:
    with pytest.raises(
        ConfigurationError, match=f"^--param {re.escape(repr(text))} is not name=value"
    ):
        parse_parameter(text, "--param")


def test_params_lists_what_a_notebook_declares(opsbook) -> None:
    result = opsbook("params", "notebooks/sample-overview.ipynb")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].startswith('backend: str = ""  # "local" or "aws"')
    missing = opsbook("params", "notebooks/nope.ipynb")
    assert missing.returncode == 2 and "notebook not found" in missing.stderr


def test_run_one_notebook_with_checked_parameters(
    opsbook, sample_dir: Path, tmp_path: Path
) -> None:
    env = {"OPSBOOK_OUTPUT_DIR": str(tmp_path)}
    args = ("run", "notebooks/sample-overview.ipynb", "-p", "data_dir", str(sample_dir))
    result = _opsbook(*args, env=env)
    assert result.returncode == 0, result.stderr
    assert "log_groups: 4" in result.stdout
    assert len(list((tmp_path / "runs" / "sample-overview").glob("*/sample-overview.html"))) == 1
    wrong = opsbook("run", "notebooks/sample-overview.ipynb", "-p", "colour", "red", env=env)
    assert wrong.returncode == 2 and "has no parameter colour" in wrong.stderr
