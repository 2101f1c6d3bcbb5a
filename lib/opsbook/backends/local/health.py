"""AWS Health on the local backend: saved Health API output under ``data_dir/health/``.

``describe-events.json``, ``describe-event-details.json`` and ``describe-affected-entities.json``
hold what DescribeEvents, DescribeEventDetails and DescribeAffectedEntities return.

Examples
--------
>>> from opsbook.settings import resolve
>>> import pandas as pd
>>> read_health_events(resolve(), pd.Timestamp("2026-11-10", tz="UTC"),
...                    pd.Timestamp("2026-11-15", tz="UTC"))  # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from opsbook.backends import layout
from opsbook.backends.contract import Health, contract_functions
from opsbook.backends.frames import health_events_frame
from opsbook.backends.local import data_dir, read_json
from opsbook.backends.local._reading import Reading
from opsbook.backends.shapes import health_rows
from opsbook.settings import Settings

__all__ = contract_functions(Health)


def _active_in(event: dict, start: pd.Timestamp, end: pd.Timestamp) -> bool:
    """Return whether a Health event overlaps ``[start, end)`` (no end time: still open)."""
    began = pd.Timestamp(event["startTime"])
    ended = pd.Timestamp(event["endTime"]) if event.get("endTime") else None
    return began < end and (ended is None or ended >= start)


def read_health_events(settings: Settings, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Return the saved Health events active in the window, with descriptions and entities."""
    folder = data_dir(settings)
    reading = Reading.of(settings)

    def active(saved: dict) -> list[dict]:
        return [e for e in saved["events"] if _active_in(e, start, end)]

    def described(saved: dict) -> dict[str, str | None]:
        return {
            d["event"]["arn"]: d.get("eventDescription", {}).get("latestDescription")
            for d in saved.get("successfulSet", [])
        }

    def affected(saved: dict) -> dict[str, list[str]]:
        entities: dict[str, list[str]] = {}
        for entity in saved.get("entities", []):
            entities.setdefault(entity["eventArn"], []).append(entity.get("entityValue", ""))
        return entities

    events = read_json(folder / layout.HEALTH_EVENTS, reading, active) or []
    descriptions = read_json(folder / layout.HEALTH_EVENT_DETAILS, reading, described) or {}
    entities = read_json(folder / layout.HEALTH_AFFECTED_ENTITIES, reading, affected) or {}
    frame = health_events_frame(health_rows(events, descriptions, entities))
    frame.attrs["available"] = True
    return reading.mark(frame)
