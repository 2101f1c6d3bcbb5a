"""CloudWatch Application Signals on AWS: SLO budget reports, as the API returns them.

BatchGetServiceLevelObjectiveBudgetReport takes at most 50 SLO ids and one timestamp;
:func:`budget_reports` lists the account's SLOs when no ids are given (ListServiceLevelObjectives)
and batches the ids. :mod:`opsbook.slo.appsignals` turns the reports into opsbook's SLO columns.

Examples
--------
>>> from opsbook.settings import resolve
>>> import pandas as pd
>>> budget_reports(resolve(backend="aws"), [], pd.Timestamp("2026-11-15", tz="UTC"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from opsbook.backends.aws import aws_errors, client
from opsbook.backends.contract import AppSignals, contract_functions
from opsbook.settings import Settings

__all__ = contract_functions(AppSignals)

_BATCH = 50  # SloIds per BatchGetServiceLevelObjectiveBudgetReport call


def budget_reports(
    settings: Settings, slo_ids: Sequence[str], moment: pd.Timestamp
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the ``Reports`` and ``Errors`` of ``slo_ids`` (empty: every SLO) at ``moment``."""
    signals = client(settings, "application-signals")
    ids = list(slo_ids) or _list_ids(signals)
    reports: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for first in range(0, len(ids), _BATCH):
        with aws_errors("application-signals:BatchGetServiceLevelObjectiveBudgetReport"):
            answer = signals.batch_get_service_level_objective_budget_report(
                Timestamp=moment.to_pydatetime(), SloIds=ids[first : first + _BATCH]
            )
        reports += answer.get("Reports", [])
        errors += answer.get("Errors", [])
    return reports, errors


def _list_ids(signals: Any) -> list[str]:
    ids = []
    with aws_errors("application-signals:ListServiceLevelObjectives"):
        for page in signals.get_paginator("list_service_level_objectives").paginate():
            ids += [summary["Arn"] for summary in page.get("SloSummaries", [])]
    return ids
