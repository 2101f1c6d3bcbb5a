"""AWS's savings recommendations, anomalies and budgets on the local backend: saved exports and API output.

Budgets are ``billing/describe-budgets.json``, what ``aws budgets describe-budgets`` prints, and
``billing/budget-performance-history/<budget>.json``, what ``describe-budget-performance-history``
prints for each. Compute Optimizer's are the JSON its three ``get-*-recommendations`` commands
print, under ``billing/compute-optimizer`` (the API's shape, which the aws backend reads too,
rather than the S3 export's CSV, whose flattened columns differ per resource type); any of the
three may be missing. Cost Anomaly Detection's are what ``aws ce get-anomalies`` and
``get-anomaly-monitors`` print, under ``billing/cost-anomaly-detection``.

Data Exports writes the ``COST_OPTIMIZATION_RECOMMENDATIONS`` table as Parquet (any folder
layout below ``data_dir/billing/cost-optimization-hub``); each refresh repeats every open
recommendation, so only the newest ``last_refresh_timestamp`` of each ``recommendation_id`` is
kept. Savings and cost are the after-discount figures where the export has them, else before.

Examples
--------
>>> from opsbook.settings import resolve
>>> read_optimization_recommendations(resolve()).columns[0]  # doctest: +SKIP
'recommendation_id'
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from opsbook.backends import billing_shapes, layout
from opsbook.backends.contract import Billing, contract_functions
from opsbook.backends.frames import OPTIMIZATION_RECOMMENDATIONS
from opsbook.backends.local import data_dir, read_json
from opsbook.backends.local._reading import Reading
from opsbook.errors import NoDataError, QueryFailedError
from opsbook.settings import Settings

__all__ = contract_functions(Billing)

#: Export column -> frame column: the export names its columns as the frame does but for these;
#: cost and savings come from its columns before and after discounts.
_RENAMED = {"recommendation_source": "source", "last_refresh_timestamp": "last_refresh"}
_COMPUTED = {"estimated_monthly_cost", "estimated_monthly_savings"}
_COLUMNS = {
    column: column
    for column in OPTIMIZATION_RECOMMENDATIONS
    if column not in {*_RENAMED.values(), *_COMPUTED}
} | _RENAMED


def read_optimization_recommendations(settings: Settings) -> pd.DataFrame:
    """Return the newest refresh of each exported recommendation."""
    folder, files = _files(settings, layout.COST_OPTIMIZATION_HUB, "**/*.parquet",
                           "Cost Optimization Hub export", "create a Data Export of the "
                           "COST_OPTIMIZATION_RECOMMENDATIONS table (Parquet) and copy it there")  # fmt: skip
    tables = []
    for path in files:
        try:
            tables.append(pq.read_table(path))
        except (OSError, pa.ArrowException) as error:
            raise QueryFailedError(f"cannot read {path}: {error}") from None
    export = pa.concat_tables(tables, promote_options="default").to_pandas()
    export.columns = [c.lower() for c in export.columns]  # recommendation_ID in the docs
    missing = sorted({*_COLUMNS, "estimated_monthly_savings_before_discount"} - set(export))
    if missing:
        raise QueryFailedError(
            f"{folder} is not a COST_OPTIMIZATION_RECOMMENDATIONS export: no {', '.join(missing)}"
        )
    export = export.sort_values("last_refresh_timestamp").drop_duplicates(
        "recommendation_id", keep="last"
    )
    rows = export[list(_COLUMNS)].rename(columns=_COLUMNS)
    for name in ("savings", "cost"):
        after = export.get(f"estimated_monthly_{name}_after_discount")
        before = export[f"estimated_monthly_{name}_before_discount"]
        rows[f"estimated_monthly_{name}"] = before if after is None else after.fillna(before)
    return billing_shapes.recommendations_of(rows)


def read_budgets(settings: Settings) -> pd.DataFrame:
    """Return the budgets saved from DescribeBudgets."""
    budgets, reading = _saved(settings, layout.DESCRIBE_BUDGETS, "Budgets",
                              "aws budgets describe-budgets --account-id <id>")  # fmt: skip
    return reading.mark(billing_shapes.budgets_of(budgets))


def read_compute_optimizer_recommendations(settings: Settings) -> pd.DataFrame:
    """Return the recommendations saved from Compute Optimizer's three ``Get*Recommendations``."""
    root = data_dir(settings)
    reading = Reading.of(settings)
    answers = {}
    for operation, key in billing_shapes.COMPUTE_OPTIMIZER_LISTS.items():
        path = root / layout.compute_optimizer(operation)
        if path.is_file():
            answers[key] = read_json(path, reading, lambda saved, key=key: saved[key]) or []
    if not answers:
        raise NoDataError(
            f"no Compute Optimizer recommendations under {root / layout.COMPUTE_OPTIMIZER}: save "
            "`aws compute-optimizer get-ec2-instance-recommendations` (and the ebs-volume and "
            "lambda-function ones) there as <command>.json"
        )
    return reading.mark(billing_shapes.compute_optimizer_of(answers))


def read_cost_anomalies(settings: Settings, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Return the saved GetAnomalies anomalies that end in ``[start, end)``."""
    anomalies, reading = _saved(settings, layout.ANOMALIES, "Anomalies",
                                "aws ce get-anomalies --date-interval ...")  # fmt: skip
    frame = billing_shapes.anomalies_of(anomalies)
    ends = frame["end_day"].dt.date
    return reading.mark(frame[(ends >= start) & (ends < end)].reset_index(drop=True))


def read_anomaly_monitors(settings: Settings) -> pd.DataFrame:
    """Return the saved GetAnomalyMonitors monitors."""
    monitors, reading = _saved(settings, layout.ANOMALY_MONITORS, "AnomalyMonitors",
                               "aws ce get-anomaly-monitors")  # fmt: skip
    return reading.mark(billing_shapes.monitors_of(monitors))


def read_budget_history(settings: Settings) -> pd.DataFrame:
    """Return every saved DescribeBudgetPerformanceHistory, one row per budget period."""
    _, files = _files(settings, layout.BUDGET_HISTORY, "*.json", "budget history",
                      "save `aws budgets describe-budget-performance-history --budget-name "
                      "<budget>` there as <budget>.json")  # fmt: skip
    reading = Reading.of(settings)
    rows = []
    for path in files:
        rows += read_json(path, reading,
                          lambda saved: billing_shapes.budget_history_rows(saved["BudgetPerformanceHistory"])) or []  # fmt: skip
    return reading.mark(billing_shapes.budget_history_of(rows))


def _saved(settings: Settings, relative: str, key: str, command: str) -> tuple[list, Reading]:
    """Return the ``key`` list of a saved API response and the reading that judged it.

    A missing file is a :class:`NoDataError` naming it and the AWS CLI ``command`` that saves it.
    """
    path = data_dir(settings) / relative
    if not path.is_file():
        raise NoDataError(f"no {path}: save `{command}` there")
    reading = Reading.of(settings)
    return read_json(path, reading, lambda saved: saved[key]) or [], reading


def _files(
    settings: Settings, relative: str, pattern: str, what: str, advice: str
) -> tuple[Path, list[Path]]:
    """Return the folder ``relative`` to the data and its files matching ``pattern``, sorted.

    No such file is a :class:`NoDataError` naming ``what`` is missing there and the ``advice``.
    """
    folder = data_dir(settings) / relative
    files = sorted(folder.glob(pattern)) if folder.is_dir() else []
    if not files:
        raise NoDataError(f"no {what} under {folder}: {advice}")
    return folder, files
