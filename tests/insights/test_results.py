from __future__ import annotations

import datetime as dt

import pandas as pd
from opsbook.insights import Result, frame_from_records
from opsbook.insights.compiler import Column
from opsbook.insights.results import format_value, sort_key


def test_values_render_as_get_query_results_strings() -> None:
    assert (
        format_value(dt.datetime(2024, 5, 19, 6, 10, 35, 743999), "ts") == "2024-05-19 06:10:35.743"
    )
    aware = dt.datetime(2024, 5, 19, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_value(aware, "ts") == "2024-05-19 06:00:00.000"
    assert [format_value(v, "num") for v in (3.0, 2.5, -0.0, 1e20)] == ["3", "2.5", "0", "1e+20"]
    assert format_value(False, "bool") == "0"
    assert format_value('{"a": [1, 2]}', "json") == '{"a":[1,2]}'
    assert format_value('"text"', "json") == "text"
    assert format_value(None, "str") is None


def test_records_omit_absent_fields_and_keep_column_order() -> None:
    result = Result(
        [Column("bin(5m)", "ts"), Column("count(*)", "num"), Column("k", "str")],
        [(dt.datetime(2026, 1, 1), 4.0, None), (dt.datetime(2026, 1, 1, 0, 5), 1.0, "x")],
        {"recordsScanned": 5.0},
    )
    assert result.records() == [
        [
            {"field": "bin(5m)", "value": "2026-01-01 00:00:00.000"},
            {"field": "count(*)", "value": "4"},
        ],
        [
            {"field": "bin(5m)", "value": "2026-01-01 00:05:00.000"},
            {"field": "count(*)", "value": "1"},
            {"field": "k", "value": "x"},
        ],
    ]
    frame = result.frame()
    assert list(frame.columns) == ["bin(5m)", "count(*)", "k"]
    assert str(frame["bin(5m)"].dtype) == "datetime64[ms, UTC]"
    assert frame["count(*)"].tolist() == [4, 1]
    assert frame.attrs["statistics"] == {"recordsScanned": 5.0}
    assert pd.isna(frame["k"][0])


def test_frame_from_aws_records_infers_types_and_drops_ptr() -> None:
    records = [
        [{"field": "@timestamp", "value": "2026-01-01 00:00:00.250"}, {"field": "@ptr", "value": "p"},
         {"field": "latency", "value": "1.5"}, {"field": "path", "value": "/a"}],
        [{"field": "@timestamp", "value": "2026-01-01 00:00:01.000"}, {"field": "latency", "value": "2"}],
    ]  # fmt: skip
    frame = frame_from_records(records)
    assert list(frame.columns) == ["@timestamp", "latency", "path"]
    assert frame["@timestamp"][0] == pd.Timestamp("2026-01-01 00:00:00.250", tz="UTC")
    assert frame["latency"].dtype == "float64" and frame["path"].dtype == "string"


def test_python_sort_key_matches_the_documented_order() -> None:
    documented = ["!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj",
                  "a12345hfh", "0", "01", "1", "2", "3"]  # fmt: skip
    assert sorted(reversed(documented), key=sort_key) == documented
