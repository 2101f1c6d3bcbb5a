"""X-Ray traces on AWS: Transaction Search spans in ``aws/spans``, or X-Ray's own APIs.

Each read first asks X-Ray where the account's spans go (GetTraceSegmentDestination). With
Transaction Search on (``Destination`` ``CloudWatchLogs``) every span is in the ``aws/spans`` log
group (OpenTelemetry span JSON), while X-Ray indexes only a sample of them: the spans of the
window's hours are read with Logs Insights (:func:`opsbook.backends.aws.logs.query`, which stops
its queries on failure) and answered as the local backend answers
(:mod:`opsbook.backends.xray_answers`). Otherwise, or when the call is denied or not served (an
emulator), X-Ray's APIs answer: GetServiceGraph, GetTraceSummaries and BatchGetTraces.
``attrs["read_from"]`` says which (``source`` ``aws/spans`` or ``xray``) and why (``reason``).

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

from opsbook.backends.aws import aws_errors, client, logs
from opsbook.backends.aws._trace_destination import SPANS, trace_destination
from opsbook.backends.contract import Traces, contract_functions
from opsbook.backends.frames import (
    service_edges_frame,
    trace_summaries_frame,
)
from opsbook.backends.tracing import (
    BATCH_TRACES,
    edge_rows,
    merge_graphs,
    slices,
    summary_rows,
)
from opsbook.backends.xray_answers import (
    SPANS_QUERY,
    hours_of,
    in_window,
    segments_frame,
    service_graph_frame,
    spans_ranges,
    started,
    summaries_frame,
    traces_of_spans,
)
from opsbook.settings import Settings

__all__ = contract_functions(Traces)


def _spans(
    settings: Settings, hours: Sequence[pd.Timestamp]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the traces started in ``hours`` from their spans in ``aws/spans`` (Logs Insights).

    And the query's notes: what it could not read whole (a second over the row cap).
    """
    messages: list[str] = []
    notes: list[str] = []
    for first, last in spans_ranges(hours):
        found = logs.query(settings, SPANS_QUERY, [SPANS], first, last)
        messages += found["@message"].tolist()
        notes += found.attrs.get("notes", [])
    return traces_of_spans(messages, hours), notes


def _marked(
    frame: pd.DataFrame, read_from: dict[str, str], notes: Sequence[str] = ()
) -> pd.DataFrame:
    """Put where the frame was read from (and what could not be read whole) on its attrs."""
    frame.attrs["read_from"] = read_from
    if notes:
        frame.attrs["notes"] = list(notes)
    return frame


def read_service_graph(settings: Settings, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Return the service graph's edges over the window (from the spans, or X-Ray's graph)."""
    xray = client(settings, "xray")
    read_from = trace_destination(xray)
    if read_from["source"] == SPANS:
        traces, notes = _spans(settings, hours_of(start, end))
        return _marked(
            service_graph_frame(in_window(traces, start, end), start, end), read_from, notes
        )
    pages: list[dict[str, Any]] = []
    with aws_errors("xray:GetServiceGraph"):
        for first, last in slices(start, end):
            window = {"StartTime": first.to_pydatetime(), "EndTime": last.to_pydatetime()}
            pages += xray.get_paginator("get_service_graph").paginate(**window)
    return _marked(service_edges_frame(edge_rows(merge_graphs(pages), start, end)), read_from)


def read_trace_summaries(
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    filter_expression: str | None,
) -> pd.DataFrame:
    """Return the summaries of traces started in the window (by trace id time) passing the filter.

    From the spans, the filter is read as the local backend reads it
    (:func:`opsbook.backends.tracing.matches`); X-Ray reads its whole language.
    """
    xray = client(settings, "xray")
    read_from = trace_destination(xray)
    if read_from["source"] == SPANS:
        traces, notes = _spans(settings, hours_of(start, end))
        return _marked(
            summaries_frame(in_window(traces, start, end), filter_expression), read_from, notes
        )
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
    return _marked(frame.sort_values(["start", "trace_id"], ignore_index=True), read_from)


def read_traces(settings: Settings, trace_ids: Sequence[str]) -> pd.DataFrame:
    """Return the segments of the traces, in the order asked.

    From the spans of the hours their ids name, or five ids a BatchGetTraces call.
    """
    xray = client(settings, "xray")
    read_from = trace_destination(xray)
    if read_from["source"] == SPANS:
        hours = [started({"Id": i}).floor("h") for i in trace_ids]
        traces, notes = _spans(settings, hours)
        return _marked(segments_frame(traces, trace_ids), read_from, notes)
    wanted = list(dict.fromkeys(trace_ids))
    found: dict[str, dict[str, Any]] = {}
    with aws_errors("xray:BatchGetTraces"):
        for first in range(0, len(wanted), BATCH_TRACES):
            batch = wanted[first : first + BATCH_TRACES]
            for page in xray.get_paginator("batch_get_traces").paginate(TraceIds=batch):
                for trace in page.get("Traces", []):
                    found.setdefault(trace["Id"], {"Id": trace["Id"], "Segments": []})["Segments"] += trace.get("Segments", [])  # fmt: skip
    return _marked(segments_frame(found.values(), wanted), read_from)
