"""CloudWatch Logs: which log groups the backend sees (Logs Insights queries build on this).

Examples
--------
>>> groups = describe_log_groups()  # doctest: +SKIP
>>> groups[["log_group", "events"]].head(2)  # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from opsbook.backends import select
from opsbook.settings import Settings, resolve

__all__ = ["describe_log_groups"]


def describe_log_groups(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return one row per log group: format, streams, events, stored bytes, first and last event.

    On the aws backend, counts and times AWS does not list without a query are missing (``<NA>``).

    Examples
    --------
    >>> describe_log_groups().log_group.tolist()  # doctest: +SKIP
    ['/aws/apigateway/shop-public-api/access', '/aws/lambda/catalog-api-handler', ...]
    """
    settings = settings or resolve()
    return select(settings, "logs").describe_log_groups(settings)
