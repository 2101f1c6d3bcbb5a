"""The scheduling recipes stay in step with the project: suites exist, commands are real."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
import yaml
from opsbook.runner import load_suites

pytestmark = pytest.mark.kernel  # starts notebook kernels

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "scheduling"


def _suites_run(command: str) -> list[str]:
    return re.findall(r"opsbook report run (\w+)", command)


def test_cron_lines_are_valid_and_run_known_suites() -> None:
    suites = load_suites(ROOT)
    lines = [
        line
        for line in (RECIPES / "crontab.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines
    for line in lines:
        fields = line.split(None, 5)
        assert all(re.fullmatch(r"[\d*,/-]+", f) for f in fields[:5]), line
        (suite,) = _suites_run(fields[5])
        assert suite in suites


def test_systemd_units_run_the_daily_suite_on_a_timer() -> None:
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.read(RECIPES / "opsbook-daily.service")
    command = shlex.split(service["Service"]["ExecStart"])
    assert command[1:4] == ["report", "run", "daily"]
    assert service["Service"]["Type"] == "oneshot"
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(RECIPES / "opsbook-daily.timer")
    assert timer["Timer"]["OnCalendar"].endswith("UTC")
    assert timer["Timer"]["Persistent"] == "true"


def test_github_workflow_uses_oidc_and_the_runner() -> None:
    workflow = yaml.safe_load((RECIPES / "github-actions.yml").read_text())
    assert workflow["permissions"]["id-token"] == "write", "OIDC, not stored keys"
    steps = workflow["jobs"]["daily"]["steps"]
    runs = " ".join(step.get("run", "") for step in steps)
    assert _suites_run(runs) == ["daily"] and "opsbook doctor" in runs
    assert any("configure-aws-credentials" in step.get("uses", "") for step in steps)
    assert not re.search(r"aws-(access|secret)", (RECIPES / "github-actions.yml").read_text())


def test_the_dockerfile_builds_with_the_script_ci_runs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "RUN bash scheduling/build-runner.sh" in dockerfile
    assert re.search(r"^FROM python:3\.11", dockerfile, re.M)
    assert (RECIPES / "build-runner.sh").stat().st_mode & 0o111, "the script is executable"
    assert "scheduling/build-runner.sh" in (ROOT / ".ci" / "run").read_text()
