"""Savings checks that need evidence beyond the CUR: CloudWatch metrics and Lambda REPORT lines.

Each check prices its resources from the CUR (:class:`~opsbook.cost._usage_checks.Usage`) and
reads their metrics over the evidence window; a resource without any datapoint is *not
evaluated* (counted, never flagged). Only the ``max_resources`` costliest resources of a check
are asked for, so a large estate costs a bounded number of GetMetricData calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from opsbook import logs, metrics
from opsbook.cost._usage_checks import Usage, opportunity_rows
from opsbook.settings import Settings

__all__ = ["EVIDENCE_CHECKS", "Evidence"]


@dataclass
class Evidence:
    """The evidence window and where to read it; ``unevaluated`` counts resources with no data."""

    start: pd.Timestamp
    end: pd.Timestamp
    settings: Settings | None
    max_resources: int
    logs_account: str = ""
    unevaluated: dict[str, int] = field(default_factory=dict)
    accounts: str = ""  # linked account ids, comma-separated (empty: all), for CUR queries
    basis: str = "amortized"  # the review's cost basis

    @property
    def days(self) -> float:
        """Length of the window in days."""
        return (self.end - self.start).total_seconds() / 86400

    def statistic(self, series: dict[str, str]) -> pd.Series:
        """Return one value per id of ``series`` over the whole window (missing: no datapoint)."""
        return self.statistics(series)[0]

    def statistics(self, *asks: dict[str, str]) -> list[pd.Series]:
        """Return :meth:`statistic` of each of ``asks``, read in one metrics request."""
        series = {f"q{n}_{key}": query for n, ask in enumerate(asks) for key, query in ask.items()}
        if not series:
            return [pd.Series(dtype="float64") for _ in asks]
        seconds = int((self.end - self.start).total_seconds()) // 60 * 60
        frame = metrics.get(series, self.start, self.end, seconds, settings=self.settings)
        values = frame.groupby("id")["value"].sum()
        return [pd.Series(values.reindex([f"q{n}_{key}" for key in ask]).to_numpy(),
                          index=list(ask), dtype="float64") for n, ask in enumerate(asks)]  # fmt: skip


def _costliest(lines: pd.DataFrame, limit: int) -> pd.DataFrame:
    keys = ["account_id", "account_name", "region", "resource_id", "service"]
    grouped = lines.groupby(keys, as_index=False).agg(
        usage_amount=("usage_amount", "sum"), cost=("cost", "sum")
    )
    return grouped.nlargest(limit, "cost").reset_index(drop=True)


def _dimension(resource_id: str, name: str) -> str:
    if name == "LoadBalancer":
        return resource_id.split(":loadbalancer/", 1)[-1]
    return resource_id.rsplit(":", 1)[-1]


def _ask(frame: pd.DataFrame, template: str, dimension: str) -> dict[str, str]:
    return {f"r{i}": template.format(d=f"{dimension}={_dimension(r, dimension)}")
            for i, r in enumerate(frame["resource_id"])}  # fmt: skip


def _evaluated(check: str, frame: pd.DataFrame, values: pd.Series, ev: Evidence) -> pd.DataFrame:
    have = values.notna().to_numpy()
    ev.unevaluated[check] = ev.unevaluated.get(check, 0) + int((~have).sum())
    return frame[have].assign(value=values.to_numpy()[have])


def idle_load_balancer(usage: Usage, t: Any, ev: Evidence) -> pd.DataFrame:
    """Application load balancers with fewer than ``lb_min_requests_per_day`` requests a day."""
    lbs = _costliest(usage.lines[usage.lines["service"] == "AWSELB"], ev.max_resources)
    lbs = lbs[lbs["resource_id"].str.contains(":loadbalancer/app/", regex=False)]
    asked = _ask(lbs, "AWS/ApplicationELB RequestCount {d} stat=Sum", "LoadBalancer")
    seen = _evaluated("idle_load_balancer", lbs, ev.statistic(asked), ev)
    idle = seen[seen["value"] / ev.days < t.lb_min_requests_per_day]
    return opportunity_rows(
        idle, "idle_load_balancer", "idle",
        evidence=[f"{v / ev.days:,.1f} requests a day over {ev.days:.0f} days (CloudWatch "
                  f"RequestCount; threshold {t.lb_min_requests_per_day:g})" for v in idle["value"]],
        monthly_cost=idle["cost"].to_numpy(), estimated_saving=idle["cost"].to_numpy(),
        pricing_basis="the load balancer's hourly and LCU charges (CUR line items)",
        action="delete the load balancer",
    )  # fmt: skip


def idle_volume(usage: Usage, t: Any, ev: Evidence) -> pd.DataFrame:
    """EBS volumes with no reads or writes in the window (detached, or on a stopped instance)."""
    vols = _costliest(usage.matching(r"EBS:VolumeUsage.*"), ev.max_resources)
    reads, writes = ev.statistics(_ask(vols, "AWS/EBS VolumeReadOps {d} stat=Sum", "VolumeId"),
                                  _ask(vols, "AWS/EBS VolumeWriteOps {d} stat=Sum", "VolumeId"))  # fmt: skip
    ops = reads.add(writes.to_numpy(), fill_value=0).where(
        reads.notna() | writes.notna().to_numpy()
    )
    seen = _evaluated("idle_volume", vols, ops, ev)
    idle = seen[seen["value"] / ev.days < t.volume_min_ops_per_day]
    return opportunity_rows(
        idle, "idle_volume", "idle",
        evidence=[f"{v:,.0f} read/write operations in {ev.days:.0f} days (CloudWatch)"
                  for v in idle["value"]],
        monthly_cost=idle["cost"].to_numpy(), estimated_saving=idle["cost"].to_numpy(),
        pricing_basis="the volume's GB-month (and IOPS) charges (CUR line items)",
        action="snapshot and delete the volume, or start or terminate its instance",
    )  # fmt: skip


_SHAPES = {  # service -> (usage type pattern, metric namespace, dimension)
    "AmazonEC2": (r"BoxUsage:.+", "AWS/EC2", "InstanceId"),
    "AmazonRDS": (r"InstanceUsage:.+", "AWS/RDS", "DBInstanceIdentifier"),
}


def underused_instance(usage: Usage, t: Any, ev: Evidence) -> pd.DataFrame:
    """EC2 and RDS instances whose CPU (and agent memory, where reported) stayed low."""
    boxes, asks = {}, []
    for service, (pattern, namespace, dimension) in _SHAPES.items():
        lines = usage.matching(pattern)
        boxes[service] = _costliest(lines[lines["service"] == service], ev.max_resources)
        asks.append(
            _ask(boxes[service], f"{namespace} CPUUtilization {{d}} stat=Maximum", dimension)
        )
    ec2 = boxes["AmazonEC2"]  # the agent's memory, asked with the CPU, counts where CPU was seen
    *cpus, memory = ev.statistics(*asks, _ask(ec2, "CWAgent mem_used_percent {d} stat=Maximum",
                                                  _SHAPES["AmazonEC2"][2]))  # fmt: skip
    found = []
    for (service, frame), cpu in zip(boxes.items(), cpus, strict=True):
        seen = _evaluated("underused_instance", frame, cpu, ev)
        peak = pd.Series(memory.to_numpy() if service == "AmazonEC2" else float("nan"),
                         index=frame.index, dtype="float64")[seen.index]  # fmt: skip
        low = (seen["value"] < t.cpu_max_percent) & ~(peak >= t.memory_max_percent)
        found.append(seen[low].assign(memory=peak[low]))
    low = pd.concat(found, ignore_index=True)
    return opportunity_rows(
        low, "underused_instance", "underused",
        evidence=[f"CPU peaked at {c:.0f}% over {ev.days:.0f} days (threshold "
                  f"{t.cpu_max_percent:g}%)" + ("; memory not reported (no CloudWatch agent)"
                  if m != m else f"; memory peaked at {m:.0f}%")
                  for c, m in zip(low["value"], low["memory"], strict=True)],
        monthly_cost=low["cost"].to_numpy(), estimated_saving=(low["cost"] / 2).to_numpy(),
        pricing_basis="one size smaller in the same family: half the vCPUs and memory at half "
                      "the hourly rate",
        action="downsize one size (or stop it outside working hours)",
    )  # fmt: skip


def lambda_memory(usage: Usage, t: Any, ev: Evidence) -> pd.DataFrame:
    """Lambda functions whose largest invocation used under ``lambda_max_used_share`` of memory."""
    report = logs.query("logs/lambda_memory", "/aws/lambda/*", ev.start, ev.end,
                        settings=ev.settings)  # fmt: skip
    if report.empty:
        ev.unevaluated["lambda_memory"] = 0
        return opportunity_rows(pd.DataFrame(), "lambda_memory", "underused")
    report = report.assign(function=report["@log"].astype(str).str.rsplit("/", n=1).str[-1])
    gb_s = usage.matching(r"Lambda-GB-Second.*")
    if ev.logs_account:
        gb_s = gb_s[gb_s["account_id"] == ev.logs_account]
    funcs = _costliest(gb_s, len(gb_s) or 1)
    funcs["function"] = funcs["resource_id"].str.rsplit(":", n=1).str[-1]
    merged = funcs.merge(report, on="function")
    share = merged["max_used_mb"] / merged["memory_mb"]
    over = merged[share < t.lambda_max_used_share].copy()
    headroom = over["max_used_mb"] * (1 + t.lambda_headroom)
    over["proposed_mb"] = [max(128, 64 * math.ceil(h / 64)) for h in headroom]
    over = over[over["proposed_mb"] < over["memory_mb"]]
    saving = over["cost"] * (1 - over["proposed_mb"] / over["memory_mb"])
    return opportunity_rows(
        over, "lambda_memory", "underused",
        evidence=[f"{n:,.0f} invocations: at most {u:.0f} MB used of {m:.0f} MB (REPORT lines, "
                  f"{ev.days:.0f} days)" + ("" if ev.logs_account else
                  "; log group matched by function name in every account")
                  for n, u, m in zip(over["invocations"], over["max_used_mb"], over["memory_mb"],
                                     strict=True)],
        monthly_cost=over["cost"].to_numpy(), estimated_saving=saving.to_numpy(),
        pricing_basis=[f"GB-seconds at {p} MB instead of {m:.0f} MB, same duration (the CUR's "
                       "GB-second cost scaled)" for p, m in zip(over["proposed_mb"],
                                                                 over["memory_mb"], strict=True)],
        action=[f"set memory to {p} MB" for p in over["proposed_mb"]],
    )  # fmt: skip


#: Check name -> (category, function, source read beside the CUR).
EVIDENCE_CHECKS = {
    "idle_load_balancer": ("idle", idle_load_balancer, "CloudWatch metrics"),
    "idle_volume": ("idle", idle_volume, "CloudWatch metrics"),
    "underused_instance": ("underused", underused_instance, "CloudWatch metrics"),
    "lambda_memory": ("underused", lambda_memory, "CloudWatch Logs (REPORT lines)"),
}
