"""Which CUR 2.0 column comes from which legacy CUR or FOCUS column: one table for both engines.

The rules are data, not SQL. :func:`view_rules` turns a table's column names into the list of
columns the ``cur`` view shows, each with the rule that fills it; the local engine renders the
list as a DuckDB projection over the files (:mod:`opsbook.backends.local.cur_view`) and the
aws backend as a Trino subquery over the Glue table (:mod:`opsbook.backends.aws.cur_view`). Both
views come from this one list, and a test runs both over the same files, so they cannot drift.

Rules (``Rule.how``):

* ``column`` — the source column as is (possibly renamed: legacy ``product_region`` →
  ``product_region_code``);
* ``partition`` — a ``BILLING_PERIOD``/``billing_period`` partition key, as ``billing_period``;
* ``months`` — legacy ``year``/``month`` partition keys as ``billing_period`` = ``YYYY-MM``;
* ``null`` — a column the table lacks, as a NULL of ``kind`` (legacy CUR has the commitment
  columns only in months that used RIs or Savings Plans);
* ``tags`` — flat legacy ``resource_tags_user_*`` columns as the ``resource_tags`` map, keys
  without the ``resource_tags_`` prefix, empty values left out;
* ``focus`` — a FOCUS value as ``kind``: the string ``NULL`` and blanks are NULL, timestamps may
  be ISO or ``YYYY-MM-DD HH:MM:SS``;
* ``text`` — a FOCUS column as text, the string ``NULL`` as NULL;
* ``charge_type`` — FOCUS ChargeCategory as a CUR line item type (:data:`FOCUS_CHARGE_TYPES`);
* ``json_tags`` — FOCUS Tags, a JSON object, as the ``resource_tags`` map;
* ``month_of`` — ``billing_period`` from FOCUS BillingPeriodStart, for unpartitioned files.

FOCUS versions (:func:`focus_version`): 1.0, 1.1 and 1.2 are read by the same rules. No column
was renamed between them (the renames, UsageQuantity → ConsumedQuantity and Region →
RegionId, came with 1.0); 1.1 and 1.2 only added columns (:data:`FOCUS_ADDED`). Those with a
CUR 2.0 counterpart are mapped to it (InvoiceId → ``bill_invoice_id``, PricingCurrency →
``pricing_currency``, CapacityReservationId → ``capacity_reservation_capacity_reservation_arn``);
the others stay reachable lower-cased like every FOCUS column (``servicesubcategory``,
``skupricedetails``, ``billingaccounttype``, ...), so one SQL body reads an export of any version.

FOCUS text quirks (the string ``NULL``, timestamps as text, Tags as JSON) belong to CSV files;
AWS's own FOCUS export is Parquet with real types (timestamps, doubles, Tags a map). When the
source column's type is known and is not text, the rule is marked ``typed``: ``focus`` becomes a
plain cast, ``json_tags`` takes the map as it is, ``month_of`` formats the timestamp, and the
other typed columns (a double such as ``pricingcurrencyeffectivecost``, a map such as
``x_discounts``) are passed through as a ``column``, so they keep their type.

Examples
--------
>>> [(r.name, r.how) for r in view_rules("legacy", ["resource_tags_user_app"], "year")][:2]
[('billing_period', 'months'), ('resource_tags', 'tags')]
>>> detect_flavour({"BilledCost", "EffectiveCost"})
'focus'
>>> focus_version({"BilledCost", "SkuMeter", "ServiceSubcategory"})
'1.1'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsbook.errors import ConfigurationError

__all__ = [
    "FOCUS_ADDED",
    "FOCUS_CHARGE_TYPES",
    "FOCUS_COLUMNS",
    "LEGACY_COMMITMENT_COLUMNS",
    "Rule",
    "charge_type_case",
    "detect_flavour",
    "focus_version",
    "missing_column_hint",
    "partition_key",
    "quote_name",
    "quote_text",
    "tag_key",
    "view_rules",
]

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

#: Legacy CUR columns CUR 2.0 added: NULL in the view.
LEGACY_ABSENT_COLUMNS = {
    "bill_payer_account_name": "VARCHAR",
    "line_item_usage_account_name": "VARCHAR",
}

#: FOCUS column -> (CUR 2.0 name, type). Types are spelt alike in DuckDB and Trino.
FOCUS_COLUMNS = {
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
    # added by FOCUS 1.1 and 1.2 (FOCUS_ADDED): the ones with a CUR 2.0 counterpart
    "CapacityReservationId": ("capacity_reservation_capacity_reservation_arn", "VARCHAR"),
    "InvoiceId": ("bill_invoice_id", "VARCHAR"),
    "PricingCurrency": ("pricing_currency", "VARCHAR"),
}
#: FOCUS version -> the columns it added (the spec's changelog); none was renamed after 1.0.
FOCUS_ADDED = {
    "1.1": (
        "CapacityReservationId", "CapacityReservationStatus", "CommitmentDiscountQuantity",
        "CommitmentDiscountUnit", "ServiceSubcategory", "SkuMeter", "SkuPriceDetails",
    ),
    "1.2": (
        "BillingAccountType", "InvoiceId", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
        "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "SubAccountType",
    ),
}  # fmt: skip
#: FOCUS ChargeCategory -> CUR line item type; other categories keep their FOCUS name.
FOCUS_CHARGE_TYPES = {"Usage": "Usage", "Purchase": "Fee", "Tax": "Tax", "Credit": "Credit"}


def charge_type_case(source: str) -> str:
    """Return the SQL (DuckDB and Trino alike) that reads FOCUS ``source`` as a line item type.

    Examples
    --------
    >>> charge_type_case("ChargeCategory").split(" WHEN")[0]
    'CASE ChargeCategory'
    """
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in FOCUS_CHARGE_TYPES.items())
    return f"CASE {source} {cases} ELSE {source} END"


_PARTITIONS = ("BILLING_PERIOD", "billing_period", "year", "month")
_TAG_PREFIXES = ("resource_tags_user_", "resource_tags_aws_")
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


@dataclass(frozen=True)
class Rule:
    """One column of the ``cur`` view: its CUR 2.0 name, how it is filled, and from what."""

    name: str
    how: str
    sources: tuple[str, ...] = ()
    kind: str | None = None
    typed: bool = False

    @property
    def reads(self) -> bool:
        """Whether the column reads data files (partition values come from the paths)."""
        return self.how not in ("partition", "months", "null")


def detect_flavour(columns: set[str] | list[str] | tuple[str, ...]) -> str:
    """Return ``cur2``, ``legacy`` or ``focus`` from a table's column names.

    Raises
    ------
    ConfigurationError
        When the columns are none of the three.

    Examples
    --------
    >>> detect_flavour(["bill_payer_account_name", "line_item_unblended_cost"])
    'cur2'
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


