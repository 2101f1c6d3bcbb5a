"""CloudWatch metrics: which namespaces and series the backend sees.

Examples
--------
>>> describe_namespaces().namespace.tolist()  # doctest: +SKIP
['AWS/ApiGateway', 'AWS/ApplicationELB', 'AWS/ECS', 'AWS/Lambda', 'AWS/RDS']
"""

from __future__ import annotations

import pandas as pd

from opsbook.backends import select
from opsbook.settings import Settings, resolve

__all__ = ["describe_namespaces"]


def describe_namespaces(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return one row per namespace: distinct metrics, series, datapoints and time span.

    On the aws backend, datapoints and time span are missing (``<NA>``): ListMetrics does not
    report them.

    Examples
    --------
    >>> describe_namespaces()[["namespace", "series"]]  # doctest: +SKIP
    """
    settings = settings or resolve()
    return select(settings, "metrics").describe_namespaces(settings)
