"""The CUR flavours on disk, seen through one table with CUR 2.0 names.

* ``cur2`` — Data Exports CUR 2.0, ``<export>/data/BILLING_PERIOD=YYYY-MM/*.parquet``: native.
* ``legacy`` — CUR 1 with Athena integration, ``<report>/.../year=YYYY/month=M/*.parquet``:
  partitions become ``billing_period``, flat ``resource_tags_user_*`` columns become the
  ``resource_tags`` map (keys ``user_*``, empty values left out), ``product_region`` becomes
  ``product_region_code`` and the commitment columns a month did not use come back as NULL,
  so one SQL body runs on both.
* ``focus`` — FOCUS 1.x exports (Parquet or CSV): the columns cost analyses need under CUR
  names (BilledCost → ``line_item_unblended_cost``, ListCost → ``pricing_public_on_demand_cost``,
  EffectiveCost → ``effective_cost``, the amortized figure), plus every FOCUS column lower-cased.
  The literal string ``NULL`` is read as NULL and timestamps may be ISO or ``YYYY-MM-DD HH:MM:SS``.

The flavour is detected from the columns (CUR 2.0 has ``bill_payer_account_name``, FOCUS has
``BilledCost``).

Examples
--------
>>> detect_flavour({"bill_payer_account_name", "line_item_unblended_cost"})
'cur2'
>>> detect_flavour({"BilledCost", "EffectiveCost"})
'focus'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from opsbook.errors import ConfigurationError

__all__ = ["CurView", "detect_flavour", "file_columns", "missing_column_hint", "open_view"]

#: Commitment columns legacy CUR only has in months that used RIs or Savings Plans.
LEGACY_COMMITMENT_COLUMNS = {
    "reservation_reservation_a_r_n": "VARCHAR",
    "reservation_effective_cost": "DOUBLE",
    "reservation_unused_amortized_upfront_fee_for_billing_period": "DOUBLE",
    "reservation_unused_recurring_fee": "DOUBLE",
    "reservation_amortized_upfront_fee_for_billing_period": "DOUBLE",
    "reservation_net_effective_cost": "DOUBLE",
    "reservation_net_unused_amortized_upfront_fee_for_billing_period": "DOUBLE",
    "reservation_net_unused_recurring_fee": "DOUBLE",
    "reservation_net_amortized_upfront_fee_for_billing_period": "DOUBLE",
    "savings_plan_savings_plan_a_r_n": "VARCHAR",
    "savings_plan_savings_plan_effective_cost": "DOUBLE",
    "savings_plan_total_commitment_to_date": "DOUBLE",
    "savings_plan_used_commitment": "DOUBLE",
    "savings_plan_amortized_upfront_commitment_for_billing_period": "DOUBLE",
    "savings_plan_recurring_commitment_for_billing_period": "DOUBLE",
    "savings_plan_net_savings_plan_effective_cost": "DOUBLE",
    "savings_plan_net_amortized_upfront_commitment_for_billing_period": "DOUBLE",
}

# FOCUS column -> (CUR 2.0 name, DuckDB type)
_FOCUS = {
    "BillingAccountId": ("bill_payer_account_id", "VARCHAR"),
    "BillingAccountName": ("bill_payer_account_name", "VARCHAR"),
    "SubAccountId": ("line_item_usage_account_id", "VARCHAR"),
    "SubAccountName": ("line_item_usage_account_name", "VARCHAR"),
    "BillingPeriodStart": ("bill_billing_period_start_date", "TIMESTAMP"),
    "BillingPeriodEnd": ("bill_billing_period_end_date", "TIMESTAMP"),
    "ChargePeriodStart": ("line_item_usage_start_date", "TIMESTAMP"),
    "ChargePeriodEnd": ("line_item_usage_end_date", "TIMESTAMP"),
    "BilledCost": ("line_item_unblended_cost", "DOUBLE"),
    "EffectiveCost": ("effective_cost", "DOUBLE"),
    "ListCost": ("pricing_public_on_demand_cost", "DOUBLE"),
    "ContractedCost": ("contracted_cost", "DOUBLE"),
    "BillingCurrency": ("line_item_currency_code", "VARCHAR"),
    "ChargeDescription": ("line_item_line_item_description", "VARCHAR"),
    "ConsumedQuantity": ("line_item_usage_amount", "DOUBLE"),
    "PricingUnit": ("pricing_unit", "VARCHAR"),
    "RegionId": ("product_region_code", "VARCHAR"),
    "AvailabilityZone": ("line_item_availability_zone", "VARCHAR"),
    "ResourceId": ("line_item_resource_id", "VARCHAR"),
    "ServiceName": ("product_servicename", "VARCHAR"),
    "ProviderName": ("provider_name", "VARCHAR"),
    "ServiceCategory": ("service_category", "VARCHAR"),
    "ChargeCategory": ("charge_category", "VARCHAR"),
    "CommitmentDiscountId": ("commitment_discount_id", "VARCHAR"),
}
_FOCUS_TYPES = {"Usage": "Usage", "Purchase": "Fee", "Tax": "Tax", "Credit": "Credit"}

_EXPORT_HINTS = [
    (
        "split_line_item_",
        "INCLUDE_SPLIT_COST_ALLOCATION_DATA = TRUE in the export's table configuration",
    ),
    ("line_item_resource_id", "INCLUDE_RESOURCES = TRUE in the export's table configuration"),
    (
        "line_item_iam_principal",
        "INCLUDE_IAM_PRINCIPAL_DATA = TRUE in the export's table configuration",
    ),
    ("discount", "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY = FALSE (discounts as the discount map)"),
]
_CUR_PREFIXES = (
    "bill_", "line_item_", "pricing_", "product", "reservation_", "savings_plan_",
    "split_line_item_", "discount", "resource_tags", "cost_category", "tags", "identity_",
)  # fmt: skip


@dataclass
class CurView:
    """The ``cur`` relation over some files, and where each of its columns comes from."""

    flavour: str
    relation: duckdb.DuckDBPyRelation
    columns: set[str]
    sources: dict[str, set[str]] = field(default_factory=dict)


def file_columns(path: Path) -> list[str]:
    """Return the column names of one Parquet or CSV file (header only, nothing else read)."""
    if path.name.endswith(".parquet"):
        return pq.read_schema(path).names
    con = duckdb.connect()
    try:
        return con.read_csv(str(path), all_varchar=True, header=True).columns
    finally:
        con.close()


def detect_flavour(columns: set[str] | list[str]) -> str:
    """Return ``cur2``, ``legacy`` or ``focus`` from a table's column names.

    Raises
    ------
    ConfigurationError
        When the columns are none of the three.
    """
    lower = {c.lower() for c in columns}
    if "bill_payer_account_name" in lower:
        return "cur2"
    if "billedcost" in lower:
        return "focus"
    if "line_item_unblended_cost" in lower:
        return "legacy"
    raise ConfigurationError(
        "cannot tell the CUR flavour: no bill_payer_account_name (CUR 2.0), BilledCost (FOCUS) "
        f"or line_item_unblended_cost (legacy CUR) among {sorted(lower)[:8]}..."
    )


def open_view(
    con: duckdb.DuckDBPyConnection, files: list[Path], flavour: str, hive_key: str | None
) -> CurView:
    """Return the ``cur`` view of ``files`` in ``flavour``; ``hive_key`` is their partition key."""
    paths = [str(p) for p in files]
    if paths[0].endswith(".parquet"):
        raw = con.read_parquet(paths, hive_partitioning=hive_key is not None, union_by_name=True)
    else:
        raw = con.read_csv(paths, all_varchar=True, header=True, union_by_name=True)
    names = [
        c for c in raw.columns if c not in ("BILLING_PERIOD", "billing_period", "year", "month")
    ]
    if flavour == "cur2":
        projection, sources = _cur2(names, hive_key)
    elif flavour == "legacy":
        projection, sources = _legacy(names, hive_key)
    else:
        projection, sources = _focus(names, hive_key)
    relation = raw.project(", ".join(projection))
    return CurView(flavour, relation, set(relation.columns), sources)


def missing_column_hint(column: str, flavour: str) -> str | None:
    """Return what to change so the export has ``column``, or ``None`` if it is no CUR column."""
    if not column.startswith(_CUR_PREFIXES):
        return None
    if flavour == "focus":
        return "FOCUS exports have no such CUR column; run the analysis on a CUR 2.0 export"
    if flavour == "legacy":
        return (
            "legacy CUR has a column only in months that used it; pick months that do, "
            "or move to a CUR 2.0 export (fixed schema)"
        )
    for prefix, hint in _EXPORT_HINTS:
        if column.startswith(prefix):
            return f"set {hint}"
    return "add the column to the Data Export's query (CUR 2.0 exports select columns explicitly)"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _partition(hive_key: str | None) -> list[str]:
    if hive_key in ("BILLING_PERIOD", "billing_period"):
        return [f"{_q(hive_key)} AS billing_period"]
    if hive_key == "year":
        return [
            "printf('%04d-%02d', CAST(year AS INTEGER), CAST(month AS INTEGER)) AS billing_period"
        ]
    return []


def _cur2(names: list[str], hive_key: str | None) -> tuple[list[str], dict[str, set[str]]]:
    return [*map(_q, names), *_partition(hive_key)], {n: {n} for n in names}


def _legacy(names: list[str], hive_key: str | None) -> tuple[list[str], dict[str, set[str]]]:
    tag_columns = [n for n in names if n.startswith(("resource_tags_user_", "resource_tags_aws_"))]
    plain = [n for n in names if n not in tag_columns]
    projection = [*map(_q, plain), *_partition(hive_key)]
    sources = {n: {n} for n in plain}
    entries = ", ".join(
        f"{{'key': '{n[len('resource_tags_') :]}', 'value': {_q(n)}}}" for n in tag_columns
    )
    projection.append(
        f"map_from_entries(list_filter([{entries}], lambda e: coalesce(e.value, '') <> ''))"
        " AS resource_tags"
        if tag_columns
        else "MAP()::MAP(VARCHAR, VARCHAR) AS resource_tags"
    )
    sources["resource_tags"] = set(tag_columns)
    if "product_region" in names and "product_region_code" not in names:
        projection.append('"product_region" AS product_region_code')
        sources["product_region_code"] = {"product_region"}
    for column in ("bill_payer_account_name", "line_item_usage_account_name"):
        projection.append(f"CAST(NULL AS VARCHAR) AS {column}")
    for column, kind in LEGACY_COMMITMENT_COLUMNS.items():
        if column not in names:
            projection.append(f"CAST(NULL AS {kind}) AS {column}")
    return projection, sources


def _focus(names: list[str], hive_key: str | None) -> tuple[list[str], dict[str, set[str]]]:
    by_lower = {n.lower(): n for n in names}
    projection, sources = [], {}
    mapped = set()
    for focus, (cur, kind) in _FOCUS.items():
        source = by_lower.get(focus.lower())
        if source is None:
            continue
        mapped.add(source)
        value = f"nullif(trim(CAST({_q(source)} AS VARCHAR)), 'NULL')"
        projection.append(f"try_cast({value} AS {kind}) AS {cur}")
        sources[cur] = {source}
    code = by_lower.get("x_servicecode") or by_lower.get("servicename")
    if code:
        projection.append(f"nullif({_q(code)}, 'NULL') AS line_item_product_code")
        sources["line_item_product_code"] = {code}
    category = by_lower.get("chargecategory")
    if category:
        cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in _FOCUS_TYPES.items())
        projection.append(
            f"CASE {_q(category)} {cases} ELSE {_q(category)} END AS line_item_line_item_type"
        )
        sources["line_item_line_item_type"] = {category}
    tags = by_lower.get("tags")
    if tags:
        projection.append(
            f"coalesce(try_cast(json_transform(nullif(trim({_q(tags)}), 'NULL'), "
            "'\"MAP(VARCHAR, VARCHAR)\"') AS MAP(VARCHAR, VARCHAR)), MAP()) AS resource_tags"
        )
        sources["resource_tags"] = {tags}
    for name in names:  # every FOCUS column stays reachable, lower-cased as Glue shows it
        lower = re.sub(r"\W", "_", name.lower())
        if lower not in sources and lower != "tags":
            projection.append(f"nullif(CAST({_q(name)} AS VARCHAR), 'NULL') AS {_q(lower)}")
            sources[lower] = {name}
    if hive_key:
        projection += _partition(hive_key)
    elif "BillingPeriodStart".lower() in by_lower:
        start = _q(by_lower["billingperiodstart"])
        projection.append(
            f"strftime(try_cast(nullif({start}, 'NULL') AS TIMESTAMP), '%Y-%m') AS billing_period"
        )
        sources["billing_period"] = {by_lower["billingperiodstart"]}
    return projection, sources
