"""Conformance of the offline Logs Insights engine, command by command and family by family.

Expected rows are worked out by hand from the documentation, or computed with independent
pandas/Python code over the same fixture events; never taken from the engine's own output.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import statistics

import duckdb
import pandas as pd
import pytest
from opsbook.insights import MalformedQueryError, run_query

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
APP = [
    (1.25, {"level": "INFO", "status": 200, "latency": 12.5, "path": "/cart",
            "user": {"id": "u1", "tier": "gold"}, "tags": ["a", "b"]}, "s1"),
    (150, {"level": "ERROR", "status": 503, "latency": 250, "path": "/checkout",
           "user": {"id": "u2"}}, "s1"),
    (299.999, {"level": "WARN", "status": "404", "latency": 3, "path": "/cart"}, "s2"),
    (300, {"level": "ERROR", "status": 500, "latency": 1000, "path": "/checkout",
           "user": {"id": "u1"}}, "s2"),
    (660, "Exception in thread main java.lang.NullPointerException", "s3"),
    (720, {"level": "INFO", "status": 201, "latency": 40, "path": "/orders",
           "x-request-id": "abc"}, "s3"),
]  # fmt: skip


def _table(events: list[tuple[float, object, str]], group: str = "/app") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "timestamp": [T0 + dt.timedelta(seconds=s) for s, _, _ in events],
            "message": [m if isinstance(m, str) else json.dumps(m) for _, m, _ in events],
            "log_stream": [stream for _, _, stream in events],
            "log_group": group,
            "ingestion_time": pd.Series([pd.NaT] * len(events), dtype="datetime64[ns, UTC]"),
        }
    )


def run(query: str, events: list | None = None, **kwargs: object) -> list[dict[str, str]]:
    con = duckdb.connect()
    frame = _table(APP if events is None else events)
    con.register("events", frame)
    end = kwargs.pop("end", T0 + dt.timedelta(days=1))
    return run_query(query, con, start=T0 - dt.timedelta(days=1), end=end, **kwargs).dicts()


def column(rows: list[dict[str, str]], name: str) -> list[str | None]:
    return [row.get(name) for row in rows]


def _app(field: str) -> list:
    """The fixture's values of a top-level JSON field, oldest first (None when absent)."""
    return [m.get(field) if isinstance(m, dict) else None for _, m, _ in APP]


# -- commands ---------------------------------------------------------------------------------


def test_filter_alone_returns_timestamp_and_message_newest_first() -> None:
    rows = run('filter level = "ERROR"')
    assert rows == [
        {"@timestamp": "2026-01-01 00:05:00.000", "@message": json.dumps(APP[3][1])},
        {"@timestamp": "2026-01-01 00:02:30.000", "@message": json.dumps(APP[1][1])},
    ]


def test_where_is_filter() -> None:
    assert run('where level = "ERROR"') == run('filter level = "ERROR"')


def test_fields_accumulate_and_absent_fields_are_omitted() -> None:
    rows = run("fields status | fields path | sort @timestamp asc")
    assert rows[0] == {"status": "200", "path": "/cart"}
    assert rows[4] == {}  # the plain-text event has neither field
    assert column(rows, "path") == _app("path")


def test_display_replaces_the_output_and_only_the_last_counts() -> None:
    rows = run("fields status, path | display status | display path | sort @timestamp asc")
    assert rows[0] == {"path": "/cart"}


def test_display_accepts_expressions() -> None:
    rows = run('display path, level = "ERROR" as isError | sort @timestamp asc')
    assert column(rows, "isError") == ["0", "1", "0", "1", None, "0"]


def test_stats_count_by_field_and_null_group() -> None:
    rows = run("stats count(*) as n by path")
    expected = pd.Series(_app("path")).value_counts(dropna=False)
    got = {row.get("path"): int(row["n"]) for row in rows}
    assert got == {(None if pd.isna(k) else k): v for k, v in expected.items()}


def test_stats_by_bin_labels_bucket_starts_and_invents_no_empty_buckets() -> None:
    rows = run("stats count(*) by bin(5m)")
    # seconds 1.25, 150, 299.999 -> 00:00; 300 -> 00:05; 660, 720 -> 00:10
    assert rows == [
        {"bin(5m)": "2026-01-01 00:00:00.000", "count(*)": "3"},
        {"bin(5m)": "2026-01-01 00:05:00.000", "count(*)": "1"},
        {"bin(5m)": "2026-01-01 00:10:00.000", "count(*)": "2"},
    ]


