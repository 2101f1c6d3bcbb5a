"""Savings checks of what is provisioned or kept: log retention, DynamoDB capacity, EBS IOPS.

* ``log_retention``: log groups that never expire (DescribeLogGroups, through
  :func:`opsbook.ops.inventory.read_log_group_settings`), priced by their CloudWatch
  ``TimedStorage-ByteHrs`` line items. The data a suggested retention would keep is what the
  group ingested in its last ``log_retention_days`` days (the month's ``DataProcessing-Bytes``
  or ``VendedLog-Bytes`` a day, times the days, at most the group's age); the saving is the
  storage cost of the rest.
* ``dynamodb_capacity``: tables whose busiest hour consumed under ``capacity_max_used_share``
  of their provisioned read or write capacity (CloudWatch ``Consumed*CapacityUnits`` vs
  ``Provisioned*CapacityUnits``), priced by the CUR's ``ReadCapacityUnit-Hrs`` /
  ``WriteCapacityUnit-Hrs``.
* ``provisioned_iops``: io1, io2 and gp3 volumes whose busiest hour's IOPS
  (``VolumeReadOps`` + ``VolumeWriteOps`` per second) stayed under ``capacity_max_used_share``
  of what they are provisioned (the CUR's ``EBS:VolumeP-IOPS.*`` IOPS-months), priced at the
  CUR's own rate of that usage type.

Capacity is proposed at the busiest hour plus ``capacity_headroom``; an hourly average hides
shorter bursts, which is what the headroom is for.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from opsbook import metrics
from opsbook.cost._evidence_checks import Evidence, _costliest, _evaluated
from opsbook.cost._usage_checks import Usage, opportunity_rows
from opsbook.ops.inventory import read_log_group_settings

__all__ = ["CAPACITY_CHECKS"]

_GB = 1024**3
_HOUR = 3600


def _busiest_hour(ev: Evidence, series: dict[str, str]) -> pd.DataFrame:
    """Return the hourly values of ``series`` (one column per id; hours without data missing)."""
    if not series:
        return pd.DataFrame(columns=list(series), dtype="float64")
    frame = metrics.get(series, ev.start, ev.end, _HOUR, settings=ev.settings)
    wide = frame.pivot_table(index="timestamp", columns="id", values="value", aggfunc="sum")
    return wide.reindex(columns=list(series))


def log_retention(usage: Usage, t: Any, ev: Evidence) -> pd.DataFrame:
    """Log groups that never expire, saving the storage of what is older than the retention."""
    lines = usage.lines[usage.lines["service"] == "AmazonCloudWatch"]
    lines = lines[lines["resource_id"].str.contains(":log-group:", regex=False)]
    if ev.logs_account:
        lines = lines[lines["account_id"] == ev.logs_account]
    storage = usage.matching(r"TimedStorage-ByteHrs")
    stored = _costliest(storage[storage.index.isin(lines.index)], len(lines) or 1)
    ingest = usage.matching(r"(DataProcessing|VendedLog)(-IA)?-Bytes")
    ingest = ingest[ingest.index.isin(lines.index)].groupby("resource_id")["usage_amount"].sum()
    groups = read_log_group_settings(settings=ev.settings).set_index("log_group")
    stored["log_group"] = stored["resource_id"].str.split(":log-group:", n=1).str[-1]
    known = stored["log_group"].isin(groups.index)
    ev.unevaluated["log_retention"] = int((~known).sum())
    stored = stored[known].copy()
    info = groups.loc[stored["log_group"]]
    never = info["retention_days"].isna().to_numpy()
    stored = stored[never]
    info = info[never]
    days_in_month = pd.Period(usage.month).days_in_month
    age = (usage.as_of - pd.to_datetime(info["created"], utc=True)).dt.total_seconds() / 86400
    per_day = stored["resource_id"].map(ingest).fillna(0.0).to_numpy() / days_in_month
    kept = np.minimum(per_day * np.minimum(t.log_retention_days, age.to_numpy()),
                      stored["usage_amount"].to_numpy())  # fmt: skip
    beyond = stored["usage_amount"].to_numpy() - kept
    share = beyond / np.where(stored["usage_amount"] > 0, stored["usage_amount"], np.nan)
    stored = stored.assign(age=age.to_numpy(), per_day=per_day, beyond=beyond,
                           saving=stored["cost"].to_numpy() * share)  # fmt: skip
    flagged = stored[(age.to_numpy() > t.log_retention_days) & (stored["saving"] > 0.005)]
    return opportunity_rows(
        flagged, "log_retention", "storage",
        evidence=[f"never expires; created {a:,.0f} days ago; {gb:,.0f} GB-months stored in "
                  f"{usage.month}, {d:,.2f} GB ingested a day (CUR)"
                  for a, gb, d in zip(flagged["age"], flagged["usage_amount"], flagged["per_day"],
                                      strict=True)],
        monthly_cost=flagged["cost"].to_numpy(), estimated_saving=flagged["saving"].to_numpy(),
        pricing_basis=[f"storage of the {b:,.0f} GB older than {t.log_retention_days:g} days "
                       f"(the stored GB less {t.log_retention_days:g} days of ingestion) at the "
                       "group's CUR storage rate" for b in flagged["beyond"]],
        action=f"set a retention policy ({t.log_retention_days:g} days, or export older logs "
               "to S3 first)",
    )  # fmt: skip


def _resize(cost: pd.Series, provisioned: pd.Series, peak: pd.Series, t: Any, floor: float
            ) -> tuple[pd.Series, pd.Series]:  # fmt: skip
    """Return the proposed capacity and the saving of scaling ``cost`` down to it."""
    proposed = np.maximum(floor, np.ceil(peak * (1 + t.capacity_headroom)))
    proposed = np.minimum(proposed, provisioned)
    low = peak < t.capacity_max_used_share * provisioned
    saving = (cost * (1 - proposed / provisioned.where(provisioned > 0))).where(low, 0.0)
    return proposed, saving.fillna(0.0)


def dynamodb_capacity(usage: Usage, t: Any, ev: Evidence) -> pd.DataFrame:
    """Provisioned tables whose busiest hour used under ``capacity_max_used_share`` of capacity."""
    lines = usage.matching(r"(Read|Write)CapacityUnit-Hrs")
    tables = _costliest(lines, ev.max_resources)
    names = tables["resource_id"].str.split(":table/", n=1).str[-1]
    found = tables.copy()
    have = pd.Series(False, index=tables.index)
    found["saving"] = 0.0
    parts = []
    for kind in ("Read", "Write"):
        ids = {f"{kind[0].lower()}{i}": n for i, n in zip(tables.index, names, strict=True)}
        consumed = _busiest_hour(ev, {k: f"AWS/DynamoDB Consumed{kind}CapacityUnits TableName={n} "
                                         "stat=Sum" for k, n in ids.items()}).max() / _HOUR  # fmt: skip
        provisioned = ev.statistic({k: f"AWS/DynamoDB Provisioned{kind}CapacityUnits TableName={n}"
                                       " stat=Maximum" for k, n in ids.items()})  # fmt: skip
        consumed.index = provisioned.index = tables.index
        kind_lines = usage.matching(rf"{kind}CapacityUnit-Hrs")
        cost = (
            tables["resource_id"].map(kind_lines.groupby("resource_id")["cost"].sum()).fillna(0.0)
        )
        proposed, saving = _resize(cost, provisioned, consumed.fillna(0.0), t, 1.0)
        have |= provisioned.notna()
        found["saving"] += saving.where(provisioned.notna(), 0.0)
        parts.append((kind, consumed, provisioned, proposed, saving))
    seen = _evaluated("dynamodb_capacity", found, have.astype("float64").where(have), ev)
    flagged = seen[seen["saving"] > 0.005]
    evidence, actions = [], []
    for i in flagged.index:
        evidence.append(
            "; ".join(
                f"{kind.lower()}: busiest hour {c[i]:,.1f} units/s of {p[i]:,.0f} provisioned "
                f"({c[i] / p[i]:.0%}; threshold {t.capacity_max_used_share:.0%})"
                for kind, c, p, _, _ in parts
                if p[i] == p[i]
            )
            + f" (CloudWatch, {ev.days:.0f} days)"
        )
        actions.append("set " + ", ".join(f"{kind.lower()} capacity to {q[i]:,.0f}"
                                          for kind, _, _, q, s in parts if s[i] > 0)
                       + " (or switch to on-demand or auto scaling)")  # fmt: skip
    return opportunity_rows(
        flagged, "dynamodb_capacity", "underused",
        evidence=evidence, monthly_cost=flagged["cost"].to_numpy(),
        estimated_saving=flagged["saving"].to_numpy(),
        pricing_basis=f"the table's capacity-unit hours (CUR) scaled to the busiest hour plus "
                      f"{t.capacity_headroom:.0%}",
        action=actions,
    )  # fmt: skip


#: Volume type (the CUR's IOPS usage type suffix) -> IOPS included free of charge.
_INCLUDED_IOPS = {"piops": 0.0, "io1": 0.0, "io2": 0.0, "gp3": 3000.0}
_FLOOR_IOPS = {"piops": 100.0, "io1": 100.0, "io2": 100.0, "gp3": 3000.0}


def provisioned_iops(usage: Usage, t: Any, ev: Evidence) -> pd.DataFrame:
    """io1/io2/gp3 volumes whose busiest hour used under ``capacity_max_used_share`` of their IOPS."""
    lines = usage.matching(r"EBS:VolumeP-IOPS\.[a-z0-9]+")
    vols = _costliest(lines, ev.max_resources)
    kinds = lines.groupby("resource_id")["usage_type"].first().str.rsplit(".", n=1).str[-1]
    vols["kind"] = vols["resource_id"].map(kinds)
    vols = vols[vols["kind"].isin(_INCLUDED_IOPS)].reset_index(drop=True)
    asked = {}
    for i, volume in enumerate(vols["resource_id"]):
        asked[f"r{i}"] = f"AWS/EBS VolumeReadOps VolumeId={volume} stat=Sum"
        asked[f"w{i}"] = f"AWS/EBS VolumeWriteOps VolumeId={volume} stat=Sum"
    hourly = _busiest_hour(ev, asked)
    peak = pd.Series([(hourly[f"r{i}"].add(hourly[f"w{i}"], fill_value=0)).max() / _HOUR
                      for i in range(len(vols))], index=vols.index, dtype="float64")  # fmt: skip
    seen = _evaluated("provisioned_iops", vols, peak, ev)
    included = seen["kind"].map(_INCLUDED_IOPS).astype("float64")  # typed even when empty
    provisioned = seen["usage_amount"] + included
    floor = seen["kind"].map(_FLOOR_IOPS).astype("float64")
    proposed = np.minimum(np.maximum(floor, np.ceil(seen["value"] * (1 + t.capacity_headroom))),
                          provisioned)  # fmt: skip
    low = seen["value"] < t.capacity_max_used_share * provisioned
    rate = seen["cost"] / seen["usage_amount"].where(seen["usage_amount"] > 0)
    saving = (rate * (provisioned - proposed)).where(low, 0.0).fillna(0.0)
    flagged = seen.assign(provisioned=provisioned, proposed=proposed, rate=rate,
                          saving=saving)[saving > 0.005]  # fmt: skip
    return opportunity_rows(
        flagged, "provisioned_iops", "underused",
        evidence=[f"busiest hour {v:,.0f} IOPS of {p:,.0f} provisioned ({v / p:.0%}; threshold "
                  f"{t.capacity_max_used_share:.0%}; CloudWatch VolumeReadOps + VolumeWriteOps, "
                  f"{ev.days:.0f} days)" for v, p in zip(flagged["value"], flagged["provisioned"],
                                                          strict=True)],
        monthly_cost=flagged["cost"].to_numpy(), estimated_saving=flagged["saving"].to_numpy(),
        pricing_basis=[f"{p - q:,.0f} fewer IOPS at ${r:.4f} per IOPS-month (the CUR's rate for "
                       f"this volume's {k} IOPS)" + (f"; gp3 includes {_INCLUDED_IOPS[k]:,.0f}"
                                                     if _INCLUDED_IOPS[k] else "")
                       for p, q, r, k in zip(flagged["provisioned"], flagged["proposed"],
                                             flagged["rate"], flagged["kind"], strict=True)],
        action=[f"modify the volume to {q:,.0f} IOPS" for q in flagged["proposed"]],
    )  # fmt: skip


#: Check name -> (category, function, source read beside the CUR).
CAPACITY_CHECKS = {
    "log_retention": ("storage", log_retention, "DescribeLogGroups"),
    "dynamodb_capacity": ("underused", dynamodb_capacity, "CloudWatch metrics"),
    "provisioned_iops": ("underused", provisioned_iops, "CloudWatch metrics"),
}
