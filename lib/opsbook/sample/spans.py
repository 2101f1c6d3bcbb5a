"""The sample's traces as Transaction Search spans: OpenTelemetry span JSON in ``aws/spans``.

The same requests as :mod:`opsbook.sample.traces`, written as CloudWatch writes spans when
Transaction Search is on (a SERVER span per checkout-api request, a CLIENT span per downstream
call naming ``aws.remote.service``), exported like any other log group
(``logs/export/aws/spans/<task id>/<log stream>/NNNNNN.gz``). Not a default part: a sample holds
X-Ray's BatchGetTraces files, and ``opsbook sample generate --only spans`` writes the spans
instead, which the local backend reads into the same frames.

Examples
--------
>>> import datetime as dt
>>> from opsbook.sample.org import timeline
>>> from opsbook.sample.traces import build_traces
>>> spans = to_spans(build_traces(timeline(dt.date(2026, 11, 15)))[:1])
>>> [(s["kind"], s["name"]) for s in spans]
[('SERVER', 'POST /api/checkout'), ('CLIENT', 'POST inventory-api'), ('CLIENT', 'SELECT shop-orders-db'), ('CLIENT', 'POST payments-api')]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.logs.events import Events
from opsbook.sample.logs.s3 import write_export
from opsbook.sample.traces import build_traces

__all__ = ["to_spans", "write_spans"]

_STREAM = "default"


def _nanos(seconds: float) -> int:
    return int(round(seconds * 1000)) * 1_000_000


def _span(
    trace: str, item: Mapping[str, Any], parent: str | None, kind: str, name: str
) -> dict[str, Any]:
    status = ((item.get("http") or {}).get("response") or {}).get("status")
    attributes: dict[str, Any] = {"aws.local.service": org.CHECKOUT.name}
    if status is not None:
        attributes["http.response.status_code"] = status
    url = ((item.get("http") or {}).get("request") or {}).get("url")
    if url:
        attributes["url.full"] = url
    span = {
        "resource": {"attributes": {"service.name": org.CHECKOUT.name, "cloud.provider": "aws",
                                    "cloud.platform": "aws_ecs"}},
        "scope": {"name": "opentelemetry.instrumentation"},
        "traceId": trace, "spanId": item["id"], "parentSpanId": parent or "", "name": name, "kind": kind,
        "startTimeUnixNano": _nanos(item["start_time"]), "endTimeUnixNano": _nanos(item["end_time"]),
        "durationNano": _nanos(item["end_time"]) - _nanos(item["start_time"]),
        "attributes": attributes, "status": {"code": "UNSET"},
    }  # fmt: skip
    if item.get("fault") or item.get("error"):
        message = ((item.get("cause") or {}).get("exceptions") or [{}])[0].get("message")
        span["status"] = {"code": "ERROR", **({"message": message} if message else {})}
    return span


def to_spans(traces: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return the OpenTelemetry spans of BatchGetTraces items (segments and their calls)."""
    spans = []
    for trace in traces:
        for segment in trace["Segments"]:
            root = json.loads(segment["Document"])
            otel = root["trace_id"].replace("1-", "", 1).replace("-", "")
            server = _span(
                otel,
                root,
                None,
                "SERVER",
                f"POST {root['http']['request']['url'].split('.example', 1)[1]}",
            )
            server["attributes"].update(root.get("annotations") or {}, **{"aws.xray.annotations": sorted(root.get("annotations") or {})})  # fmt: skip
            spans.append(server)
            for call in root.get("subsegments") or []:
                verb = "SELECT" if "sql" in call else "POST"
                client = _span(otel, call, root["id"], "CLIENT", f"{verb} {call['name']}")
                client["attributes"]["aws.remote.service"] = call["name"]
                spans.append(client)
    return spans


def write_spans(root: Path, story: org.Timeline, *, seed: int = 7) -> dict[str, Any]:
    """Write the traces' spans as an export of the ``aws/spans`` log group; return facts."""
    spans = to_spans(build_traces(story, seed=seed))
    events = Events(streams=[_STREAM])
    stamps = np.array([s["startTimeUnixNano"] // 1_000_000 for s in spans], dtype=np.int64)
    events.add(
        stamps,
        np.zeros(len(spans), dtype=np.int64),
        [json.dumps(s, separators=(",", ":")) for s in spans],
    )
    facts = write_export(root, layout.SPANS_GROUP, events, np.random.default_rng([seed, 5151]))
    return {**facts, "spans": len(spans), "log_group": layout.SPANS_GROUP}
