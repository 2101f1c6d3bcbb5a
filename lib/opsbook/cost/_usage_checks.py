"""Savings checks the CUR answers alone: idle NAT and IPv4, snapshots, gp2, generations, cold S3.

Each check takes the month's usage by resource (:class:`Usage`) and the thresholds, and returns
opportunity rows (:data:`COLUMNS`); rates come from the CUR's own public on-demand rates where it
holds them, and the pricing basis says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "USAGE_CHECKS", "Usage", "opportunity_rows"]

#: Columns of every opportunity row, in order.
COLUMNS = [
    "check", "category", "resource_id", "account_id", "account_name", "region", "service",
    "evidence", "monthly_cost", "estimated_saving", "pricing_basis", "action",
]  # fmt: skip
_KEYS = ["account_id", "account_name", "region", "resource_id", "service"]


@dataclass(frozen=True)
class Usage:
    """The month's usage lines by resource and usage type, and when each resource was first billed.

    ``lines``: ``account_id``, ``account_name``, ``region``, ``resource_id``, ``service``,
    ``usage_type``, ``usage_amount``, ``cost`` (the chosen basis), ``public_cost``.
    ``first_billed``: resource id -> first usage start in the periods read.

    Patterns are matched once per distinct usage type (a month has a few hundred, against
    hundreds of thousands of lines at scale), and each pattern's lines and each rate are kept,
    so a check that prices every instance at its target's rate reads the lines once per target.

    Examples
    --------
    >>> lines = pd.DataFrame({"region": ["us-east-1", "us-east-2"],
    ...                       "usage_type": ["BoxUsage:m5.large", "USE2-BoxUsage:m6g.large"],
    ...                       "usage_amount": [10.0, 4.0], "public_cost": [0.96, 0.308]})
    >>> usage = Usage("2026-10", lines.astype({"usage_type": "string"}), pd.Series(), pd.Timestamp(0))
    >>> len(usage.matching("BoxUsage:.+")), usage.rate("BoxUsage:m6g.large", "us-east-2")
    (2, 0.077)
    """

    month: str
    lines: pd.DataFrame
    first_billed: pd.Series
    as_of: pd.Timestamp
    _matched: dict[str, pd.DataFrame] = field(default_factory=dict, init=False, repr=False, compare=False)  # fmt: skip
    _rates: dict[tuple[str, str], float] = field(default_factory=dict, init=False, repr=False, compare=False)  # fmt: skip

    @cached_property
    def _kinds(self) -> tuple[np.ndarray, pd.Series]:
        """Each line's code into the distinct usage types, and those types without region prefix."""
        codes, types = pd.factorize(self.lines["usage_type"])
        kinds = pd.Series(types, dtype=self.lines["usage_type"].dtype)
        return codes, kinds.str.replace(r"^[A-Z0-9]+-(?=[A-Za-z])", "", regex=True)

    def matching(self, pattern: str) -> pd.DataFrame:
        """Return the lines whose usage type (after the region prefix) matches ``pattern``."""
        if pattern not in self._matched:
            codes, kinds = self._kinds
            hit = np.append(kinds.str.fullmatch(pattern).fillna(False).to_numpy(bool), False)
            self._matched[pattern] = self.lines[hit[codes]]  # code -1 (no usage type): no match
        return self._matched[pattern]

    def rate(self, pattern: str, region: str) -> float:
        """Return the public on-demand rate of usage types matching ``pattern`` in ``region``.

        NaN when this CUR has no such usage there.
        """
        if (pattern, region) not in self._rates:
            lines = self.matching(pattern)
            lines = lines[lines["region"] == region]
            amount = float(lines["usage_amount"].sum())
            rate = float(lines["public_cost"].sum()) / amount if amount > 0 else float("nan")
            self._rates[pattern, region] = rate
        return self._rates[pattern, region]


def opportunity_rows(frame: pd.DataFrame, check: str, category: str, **values: Any) -> pd.DataFrame:
    """Return ``frame``'s resources as opportunity rows, ``values`` giving the other columns."""
    out = frame[_KEYS].copy() if len(frame) else pd.DataFrame(columns=_KEYS)
    out["check"], out["category"] = check, category
    for name, value in values.items():
        out[name] = value
    return out.reindex(columns=COLUMNS).reset_index(drop=True)


