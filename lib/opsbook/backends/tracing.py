"""Rows from X-Ray and CloudWatch Synthetics response shapes, shared by both backends.

The local backend reads saved ``BatchGetTraces`` and ``GetCanaryRuns`` output; the aws backend
gets the same shapes (and ``GetServiceGraph``, ``GetTraceSummaries``) from boto3. Both turn them
into rows here, so the same question gives the same columns on both:

- :func:`segment_rows`: one row per segment and subsegment of ``BatchGetTraces`` traces;
- :func:`service_graph`: the ``GetServiceGraph`` answer X-Ray computes from those segments
  (client -> service -> downstream edges, their counts and response-time histograms), which
  the local backend answers with; :func:`edge_rows` reads it on both;
- :func:`trace_summary`: the ``GetTraceSummaries`` item of one trace; :func:`summary_rows` reads
  items on both, and :func:`matches` applies the part of the filter-expression language the
  local backend understands;
- :func:`span_rows`: the same rows from OpenTelemetry spans as Transaction Search writes them to
  the ``aws/spans`` log group (a SERVER span is a segment, a CLIENT span naming
  ``aws.remote.service`` a downstream subsegment);
- :func:`canary_run_rows`: one row per ``GetCanaryRuns`` run.

Examples
--------
>>> percentile([{"Value": 0.1, "Count": 9}, {"Value": 2.0, "Count": 1}], 0.5)
0.1
>>> percentile([{"Value": 0.1, "Count": 9}, {"Value": 2.0, "Count": 1}], 0.99)
2.0
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from opsbook.errors import ConfigurationError

__all__ = [
    "BATCH_TRACES",
    "SLICE",
    "canary_run_rows",
    "canary_runs_answer",
    "edge_rows",
    "matches",
    "merge_graphs",
    "percentile",
    "pick_canaries",
    "segment_rows",
    "service_graph",
    "traces_answer",
    "slices",
    "span_rows",
    "summary_rows",
    "trace_summary",
]

#: X-Ray answers GetTraceSummaries and GetServiceGraph for at most this long a time range.
SLICE = pd.Timedelta(hours=6)
#: BatchGetTraces takes at most this many trace ids a call.
BATCH_TRACES = 5
_DOWNSTREAM = frozenset({"remote", "aws"})


def slices(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Return ``[start, end)`` cut into the ranges X-Ray answers in one call (:data:`SLICE`).

    Examples
    --------
    >>> [f"{a:%H}-{b:%H}" for a, b in slices(pd.Timestamp("2026-11-14T00:00Z"),
    ...                                      pd.Timestamp("2026-11-14T14:00Z"))]
    ['00-06', '06-12', '12-14']
    """
    cuts = []
    while start < end:
        cuts.append((start, min(start + SLICE, end)))
        start = cuts[-1][1]
    return cuts


def _documents(traces: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str, dict[str, Any]]]:
    for trace in traces:
        for segment in trace.get("Segments", []):
            yield trace["Id"], json.loads(segment["Document"])


def _flags(item: Mapping[str, Any]) -> dict[str, bool]:
    return {k: bool(item.get(k, False)) for k in ("fault", "error", "throttle")}


def _cause(item: Mapping[str, Any]) -> str | None:
    exceptions = (item.get("cause") or {}).get("exceptions") or []
    return str(exceptions[0].get("message", "")) if exceptions else None


def _status(item: Mapping[str, Any]) -> int | None:
    return ((item.get("http") or {}).get("response") or {}).get("status")


