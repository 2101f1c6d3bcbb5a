"""The daily rows: usage, Savings Plan negation, EDP discount and plan fee, generated vectorised.

A chunk is a range of days by a range of lines (resource x usage component). Its rows are drawn
as numpy arrays, priced through the pricing variants and assembled into one Arrow table whose
static columns are taken from the variant rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opsbook.sample import org
from opsbook.sample.cur.compiled import CompiledCatalogue
from opsbook.sample.cur.ids import line_item_ids, repeated
from opsbook.sample.cur.periods import Calendar, Period
from opsbook.sample.cur.resources import Resources
from opsbook.sample.cur.schema import CUR2_COLUMNS, CUR2_SCHEMA, DOUBLE, STRING
from opsbook.sample.cur.usage import FLOW, HOURS, STOCK
from opsbook.sample.cur.variants import EDP_RATE, OD, RI, SP, SPOT

ANOMALY_FACTOR = 9.0  # NAT data processing on the anomaly day versus a normal day


class PeriodTotals:
    """Running sums of one billing period, for the monthly rows and the README facts."""

    def __init__(self, n_accounts: int, n_products: int, n_reservations: int) -> None:
        self.total = 0.0
        self.base = np.zeros((n_accounts, n_products))  # unblended by account and service
        self.ri_hours = np.zeros(n_reservations)  # RI-covered hours, upfront and recurring cost
        self.ri_upfront = np.zeros(n_reservations)
        self.ri_recurring = np.zeros(n_reservations)


@dataclass
class Stats:
    """Running sums over the whole export, for the README facts."""

    n_days: int
    type_counts: dict[str, int] = field(default_factory=dict)
    untagged_cost: float = 0.0
    usage_cost: float = 0.0
    anomaly_extra: float = 0.0
    search_by_period: dict[str, float] = field(default_factory=dict)
    nat_daily: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.nat_daily = np.zeros(self.n_days)

    def count(self, line_item_type: str, rows: int) -> None:
        """Add ``rows`` rows of ``line_item_type``."""
        self.type_counts[line_item_type] = self.type_counts.get(line_item_type, 0) + rows


@dataclass
class _Part:
    """Inputs of a group of rows; the parts of a chunk become one table."""

    cv: np.ndarray  # pricing variant of each row
    acct: np.ndarray
    day: np.ndarray
    res_ids: pa.Array
    zones: pa.Array
    tagset: np.ndarray
    values: dict[str, np.ndarray]  # computed columns; others are 0 in parts that lack them


class DailyRows:
    """Generates the daily rows of the export chunk by chunk, keeping ``stats`` up to date."""

    def __init__(
        self, cat: CompiledCatalogue, calendar: Calendar, resources: Resources, stats: Stats
    ) -> None:
        self.cat = cat
        self.calendar = calendar
        self.resources = resources
        self.stats = stats

    def chunk(
        self,
        period: Period,
        d0: int,
        d1: int,
        l0: int,
        l1: int,
        acc: PeriodTotals,
        rng: np.random.Generator,
    ) -> pa.Table:
        """Return the rows of days ``d0:d1`` and lines ``l0:l1`` of ``period`` as one table."""
        cat, cal, variants = self.cat, self.calendar, self.cat.cv
        days = np.arange(d0, d1)
        lines = np.arange(l0, l1)
        li = np.repeat(lines, len(days))  # line-major, so each kind's rows are contiguous
        di = np.tile(days, len(lines))
        kind = np.searchsorted(cat.line_off, li, side="right") - 1
        local = li - cat.line_off[kind]
        m = cat.kind_m[kind]
        res_local = local // m
        use = cat.use_off[kind] + local % m
        res = cat.res_off[kind] + res_local

        # Lifetime: some resources are created or deleted inside the window (60 / 40).
        u_life, u_when = self.resources.unit(res, 3), self.resources.unit(res, 4)
        churn = cat.kind_churn[kind]
        created = u_life < 0.6 * churn
        deleted = ~created & (u_life < churn)
        first = np.where(created, (u_when * cal.n_days).astype(np.int64), cat.kind_start[kind])
        last = np.where(deleted, 1 + (u_when * (cal.n_days - 1)).astype(np.int64), cal.n_days)
        keep = (di >= first) & (di < last)
        kind, res_local, use, res, di = (a[keep] for a in (kind, res_local, use, res, di))

        usage = self._usage(kind, use, res, di, rng)
        keep = usage > 0
        kind, res_local, use, res, di, usage = (
            a[keep] for a in (kind, res_local, use, res, di, usage)
        )
        n = len(di)
        acct = cat.kind_acct[kind]

        # Pricing variant: RI-covered lines switch from on-demand once the RI exists.
        cv = cat.u_cv[use]
        alt = cat.u_alt[use]
        cv = np.where((alt >= 0) & (di >= cat.u_switch[use]), alt, cv)
        cls = variants.cls[cv]
        is_ri, is_sp = cls == RI, cls == SP
        edp = (cls == OD) | (cls == SPOT)
        unblended = usage * variants.rate[cv]
        public = usage * variants.od[cv]
        ri_upfront = np.where(is_ri, usage * variants.upfront[cv], 0.0)
        ri_recurring = np.where(is_ri, usage * variants.recurring[cv], 0.0)
        ri_effective = ri_upfront + ri_recurring
        sp_effective = np.where(is_sp, usage * variants.sp_rate[cv], 0.0)
        discount = np.where(edp, -unblended * EDP_RATE, 0.0)
        net = unblended + discount

        # Resource strings, zone and tags, built per kind block (rows are grouped by kind).
        bounds = np.flatnonzero(np.diff(kind)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [n]])
        ids = [
            self.resources.ids(int(kind[a]), res[a:b], res_local[a:b])
            for a, b in zip(starts, ends, strict=True)
            if b > a
        ]
        res_ids = pa.concat_arrays(ids) if ids else pa.array([], type=STRING)
        zones = self.resources.zones(kind, res)
        tagset = self.resources.tagsets(kind, res)

        parts = [
            _Part(
                cv,
                acct,
                di,
                res_ids,
                zones,
                tagset,
                {
                    "line_item_usage_amount": usage,
                    "line_item_unblended_cost": unblended,
                    "line_item_blended_cost": np.where(is_ri, ri_effective, unblended),
                    "line_item_net_unblended_cost": net,
                    "line_item_normalized_usage_amount": usage * variants.norm[cv],
                    "pricing_public_on_demand_cost": public,
                    "discount_total_discount": discount,
                    "reservation_effective_cost": ri_effective,
                    "reservation_net_effective_cost": ri_effective,
                    "reservation_amortized_upfront_cost_for_usage": ri_upfront,
                    "reservation_net_amortized_upfront_cost_for_usage": ri_upfront,
                    "reservation_recurring_fee_for_usage": ri_recurring,
                    "reservation_net_recurring_fee_for_usage": ri_recurring,
                    "savings_plan_savings_plan_effective_cost": sp_effective,
                    "savings_plan_net_savings_plan_effective_cost": sp_effective,
                },
            )
        ]

        # SavingsPlanNegation: one per covered row, cancelling its on-demand cost.
        sel = np.flatnonzero(is_sp)
        neg_cost = -unblended[sel]
        if len(sel):
            zeros = np.zeros(len(sel))
            parts.append(
                _Part(
                    cat.u_neg[use[sel]],
                    acct[sel],
                    di[sel],
                    res_ids.take(sel),
                    zones.take(sel),
                    tagset[sel],
                    {
                        "line_item_usage_amount": zeros,
                        "line_item_unblended_cost": neg_cost,
                        "line_item_blended_cost": neg_cost,
                        "line_item_net_unblended_cost": neg_cost,
                    },
                )
            )

        # EdpDiscount: one row per day, account and service.
        n_acct, n_prod = len(cat.accounts), len(cat.products)
        prod = variants.product[cv]
        key = (di - d0) * (n_acct * n_prod) + acct * n_prod + prod
        sums = np.bincount(key[edp], weights=discount[edp], minlength=len(days) * n_acct * n_prod)
        groups = np.flatnonzero(sums)
        edp_acct = (groups % (n_acct * n_prod)) // n_prod
        edp_prod = groups % n_prod
        edp_cost = sums[groups]
        if len(groups):
            parts.append(
                _Part(
                    cat.edp_cv[edp_prod],
                    edp_acct,
                    d0 + groups // (n_acct * n_prod),
                    repeated("", len(groups)),
                    repeated("", len(groups)),
                    np.zeros(len(groups), dtype=np.int64),
                    {
                        "line_item_unblended_cost": edp_cost,
                        "line_item_blended_cost": edp_cost,
                    },
                )
            )

        # SavingsPlanRecurringFee: daily, in the owner (payer) account; emitted once per day.
        payer = cat.account_index[org.PAYER_ACCOUNT_NAME]
        fee_cost = np.zeros(0)
        if l0 == 0:
            used = np.bincount(di[is_sp] - d0, weights=sp_effective[is_sp], minlength=len(days))
            daily = cat.plan.hourly * 24.0
            if (used > daily + 1e-6).any():
                raise RuntimeError("internal error: Savings Plan over-committed")
            k = len(days)
            fee_cost = np.full(k, daily)
            zeros = np.zeros(k)
            parts.append(
                _Part(
                    np.full(k, cat.spfee_cv),
                    np.full(k, payer),
                    days,
                    repeated(cat.plan.arn, k),
                    repeated("", k),
                    np.zeros(k, dtype=np.int64),
                    {
                        "line_item_usage_amount": np.full(k, 24.0),
                        "line_item_unblended_cost": fee_cost,
                        "line_item_blended_cost": fee_cost,
                        "line_item_net_unblended_cost": fee_cost,
                        "savings_plan_total_commitment_to_date": fee_cost,
                        "savings_plan_used_commitment": used,
                        "savings_plan_recurring_commitment_for_billing_period": fee_cost,
                        "savings_plan_net_recurring_commitment_for_billing_period": fee_cost,
                        "savings_plan_amortized_upfront_commitment_for_billing_period": zeros,
                    },
                )
            )

        # Running sums for the monthly rows and the facts.
        acc.total += unblended.sum() + neg_cost.sum() + edp_cost.sum() + fee_cost.sum()
        base = acc.base.reshape(-1)
        base += np.bincount(acct * n_prod + prod, weights=unblended, minlength=base.size)
        base += np.bincount(acct[sel] * n_prod + prod[sel], weights=neg_cost, minlength=base.size)
        base += np.bincount(edp_acct * n_prod + edp_prod, weights=edp_cost, minlength=base.size)
        acc.base[payer, cat.product_index["ComputeSavingsPlans"]] += fee_cost.sum()
        ri = variants.reservation[cv][is_ri]
        n_ri = len(cat.reservations)
        acc.ri_hours += np.bincount(ri, weights=usage[is_ri], minlength=n_ri)
        acc.ri_upfront += np.bincount(ri, weights=ri_upfront[is_ri], minlength=n_ri)
        acc.ri_recurring += np.bincount(ri, weights=ri_recurring[is_ri], minlength=n_ri)
        stats = self.stats
        nat = use == cat.nat_use
        stats.nat_daily += np.bincount(di[nat], weights=unblended[nat], minlength=cal.n_days)
        search = (prod == cat.product_index["AmazonES"]) & (
            acct == cat.account_index["data-platform"]
        )
        stats.search_by_period[period.label] = stats.search_by_period.get(
            period.label, 0.0
        ) + float(unblended[search].sum())
        usage_cost = np.where(is_ri, ri_effective, np.where(is_sp, sp_effective, unblended))
        stats.usage_cost += float(usage_cost.sum())
        stats.untagged_cost += float(usage_cost[tagset == 0].sum())
        return self._assemble(period, parts, rng)

    def _usage(
        self,
        kind: np.ndarray,
        use: np.ndarray,
        res: np.ndarray,
        di: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Draw each line's daily usage: size x weekday season x growth x noise, by model."""
        cat, cal = self.cat, self.calendar
        n = len(di)
        z1 = np.maximum(self.resources.unit(res, 5), 1e-12)
        z = np.sqrt(-2.0 * np.log(z1)) * np.cos(2.0 * np.pi * self.resources.unit(res, 6))
        spread = cat.kind_spread[kind]
        size = np.exp(spread * z - 0.5 * spread**2)
        weekday = cal.weekday[di]
        season = np.where(
            cat.u_weekend_off[use], weekday, 1.0 + cat.u_weekday[use] * (weekday - 5.0 / 7.0)
        )
        growth = np.exp(cat.u_growth[use] * cal.months[di])
        sigma = cat.u_sigma[use]
        noise = np.exp(sigma * rng.standard_normal(n) - 0.5 * sigma**2)
        amount = cat.u_amount[use]
        model = cat.u_model[use]
        usage = np.select(
            [model == HOURS, model == FLOW, model == STOCK],
            [
                24.0 * amount * np.minimum(cat.u_frac[use] * season * noise * growth, 1.0),
                amount * size * season * growth * noise,
                amount * size * growth * noise / cal.days_in_month[di],
            ],
            default=np.where(cal.day_of_month[di] == 1, amount * size, 0.0),  # MONTHLY
        )
        usage[rng.random(n) < cat.u_idle[use]] = 0.0
        usage = np.where(cat.u_integer[use], np.round(usage), usage)
        usage = np.where(model == HOURS, np.round(usage, 6), usage)

        # The injected anomaly: NAT data processing in shop-prod on one day.
        spike = (use == cat.nat_use) & (di == cal.anomaly_day)
        if spike.any():
            extra = (ANOMALY_FACTOR - 1.0) * usage[spike].sum()
            usage[np.flatnonzero(spike)[0]] += extra
            self.stats.anomaly_extra += extra * float(cat.cv.rate[cat.u_cv[cat.nat_use]])
        return usage

    def _assemble(self, period: Period, parts: list[_Part], rng: np.random.Generator) -> pa.Table:
        """Build one contiguous table (one row group) from the parts of a chunk."""
        cat = self.cat
        cv = np.concatenate([p.cv for p in parts])
        acct = np.concatenate([p.acct for p in parts])
        day = np.concatenate([p.day for p in parts])
        tagset = np.concatenate([p.tagset for p in parts])
        names = {name for p in parts for name in p.values}
        values = {
            name: np.concatenate([p.values.get(name, np.zeros(len(p.cv))) for p in parts])
            for name in names
        }
        n = len(cv)
        discount = values.get("discount_total_discount", np.zeros(n))
        has_discount = discount != 0
        offsets = np.concatenate([[0], np.cumsum(has_discount)]).astype(np.int32)
        start = self.calendar.start_ms[day]
        per_row: dict[str, Any] = {
            "bill_billing_period_start_date": np.full(n, np.datetime64(period.start, "ms")),
            "bill_billing_period_end_date": np.full(n, np.datetime64(period.end, "ms")),
            "bill_invoice_id": repeated(period.invoice_id, n),
            "discount": pa.MapArray.from_arrays(
                pa.array(offsets),
                repeated("edp_discount", int(has_discount.sum())),
                pa.array(discount[has_discount], type=DOUBLE),
            ),
            "identity_line_item_id": line_item_ids(n, rng),
            "identity_time_interval": self.calendar.interval.take(day),
            "line_item_usage_start_date": start,
            "line_item_usage_end_date": start + np.timedelta64(1, "D"),
            "line_item_resource_id": pa.concat_arrays([p.res_ids for p in parts]),
            "line_item_availability_zone": pa.concat_arrays([p.zones for p in parts]),
            "resource_tags": cat.tagsets.take(tagset),
            **values,
        }
        arrays = []
        for name, typ in CUR2_COLUMNS.items():
            if name in per_row:
                value = per_row[name]
                arrays.append(value if isinstance(value, pa.Array) else pa.array(value, type=typ))
            elif name in cat.acct_cols:
                arrays.append(cat.acct_cols[name].take(acct))
            else:
                arrays.append(cat.cv.columns[name].take(cv))
        table = pa.Table.from_arrays(arrays, schema=CUR2_SCHEMA)
        for item in pc.value_counts(table.column("line_item_line_item_type")).to_pylist():
            self.stats.count(item["values"], item["counts"])
        return table
