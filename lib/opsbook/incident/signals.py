"""Golden signals of a service in the incident window against a baseline window.

Traffic, errors (5XX rate), latency (p50, p99) and saturation (Lambda throttles and concurrency,
ECS CPU and memory, RDS CPU and connections), from 1-minute CloudWatch metrics of the service's
resources. A signal is a finding when it moved well past its baseline in the bad direction; the
finding says by how much and from which minute.

Examples
--------
>>> from opsbook.incident.services import ServiceTargets
>>> specs = signal_specs(ServiceTargets("orders-worker", functions=("orders-worker",)))
>>> [s.name for s in specs][:3]
['requests/min', '5XX/error rate %', 'p50 latency ms']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from opsbook import metrics
from opsbook.errors import OpsbookError
from opsbook.incident.services import ServiceTargets
from opsbook.incident.window import IncidentWindow
from opsbook.settings import Settings

__all__ = ["Signal", "compare_signals", "fetch_signals", "signal_specs"]

_PERCENTILE = re.compile(r"stat=[pP]\d")


@dataclass(frozen=True)
class Signal:
    """One golden signal of one resource, and what counts as abnormal for it."""

    resource: str
    name: str
    kind: str  # "rate" (errors / requests, in %), "mean" (of per-minute values)
    series: tuple[str, ...]  # numerator series (summed); for "rate" also ``total``
    total: tuple[str, ...] = ()
    scale: float = 1.0  # e.g. seconds -> ms
    direction: str = "up"  # "up": higher is worse; "down": a drop is abnormal
    min_delta: float = 0.0  # below this absolute change nothing is a finding
    min_ratio: float = 2.0


def signal_specs(targets: ServiceTargets) -> list[Signal]:
    """Return the golden signals for a service's resources (none if it has no such resource)."""
    out: list[Signal] = []

    def traffic(
        resource: str, requests: str, errors: tuple[str, ...], latency: str, scale: float
    ) -> None:
        out.append(
            Signal(
                resource,
                "requests/min",
                "mean",
                (requests,),
                direction="down",
                min_delta=5.0,
                min_ratio=2.0,
            )
        )
        out.append(Signal(resource, "5XX/error rate %", "rate", errors, (requests,), min_delta=0.5))
        for stat, min_delta in (("p50", 50.0), ("p99", 100.0)):
            out.append(
                Signal(
                    resource,
                    f"{stat} latency ms",
                    "mean",
                    (latency.format(stat=stat),),
                    scale=scale,
                    min_delta=min_delta,
                    min_ratio=1.5,
                )
            )

    for lb in targets.load_balancers:
        d = f"LoadBalancer={lb}"
        traffic(
            f"ALB {lb.split('/')[1] if lb.count('/') >= 2 else lb}",
            f"AWS/ApplicationELB RequestCount {d} stat=Sum",
            (f"AWS/ApplicationELB HTTPCode_Target_5XX_Count {d} stat=Sum",
             f"AWS/ApplicationELB HTTPCode_ELB_5XX_Count {d} stat=Sum"),
            f"AWS/ApplicationELB TargetResponseTime {d} stat={{stat}}",
            1000.0,
        )  # fmt: skip
    for api in targets.apis:
        d = f"ApiName={api}"
        traffic(f"API {api}", f"AWS/ApiGateway Count {d} stat=Sum",
                (f"AWS/ApiGateway 5XXError {d} stat=Sum",),
                f"AWS/ApiGateway Latency {d} stat={{stat}}", 1.0)  # fmt: skip
    for fn in targets.functions:
        d = f"FunctionName={fn}"
        resource = f"Lambda {fn}"
        traffic(resource, f"AWS/Lambda Invocations {d} stat=Sum", (f"AWS/Lambda Errors {d} stat=Sum",),
                f"AWS/Lambda Duration {d} stat={{stat}}", 1.0)  # fmt: skip
        out.append(
            Signal(
                resource,
                "throttles/min",
                "mean",
                (f"AWS/Lambda Throttles {d} stat=Sum",),
                min_delta=0.5,
            )
        )
        out.append(
            Signal(
                resource,
                "concurrency (max)",
                "mean",
                (f"AWS/Lambda ConcurrentExecutions {d} stat=Maximum",),
                min_delta=5.0,
                min_ratio=1.5,
            )
        )
    for cluster, service in targets.ecs_services:
        d = f"ClusterName={cluster} ServiceName={service}"
        for metric in ("CPUUtilization", "MemoryUtilization"):
            out.append(
                Signal(
                    f"ECS {service}",
                    f"{metric[:-11]} %",
                    "mean",
                    (f"AWS/ECS {metric} {d} stat=Average",),
                    min_delta=10.0,
                    min_ratio=1.5,
                )
            )
    for db in targets.databases:
        d = f"DBInstanceIdentifier={db}"
        out.append(
            Signal(
                f"RDS {db}",
                "CPU %",
                "mean",
                (f"AWS/RDS CPUUtilization {d} stat=Average",),
                min_delta=10.0,
                min_ratio=1.5,
            )
        )
        out.append(
            Signal(
                f"RDS {db}",
                "connections",
                "mean",
                (f"AWS/RDS DatabaseConnections {d} stat=Average",),
                min_delta=20.0,
                min_ratio=1.5,
            )
        )
    return out


