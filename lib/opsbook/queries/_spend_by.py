"""The ``cur/spend_by_<dimension>`` queries: one template, a fixed table of dimensions.

Every spend query returns the same daily cost columns grouped by its dimension's keys; only the
keys differ. ``_templates/spend_by.sql`` holds the query once and :data:`DIMENSIONS` what each
dimension groups on: CUR columns and expressions written here, never a caller's value (a
caller's tag key or category name is a bound parameter, like the periods and accounts).

Examples
--------
>>> print(texts()["cur/spend_by_region"].splitlines()[0])
-- name: spend_by_region
>>> sorted(texts())[:2]
['cur/spend_by_account', 'cur/spend_by_account_service']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["DIMENSIONS", "Dimension", "MapKey", "texts"]

#: Line items whose usage period is longer than a day: what AWS posts for the whole month.
MONTHLY_POSTING = (
    "date_diff('hour', line_item_usage_start_date, line_item_usage_end_date) > 24",
    "monthly_posting",
)
_POSTING_DOC = (
    "; monthly_posting marks line items whose usage period is longer than a day: the charges AWS "
    "posts for the whole month, dated the 1st (tax, support and other fees, monthly commitment "
    "fees, credits), also while the month is open (then accrued to date)"
)
_ACCOUNT = (
    ("line_item_usage_account_id", "account_id"),
    ("line_item_usage_account_name", "account_name"),
)
_SERVICE = ("line_item_product_code", "service")


@dataclass(frozen=True)
class MapKey:
    """One key of a CUR map column, chosen by a bound parameter: each line item's value of it.

    Line items without the key are left out (the caller adds them back as the rest of the total).
    """

    column: str  # the map column, e.g. resource_tags
    alias: str  # the unnested keys' table alias
    key: str  # the key's result column and the parameter naming it
    value: str  # the value's result column
    help: str  # the parameter's help

    def keys(self) -> tuple[tuple[str, str], ...]:
        """Return the (expression, column) pairs: the key, then its value."""
        key = f"{self.alias}.{self.key}"
        return (key, self.key), (f"element_at({self.column}, {key})", self.value)


@dataclass(frozen=True)
class Dimension:
    """What one spend query groups on: ``keys`` as (CUR expression, result column) pairs."""

    per: str  # completes the doc: "cost per ..."
    keys: tuple[tuple[str, str], ...] = ()
    map_key: MapKey | None = None

    def slots(self) -> dict[str, str]:
        """Return the template's slots filled for this dimension."""
        keys = self.keys + (self.map_key.keys() if self.map_key else ())
        columns = [
            expr if expr.endswith(f".{name}") else f"{expr} AS {name}" for expr, name in keys
        ]
        slots = {
            "per": self.per + (_POSTING_DOC if MONTHLY_POSTING in keys else ""),
            "columns": ",\n    ".join(columns),
            "keys": ", ".join(expr for expr, _ in keys),
            "param": "",
            "join": "",
            "filter": "",
        }
        if self.map_key:
            m = self.map_key
            slots["param"] = f"-- param: {m.key} string  {m.help}"
            slots["join"] = f"\nCROSS JOIN UNNEST(map_keys({m.column})) AS {m.alias}({m.key})"
            slots["filter"] = f"\n    AND {m.alias}.{m.key} = :{m.key}"
        return slots


#: Dimension (the query ``cur/spend_by_<dimension>``) -> what it groups on.
DIMENSIONS = {
    "account": Dimension("linked account (with its name)", _ACCOUNT),
    "account_service": Dimension(
        "linked account (with its name) and service", (*_ACCOUNT, _SERVICE, MONTHLY_POSTING)
    ),
    "charge_type": Dimension(
        "line item type (Usage, Tax, Credit, Refund, discounts, commitment fees ...)",
        (("line_item_line_item_type", "charge_type"), MONTHLY_POSTING),
    ),
    "cost_category": Dimension(
        "value of one cost category (e.g. BusinessUnit), categorised line items only",
        map_key=MapKey(
            "cost_category",
            "c",
            "category",
            "category_value",
            "cost category name, e.g. BusinessUnit",
        ),  # fmt: skip
    ),
    "principal": Dimension(
        "IAM principal that used the resources ('(no principal)' for rows without one); needs "
        "INCLUDE_IAM_PRINCIPAL_DATA",
        (("coalesce(nullif(line_item_iam_principal, ''), '(no principal)')", "principal"),),
    ),
    "region": Dimension(
        "region ('global' for rows without one)",
        (("coalesce(nullif(product_region_code, ''), 'global')", "region"),),
    ),
    "service": Dimension("service (product code)", (_SERVICE,)),
    "tag": Dimension(
        "value of one resource tag (CUR key, e.g. user_app), tagged line items only; untagged "
        "cost is the total minus these",
        map_key=MapKey(
            "resource_tags",
            "t",
            "tag_key",
            "tag_value",
            "resource tag key as the CUR names it, e.g. user_app",
        ),  # fmt: skip
    ),
    "usage_type": Dimension(
        "service and usage type", (_SERVICE, ("line_item_usage_type", "usage_type"))
    ),
}


@cache
def texts() -> dict[str, str]:
    """Return each spend query's name and text (header and body), made from the template."""
    template = resources.files("opsbook.queries").joinpath("_templates", "spend_by.sql")
    lines = template.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("-- name:"))
    body = "".join(lines[start:])
    out = {}
    for dimension, spec in DIMENSIONS.items():
        text = body
        for slot, value in {"dimension": dimension, **spec.slots()}.items():
            text = text.replace(f"@{slot}@", value)
        out[f"cur/spend_by_{dimension}"] = text
    return out