def segment_rows(traces: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return one row per segment and (nested) subsegment of BatchGetTraces ``Traces``.

    ``service`` is the segment's service, ``name`` the segment's or subsegment's own name (a
    downstream subsegment names what was called), ``depth`` 0 for a segment.
    """
    rows: list[dict[str, Any]] = []

    def walk(
        trace_id: str, service: str, item: Mapping[str, Any], parent: str | None, depth: int
    ) -> None:
        start, end = item.get("start_time"), item.get("end_time")
        rows.append({
            "trace_id": trace_id, "segment_id": item["id"], "parent_id": parent, "service": service,
            "name": item.get("name"), "namespace": item.get("namespace"), "depth": depth,
            "start": _moment(start), "end": _moment(end),
            "duration_ms": round((end - start) * 1000, 3) if start is not None and end is not None else None,
            "http_status": _status(item), **_flags(item), "cause": _cause(item),
            "url": ((item.get("http") or {}).get("request") or {}).get("url"),
        })  # fmt: skip
        for sub in item.get("subsegments") or []:
            walk(trace_id, service, sub, item["id"], depth + 1)

    for trace_id, document in _documents(traces):
        walk(trace_id, document["name"], document, document.get("parent_id"), 0)
    return rows


def _moment(seconds: float | None) -> pd.Timestamp | None:
    return None if seconds is None else pd.Timestamp(round(seconds * 1000), unit="ms", tz="UTC")


def trace_summary(trace: Mapping[str, Any]) -> dict[str, Any]:
    """Return the GetTraceSummaries item X-Ray gives for one BatchGetTraces trace.

    The entry point is the segment without a parent; ``ResponseTime`` is its duration,
    ``Duration`` the whole trace's (first start to last end), flags are any segment's.
    """
    documents = [d for _, d in _documents([trace])]
    root = next((d for d in documents if not d.get("parent_id")), documents[0])
    starts = [d["start_time"] for d in documents]
    ends = [d.get("end_time", d["start_time"]) for d in documents]
    request = (root.get("http") or {}).get("request") or {}
    calls = [sub for d in documents for sub in d.get("subsegments") or []
             if sub.get("namespace") in _DOWNSTREAM]  # fmt: skip
    services = sorted({d["name"] for d in documents} | {c["name"] for c in calls})
    faulted = [c["name"] for c in calls if c.get("fault")]
    return {
        "Id": trace["Id"],
        "StartTime": _moment(min(starts)).to_pydatetime(),
        "Duration": round(max(ends) - min(starts), 3),
        "ResponseTime": round(root.get("end_time", root["start_time"]) - root["start_time"], 3),
        "HasFault": any(d.get("fault") for d in documents),
        "HasError": any(d.get("error") for d in documents),
        "HasThrottle": any(d.get("throttle") for d in documents),
        "IsPartial": False,
        "Http": {"HttpURL": request.get("url", ""), "HttpStatus": _status(root) or 0,
                 "HttpMethod": request.get("method", "")},
        "Annotations": {key: [{"AnnotationValue": _annotation(value)}]
                        for key, value in sorted((root.get("annotations") or {}).items())},
        "ServiceIds": [{"Name": name} for name in services],
        "EntryPoint": {"Name": root["name"]},
        "FaultRootCauses": [{"Services": [{"Name": root["name"]}, {"Name": name, "Inferred": True}]}
                            for name in faulted[:1]],
    }  # fmt: skip


def _annotation(value: object) -> dict[str, Any]:
    kind = {bool: "BooleanValue", int: "NumberValue", float: "NumberValue"}.get(type(value))
    return {kind or "StringValue": value}


def summary_rows(summaries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return one row per GetTraceSummaries ``TraceSummaries`` item."""
    rows = []
    for item in summaries:
        http = item.get("Http") or {}
        annotations = {
            key: next(iter(values[0]["AnnotationValue"].values()))
            for key, values in (item.get("Annotations") or {}).items()
            if values
        }
        rows.append({
            "trace_id": item["Id"], "start": item.get("StartTime"),
            "root_service": (item.get("EntryPoint") or {}).get("Name"),
            "duration_s": item.get("Duration"), "response_time_s": item.get("ResponseTime"),
            "fault": bool(item.get("HasFault")), "error": bool(item.get("HasError")),
            "throttle": bool(item.get("HasThrottle")), "http_status": http.get("HttpStatus"),
            "url": http.get("HttpURL"),
            "services": ",".join(sorted(s["Name"] for s in item.get("ServiceIds") or [])),
            "root_cause": _root_cause(item),
            "annotations": json.dumps(annotations, sort_keys=True),
        })  # fmt: skip
    return rows