def _by_resource(lines: pd.DataFrame) -> pd.DataFrame:
    return lines.groupby(_KEYS, as_index=False, dropna=False).agg(
        usage_amount=("usage_amount", "sum"),
        cost=("cost", "sum"),
        public_cost=("public_cost", "sum"),
    )


def _resource_cost(usage: Usage, resources: pd.Series, pattern: str) -> pd.Series:
    lines = usage.matching(pattern)
    return lines[lines["resource_id"].isin(resources)].groupby("resource_id")["cost"].sum()


def idle_nat(usage: Usage, t: Any) -> pd.DataFrame:
    """NAT gateways billed for hours that processed less than ``nat_min_gb`` in the month."""
    hours = _by_resource(usage.matching(r"NatGateway-Hours"))
    data = usage.matching(r"NatGateway-Bytes").groupby("resource_id")["usage_amount"].sum()
    hours["gb"] = hours["resource_id"].map(data).fillna(0.0)
    idle = hours[(hours["usage_amount"] > 0) & (hours["gb"] < t.nat_min_gb)]
    cost = _resource_cost(usage, idle["resource_id"], r"NatGateway-(Hours|Bytes)")
    monthly = idle["resource_id"].map(cost).to_numpy()
    return opportunity_rows(
        idle, "idle_nat", "idle",
        evidence=[f"{h:,.0f} gateway-hours, {gb:,.2f} GB processed in {usage.month} "
                  f"(threshold {t.nat_min_gb:g} GB)" for h, gb in zip(idle["usage_amount"], idle["gb"], strict=True)],
        monthly_cost=monthly, estimated_saving=monthly,
        pricing_basis="the gateway's hourly and data processing charges (CUR line items)",
        action="delete the NAT gateway, or share one per VPC",
    )  # fmt: skip


def idle_eip(usage: Usage, t: Any) -> pd.DataFrame:
    """Public IPv4 addresses billed as idle (``PublicIPv4:IdleAddress``)."""
    idle = _by_resource(usage.matching(r"PublicIPv4:IdleAddress|ElasticIP:IdleAddress"))
    idle = idle[idle["usage_amount"] > 0]
    return opportunity_rows(
        idle, "idle_eip", "idle",
        evidence=[f"{h:,.0f} idle address-hours in {usage.month}" for h in idle["usage_amount"]],
        monthly_cost=idle["cost"].to_numpy(), estimated_saving=idle["cost"].to_numpy(),
        pricing_basis="the address's idle-hour charge (CUR line items)",
        action="release the Elastic IP",
    )  # fmt: skip


def old_snapshot(usage: Usage, t: Any) -> pd.DataFrame:
    """EBS snapshots of at least ``snapshot_min_gb`` billed for ``snapshot_min_age_days`` or more."""
    snaps = _by_resource(usage.matching(r"EBS:SnapshotUsage(\..*)?"))
    first = snaps["resource_id"].map(usage.first_billed)
    age = (usage.as_of - first).dt.days
    keep = (snaps["usage_amount"] >= t.snapshot_min_gb) & (age >= t.snapshot_min_age_days)
    snaps, age = snaps[keep], age[keep]
    return opportunity_rows(
        snaps, "old_snapshot", "idle",
        evidence=[f"{gb:,.0f} GB-months, billed since {d:%Y-%m-%d} ({a} days; the CUR read "
                  "starts then at the earliest)" for gb, d, a in
                  zip(snaps["usage_amount"], first[keep], age, strict=True)],
        monthly_cost=snaps["cost"].to_numpy(), estimated_saving=snaps["cost"].to_numpy(),
        pricing_basis="the snapshot's GB-month charge (CUR line items); a later snapshot of the "
                      "same volume may keep some of its blocks",
        action="delete it, or archive it (EBS Snapshots Archive, 75% cheaper per GB)",
    )  # fmt: skip


