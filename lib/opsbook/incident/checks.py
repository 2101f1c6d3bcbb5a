"""A triage check's outcome: PASS, FINDING, ERROR or SKIPPED, with the reason and its rows.

A check that could not run (no permission, no data, API unavailable) is ERROR or SKIPPED, never
PASS: :func:`run_check` turns every opsbook or AWS failure into an ERROR carrying the message, so
one failed source marks its own section and the rest of the triage still runs.

Examples
--------
>>> check = run_check("health", lambda: Check("health", PASS, "no AWS Health events"))
>>> check.status, check.summary
('PASS', 'no AWS Health events')
>>> run_check("alarms", lambda: 1 / 0).status
'ERROR'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from opsbook.present import ERROR, FINDING, PASS, SKIPPED, STATUSES

__all__ = ["ERROR", "FINDING", "PASS", "SKIPPED", "STATUSES", "Check", "Finding", "run_check"]


@dataclass(frozen=True)
class Finding:
    """Something abnormal: what, how much against the baseline, since when."""

    check: str
    what: str
    detail: str
    value: float | None = None
    baseline: float | None = None
    since: pd.Timestamp | None = None
    severity: int = 2  # 1 = likely cause or page-worthy, 2 = symptom, 3 = context


@dataclass
class Check:
    """The outcome of one triage check, with the frame behind it."""

    name: str
    status: str
    summary: str
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"check status {self.status!r}: use one of {', '.join(STATUSES)}")
        if self.status == FINDING and not self.findings:
            raise ValueError(f"check {self.name!r} is FINDING but names no finding")


def run_check(name: str, check: Callable[[], Check]) -> Check:
    """Run ``check`` and return its outcome; any failure becomes an ERROR with its message.

    Catching everything is deliberate: a triage must show every section, and an exception of a
    kind nobody expected is exactly the check that could not run.

    Examples
    --------
    >>> run_check("logs", lambda: (_ for _ in ()).throw(PermissionError("denied"))).summary
    'could not run: PermissionError: denied'
    """
    started = time.perf_counter()
    try:
        outcome = check()
    except Exception as error:  # noqa: BLE001 - reported as ERROR, never swallowed
        detail = str(error).strip() or "no message"
        outcome = Check(name, ERROR, f"could not run: {type(error).__name__}: {detail}")
    outcome.seconds = round(time.perf_counter() - started, 3)
    return outcome
