"""Hard limits of the translation: many parse captures, long lists, deep expressions.

The expected rows come from plain Python (``re`` / ``str.split``) over the same messages, never
from the engine itself.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd
import pytest
from opsbook.insights import MalformedQueryError, run_query
from opsbook.insights.parser import MAX_NESTING

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def run(query: str, messages: list[str]) -> list[dict[str, str]]:
    con = duckdb.connect()
    frame = pd.DataFrame(
        {
            "timestamp": [T0 + dt.timedelta(seconds=i) for i in range(len(messages))],
            "message": messages,
            "log_stream": "s",
            "log_group": "/g",
            "ingestion_time": pd.Series([pd.NaT] * len(messages), dtype="datetime64[ns, UTC]"),
        }
    )
    con.register("events", frame)
    return run_query(query, con, start=T0, end=T0 + dt.timedelta(days=1)).dicts()


@pytest.mark.parametrize("captures", [9, 10, 11, 20, 50])
def test_a_glob_takes_any_number_of_captures(captures: int) -> None:
    names = [f"f{i}" for i in range(captures)]
    messages = [" ".join(f"v{row}_{i}" for i in range(captures)) for row in range(3)]
    query = f'parse @message "{" ".join(["*"] * captures)}" as {", ".join(names)} | fields {", ".join(names)}'
    rows = run(query, messages)
    # Oracle: the message split on blanks, the last capture taking the rest.
    expected = [dict(zip(names, m.split(" ", captures - 1), strict=True)) for m in messages]
    assert sorted(rows, key=lambda r: r["f0"]) == sorted(expected, key=lambda r: r["f0"])


def test_a_regex_with_twelve_named_groups() -> None:
    names = [f"g{i}" for i in range(12)]
    pattern = "-".join(f"(?<{n}>[a-z]+)" for n in names)
    messages = ["-".join(chr(97 + (i + r) % 26) * 2 for i in range(12)) for r in range(4)]
    rows = run(f"parse @message /{pattern}/ | fields {', '.join(names)}", messages)
    oracle = re.compile("-".join(f"(?P<{n}>[a-z]+)" for n in names))
    expected = [oracle.search(m).groupdict() for m in messages]  # type: ignore[union-attr]
    assert sorted(rows, key=lambda r: r["g0"]) == sorted(expected, key=lambda r: r["g0"])


#: Apache/ALB "combined" access lines (the documented ALB layout has ~25 space-separated fields).
COMBINED = [
    '203.0.113.7 - alice [05/Dec/2026:10:00:01 +0000] "GET /api/orders?id=1 HTTP/1.1" 200 512 '
    '"https://example.com/" "Mozilla/5.0 (X11; Linux x86_64)"',
    '198.51.100.20 - - [05/Dec/2026:10:00:02 +0000] "POST /api/pay HTTP/1.1" 503 87 "-" "curl/8.4.0"',
    '192.0.2.1 - bob [05/Dec/2026:10:00:03 +0000] "GET /health HTTP/2.0" 200 2 "-" "ELB-HealthChecker/2.0"',
    "not an access line",
]
ALB = [
    "https 2026-12-05T10:00:01.123456Z app/web/50dc6c495c0c9188 203.0.113.7:51234 10.0.1.5:8080 "
    '0.000 0.081 0.000 200 200 340 512 "GET https://shop.example.com:443/api/orders HTTP/1.1" '
    '"Mozilla/5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
    "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/73e2d6bc24d8a067 "
    '"Root=1-58337262-36d228ad5d99923122bbe354" "shop.example.com" "arn:aws:acm:cert" 0 '
    '2026-12-05T10:00:01.042000Z "forward" "-" "-" "10.0.1.5:8080" "200" "-" "-" TID_1',
    "https 2026-12-05T10:00:02.000001Z app/web/50dc6c495c0c9188 198.51.100.20:40000 10.0.1.6:8080 "
    '0.001 5.002 0.000 502 502 120 87 "POST https://shop.example.com:443/api/pay HTTP/1.1" '
    '"curl/8.4.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
    "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/73e2d6bc24d8a067 "
    '"Root=1-58337262-aaaaaaaaaaaaaaaaaaaaaaaa" "shop.example.com" "arn:aws:acm:cert" 1 '
    '2026-12-05T10:00:01.999000Z "forward" "-" "-" "10.0.1.6:8080" "502" "-" "-" TID_2',
]


def test_an_apache_combined_log_line_parses_with_ten_captures() -> None:
    names = ["client", "ident", "user", "time", "method", "path", "proto", "status", "bytes",
             "referer", "agent"]  # fmt: skip
    glob = '* * * [*] "* * *" * * "*" "*"'
    rows = run(
        f"parse @message '{glob}' as {', '.join(names)} "
        "| filter ispresent(status) | stats count(*) as n by status | sort status asc",
        COMBINED,
    )
    oracle = re.compile(
        r'(.*?) (.*?) (.*?) \[(.*?)\] "(.*?) (.*?) (.*?)" (.*?) (.*?) "(.*?)" "(.*)"'
    )
    counts: dict[str, int] = {}
    for line in COMBINED:
        match = oracle.search(line)
        if match:
            counts[match.group(8)] = counts.get(match.group(8), 0) + 1
    assert rows == [{"status": s, "n": str(n)} for s, n in sorted(counts.items())]
    assert len(names) == glob.count("*") == 11


def test_an_alb_access_log_line_parses_with_every_documented_field() -> None:
    names = ["type", "time", "elb", "client", "target", "request_processing_time",
             "target_processing_time", "response_processing_time", "elb_status_code",
             "target_status_code", "received_bytes", "sent_bytes", "request", "user_agent",
             "ssl_cipher", "ssl_protocol", "target_group_arn", "trace_id", "domain_name",
             "chosen_cert_arn", "matched_rule_priority", "request_creation_time",
             "actions_executed", "redirect_url", "error_reason", "target_port_list",
             "target_status_code_list", "classification", "classification_reason",
             "conn_trace_id"]  # fmt: skip
    glob = '* * * * * * * * * * * * "*" "*" * * * "*" "*" "*" * * "*" "*" "*" "*" "*" "*" "*" *'
    assert glob.count("*") == len(names) == 30
    rows = run(
        f"parse @message '{glob}' as {', '.join(names)} "
        "| fields client, elb_status_code, target_processing_time, request, conn_trace_id "
        "| sort target_processing_time desc",
        ALB,
    )
    parts = [re.findall(r'"[^"]*"|\S+', line) for line in ALB]  # oracle: a shell-like split
    expected = [
        {
            "client": p[3],
            "elb_status_code": p[8],
            "target_processing_time": p[6],
            "request": p[12].strip('"'),
            "conn_trace_id": p[29],
        }
        for p in sorted(parts, key=lambda p: float(p[6]), reverse=True)
    ]
    assert rows == expected


def test_a_long_in_list_and_a_deep_expression() -> None:
    values = [str(i) for i in range(2000)]
    messages = ["k=5", "k=1999", "k=2000", "k=x"]
    rows = run(
        f"parse 'k=*' as k | filter k in [{', '.join(values)}] | fields k | sort k asc", messages
    )
    assert [r["k"] for r in rows] == ["5", "1999"]
    deep = "(" * 90 + "1" + " + 1)" * 90
    assert run(f"fields {deep} as v | limit 1", messages) == [{"v": "91"}]
    too_deep = "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1)
    with pytest.raises(MalformedQueryError, match="nested at most"):
        run(f"fields {too_deep} as v", messages)
    with pytest.raises(MalformedQueryError, match="shallower"):
        run(f"fields {' + '.join(['1'] * 3000)} as v", messages)
    chained = " or ".join(f"k = '{v}'" for v in values[:500])
    assert len(run(f"parse 'k=*' as k | filter {chained}", messages)) == 1
