"""What the hygiene checks need beyond the shared sources: log-group retention and alarm actions.

``opsbook.logs.describe_log_groups`` has no retention and ``opsbook.alarms.describe_alarms`` no
action lists, so this module reads them, in the APIs' own shapes on both backends:

- aws: DescribeLogGroups (``retentionInDays``, ``storedBytes``, ``creationTime``) plus, per group,
  DescribeLogStreams ordered by last event (the newest ``lastEventTimestamp``); DescribeAlarms
  (``AlarmActions``, ``OKActions``, ``InsufficientDataActions``), all paginated.
- local: the same outputs saved as ``logs/describe-log-groups.json`` and
  ``alarms/describe-alarms.json``; a group's newest event comes from the log files.

Examples
--------
>>> read_log_group_settings().columns.tolist()  # doctest: +SKIP
['log_group', 'retention_days', 'stored_bytes', 'created', 'metric_filters', 'last_event']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsbook.backends import select
from opsbook.settings import Settings, resolve

__all__ = ["read_alarm_actions", "read_log_group_settings"]

LOG_GROUP_COLUMNS = {
    "log_group": "string",
    "retention_days": "Int64",
    "stored_bytes": "Int64",
    "created": "datetime64[ms, UTC]",
    "metric_filters": "Int64",
    "last_event": "datetime64[ms, UTC]",
}
ALARM_ACTION_COLUMNS = {
    "alarm_name": "string",
    "alarm_type": "string",
    "state": "string",
    "state_updated": "datetime64[ms, UTC]",
    "actions_enabled": "boolean",
    "alarm_actions": "Int64",
    "ok_actions": "Int64",
    "insufficient_data_actions": "Int64",
    "targets": "string",
}


def _conform(rows: list[dict[str, Any]] | pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column, dtype in columns.items():
        if column not in frame:
            frame[column] = None
        if dtype.startswith("datetime"):
            frame[column] = pd.to_datetime(frame[column], utc=True).astype(dtype)
        else:
            frame[column] = frame[column].astype(dtype)
    return frame[list(columns)]


def read_log_group_settings(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return each log group's retention, stored bytes and last event, by name.

    Returns
    -------
    pandas.DataFrame
        ``log_group``, ``retention_days`` (missing: never expires), ``stored_bytes``,
        ``created``, ``metric_filters``, ``last_event`` (missing: no event found).

    Raises
    ------
    opsbook.errors.NoDataError
        On local data without ``logs/describe-log-groups.json``.

    Examples
    --------
    >>> read_log_group_settings().query("retention_days.isna()")  # doctest: +SKIP
    """
    settings = settings or resolve()
    backend = select(settings, "inventory")
    groups = backend.describe_log_groups(settings)
    names = [g["logGroupName"] for g in groups]
    last = backend.last_event_times(settings, names)
    rows = [
        {
            "log_group": g["logGroupName"],
            "retention_days": g.get("retentionInDays"),
            "stored_bytes": g.get("storedBytes"),
            "created": pd.Timestamp(g["creationTime"], unit="ms", tz="UTC")
            if g.get("creationTime")
            else None,
            "metric_filters": g.get("metricFilterCount"),
            "last_event": last.get(g["logGroupName"]),
        }  # fmt: skip
        for g in groups
    ]
    return _conform(rows, LOG_GROUP_COLUMNS).sort_values("log_group", ignore_index=True)


def read_alarm_actions(*, settings: Settings | None = None) -> pd.DataFrame:
    """Return every alarm with its state and how many actions each state change triggers.

    Returns
    -------
    pandas.DataFrame
        ``alarm_name``, ``alarm_type`` (metric / composite), ``state``, ``state_updated``,
        ``actions_enabled``, counts of ``alarm_actions``, ``ok_actions``,
        ``insufficient_data_actions`` and ``targets`` (the distinct ARNs, comma-separated).

    Examples
    --------
    >>> read_alarm_actions().query("alarm_actions == 0").alarm_name.tolist()  # doctest: +SKIP
    """
    settings = settings or resolve()
    saved = select(settings, "inventory").describe_alarm_definitions(settings)
    rows = []
    for kind, key in (("metric", "MetricAlarms"), ("composite", "CompositeAlarms")):
        for alarm in saved.get(key, []):
            actions = [alarm.get(k) or [] for k in
                       ("AlarmActions", "OKActions", "InsufficientDataActions")]  # fmt: skip
            rows.append(
                {
                    "alarm_name": alarm["AlarmName"],
                    "alarm_type": kind,
                    "state": alarm.get("StateValue"),
                    "state_updated": alarm.get("StateUpdatedTimestamp"),
                    "actions_enabled": alarm.get("ActionsEnabled", True),
                    "alarm_actions": len(actions[0]),
                    "ok_actions": len(actions[1]),
                    "insufficient_data_actions": len(actions[2]),
                    "targets": ", ".join(dict.fromkeys(a for group in actions for a in group)),
                }
            )
    frame = _conform(rows, ALARM_ACTION_COLUMNS)
    return frame.sort_values("alarm_name", ignore_index=True)
