"""CloudWatch Application Signals SLOs: budget reports in the same columns as opsbook's SLO summary.

BatchGetServiceLevelObjectiveBudgetReport takes at most 50 SLO ids and one timestamp; this module
lists the account's SLOs when no ids are given, batches the ids, and returns one row per SLO with
``name``, ``attainment`` (a fraction, like :meth:`opsbook.slo.evaluate.SloReport.summary`),
``budget_remaining`` (share), ``status`` and the raw budget figures. Application Signals exists
only on AWS, so this reads through the aws backend's session whatever the configured backend.

Examples
--------
>>> budget_reports(at="2026-11-15T00:00Z")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from opsbook import clock
from opsbook.backends.aws import aws_errors, session
from opsbook.settings import Settings, resolve

__all__ = ["BATCH", "budget_reports"]

BATCH = 50  # SloIds per BatchGetServiceLevelObjectiveBudgetReport call
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
    client: Any = None,
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
    client
        An ``application-signals`` client to use instead of one from the settings' session.

    Returns
    -------
    pandas.DataFrame
        One row per SLO, columns :data:`COLUMNS`; ``attrs["errors"]`` lists per-SLO errors.
    """
    settings = settings or resolve()
    if client is None:
        client = session(settings).client("application-signals")
    moment = clock.now() if at in (None, "") else clock.to_utc(at, "at")
    ids = list(slo_ids) or _list_ids(client)
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for first in range(0, len(ids), BATCH):
        with aws_errors("application-signals:BatchGetServiceLevelObjectiveBudgetReport"):
            answer = client.batch_get_service_level_objective_budget_report(
                Timestamp=moment.to_pydatetime(), SloIds=ids[first : first + BATCH]
            )
        rows += [_row(report) for report in answer.get("Reports", [])]
        errors += [
            {
                "slo": e.get("Name") or e.get("Arn", ""),
                "error": f"{e['ErrorCode']}: {e['ErrorMessage']}",
            }
            for e in answer.get("Errors", [])
        ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.attrs["errors"] = errors
    frame.attrs["timestamp"] = moment.isoformat()
    return frame


def _list_ids(client: Any) -> list[str]:
    ids = []
    with aws_errors("application-signals:ListServiceLevelObjectives"):
        for page in client.get_paginator("list_service_level_objectives").paginate():
            ids += [summary["Arn"] for summary in page.get("SloSummaries", [])]
    return ids


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
