"""Inventory reads on local data: saved DescribeLogGroups and DescribeAlarms output.

Both files are what the AWS CLI prints (``aws logs describe-log-groups``, ``aws cloudwatch
describe-alarms``), so the aws backend's boto3 pages and these files go through the same rows.
A log group's newest event, which DescribeLogGroups does not give (the aws backend asks
DescribeLogStreams), comes from the log files.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_alarm_definitions(resolve())["MetricAlarms"][0]["AlarmName"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from opsbook.backends import layout
from opsbook.backends.local import data_dir
from opsbook.backends.local.alarms import read_json
from opsbook.backends.local.logs import describe_log_groups as describe_log_files
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = ["describe_alarm_definitions", "describe_log_groups", "last_event_times"]


def describe_alarm_definitions(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Return the saved DescribeAlarms output (``alarms/describe-alarms.json``)."""
    return read_json(data_dir(settings) / layout.DESCRIBE_ALARMS)


def describe_log_groups(settings: Settings) -> list[dict[str, Any]]:
    """Return the ``logGroups`` of the saved DescribeLogGroups output (``logs/describe-log-groups.json``).

    Raises
    ------
    NoDataError
        When the file is missing or is not DescribeLogGroups output.
    """
    path = data_dir(settings) / layout.DESCRIBE_LOG_GROUPS
    saved = read_json(path)
    groups = saved.get("logGroups") if isinstance(saved, dict) else None
    if not isinstance(groups, list) or not all(
        isinstance(g, dict) and "logGroupName" in g for g in groups
    ):
        raise NoDataError(
            f"{path} is not DescribeLogGroups output (a logGroups list of groups with a "
            "logGroupName): save `aws logs describe-log-groups --output json` there"
        )
    return groups


def last_event_times(settings: Settings, names: Iterable[str]) -> dict[str, pd.Timestamp | None]:
    """Return each named group's newest event in the log files (``None``: no event there)."""
    try:
        found = describe_log_files(settings).set_index("log_group")["last_event"]
    except NoDataError:  # no log files at all: every group's last write is unknown
        found = pd.Series(dtype="datetime64[ms, UTC]")
    return {name: found.get(name) for name in names}
