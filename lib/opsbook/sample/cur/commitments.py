"""Commitments: the Reserved Instances and the Compute Savings Plan, and their fee rows' columns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from opsbook.sample import org
from opsbook.sample.cur.ids import hashed_number, hashed_uuid
from opsbook.sample.cur.periods import add_months
from opsbook.sample.cur.schema import iso_time, rate_text, time_interval

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class Reservation:
    """A standard 1-year Partial Upfront reservation bought by one account."""

    key: str  # the ``Use.purchase`` it covers
    account: str
    product_code: str
    usage_type: str  # HeavyUsage usage type of the RIFee and Fee rows
    instance_type: str
    platform: str
    count: int
    upfront: float  # USD per reservation
    hourly: float  # recurring USD per reservation-hour
    norm: float
    start: dt.date
    arn: str
    subscription_id: str

    @property
    def end(self) -> dt.date:
        """The day the term ends (exclusive)."""
        return self.start + dt.timedelta(days=365)

    @property
    def upfront_hourly(self) -> float:
        """The upfront fee amortised per reservation-hour."""
        return self.upfront / HOURS_PER_YEAR

    def columns(self) -> dict[str, str]:
        """Return the pricing and reservation columns every row of this reservation carries."""
        return {
            "pricing_term": "Reserved",
            "pricing_purchase_option": "Partial Upfront",
            "pricing_offering_class": "standard",
            "pricing_lease_contract_length": "1yr",
            "reservation_reservation_a_r_n": self.arn,
            "reservation_start_time": iso_time(self.start),
            "reservation_end_time": iso_time(self.end),
            "reservation_subscription_id": self.subscription_id,
        }


@dataclass(frozen=True)
class SavingsPlan:
    """The organisation's 1-year No Upfront Compute Savings Plan, owned by the payer."""

    arn: str
    start: dt.date
    end: dt.date
    hourly: float = 0.0  # commitment, USD per hour; sized once the catalogue is compiled

    def columns(self) -> dict[str, str]:
        """Return the savings_plan_* columns every covered or fee row carries."""
        return {
            "savings_plan_savings_plan_a_r_n": self.arn,
            "savings_plan_offering_type": "ComputeSavingsPlans",
            "savings_plan_payment_option": "No Upfront",
            "savings_plan_purchase_term": "1yr",
            "savings_plan_start_time": iso_time(self.start),
            "savings_plan_end_time": iso_time(self.end),
        }


def reservations(as_of: dt.date, second_period: dt.date, shop_id: str) -> list[Reservation]:
    """Return shop-prod's reservations.

    The EC2 one expires at the end of ``as_of``'s month; the RDS one is bought on the first day
    of ``second_period``, so that period has its purchase ``Fee`` row.
    """
    ec2_start = add_months(as_of, -11)
    return [
        Reservation(
            key="ri-ec2",
            account="shop-prod",
            product_code="AmazonEC2",
            usage_type="USE1-HeavyUsage:m5.large",
            instance_type="m5.large",
            platform="Linux/UNIX (Amazon VPC)",
            count=8,
            upfront=289.0,
            hourly=0.033,
            norm=4.0,
            start=ec2_start,
            arn=f"arn:aws:ec2:{org.REGION}:{shop_id}:reserved-instances/"
            + hashed_uuid("ri-ec2", ec2_start),
            subscription_id=hashed_number(10, "sub-ec2", ec2_start),
        ),
        Reservation(
            key="ri-rds",
            account="shop-prod",
            product_code="AmazonRDS",
            usage_type="USE1-HeavyUsage:db.r6g.xlarge",
            instance_type="db.r6g.xlarge",
            platform="PostgreSQL",
            count=2,
            upfront=1402.0,
            hourly=0.160,
            norm=8.0,
            start=second_period,
            arn=f"arn:aws:rds:{org.REGION}:{shop_id}:ri:shop-orders-ri-{second_period:%Y%m}",
            subscription_id=hashed_number(10, "sub-rds", second_period),
        ),
    ]


def savings_plan(as_of: dt.date) -> SavingsPlan:
    """Return the Savings Plan's term (bought seven months before ``as_of``'s month), unsized."""
    start = add_months(as_of, -7)
    arn = f"arn:aws:savingsplans::{org.PAYER_ACCOUNT_ID}:savingsplan/" + hashed_uuid("sp", start)
    return SavingsPlan(arn, start, start + dt.timedelta(days=365))


