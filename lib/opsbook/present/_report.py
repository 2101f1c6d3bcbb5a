"""One shape for every analysis: the :class:`Report` protocol, its statuses, and a failed section.

Every analysis result (a cost review, an SLO report, an ops review, an incident drill-down)
answers three questions the same way:

- :meth:`Report.figures`: the headline figures, JSON-ready, by name (what ``record`` keeps);
- :meth:`Report.findings`: short lines for people, most important first;
- :meth:`Report.status`: ``PASS`` (looked, nothing wrong), ``FINDING`` (something to look at),
  ``ERROR`` (a source could not be read: never read as healthy) or ``SKIPPED`` (nothing to
  judge, e.g. no data for the period, with the reason in the findings).

A result may also carry ``kinds`` (figure name -> kind spec, see :mod:`opsbook.present`) for
figures whose name does not say what they are. A section whose source failed shows
:class:`SectionError` in place of its table or chart: ERROR, the section and the whole reason.

Examples
--------
>>> status_of(["cost anomaly on 2026-11-05"]), status_of([], errors=["logs: denied"])
('FINDING', 'ERROR')
>>> worst(["PASS", "SKIPPED", "FINDING"])
'FINDING'
>>> SectionError("by_route", "logs: QueryFailedError: StartQuery failed")
ERROR by_route: logs: QueryFailedError: StartQuery failed
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

import pandas as pd

from opsbook.errors import OpsbookError

__all__ = [
    "ERROR",
    "FINDING",
    "PASS",
    "SKIPPED",
    "STATUSES",
    "Report",
    "SectionError",
    "Sections",
    "attempt",
    "derive",
    "sections_frame",
    "status_of",
    "worst",
]

PASS = "PASS"
FINDING = "FINDING"
ERROR = "ERROR"
SKIPPED = "SKIPPED"
#: The statuses, from the one that needs people most to the one that needs them least.
STATUSES = (ERROR, FINDING, SKIPPED, PASS)

T = TypeVar("T")
U = TypeVar("U")


@runtime_checkable
class Report(Protocol):
    """What every analysis returns: figures to record, findings to read, a status to act on."""

    def figures(self) -> dict[str, Any]:
        """Return the headline figures by name, JSON-ready (``None`` where a source failed)."""
        ...

    def findings(self) -> list[str]:
        """Return short findings for people, most important first (``ERROR ...`` lines first)."""
        ...

    def status(self) -> str:
        """Return ``PASS``, ``FINDING``, ``ERROR`` or ``SKIPPED``."""
        ...


@dataclass(frozen=True)
class Sections:
    """Several reports as one (a morning brief's cost, SLO, alarm ... sections): itself a Report.

    ``figures()`` holds each section's status under ``sections`` and each section's figures
    prefixed with its name (``cost_month_total``); ``findings()`` the findings of the sections
    needing people, worst first, each prefixed with its section (a skipped section says why);
    ``status()`` the worst section's status. ``kinds`` follows the prefixes.

    Examples
    --------
    >>> class One:
    ...     def __init__(self, status, lines): self._status, self._lines = status, lines
    ...     def figures(self): return {"n": 1}
    ...     def findings(self): return self._lines
    ...     def status(self): return self._status
    >>> brief = Sections({"cost": One("PASS", ["no anomaly"]), "slo": One("FINDING", ["api pages"])})
    >>> brief.status(), brief.findings(), brief.figures()["sections"]
    ('FINDING', ['slo: api pages'], {'cost': 'PASS', 'slo': 'FINDING'})
    >>> sorted(brief.figures())
    ['cost_n', 'sections', 'slo_n']
    """

    parts: Mapping[str, Report]

    @property
    def kinds(self) -> dict[str, str]:
        """The sections' figure kinds, under their prefixed names."""
        return {f"{name}_{key}": kind for name, report in self.parts.items()
                for key, kind in getattr(report, "kinds", {}).items()}  # fmt: skip

    def figures(self) -> dict[str, Any]:
        """Return each section's status (``sections``) and its figures, prefixed by its name."""
        out: dict[str, Any] = {"sections": {name: r.status() for name, r in self.parts.items()}}
        for name, report in self.parts.items():
            out.update({f"{name}_{key}": value for key, value in report.figures().items()})
        return out

    def findings(self) -> list[str]:
        """Return the findings of the sections that need people, worst first (else all quiet)."""
        rank = {status: i for i, status in enumerate(STATUSES)}
        ordered = sorted(self.parts.items(), key=lambda item: rank[item[1].status()])
        lines = [f"{name}: {line}" for name, report in ordered if report.status() != PASS
                 for line in report.findings()]  # fmt: skip
        return lines or [f"all {len(self.parts)} sections passed"]

    def status(self) -> str:
        """Return the worst status of the sections."""
        return worst(r.status() for r in self.parts.values())


def status_of(
    findings: Iterable[object], *, errors: Iterable[object] = (), skipped: bool = False
) -> str:
    """Return the status of a result: ERROR if a source failed, then SKIPPED, FINDING, PASS.

    Examples
    --------
    >>> status_of([]), status_of([], skipped=True), status_of(["x"], errors={"logs": "denied"})
    ('PASS', 'SKIPPED', 'ERROR')
    """
    if any(True for _ in errors):
        return ERROR
    if skipped:
        return SKIPPED
    return FINDING if any(True for _ in findings) else PASS


def worst(statuses: Iterable[str]) -> str:
    """Return the status needing people most (``PASS`` for none): how sections add up.

    A skipped section outranks a pass: a brief whose cost section had no data is not all quiet.

    Examples
    --------
    >>> worst([]), worst(["PASS", "SKIPPED"]), worst(["FINDING", "ERROR"])
    ('PASS', 'SKIPPED', 'ERROR')
    """
    seen = set(statuses)
    return next((status for status in STATUSES if status in seen), PASS)


@dataclass(frozen=True)
class SectionError:
    """What a section shows when its source could not be read: ERROR and the reason, uncut.

    An empty table reads as "nothing wrong"; a section whose logs, metrics, trail or CUR could
    not be read shows this instead, in the notebook's text and HTML alike.

    Examples
    --------
    >>> SectionError("changes", "why").to_frame().status.item()
    'ERROR'
    """

    section: str
    reason: str

    def __repr__(self) -> str:
        return f"ERROR {self.section}: {self.reason}"

    def _repr_html_(self) -> str:
        return (
            f'<p class="opsbook-error"><strong>ERROR</strong> {html.escape(self.section)}: '
            f"{html.escape(self.reason)}</p>"
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the error as a one-row table (``status``, ``section``, ``reason``)."""
        return pd.DataFrame({"status": [ERROR], "section": [self.section], "reason": [self.reason]})


def attempt(section: str, errors: dict[str, str], read: Callable[[], T]) -> T | SectionError:
    """Return ``read()``, or a :class:`SectionError` (its reason kept in ``errors[section]``).

    Only opsbook's own errors (which say what was wrong and what to do) are caught: a bug still
    raises.

    Examples
    --------
    >>> from opsbook.errors import NoDataError
    >>> def missing(): raise NoDataError("no describe-alarms.json")
    >>> errors = {}
    >>> attempt("alarms", errors, missing), errors
    (ERROR alarms: NoDataError: no describe-alarms.json, {'alarms': 'NoDataError: no describe-alarms.json'})
    """
    try:
        return read()
    except OpsbookError as error:
        errors[section] = f"{type(error).__name__}: {error}"
        return SectionError(section, errors[section])


def derive(source: T | SectionError, make: Callable[[T], U]) -> U | SectionError:
    """Return ``make(source)``, or ``source`` itself when it is a :class:`SectionError`.

    A table computed from a section that could not be read is that section's error.

    Examples
    --------
    >>> derive(3, lambda n: n * 2), derive(SectionError("alarms", "denied"), len)
    (6, ERROR alarms: denied)
    """
    if isinstance(source, SectionError):
        return source
    return make(source)


def read_or_none(source: T | SectionError) -> T | None:
    """Return ``source``, or ``None`` when it is a :class:`SectionError` (a section not read).

    For code that draws or counts what was read and leaves a failed section to its error row.

    Examples
    --------
    >>> read_or_none(3), read_or_none(SectionError("alarms", "denied"))
    (3, None)
    """
    return None if isinstance(source, SectionError) else source


def sections_frame(sources: Mapping[str, str], errors: Mapping[str, str]) -> pd.DataFrame:
    """Return each section's source and state: ``ok``, or ``ERROR`` with the reason.

    Examples
    --------
    >>> sections_frame({"alarms": "DescribeAlarms"}, {}).iloc[0].tolist()
    ['alarms', 'DescribeAlarms', 'ok', '']
    """
    rows = [{"section": name, "source": source, "status": ERROR if name in errors else "ok",
             "reason": errors.get(name, "")} for name, source in sources.items()]  # fmt: skip
    return pd.DataFrame(rows, columns=["section", "source", "status", "reason"])