def test_stats_aggregations_match_pandas() -> None:
    latency = pd.Series([v for v in _app("latency") if v is not None], dtype=float)
    rows = run(
        "stats avg(latency) as a, sum(latency) as s, min(latency) as lo, max(latency) as hi, "
        "stddev(latency) as sd, count(user.id) as users, count_distinct(path) as paths, "
        "count() as events, pct(latency, 50) as p50, pct(latency, 90) as p90"
    )
    row = rows[0]
    assert float(row["a"]) == pytest.approx(latency.mean())
    assert float(row["s"]) == pytest.approx(latency.sum())
    assert (row["lo"], row["hi"]) == ("3", "1000")
    assert float(row["sd"]) == pytest.approx(statistics.stdev(latency))
    assert row["users"] == "3" and row["paths"] == "3" and row["events"] == "6"
    ordered = sorted(latency)
    # nearest rank: the ceil(p/100*n)-th smallest value
    assert float(row["p50"]) == ordered[math.ceil(0.5 * len(ordered)) - 1]
    assert float(row["p90"]) == ordered[math.ceil(0.9 * len(ordered)) - 1]


def test_earliest_latest_sortsfirst_sortslast() -> None:
    rows = run(
        "stats earliest(level) as e, latest(level) as l, sortsFirst(path) as f, "
        "sortsLast(path) as z"
    )
    assert rows == [{"e": "INFO", "l": "INFO", "f": "/cart", "z": "/orders"}]


def test_arithmetic_over_aggregates_and_alias_reuse_within_stats() -> None:
    rows = run(
        "filter ispresent(latency) | stats sum(latency) as total, count(*) as n, "
        "total / n as mean, sum(latency) / count(*) by path | sort path asc"
    )
    frame = pd.DataFrame([m for _, m, _ in APP if isinstance(m, dict)])
    expected = frame.groupby("path").latency.mean()
    assert [r["path"] for r in rows] == sorted(expected.index)
    for row in rows:
        assert float(row["mean"]) == pytest.approx(expected[row["path"]])
        assert float(row["sum(latency) / count(*)"]) == pytest.approx(expected[row["path"]])


def test_expression_inside_an_aggregation() -> None:
    rows = run("stats max(latency / 1000 * 2) as m")
    assert rows == [{"m": "2"}]


def test_second_stats_reads_the_first_stats_output_and_filter_between() -> None:
    rows = run("stats count(*) as n by path | filter n > 1 | stats sum(n) as total, count(*) as k")
    # paths: /cart 2, /checkout 2, /orders 1, (none) 1 -> n > 1: 2 + 2
    assert rows == [{"total": "4", "k": "2"}]


def test_sort_and_limit() -> None:
    rows = run("fields path, latency | sort latency desc | limit 2")
    assert rows == [
        {"path": "/checkout", "latency": "1000"},
        {"path": "/checkout", "latency": "250"},
    ]
    rows = run("fields latency | sort latency asc | limit 3")
    assert column(rows, "latency") == ["3", "12.5", "40"]


def test_sort_by_several_keys() -> None:
    rows = run("filter ispresent(path) | fields path, latency | sort path asc, latency desc")
    assert [(r["path"], r["latency"]) for r in rows] == [
        ("/cart", "12.5"), ("/cart", "3"), ("/checkout", "1000"), ("/checkout", "250"),
        ("/orders", "40"),
    ]  # fmt: skip


def test_limit_applies_to_stats_rows() -> None:
    assert len(run("stats count(*) by path | limit 2")) == 2


def test_parse_glob_documented_example_is_a_search_not_anchored() -> None:
    events = [(1, "2019-01-01 10:00:00 [ERROR] db timeout The error was: DivideByZero", "s")]
    rows = run('parse @message "[*] * The error was: *" as level, config, exception', events)
    row = rows[0]
    assert "level" not in row  # parse fields are not shown without fields/display
    rows = run(
        'parse "[*] * The error was: *" as level, config, exception | display level, config, exception',
        events,
    )
    assert rows == [{"level": "ERROR", "config": "db timeout", "exception": "DivideByZero"}]


def test_parse_regex_named_groups_and_non_matching_events_are_kept() -> None:
    rows = run('parse @message /"path": "\\/(?<section>[a-z]+)"/ | stats count(*) by section')
    got = {r.get("section"): r["count(*)"] for r in rows}
    assert got == {"cart": "2", "checkout": "2", "orders": "1", None: "1"}


def test_chained_parse_on_an_extracted_field() -> None:
    events = [(1, "user=alice@example.com action=login", "s")]
    rows = run(
        'parse "user=* action=*" as email, action | parse email "*@*" as name, domain '
        "| display name, domain, action",
        events,
    )
    assert rows == [{"name": "alice", "domain": "example.com", "action": "login"}]


