"""X-Ray traces on the local backend: saved BatchGetTraces output under ``data_dir/traces/``.

``traces/batch-get-traces/YYYY/MM/DD/HH.json`` holds what BatchGetTraces returns for the traces
that started in that hour (``aws xray batch-get-traces`` over the ids GetTraceSummaries listed).
The service graph and the trace summaries are computed from the segments as X-Ray computes them
(:mod:`opsbook.backends.tracing`), so they answer what GetServiceGraph and GetTraceSummaries
answer on AWS.

Examples
--------
>>> from opsbook.settings import resolve
>>> import pandas as pd
>>> read_service_graph(resolve(), pd.Timestamp("2026-11-14T14:00Z"),
...                    pd.Timestamp("2026-11-14T15:00Z"))  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from opsbook.backends import layout
from opsbook.backends.frames import (
    service_edges_frame,
    trace_segments_frame,
    trace_summaries_frame,
)
from opsbook.backends.local import HINT, data_dir, read_json
from opsbook.backends.local._reading import Malformed, Reading
from opsbook.backends.tracing import (
    edge_rows,
    matches,
    segment_rows,
    service_graph,
    summary_rows,
    trace_summary,
)
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = ["read_service_graph", "read_trace_summaries", "read_traces"]


def _hour_files(settings: Settings, hours: Sequence[pd.Timestamp]) -> list[Any]:
    folder = data_dir(settings)
    if not (folder / layout.TRACES).is_dir():
        raise NoDataError(f"no {layout.TRACES}/ folder under {folder}: {HINT}")
    return [folder / layout.trace_batch(f"{hour:{layout.TRACE_HOUR}}") for hour in hours]


def _traces(settings: Settings, hours: Sequence[pd.Timestamp], reading: Reading) -> list[dict]:
    traces: list[dict] = []
    for path in _hour_files(settings, sorted(set(hours))):
        if path.exists() or path.is_symlink():
            traces += reading.read(path, _hour) or []
    return traces


def _hour(path: Path) -> list[dict]:
    """Return an hour file's traces, parsed once per process while the file is unchanged.

    A triage reads the same hours three times (window and baseline graphs, the faulted traces);
    the traces are shared, never modified.
    """
    stat = path.stat()
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=96)
def _parsed(path: str, mtime_ns: int, size: int) -> list[dict]:
    saved = read_json(Path(path))
    if not isinstance(saved, dict) or not isinstance(saved.get("Traces"), list):
        raise Malformed("not a BatchGetTraces answer (no Traces list)")
    return saved["Traces"]


def _started(trace: dict) -> pd.Timestamp:
    return pd.Timestamp(int(trace["Id"].split("-")[1], 16), unit="s", tz="UTC")


def _in_window(
    settings: Settings, start: pd.Timestamp, end: pd.Timestamp, reading: Reading
) -> list[dict]:
    """Return the saved traces whose id says they started in ``[start, end)``."""
    hours = pd.date_range(start.floor("h"), end, freq="h", inclusive="left")
    return [t for t in _traces(settings, list(hours), reading) if start <= _started(t) < end]


def read_service_graph(settings: Settings, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Return the edges X-Ray's service graph shows for the traces started in the window."""
    reading = Reading.of(settings)
    segments = trace_segments_frame(segment_rows(_in_window(settings, start, end, reading)))
    return reading.mark(
        service_edges_frame(edge_rows(service_graph(segments, start, end), start, end))
    )


def read_trace_summaries(
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    filter_expression: str | None,
) -> pd.DataFrame:
    """Return the summaries of the traces started in the window that pass the filter."""
    reading = Reading.of(settings)
    rows = summary_rows(trace_summary(t) for t in _in_window(settings, start, end, reading))
    kept = [row for row in rows if matches(row, filter_expression)]
    frame = trace_summaries_frame(kept).sort_values(["start", "trace_id"], ignore_index=True)
    return reading.mark(frame)


def read_traces(settings: Settings, trace_ids: Sequence[str]) -> pd.DataFrame:
    """Return the segments of the traces (each found in the file of the hour its id names)."""
    reading = Reading.of(settings)
    wanted = list(dict.fromkeys(trace_ids))
    hours = [_started({"Id": i}).floor("h") for i in wanted]
    found = {t["Id"]: t for t in _traces(settings, hours, reading) if t["Id"] in set(wanted)}
    frame = trace_segments_frame(segment_rows(found[i] for i in wanted if i in found))
    frame.attrs["unprocessed"] = [i for i in wanted if i not in found]
    return reading.mark(frame)
