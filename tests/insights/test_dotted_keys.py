"""JSON keys that hold dots (OpenTelemetry's ``service.name``) are fields as CloudWatch names them.

CloudWatch flattens ``{"resource": {"attributes": {"service.name": "x"}}}`` into the field
``resource.attributes.service.name`` (its Transaction Search queries read ``attributes.aws.
remote.service``, ``attributes.http.response.status_code``); the local engine resolves such a
name nested first, then with segments joined into dotted keys.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd
from opsbook import logs
from opsbook.insights import compile_query, parse_query, run_query
from opsbook.insights.fields import MAX_JSON_PATHS, json_paths
from opsbook.insights.trino import to_trino
from opsbook.settings import resolve

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

SPAN = {
    "resource": {"attributes": {"service.name": "checkout-api", "cloud.provider": "aws"}},
    "traceId": "6a16dcc00123456789abcdef01234567",
    "spanId": "a1",
    "name": "POST payments-api",
    "kind": "CLIENT",
    "attributes": {"aws.local.service": "checkout-api", "aws.remote.service": "payments-api",
                   "http.response.status_code": 503, "url.full": "https://pay.example/charges"},
    "status": {"code": "ERROR", "message": "upstream timed out"},
}  # fmt: skip


def run(query: str, messages: list[str]) -> list[dict[str, str]]:
    con = duckdb.connect()
    con.register(
        "events",
        pd.DataFrame({
            "timestamp": [T0 + dt.timedelta(seconds=i) for i in range(len(messages))],
            "message": messages, "log_stream": "default", "log_group": "aws/spans",
            "ingestion_time": [T0 + dt.timedelta(seconds=i) for i in range(len(messages))],
        }),
    )  # fmt: skip
    return run_query(query, con, start=T0, end=T0 + dt.timedelta(hours=1)).dicts()


def test_dotted_keys_are_read_as_cloudwatch_flattens_them() -> None:
    server = {**SPAN, "spanId": "r0", "kind": "SERVER", "attributes": {"aws.local.service": "checkout-api"}}  # fmt: skip
    rows = run(
        "fields resource.attributes.service.name as service, attributes.aws.remote.service as remote, "
        "attributes.http.response.status_code as status, status.code, resource.attributes.cloud.provider "
        "| filter attributes.http.response.status_code >= 500 | sort @timestamp asc",
        [json.dumps(server), json.dumps(SPAN)],
    )
    assert rows == [{"service": "checkout-api", "remote": "payments-api", "status": "503",
                     "status.code": "ERROR", "resource.attributes.cloud.provider": "aws"}]  # fmt: skip


def test_stats_by_a_dotted_key_and_the_nested_path_first() -> None:
    nested = {
        "attributes": {"aws": {"remote": {"service": "nested"}}, "aws.remote.service": "dotted"}
    }
    counted = run(
        "stats count(*) as spans by attributes.aws.remote.service | sort spans desc",
        [json.dumps(SPAN)] * 2 + [json.dumps(nested), "not json"],
    )
    assert counted == [
        {"attributes.aws.remote.service": "payments-api", "spans": "2"},
        {"attributes.aws.remote.service": "nested", "spans": "1"},
        {"spans": "1"},
    ]


def test_the_candidate_paths_are_bounded() -> None:
    assert json_paths("a.b") == ['$."a"."b"', '$."a.b"']
    assert len(json_paths(".".join("abcdefghijklmnopqrstuvwxyz"))) == MAX_JSON_PATHS
    assert json_paths("items.0.id")[0] == '$."items"[0]."id"'


def test_athena_reads_the_same_paths() -> None:
    compiled = compile_query(parse_query("fields resource.attributes.service.name"),
                             start=T0, end=T0 + dt.timedelta(hours=1))  # fmt: skip
    sql = to_trino(compiled)
    assert "COALESCE(TRY(JSON_EXTRACT_SCALAR(t_msg, '$.resource.attributes.service.name'))" in sql
    assert """TRY(JSON_EXTRACT_SCALAR(t_msg, '$.resource.attributes["service.name"]'))""" in sql


def test_a_query_over_the_exported_aws_spans_group(sample_spans: Path) -> None:
    """The sample's spans: calls per downstream in the incident hour, by their dotted keys."""
    from opsbook.sample.org import timeline
    from opsbook.sample.spans import to_spans
    from opsbook.sample.traces import build_traces

    start, end = pd.Timestamp("2026-11-14T14:00Z"), pd.Timestamp("2026-11-14T15:00Z")
    found = logs.query(
        "filter kind = 'CLIENT' and resource.attributes.service.name = 'checkout-api' "
        "| stats count(*) as calls, sum(status.code = 'ERROR') as failed by attributes.aws.remote.service",
        log_groups=["/aws/spans"], start=start, end=end,
        settings=resolve(backend="local", data_dir=str(sample_spans)),
    )  # fmt: skip
    spans = [s for s in to_spans(build_traces(timeline(dt.date(2026, 11, 15)), seed=7))
             if s["kind"] == "CLIENT" and start.value <= s["startTimeUnixNano"] < end.value]  # fmt: skip
    calls = collections.Counter(s["attributes"]["aws.remote.service"] for s in spans)
    failed = collections.Counter(s["attributes"]["aws.remote.service"] for s in spans
                                 if s["status"]["code"] == "ERROR")  # fmt: skip
    by_remote = found.set_index("attributes.aws.remote.service")
    assert by_remote.calls.to_dict() == dict(calls) and len(calls) >= 3
    assert by_remote.failed.to_dict() == {k: failed.get(k, 0) for k in calls}
    assert failed["payments-api"] > 20