def test_parsed_strings_compare_numerically() -> None:
    events = [(1, "Status Code: 503;", "s"), (2, "Status Code: 200;", "s"), (3, "none", "s")]
    rows = run('parse "Status Code: *;" as code | filter code >= 400 | display code', events)
    assert rows == [{"code": "503"}]


def test_dedup_keeps_first_in_sort_order_and_all_nulls() -> None:
    rows = run("display path, @timestamp | sort @timestamp desc | dedup path")
    paths = column(rows, "path")
    assert paths.count(None) == 1 and sorted(p for p in paths if p) == [
        "/cart",
        "/checkout",
        "/orders",
    ]
    newest_cart = next(r for r in rows if r.get("path") == "/cart")
    assert newest_cart["@timestamp"] == "2026-01-01 00:04:59.999"
    events = [(1, "{}", "s"), (2, "{}", "s"), (3, '{"k": 1}', "s"), (4, '{"k": 1}', "s")]
    rows = run("fields k | dedup k", events)
    assert column(rows, "k") == ["1", None, None]  # nulls are never duplicates


def test_only_limit_may_follow_dedup() -> None:
    with pytest.raises(MalformedQueryError, match="after dedup"):
        run("dedup path | sort path")
    assert len(run("dedup path | limit 1")) == 1


def test_unnest_makes_one_record_per_list_element() -> None:
    rows = run(
        "fields jsonParse(@message) as js | unnest js.tags into tag | filter ispresent(tag) "
        "| display tag, js.path as p"
    )
    assert sorted((r["tag"], r["p"]) for r in rows) == [("a", "/cart"), ("b", "/cart")]


def test_pattern_groups_messages_with_variable_tokens() -> None:
    events = [
        (1, "user 1 logged in", "s"),
        (2, "user 22 logged in", "s"),
        (3, "ERROR disk full", "s"),
    ]
    rows = run("pattern @message", events)
    assert rows[0] == {
        "@pattern": "user <Token-1> logged in",
        "@ratio": str(2 / 3),
        "@sampleCount": "2",
        "@severityLabel": "Unknown",
    }
    assert rows[1]["@pattern"] == "ERROR disk full" and rows[1]["@severityLabel"] == "Error"


# -- operators --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("latency > 100", [250, 1000]),
        ("latency >= 250", [250, 1000]),
        ("latency < 12.5", [3]),
        ("latency <= 12.5", [12.5, 3]),
        ("latency = 40", [40]),
        ("latency != 40", [12.5, 250, 3, 1000]),
        ('path = "/cart" and latency > 5', [12.5]),
        ('path = "/orders" or latency = 3', [3, 40]),
        ('not path = "/cart"', [250, 1000, 40]),
        ("latency * 2 + 1 > 500", [250, 1000]),
        ("latency / 4 = 62.5", [250]),
        ("latency % 7 = 5", [12.5, 40]),  # 12.5 % 7 = 5.5? no: 12.5 % 7 = 5.5
        ("2 ^ 3 = 8 and latency = 3", [3]),
        ('path like "heck"', [250, 1000]),
        ('path like "CHECK"', []),
        ("path like /^\\/c/", [12.5, 250, 3, 1000]),
        ("path =~ /(?i)CART/", [12.5, 3]),
        ('path not like "cart"', [250, 1000, 40]),
        ('path in ["/cart", "/orders"]', [12.5, 3, 40]),
        ('path not in ["/cart", "/orders"]', [250, 1000]),
        ("status in [500, 503]", [250, 1000]),
        ('status in ["404"]', [3]),
        ('level in ["ERR"]', []),
    ],
)
def test_operators(condition: str, expected: list[float]) -> None:
    if condition.startswith("latency % 7"):
        expected = [v for v in _app("latency") if v is not None and math.fmod(v, 7) == 5]
    rows = run(f"filter {condition} | fields latency | sort @timestamp asc")
    assert [float(v) for v in column(rows, "latency")] == expected


def test_arithmetic_values() -> None:
    rows = run("fields 2 ^ 3 as p, 10 % 3 as m, 7 / 2 as d, 1 / 0 as z, -latency as neg | limit 1")
    assert rows == [{"p": "8", "m": "1", "d": "3.5", "neg": "-40"}]


# -- functions --------------------------------------------------------------------------------


