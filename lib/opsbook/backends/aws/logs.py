"""CloudWatch Logs on AWS through boto3.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_log_groups(resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from opsbook.backends.aws import aws_errors, session
from opsbook.backends.frames import log_groups_frame
from opsbook.settings import Settings

__all__ = ["describe_log_groups"]


def describe_log_groups(settings: Settings) -> pd.DataFrame:
    """Return the account's log groups with stored bytes (event counts are not listed by AWS)."""
    client = session(settings).client("logs")
    rows = []
    with aws_errors("logs:DescribeLogGroups"):
        for page in client.get_paginator("describe_log_groups").paginate():
            for group in page["logGroups"]:
                rows.append(
                    {
                        "log_group": group["logGroupName"],
                        "format": "cloudwatch",
                        "streams": None,
                        "events": None,
                        "stored_bytes": group.get("storedBytes"),
                        "first_event": None,
                        "last_event": None,
                    }
                )
    return log_groups_frame(rows)
