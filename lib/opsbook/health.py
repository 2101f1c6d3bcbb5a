"""AWS Health events affecting the account: is it us, or is it AWS.

The AWS Health API needs a Business, Enterprise On-Ramp or Enterprise support plan. Without one
the answer is not "no events" but a single row with ``status`` ``unavailable`` saying so (and
``frame.attrs["available"]`` is False), so a runbook carries on without reading it as healthy.

Examples
--------
>>> read_health_events("2026-11-10", "2026-11-15")[["service", "event_type", "status"]]  # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from opsbook import clock
from opsbook._docs import shared_params
from opsbook.backends import backend
from opsbook.settings import Settings, resolve

__all__ = ["UNAVAILABLE", "read_health_events"]

UNAVAILABLE = "unavailable"


@shared_params
def read_health_events(
    start: clock.Moment, end: clock.Moment, *, settings: Settings | None = None
) -> pd.DataFrame:
    """Return AWS Health events active at any time in ``[start, end)``, by start time.

    Parameters
    ----------
    start, end
        The window (naive times are UTC); an event counts if it started before ``end`` and had
        not ended by ``start``.

    Returns
    -------
    pandas.DataFrame
        ``arn``, ``service``, ``event_type``, ``category`` (issue, scheduledChange,
        accountNotification), ``region``, ``availability_zone``, ``start``, ``end``,
        ``last_updated``, ``status`` (open, closed, upcoming, or ``unavailable`` when the API
        cannot be used), ``scope``, ``affected_entities``, ``description``.
        ``attrs["available"]`` says whether AWS Health could be asked.

    Examples
    --------
    >>> events = read_health_events("2026-11-11", "2026-11-12")  # doctest: +SKIP
    >>> events.attrs["available"]  # doctest: +SKIP
    True
    """
    start_at, end_at = clock.window(start, end)
    settings = settings or resolve()
    return backend(settings).health.read_health_events(settings, start_at, end_at)
