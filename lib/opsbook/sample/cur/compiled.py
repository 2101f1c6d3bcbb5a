"""The catalogue compiled for one scale: flat arrays the vectorised generator indexes into.

Resources are numbered globally, kind after kind, and so are lines (one line per resource and
usage component): ``res_off`` and ``line_off`` hold where each kind starts. Per-kind arrays are
named ``kind_*``, per-usage-component arrays ``u_*``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pyarrow as pa

from opsbook.sample import org
from opsbook.sample.cur.catalogue import BUSINESS_UNITS, REGIONS, Kind
from opsbook.sample.cur.commitments import Reservation, SavingsPlan
from opsbook.sample.cur.periods import Calendar
from opsbook.sample.cur.schema import STRING, STRING_MAP
from opsbook.sample.cur.usage import Use
from opsbook.sample.cur.variants import NEG, OD, RI, SP, SPOT, Variants


class CompiledCatalogue:
    """The catalogue, the accounts and the commitments, as arrays for one ``scale``.

    Parameters
    ----------
    kinds
        The resource catalogue.
    scale
        Multiplies the resource count of every kind that is not ``fixed``.
    calendar
        The export's days (for when RI coverage and the mover start).
    reservations
        The reservations; usage they cover switches to ``DiscountedUsage`` once bought.
    plan
        The Savings Plan's term; it is sized here (``plan.hourly``) to what it covers.
    """

    def __init__(
        self,
        kinds: tuple[Kind, ...],
        scale: float,
        calendar: Calendar,
        reservations: list[Reservation],
        plan: SavingsPlan,
    ) -> None:
        self.kinds = kinds
        self.accounts = list(org.ACCOUNTS)
        self.account_index = {a.name: i for i, a in enumerate(self.accounts)}
        self.products = sorted(
            {k.product_code for k in kinds}
            | {u.product_code for k in kinds for u in k.uses if u.product_code}
            | {"ComputeSavingsPlans", "AWSSupportBusiness"}
        )
        self.product_index = {p: i for i, p in enumerate(self.products)}
        self.reservations = reservations
        self._kind_arrays(scale, calendar)
        self._tagsets()
        self._use_arrays(calendar, plan)
        self._account_columns()

    def _kind_arrays(self, scale: float, calendar: Calendar) -> None:
        kinds = self.kinds
        counts = [k.count if k.fixed else max(1, round(k.count * scale)) for k in kinds]
        self.kind_n = np.array(counts, dtype=np.int64)
        self.kind_m = np.array([len(k.uses) for k in kinds], dtype=np.int64)
        lines = self.kind_n * self.kind_m
        self.line_off = np.concatenate([[0], np.cumsum(lines)])
        self.res_off = np.concatenate([[0], np.cumsum(self.kind_n)])
        self.use_off = np.concatenate([[0], np.cumsum(self.kind_m)])
        self.n_lines = int(self.line_off[-1])
        self.n_fixed_lines = int(sum(lines[i] for i, k in enumerate(kinds) if k.fixed))
        self.kind_acct = np.array([self.account_index[k.account] for k in kinds])
        self.kind_churn = np.array([0.0 if k.fixed else k.churn for k in kinds])
        self.kind_spread = np.array([k.spread for k in kinds])
        self.kind_untagged = np.array([k.untagged for k in kinds])
        self.kind_partial = np.array([k.partial for k in kinds])
        self.kind_start = np.array(
            [calendar.mover_day if k.starts == "mover" else 0 for k in kinds]
        )
        regions = ["", *REGIONS]
        self.kind_zone0 = np.array(
            [1 + 3 * (regions.index(k.region) - 1) if k.zonal else 0 for k in kinds]
        )
        self.zones = pa.array([""] + [f"{r}{z}" for r in REGIONS for z in "abc"], type=STRING)
        nat_kind = next(i for i, k in enumerate(kinds) if k.key == "shop-nat")
        self.nat_use = int(self.use_off[nat_kind]) + 1  # NatGateway-Bytes

    def _tagsets(self) -> None:
        """Distinct resource_tags maps: 0 is untagged; each kind has five variants."""
        sets: list[tuple[tuple[str, str], ...]] = [()]
        index: dict[tuple[tuple[str, str], ...], int] = {(): 0}
        env_variants = {"prod": "production", "staging": "stage", "dev": "development"}
        table = np.zeros((len(self.kinds), 5), dtype=np.int64)
        for i, k in enumerate(self.kinds):
            account = self.accounts[self.account_index[k.account]]
            full = {
                "user_app": k.app,
                "user_cost_center": account.cost_center,
                "user_data_class": k.data_class,
                "user_env": account.env,
                "user_owner": k.owner,
            }
            full = {key: value for key, value in full.items() if value} if k.app else {}
            variants = [
                full,
                {**full, "user_env": env_variants.get(account.env, account.env.title())},
                {key: v for key, v in full.items() if key != "user_owner"},
                {key: v for key, v in full.items() if key != "user_data_class"},
                {
                    key: v
                    for key, v in full.items()
                    if key not in ("user_owner", "user_cost_center")
                },
            ]
            for j, variant in enumerate(variants):
                key = tuple(sorted(variant.items())) if full else ()
                if key not in index:
                    index[key] = len(sets)
                    sets.append(key)
                table[i, j] = index[key]
        self.kind_tagsets = table
        self.tagsets = pa.array([list(s) for s in sets], type=STRING_MAP)

    def _use_arrays(self, calendar: Calendar, plan: SavingsPlan) -> None:
        """Per-component draw parameters, and the pricing variants each component uses."""
        uses: list[tuple[int, Kind, Use]] = [
            (i, k, u) for i, k in enumerate(self.kinds) for u in k.uses
        ]
        n_uses = len(uses)
        self.u_model = np.array([u.model for _, _, u in uses])
        self.u_amount = np.array([u.amount for _, _, u in uses])
        self.u_frac = np.array([u.frac for _, _, u in uses])
        self.u_weekday = np.array([u.weekday for _, _, u in uses])
        self.u_sigma = np.array([u.sigma for _, _, u in uses])
        self.u_growth = np.array([u.growth for _, _, u in uses])
        self.u_idle = np.array([u.p_idle for _, _, u in uses])
        self.u_weekend_off = np.array([u.weekend_off for _, _, u in uses])
        counted = {"Requests", "Queries", "Events", "ConfigurationItemRecorded"}
        self.u_integer = np.array([u.unit in counted for _, _, u in uses])
        self.u_cv = np.zeros(n_uses, dtype=np.int64)  # variant of each component
        self.u_alt = np.full(n_uses, -1, dtype=np.int64)  # RI-covered variant, once bought
        self.u_neg = np.full(n_uses, -1, dtype=np.int64)  # Savings Plan negation variant
        self.u_switch = np.zeros(n_uses, dtype=np.int64)  # day the RI-covered variant starts
        account_ids = {a.name: a.id for a in self.accounts}
        cv = Variants(account_ids, self.product_index, self.reservations, plan)
        reservation_of = {r.key: r for r in self.reservations}
        sp_weekday_cost = 0.0
        for i, (kind_no, k, u) in enumerate(uses):
            if u.purchase == "spot":
                self.u_cv[i] = cv.add(k, u, SPOT)
            elif u.purchase == "sp":
                self.u_cv[i] = cv.add(k, u, SP)
                self.u_neg[i] = cv.add(k, u, NEG)
                sp_weekday_cost += self.kind_n[kind_no] * 24 * u.amount * u.frac * u.sp_rate
            elif u.purchase.startswith("ri-"):
                reservation = reservation_of[u.purchase]
                self.u_cv[i] = cv.add(k, u, OD)
                self.u_alt[i] = cv.add(k, u, RI, reservation)
                self.u_switch[i] = (reservation.start - calendar.first).days
            else:
                self.u_cv[i] = cv.add(k, u, OD)
        # Size the Compute Savings Plan so that weekdays use ~97 % of it: never over-committed.
        self.plan = dataclasses.replace(plan, hourly=round(sp_weekday_cost / 24 / 0.97, 3))
        self.edp_cv = np.array([cv.add_edp(product) for product in self.products])
        self.spfee_cv = cv.add_plan_fee(self.plan)
        cv.freeze()
        self.cv = cv

    def _account_columns(self) -> None:
        """Per-account columns, as arrays to take from and as values for single rows."""
        categories = [
            [
                ("BusinessUnit", BUSINESS_UNITS[a.name]),
                ("Environment", "Production" if a.env in ("prod", "shared") else "Non-Production"),
            ]
            for a in self.accounts
        ]
        tags = [
            [("accountTag/CostCenter", a.cost_center), ("accountTag/Environment", a.env)]
            for a in self.accounts
        ]
        self.acct_records: list[dict[str, Any]] = [
            {
                "line_item_usage_account_id": a.id,
                "line_item_usage_account_name": a.name,
                "cost_category": categories[i],
                "tags": tags[i],
            }
            for i, a in enumerate(self.accounts)
        ]
        self.acct_cols = {
            name: pa.array([r[name] for r in self.acct_records], type=typ)
            for name, typ in (
                ("line_item_usage_account_id", STRING),
                ("line_item_usage_account_name", STRING),
                ("cost_category", STRING_MAP),
                ("tags", STRING_MAP),
            )
        }
