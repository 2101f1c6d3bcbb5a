"""The shared test setup (tests/support/session.py) reaches every run, whatever paths it is given."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _collected(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-n", "0", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done.stdout


def test_a_run_of_only_the_runbooks_gets_the_shared_setup() -> None:
    # The session marks notebooks `kernel`; a conftest in tests/ alone would not reach runbooks/.
    shown = _collected("-m", "kernel", "runbooks")
    assert "runbooks/api-5xx.ipynb::Cell 1" in shown
    without = _collected("--noconftest", "-m", "kernel", "runbooks")
    assert "runbooks/api-5xx.ipynb::Cell 1" not in without, "the check must be able to fail"
