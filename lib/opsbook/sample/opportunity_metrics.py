"""CloudWatch evidence of the planted savings opportunities (:mod:`opsbook.sample.cur.opportunities`).

Hourly datapoints (min, max, sum, count of the 5-minute samples) for the last
:data:`EVIDENCE_DAYS` days before ``story.end``, in the flat Parquet layout the local metrics
backend reads (``metrics/opsbook-pull/<name>.parquet``, as :func:`opsbook.metrics.pull` writes
it): request counts of the planted load balancers, read/write operations of the planted volumes,
CPU of the planted EC2 and RDS instances and the CloudWatch agent's ``mem_used_percent`` of the
EC2 ones. Each true positive sits well inside its check's default threshold, each near-miss just
outside it.

Examples
--------
>>> import datetime as dt
>>> from opsbook.sample.org import timeline
>>> frame = evidence(timeline(dt.date(2026, 11, 15)))
>>> sorted(frame.namespace.unique())
['AWS/ApplicationELB', 'AWS/EBS', 'AWS/EC2', 'AWS/RDS', 'CWAgent']
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from opsbook.backends import layout
from opsbook.backends.pulled import dimensions_text, write_metrics
from opsbook.sample import org
from opsbook.sample.cur.opportunities import by_key

__all__ = [
    "EVIDENCE_DAYS",
    "FILE_NAME",
    "evidence",
    "write_opportunity_metrics",
    "write_pulled_evidence",
]

EVIDENCE_DAYS = 14
FILE_NAME = "sample-opportunities"
_SAMPLES = 12  # 5-minute samples an hour

# key -> [(namespace, metric, dimension name, hourly mean, hourly peak)]
_SERIES: dict[str, list[tuple[str, str, str, float, float]]] = {
    "alb-idle": [("AWS/ApplicationELB", "RequestCount", "LoadBalancer", 0.0, 0.0)],
    "alb-quiet": [("AWS/ApplicationELB", "RequestCount", "LoadBalancer", 8.0, 20.0)],
    "volume-detached": [("AWS/EBS", "VolumeReadOps", "VolumeId", 0.0, 0.0),
                        ("AWS/EBS", "VolumeWriteOps", "VolumeId", 0.0, 0.0)],
    "volume-quiet": [("AWS/EBS", "VolumeReadOps", "VolumeId", 2.0, 6.0),
                     ("AWS/EBS", "VolumeWriteOps", "VolumeId", 3.0, 9.0)],
    "ec2-oversized": [("AWS/EC2", "CPUUtilization", "InstanceId", 4.0, 14.0),
                      ("CWAgent", "mem_used_percent", "InstanceId", 22.0, 31.0)],
    "ec2-memory-bound": [("AWS/EC2", "CPUUtilization", "InstanceId", 5.0, 16.0),
                         ("CWAgent", "mem_used_percent", "InstanceId", 78.0, 88.0)],
    "rds-oversized": [("AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", 6.0, 15.0)],
    "rds-busy": [("AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", 24.0, 58.0)],
}  # fmt: skip


def dimension_value(resource_id: str, dimension: str) -> str:
    """Return the CloudWatch dimension value of a CUR resource id.

    Examples
    --------
    >>> dimension_value("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1", "LoadBalancer")
    'app/a/1'
    >>> dimension_value("arn:aws:rds:us-east-1:1:db:reporting-db", "DBInstanceIdentifier")
    'reporting-db'
    """
    if dimension == "LoadBalancer":
        return resource_id.split(":loadbalancer/", 1)[-1]
    return resource_id.rsplit(":", 1)[-1]


def evidence(story: org.Timeline, seed: int = 7) -> pd.DataFrame:
    """Return the hourly datapoints of the planted resources (the pulled-Parquet columns)."""
    end = pd.Timestamp(story.end)
    end = end.tz_localize("UTC") if end.tzinfo is None else end
    hours = pd.date_range(end=end - pd.Timedelta(hours=1), periods=EVIDENCE_DAYS * 24, freq="h")
    rng = np.random.default_rng([seed, 0x0990])
    frames = []
    for key, series in _SERIES.items():
        resource = by_key(key).resource_id
        for namespace, metric, dimension, mean, peak in series:
            n = len(hours)
            # Means wander around ``mean``; the peak is reached once, never passed.
            avg = np.clip(mean * (1 + 0.25 * rng.standard_normal(n)), 0.0, peak)
            top = np.minimum(avg * 1.6, peak)
            top[n // 2] = peak
            counts = metric in ("RequestCount", "VolumeReadOps", "VolumeWriteOps")
            frames.append(pd.DataFrame({
                "namespace": namespace,
                "metric_name": metric,
                "dimensions": dimensions_text([(dimension, dimension_value(resource, dimension))]),
                "timestamp": hours,
                "period": 3600,
                "min": np.minimum(avg, 0.0 if counts else avg * 0.5),
                "max": top,
                "sum": np.round(avg * _SAMPLES) if counts else avg * _SAMPLES,
                "count": float(_SAMPLES),
            }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def write_opportunity_metrics(root: Path, story: org.Timeline, *, seed: int = 7) -> dict[str, Any]:
    """Write :func:`evidence` to ``root/metrics/opsbook-pull/sample-opportunities.parquet``."""
    frame = evidence(story, seed)
    return {
        **write_pulled_evidence(root, frame, FILE_NAME),
        "start": frame["timestamp"].min().isoformat(),
        "end": (frame["timestamp"].max() + dt.timedelta(hours=1)).isoformat(),
    }


def write_pulled_evidence(root: Path, frame: pd.DataFrame, name: str) -> dict[str, Any]:
    """Write sample metric datapoints as a pulled-metrics file; return its facts."""
    target = root / layout.pulled_metrics(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_metrics(frame, target)
    return {
        "path": str(target.relative_to(root)),
        "series": int(frame.groupby(["namespace", "metric_name", "dimensions"]).ngroups),
        "datapoints": len(frame),
    }