def _cheaper_storage(
    usage: Usage, rows: pd.DataFrame, rate_now: pd.Series, pattern: str, target: str, basis: str
) -> tuple[pd.Series, list[str]]:
    """Return what moving ``rows`` to the storage billed as ``pattern`` saves, and the basis.

    The target's rate is this CUR's in each row's region; ``basis`` is formatted with ``new`` and
    ``now`` (USD per GB-month) and ``region``. Without a rate, the saving is not estimated.
    """
    rate_new = rows["region"].map(lambda region: usage.rate(pattern, region))
    saving = (rows["usage_amount"] * (rate_now - rate_new)).clip(lower=0)
    described = [basis.format(new=new, now=now, region=region) if new == new else
                 f"no {target} rate in this CUR for {region}: saving not estimated"
                 for now, new, region in zip(rate_now, rate_new, rows["region"], strict=True)]  # fmt: skip
    return saving, described


def gp2(usage: Usage, t: Any) -> pd.DataFrame:
    """gp2 volumes, priced at the gp3 rate this CUR bills in the same region."""
    vols = _by_resource(usage.matching(r"EBS:VolumeUsage\.gp2"))
    gp2_rate = vols["public_cost"] / vols["usage_amount"].where(vols["usage_amount"] > 0)
    saving, basis = _cheaper_storage(
        usage, vols, gp2_rate, r"EBS:VolumeUsage\.gp3", "gp3",
        "gp3 at ${new:.4f} vs gp2 ${now:.4f} per GB-month (rates in this CUR, {region}); "
        "gp3 includes 3,000 IOPS and 125 MiB/s",
    )  # fmt: skip
    return opportunity_rows(
        vols, "gp2", "generation",
        evidence=[f"{gb:,.0f} GB-months of gp2 in {usage.month}" for gb in vols["usage_amount"]],
        monthly_cost=vols["cost"].to_numpy(), estimated_saving=saving.to_numpy(),
        pricing_basis=basis, action="modify the volume to gp3 (online, no detach)",
    )  # fmt: skip


#: Previous-generation family -> its current successor.
SUCCESSORS = {"m4": "m5", "m3": "m5", "c4": "c5", "c3": "c5", "r4": "r5", "r3": "r5",
              "t2": "t3", "i2": "i3", "d2": "d3", "x1": "x2idn", "p2": "p3", "g3": "g4dn"}  # fmt: skip
#: x86 family -> (Graviton family, list-price ratio); (AMD family, ratio) for Intel families.
GRAVITON = {"m5": "m6g", "m6i": "m7g", "c5": "c6g", "c6i": "c7g", "r5": "r6g", "r6i": "r7g",
            "t3": "t4g", "m4": "m6g", "c4": "c6g", "r4": "r6g"}  # fmt: skip
AMD = {"m5": "m5a", "c5": "c5a", "r5": "r5a", "m6i": "m6a", "c6i": "c6a", "r6i": "r6a",
       "t3": "t3a"}  # fmt: skip
#: What a move saves at list prices when the CUR has no rate for the target (us-east-1 Linux
#: on-demand: m6g.large $0.077 vs m5.large $0.096; m5a.large $0.086 vs m5.large $0.096).
LIST_RATIO = {"graviton": 0.80, "amd": 0.90, "previous_generation": 0.96}
_BOX = re.compile(r"BoxUsage:(?P<type>[a-z0-9-]+)\.(?P<size>[a-z0-9]+)")


def _instances(usage: Usage) -> pd.DataFrame:
    lines = usage.matching(r"BoxUsage:.+")
    parts = lines["usage_type"].str.extract(_BOX)
    lines = lines.assign(family=parts["type"], size=parts["size"]).dropna(subset=["family"])
    return lines.groupby([*_KEYS, "family", "size"], as_index=False).agg(
        usage_amount=("usage_amount", "sum"),
        cost=("cost", "sum"),
        public_cost=("public_cost", "sum"),
    )


