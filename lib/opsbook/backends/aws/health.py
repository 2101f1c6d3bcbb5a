"""AWS Health on AWS: DescribeEvents with details and affected entities.

The Health API needs a Business, Enterprise On-Ramp or Enterprise support plan; without one it
answers ``SubscriptionRequiredException``, and this returns one ``unavailable`` row saying so (and
``attrs["available"] = False``) instead of an empty frame that would read as "no events".

Examples
--------
>>> from opsbook.settings import resolve
>>> import pandas as pd
>>> read_health_events(resolve(backend="aws"), pd.Timestamp("2026-11-10", tz="UTC"),
...                    pd.Timestamp("2026-11-15", tz="UTC"))  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
from botocore.exceptions import ClientError

from opsbook.backends.aws import aws_errors, client
from opsbook.backends.contract import Health, contract_functions
from opsbook.backends.frames import health_events_frame
from opsbook.backends.shapes import health_rows
from opsbook.settings import Settings

__all__ = contract_functions(Health)

_UNAVAILABLE = (
    "AWS Health API not available: it needs a Business, Enterprise On-Ramp or Enterprise support "
    "plan. Check the AWS Health Dashboard in the console (health.aws.amazon.com) instead; this is "
    "not a sign that AWS is healthy"
)
_BATCH = 10  # DescribeEventDetails and DescribeAffectedEntities take at most 10 event ARNs


def read_health_events(settings: Settings, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Return Health events active in ``[start, end)``, or one ``unavailable`` row."""
    health = client(settings.replace(region="us-east-1"), "health")  # the global endpoint
    with aws_errors("health:DescribeEvents"):
        try:
            events = _events(health, start, end)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "SubscriptionRequiredException":
                return _unavailable(start)
            raise
    arns = [event["arn"] for event in events]
    descriptions: dict[str, str] = {}
    entities: dict[str, list[str]] = {}
    with aws_errors("health:DescribeEventDetails"):
        for first in range(0, len(arns), _BATCH):
            batch = arns[first : first + _BATCH]
            answer = health.describe_event_details(eventArns=batch)
            for item in answer.get("successfulSet", []):
                descriptions[item["event"]["arn"]] = item.get("eventDescription", {}).get(
                    "latestDescription"
                )
    with aws_errors("health:DescribeAffectedEntities"):
        for first in range(0, len(arns), _BATCH):
            pages = health.get_paginator("describe_affected_entities").paginate(
                filter={"eventArns": arns[first : first + _BATCH]}
            )
            for page in pages:
                for entity in page.get("entities", []):
                    entities.setdefault(entity["eventArn"], []).append(
                        entity.get("entityValue", "")
                    )
    frame = health_events_frame(health_rows(events, descriptions, entities))
    frame.attrs["available"] = True
    return frame


def _events(health: Any, start: pd.Timestamp, end: pd.Timestamp) -> list[dict[str, Any]]:
    events = []
    window = {"startTimes": [{"to": end.to_pydatetime()}]}
    for page in health.get_paginator("describe_events").paginate(filter=window):
        for event in page.get("events", []):
            ended = event.get("endTime")
            if ended is None or pd.Timestamp(ended) >= start:
                events.append(event)
    return events


def _unavailable(start: pd.Timestamp) -> pd.DataFrame:
    warnings.warn(_UNAVAILABLE, stacklevel=3)
    frame = health_events_frame(
        [
            {
                "arn": None,
                "service": "AWS Health",
                "event_type": "OPSBOOK_HEALTH_UNAVAILABLE",
                "category": "unavailable",
                "start": start,
                "status": "unavailable",
                "description": _UNAVAILABLE,
            }
        ]
    )
    frame.attrs["available"] = False
    frame.attrs["reason"] = _UNAVAILABLE
    return frame
