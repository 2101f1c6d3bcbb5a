"""Inventory reads on AWS that the shared frames leave out: log group retention, alarm actions.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_alarm_definitions(resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsbook.backends.aws import aws_errors, session
from opsbook.settings import Settings

__all__ = ["describe_alarm_definitions", "describe_log_group_settings"]


def _epoch_ms(value: object) -> pd.Timestamp | None:
    return pd.Timestamp(int(value), unit="ms", tz="UTC") if value else None


def describe_alarm_definitions(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Return DescribeAlarms output (metric and composite alarms), all pages."""
    client = session(settings).client("cloudwatch")
    out: dict[str, list[dict[str, Any]]] = {"MetricAlarms": [], "CompositeAlarms": []}
    with aws_errors("cloudwatch:DescribeAlarms"):
        pages = client.get_paginator("describe_alarms").paginate(
            AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        )
        for page in pages:
            out["MetricAlarms"].extend(page.get("MetricAlarms", []))
            out["CompositeAlarms"].extend(page.get("CompositeAlarms", []))
    return out


def describe_log_group_settings(settings: Settings) -> list[dict[str, Any]]:
    """Return each log group's retention, stored bytes and newest event (DescribeLogStreams)."""
    client = session(settings).client("logs")
    rows = []
    with aws_errors("logs:DescribeLogGroups"):
        for page in client.get_paginator("describe_log_groups").paginate():
            for group in page["logGroups"]:
                rows.append(
                    {
                        "log_group": group["logGroupName"],
                        "retention_days": group.get("retentionInDays"),
                        "retention_source": "api",
                        "stored_bytes": group.get("storedBytes"),
                    }
                )
    with aws_errors("logs:DescribeLogStreams"):
        for row in rows:
            streams = client.describe_log_streams(
                logGroupName=row["log_group"], orderBy="LastEventTime", descending=True, limit=1
            ).get("logStreams", [])
            newest = streams[0] if streams else {}
            row["last_event"] = _epoch_ms(
                newest.get("lastEventTimestamp") or newest.get("lastIngestionTime")
            )
    return rows
