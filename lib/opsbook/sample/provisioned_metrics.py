"""CloudWatch evidence of the planted provisioned capacity (:mod:`opsbook.sample.cur.provisioned`).

Hourly datapoints for the last :data:`~opsbook.sample.opportunity_metrics.EVIDENCE_DAYS` days
before ``story.end``, in the pulled-Parquet layout (``metrics/opsbook-pull/sample-provisioned.parquet``):
each planted DynamoDB table's ``Consumed`` and ``Provisioned`` read and write capacity units, and
each planted volume's ``VolumeReadOps`` and ``VolumeWriteOps``. Consumption wanders around its
mean and reaches its busiest-hour rate once, never more.

Examples
--------
>>> import datetime as dt
>>> from opsbook.sample.org import timeline
>>> frame = evidence(timeline(dt.date(2026, 11, 15)))
>>> sorted(frame.metric_name.unique())[:2]
['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits']
>>> ops = frame[frame.metric_name.str.startswith("Volume")]
>>> round(float(ops.groupby(["dimensions", "timestamp"])["sum"].sum().max() / 3600))
2400
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from opsbook.backends.pulled import dimensions_text
from opsbook.sample import org
from opsbook.sample.cur.provisioned import CAPACITY, IOPS, by_key
from opsbook.sample.opportunity_metrics import EVIDENCE_DAYS, write_pulled_evidence

__all__ = ["FILE_NAME", "evidence", "write_provisioned_metrics"]

FILE_NAME = "sample-provisioned"
#: Share of a volume's operations that are reads.
_READ_SHARE = 0.6


def _hours(story: org.Timeline) -> pd.DatetimeIndex:
    end = pd.Timestamp(story.end)
    end = end.tz_localize("UTC") if end.tzinfo is None else end
    return pd.date_range(end=end - pd.Timedelta(hours=1), periods=EVIDENCE_DAYS * 24, freq="h")


def _rates(rng: np.random.Generator, n: int, mean: float, peak: float) -> np.ndarray:
    """Per-second rates an hour: around ``mean``, reaching ``peak`` once and never passing it."""
    rates = np.clip(mean * (1 + 0.25 * rng.standard_normal(n)), 0.0, peak)
    rates[n // 2] = peak
    return rates


def _series(namespace: str, metric: str, dimension: tuple[str, str], hours: pd.DatetimeIndex,
            per_second: np.ndarray, samples: int) -> pd.DataFrame:  # fmt: skip
    """Hourly datapoints of a count metric (``Sum`` = rate x 3600) or, with ``samples`` 0, a level."""
    level = samples == 0
    return pd.DataFrame({
        "namespace": namespace,
        "metric_name": metric,
        "dimensions": dimensions_text([dimension]),
        "timestamp": hours,
        "period": 3600,
        "min": per_second if level else per_second * 3600 / samples * 0.5,
        "max": per_second if level else per_second * 3600 / samples * 1.3,
        "sum": per_second * 12 if level else np.round(per_second * 3600),
        "count": 12.0 if level else float(samples),
    })  # fmt: skip


def evidence(story: org.Timeline, seed: int = 7) -> pd.DataFrame:
    """Return the hourly datapoints of the planted tables and volumes (the pulled-Parquet columns)."""
    hours = _hours(story)
    n = len(hours)
    rng = np.random.default_rng([seed, 0x0D0B])
    frames = []
    for table, (rcu, wcu, read_peak, write_peak, read_mean, write_mean) in CAPACITY.items():
        dim = ("TableName", table)
        for kind, provisioned, peak, mean in (("Read", rcu, read_peak, read_mean),
                                              ("Write", wcu, write_peak, write_mean)):  # fmt: skip
            frames.append(_series("AWS/DynamoDB", f"Consumed{kind}CapacityUnits", dim, hours,
                                  _rates(rng, n, mean, peak), 60))  # fmt: skip
            frames.append(_series("AWS/DynamoDB", f"Provisioned{kind}CapacityUnits", dim, hours,
                                  np.full(n, float(provisioned)), 0))  # fmt: skip
    for key, (_, peak, mean) in IOPS.items():
        dim = ("VolumeId", by_key(key).resource_id)
        total = _rates(rng, n, mean, peak)
        for metric, share in (("VolumeReadOps", _READ_SHARE), ("VolumeWriteOps", 1 - _READ_SHARE)):
            frames.append(_series("AWS/EBS", metric, dim, hours, total * share, 12))
    return pd.concat(frames, ignore_index=True)


def write_provisioned_metrics(root: Path, story: org.Timeline, *, seed: int = 7) -> dict[str, Any]:
    """Write :func:`evidence` to ``root/metrics/opsbook-pull/sample-provisioned.parquet``."""
    return write_pulled_evidence(root, evidence(story, seed), FILE_NAME)