def ri_fee_columns(
    r: Reservation,
    lo: dt.date,
    hi: dt.date,
    used_hours: float,
    used_upfront: float,
    used_recurring: float,
) -> dict[str, Any]:
    """Return the ``RIFee`` row of ``r`` for the days ``lo`` to ``hi``, given what usage used."""
    hours = (hi - lo).days * 24.0
    total_hours = hours * r.count
    recurring = r.hourly * total_hours
    upfront = r.upfront_hourly * total_hours
    unused_upfront = upfront - used_upfront
    unused_recurring = recurring - used_recurring
    unused_hours = total_hours - used_hours
    ec2 = r.product_code == "AmazonEC2"
    return {
        **_fee_columns(r, recurring, r.hourly),
        "line_item_line_item_type": "RIFee",
        "line_item_operation": "RunInstances" if ec2 else "CreateDBInstance:0014",
        "line_item_line_item_description": (
            f"USD {rate_text(r.hourly)} hourly fee per {r.platform}, {r.instance_type} instance"
        ),
        "line_item_usage_start_date": dt.datetime.combine(lo, dt.time()),
        "line_item_usage_end_date": dt.datetime.combine(hi, dt.time()),
        "line_item_usage_amount": total_hours,
        "line_item_normalization_factor": r.norm,
        "line_item_normalized_usage_amount": total_hours * r.norm,
        "pricing_unit": "Hrs",
        "product_product_family": "Compute Instance" if ec2 else "Database Instance",
        "product_instance_type": r.instance_type,
        "reservation_modification_status": "Original",
        "reservation_units_per_reservation": rate_text(hours),
        "reservation_total_reserved_units": rate_text(total_hours),
        "reservation_normalized_units_per_reservation": rate_text(hours * r.norm),
        "reservation_total_reserved_normalized_units": rate_text(total_hours * r.norm),
        "reservation_amortized_upfront_fee_for_billing_period": upfront,
        "reservation_net_amortized_upfront_fee_for_billing_period": upfront,
        "reservation_unused_amortized_upfront_fee_for_billing_period": unused_upfront,
        "reservation_net_unused_amortized_upfront_fee_for_billing_period": unused_upfront,
        "reservation_unused_recurring_fee": unused_recurring,
        "reservation_net_unused_recurring_fee": unused_recurring,
        "reservation_unused_quantity": unused_hours,
        "reservation_unused_normalized_unit_quantity": unused_hours * r.norm,
    }


def purchase_fee_columns(r: Reservation, invoice_id: str) -> dict[str, Any]:
    """Return the one-off ``Fee`` row that charges the upfront part of ``r`` when bought."""
    bought = dt.datetime.combine(r.start, dt.time())
    return {
        **_fee_columns(r, r.upfront * r.count, r.upfront),
        "bill_bill_type": "Purchase",
        "bill_invoice_id": invoice_id,
        "line_item_line_item_type": "Fee",
        "line_item_line_item_description": (
            f"Sign up charge for subscription: {r.subscription_id}, "
            f"planId: {hashed_number(7, 'plan', r.arn)}"
        ),
        "line_item_usage_start_date": bought,
        "line_item_usage_end_date": bought + dt.timedelta(days=1),
        "identity_time_interval": time_interval(r.start, r.start + dt.timedelta(days=1)),
        "line_item_usage_amount": float(r.count),
    }


def _fee_columns(r: Reservation, cost: float, rate: float) -> dict[str, Any]:
    """Columns the RIFee and the purchase Fee rows share."""
    return {
        **r.columns(),
        "line_item_usage_type": r.usage_type,
        "line_item_resource_id": r.arn,
        "line_item_unblended_cost": cost,
        "line_item_net_unblended_cost": cost,
        "line_item_unblended_rate": rate_text(rate),
        "line_item_net_unblended_rate": rate_text(rate),
        "line_item_blended_rate": rate_text(rate),
        "product_region_code": org.REGION,
        "product_usagetype": r.usage_type,
        "reservation_number_of_reservations": str(r.count),
        "reservation_upfront_value": r.upfront * r.count,
        "reservation_net_upfront_value": r.upfront * r.count,
    }
