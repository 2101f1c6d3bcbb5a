"""Every documented ambiguity (opsbook.insights.semantics.DECISIONS) is pinned by a test here."""

from __future__ import annotations

import datetime as dt
import json
import random

import duckdb
import pandas as pd
import pytest
from opsbook.insights import DECISIONS, run_query
from opsbook.insights.fields import discovered
from opsbook.insights.semantics import DEFAULT_ROW_LIMIT

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
#: The sort page's documented ascending order.
DOCUMENTED_ORDER = ["!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj",
                    "a12345hfh", "0", "01", "1", "2", "3"]  # fmt: skip


def run(query: str, messages: list[object], **kwargs: object) -> list[dict[str, str]]:
    con = duckdb.connect()
    frame = pd.DataFrame(
        {
            "timestamp": [T0 + dt.timedelta(seconds=i) for i in range(len(messages))],
            "message": [m if isinstance(m, str) else json.dumps(m) for m in messages],
            "log_stream": "s",
            "log_group": "/g",
            "ingestion_time": pd.Series([pd.NaT] * len(messages), dtype="datetime64[ns, UTC]"),
        }
    )
    con.register("events", frame)
    return run_query(query, con, start=T0, end=T0 + dt.timedelta(days=1), **kwargs).dicts()


def test_every_decision_is_listed_with_a_choice_and_a_reason() -> None:
    assert len(DECISIONS) >= 16
    for decision in DECISIONS.values():
        assert decision.question and decision.choice and decision.why


def test_natural_sort_matches_the_documented_example_and_desc_is_its_reverse() -> None:
    values = DOCUMENTED_ORDER[:]
    random.Random(4).shuffle(values)
    messages = [{"v": v} for v in values]
    assert [r["v"] for r in run("fields v | sort v asc", messages)] == DOCUMENTED_ORDER
    assert [r["v"] for r in run("fields v | sort v desc", messages)] == DOCUMENTED_ORDER[::-1]


def test_digit_runs_compare_by_length_then_value() -> None:
    rows = run("fields v | sort v asc", [{"v": "A10"}, {"v": "A9"}, {"v": "10"}, {"v": "9"}])
    assert [r["v"] for r in rows] == ["A9", "A10", "9", "10"]


def test_default_sort_direction_is_descending() -> None:
    assert DECISIONS["default_sort_direction"].choice == "desc"
    rows = run("fields v | sort v", [{"v": 1}, {"v": 3}, {"v": 2}])
    assert [r["v"] for r in rows] == ["3", "2", "1"]


def test_missing_values_sort_last_in_both_directions() -> None:
    messages = [{"v": 2}, {}, {"v": 1}]
    assert [r.get("v") for r in run("fields v | sort v asc", messages)] == ["1", "2", None]
    assert [r.get("v") for r in run("fields v | sort v desc", messages)] == ["2", "1", None]


def test_comparisons_with_a_missing_field_are_false() -> None:
    messages = [{"service": "x"}, {"service": "y"}, {}]
    assert len(run('filter service != "x"', messages)) == 1
    assert len(run('filter not (service = "x")', messages)) == 1
    assert len(run('filter service != "x" or not ispresent(service)', messages)) == 2


def test_stats_by_keeps_a_group_for_missing_keys() -> None:
    rows = run("stats count(*) as n by k", [{"k": "a"}, {}, {}])
    assert {r.get("k"): r["n"] for r in rows} == {"a": "1", None: "2"}


def test_numeric_strings_compare_with_numbers() -> None:
    messages = [{"s": 503}, {"s": "503"}, {"s": "abc"}]
    assert len(run("filter s = 503", messages)) == 2
    assert len(run('filter s = "503"', messages)) == 2
    assert len(run("filter s > 100", messages)) == 2  # "abc" is no number: never matches
    assert len(run('filter s > "2"', [{"s": "10"}])) == 1  # both numeric: numeric order


def test_booleans_render_as_one_and_zero() -> None:
    rows = run(
        'fields ispresent(a) as p, a = 1 as eq, isValidIp("x") as ip, strcontains("ab", "b") as c',
        [{"a": 1}],
    )
    assert rows == [{"p": "1", "eq": "1", "ip": "0", "c": "1"}]


def test_pct_is_nearest_rank_and_stddev_is_sample() -> None:
    messages = [{"x": v} for v in (1, 2, 3, 4)]
    rows = run("stats pct(x, 50) as p, pct(x, 51) as q, stddev(x) as s", messages)
    assert rows[0]["p"] == "2" and rows[0]["q"] == "3"
    assert float(rows[0]["s"]) == pytest.approx(pd.Series([1, 2, 3, 4]).std(ddof=1))


def test_count_distinct_is_exact() -> None:
    rows = run("stats count_distinct(x) as n", [{"x": i % 997} for i in range(3000)])
    assert rows == [{"n": "997"}]


def test_bin_caps_seconds_at_60() -> None:
    messages = [{} for _ in range(130)]  # one event per second from T0
    rows = run("stats count(*) as n by bin(300s)", messages)
    assert [r["n"] for r in rows] == ["60", "60", "10"]


def test_bin_aligns_to_the_epoch_and_labels_bucket_starts() -> None:
    rows = run("stats count(*) by bin(7d)", [{}])
    # 2026-01-01 is a Thursday, as is 1970-01-01: epoch-aligned weeks start on it.
    assert rows[0]["bin(7d)"] == "2026-01-01 00:00:00.000"


