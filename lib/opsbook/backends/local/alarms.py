"""CloudWatch alarms on the local backend: DescribeAlarms / DescribeAlarmHistory output files.

``data_dir/alarms/describe-alarms.json`` and ``alarms/alarm-history.json`` hold what the two APIs
return (``MetricAlarms`` + ``CompositeAlarms``; ``AlarmHistoryItems``), as
``aws cloudwatch describe-alarms > describe-alarms.json`` would save them.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_alarms(resolve(), "ALARM", None)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsbook.backends import layout
from opsbook.backends.contract import Alarms, contract_functions
from opsbook.backends.frames import alarm_history_frame, alarms_frame
from opsbook.backends.local import data_dir, read_json
from opsbook.backends.local._reading import Reading
from opsbook.backends.shapes import alarm_rows, history_rows
from opsbook.settings import Settings

__all__ = contract_functions(Alarms)


def describe_alarms(settings: Settings, state: str | None, name_prefix: str | None) -> pd.DataFrame:
    """Return the saved alarms in ``state`` (all when None) whose names start with the prefix."""

    def keep(alarm: dict[str, Any]) -> bool:
        return (state is None or alarm.get("StateValue") == state) and (
            not name_prefix or alarm["AlarmName"].startswith(name_prefix)
        )

    def rows(saved: dict[str, Any]) -> list:
        return alarm_rows(
            [a for a in saved.get("MetricAlarms", []) if keep(a)],
            [a for a in saved.get("CompositeAlarms", []) if keep(a)],
        )

    reading = Reading.of(settings)
    found = read_json(data_dir(settings) / layout.DESCRIBE_ALARMS, reading, rows)
    return reading.mark(alarms_frame(found or []))


def read_alarm_history(
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    alarm_name: str | None,
    item_type: str | None,
) -> pd.DataFrame:
    """Return saved history items in ``[start, end)`` for the alarm and item type asked."""

    def rows(saved: dict[str, Any]) -> list:
        items = [
            item
            for item in saved.get("AlarmHistoryItems", [])
            if start <= pd.Timestamp(item["Timestamp"]) < end
            and (alarm_name is None or item["AlarmName"] == alarm_name)
            and (item_type is None or item.get("HistoryItemType") == item_type)
        ]
        return history_rows(items)

    reading = Reading.of(settings)
    found = read_json(data_dir(settings) / layout.ALARM_HISTORY, reading, rows)
    return reading.mark(alarm_history_frame(found or []))
