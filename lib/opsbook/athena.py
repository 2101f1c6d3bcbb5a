"""The Cost and Usage Report through Athena SQL: one query text, run on Athena or on DuckDB.

Queries are written once in Athena's (Trino) dialect against the logical table ``cur``; the aws
backend runs them on Athena against ``settings.athena_database.athena_table``, the local backend
transpiles them with sqlglot and runs them on DuckDB over the CUR files in ``data_dir``.

Before anything runs, on either engine: the query name or SQL is resolved, the parameters are
checked against their declared types (a month is ``YYYY-MM``), and a query that would read every
billing period is refused unless it says so (``-- scan: all periods``) or the caller passes
``allow_full_scan=True``: on Athena that is the query that scans a whole multi-year table.

Every result carries the run's facts in ``df.attrs["query"]`` (see
:class:`opsbook.queries.runs.QueryRun`): engine, query id, bytes scanned, the Athena cost in USD,
elapsed seconds and whether the result came from a cache.

Examples
--------
>>> periods = describe_cur()  # doctest: +SKIP
>>> periods.columns.tolist()  # doctest: +SKIP
['billing_period', 'line_items', 'accounts', 'services', 'first_usage', 'last_usage', 'unblended_cost']
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
from sqlglot import exp

from opsbook import queries
from opsbook.backends import backend
from opsbook.errors import ConfigurationError
from opsbook.queries import ledger
from opsbook.queries.analyse import PARTITION, parse_athena, partition_groups
from opsbook.settings import Settings, resolve

__all__ = ["describe_cur", "query"]


def query(
    sql_or_name: str,
    params: dict[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    timeout: float | None = None,
    allow_full_scan: bool = False,
    use_cache: bool = True,
) -> pd.DataFrame:
    """Run a shipped CUR query by name, or Athena SQL against ``cur``, with bound parameters.

    Parameters
    ----------
    sql_or_name
        A shipped query's name, e.g. ``cur/cost_by_service`` (see
        :func:`opsbook.queries.names`), or Athena SQL reading the logical table ``cur`` with
        ``:name`` placeholders.
    params
        Values for the query's parameters; checked before anything runs.
    settings
        Backend and location of the CUR; resolved from the project by default.
    timeout
        Seconds after which the query is cancelled (on Athena: StopQueryExecution).
    allow_full_scan
        Run a query that has no ``billing_period`` condition (reads every billing period).
    use_cache
        Allow cached results (Athena result reuse, the local result cache).

    Returns
    -------
    pandas.DataFrame
        The result, the same columns and dtypes on both backends; ``attrs["query"]`` holds
        the run's facts.

    Raises
    ------
    ConfigurationError
        For an unknown query, bad parameters, SQL that is not one SELECT, a full scan not
        allowed, or a column the table lacks.
    QueryFailedError, QueryCancelledError, AccessDeniedError
        From the engine, with what to do.

    Examples
    --------
    >>> rows = query("cur/cost_by_service", {"start_period": "2026-08", "end_period": "2026-10"})  # doctest: +SKIP
    >>> rows.attrs["query"]["bytes_scanned"]  # doctest: +SKIP
    1843211
    """
    if not isinstance(sql_or_name, str):
        raise ConfigurationError(f"expected a query name or SQL text, got {sql_or_name!r}")
    started = time.perf_counter()
    spec = queries.resolve(sql_or_name)
    values = spec.check(params)
    tree = parse_athena(spec.sql)
    if not spec.scan_all and not allow_full_scan and partition_groups(tree) is None:
        raise ConfigurationError(
            f"query {spec.name!r} has no {PARTITION} condition, so it would read every billing "
            f"period (on Athena: scan the whole table). Add e.g. WHERE {PARTITION} BETWEEN "
            ":start_period AND :end_period, or pass allow_full_scan=True"
        )
    outside = sorted(
        {p.name for p in tree.find_all(exp.Placeholder) if not p.find_ancestor(exp.Where)}
    )
    if outside:
        raise ConfigurationError(
            f"query {spec.name!r}: parameter(s) {', '.join(outside)} outside a WHERE clause; "
            "Athena binds parameters only in WHERE (write LIMIT and keys as literals)"
        )
    settings = settings or resolve()
    frame = backend(settings).cur.run_cur_query(
        spec, values, settings, timeout=timeout, use_cache=use_cache
    )
    facts = frame.attrs["query"]
    facts["elapsed_s"] = time.perf_counter() - started
    ledger.charge(
        facts["engine"],
        usd=0.0 if facts["cache_hit"] else facts["cost_usd"],
        bytes_scanned=0 if facts["cache_hit"] else facts["bytes_scanned"],
        query_id=facts["query_id"] or None,
    )
    return frame


def describe_cur(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return one row per billing period: line items, accounts, services and unblended cost.

    Examples
    --------
    >>> describe_cur().billing_period.tolist()  # doctest: +SKIP
    ['2026-08', '2026-09', '2026-10', '2026-11']
    """
    return query("cur/billing_periods", settings=settings)