def test_lambda_memory_is_megabytes_times_a_million() -> None:
    line = (
        "REPORT RequestId: 6bd52a77-4f4f-4d1e-9a1e-1c2e3f4a5b6c\tDuration: 1.50 ms\t"
        "Billed Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t"
    )
    rows = run("fields @memorySize, @maxMemoryUsed", [line])
    assert rows == [{"@memorySize": "128000000", "@maxMemoryUsed": "64000000"}]
    assert discovered("@memorySize").kind == "num"


def test_parse_never_filters_and_trailing_star_is_greedy() -> None:
    rows = run('parse "a=*,*" as x, y | display x, y', ["a=1,2,3", "nothing"])
    assert rows == [{}, {"x": "1", "y": "2,3"}]


def test_unsorted_events_come_newest_first_and_stats_by_key() -> None:
    rows = run("fields v", [{"v": 1}, {"v": 2}])
    assert [r["v"] for r in rows] == ["2", "1"]
    rows = run("stats count(*) by v", [{"v": "b"}, {"v": "a"}])
    assert [r["v"] for r in rows] == ["a", "b"]


def test_log_field_is_the_group_name_and_ptr_is_not_a_field() -> None:
    assert "never a column" in DECISIONS["ptr"].choice
    rows = run("fields @log, @logStream, @ptr", [{}])
    assert rows == [{"@log": "/g", "@logStream": "s"}]


def test_time_range_is_half_open() -> None:
    assert DECISIONS["time_range"].choice.startswith("half-open [start, end)")
    con = duckdb.connect()
    con.register(
        "events",
        pd.DataFrame(
            {
                "timestamp": [T0, T0 + dt.timedelta(seconds=10), T0 + dt.timedelta(seconds=11)],
                "message": ["a", "b", "c"],
                "log_stream": "s",
                "log_group": "/g",
                "ingestion_time": pd.Series([pd.NaT] * 3, dtype="datetime64[ns, UTC]"),
            }
        ),
    )
    result = run_query("stats count(*) as n", con, start=T0, end=T0 + dt.timedelta(seconds=10))
    assert result.dicts() == [{"n": "1"}]  # the event at the end is the next window's
    assert result.statistics["recordsScanned"] == 1
    result = run_query("stats count(*) as n", con, start=T0, end=T0 + dt.timedelta(seconds=11))
    assert result.dicts() == [{"n": "2"}]


def test_division_by_zero_is_missing() -> None:
    assert run("fields 1 / 0 as z, 1 % 0 as m", [{}]) == [{}]


def test_default_row_cap() -> None:
    assert DEFAULT_ROW_LIMIT == 10_000
    assert len(run("fields @message", [{}] * 12, limit=5)) == 5
    assert len(run("fields @message | limit 7", [{}] * 12, limit=5)) == 7


def test_parse_logfmt_rules_quotes_bare_keys_repeats_and_non_logfmt() -> None:
    assert "last value" in DECISIONS["parse_logfmt"].choice
    lines = ['a=1 a=2 q="x \\"y\\" z" flag', "   ", 'k="unclosed rest']
    rows = run(
        "parse logfmt as lf | fields lf.a, lf.q, lf.flag, lf.k, ispresent(lf) as has"
        " | sort @timestamp asc",
        lines,
    )
    assert rows == [
        {"lf.a": "2", "lf.q": 'x "y" z', "lf.flag": "true", "has": "1"},
        {"has": "0"},
        {"lf.k": "unclosed rest", "has": "1"},
    ]


def test_parse_csv_short_long_and_empty_columns() -> None:
    assert "positionally" in DECISIONS["parse_csv"].choice
    rows = run("parse csv as a, b, c | display a, b, c | sort @timestamp asc", ["1", "1,,3,4", ""])
    assert rows == [{"a": "1"}, {"a": "1", "b": "", "c": "3"}, {}]


def test_case_without_default_is_missing_and_null_conditions_are_false() -> None:
    assert "missing value" in DECISIONS["case_default"].choice
    rows = run(
        "fields case(n > 5, 'big', n > 1, 'mid') as size | sort @timestamp asc",
        [{"n": 9}, {"n": 2}, {"n": 0}, {"m": 1}],
    )
    assert rows == [{"size": "big"}, {"size": "mid"}, {}, {}]


def test_date_patterns_zone_applies_without_offset_and_z_prints_the_zone_given() -> None:
    assert "Java DateTimeFormatter" in DECISIONS["date_patterns"].choice
    rows = run(
        "fields parseDate(a, 'yyyy-MM-dd HH:mm Z', 'Asia/Tokyo') as own, "
        "parseDate(b, 'yyyy-MM-dd HH:mm', 'Asia/Tokyo') as zoned, "
        "formatDate(0, 'z', 'Asia/Tokyo') as name, strftime(0, '%Z', '+02:00') as offset, "
        "parseDate(b, 'dd.MM.yyyy') as bad",
        [{"a": "1970-01-01 09:00 +0000", "b": "1970-01-01 09:00"}],
    )
    # 09:00 read with its own +0000; 09:00 in Tokyo (+09:00) is the epoch; no match is missing
    assert rows == [{"own": "32400000", "zoned": "0", "name": "Asia/Tokyo", "offset": "+02:00"}]