def fetch_signals(
    specs: list[Signal], window: IncidentWindow, *, settings: Settings
) -> pd.DataFrame:
    """Return the per-minute values of every signal in the window and the baseline.

    Returns
    -------
    pandas.DataFrame
        ``timestamp``, ``resource``, ``signal``, ``value``, ``part`` (``window`` or
        ``baseline``); rates are per minute (``100 * errors / requests``).
    """
    columns = ["timestamp", "resource", "signal", "value", "weight", "part"]
    series = sorted({s for spec in specs for s in (*spec.series, *spec.total)})
    if not series:
        return pd.DataFrame(columns=columns)
    ids = {text: f"m{i}" for i, text in enumerate(series)}
    failed: dict[str, str] = {}
    frames = []
    for part, (first, last) in (("window", (window.start, window.end)),
                                ("baseline", (window.baseline_start, window.baseline_end))):  # fmt: skip
        wanted = [s for s in series if s not in failed]
        raw = _get(wanted, ids, first, last, settings, failed)
        wide = raw.pivot_table(index="timestamp", columns="id", values="value", aggfunc="sum")
        for spec in specs:
            if set((*spec.series, *spec.total)) & set(failed):
                continue
            value, weight = _per_minute(spec, wide, ids)
            if value is None or value.dropna().empty:
                continue
            frames.append(pd.DataFrame({"timestamp": value.index, "resource": spec.resource,
                                        "signal": spec.name, "value": value.to_numpy(),
                                        "weight": weight.to_numpy() if weight is not None else np.nan,
                                        "part": part}))  # fmt: skip
    values = (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )
    values.attrs["failed"] = failed
    return values