def focus_version(columns: set[str] | list[str] | tuple[str, ...]) -> str:
    """Return the FOCUS version (``1.0``, ``1.1`` or ``1.2``) of a FOCUS table's columns.

    The newest version any of its added columns (:data:`FOCUS_ADDED`) belongs to; names are
    matched case-blind, as Glue lower-cases them.

    Examples
    --------
    >>> focus_version(["billedcost", "invoiceid"]), focus_version(["BilledCost"])
    ('1.2', '1.0')
    """
    lower = {c.lower() for c in columns}
    found = [v for v, added in FOCUS_ADDED.items() if lower & {a.lower() for a in added}]
    return max(found, default="1.0")


def partition_key(partitions: set[str] | list[str]) -> str | None:
    """Return the partition key the view's ``billing_period`` comes from (``year`` for legacy).

    Examples
    --------
    >>> partition_key(["year", "month"]), partition_key(["billing_period"]), partition_key([])
    ('year', 'billing_period', None)
    """
    for key in ("BILLING_PERIOD", "billing_period"):
        if key in partitions:
            return key
    return "year" if {"year", "month"} <= set(partitions) else None


def tag_key(column: str) -> str:
    """Return the ``resource_tags`` key of a flat legacy tag column.

    Examples
    --------
    >>> tag_key("resource_tags_user_app")
    'user_app'
    """
    return column[len("resource_tags_") :]


def quote_name(name: str) -> str:
    """Return ``name`` as a quoted SQL identifier (DuckDB and Trino alike): never formatted bare.

    Column names come from the files or Glue, so any character may be in them.

    Examples
    --------
    >>> quote_name('resource_tags_user_a"b')
    '"resource_tags_user_a""b"'
    """
    return '"' + name.replace('"', '""') + '"'


def quote_text(text: str) -> str:
    """Return ``text`` as an SQL string literal (DuckDB and Trino alike), quotes doubled.

    Examples
    --------
    >>> quote_text("user_o'brien")
    "'user_o''brien'"
    """
    return "'" + text.replace("'", "''") + "'"