def _root_cause(item: Mapping[str, Any]) -> str | None:
    """Return the service X-Ray blames for a trace's fault (else error): the path's last one."""
    for causes in (item.get("FaultRootCauses"), item.get("ErrorRootCauses")):
        for cause in causes or []:
            if cause.get("Services"):
                return str(cause["Services"][-1]["Name"])
    return None


# Filter expressions: the part of X-Ray's language the local backend reads (and-ed terms).
_TERMS = (
    (re.compile(r"^(fault|error|throttle)(?:\s*=\s*(true|false))?$"),
     lambda m, s: bool(s[m[1]]) == (m[2] != "false")),
    (re.compile(r"^(responsetime|duration)\s*(>=|<=|>|<|=)\s*([\d.]+)$"),
     lambda m, s: _compare(s["response_time_s" if m[1] == "responsetime" else "duration_s"], m[2], float(m[3]))),
    (re.compile(r'^service\("([^"]+)"\)(?:\s*\{\s*(fault|error|throttle)\s*\})?$'),
     lambda m, s: m[1] in s["services"].split(",") and (m[2] is None or (
         bool(s[m[2]]) and (s["root_cause"] or s["root_service"]) == m[1]))),
    (re.compile(r'^http\.status\s*(>=|<=|>|<|=)\s*(\d+)$'),
     lambda m, s: s["http_status"] is not None and _compare(s["http_status"], m[1], float(m[2]))),
    (re.compile(r'^annotation\.(\w+)\s*=\s*"([^"]*)"$'),
     lambda m, s: str(json.loads(s["annotations"]).get(m[1])) == m[2]),
)  # fmt: skip


def _compare(value: float, operator: str, number: float) -> bool:
    return {">": value > number, "<": value < number, ">=": value >= number,
            "<=": value <= number, "=": value == number}[operator]  # fmt: skip


def matches(row: Mapping[str, Any], expression: str | None) -> bool:
    """Return whether a summary row passes a filter expression (terms joined by ``AND``).

    Raises
    ------
    ConfigurationError
        For a term outside the supported part of the language (on the aws backend X-Ray reads
        the whole language).

    Examples
    --------
    >>> row = {"fault": True, "error": False, "throttle": False, "response_time_s": 2.4,
    ...        "duration_s": 2.5, "services": "checkout-api,payments-api", "http_status": 500,
    ...        "root_service": "checkout-api", "root_cause": "payments-api",
    ...        "annotations": '{"version": "checkout-api:43"}'}
    >>> matches(row, 'service("payments-api") { fault } AND responsetime > 1')
    True
    >>> matches(row, 'annotation.version = "checkout-api:42"')
    False
    """
    if not expression or not expression.strip():
        return True
    for term in re.split(r"\s+(?:AND|and|&&)\s+", expression.strip()):
        for pattern, test in _TERMS:
            found = pattern.match(term.strip())
            if found:
                if not test(found, row):
                    return False
                break
        else:
            raise ConfigurationError(
                f"filter expression term {term.strip()!r} is not read by the local backend: use "
                "fault, error, throttle, responsetime/duration <op> N, http.status <op> N, "
                'service("name") [{ fault }], annotation.key = "value", joined by AND'
            )
    return True


