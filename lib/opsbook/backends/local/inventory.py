"""Inventory on local data: saved DescribeLogGroups and DescribeAlarms output, and the log files.

Both files are what the AWS CLI prints (``aws logs describe-log-groups``, ``aws cloudwatch
describe-alarms``), so the aws backend's boto3 pages and these files go through the same rows
(:mod:`opsbook.backends.shapes`). A log group's newest event, which DescribeLogGroups does not
give (the aws backend asks DescribeLogStreams), comes from the log files.

Examples
--------
>>> from opsbook.settings import resolve
>>> read_alarm_actions(resolve()).alarm_name.iloc[0]  # doctest: +SKIP
'catalog-api-availability-burn-rate-1h'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsbook.backends import layout
from opsbook.backends.contract import Inventory, contract_functions
from opsbook.backends.frames import alarm_actions_frame, log_group_settings_frame
from opsbook.backends.local import data_dir, read_json
from opsbook.backends.local.logs import describe_log_groups as describe_log_files
from opsbook.backends.shapes import alarm_action_rows, log_group_settings_rows
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = contract_functions(Inventory)


def read_log_group_settings(settings: Settings) -> pd.DataFrame:
    """Return each saved log group's retention, stored bytes, creation and newest event, by name.

    Raises
    ------
    NoDataError
        When ``logs/describe-log-groups.json`` is missing or is not DescribeLogGroups output.
    """
    groups = _describe_log_groups(settings)
    try:
        found = describe_log_files(settings).set_index("log_group")["last_event"]
    except NoDataError:  # no log files at all: every group's last write is unknown
        found = pd.Series(dtype="datetime64[ms, UTC]")
    last = {g["logGroupName"]: found.get(g["logGroupName"]) for g in groups}
    return log_group_settings_frame(log_group_settings_rows(groups, last))


def read_alarm_actions(settings: Settings) -> pd.DataFrame:
    """Return every saved alarm (``alarms/describe-alarms.json``) with its action counts, by name."""
    saved = read_json(data_dir(settings) / layout.DESCRIBE_ALARMS)
    rows = alarm_action_rows(saved.get("MetricAlarms", []), saved.get("CompositeAlarms", []))
    return alarm_actions_frame(rows)


def _describe_log_groups(settings: Settings) -> list[dict[str, Any]]:
    """Return the ``logGroups`` of the saved DescribeLogGroups output, checked."""
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
