"""Recent changes from CloudTrail: the deployments and configuration writes behind an incident.

Write events (``readOnly`` false) in a window, narrowed by default to the ones that matter in
incidents (:data:`~opsbook.backends.shapes.INCIDENT_CHANGES`: ECS UpdateService, Lambda
UpdateFunctionCode / PublishVersion / UpdateAlias, CodeDeploy CreateDeployment, CloudFormation
UpdateStack, SSM PutParameter, RDS ModifyDBInstance, security-group and load-balancer changes...).
Lambda's API-version suffixes are dropped in ``action`` (``UpdateFunctionCode20150331v2`` ->
``UpdateFunctionCode``). CloudTrail LookupEvents covers 90 days of management events of the
account and region in use.

Examples
--------
>>> read_changes("2026-11-14T12:00Z", "2026-11-14T16:00Z")[["event_time", "action", "resource"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from opsbook import clock
from opsbook._docs import shared_params
from opsbook.backends import backend
from opsbook.backends.shapes import INCIDENT_CHANGES, normalise_event_name
from opsbook.errors import ConfigurationError
from opsbook.settings import Settings, resolve

__all__ = ["INCIDENT_CHANGES", "read_changes"]


@shared_params
def read_changes(
    start: clock.Moment,
    end: clock.Moment,
    *,
    event_names: Iterable[str] | str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return CloudTrail write events in ``[start, end)``, oldest first.

    Parameters
    ----------
    event_names
        ``None`` (default) for the changes that matter in incidents, ``"all"`` for every write
        event, or the event names wanted (without API-version suffixes).
    settings
        Backend, region and data location.

    Returns
    -------
    pandas.DataFrame
        ``event_time``, ``account_id``, ``region``, ``event_source``, ``event_name``,
        ``action``, ``resource`` (e.g. ``shop-prod/checkout-api``), ``actor`` (the caller's
        ARN), ``request_parameters`` (JSON), ``event_id``, ``response_elements`` (JSON: what
        the call returned, e.g. the ids RunInstances or CreateVolume gave).

    Examples
    --------
    >>> read_changes("2026-11-14", "2026-11-15", event_names=["UpdateService"])  # doctest: +SKIP
    """
    start_at, end_at = clock.window(start, end)
    if event_names is None:
        wanted: frozenset[str] | None = INCIDENT_CHANGES
    elif isinstance(event_names, str):
        if event_names != "all":
            raise ConfigurationError(
                f"event_names {event_names!r}: give None (incident changes), 'all' or a list of "
                "event names such as ['UpdateService']"
            )
        wanted = None
    else:
        wanted = frozenset(normalise_event_name(name) for name in event_names)
        if not wanted:
            raise ConfigurationError("event_names is empty: give None, 'all' or some event names")
    settings = settings or resolve()
    return backend(settings).changes.read_changes(settings, start_at, end_at, wanted)