def one(expression: str, events: list | None = None) -> str | None:
    rows = run(f"fields {expression} as v | sort @timestamp asc | limit 1", events)
    return rows[0].get("v")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('trim("xyZxyfooxyxyZ", "xyZ")', "foo"),
        ('ltrim("xyZxyfooxyZ", "xyZ")', "fooxyZ"),
        ('rtrim("xyZfooxyxyZ", "xyZ")', "xyZfoo"),
        ('trim("  pad  ")', "pad"),
        ('ltrim("  pad  ")', "pad  "),
        ('substr("xyZfooxyZ", 3, 3)', "foo"),
        ('substr("xyZfooxyZ", 3)', "fooxyZ"),
        ('strlen("héllo")', "5"),
        ('toupper("aB")', "AB"),
        ('tolower("aB")', "ab"),
        ('concat(path, "-", level)', "/cart-INFO"),
        ('replace("a.b.c", ".", "-")', "a-b-c"),
        ('strcontains(path, "ar")', "1"),
        ('strcontains(path, "AR")', "0"),
        ('isempty("")', "1"),
        ("isempty(nothing)", "1"),
        ('isblank("  ")', "1"),
        ('isblank("x")', "0"),
        ('startsWith(path, "/c")', "1"),
        ('endsWith(path, "x")', "0"),
        ('regexReplace(path, /[aeiou]/, "_")', "/c_rt"),
        ('base64encode("hi")', "aGk="),
        ('base64decode("aGk=")', "hi"),
        ('urlencode("a b")', "a%20b"),
        ("abs(-2.5)", "2.5"),
        ("ceil(2.1)", "3"),
        ("floor(2.9)", "2"),
        ("greatest(1, latency, 5)", "12.5"),
        ("least(1, latency, 5)", "1"),
        ("log(1)", "0"),
        ("sqrt(16)", "4"),
        ("round(2.567, 2)", "2.57"),
        ('toNumber("42")', "42"),
        ("ispresent(user.tier)", "1"),
        ("ispresent(nothing)", "0"),
        ("coalesce(nothing, user.id)", "u1"),
        ('if(latency > 10, "slow", "fast")', "slow"),
        ('isNumeric("12")', "1"),
        ("toMillis(@timestamp)", str(int((T0 + dt.timedelta(seconds=1.25)).timestamp() * 1000))),
        ("fromMillis(1000)", "1970-01-01 00:00:01.000"),
        ("datefloor(@timestamp, 1h)", "2026-01-01 00:00:00.000"),
        ("dateceil(@timestamp, 1m)", "2026-01-01 00:01:00.000"),
        ("bin(1mo)", "2026-01-01 00:00:00.000"),
        ('isValidIp("10.0.0.1")', "1"),
        ('isValidIpV4("::1")', "0"),
        ('isValidIpV6("::1")', "1"),
        ('isIpInSubnet("10.0.1.7", "10.0.0.0/16")', "1"),
        ('isIpv4InSubnet("10.1.1.7", "10.0.0.0/16")', "0"),
        ('isIpv6InSubnet("2001:db8::1", "2001:db8::/32")', "1"),
        ('ipv4ToNumber("0.0.1.1")', "257"),
        ('isPrivateIP("192.168.1.1")', "1"),
        ("jsonParse(@message).user.tier", "gold"),
        ("jsonStringify(jsonParse(@message).tags)", '["a","b"]'),
        ("jsonArraySize(jsonParse(@message).tags)", "2"),
        ('jsonArrayContains(jsonParse(@message).tags, "b")', "1"),
        ('jsonArraySize(split("a,b,c", ","))', "3"),
        ("messageSize()", str(len(json.dumps(APP[0][1]).encode()))),
    ],
)
def test_functions(expression: str, expected: str) -> None:
    assert one(expression) == expected


def test_function_names_are_case_insensitive() -> None:
    assert one("isPresent(path)") == one("ispresent(path)") == "1"


def test_now_is_the_query_end_in_epoch_seconds() -> None:
    end = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    rows = run("fields now() as n | limit 1", end=end)
    assert rows[0]["n"] == str(int(end.timestamp()))


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected", "column_"),
    [
        ("fields nosuch(x)", "a known function", 8),
        ("fields coutn(*)", "did you mean count", 8),
        ("fields count(*)", "only allowed in stats", 8),
        ("stats count(*) | stats count(*) | stats count(*)", "at most 2 stats", 35),
        ("filter @message like /(unclosed/", "a valid regular expression", 22),
        ("stats count(*) as n | stats count(*) by bin(5m)", "@timestamp for bin()", 41),
        ("fields substr()", "2..3 argument(s)", 8),
        ("stats pct(latency, 150)", "between 0 and 100", 20),
        ("fields bin(5x)", "a time unit", 13),
    ],
)
def test_semantic_errors_are_malformed_query_errors_with_positions(
    query: str, expected: str, column_: int
) -> None:
    with pytest.raises(MalformedQueryError, match=re.escape(expected)) as caught:
        run(query)
    assert caught.value.column == column_
    assert "^" in str(caught.value)


