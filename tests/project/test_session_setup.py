"""The shared test setup (tests/support/session.py) reaches every run, whatever paths it is given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_a_notebook_kernel_that_dies_at_start_is_started_once_more() -> None:
    from support.session import _with_pinned_clock

    starts: list[str] = []

    def dies(times: int, message: str = "Kernel died before replying to kernel_info"):
        def start() -> None:
            starts.append(os.environ["OPSBOOK_NOW"])
            if len(starts) <= times:
                raise RuntimeError(message)

        return start

    _with_pinned_clock(dies(1))()
    assert len(starts) == 2 and starts[0] == starts[1]
    starts.clear()
    with pytest.raises(RuntimeError, match="Kernel died"):
        _with_pinned_clock(dies(2))()
    assert len(starts) == 2
    starts.clear()
    with pytest.raises(RuntimeError, match="other"):
        _with_pinned_clock(dies(1, "other"))()
    assert len(starts) == 1
