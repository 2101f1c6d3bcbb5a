"""Report sections that fail on their own: a source that cannot be read shows ERROR and why.

An ops report reads several sources (log groups, alarms, alarm history, CloudTrail, the CUR). One
that fails (an API the endpoint does not implement, a missing file, a denied call) must not stop
the others, nor read as healthy: its frames become one ``ERROR`` row with the reason, which the
notebook shows where the figures would be, and its headline figures become ``None``.

Examples
--------
>>> errors = {}
>>> history = attempt("alarm history", errors, lambda: read_alarm_history(...))  # doctest: +SKIP
>>> history if history is not None else error_frame("alarm history", errors["alarm history"])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import pandas as pd

from opsbook.errors import OpsbookError

__all__ = ["attempt", "error_frame", "error_of", "status_frame"]

T = TypeVar("T")


def attempt(section: str, errors: dict[str, str], read: Callable[[], T]) -> T | None:
    """Return ``read()``, or ``None`` with the reason stored in ``errors[section]`` if it fails.

    Only opsbook's own errors (which say what was wrong and what to do) are caught: a bug still
    raises.

    Examples
    --------
    >>> from opsbook.errors import NoDataError
    >>> def missing(): raise NoDataError("no describe-alarms.json")
    >>> errors = {}
    >>> attempt("alarms", errors, missing), errors
    (None, {'alarms': 'NoDataError: no describe-alarms.json'})
    """
    try:
        return read()
    except OpsbookError as error:
        errors[section] = f"{type(error).__name__}: {error}"
        return None


def error_frame(section: str, reason: str) -> pd.DataFrame:
    """Return the one-row frame shown in place of a section's figures: ``ERROR`` and the reason.

    Examples
    --------
    >>> error_frame("alarm history", "QueryFailedError: 500").iloc[0].tolist()
    ['ERROR', 'alarm history', 'QueryFailedError: 500']
    """
    frame = pd.DataFrame({"status": ["ERROR"], "section": [section], "reason": [reason]})
    frame.attrs["error"] = f"{section}: {reason}"
    return frame


def error_of(frame: pd.DataFrame) -> str | None:
    """Return the error a frame stands for (from :func:`error_frame`), or ``None``.

    Examples
    --------
    >>> error_of(error_frame("spend", "no CUR")), error_of(pd.DataFrame())
    ('spend: no CUR', None)
    """
    return frame.attrs.get("error")


def status_frame(sources: Mapping[str, str], errors: Mapping[str, str]) -> pd.DataFrame:
    """Return each section's source and state: ``ok``, or ``ERROR`` with the reason.

    Examples
    --------
    >>> status_frame({"alarms": "DescribeAlarms"}, {}).iloc[0].tolist()
    ['alarms', 'DescribeAlarms', 'ok', '']
    """
    rows = [{"section": name, "source": source, "status": "ERROR" if name in errors else "ok",
             "reason": errors.get(name, "")} for name, source in sources.items()]  # fmt: skip
    return pd.DataFrame(rows, columns=["section", "source", "status", "reason"])