def compare_signals(specs: list[Signal], values: pd.DataFrame) -> pd.DataFrame:
    """Return one row per signal: window vs baseline, peak, change, since when, and a verdict.

    ``status`` is ``abnormal``, ``normal``, ``no data`` (nothing in the window), ``no
    baseline`` (nothing to compare with) or ``error`` (its series could not be read, the reason
    in ``note``): the last three never count as healthy.
    """
    failed: dict[str, str] = values.attrs.get("failed", {})
    rows = []
    for spec in specs:
        reasons = sorted({failed[s] for s in (*spec.series, *spec.total) if s in failed})
        if reasons:
            rows.append({"resource": spec.resource, "signal": spec.name, "status": "error",
                         "note": "; ".join(reasons)})  # fmt: skip
            continue
        mine = values.loc[(values.resource == spec.resource) & (values.signal == spec.name)]
        now = mine.loc[mine.part == "window"].set_index("timestamp").value.dropna()
        before = mine.loc[mine.part == "baseline"].value.dropna()
        row = {"resource": spec.resource, "signal": spec.name, "window": np.nan, "baseline": np.nan,
               "peak": np.nan, "change": np.nan, "since": pd.NaT}  # fmt: skip
        if now.empty:
            rows.append({**row, "status": "no data"})
            continue
        weights = mine.loc[mine.part == "window"].set_index("timestamp").weight
        current, peak = _summary(now, weights.loc[now.index]), float(now.max())
        if spec.direction == "down":
            peak = float(now.min())
        row.update(window=current, peak=peak)
        if before.empty:
            rows.append({**row, "status": "no baseline"})
            continue
        base = _summary(before, mine.loc[before.index, "weight"])
        row.update(baseline=base, change=current / base if base else np.inf if current else 1.0)
        abnormal, limit = _abnormal(spec, current, base)
        if abnormal:
            crossing = now.loc[(now < limit) if spec.direction == "down" else (now > limit)]
            row["since"] = crossing.index.min() if not crossing.empty else now.index.min()
        rows.append({**row, "status": "abnormal" if abnormal else "normal"})
    return pd.DataFrame(rows, columns=["resource", "signal", "window", "baseline", "peak",
                                       "change", "since", "status", "note"])  # fmt: skip


def _get(
    series: list[str],
    ids: dict[str, str],
    first: pd.Timestamp,
    last: pd.Timestamp,
    settings: Settings,
    failed: dict[str, str],
) -> pd.DataFrame:
    """Return the datapoints of ``series``; what cannot be read goes to ``failed`` with why.

    One call normally; if it fails, percentiles and the other statistics are asked apart (once
    each, never more: a throttled source must not be asked ever more), so a source that cannot
    give percentiles (no extended statistics, an emulator) does not take the request counts and
    error rates down with it.
    """
    empty = pd.DataFrame(columns=["timestamp", "id", "value"])

    def ask(group: list[str]) -> pd.DataFrame | None:
        try:
            return metrics.get({ids[s]: s for s in group}, first, last, 60, settings=settings)
        except OpsbookError as error:
            failed.update(dict.fromkeys(group, f"{type(error).__name__}: {error}"))
            return None

    if not series:
        return empty
    groups = [[s for s in series if _PERCENTILE.search(s) is None],
              [s for s in series if _PERCENTILE.search(s) is not None]]  # fmt: skip
    if not all(groups):
        answer = ask(series)
        return empty if answer is None else answer
    try:
        return metrics.get({ids[s]: s for s in series}, first, last, 60, settings=settings)
    except OpsbookError:
        pieces = [p for p in (ask(g) for g in groups) if p is not None]
    return pd.concat(pieces, ignore_index=True) if pieces else empty


def _per_minute(
    spec: Signal, wide: pd.DataFrame, ids: dict[str, str]
) -> tuple[pd.Series | None, pd.Series | None]:
    def total(names: tuple[str, ...]) -> pd.Series | None:
        present = [ids[n] for n in names if ids[n] in wide.columns]
        return wide[present].sum(axis=1, min_count=1) if present else None

    top = total(spec.series)
    if spec.kind == "rate":
        bottom = total(spec.total)
        if bottom is None:
            return None, None
        top = top if top is not None else bottom * 0
        return 100 * top.fillna(0) / bottom.where(bottom > 0), bottom
    return (None if top is None else top * spec.scale), None


def _summary(per_minute: pd.Series, weights: pd.Series) -> float:
    # A window's rate is all errors over all requests: minute rates weighted by their requests.
    if weights.notna().any() and weights.sum() > 0:
        return float((per_minute * weights).sum() / weights.loc[per_minute.index].sum())
    return float(per_minute.mean())


def _abnormal(spec: Signal, current: float, base: float) -> tuple[bool, float]:
    if spec.direction == "down":
        limit = base / spec.min_ratio
        return (current < limit and base - current >= spec.min_delta), limit
    limit = max(base * spec.min_ratio, base + spec.min_delta)
    return current > limit, limit
