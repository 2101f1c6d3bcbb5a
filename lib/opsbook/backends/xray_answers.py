"""X-Ray's three answers computed from traces, and the traces of Transaction Search spans.

When a backend holds the traces themselves (BatchGetTraces items), it answers the traces source
here as X-Ray would: :func:`service_graph_frame` (GetServiceGraph), :func:`summaries_frame`
(GetTraceSummaries) and :func:`segments_frame` (BatchGetTraces). The local backend always does
(saved BatchGetTraces output, or the exported ``aws/spans`` log group); the aws backend does when
the account stores its spans in CloudWatch Logs (Transaction Search), reading ``aws/spans``
with Logs Insights. Either way the spans of the window's hours are read with :data:`SPANS_QUERY`
over :func:`spans_ranges` and turned into traces by :func:`traces_of_spans`.

Examples
--------
>>> [f"{h:%H:%M}" for h in hours_of(pd.Timestamp("2026-11-14T14:30Z"), pd.Timestamp("2026-11-14T16:00Z"))]
['14:00', '15:00']
>>> started({"Id": "1-6a16dcc0-0123456789abcdef01234567"})
Timestamp('2026-05-27 12:00:00+0000', tz='UTC')
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from opsbook.backends.frames import (
    service_edges_frame,
    trace_segments_frame,
    trace_summaries_frame,
)
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

__all__ = [
    "SPANS_QUERY",
    "SPAN_SLACK",
    "hours_of",
    "in_window",
    "segments_frame",
    "service_graph_frame",
    "spans_ranges",
    "started",
    "summaries_frame",
    "traces_of_spans",
]

#: The Logs Insights query that reads every span of ``aws/spans`` in a time range.
SPANS_QUERY = "fields @message"
#: How long after its trace started a span may still be logged (a trace's later calls).
SPAN_SLACK = pd.Timedelta(minutes=5)


def started(trace: Mapping[str, Any]) -> pd.Timestamp:
    """Return when a trace started: the epoch seconds its X-Ray id carries."""
    return pd.Timestamp(int(str(trace["Id"]).split("-")[1], 16), unit="s", tz="UTC")


def hours_of(start: pd.Timestamp, end: pd.Timestamp) -> list[pd.Timestamp]:
    """Return the whole hours that ``[start, end)`` touches, oldest first."""
    return list(pd.date_range(start.floor("h"), end, freq="h", inclusive="left"))


def spans_ranges(hours: Iterable[pd.Timestamp]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Return the time ranges whose spans hold every trace started in ``hours``, oldest first.

    Each hour's range runs :data:`SPAN_SLACK` past its end; ranges that meet are joined, so
    hours far apart (the ids of a month's traces) are read as separate ranges, not all between.

    Examples
    --------
    >>> [f"{a:%d %H:%M}-{b:%d %H:%M}" for a, b in spans_ranges(
    ...     pd.to_datetime(["2026-11-14T15:00Z", "2026-11-14T14:00Z", "2026-11-15T09:00Z"]))]
    ['14 14:00-14 16:05', '15 09:00-15 10:05']
    """
    ranges: list[list[pd.Timestamp]] = []
    for hour in sorted(set(hours)):
        end = hour + pd.Timedelta(hours=1) + SPAN_SLACK
        if ranges and hour <= ranges[-1][1]:
            ranges[-1][1] = end
        else:
            ranges.append([hour, end])
    return [(a.to_pydatetime(), b.to_pydatetime()) for a, b in ranges]


def traces_of_spans(messages: Iterable[str], hours: Iterable[pd.Timestamp]) -> list[dict[str, Any]]:
    """Return the BatchGetTraces items of span JSON ``messages`` whose traces started in ``hours``.

    Examples
    --------
    >>> span = {"traceId": "6a16dcc00123456789abcdef01234567", "spanId": "s1", "kind": "SERVER",
    ...         "startTimeUnixNano": 1779883200000000000, "endTimeUnixNano": 1779883200250000000,
    ...         "resource": {"attributes": {"service.name": "checkout-api"}}}
    >>> [t["Id"] for t in traces_of_spans([json.dumps(span)], [pd.Timestamp("2026-05-27T12:00Z")])]
    ['1-6a16dcc0-0123456789abcdef01234567']
    >>> traces_of_spans([json.dumps(span)], [pd.Timestamp("2026-05-27T13:00Z")])
    []
    """
    rows, annotations = span_rows(json.loads(m) for m in messages)
    inside = set(hours)
    return [t for t in traces_answer(trace_segments_frame(rows), annotations)
            if started(t).floor("h") in inside]  # fmt: skip


def in_window(
    traces: Iterable[Mapping[str, Any]], start: pd.Timestamp, end: pd.Timestamp
) -> list[Mapping[str, Any]]:
    """Return the traces whose id says they started in ``[start, end)``."""
    return [t for t in traces if start <= started(t) < end]


def service_graph_frame(
    traces: Iterable[Mapping[str, Any]], start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Return the service graph's edges X-Ray shows for these traces over ``[start, end)``."""
    segments = trace_segments_frame(segment_rows(traces))
    return service_edges_frame(edge_rows(service_graph(segments, start, end), start, end))


def summaries_frame(
    traces: Iterable[Mapping[str, Any]], filter_expression: str | None
) -> pd.DataFrame:
    """Return the summaries of the traces that pass the filter, oldest first."""
    rows = summary_rows(trace_summary(t) for t in traces)
    kept = [row for row in rows if matches(row, filter_expression)]
    return trace_summaries_frame(kept).sort_values(["start", "trace_id"], ignore_index=True)


def segments_frame(traces: Iterable[Mapping[str, Any]], trace_ids: Sequence[str]) -> pd.DataFrame:
    """Return the segments of the traces asked for, in the order asked.

    ``attrs["unprocessed"]`` lists the ids not among ``traces``.
    """
    wanted = list(dict.fromkeys(trace_ids))
    found = {t["Id"]: t for t in traces if t["Id"] in set(wanted)}
    frame = trace_segments_frame(segment_rows(found[i] for i in wanted if i in found))
    frame.attrs["unprocessed"] = [i for i in wanted if i not in found]
    return frame
