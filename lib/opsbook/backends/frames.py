"""The columns and types both backends return for the same question, in one place.

Examples
--------
>>> log_groups_frame([]).columns.tolist()
['log_group', 'format', 'streams', 'events', 'stored_bytes', 'first_event', 'last_event']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = ["conform", "log_groups_frame", "namespaces_frame"]

LOG_GROUPS = {
    "log_group": "string",
    "format": "string",
    "streams": "Int64",
    "events": "Int64",
    "stored_bytes": "Int64",
    "first_event": "datetime64[ms, UTC]",
    "last_event": "datetime64[ms, UTC]",
}
NAMESPACES = {
    "namespace": "string",
    "metrics": "Int64",
    "series": "Int64",
    "datapoints": "Int64",
    "first": "datetime64[ms, UTC]",
    "last": "datetime64[ms, UTC]",
}


def conform(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]], schema: dict[str, str]
) -> pd.DataFrame:
    """Return ``rows`` as a frame with exactly ``schema``'s columns, in order, with its types."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    out = pd.DataFrame(index=frame.index)
    for column, dtype in schema.items():
        values = frame[column] if column in frame else pd.Series(None, index=frame.index)
        if dtype.startswith("datetime64"):
            out[column] = pd.to_datetime(values, utc=True).astype(dtype)
        else:
            out[column] = values.astype(dtype)
    return out.reset_index(drop=True)


def log_groups_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform log-group rows (see ``LOG_GROUPS``)."""
    return conform(rows, LOG_GROUPS)


def namespaces_frame(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Conform metric-namespace rows (see ``NAMESPACES``)."""
    return conform(rows, NAMESPACES)
