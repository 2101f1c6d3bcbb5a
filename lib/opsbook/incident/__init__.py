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
from opsbook.incident.cost_spike import CostSpike, drill_cost_spike
from opsbook.incident.lambda_failures import LambdaDrill, drill_lambda
from opsbook.incident.latency import LatencyDrill, detect_change_point, drill_latency
from opsbook.incident.readonly import MutatingCallError, enable_read_only, read_only
from opsbook.incident.services import ServiceTargets, find_service
from opsbook.incident.snapshot import Snapshot, snapshot
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
    "CostSpike",
    "Drill5xx",
    "Finding",
    "IncidentWindow",
    "LambdaDrill",
    "LatencyDrill",
    "MutatingCallError",
    "ServiceTargets",
    "Snapshot",
    "Triage",
    "find_service",
    "drill_5xx",
    "drill_cost_spike",
    "detect_change_point",
    "drill_lambda",
    "drill_latency",
    "enable_read_only",
    "read_only",
    "resolve_window",
    "snapshot",
    "timeline_chart",
    "triage",
]