# -- parse logfmt / csv, case() -----------------------------------------------------------------

LOGFMT = [
    (1, 'ts=2026-01-01T00:00:01Z level=info msg="user logged in" status=200 dur=12.5', "s1"),
    (2, 'level=error msg="upstream \\"db\\" timeout" status=503 dur=250', "s1"),
    (3, "level=error status=500 dur=1000 retry", "s2"),
    (4, "Exception in thread main", "s2"),
]
CSV = [
    (1, '10.0.0.1,"GET /cart?a=1,2",200,12.5', "s1"),
    (2, '10.0.0.2,"POST /pay ""now""",503', "s1"),
    (3, "10.0.0.1,GET /,404,3,extra", "s2"),
]


def test_parse_logfmt_gives_a_map_read_with_dot_notation() -> None:
    rows = run(
        "parse @message logfmt as lf | filter lf.status >= 500 | fields lf.level, lf.msg, lf.retry"
        " | sort @timestamp asc",
        LOGFMT,
    )
    assert rows == [
        {"lf.level": "error", "lf.msg": 'upstream "db" timeout'},
        {"lf.level": "error", "lf.retry": "true"},
    ]


def test_parse_logfmt_values_feed_stats_and_arithmetic() -> None:
    rows = run("parse logfmt as lf | stats count(*) as n, sum(lf.dur) as total by lf.level", LOGFMT)
    # By hand: error = 250 + 1000 over 2 events; info = 12.5; the plain line has no level.
    assert rows == [
        {"lf.level": "error", "n": "2", "total": "1250"},
        {"lf.level": "info", "n": "1", "total": "12.5"},
        {"n": "1"},
    ]


def test_parse_csv_binds_columns_by_position_with_quotes() -> None:
    rows = run(
        "parse csv as ip, request, status, latency | display ip, request, status, latency"
        " | sort @timestamp asc",
        CSV,
    )
    assert rows == [
        {"ip": "10.0.0.1", "request": "GET /cart?a=1,2", "status": "200", "latency": "12.5"},
        {"ip": "10.0.0.2", "request": 'POST /pay "now"', "status": "503"},
        {"ip": "10.0.0.1", "request": "GET /", "status": "404", "latency": "3"},
    ]


def test_parse_csv_on_an_extracted_field_and_numeric_compare() -> None:
    events = [(1, 'row: a,"b,c",7', "s"), (2, "row: x,y,2", "s"), (3, "nothing here", "s")]
    rows = run(
        'parse "row: *" as line | parse line csv as first, second, n | filter n > 5'
        " | fields first, second",
        events,
    )
    assert rows == [{"first": "a", "second": "b,c"}]


def test_parse_modes_keep_events_that_do_not_parse() -> None:
    assert len(run("parse csv as a | display a", CSV + [(9, "", "s")])) == 4
    assert run("parse logfmt as lf | filter not ispresent(lf) | display @message", LOGFMT) == []


def test_case_returns_the_value_of_the_first_true_condition() -> None:
    rows = run(
        "fields case(status >= 500, 'server', status >= 400, 'client', 'ok') as kind,"
        " case(latency > 100, latency, 'fast') as slow | sort @timestamp asc"
    )
    statuses = [200, 503, 404, 500, None, 201]
    latencies = [12.5, 250, 3, 1000, None, 40]
    expected = []
    for status, latency in zip(statuses, latencies, strict=True):
        # A missing status makes both conditions false (not missing): the default applies.
        status = -1 if status is None else status
        row = {"kind": "server" if status >= 500 else "client" if status >= 400 else "ok"}
        row["slow"] = "fast" if latency is None or latency <= 100 else str(int(latency))
        expected.append(row)
    assert rows == expected


@pytest.mark.parametrize(
    ("query", "expected", "column_"),
    [
        ("fields case(1)", "2 or more argument(s) for case()", 8),
        ("fields csv(x)", "a known function", 8),
        ("fields logfmt(x)", "a known function", 8),
    ],
)
def test_case_and_parse_modes_errors(query: str, expected: str, column_: int) -> None:
    with pytest.raises(MalformedQueryError, match=re.escape(expected)) as caught:
        run(query)
    assert caught.value.column == column_
