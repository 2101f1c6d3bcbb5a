"""CloudWatch Application Signals SLOs: budget reports in the same columns as opsbook's SLO summary.

One row per SLO (all the account's SLOs when no ids are given) with ``name``, ``attainment`` (a
fraction, like :meth:`opsbook.slo.evaluate.SloReport.summary`), ``budget_remaining`` (share),
``status`` and the raw budget figures. Application Signals exists only on AWS, so the backend
selector reads it there whatever the configured backend.

Examples
--------
>>> budget_reports(at="2026-11-15T00:00Z")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from opsbook import clock
from opsbook.backends import backend
from opsbook.settings import Settings, resolve

__all__ = ["budget_reports"]

_STATUS = {
    "OK": "ok",
    "WARNING": "warning",
    "BREACHED": "exhausted",
    "INSUFFICIENT_DATA": "no data",
}
COLUMNS = [
    "name",
    "source",
    "evaluation",
    "target",
    "window",
    "attainment",
    "budget_remaining",
    "status",
    "budget_total",
    "budget_left",
    "budget_unit",
    "arn",
]


def budget_reports(
    slo_ids: Sequence[str] = (),
    at: clock.Moment | None = None,
    *,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the budget report of each Application Signals SLO at ``at`` (default now).

    Parameters
    ----------
    slo_ids
        SLO ARNs or names; empty = every SLO ListServiceLevelObjectives returns.
    at
        The report's moment (UTC).
    settings
        Region and profile of the standard boto3 chain.

    Returns
    -------
    pandas.DataFrame
        One row per SLO, columns :data:`COLUMNS`; ``attrs["errors"]`` lists per-SLO errors.
    """
    settings = settings or resolve()
    moment = clock.now() if at in (None, "") else clock.to_utc(at, "at")
    reports, errors = backend(settings).appsignals.budget_reports(settings, slo_ids, moment)
    frame = pd.DataFrame([_row(report) for report in reports], columns=COLUMNS)
    frame.attrs["errors"] = [
        {
            "slo": e.get("Name") or e.get("Arn", ""),
            "error": f"{e['ErrorCode']}: {e['ErrorMessage']}",
        }
        for e in errors
    ]
    frame.attrs["timestamp"] = moment.isoformat()
    return frame


def _row(report: dict[str, Any]) -> dict[str, Any]:
    goal = report.get("Goal", {})
    request_based = report.get("EvaluationType") == "RequestBased"
    if request_based:
        total, left, unit = (
            report.get("TotalBudgetRequests"),
            report.get("BudgetRequestsRemaining"),
            "requests",
        )
    else:
        total, left, unit = (
            report.get("TotalBudgetSeconds"),
            report.get("BudgetSecondsRemaining"),
            "seconds",
        )
    remaining = left / total if total else float("nan")
    attainment = report.get("Attainment")
    return {
        "name": report["Name"],
        "source": "application-signals",
        "evaluation": report.get("EvaluationType", ""),
        "target": goal["AttainmentGoal"] / 100 if "AttainmentGoal" in goal else float("nan"),
        "window": _interval(goal.get("Interval", {})),
        "attainment": attainment / 100 if attainment is not None else float("nan"),
        "budget_remaining": remaining,
        "status": _STATUS.get(report.get("BudgetStatus", ""), report.get("BudgetStatus", "")),
        "budget_total": total,
        "budget_left": left,
        "budget_unit": unit,
        "arn": report.get("Arn", ""),
    }


def _interval(interval: dict[str, Any]) -> str:
    if "RollingInterval" in interval:
        one = interval["RollingInterval"]
        return f"{one['Duration']} {one['DurationUnit'].lower()} rolling"
    if "CalendarInterval" in interval:
        one = interval["CalendarInterval"]
        return f"{one['Duration']} {one['DurationUnit'].lower()} calendar"
    return ""
