"""The monthly rows of a billing period: RI fees, credits, refunds, support and tax.

They are written after the period's daily rows, from the running sums those rows left in
:class:`~opsbook.sample.cur.rows.PeriodTotals` (support and tax depend on the month's spend).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pyarrow as pa

from opsbook.sample import org
from opsbook.sample.cur.catalogue import SERVICE_NAMES
from opsbook.sample.cur.commitments import purchase_fee_columns, ri_fee_columns
from opsbook.sample.cur.compiled import CompiledCatalogue
from opsbook.sample.cur.ids import hashed_number, line_item_ids
from opsbook.sample.cur.periods import Period
from opsbook.sample.cur.rows import PeriodTotals, Stats
from opsbook.sample.cur.schema import CUR2_SCHEMA, time_interval
from opsbook.sample.cur.variants import blank_record

TAX_RATE = 0.06
TAX_TYPE = "USSalesTax"


def monthly_rows(
    cat: CompiledCatalogue,
    period: Period,
    acc: PeriodTotals,
    stats: Stats,
    rng: np.random.Generator,
    *,
    seed: int,
    refund: bool,
) -> pa.Table:
    """Return the RIFee, RI purchase Fee, Credit, Refund, Support and Tax rows of ``period``.

    ``refund`` adds the staging account's refund. Costs are added to ``acc`` (tax excepted
    from ``acc.base``) and row counts to ``stats``.
    """
    records: list[dict[str, Any]] = []
    start = dt.datetime.combine(period.start, dt.time())
    end = dt.datetime.combine(period.data_end, dt.time())
    n_prod = len(cat.products)

    def row(account: str, product_code: str, **values: Any) -> None:
        record = blank_record()
        record.update(cat.acct_records[cat.account_index[account]])
        record.update(
            bill_billing_period_start_date=start,
            bill_billing_period_end_date=dt.datetime.combine(period.end, dt.time()),
            bill_invoice_id=period.invoice_id,
            identity_time_interval=time_interval(period.start, period.data_end),
            line_item_usage_start_date=start,
            line_item_usage_end_date=end,
            line_item_product_code=product_code,
            product_servicecode=product_code,
            product=[("product_name", SERVICE_NAMES[product_code]), ("region", org.REGION)],
        )
        record.update(values)
        cost = record["line_item_unblended_cost"]
        if "line_item_blended_cost" not in values:
            record["line_item_blended_cost"] = cost
        if record["line_item_line_item_type"] != "Tax":
            acc.base[cat.account_index[account], cat.product_index[product_code]] += cost
        acc.total += cost
        records.append(record)

    for i, r in enumerate(cat.reservations):
        lo = max(period.start, r.start)
        hi = min(period.data_end, r.end)
        if lo < hi:
            used = acc.ri_hours[i], acc.ri_upfront[i], acc.ri_recurring[i]
            row(r.account, r.product_code, **ri_fee_columns(r, lo, hi, *used))
        if period.start <= r.start < period.data_end:
            invoice = hashed_number(10, "purchase", seed, r.arn) if period.closed else ""
            row(r.account, r.product_code, **purchase_fee_columns(r, invoice))

    ml = cat.account_index["ml-research"]
    sagemaker = acc.base[ml, cat.product_index["AmazonSageMaker"]]
    credit = -round(min(400.0, 0.8 * max(sagemaker, 0.0)), 2)
    if credit < 0:
        row(
            "ml-research",
            "AmazonSageMaker",
            line_item_line_item_type="Credit",
            line_item_line_item_description="AWS Credits - Research Credit Program",
            line_item_unblended_cost=credit,
            line_item_net_unblended_cost=credit,
        )
    if refund:
        row(
            "shop-staging",
            "AmazonEC2",
            bill_bill_type="Refund",
            line_item_line_item_type="Refund",
            line_item_line_item_description=(
                "Refund for unintended usage - support case 17834512341"
            ),
            line_item_unblended_cost=-186.4,
            line_item_net_unblended_cost=-186.4,
        )
    support = business_support(acc.total)
    row(
        org.PAYER_ACCOUNT_NAME,
        "AWSSupportBusiness",
        line_item_line_item_type="Fee",
        line_item_usage_type="Dollar",
        line_item_line_item_description="AWS Support (Business)",
        line_item_unblended_cost=support,
        line_item_net_unblended_cost=support,
        line_item_usage_amount=support,
        pricing_unit="Dollar",
        product_product_family="AWS Support",
        product_usagetype="Dollar",
    )
    for flat in np.flatnonzero(acc.base.reshape(-1) > 0.005):
        account, product = divmod(int(flat), n_prod)
        tax = round(float(acc.base[account, product]) * TAX_RATE, 2)
        if tax > 0:
            product_code = cat.products[product]
            row(
                cat.accounts[account].name,
                product_code,
                line_item_line_item_type="Tax",
                line_item_tax_type=TAX_TYPE,
                line_item_line_item_description=f"Tax for product code {product_code}",
                line_item_unblended_cost=tax,
                line_item_net_unblended_cost=tax,
            )
    ids = line_item_ids(len(records), rng).to_pylist()
    for record, line_id in zip(records, ids, strict=True):
        record["identity_line_item_id"] = line_id
        stats.count(record["line_item_line_item_type"], 1)
    return pa.Table.from_pylist(records, schema=CUR2_SCHEMA)


def business_support(spend: float) -> float:
    """Return the AWS Business Support fee for a month's ``spend``.

    10 % of the first $10K, 7 % to $80K, 5 % to $250K, 3 % above; at least $100.

    Examples
    --------
    >>> business_support(500.0), business_support(20_000.0)
    (100.0, 1700.0)
    """
    tiers = ((10_000.0, 0.10), (80_000.0, 0.07), (250_000.0, 0.05), (math.inf, 0.03))
    fee, floor = 0.0, 0.0
    for ceiling, rate in tiers:
        fee += max(0.0, min(spend, ceiling) - floor) * rate
        floor = ceiling
    return round(max(fee, 100.0), 2)
