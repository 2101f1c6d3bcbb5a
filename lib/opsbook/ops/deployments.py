"""Deployments from CloudTrail: which write events roll out a new version of a service, and how often.

A deployment is one or more CloudTrail write events named in ``event_names`` for one account and
service, grouped when they follow each other within ``merge_within`` (see :mod:`.delivery` for the
definitions the delivery metrics use).

Examples
--------
>>> deployment_frequency(read_deployments("2026-11-01", "2026-11-15"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import pandas as pd

from opsbook import clock
from opsbook._docs import shared_params
from opsbook.changes import read_changes
from opsbook.errors import ConfigurationError
from opsbook.settings import Settings

__all__ = ["DEPLOYMENT_COLUMNS", "DEPLOYMENT_EVENTS", "deployment_frequency", "read_deployments"]

DEPLOYMENT_EVENTS = (
    "UpdateService",
    "UpdateFunctionCode",
    "PublishVersion",
    "UpdateAlias",
    "UpdateStack",
    "ExecuteChangeSet",
    "CreateDeployment",
)
# Request fields naming the thing deployed, in order of preference.
_SERVICE_KEYS = ("service", "functionName", "applicationName", "stackName")
_DIMENSION_KEYS = ("ServiceName", "FunctionName", "DBInstanceIdentifier", "TableName")

DEPLOYMENT_COLUMNS = [
    "deployed_at", "finished_at", "account_id", "service", "version", "actions", "events",
    "actor", "event_ids",
]  # fmt: skip


def _request(text: object) -> dict[str, object]:
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _service_of(resource: object, request: Mapping[str, object]) -> str | None:
    for key in _SERVICE_KEYS:
        value = request.get(key)
        if isinstance(value, str) and value:
            return value.rsplit("/", 1)[-1].split(":")[0]
    if isinstance(resource, str) and resource:
        return resource.rsplit("/", 1)[-1]
    return None


def _version_of(request: Mapping[str, object]) -> str | None:
    for key in ("taskDefinition", "functionVersion", "changeSetName"):
        value = request.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _rolls_tasks(action: str, request: Mapping[str, object]) -> bool:
    if action != "UpdateService":
        return True
    return bool(request.get("taskDefinition")) or request.get("forceNewDeployment") is True


@shared_params
def read_deployments(
    start: clock.Moment,
    end: clock.Moment,
    *,
    event_names: Iterable[str] = DEPLOYMENT_EVENTS,
    merge_within: float = 15,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return one row per deployment in ``[start, end)``, oldest first.

    Parameters
    ----------
    start, end
        The window (naive times are UTC).
    event_names
        CloudTrail event names that count as a deployment (see :data:`DEPLOYMENT_EVENTS`).
    merge_within
        Minutes after a deployment's first event within which further events of the same
        account and service belong to it.

    Returns
    -------
    pandas.DataFrame
        ``deployed_at`` (first event), ``finished_at`` (last event), ``account_id``,
        ``service``, ``version`` (task definition, Lambda version... of the last event naming
        one), ``actions``, ``events``, ``actor`` (first caller), ``event_ids`` (for audit).

    Examples
    --------
    >>> read_deployments("2026-11-01", "2026-11-15").service.value_counts()  # doctest: +SKIP
    """
    names = [name for name in event_names if name]
    if not names:
        raise ConfigurationError(
            "event_names is empty: name the CloudTrail events that count as a deployment, "
            f"e.g. {list(DEPLOYMENT_EVENTS)}"
        )
    if merge_within < 0:
        raise ConfigurationError(f"merge_within {merge_within}: give minutes >= 0, e.g. 15")
    changes = read_changes(start, end, event_names=names, settings=settings)
    rows = []
    for change in changes.itertuples(index=False):
        request = _request(change.request_parameters)
        if not _rolls_tasks(str(change.action), request):
            continue
        service = _service_of(change.resource, request)
        if service is None:
            continue
        rows.append(
            {
                "event_time": change.event_time,
                "account_id": change.account_id,
                "service": service,
                "action": change.action,
                "version": _version_of(request),
                "actor": change.actor,
                "event_id": change.event_id,
            }
        )
    return _group_deployments(pd.DataFrame(rows), pd.Timedelta(minutes=merge_within))


def _group_deployments(events: pd.DataFrame, within: pd.Timedelta) -> pd.DataFrame:
    if events.empty:
        return _typed_deployments(pd.DataFrame(columns=DEPLOYMENT_COLUMNS))
    out = []
    events = events.sort_values(["account_id", "service", "event_time"], kind="stable")
    for (account, service), group in events.groupby(["account_id", "service"], sort=False):
        current: list[dict[str, object]] = []
        for event in group.to_dict("records"):
            if current and event["event_time"] - current[0]["event_time"] > within:
                out.append(_one_deployment(account, service, current))
                current = []
            current.append(event)
        out.append(_one_deployment(account, service, current))
    frame = pd.DataFrame(out, columns=DEPLOYMENT_COLUMNS)
    return _typed_deployments(frame.sort_values("deployed_at", ignore_index=True, kind="stable"))


def _one_deployment(account: str, service: str, events: list[dict[str, object]]) -> dict:
    versions = [e["version"] for e in events if isinstance(e["version"], str)]
    return {
        "deployed_at": events[0]["event_time"],
        "finished_at": events[-1]["event_time"],
        "account_id": account,
        "service": service,
        "version": versions[-1] if versions else None,
        "actions": ", ".join(dict.fromkeys(str(e["action"]) for e in events)),
        "events": len(events),
        "actor": events[0]["actor"],
        "event_ids": ", ".join(str(e["event_id"]) for e in events),
    }


def _typed_deployments(frame: pd.DataFrame) -> pd.DataFrame:
    types = {"deployed_at": "datetime64[ms, UTC]", "finished_at": "datetime64[ms, UTC]",
             "events": "Int64"}  # fmt: skip
    for column in DEPLOYMENT_COLUMNS:
        frame[column] = frame[column].astype(types.get(column, "string"))
    return frame


def deployment_frequency(deployments: pd.DataFrame) -> pd.DataFrame:
    """Return deployments per account, service and week (weeks start on Monday, UTC).

    Weeks with no deployment of a service that deployed in the window appear with 0.

    Examples
    --------
    >>> deployment_frequency(read_deployments("2026-11-01", "2026-11-15"))  # doctest: +SKIP
    """
    if deployments.empty:
        return pd.DataFrame({"account_id": pd.Series(dtype="string"),
                             "service": pd.Series(dtype="string"),
                             "week": pd.Series(dtype="datetime64[ns]"),
                             "deployments": pd.Series(dtype="int64")})  # fmt: skip
    week = deployments["deployed_at"].dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    counts = (
        deployments.assign(week=week)
        .groupby(["account_id", "service", "week"])
        .size()
        .rename("deployments")
    )
    weeks = pd.date_range(week.min(), week.max(), freq="7D")
    keys = counts.index.droplevel("week").unique()
    full = pd.MultiIndex.from_tuples(
        [(a, s, w) for a, s in keys for w in weeks], names=["account_id", "service", "week"]
    )
    return counts.reindex(full, fill_value=0).reset_index()