def service_graph(segments: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, Any]:
    """Return the GetServiceGraph answer X-Ray gives for these segment rows in ``[start, end)``.

    Nodes are the traced services (``AWS::ECS::Container`` and the like, from their segments),
    the client calling the entry points, and each downstream a subsegment calls (``remote``).
    An edge carries the calls' counts and response-time histogram (milliseconds, as seconds).
    """
    calls: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    roots = segments.loc[(segments.depth == 0) & segments.parent_id.isna()]
    for row in roots.to_dict("records"):
        calls[("client", row["service"])].append(row)
    downstream = segments.loc[segments.depth.eq(1) & segments.namespace.isin(list(_DOWNSTREAM))]
    for row in downstream.to_dict("records"):
        calls[(row["service"], row["name"])].append(row)
    names = sorted({n for pair in calls for n in pair} - {"client"})
    ids = {name: number for number, name in enumerate(["client", *names])}
    kinds = {
        name: ("AWS::ECS::Container" if name in set(segments.service) else "remote")
        for name in names
    }
    services = []
    for name in ["client", *names]:
        edges = [
            _edge(ids[callee], rows, start, end)
            for (caller, callee), rows in sorted(calls.items())
            if caller == name
        ]
        services.append({"ReferenceId": ids[name], "Name": name, "Names": [name],
                         "Root": name != "client" and ("client", name) in calls,
                         "Type": "client" if name == "client" else kinds[name], "State": "active",
                         "StartTime": start.to_pydatetime(), "EndTime": end.to_pydatetime(), "Edges": edges})  # fmt: skip
    return {
        "StartTime": start.to_pydatetime(),
        "EndTime": end.to_pydatetime(),
        "Services": services,
    }


def _edge(
    callee: int, rows: Sequence[Mapping[str, Any]], start: pd.Timestamp, end: pd.Timestamp
) -> dict[str, Any]:
    faults = sum(r["fault"] for r in rows)
    throttles = sum(r["throttle"] for r in rows)
    errors = sum(r["error"] and not r["fault"] for r in rows)
    seconds = Counter(round(r["duration_ms"] / 1000, 3) for r in rows)
    return {
        "ReferenceId": callee, "StartTime": start.to_pydatetime(), "EndTime": end.to_pydatetime(),
        "SummaryStatistics": {
            "OkCount": len(rows) - faults - errors,
            "ErrorStatistics": {"ThrottleCount": throttles, "OtherCount": errors - throttles, "TotalCount": errors},
            "FaultStatistics": {"OtherCount": faults, "TotalCount": faults},
            "TotalCount": len(rows),
            "TotalResponseTime": round(sum(v * c for v, c in seconds.items()), 3),
        },
        "ResponseTimeHistogram": [{"Value": v, "Count": c} for v, c in sorted(seconds.items())],
    }  # fmt: skip


def percentile(histogram: Sequence[Mapping[str, Any]], q: float) -> float | None:
    """Return the ``q`` quantile of a ResponseTimeHistogram (the smallest value reaching it)."""
    total = sum(b["Count"] for b in histogram)
    if not total:
        return None
    seen = 0
    for bucket in sorted(histogram, key=lambda b: b["Value"]):
        seen += bucket["Count"]
        if seen >= q * total:
            return float(bucket["Value"])
    return float(histogram[-1]["Value"])


