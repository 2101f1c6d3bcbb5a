"""CloudWatch alarms: which are firing now, and how their states changed over a window.

On-call checks alarms first (DescribeAlarms with ``StateValue=ALARM``), metric and composite
alike, then their history to see when each one started and stopped.

Examples
--------
>>> describe_alarms().alarm_name.tolist()  # doctest: +SKIP
['catalog-api-availability-burn-rate-1h']
>>> read_alarm_history("2026-11-14T13:00Z", "2026-11-14T16:00Z")  # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from opsbook import clock
from opsbook._docs import shared_params
from opsbook.backends import backend
from opsbook.errors import ConfigurationError
from opsbook.settings import Settings, resolve

__all__ = ["HISTORY_ITEM_TYPES", "STATES", "describe_alarms", "read_alarm_history"]

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
HISTORY_ITEM_TYPES = ("StateUpdate", "ConfigurationUpdate", "Action")


def describe_alarms(
    state: str | None = "ALARM",
    *,
    name_prefix: str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return alarms (metric and composite) in ``state``, one row each, by name.

    Parameters
    ----------
    state
        ``ALARM`` (default), ``OK``, ``INSUFFICIENT_DATA``, or ``None`` for every alarm.
    name_prefix
        Only alarms whose name starts with this.
    settings
        Backend and data location; default :func:`opsbook.settings.resolve`.

    Returns
    -------
    pandas.DataFrame
        ``alarm_name``, ``alarm_type``, ``state``, ``state_reason``, ``state_updated``, the
        metric (namespace, name, dimensions, statistic, period) or ``expression`` (metric math,
        or a composite alarm's rule), threshold and evaluation settings.

    Examples
    --------
    >>> describe_alarms(None)[["alarm_name", "state"]]  # doctest: +SKIP
    """
    if state is not None and state not in STATES:
        raise ConfigurationError(f"alarm state {state!r}: use one of {', '.join(STATES)} or None")
    settings = settings or resolve()
    return backend(settings).alarms.describe_alarms(settings, state, name_prefix)


@shared_params
def read_alarm_history(
    start: clock.Moment,
    end: clock.Moment,
    *,
    alarm_name: str | None = None,
    item_type: str | None = "StateUpdate",
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return alarm history items in ``[start, end)``, oldest first.

    Parameters
    ----------
    alarm_name
        Only this alarm's history.
    item_type
        ``StateUpdate`` (default), ``ConfigurationUpdate``, ``Action``, or ``None`` for all.

    Returns
    -------
    pandas.DataFrame
        ``timestamp``, ``alarm_name``, ``alarm_type``, ``item_type``, ``old_state``,
        ``new_state``, ``summary``, ``reason``, ``data`` (the raw HistoryData JSON).

    Examples
    --------
    >>> h = read_alarm_history("2026-11-14T13:00Z", "2026-11-14T16:00Z",
    ...                        alarm_name="checkout-api-alb-target-5xx")  # doctest: +SKIP
    >>> h[["timestamp", "new_state"]]  # doctest: +SKIP
    """
    if item_type is not None and item_type not in HISTORY_ITEM_TYPES:
        raise ConfigurationError(
            f"history item type {item_type!r}: use one of {', '.join(HISTORY_ITEM_TYPES)} or None"
        )
    start_at, end_at = clock.window(start, end)
    settings = settings or resolve()
    return backend(settings).alarms.read_alarm_history(
        settings, start_at, end_at, alarm_name, item_type
    )