def view_rules(
    flavour: str, names: list[str], partition: str | None, types: dict[str, str] | None = None
) -> list[Rule]:
    """Return the ``cur`` view's columns, in order, for a table of ``flavour``.

    Parameters
    ----------
    flavour
        ``cur2``, ``legacy`` or ``focus`` (see :func:`detect_flavour`).
    names
        The table's data columns, as the files or Glue spell them; partition keys are skipped.
    partition
        The partition key ``billing_period`` comes from (see :func:`partition_key`).
    types
        The columns' types (DuckDB or Glue spelling); a column without one is taken as text.

    Examples
    --------
    >>> view_rules("cur2", ["line_item_unblended_cost"], "billing_period")[1].how
    'partition'
    >>> view_rules("focus", ["BilledCost"], None, {"BilledCost": "double"})[0].typed
    True
    """
    names = [n for n in names if n not in _PARTITIONS]
    if flavour == "cur2":
        return [*(Rule(n, "column", (n,)) for n in names), *_period(partition)]
    if flavour == "legacy":
        return _legacy(names, partition)
    if flavour == "focus":
        return _focus(names, partition, types or {})
    raise ConfigurationError(f"unknown CUR flavour {flavour!r}: use cur2, legacy or focus")


def missing_column_hint(column: str, flavour: str) -> str | None:
    """Return what to change so the export has ``column``, or ``None`` if it is no CUR column.

    Examples
    --------
    >>> missing_column_hint("line_item_resource_id", "cur2")
    "set INCLUDE_RESOURCES = TRUE in the export's table configuration"
    """
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


def _period(partition: str | None) -> list[Rule]:
    if partition in ("BILLING_PERIOD", "billing_period"):
        return [Rule("billing_period", "partition", (partition,))]
    if partition == "year":
        return [Rule("billing_period", "months", ("year", "month"))]
    return []


def _legacy(names: list[str], partition: str | None) -> list[Rule]:
    tags = [n for n in names if n.startswith(_TAG_PREFIXES)]
    plain = [n for n in names if n not in tags]
    rules = [*(Rule(n, "column", (n,)) for n in plain), *_period(partition)]
    rules.append(Rule("resource_tags", "tags", tuple(tags), "MAP(VARCHAR, VARCHAR)"))
    if "product_region" in names and "product_region_code" not in names:
        rules.append(Rule("product_region_code", "column", ("product_region",)))
    absent = {**LEGACY_ABSENT_COLUMNS, **LEGACY_COMMITMENT_COLUMNS}
    rules += [Rule(c, "null", (), kind) for c, kind in absent.items() if c not in names]
    return rules


def _focus(names: list[str], partition: str | None, types: dict[str, str]) -> list[Rule]:
    by_lower = {n.lower(): n for n in names}
    form = {n: _form(types.get(n)) for n in names}
    rules: list[Rule] = []
    for focus, (cur, kind) in FOCUS_COLUMNS.items():
        if source := by_lower.get(focus.lower()):
            rules.append(Rule(cur, "focus", (source,), kind, form[source] != "text"))
    if code := by_lower.get("x_servicecode") or by_lower.get("servicename"):
        rules.append(Rule("line_item_product_code", "text", (code,), "VARCHAR"))
    if category := by_lower.get("chargecategory"):
        rules.append(Rule("line_item_line_item_type", "charge_type", (category,), "VARCHAR"))
    if tags := by_lower.get("tags"):
        kind = "MAP(VARCHAR, VARCHAR)"
        rules.append(Rule("resource_tags", "json_tags", (tags,), kind, form[tags] != "text"))
    taken = {r.name for r in rules}
    for name in names:  # every FOCUS column stays reachable, lower-cased as Glue shows it
        lower = re.sub(r"\W", "_", name.lower())
        if lower not in taken and lower != "tags":
            how = "text" if form[name] == "text" else "column"
            rules.append(Rule(lower, how, (name,), "VARCHAR", form[name] != "text"))
            taken.add(lower)
    if partition:
        rules += _period(partition)
    elif start := by_lower.get("billingperiodstart"):
        typed = form[start] != "text"
        rules.append(Rule("billing_period", "month_of", (start,), "VARCHAR", typed))
    return rules


def _form(kind: str | None) -> str:
    """``text``, ``complex`` (map, array, struct) or ``scalar``, from a DuckDB or Glue type."""
    kind = (kind or "string").lower().replace(" ", "")
    if kind in ("string", "varchar", "text") or kind.startswith(("varchar(", "char(")):
        return "text"
    if kind.startswith(("map", "array", "struct", "row", "list")) or kind.endswith("]"):
        return "complex"
    return "scalar"
