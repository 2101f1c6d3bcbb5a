"""CUR 2.0 columns and their Arrow and Athena types, and how CUR writes rates and times as text."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

STRING = pa.string()
DOUBLE = pa.float64()
TIMESTAMP = pa.timestamp("ms")
STRING_MAP = pa.map_(pa.string(), pa.string())
DOUBLE_MAP = pa.map_(pa.string(), pa.float64())

#: CUR 2.0 columns (Data Exports ``COST_AND_USAGE_REPORT`` with resources and split cost data),
#: in the order AWS lists them, with the Arrow type written to Parquet.
CUR2_COLUMNS: dict[str, pa.DataType] = {
    "bill_bill_type": STRING,
    "bill_billing_entity": STRING,
    "bill_billing_period_end_date": TIMESTAMP,
    "bill_billing_period_start_date": TIMESTAMP,
    "bill_invoice_id": STRING,
    "bill_invoicing_entity": STRING,
    "bill_payer_account_id": STRING,
    "bill_payer_account_name": STRING,
    "cost_category": STRING_MAP,
    "discount": DOUBLE_MAP,
    "discount_bundled_discount": DOUBLE,
    "discount_total_discount": DOUBLE,
    "identity_line_item_id": STRING,
    "identity_time_interval": STRING,
    "line_item_availability_zone": STRING,
    "line_item_blended_cost": DOUBLE,
    "line_item_blended_rate": STRING,
    "line_item_currency_code": STRING,
    "line_item_iam_principal": STRING,
    "line_item_legal_entity": STRING,
    "line_item_line_item_description": STRING,
    "line_item_line_item_type": STRING,
    "line_item_net_unblended_cost": DOUBLE,
    "line_item_net_unblended_rate": STRING,
    "line_item_normalization_factor": DOUBLE,
    "line_item_normalized_usage_amount": DOUBLE,
    "line_item_operation": STRING,
    "line_item_product_code": STRING,
    "line_item_resource_id": STRING,
    "line_item_tax_type": STRING,
    "line_item_unblended_cost": DOUBLE,
    "line_item_unblended_rate": STRING,
    "line_item_usage_account_id": STRING,
    "line_item_usage_account_name": STRING,
    "line_item_usage_amount": DOUBLE,
    "line_item_usage_end_date": TIMESTAMP,
    "line_item_usage_start_date": TIMESTAMP,
    "line_item_usage_type": STRING,
    "pricing_currency": STRING,
    "pricing_lease_contract_length": STRING,
    "pricing_offering_class": STRING,
    "pricing_public_on_demand_cost": DOUBLE,
    "pricing_public_on_demand_rate": STRING,
    "pricing_purchase_option": STRING,
    "pricing_rate_code": STRING,
    "pricing_rate_id": STRING,
    "pricing_term": STRING,
    "pricing_unit": STRING,
    "product": STRING_MAP,
    "product_comment": STRING,
    "product_fee_code": STRING,
    "product_fee_description": STRING,
    "product_from_location": STRING,
    "product_from_location_type": STRING,
    "product_from_region_code": STRING,
    "product_instance_family": STRING,
    "product_instance_type": STRING,
    "product_instancesku": STRING,
    "product_location": STRING,
    "product_location_type": STRING,
    "product_operation": STRING,
    "product_pricing_unit": STRING,
    "product_product_family": STRING,
    "product_region_code": STRING,
    "product_servicecode": STRING,
    "product_sku": STRING,
    "product_to_location": STRING,
    "product_to_location_type": STRING,
    "product_to_region_code": STRING,
    "product_usagetype": STRING,
    "reservation_amortized_upfront_cost_for_usage": DOUBLE,
    "reservation_amortized_upfront_fee_for_billing_period": DOUBLE,
    "reservation_availability_zone": STRING,
    "reservation_effective_cost": DOUBLE,
    "reservation_end_time": STRING,
    "reservation_modification_status": STRING,
    "reservation_net_amortized_upfront_cost_for_usage": DOUBLE,
    "reservation_net_amortized_upfront_fee_for_billing_period": DOUBLE,
    "reservation_net_effective_cost": DOUBLE,
    "reservation_net_recurring_fee_for_usage": DOUBLE,
    "reservation_net_unused_amortized_upfront_fee_for_billing_period": DOUBLE,
    "reservation_net_unused_recurring_fee": DOUBLE,
    "reservation_net_upfront_value": DOUBLE,
    "reservation_normalized_units_per_reservation": STRING,
    "reservation_number_of_reservations": STRING,
    "reservation_recurring_fee_for_usage": DOUBLE,
    "reservation_reservation_a_r_n": STRING,
    "reservation_start_time": STRING,
    "reservation_subscription_id": STRING,
    "reservation_total_reserved_normalized_units": STRING,
    "reservation_total_reserved_units": STRING,
    "reservation_units_per_reservation": STRING,
    "reservation_unused_amortized_upfront_fee_for_billing_period": DOUBLE,
    "reservation_unused_normalized_unit_quantity": DOUBLE,
    "reservation_unused_quantity": DOUBLE,
    "reservation_unused_recurring_fee": DOUBLE,
    "reservation_upfront_value": DOUBLE,
    "resource_tags": STRING_MAP,
    "savings_plan_amortized_upfront_commitment_for_billing_period": DOUBLE,
    "savings_plan_end_time": STRING,
    "savings_plan_instance_type_family": STRING,
    "savings_plan_net_amortized_upfront_commitment_for_billing_period": DOUBLE,
    "savings_plan_net_recurring_commitment_for_billing_period": DOUBLE,
    "savings_plan_net_savings_plan_effective_cost": DOUBLE,
    "savings_plan_offering_type": STRING,
    "savings_plan_payment_option": STRING,
    "savings_plan_purchase_term": STRING,
    "savings_plan_recurring_commitment_for_billing_period": DOUBLE,
    "savings_plan_region": STRING,
    "savings_plan_savings_plan_a_r_n": STRING,
    "savings_plan_savings_plan_effective_cost": DOUBLE,
    "savings_plan_savings_plan_rate": DOUBLE,
    "savings_plan_start_time": STRING,
    "savings_plan_total_commitment_to_date": DOUBLE,
    "savings_plan_used_commitment": DOUBLE,
    # INCLUDE_SPLIT_COST_ALLOCATION_DATA: ECS task and EKS pod rows (sample.cur.containers)
    "split_line_item_actual_usage": DOUBLE,
    "split_line_item_net_split_cost": DOUBLE,
    "split_line_item_net_unused_cost": DOUBLE,
    "split_line_item_parent_resource_id": STRING,
    "split_line_item_public_on_demand_split_cost": DOUBLE,
    "split_line_item_public_on_demand_unused_cost": DOUBLE,
    "split_line_item_reserved_usage": DOUBLE,
    "split_line_item_split_cost": DOUBLE,
    "split_line_item_split_usage": DOUBLE,
    "split_line_item_split_usage_ratio": DOUBLE,
    "split_line_item_unused_cost": DOUBLE,
    "tags": STRING_MAP,
}
CUR2_SCHEMA = pa.schema(list(CUR2_COLUMNS.items()))


def athena_type(typ: pa.DataType) -> str:
    """Return the Athena (Hive) type name of a CUR column type, as the manifest lists it.

    Examples
    --------
    >>> athena_type(CUR2_COLUMNS["discount"]), athena_type(TIMESTAMP)
    ('map<string,double>', 'timestamp')
    """
    if pa.types.is_map(typ):
        value = "double" if typ.item_type == DOUBLE else "string"
        return f"map<string,{value}>"
    return {STRING: "string", DOUBLE: "double", TIMESTAMP: "timestamp"}[typ]


def rate_text(value: float) -> str:
    """Format a rate like CUR does: plain decimal, no exponent, no trailing zeros.

    Examples
    --------
    >>> rate_text(0.0000166667), rate_text(2.0)
    ('0.0000166667', '2.0')
    """
    text = f"{value:.10f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def iso_time(day: dt.date) -> str:
    """Return midnight UTC of ``day`` as CUR writes reservation and plan times."""
    return f"{day.isoformat()}T00:00:00.000Z"


def time_interval(start: dt.date, end: dt.date) -> str:
    """Return ``identity_time_interval`` for the days from ``start`` to ``end`` (exclusive)."""
    return f"{start.isoformat()}T00:00:00Z/{end.isoformat()}T00:00:00Z"