def merge_graphs(graphs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return one GetServiceGraph answer of several (pages, or time slices).

    Nodes are matched by name; each edge's counts are added and its histograms merged.

    Examples
    --------
    >>> one = {"Services": [{"ReferenceId": 0, "Name": "a", "Edges": [{"ReferenceId": 1,
    ...        "SummaryStatistics": {"TotalCount": 2}, "ResponseTimeHistogram": [{"Value": 0.1, "Count": 2}]}]},
    ...        {"ReferenceId": 1, "Name": "b"}]}
    >>> merged = merge_graphs([one, one])
    >>> edge_rows(merged, None, None)[0]["requests"], merged["Services"][0]["Edges"][0]["ResponseTimeHistogram"]
    (4, [{'Value': 0.1, 'Count': 4}])
    """
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for graph in graphs:
        by_id = {s["ReferenceId"]: s for s in graph.get("Services", [])}
        for service in graph.get("Services", []):
            nodes.setdefault(service["Name"], {k: v for k, v in service.items() if k != "Edges"})
            for edge in service.get("Edges") or []:
                key = (service["Name"], by_id[edge["ReferenceId"]]["Name"])
                merged = edges.setdefault(
                    key, {"SummaryStatistics": {}, "ResponseTimeHistogram": []}
                )
                _add(merged["SummaryStatistics"], edge.get("SummaryStatistics") or {})
                merged["ResponseTimeHistogram"] += edge.get("ResponseTimeHistogram") or []
    ids = {name: number for number, name in enumerate(nodes)}
    services = []
    for name, node in nodes.items():
        out = [{"ReferenceId": ids[callee], "SummaryStatistics": e["SummaryStatistics"],
                "ResponseTimeHistogram": _histogram(e["ResponseTimeHistogram"])}
               for (caller, callee), e in edges.items() if caller == name]  # fmt: skip
        services.append({**node, "ReferenceId": ids[name], "Edges": out})
    return {"Services": services}


def _add(total: dict[str, Any], more: Mapping[str, Any]) -> None:
    for key, value in more.items():
        if isinstance(value, Mapping):
            _add(total.setdefault(key, {}), value)
        elif value is not None:
            total[key] = total.get(key, 0) + value


def _histogram(buckets: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    counts: Counter[float] = Counter()
    for bucket in buckets:
        counts[float(bucket["Value"])] += int(bucket["Count"])
    return [{"Value": value, "Count": count} for value, count in sorted(counts.items())]


def edge_rows(
    graph: Mapping[str, Any], start: pd.Timestamp | None, end: pd.Timestamp | None
) -> list[dict[str, Any]]:
    """Return one row per edge (caller -> callee) of a GetServiceGraph answer for ``[start, end)``.

    Latencies are milliseconds: the mean from ``TotalResponseTime``, percentiles from the
    response-time histogram. Rows are by caller, then callee.
    """
    by_id = {s["ReferenceId"]: s for s in graph.get("Services", [])}
    rows = []
    for caller in graph.get("Services", []):
        for edge in caller.get("Edges") or []:
            callee = by_id.get(edge["ReferenceId"], {})
            stats = edge.get("SummaryStatistics") or {}
            total = stats.get("TotalCount") or 0
            histogram = edge.get("ResponseTimeHistogram") or []
            ms = {f"p{round(q * 100)}_ms": _ms(percentile(histogram, q)) for q in (0.5, 0.9, 0.99)}
            rows.append({
                "start": start, "end": end,
                "caller": caller.get("Name"), "callee": callee.get("Name"),
                "callee_type": callee.get("Type"), "requests": total,
                "ok": stats.get("OkCount"),
                "errors": (stats.get("ErrorStatistics") or {}).get("TotalCount", 0),
                "throttles": (stats.get("ErrorStatistics") or {}).get("ThrottleCount", 0),
                "faults": (stats.get("FaultStatistics") or {}).get("TotalCount", 0),
                "mean_ms": _ms(stats.get("TotalResponseTime", 0) / total) if total else None, **ms,
            })  # fmt: skip
    return sorted(rows, key=lambda r: (r["caller"] != "client", str(r["caller"]), str(r["callee"])))


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def canary_run_rows(runs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return one row per GetCanaryRuns ``CanaryRuns`` item (duration in milliseconds)."""
    rows = []
    for run in runs:
        status, timeline = run.get("Status") or {}, run.get("Timeline") or {}
        started, completed = timeline.get("Started"), timeline.get("Completed")
        seconds = (
            (pd.Timestamp(completed) - pd.Timestamp(started)).total_seconds()
            if started and completed
            else None
        )
        rows.append({
            "canary": run.get("Name"), "run_id": run.get("Id"), "state": status.get("State"),
            "state_reason": status.get("StateReason") or None,
            "state_reason_code": status.get("StateReasonCode"),
            "started": pd.Timestamp(started) if started else None,
            "completed": pd.Timestamp(completed) if completed else None,
            "duration_ms": None if seconds is None else round(seconds * 1000, 3),
            "artifact": run.get("ArtifactS3Location"),
        })  # fmt: skip
    return rows


def pick_canaries(known: Sequence[str], canaries: Sequence[str] | None) -> list[str]:
    """Return the canaries asked for (every known one for None); an unknown name is an error.

    Examples
    --------
    >>> pick_canaries(["checkout-flow", "catalog-browse"], None)
    ['catalog-browse', 'checkout-flow']
    >>> pick_canaries(["checkout-flow"], ["login"])
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: no canary login: the canaries are checkout-flow
    """
    if canaries is None:
        return sorted(known)
    unknown = [c for c in canaries if c not in known]
    if unknown:
        raise ConfigurationError(
            f"no canary {', '.join(unknown)}: the canaries are {', '.join(sorted(known)) or 'none'}"
        )
    return list(dict.fromkeys(canaries))


def _seconds(moment: object) -> float | None:
    return None if pd.isna(moment) else round(pd.Timestamp(moment).value / 1e9, 3)


def traces_answer(segments: pd.DataFrame, annotations: Mapping[str, str]) -> list[dict[str, Any]]:
    """Return BatchGetTraces ``Traces`` items rebuilt from :func:`segment_rows` rows (a snapshot).

    What the rows keep is kept (names, times, status, flags, the first cause, URLs); the
    segments' ``annotations`` come from the trace summaries (JSON text by trace id).
    """
    traces = []
    ordered = segments.sort_values(["depth", "start"], kind="stable")  # parents before their calls
    grouped: dict[str, list[dict[str, Any]]] = {}  # by trace, in order of first appearance
    for record in ordered.to_dict("records"):
        grouped.setdefault(record["trace_id"], []).append(record)
    for trace_id, rows in grouped.items():
        items: dict[str, dict[str, Any]] = {}
        roots = []
        for row in rows:
            item: dict[str, Any] = {"id": row["segment_id"], "name": row["name"],
                                    "start_time": _seconds(row["start"]), "end_time": _seconds(row["end"])}  # fmt: skip
            if row["depth"] == 0:
                item.update(
                    trace_id=trace_id, annotations=json.loads(annotations.get(trace_id) or "{}")
                )
                roots.append(item)
            else:
                items[row["parent_id"]].setdefault("subsegments", []).append(item)
            if not pd.isna(row["namespace"]):
                item["namespace"] = row["namespace"]
            http: dict[str, Any] = {}
            if not pd.isna(row["url"]):
                http["request"] = {"url": row["url"]}
            if not pd.isna(row["http_status"]):
                http["response"] = {"status": int(row["http_status"])}
            if http:
                item["http"] = http
            item.update(
                {k: True for k in ("fault", "error", "throttle") if not pd.isna(row[k]) and row[k]}
            )
            if not pd.isna(row["cause"]):
                item["cause"] = {"exceptions": [{"id": row["segment_id"], "message": row["cause"]}]}
            items[row["segment_id"]] = item
        traces.append(
            {
                "Id": trace_id,
                "Segments": [{"Id": r["id"], "Document": json.dumps(r)} for r in roots],
            }
        )
    return traces


def canary_runs_answer(runs: pd.DataFrame) -> list[dict[str, Any]]:
    """Return GetCanaryRuns ``CanaryRuns`` items rebuilt from :func:`canary_run_rows` rows."""
    answer = []
    for row in runs.to_dict("records"):
        status = {"State": row["state"]}
        status.update({k: row[c] for k, c in (("StateReason", "state_reason"), ("StateReasonCode", "state_reason_code"))
                       if not pd.isna(row[c])})  # fmt: skip
        timeline = {k: row[c].isoformat() for k, c in (("Started", "started"), ("Completed", "completed"))
                    if not pd.isna(row[c])}  # fmt: skip
        run = {"Id": row["run_id"], "Name": row["canary"], "Status": status, "Timeline": timeline}
        if not pd.isna(row["artifact"]):
            run["ArtifactS3Location"] = row["artifact"]
        answer.append(run)
    return answer


def _xray_id(trace_id: str) -> str:
    """Return the X-Ray form (``1-<8 hex>-<24 hex>``) of a 32-hex OpenTelemetry trace id."""
    return trace_id if trace_id.startswith("1-") else f"1-{trace_id[:8]}-{trace_id[8:]}"


def span_rows(spans: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Return segment rows (as :func:`segment_rows`) of OpenTelemetry spans, and annotations.

    A span without a parent, or of kind SERVER, is a segment of its service (``service.name``
    or ``aws.local.service``); a CLIENT span naming ``aws.remote.service`` is a downstream call
    (``namespace`` ``remote``, or ``aws`` for an ``AWS::`` service). A status of ERROR is a fault
    (5XX or no status) or an error (4XX, 429 a throttle too). Annotations are the root span's
    attributes that ``aws.xray.annotations`` lists (JSON text by trace id).

    Examples
    --------
    >>> rows, notes = span_rows([{"traceId": "6af869daa7bfb8f6e9222532776aa83d", "spanId": "a1",
    ...     "name": "POST /charges", "kind": "CLIENT", "parentSpanId": "r0",
    ...     "startTimeUnixNano": 1794664922272000000, "endTimeUnixNano": 1794664924272000000,
    ...     "resource": {"attributes": {"service.name": "checkout-api"}},
    ...     "attributes": {"aws.remote.service": "payments-api"}, "status": {"code": "ERROR"}}])
    >>> rows[0]["trace_id"], rows[0]["name"], rows[0]["fault"], rows[0]["duration_ms"]
    ('1-6af869da-a7bfb8f6e9222532776aa83d', 'payments-api', True, 2000.0)
    """
    rows, annotations = [], {}
    for span in spans:
        attributes = span.get("attributes") or {}
        service = ((span.get("resource") or {}).get("attributes") or {}).get(
            "service.name"
        ) or attributes.get("aws.local.service")
        trace_id = _xray_id(str(span["traceId"]))
        parent = span.get("parentSpanId") or None
        remote = attributes.get("aws.remote.service")
        is_segment = parent is None or span.get("kind") in ("SERVER", "SPAN_KIND_SERVER")
        status = attributes.get("http.response.status_code", attributes.get("http.status_code"))
        failed = (span.get("status") or {}).get("code") in ("ERROR", "STATUS_CODE_ERROR")
        client_error = status is not None and 400 <= int(status) < 500
        start, end = (
            int(span[k]) / 1e9 if span.get(k) else None
            for k in ("startTimeUnixNano", "endTimeUnixNano")
        )
        cause = (span.get("status") or {}).get("message") or next(
            ((e.get("attributes") or {}).get("exception.message") for e in span.get("events") or []
             if e.get("name") == "exception"), None)  # fmt: skip
        rows.append({
            "trace_id": trace_id, "segment_id": span["spanId"], "parent_id": parent, "service": service,
            "name": service if is_segment else (remote or span.get("name")),
            "namespace": None if is_segment or not remote else ("aws" if str(remote).startswith("AWS::") else "remote"),
            "depth": 0 if is_segment else 1, "start": _moment(start), "end": _moment(end),
            "duration_ms": round((end - start) * 1000, 3) if start is not None and end is not None else None,
            "http_status": None if status is None else int(status),
            "fault": failed and not client_error, "error": failed and client_error,
            "throttle": failed and status is not None and int(status) == 429,
            "cause": cause if failed else None,
            "url": attributes.get("url.full", attributes.get("http.url")),
        })  # fmt: skip
        if parent is None:
            keys = attributes.get("aws.xray.annotations") or []
            annotations[trace_id] = json.dumps({k: attributes[k] for k in keys if k in attributes})
    return rows, annotations
