"""X-Ray traces on the local backend: saved BatchGetTraces output, or Transaction Search spans.

``traces/batch-get-traces/YYYY/MM/DD/HH.json`` holds what BatchGetTraces returns for the traces
that started in that hour (``aws xray batch-get-traces`` over the ids GetTraceSummaries listed).
Without that folder, the OpenTelemetry spans of the ``aws/spans`` log group (exported like any
other log group) are read through the Logs Insights engine and turned into the same segments
(:func:`opsbook.backends.tracing.span_rows`).
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
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from opsbook.backends import layout
from opsbook.backends.frames import (
    service_edges_frame,
    trace_segments_frame,
    trace_summaries_frame,
)
from opsbook.backends.local import HINT, data_dir, logs, read_json
from opsbook.backends.local._reading import Malformed, Reading
from opsbook.backends.tracing import (
    edge_rows,
    matches,
    segment_rows,
    service_graph,
    span_rows,
    summary_rows,
    trace_summary,
    traces_answer,
)
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = ["read_service_graph", "read_trace_summaries", "read_traces"]


_SPAN_SLACK = pd.Timedelta(minutes=5)  # a trace's later spans are logged after its start


def _traces(settings: Settings, hours: Sequence[pd.Timestamp], reading: Reading) -> list[dict]:
    """Return the traces started in ``hours`` (BatchGetTraces items), from files or spans."""
    folder = data_dir(settings)
    wanted = sorted(set(hours))
    if not (folder / layout.TRACES).is_dir():
        if (folder / layout.export_task(layout.SPANS_GROUP, "")).is_dir():
            return _from_spans(settings, wanted, reading)
        raise NoDataError(
            f"no {layout.TRACES}/ folder and no {layout.SPANS_GROUP} log group under {folder}: {HINT}"
        )
    traces: list[dict] = []
    for hour in wanted:
        path = folder / layout.trace_batch(f"{hour:{layout.TRACE_HOUR}}")
        if path.exists() or path.is_symlink():
            traces += reading.read(path, _hour) or []
    return traces


def _from_spans(settings: Settings, hours: list[pd.Timestamp], reading: Reading) -> list[dict]:
    """Return the traces of the spans logged in ``hours`` (and a little after), as BatchGetTraces."""
    if not hours:
        return []
    # An export's folders drop a group's leading slash; the local engine names groups with one.
    found = logs.query(settings, "fields @message", [f"/{layout.SPANS_GROUP}"], hours[0].to_pydatetime(),
                       (hours[-1] + pd.Timedelta(hours=1) + _SPAN_SLACK).to_pydatetime())  # fmt: skip
    reading.skipped += [s for s in found.attrs.get("skipped", []) if s not in reading.skipped]
    rows, annotations = span_rows(json.loads(m) for m in found["@message"])
    inside = set(hours)
    return [t for t in traces_answer(trace_segments_frame(rows), annotations)
            if _started(t).floor("h") in inside]  # fmt: skip


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
