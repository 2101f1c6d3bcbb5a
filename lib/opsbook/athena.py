"""The Cost and Usage Report through Athena SQL: one query text, run on Athena or on DuckDB.

Queries are written once in Athena's (Trino) dialect against the logical table ``cur``; the aws
backend runs them on Athena against ``settings.athena_database.athena_table``, the local backend
transpiles them with sqlglot and runs them on DuckDB over the CUR Parquet files in ``data_dir``.

Examples
--------
>>> periods = describe_cur()  # doctest: +SKIP
>>> periods.columns.tolist()  # doctest: +SKIP
['billing_period', 'line_items', 'accounts', 'services', 'first_usage', 'last_usage', 'unblended_cost']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsbook import queries
from opsbook.backends import select
from opsbook.settings import Settings, resolve

__all__ = ["describe_cur", "query"]


def query(
    name: str, params: dict[str, Any] | None = None, *, settings: Settings | None = None
) -> pd.DataFrame:
    """Run a shipped CUR query by name with bound parameters.

    Parameters
    ----------
    name
        Query name, e.g. ``cur/cost_by_service`` (see :func:`opsbook.queries.names`).
    params
        Values for the query's declared parameters; checked before anything runs.
    settings
        Backend and location of the CUR; resolved from the project by default.

    Returns
    -------
    pandas.DataFrame
        The result; the same columns and types on both backends.

    Examples
    --------
    >>> query("cur/cost_by_service", {"start_period": "2026-08", "end_period": "2026-10"})  # doctest: +SKIP
    """
    settings = settings or resolve()
    spec = queries.load(name)
    values = spec.check(params)
    return select(settings, "cur").run_cur_query(spec.sql, values, settings)


def describe_cur(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return one row per billing period: line items, accounts, services and unblended cost.

    Examples
    --------
    >>> describe_cur().billing_period.tolist()  # doctest: +SKIP
    ['2026-08', '2026-09', '2026-10', '2026-11']
    """
    return query("cur/billing_periods", settings=settings)
