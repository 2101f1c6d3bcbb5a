"""Inventory on AWS: log group retention and last writes, alarm actions (what hygiene reads).

- log groups: DescribeLogGroups (``retentionInDays``, ``storedBytes``, ``creationTime``) plus,
  per group, DescribeLogStreams ordered by last event (the newest ``lastEventTimestamp``);
- alarms: DescribeAlarms (``AlarmActions``, ``OKActions``, ``InsufficientDataActions``);

all paginated, and turned into rows by :mod:`opsbook.backends.shapes` as the local backend does.

Examples
--------
>>> from opsbook.settings import resolve
>>> read_alarm_actions(resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from opsbook.backends.aws import aws_errors, client
from opsbook.backends.contract import Inventory, contract_functions
from opsbook.backends.frames import alarm_actions_frame, log_group_settings_frame
from opsbook.backends.shapes import alarm_action_rows, log_group_settings_rows
from opsbook.settings import Settings

__all__ = contract_functions(Inventory)


def read_log_group_settings(settings: Settings) -> pd.DataFrame:
    """Return each log group's retention, stored bytes, creation and newest event, by name."""
    groups = _describe_log_groups(settings)
    last = _last_event_times(settings, [g["logGroupName"] for g in groups])
    return log_group_settings_frame(log_group_settings_rows(groups, last))


def read_alarm_actions(settings: Settings) -> pd.DataFrame:
    """Return every alarm (metric and composite) with its state and action counts, by name."""
    cloudwatch = client(settings, "cloudwatch")
    metric: list[dict[str, Any]] = []
    composite: list[dict[str, Any]] = []
    with aws_errors("cloudwatch:DescribeAlarms"):
        pages = cloudwatch.get_paginator("describe_alarms").paginate(
            AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        )
        for page in pages:
            metric.extend(page.get("MetricAlarms", []))
            composite.extend(page.get("CompositeAlarms", []))
    return alarm_actions_frame(alarm_action_rows(metric, composite))


def _describe_log_groups(settings: Settings) -> list[dict[str, Any]]:
    """Return the ``logGroups`` of DescribeLogGroups, all pages."""
    logs = client(settings, "logs")
    groups: list[dict[str, Any]] = []
    with aws_errors("logs:DescribeLogGroups"):
        for page in logs.get_paginator("describe_log_groups").paginate():
            groups.extend(page["logGroups"])
    return groups


def _last_event_times(settings: Settings, names: Iterable[str]) -> dict[str, pd.Timestamp | None]:
    """Return each group's newest event: DescribeLogStreams ordered by last event, one stream."""
    logs = client(settings, "logs")
    out: dict[str, pd.Timestamp | None] = {}
    with aws_errors("logs:DescribeLogStreams"):
        for name in names:
            streams = logs.describe_log_streams(
                logGroupName=name, orderBy="LastEventTime", descending=True, limit=1
            ).get("logStreams", [])
            newest = streams[0] if streams else {}
            stamp = newest.get("lastEventTimestamp") or newest.get("lastIngestionTime")
            out[name] = pd.Timestamp(int(stamp), unit="ms", tz="UTC") if stamp else None
    return out
