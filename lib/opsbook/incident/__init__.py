"""Incident triage and drill-downs: read-only checks in the on-call order, with findings.

:func:`triage` runs the checks (alarms, AWS Health, recent changes, golden signals, top error
patterns, SLO burn) for one service and window; each reports PASS, FINDING, ERROR or SKIPPED.

Examples
--------
>>> from opsbook.incident import triage
>>> result = triage("checkout-api", "2026-11-14T14:00Z", "2026-11-14T15:00Z")  # doctest: +SKIP
>>> result.found().head()  # doctest: +SKIP
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import opsbook
from opsbook._lazy import lazy_attributes

# The runbooks' read-only switch is the backends' (the aws backend guards its clients).
from opsbook.backends import enable_read_only, read_only
from opsbook.errors import MutatingCallError

# Modules named like a function in them are imported now, so the function, not the module, is
# what ``incident.triage`` and ``incident.snapshot`` name whatever is imported later.
from opsbook.incident.snapshot import Snapshot, snapshot
from opsbook.incident.triage import ALL_CHECKS, FIRST_CHECKS, Triage, triage

if TYPE_CHECKING:
    from opsbook.incident.api_5xx import Drill5xx, drill_5xx
    from opsbook.incident.checks import ERROR, FINDING, PASS, SKIPPED, Check, Finding
    from opsbook.incident.cost_spike import CostSpike, drill_cost_spike
    from opsbook.incident.lambda_failures import LambdaDrill, drill_lambda
    from opsbook.incident.latency import LatencyDrill, detect_change_point, drill_latency
    from opsbook.incident.services import ServiceTargets, find_service
    from opsbook.incident.timeline import timeline_chart
    from opsbook.incident.tracing import TraceDrill, drill_traces
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
    "TraceDrill",
    "Triage",
    "detect_change_point",
    "drill_5xx",
    "drill_cost_spike",
    "drill_lambda",
    "drill_latency",
    "drill_traces",
    "enable_read_only",
    "find_service",
    "read_only",
    "resolve_window",
    "seconds_since_import",
    "snapshot",
    "timeline_chart",
    "triage",
]

# Every other name's module, imported when first used: an on-call runbook's first cell must not
# pay for charts (plotly), Athena (sqlglot) or the drill-downs before the first findings table.
__getattr__ = lazy_attributes(
    __name__,
    {
        "checks": ("ERROR", "FINDING", "PASS", "SKIPPED", "Check", "Finding"),
        "api_5xx": ("Drill5xx", "drill_5xx"),
        "cost_spike": ("CostSpike", "drill_cost_spike"),
        "lambda_failures": ("LambdaDrill", "drill_lambda"),
        "latency": ("LatencyDrill", "detect_change_point", "drill_latency"),
        "services": ("ServiceTargets", "find_service"),
        "timeline": ("timeline_chart",),
        "tracing": ("TraceDrill", "drill_traces"),
        "window": ("IncidentWindow", "resolve_window"),
    },
)


def __dir__() -> list[str]:
    return __all__


def seconds_since_import() -> float:
    """Return the seconds since opsbook began importing: a headless runbook's run clock.

    A runbook's first code cell imports opsbook, so in a headless run (a fresh kernel) this is
    the time since the run's first cell began, kernel start excluded. In a long-lived JupyterLab
    kernel it also counts the time the kernel sat idle.

    Examples
    --------
    >>> seconds_since_import() > 0
    True
    """
    return round(time.perf_counter() - opsbook.IMPORTED_AT, 3)
