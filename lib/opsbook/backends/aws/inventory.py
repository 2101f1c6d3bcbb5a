"""Inventory reads on AWS that the shared frames leave out: log group retention, alarm actions.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_alarm_definitions(resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from opsbook.backends.aws import aws_errors, client
from opsbook.settings import Settings

__all__ = ["describe_alarm_definitions", "describe_log_groups", "last_event_times"]


def _epoch_ms(value: object) -> pd.Timestamp | None:
    return pd.Timestamp(int(value), unit="ms", tz="UTC") if value else None


def describe_alarm_definitions(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Return DescribeAlarms output (metric and composite alarms), all pages."""
    cloudwatch = client(settings, "cloudwatch")
    out: dict[str, list[dict[str, Any]]] = {"MetricAlarms": [], "CompositeAlarms": []}
    with aws_errors("cloudwatch:DescribeAlarms"):
        pages = cloudwatch.get_paginator("describe_alarms").paginate(
            AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        )
        for page in pages:
            out["MetricAlarms"].extend(page.get("MetricAlarms", []))
            out["CompositeAlarms"].extend(page.get("CompositeAlarms", []))
    return out


def describe_log_groups(settings: Settings) -> list[dict[str, Any]]:
    """Return the ``logGroups`` of DescribeLogGroups, all pages."""
    logs = client(settings, "logs")
    groups: list[dict[str, Any]] = []
    with aws_errors("logs:DescribeLogGroups"):
        for page in logs.get_paginator("describe_log_groups").paginate():
            groups.extend(page["logGroups"])
    return groups


def last_event_times(settings: Settings, names: Iterable[str]) -> dict[str, pd.Timestamp | None]:
    """Return each group's newest event: DescribeLogStreams ordered by last event, one stream."""
    logs = client(settings, "logs")
    out: dict[str, pd.Timestamp | None] = {}
    with aws_errors("logs:DescribeLogStreams"):
        for name in names:
            streams = logs.describe_log_streams(
                logGroupName=name, orderBy="LastEventTime", descending=True, limit=1
            ).get("logStreams", [])
            newest = streams[0] if streams else {}
            out[name] = _epoch_ms(
                newest.get("lastEventTimestamp") or newest.get("lastIngestionTime")
            )
    return out
