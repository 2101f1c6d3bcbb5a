"""What the hygiene checks need beyond the shared sources: log-group retention and alarm actions.

``opsbook.logs.describe_log_groups`` has no retention and ``opsbook.alarms.describe_alarms`` no
action lists, so this module reads them:

- aws: DescribeLogGroups (``retentionInDays``, ``storedBytes``, ``creationTime``) plus, per group,
  DescribeLogStreams ordered by last event (the newest ``lastEventTimestamp``); DescribeAlarms
  (``AlarmActions``, ``OKActions``, ``InsufficientDataActions``), all paginated.
- local: ``logs/describe-log-groups.json`` when saved (``aws logs describe-log-groups``
  output); otherwise the log files give stored bytes and the last event, and retention comes
  from the newest PutRetentionPolicy / DeleteRetentionPolicy in CloudTrail (``retention_source``
  says which; groups with no such event have unknown retention, reported as none set).
  Alarm actions come from ``alarms/describe-alarms.json``.

Examples
--------
>>> read_log_group_settings().columns.tolist()  # doctest: +SKIP
['log_group', 'retention_days', 'retention_source', 'stored_bytes', 'last_event']
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from opsbook.backends import select
from opsbook.changes import read_changes
from opsbook.errors import NoDataError
from opsbook.logs import describe_log_groups
from opsbook.settings import Settings, resolve

__all__ = ["read_alarm_actions", "read_log_group_settings"]

LOG_GROUP_COLUMNS = {
    "log_group": "string",
    "retention_days": "Int64",
    "retention_source": "string",
    "stored_bytes": "Int64",
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
# CloudTrail keeps 90 days of management events: the furthest back retention changes are visible.
_TRAIL_DAYS = 90


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
        ``log_group``, ``retention_days`` (missing: never expires, or unknown on local data
        without a retention record), ``retention_source`` (``api``, ``cloudtrail`` or
        ``unknown``), ``stored_bytes``, ``last_event``.

    Examples
    --------
    >>> read_log_group_settings().query("retention_days.isna()")  # doctest: +SKIP
    """
    settings = settings or resolve()
    rows = select(settings, "inventory").describe_log_group_settings(settings)
    if rows is None:  # local data without saved DescribeLogGroups output
        rows = _derive_log_group_settings(settings)
    return _conform(rows, LOG_GROUP_COLUMNS)


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


def _derive_log_group_settings(settings: Settings) -> pd.DataFrame:
    """Log groups from the log files, retention from the newest retention change in CloudTrail."""
    groups = describe_log_groups(settings=settings)
    latest = groups["last_event"].max()
    end = (latest if pd.notna(latest) else pd.Timestamp.now(tz="UTC")) + pd.Timedelta(days=1)
    try:
        changes = read_changes(
            end - pd.Timedelta(days=_TRAIL_DAYS),
            end,
            event_names=["PutRetentionPolicy", "DeleteRetentionPolicy"],
            settings=settings,
        )
    except NoDataError:
        changes = pd.DataFrame(columns=["action", "request_parameters"])
    retention: dict[str, int | None] = {}
    for change in changes.itertuples(index=False):  # oldest first: the newest wins
        request = json.loads(change.request_parameters or "{}")
        name = request.get("logGroupName")
        if name:
            retention[name] = (
                request.get("retentionInDays") if change.action == "PutRetentionPolicy" else None
            )
    out = groups[["log_group", "stored_bytes", "last_event"]].copy()
    out["retention_days"] = out["log_group"].map(lambda g: retention.get(g))
    out["retention_source"] = out["log_group"].map(
        lambda g: "cloudtrail" if g in retention else "unknown"
    )
    return out
