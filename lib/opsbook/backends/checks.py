"""What ``opsbook doctor`` reports: one :class:`Check` per thing a backend needs, PASS or FAIL.

Each backend's ``doctor`` module (:class:`opsbook.backends.contract.Doctor`) returns its checks;
a check that cannot run because an earlier one failed says SKIPPED with the reason, never PASS.

Examples
--------
>>> attempt("data dir", lambda: "data/sample", "run `opsbook sample generate`").status
'PASS'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from opsbook.errors import OpsbookError

__all__ = ["FAIL", "PASS", "SKIPPED", "Check", "attempt"]

PASS, FAIL, SKIPPED = "PASS", "FAIL", "SKIPPED"


@dataclass(frozen=True)
class Check:
    """One check's outcome: what was checked, PASS/FAIL/SKIPPED, what was found, how to fix it."""

    name: str
    status: str
    detail: str
    fix: str = ""


def attempt(name: str, probe: Callable[[], str], fix: str) -> Check:
    """Run ``probe``; its text is the PASS detail, an error (any: a check never crashes) the FAIL.

    Examples
    --------
    >>> def missing() -> str:
    ...     raise OpsbookError("no such table")
    >>> attempt("CUR", missing, "set athena_table").detail
    'no such table'
    """
    try:
        return Check(name, PASS, probe())
    except OpsbookError as error:
        return Check(name, FAIL, str(error), fix)
    except Exception as error:  # noqa: BLE001 - a doctor reports every failure, never crashes
        return Check(name, FAIL, f"unexpected {type(error).__name__}: {error}", fix)
