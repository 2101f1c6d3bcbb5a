"""Pricing variants: the static columns of each (usage component, pricing variant) row.

Every usage component is priced one way per variant: on demand, Spot, covered by a reservation,
covered by the Savings Plan or its negation. A chunk's rows take their static columns (product,
pricing, reservation and plan columns) from these rows by variant number, and their prices from
the numeric arrays, so nothing but numbers is computed per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa

from opsbook.sample import org
from opsbook.sample.cur.catalogue import REGIONS, SERVICE_NAMES, Kind
from opsbook.sample.cur.commitments import Reservation, SavingsPlan
from opsbook.sample.cur.ids import hashed_number, hashed_sku
from opsbook.sample.cur.schema import (
    CUR2_COLUMNS,
    CUR2_SCHEMA,
    DOUBLE,
    STRING,
    TIMESTAMP,
    rate_text,
)
from opsbook.sample.cur.usage import Use

# Line variants: each usage component is priced one way per variant.
OD, SPOT, RI, SP, NEG, EDP, SPFEE = range(7)
LINE_ITEM_TYPES = {
    OD: "Usage",
    SPOT: "Usage",
    RI: "DiscountedUsage",
    SP: "SavingsPlanCoveredUsage",
    NEG: "SavingsPlanNegation",
    EDP: "EdpDiscount",
    SPFEE: "SavingsPlanRecurringFee",
}
EDP_RATE = 0.03
_INVOICING_ENTITY = "Amazon Web Services, Inc."


def blank_record() -> dict[str, Any]:
    """Return a row with CUR's empty values ('', 0.0, NULL, {}) and the payer's bill columns."""
    record: dict[str, Any] = {}
    for name, typ in CUR2_COLUMNS.items():
        if typ == STRING:
            record[name] = ""
        elif typ == DOUBLE:
            record[name] = 0.0
        elif typ == TIMESTAMP:
            record[name] = None
        else:
            record[name] = []
    record.update(
        bill_bill_type="Anniversary",
        bill_billing_entity="AWS",
        bill_invoicing_entity=_INVOICING_ENTITY,
        bill_payer_account_id=org.PAYER_ACCOUNT_ID,
        bill_payer_account_name=org.PAYER_ACCOUNT_NAME,
        line_item_currency_code="USD",
        line_item_legal_entity=_INVOICING_ENTITY,
        pricing_currency="USD",
    )
    return record


class Variants:
    """Collects the variant rows, then (:meth:`freeze`) their columns and numeric arrays.

    After :meth:`freeze`, ``columns`` maps each CUR column to an array with one value per
    variant, and per variant: ``cls`` (OD, SPOT, ...), ``od`` (public on-demand rate), ``rate``
    (unblended rate), ``upfront`` and ``recurring`` (reservation cost per hour), ``sp_rate``,
    ``norm`` (normalization factor), ``product`` (product index) and ``reservation`` (index into
    the reservations, or -1).
    """

    def __init__(
        self,
        account_ids: Mapping[str, str],
        product_index: Mapping[str, int],
        reservations: list[Reservation],
        plan: SavingsPlan,
    ) -> None:
        self.account_ids = account_ids
        self.product_index = product_index
        self.reservation_index = {r.key: i for i, r in enumerate(reservations)}
        self.plan = plan
        self.records: list[dict[str, Any]] = []
        self._numbers: list[tuple[int, float, float, float, float, float, float, int, int]] = []

    def add(
        self, kind: Kind, use: Use, variant: int, reservation: Reservation | None = None
    ) -> int:
        """Add the row of ``use`` of ``kind`` priced as ``variant``; return its number."""
        region = kind.region
        prefix, location = REGIONS[region] if region else ("", "")
        od = use.rate
        rate = {SPOT: use.spot_rate, RI: 0.0}.get(variant, od)
        product_code = use.product_code or kind.product_code

        def fill(text: str) -> str:
            return text.format(
                p=f"{prefix}-" if prefix else "", loc=location, region=region, rate=rate_text(rate)
            )

        usage_type = fill(use.usage_type)
        operation = fill(use.operation)
        static = {key: fill(value) for key, value in use.static}
        servicecode = static.pop("product_servicecode", product_code)
        sku = hashed_sku(product_code, usage_type, operation, region)
        product = {
            "product_name": SERVICE_NAMES[product_code],
            "region": region or "global",
            "servicename": SERVICE_NAMES[servicecode],
            **{key: fill(value) for key, value in use.product},
        }
        record = blank_record()
        record.update(
            line_item_line_item_type=LINE_ITEM_TYPES[variant],
            line_item_product_code=product_code,
            line_item_usage_type=usage_type,
            line_item_operation=operation,
            line_item_line_item_description=fill(use.description),
            line_item_unblended_rate=rate_text(rate),
            line_item_blended_rate=rate_text(rate),
            line_item_net_unblended_rate=rate_text(rate),
            line_item_normalization_factor=use.norm,
            line_item_iam_principal=kind.principal,
            pricing_term="OnDemand",
            pricing_unit=use.unit,
            pricing_public_on_demand_rate=rate_text(od),
            pricing_rate_code=f"{sku}.JRTCKXETXF.6YS6EN2CT7",
            pricing_rate_id=hashed_number(10, "rate", sku),
            product=sorted(product.items()),
            product_servicecode=servicecode,
            product_product_family=use.family,
            product_region_code=region,
            product_location=location,
            product_location_type="AWS Region" if region else "",
            product_usagetype=usage_type,
            product_operation=operation,
            product_pricing_unit=use.unit,
            product_sku=sku,
            **static,
        )
        upfront_h = recurring_h = 0.0
        reservation_no = -1
        if variant in (OD, SPOT):
            record["line_item_net_unblended_rate"] = rate_text(rate * (1 - EDP_RATE))
        if variant == SPOT:
            record.update(pricing_term="", pricing_rate_code="", pricing_rate_id="")
        elif variant == RI:
            assert reservation is not None
            upfront_h, recurring_h = reservation.upfront_hourly, reservation.hourly
            reservation_no = self.reservation_index[reservation.key]
            record.update(
                reservation.columns(),
                line_item_line_item_description=(
                    f"{reservation.platform}, {reservation.instance_type} reserved instance applied"
                ),
                line_item_blended_rate=rate_text(upfront_h + recurring_h),
                pricing_rate_code=f"{sku}.HU7G6KETJZ.6YS6EN2CT7",
                reservation_modification_status="Original",
            )
        elif variant in (SP, NEG):
            record.update(self.plan.columns(), savings_plan_savings_plan_rate=use.sp_rate)
            if variant == NEG:
                account_id = self.account_ids[kind.account]
                record.update(
                    line_item_line_item_description=(
                        f"SavingsPlanNegation used by AccountId : {account_id} and UsageSku : {sku}"
                    ),
                    pricing_term="",
                    pricing_public_on_demand_rate="",
                    line_item_unblended_rate=rate_text(od),
                )
        sp_rate = use.sp_rate if variant == SP else 0.0
        numbers = (variant, od, rate, upfront_h, recurring_h, sp_rate, use.norm,
                   self.product_index[product_code], reservation_no)  # fmt: skip
        return self._append(record, numbers)

    def add_edp(self, product_code: str) -> int:
        """Add the ``EdpDiscount`` row of ``product_code``; return its number."""
        return self._add_special(
            EDP, product_code, line_item_line_item_description="Enterprise Program Discount"
        )

    def add_plan_fee(self, plan: SavingsPlan) -> int:
        """Add the ``SavingsPlanRecurringFee`` row of the (sized) ``plan``; return its number."""
        rate = rate_text(plan.hourly)
        return self._add_special(
            SPFEE,
            "ComputeSavingsPlans",
            line_item_usage_type="ComputeSP:1yrNoUpfront",
            line_item_line_item_description="1 year No Upfront Compute Savings Plan",
            line_item_unblended_rate=rate,
            line_item_net_unblended_rate=rate,
            line_item_blended_rate=rate,
            pricing_unit="Hrs",
            product_product_family="Savings Plans",
            product_usagetype="ComputeSP:1yrNoUpfront",
            product=[("product_name", SERVICE_NAMES["ComputeSavingsPlans"]), ("region", "global")],
            **plan.columns(),
        )

    def freeze(self) -> None:
        """Build ``columns`` and the numeric arrays from the rows added so far."""
        table = pa.Table.from_pylist(self.records, schema=CUR2_SCHEMA)
        self.columns = {name: table.column(name).combine_chunks() for name in CUR2_COLUMNS}
        arr = np.array(self._numbers, dtype=np.float64)
        self.cls = arr[:, 0].astype(np.int64)
        self.od, self.rate, self.upfront, self.recurring, self.sp_rate, self.norm = arr[:, 1:7].T
        self.product = arr[:, 7].astype(np.int64)
        self.reservation = arr[:, 8].astype(np.int64)

    def _add_special(self, variant: int, product_code: str, **columns: Any) -> int:
        record = blank_record()
        record.update(
            line_item_line_item_type=LINE_ITEM_TYPES[variant],
            line_item_product_code=product_code,
            product_servicecode=product_code,
            product=[("product_name", SERVICE_NAMES[product_code])],
        )
        record.update(columns)
        numbers = (variant, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, self.product_index[product_code], -1)
        return self._append(record, numbers)

    def _append(
        self,
        record: dict[str, Any],
        numbers: tuple[int, float, float, float, float, float, float, int, int],
    ) -> int:
        self.records.append(record)
        self._numbers.append(numbers)
        return len(self.records) - 1
