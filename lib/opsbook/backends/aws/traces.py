"""X-Ray traces on AWS: GetServiceGraph, GetTraceSummaries and BatchGetTraces.

X-Ray answers a time range of at most six hours a call: longer windows are cut into slices
(:func:`opsbook.backends.tracing.slices`), every answer is paginated, and the slices' service
graphs are merged (counts added, histograms merged). BatchGetTraces takes five ids a call.

Examples
--------
>>> from opsbook.settings import resolve
>>> import pandas as pd
>>> read_service_graph(resolve(backend="aws"), pd.Timestamp("2026-11-14T14:00Z"),
...                    pd.Timestamp("2026-11-14T15:00Z"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from opsbook.backends.aws import aws_errors, client
from opsbook.backends.frames import (
    service_edges_frame,
    trace_segments_frame,
    trace_summaries_frame,
)
from opsbook.backends.tracing import (
    BATCH_TRACES,
    edge_rows,
    merge_graphs,
    segment_rows,
    slices,
    summary_rows,
)
from opsbook.settings import Settings

__all__ = ["read_service_graph", "read_trace_summaries", "read_traces"]


def read_service_graph(settings: Settings, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Return the service graph's edges over the window (slices and pages merged)."""
    xray = client(settings, "xray")
    pages: list[dict[str, Any]] = []
    with aws_errors("xray:GetServiceGraph"):
        for first, last in slices(start, end):
            window = {"StartTime": first.to_pydatetime(), "EndTime": last.to_pydatetime()}
            pages += xray.get_paginator("get_service_graph").paginate(**window)
    return service_edges_frame(edge_rows(merge_graphs(pages), start, end))


def read_trace_summaries(
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    filter_expression: str | None,
) -> pd.DataFrame:
    """Return the summaries of traces started in the window (by trace id time) passing the filter."""
    xray = client(settings, "xray")
    items: list[dict[str, Any]] = []
    with aws_errors("xray:GetTraceSummaries"):
        for first, last in slices(start, end):
            arguments: dict[str, Any] = {"StartTime": first.to_pydatetime(), "EndTime": last.to_pydatetime(),
                                         "TimeRangeType": "TraceId"}  # fmt: skip
            if filter_expression:
                arguments["FilterExpression"] = filter_expression
            for page in xray.get_paginator("get_trace_summaries").paginate(**arguments):
                items += page.get("TraceSummaries", [])
    frame = trace_summaries_frame(summary_rows(items))
    frame = frame.loc[(frame.start >= start) & (frame.start < end)]
    return frame.sort_values(["start", "trace_id"], ignore_index=True)


def read_traces(settings: Settings, trace_ids: Sequence[str]) -> pd.DataFrame:
    """Return the segments of the traces, five ids a BatchGetTraces call, in the order asked."""
    xray = client(settings, "xray")
    wanted = list(dict.fromkeys(trace_ids))
    found: dict[str, dict[str, Any]] = {}
    with aws_errors("xray:BatchGetTraces"):
        for first in range(0, len(wanted), BATCH_TRACES):
            batch = wanted[first : first + BATCH_TRACES]
            for page in xray.get_paginator("batch_get_traces").paginate(TraceIds=batch):
                for trace in page.get("Traces", []):
                    found.setdefault(trace["Id"], {"Id": trace["Id"], "Segments": []})["Segments"] += trace.get("Segments", [])  # fmt: skip
    frame = trace_segments_frame(segment_rows(found[i] for i in wanted if i in found))
    frame.attrs["unprocessed"] = [i for i in wanted if i not in found]
    return frame
