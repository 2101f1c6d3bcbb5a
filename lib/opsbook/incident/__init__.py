"""Incident triage and drill-downs: read-only checks in the on-call order, with findings.

:func:`triage` runs the checks (alarms, AWS Health, recent changes, golden signals, top error
patterns, SLO burn) for one service and window; each reports PASS, FINDING, ERROR or SKIPPED.

Examples
--------
>>> from opsbook.incident import triage
>>> result = triage("checkout-api", "2026-11-14T14:00Z", "2026-11-14T15:00Z")  # doctest: +SKIP
>>> result.findings().head()  # doctest: +SKIP
"""

from __future__ import annotations

from opsbook.incident.api_5xx import Drill5xx, drill_5xx
from opsbook.incident.checks import ERROR, FINDING, PASS, SKIPPED, Check, Finding
from opsbook.incident.services import ServiceTargets, find_service
from opsbook.incident.timeline import timeline_chart
from opsbook.incident.triage import ALL_CHECKS, FIRST_CHECKS, Triage, triage
from opsbook.incident.window import IncidentWindow, resolve_window

__all__ = [
    "ALL_CHECKS",
    "ERROR",
    "FINDING",
    "FIRST_CHECKS",
    "PASS",
    "SKIPPED",
    "Check",
    "Drill5xx",
    "Finding",
    "IncidentWindow",
    "ServiceTargets",
    "Triage",
    "find_service",
    "drill_5xx",
    "resolve_window",
    "timeline_chart",
    "triage",
]