def _move(usage: Usage, check: str, targets: dict[str, str], action: str) -> pd.DataFrame:
    boxes = _instances(usage)
    boxes = boxes[boxes["family"].isin(targets) & (boxes["usage_amount"] > 0)].copy()
    boxes["target"] = boxes["family"].map(targets) + "." + boxes["size"]
    rate_now = boxes["public_cost"] / boxes["usage_amount"]
    observed = np.array([usage.rate(rf"BoxUsage:{re.escape(target)}", region)
                         for target, region in zip(boxes["target"], boxes["region"], strict=True)])  # fmt: skip
    ratio = LIST_RATIO[check]
    target_rate = np.where(np.isnan(observed), rate_now * ratio, observed)
    share = (1 - target_rate / rate_now).clip(lower=0)
    saving = boxes["cost"] * share
    basis = [f"{tgt} at ${r:.4f}/h vs ${n:.4f}/h (on-demand rates in this CUR)" if o == o else
             f"{tgt} at list price about {1 - ratio:.0%} below {f}.{s} (no {tgt} rate in this CUR)"
             for tgt, r, n, o, f, s in zip(boxes["target"], target_rate, rate_now, observed,
                                           boxes["family"], boxes["size"], strict=True)]  # fmt: skip
    return opportunity_rows(
        boxes, check, "generation",
        evidence=[f"{f}.{s}: {h:,.0f} instance-hours in {usage.month}" for f, s, h in
                  zip(boxes["family"], boxes["size"], boxes["usage_amount"], strict=True)],
        monthly_cost=boxes["cost"].to_numpy(), estimated_saving=saving.to_numpy(),
        pricing_basis=basis, action=[f"{action} {t}" for t in boxes["target"]],
    )  # fmt: skip


def previous_generation(usage: Usage, t: Any) -> pd.DataFrame:
    """EC2 instances of a previous-generation family, priced at their successor's rate."""
    return _move(usage, "previous_generation", SUCCESSORS, "move to")


def graviton(usage: Usage, t: Any) -> pd.DataFrame:
    """x86 EC2 instances with a Graviton (arm64) equivalent."""
    return _move(usage, "graviton", GRAVITON, "rebuild for arm64 on")


def amd(usage: Usage, t: Any) -> pd.DataFrame:
    """Intel EC2 instances with a cheaper AMD equivalent."""
    return _move(usage, "amd", AMD, "move to")


def s3_cold(usage: Usage, t: Any) -> pd.DataFrame:
    """Buckets with at least ``s3_min_standard_gb`` in STANDARD and few GET requests per GB."""
    standard = _by_resource(
        usage.matching(r"TimedStorage-ByteHrs")[lambda x: x["service"] == "AmazonS3"]
    )
    gets = usage.matching(r"Requests-Tier2").groupby("resource_id")["usage_amount"].sum()
    standard["gets"] = standard["resource_id"].map(gets).fillna(0.0)
    per_gb = standard["gets"] / standard["usage_amount"].where(standard["usage_amount"] > 0)
    keep = (standard["usage_amount"] >= t.s3_min_standard_gb) & (per_gb < t.s3_max_gets_per_gb)
    cold, per_gb = standard[keep], per_gb[keep]
    std_rate = cold["public_cost"] / cold["usage_amount"]
    saving, basis = _cheaper_storage(
        usage, cold, std_rate, r"TimedStorage-SIA-ByteHrs", "Standard-IA",
        "Standard-IA at ${new:.4f} vs Standard ${now:.4f} per GB-month (rates in this CUR); "
        "retrieval ($0.01/GB) and 30-day minimum not included",
    )  # fmt: skip
    return opportunity_rows(
        cold, "s3_cold", "storage",
        evidence=[f"{gb:,.0f} GB-months in STANDARD, {g:,.0f} GET requests ({p:.2f} per GB; "
                  f"threshold {t.s3_max_gets_per_gb:g})" for gb, g, p in
                  zip(cold["usage_amount"], cold["gets"], per_gb, strict=True)],
        monthly_cost=cold["cost"].to_numpy(),
        estimated_saving=saving.to_numpy(), pricing_basis=basis,
        action="add a lifecycle rule to Standard-IA, or use Intelligent-Tiering",
    )  # fmt: skip


#: Check name -> (category, function).
USAGE_CHECKS = {
    "idle_nat": ("idle", idle_nat),
    "idle_eip": ("idle", idle_eip),
    "old_snapshot": ("idle", old_snapshot),
    "gp2": ("generation", gp2),
    "previous_generation": ("generation", previous_generation),
    "graviton": ("generation", graviton),
    "amd": ("generation", amd),
    "s3_cold": ("storage", s3_cold),
}
