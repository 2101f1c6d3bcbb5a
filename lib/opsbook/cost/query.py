"""Run the cost analyses' CUR queries, also on a CUR exported without commitment columns.

A CUR 2.0 export's fixed schema has the ``savings_plan_*`` and ``reservation_*`` columns the
amortized cost rules read; an export whose query selects fewer columns (or one made before any
commitment was bought) lacks them, and every spend query would fail. Without those columns the
amortized rules change nothing *as long as the data has no commitment line items*
(``DiscountedUsage``, ``RIFee``, ``SavingsPlan*``): every remaining line item's amortized cost
is its unblended cost. So :func:`run_cur_query` checks the line item types present
(``cur/line_item_types``) and then

* with no commitment line items, runs the same shipped query with the amortized fragments read
  as unblended cost (``attrs["query"]["name"]`` says so), for every basis;
* with commitment line items, runs it that way only for the ``unblended`` and ``public`` bases,
  and refuses the amortized ones with an error naming the export setting that adds the columns.

Examples
--------
>>> run_cur_query("cur/spend_by_service", {"start_period": "2026-10", "end_period": "2026-10",
...               "accounts": ""}, basis="unblended")  # doctest: +SKIP
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from opsbook import athena, queries
from opsbook.errors import ConfigurationError, MissingColumnError
from opsbook.settings import Settings

__all__ = [
    "COMMITMENT_LINE_ITEM_TYPES",
    "commitment_line_items",
    "is_commitment_column",
    "run_cur_query",
]

#: Line item types that only a CUR with commitment columns can amortize.
COMMITMENT_LINE_ITEM_TYPES = (
    "DiscountedUsage",
    "RIFee",
    "SavingsPlanCoveredUsage",
    "SavingsPlanNegation",
    "SavingsPlanRecurringFee",
    "SavingsPlanUpfrontFee",
)
#: Fragment -> what it equals on a CUR without commitment columns or commitment line items.
_WITHOUT_COMMITMENTS = {
    "amortized_cost": "line_item_unblended_cost",
    "net_amortized_cost": "coalesce(line_item_net_unblended_cost, line_item_unblended_cost)",
    "true_up": "0",
    "upfront_fees": "0",
}
_COMMITMENT_COLUMN = re.compile(r"\b(?:savings_plan|reservation)_\w+")
EXPORT_HINT = (
    "export CUR 2.0 (Data Exports, table COST_AND_USAGE_REPORT) selecting all columns: the "
    "savings_plan_* and reservation_* columns are part of its fixed schema"
)


def is_commitment_column(column: str) -> bool:
    """Return whether ``column`` is one of the CUR's Savings Plans / Reserved Instances columns.

    Examples
    --------
    >>> is_commitment_column("savings_plan_used_commitment"), is_commitment_column("product_sku")
    (True, False)
    """
    return bool(_COMMITMENT_COLUMN.fullmatch(column))


def commitment_line_items(params: dict[str, Any], settings: Settings | None) -> pd.DataFrame:
    """Return the commitment line item types of the queried periods: ``charge_type``, ``line_items``."""
    base = {k: params[k] for k in ("start_period", "end_period", "accounts")}
    types = athena.query("cur/line_item_types", base, settings=settings)
    found = types[types["charge_type"].isin(COMMITMENT_LINE_ITEM_TYPES)]
    return found.groupby("charge_type", as_index=False)["line_items"].sum()


def run_cur_query(
    name: str, params: dict[str, Any], *, basis: str = "amortized", settings: Settings | None = None
) -> pd.DataFrame:
    """Return shipped query ``name``'s result; on a CUR without commitment columns, see the module.

    Parameters
    ----------
    name, params
        The shipped query and its parameters (``start_period``, ``end_period``, ``accounts``
        among them).
    basis
        The cost basis the caller will read (``unblended``, ``amortized``, ``net_amortized``,
        ``public``): the amortized ones need the commitment columns when commitments exist.

    Raises
    ------
    ConfigurationError
        When the CUR lacks the commitment columns but has commitment line items and ``basis``
        is amortized, or the query itself reads a commitment column.

    Examples
    --------
    >>> run_cur_query("cur/spend_by_service", {"start_period": "2026-10",
    ...               "end_period": "2026-10", "accounts": ""})  # doctest: +SKIP
    """
    try:
        return athena.query(name, params, settings=settings)
    except MissingColumnError as error:
        if not is_commitment_column(error.column):
            raise
        column, failure = error.column, error
    sql = queries.load(name).sql
    for fragment, value in _WITHOUT_COMMITMENTS.items():
        sql = sql.replace(f"({queries.fragment(fragment)})", f"({value})")
    if _COMMITMENT_COLUMN.search(sql):
        raise failure  # the query itself is about commitments
    present = commitment_line_items(params, settings)
    if len(present) and basis in ("amortized", "net_amortized"):
        kinds = ", ".join(f"{r.line_items:,} {r.charge_type}" for r in present.itertuples())
        raise ConfigurationError(
            f"{basis} cost cannot be computed: this CUR has commitment line items ({kinds}) "
            f"but lacks the columns that amortize them ({column} among others). Use "
            f"basis='unblended' or 'public', or {EXPORT_HINT}"
        ) from failure
    frame = athena.query(sql, params, settings=settings)
    facts = frame.attrs["query"]
    facts["name"] = f"{name} (no commitment columns: amortized = unblended)"
    frame.attrs["commitment_columns"] = False
    return frame
