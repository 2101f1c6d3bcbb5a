"""CloudWatch alarms on AWS: DescribeAlarms and DescribeAlarmHistory through boto3.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_alarms(resolve(backend="aws"), "ALARM", None)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsbook.backends.aws import aws_errors, client
from opsbook.backends.contract import Alarms, contract_functions
from opsbook.backends.frames import alarm_history_frame, alarms_frame
from opsbook.backends.shapes import alarm_rows, history_rows
from opsbook.settings import Settings

__all__ = contract_functions(Alarms)

_TYPES = ["MetricAlarm", "CompositeAlarm"]


def describe_alarms(settings: Settings, state: str | None, name_prefix: str | None) -> pd.DataFrame:
    """Return the account's alarms in ``state`` (all when None), metric and composite."""
    arguments: dict[str, Any] = {"AlarmTypes": _TYPES}
    if state:
        arguments["StateValue"] = state
    if name_prefix:
        arguments["AlarmNamePrefix"] = name_prefix
    metric, composite = [], []
    with aws_errors("cloudwatch:DescribeAlarms"):
        for page in (
            client(settings, "cloudwatch").get_paginator("describe_alarms").paginate(**arguments)
        ):
            metric.extend(page.get("MetricAlarms", []))
            composite.extend(page.get("CompositeAlarms", []))
    return alarms_frame(alarm_rows(metric, composite))


def read_alarm_history(
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    alarm_name: str | None,
    item_type: str | None,
) -> pd.DataFrame:
    """Return alarm history items in ``[start, end)``, oldest first."""
    arguments: dict[str, Any] = {
        "StartDate": start.to_pydatetime(),
        "EndDate": end.to_pydatetime(),
        "AlarmTypes": _TYPES,
        "ScanBy": "TimestampAscending",
    }
    if alarm_name:
        arguments["AlarmName"] = alarm_name
    if item_type:
        arguments["HistoryItemType"] = item_type
    items = []
    with aws_errors("cloudwatch:DescribeAlarmHistory"):
        for page in (
            client(settings, "cloudwatch")
            .get_paginator("describe_alarm_history")
            .paginate(**arguments)
        ):
            items.extend(page.get("AlarmHistoryItems", []))
    # EndDate is inclusive for the API; the window is half-open.
    items = [item for item in items if pd.Timestamp(item["Timestamp"]) < end]
    return alarm_history_frame(history_rows(items))
