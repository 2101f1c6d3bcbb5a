"""CloudWatch metrics on AWS through boto3.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_namespaces(resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsbook.backends.aws import aws_errors, session
from opsbook.backends.frames import namespaces_frame
from opsbook.settings import Settings

__all__ = ["describe_namespaces"]


def describe_namespaces(settings: Settings) -> pd.DataFrame:
    """Return metric namespaces with their metric and series counts, from ListMetrics."""
    client = session(settings).client("cloudwatch")
    seen: dict[str, dict[str, set[Any]]] = {}
    with aws_errors("cloudwatch:ListMetrics"):
        for page in client.get_paginator("list_metrics").paginate():
            for metric in page["Metrics"]:
                entry = seen.setdefault(metric["Namespace"], {"metrics": set(), "series": set()})
                dims = tuple(sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", [])))
                entry["metrics"].add(metric["MetricName"])
                entry["series"].add((metric["MetricName"], dims))
    rows = [
        {
            "namespace": namespace,
            "metrics": len(entry["metrics"]),
            "series": len(entry["series"]),
            "datapoints": None,
            "first": None,
            "last": None,
        }
        for namespace, entry in sorted(seen.items())
    ]
    return namespaces_frame(rows)
