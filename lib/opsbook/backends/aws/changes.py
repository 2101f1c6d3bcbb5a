"""Recent changes on AWS: CloudTrail LookupEvents for write events, paginated and throttle-aware.

LookupEvents takes one lookup attribute, so write events are asked for (``ReadOnly=false``) and
the event names are filtered here. The API allows 2 calls per second per account and region;
the clients' retry policy backs off on throttling, and if it persists, or a page fails mid-way,
the whole answer is refused rather than returned cut short.

Examples
--------
>>> from opsbook.settings import resolve
>>> import pandas as pd
>>> read_changes(resolve(backend="aws"), pd.Timestamp("2026-11-14", tz="UTC"),
...              pd.Timestamp("2026-11-15", tz="UTC"), None)  # doctest: +SKIP
"""

from __future__ import annotations

import json

import pandas as pd

from opsbook.backends.aws import client, pages
from opsbook.backends.contract import Changes, contract_functions
from opsbook.backends.frames import changes_frame
from opsbook.backends.shapes import change_row, wants_event
from opsbook.settings import Settings

__all__ = contract_functions(Changes)

_THROTTLED = (
    "LookupEvents allows 2 calls/s per account and region: retry in a minute or narrow the window"
)


def read_changes(
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    event_names: frozenset[str] | None,
) -> pd.DataFrame:
    """Return the account's write events in ``[start, end)`` in the settings' region."""
    cloudtrail = client(settings, "cloudtrail")
    arguments = {
        "LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
        "StartTime": start.to_pydatetime(),
        "EndTime": end.to_pydatetime(),
        "MaxResults": 50,
    }
    rows = []
    why = "no partial list of changes is returned, since a missing deployment would mislead"
    for page in pages(cloudtrail.lookup_events, arguments, "cloudtrail:LookupEvents",
                      throttled=_THROTTLED, whole=why):  # fmt: skip
        for event in page.get("Events", []):
            if not wants_event(event.get("EventName", ""), event_names):
                continue
            record = json.loads(event["CloudTrailEvent"]) if event.get("CloudTrailEvent") else {
                "eventTime": event["EventTime"].isoformat(),
                "eventName": event.get("EventName"),
                "eventSource": event.get("EventSource"),
                "eventID": event.get("EventId"),
            }  # fmt: skip
            if start <= pd.Timestamp(record["eventTime"]) < end:
                rows.append(change_row(record))
    rows.sort(key=lambda row: (str(row["event_time"]), row["event_id"] or ""))
    return changes_frame(rows)
