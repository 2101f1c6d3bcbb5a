"""Inventory reads on local data: saved DescribeLogGroups and DescribeAlarms output.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_alarm_definitions(resolve())["MetricAlarms"][0]["AlarmName"]  # doctest: +SKIP
"""

from __future__ import annotations

import json
from typing import Any

from opsbook.backends.local import data_dir
from opsbook.backends.local.alarms import read_json
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = ["describe_alarm_definitions", "describe_log_group_settings"]


def describe_alarm_definitions(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Return the saved DescribeAlarms output (``alarms/describe-alarms.json``)."""
    return read_json(data_dir(settings) / "alarms" / "describe-alarms.json")


def describe_log_group_settings(settings: Settings) -> list[dict[str, Any]] | None:
    """Return rows from a saved ``logs/describe-log-groups.json``, or ``None`` without one."""
    saved = data_dir(settings) / "logs" / "describe-log-groups.json"
    if saved.is_file():
        try:
            groups = json.loads(saved.read_text()).get("logGroups", [])
        except (json.JSONDecodeError, AttributeError) as error:
            raise NoDataError(
                f"{saved} is not DescribeLogGroups output ({error}): save "
                "`aws logs describe-log-groups` again"
            ) from None
        return [
            {
                "log_group": g["logGroupName"],
                "retention_days": g.get("retentionInDays"),
                "retention_source": "api",
                "stored_bytes": g.get("storedBytes"),
                "last_event": None,
            }  # fmt: skip
            for g in groups
        ]
    return None
