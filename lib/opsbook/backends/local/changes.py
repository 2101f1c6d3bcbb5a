"""Recent changes on the local backend: CloudTrail log files as a trail delivers them to S3.

``data_dir/cloudtrail/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz``, each a gzip
JSON document ``{"Records": [...]}``. Like LookupEvents, only the settings' region is read; unlike
it, every account with files there is (the ``account_id`` column tells them apart).

Examples
--------
>>> from opsbook.settings import resolve
>>> import pandas as pd
>>> read_changes(resolve(), pd.Timestamp("2026-11-14", tz="UTC"),
...              pd.Timestamp("2026-11-15", tz="UTC"), None)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path, PurePosixPath

import pandas as pd

from opsbook.backends import layout
from opsbook.backends.contract import Changes, contract_functions
from opsbook.backends.frames import changes_frame
from opsbook.backends.local import HINT, data_dir
from opsbook.backends.local._reading import Malformed, Reading
from opsbook.backends.shapes import change_row, wants_event
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = contract_functions(Changes)


def read_changes(
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    event_names: frozenset[str] | None,
) -> pd.DataFrame:
    """Return write events in ``[start, end)`` from the region's CloudTrail log files."""
    folder = data_dir(settings)
    root = folder / layout.TRAIL_LOGS
    if not root.is_dir():
        raise NoDataError(f"no CloudTrail log files under {root}: {HINT}")
    reading = Reading.of(settings)
    pattern = layout.trail_files(settings.region)
    rows = []

    def read(path: Path) -> list[dict]:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            saved = json.load(handle)
        records = saved.get("Records") if isinstance(saved, dict) else None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise Malformed("not a CloudTrail log file (Records is not a list of events)")
        found = []
        for record in records:
            if record.get("readOnly", False) or not wants_event(record["eventName"], event_names):
                continue
            if start <= pd.Timestamp(record["eventTime"]) < end:
                found.append(change_row(record))
        return found

    for path in reading.files(root):
        if PurePosixPath(path.relative_to(folder).as_posix()).match(pattern):
            if _day_in_window(path, start, end):
                rows += reading.read(path, read) or []
    rows.sort(key=lambda row: (row["event_time"], row["event_id"] or ""))
    return reading.mark(changes_frame(rows))


def _day_in_window(path: Path, start: pd.Timestamp, end: pd.Timestamp) -> bool:
    """Keep a file whose delivery day (``YYYY/MM/DD``) can hold events of the window."""
    try:
        day = dt.datetime(*(int(part) for part in path.parts[-4:-1]), tzinfo=dt.UTC)
    except ValueError:
        return True
    # Trails deliver within about 15 minutes, so an event can sit in the next day's folder.
    return start - dt.timedelta(days=1) <= day + dt.timedelta(days=1) and day <= end
