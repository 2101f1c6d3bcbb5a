from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from opsbook.insights import compile_query, parse_query, run_query
from opsbook.insights.fields import json_path

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def run(query: str, messages: list[str]) -> list[dict[str, str]]:
    con = duckdb.connect()
    con.register(
        "events",
        pd.DataFrame(
            {
                "timestamp": [T0 + dt.timedelta(seconds=i) for i in range(len(messages))],
                "message": messages,
                "log_stream": "s",
                "log_group": "/g",
                "ingestion_time": [
                    T0 + dt.timedelta(seconds=i, milliseconds=5) for i in range(len(messages))
                ],
            }
        ),
    )
    return run_query(
        query + " | sort @timestamp asc", con, start=T0, end=T0 + dt.timedelta(hours=1)
    ).dicts()


def test_json_flattening_nested_arrays_hyphens_and_at_keys() -> None:
    message = (
        '{"userIdentity": {"type": "IAMUser"}, "requestParameters": {"instancesSet": {"items": '
        '[{"instanceId": "i-1"}, {"instanceId": "i-2"}]}}, "detail-type": "X", "@host": "h", '
        '"n": 1.5, "flag": true, "nothing": null, "encoded": "{\\"a\\": 1}"}'
    )
    rows = run(
        "fields userIdentity.type, requestParameters.instancesSet.items.1.instanceId, "
        "`detail-type`, @@host, n, flag, nothing, encoded, encoded.a",
        [message],
    )
    assert rows == [
        {
            "userIdentity.type": "IAMUser",
            "requestParameters.instancesSet.items.1.instanceId": "i-2",
            "detail-type": "X",
            "@@host": "h",
            "n": "1.5",
            "flag": "true",
            "encoded": '{"a": 1}',  # a JSON-encoded string stays an opaque leaf
        }
    ]


def test_numbers_stay_numbers_in_the_typed_frame() -> None:
    con = duckdb.connect()
    con.register(
        "events",
        pd.DataFrame(
            {
                "timestamp": [T0, T0],
                "message": ['{"n": 3, "s": "a"}', '{"n": 4, "s": "b"}'],
                "log_stream": "s",
                "log_group": "/g",
                "ingestion_time": [T0, T0],
            }
        ),
    )
    frame = run_query(
        "fields @timestamp, n, s", con, start=T0, end=T0 + dt.timedelta(seconds=1)
    ).frame()
    assert str(frame["n"].dtype) == "Int64" and str(frame["s"].dtype) == "string"
    assert str(frame["@timestamp"].dtype) == "datetime64[ms, UTC]"


def test_system_fields() -> None:
    rows = run("fields @timestamp, @message, @logStream, @log, @ingestionTime", ["x"])
    assert rows == [
        {
            "@timestamp": "2026-01-01 00:00:00.000",
            "@message": "x",
            "@logStream": "s",
            "@log": "/g",
            "@ingestionTime": "2026-01-01 00:00:00.005",
        }
    ]


def test_lambda_platform_and_runtime_lines() -> None:
    request = "6bd52a77-4f4f-4d1e-9a1e-1c2e3f4a5b6c"
    lines = [
        f"START RequestId: {request} Version: $LATEST",
        f"[ERROR]\t2026-01-01T00:00:01.000Z\t{request}\tboom",
        f"END RequestId: {request}",
        f"REPORT RequestId: {request}\tDuration: 102.25 ms\tBilled Duration: 103 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.20 ms\t\n"
        "XRAY TraceId: 1-5e1b4151-5ac6c58f\tSegmentId: 6b6d2f2a3c\tSampled: true",
    ]
    rows = run(
        "fields @type, @requestId, @duration, @billedDuration, @memorySize, @maxMemoryUsed, "
        "@initDuration, @xrayTraceId, @xraySegmentId",
        lines,
    )
    assert rows[0] == {"@type": "START", "@requestId": request}
    assert rows[1] == {"@requestId": request}
    assert rows[2] == {"@type": "END", "@requestId": request}
    assert rows[3] == {
        "@type": "REPORT",
        "@requestId": request,
        "@duration": "102.25",
        "@billedDuration": "103",
        "@memorySize": "128000000",
        "@maxMemoryUsed": "70000000",
        "@initDuration": "150.2",
        "@xrayTraceId": "1-5e1b4151-5ac6c58f",
        "@xraySegmentId": "6b6d2f2a3c",
    }


def test_vpc_flow_log_default_format() -> None:
    line = "2 123456789012 eni-0a1b2c3d 10.0.1.5 10.0.2.9 443 49152 6 10 8400 1700000000 1700000060 ACCEPT OK"
    names = "version accountId interfaceId srcAddr dstAddr srcPort dstPort protocol packets bytes startTime endTime action logStatus".split()
    rows = run("fields " + ", ".join(names), [line, "not a flow log"])
    assert rows == [dict(zip(names, line.split(), strict=True)), {}]
    rows = run(
        "filter protocol = 6 and isIpv4InSubnet(srcAddr, '10.0.0.0/16') | stats sum(bytes) as b",
        [line],
    )
    assert rows == [{"b": "8400"}]


def test_route53_query_log() -> None:
    line = (
        "1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com A NOERROR UDP Region 192.168.1.1 -"
    )
    names = "version queryTimestamp hostZoneId queryName queryType responseCode protocol edgeLocation resolverIp ednsClientSubnet".split()
    rows = run("fields " + ", ".join(names), [line])
    assert rows == [dict(zip(names, line.split(), strict=True))]


def test_fields_are_extracted_only_when_referenced() -> None:
    plain = compile_query(parse_query("fields @timestamp, @message | limit 5")).sql
    assert "json_extract" not in plain and "regexp" not in plain
    one = compile_query(parse_query("filter status >= 500 | stats count(*)")).sql
    assert one.count("json_extract_string") == 1
    lam = compile_query(parse_query("stats avg(@duration)")).sql
    assert "Duration" in lam and "json_extract" not in lam and "Memory" not in lam


@pytest.mark.parametrize(
    ("name", "path"),
    [("a", '$."a"'), ("a.b.0.c", '$."a"."b"[0]."c"'), ("@@x", '$."@x"'), ('q"', '$."q\\""')],
)
def test_json_paths(name: str, path: str) -> None:
    assert json_path(name) == path
