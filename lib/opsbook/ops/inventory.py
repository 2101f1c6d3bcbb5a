"""What the hygiene checks need beyond the shared sources: log-group retention and alarm actions.

``opsbook.logs.describe_log_groups`` has no retention and ``opsbook.alarms.describe_alarms`` no
action lists, so this module reads them through the backend's inventory
(:class:`opsbook.backends.contract.Inventory`), the same frame on both backends:

- aws: DescribeLogGroups plus, per group, DescribeLogStreams ordered by last event;
  DescribeAlarms, all paginated;
- local: the same outputs saved as ``logs/describe-log-groups.json`` and
  ``alarms/describe-alarms.json``; a group's newest event comes from the log files.

Examples
--------
>>> read_log_group_settings().columns.tolist()  # doctest: +SKIP
['log_group', 'retention_days', 'stored_bytes', 'created', 'metric_filters', 'last_event']
"""

from __future__ import annotations

import pandas as pd

from opsbook.backends import backend
from opsbook.settings import Settings, resolve

__all__ = ["read_alarm_actions", "read_log_group_settings"]


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
    return backend(settings).inventory.read_log_group_settings(settings)


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
    return backend(settings).inventory.read_alarm_actions(settings)
