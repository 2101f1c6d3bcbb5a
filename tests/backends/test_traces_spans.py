"""Traces on the aws backend from Transaction Search spans, held to the local backend's frames.

In the parity suite's style (``test_parity.py``): the same sample spans are put where each backend
reads them (an export of ``aws/spans`` for ``local``; the ``aws/spans`` log group of a moto server
for ``aws``, whose GetTraceSegmentDestination is answered through botocore's Stubber, as moto does
not serve it), both answer the contract functions, and the frames must be equal: columns, dtypes,
``attrs`` keys, values. Then where the aws backend reads when GetTraceSegmentDestination is
denied, not served, or says ``XRay``.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber
from opsbook.backends import backend
from opsbook.backends.aws import traces as aws_traces
from opsbook.errors import QueryFailedError
from opsbook.settings import Settings, resolve

#: The incident hour, and a window that ends inside an hour.
WINDOWS = [
    (pd.Timestamp("2026-11-14T14:00Z"), pd.Timestamp("2026-11-14T15:00Z")),
    (pd.Timestamp("2026-11-14T13:30Z"), pd.Timestamp("2026-11-14T14:20Z")),
]
#: The spans put into moto: every trace of the windows' hours, and their late spans.
SEEDED = (pd.Timestamp("2026-11-14T13:00Z"), pd.Timestamp("2026-11-14T15:10Z"))


@functools.cache
def _spans(export: Path) -> list[tuple[int, str]]:
    """The spans of the ``spans`` part's export (``sample_spans``): (start in ns, the span's
    JSON as written), in time order (read once)."""
    spans = []
    for path in sorted((export / "logs" / "export" / "aws" / "spans").rglob("*.gz")):
        for line in gzip.decompress(path.read_bytes()).decode().splitlines():
            message = line.partition(" ")[2]
            spans.append((json.loads(message)["startTimeUnixNano"], message))
    return sorted(spans)


def _seed_spans(export: Path, first: pd.Timestamp, last: pd.Timestamp) -> int:
    """Put the spans started in ``[first, last)`` into moto's ``aws/spans``; return how many."""
    logs = boto3.client("logs", region_name="us-east-1")
    logs.create_log_group(logGroupName="aws/spans")
    logs.create_log_stream(logGroupName="aws/spans", logStreamName="default")
    events = [{"timestamp": start // 1_000_000, "message": message}
              for start, message in _spans(export) if first.value <= start < last.value]  # fmt: skip
    for at in range(0, len(events), 1000):
        logs.put_log_events(
            logGroupName="aws/spans", logStreamName="default", logEvents=events[at : at + 1000]
        )
    return len(events)


def _xray(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    """Give the aws traces module a Stubber-backed X-Ray client (checked against its model)."""
    xray = boto3.client("xray", region_name="us-east-1")
    stub = Stubber(xray)
    monkeypatch.setattr(aws_traces, "client", lambda settings, service: xray)
    stub.activate()
    return stub


def _call(settings: Settings, function: str, *args: Any) -> pd.DataFrame:
    return getattr(backend(settings).traces, function)(settings, *args)


def _assert_same(aws: pd.DataFrame, local: pd.DataFrame) -> None:
    """The parity suite's check: columns, dtypes, attrs keys, values; both read the spans."""
    assert list(aws.columns) == list(local.columns)
    assert aws.dtypes.to_dict() == local.dtypes.to_dict()
    assert set(aws.attrs) == set(local.attrs), "the same facts ride along on both"
    assert aws.attrs["read_from"]["source"] == local.attrs["read_from"]["source"] == "aws/spans"
    pd.testing.assert_frame_equal(aws, local, check_exact=True)


@pytest.mark.parametrize("window", WINDOWS, ids=["incident-hour", "across-hours"])
def test_spans_on_aws_give_the_local_frames(
    aws_env: str, sample_spans: Path, monkeypatch: pytest.MonkeyPatch, window: tuple
) -> None:
    """GetTraceSegmentDestination says CloudWatchLogs: aws/spans is read with Logs Insights."""
    assert _seed_spans(sample_spans, *SEEDED) > 100
    stub = _xray(monkeypatch)
    # asked once for the client, not once per read (the graph, two summaries, the traces)
    stub.add_response(
        "get_trace_segment_destination", {"Destination": "CloudWatchLogs", "Status": "ACTIVE"}
    )
    aws_settings = resolve(backend="aws", region="us-east-1")
    local_settings = resolve(backend="local", data_dir=str(sample_spans))
    graph = [_call(s, "read_service_graph", *window) for s in (aws_settings, local_settings)]
    _assert_same(*graph)
    assert "payments-api" in set(graph[1].callee) and graph[1].requests.sum() > 0
    for expression in (None, "fault"):
        _assert_same(*[_call(s, "read_trace_summaries", *window, expression)
                       for s in (aws_settings, local_settings)])  # fmt: skip
    faulted = _call(local_settings, "read_trace_summaries", *window, "fault").trace_id.head(3)
    ids = [*faulted, "1-6a16dcc0-000000000000000000000000"]  # the last one is not there
    segments = [_call(s, "read_traces", ids) for s in (aws_settings, local_settings)]
    _assert_same(*segments)
    assert segments[0].attrs["unprocessed"] == ids[-1:] and segments[0].trace_id.nunique() == 3
    stub.assert_no_pending_responses()


def test_the_destination_is_asked_once_a_client_and_reported(
    aws_env: str, sample_spans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reason names the destination and its status, for the one who reads the frame."""
    _seed_spans(sample_spans, *SEEDED)
    stub = _xray(monkeypatch)
    stub.add_response(
        "get_trace_segment_destination", {"Destination": "CloudWatchLogs", "Status": "PENDING"}
    )
    graph = _call(resolve(backend="aws", region="us-east-1"), "read_service_graph", *WINDOWS[0])
    stub.assert_no_pending_responses()
    assert graph.attrs["read_from"] == {
        "source": "aws/spans",
        "reason": "Transaction Search: segment destination CloudWatchLogs (PENDING)",
    }


def _xray_graph(stub: Stubber, window: tuple) -> None:
    stub.add_response(
        "get_service_graph",
        {"Services": []},
        {"StartTime": window[0].to_pydatetime(), "EndTime": window[1].to_pydatetime()},
    )


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"Destination": "XRay", "Status": "ACTIVE"}, "segment destination XRay (ACTIVE)"),
        (("AccessDeniedException", 400), "xray:GetTraceSegmentDestination is denied"),
        (("UnknownOperationException", 400), "is not served by the endpoint"),
    ],
    ids=["xray", "denied", "unknown-operation"],
)
def test_xray_answers_when_the_spans_are_not_in_cloudwatch_logs(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path, answer: Any, reason: str
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    stub = _xray(monkeypatch)
    if isinstance(answer, dict):
        stub.add_response("get_trace_segment_destination", answer)
    else:
        stub.add_client_error("get_trace_segment_destination", answer[0], "no", answer[1])
    _xray_graph(stub, WINDOWS[0])
    graph = _call(resolve(backend="aws", region="us-east-1"), "read_service_graph", *WINDOWS[0])
    stub.assert_no_pending_responses()
    assert graph.empty and graph.attrs["read_from"]["source"] == "xray"
    assert reason in graph.attrs["read_from"]["reason"]


def test_on_moto_which_does_not_serve_the_destination_xray_answers(
    aws_env: str, sample_spans: Path
) -> None:
    """moto answers GetTraceSegmentDestination with an error page: X-Ray's APIs are read."""
    settings = resolve(backend="aws", region="us-east-1")
    summaries = _call(settings, "read_trace_summaries", *WINDOWS[0], None)
    assert summaries.empty and summaries.attrs["read_from"]["source"] == "xray"
    assert "not served by the endpoint" in summaries.attrs["read_from"]["reason"]


def test_other_failures_of_the_destination_call_are_not_hidden(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    """Throttling past the retries is an error to see, not a reason to read elsewhere."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    stub = _xray(monkeypatch)
    stub.add_client_error("get_trace_segment_destination", "ThrottlingException", "slow down", 400)
    with pytest.raises(QueryFailedError, match="xray:GetTraceSegmentDestination"):
        _call(resolve(backend="aws", region="us-east-1"), "read_service_graph", *WINDOWS[0])
