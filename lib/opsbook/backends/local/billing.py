"""AWS's savings recommendations and budgets on the local backend: saved exports and API output.

Budgets are ``billing/describe-budgets.json``, what ``aws budgets describe-budgets`` prints.

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

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from opsbook.backends import layout
from opsbook.backends.frames import budgets_frame, optimization_recommendations_frame
from opsbook.backends.local import data_dir, read_json
from opsbook.backends.local._reading import Reading
from opsbook.backends.shapes import budget_rows
from opsbook.errors import NoDataError, QueryFailedError
from opsbook.settings import Settings

__all__ = ["read_budgets", "read_optimization_recommendations"]

_COLUMNS = {  # export column -> frame column
    "recommendation_id": "recommendation_id",
    "account_id": "account_id",
    "region": "region",
    "resource_id": "resource_id",
    "resource_arn": "resource_arn",
    "action_type": "action_type",
    "current_resource_type": "current_resource_type",
    "current_resource_summary": "current_resource_summary",
    "recommended_resource_summary": "recommended_resource_summary",
    "implementation_effort": "implementation_effort",
    "recommendation_source": "source",
    "last_refresh_timestamp": "last_refresh",
}


def read_optimization_recommendations(settings: Settings) -> pd.DataFrame:
    """Return the newest refresh of each exported recommendation."""
    folder = data_dir(settings) / layout.COST_OPTIMIZATION_HUB
    files = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
    if not files:
        raise NoDataError(
            f"no Cost Optimization Hub export under {folder}: create a Data Export of the "
            "COST_OPTIMIZATION_RECOMMENDATIONS table (Parquet) and copy it there"
        )
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
    return optimization_recommendations_frame(rows.sort_values("recommendation_id"))


def read_budgets(settings: Settings) -> pd.DataFrame:
    """Return the budgets saved from DescribeBudgets."""
    path = data_dir(settings) / layout.DESCRIBE_BUDGETS
    if not path.is_file():
        raise NoDataError(f"no {path}: save `aws budgets describe-budgets --account-id <id>` there")
    reading = Reading.of(settings)
    budgets = read_json(path, reading, lambda saved: saved["Budgets"]) or []
    frame = budgets_frame(budget_rows(budgets))
    return reading.mark(frame.sort_values("budget_name", ignore_index=True))
