"""GetQueryResults extras of the offline engine: ``@ptr`` on event rows and query statistics.

Expected counts come from plain Python over the fixture events, never from the engine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import duckdb
import pandas as pd
import pytest
from opsbook.insights import DECISIONS, run_query
from opsbook.insights.results import frame_from_records

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
#: (seconds after T0, message, stream); the last two events are identical.
EVENTS = [
    (0, {"level": "INFO", "n": 1, "tags": ["a", "b"]}, "s1"),
    (1, {"level": "ERROR", "n": 2, "tags": ["c"]}, "s1"),
    (2, {"level": "ERROR", "n": 3}, "s2"),
    (3, {"level": "WARN", "n": 4}, "s2"),
    (4, {"level": "ERROR", "n": 5, "tags": ["d", "e", "f"]}, "s2"),
    (5, {"level": "ERROR", "n": 6}, "s3"),
    (5, {"level": "ERROR", "n": 6}, "s3"),
]


def messages() -> list[dict]:
    return [m for _, m, _ in EVENTS]


def result(query: str, **kwargs: object):
    con = duckdb.connect()
    con.register(
        "events",
        pd.DataFrame(
            {
                "timestamp": [T0 + dt.timedelta(seconds=s) for s, _, _ in EVENTS],
                "message": [json.dumps(m) for _, m, _ in EVENTS],
                "log_stream": [stream for _, _, stream in EVENTS],
                "log_group": "/app",
                "ingestion_time": pd.Series([pd.NaT] * len(EVENTS), dtype="datetime64[ns, UTC]"),
            }
        ),
    )
    return run_query(query, con, start=T0, end=T0 + dt.timedelta(hours=1), **kwargs)


ERRORS = sum(m["level"] == "ERROR" for m in messages())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('filter level = "ERROR"', ERRORS),
        ('filter level = "ERROR" | limit 2', ERRORS),
        ('filter level = "ERROR" | sort n asc | dedup n | limit 1', ERRORS),
        ('filter level = "ERROR" | fields n * 2 as m | stats count(*) by m', ERRORS),
        ('filter level = "ERROR" | stats count(*) as c by n | filter c > 99', ERRORS),
        ('filter level = "ERROR" | stats count(*) as c by n | stats sum(c) as t', ERRORS),
        ('filter level != "INFO" | filter n > 3 | unnest tags into t | limit 1',
         sum(m["level"] != "INFO" and m["n"] > 3 for m in messages())),
        ('filter n > 1 | stats count(*) as c by level | filter level = "nope"',
         sum(m["n"] > 1 for m in messages())),
        ("stats count(*) by level", len(EVENTS)),
        ("fields n | limit 1", len(EVENTS)),
        ("pattern @message", len(EVENTS)),
    ],
)  # fmt: skip
def test_records_matched_counts_filtered_events_before_limits_and_stats(
    query: str, expected: int
) -> None:
    stats = result(query).statistics
    assert "before the first stats" in DECISIONS["records_matched"].choice
    assert stats["recordsMatched"] == expected
    assert stats["recordsScanned"] == len(EVENTS)
    assert stats["bytesScanned"] == sum(len(json.dumps(m)) for m in messages())


def test_records_matched_when_the_default_row_cap_cuts_the_result() -> None:
    assert result('filter level = "ERROR"', limit=2).statistics["recordsMatched"] == ERRORS
    assert result("fields n", limit=2).statistics["recordsMatched"] == len(EVENTS)
    cut = result('filter n > 1 | display "x" as label', limit=2)  # a constant after the filter
    assert len(cut.rows) == 2 and cut.statistics["recordsMatched"] == len(EVENTS) - 1


def _ptrs(records: list[list[dict[str, str]]]) -> list[str]:
    assert all(row[-1]["field"] == "@ptr" for row in records)  # last, as on AWS
    return [row[-1]["value"] for row in records]


def test_event_rows_carry_a_stable_ptr_and_stats_rows_none() -> None:
    everything = result("fields n | sort @timestamp asc").records()
    errors = result('filter level = "ERROR" | fields @message | sort @timestamp asc').records()
    keys = [
        hashlib.md5(
            "\x1f".join(
                ["/app", stream, str(int((T0 + dt.timedelta(seconds=s)).timestamp() * 1000)),
                 json.dumps(m)]
            ).encode()
        ).hexdigest()
        for s, m, stream in EVENTS
    ]  # fmt: skip
    assert _ptrs(everything) == keys[:-1] + [keys[-1] + ".1"]  # identical events told apart
    picked = [k for k, (_, m, _) in zip(keys, EVENTS, strict=True) if m["level"] == "ERROR"]
    assert _ptrs(errors) == picked[:-1] + [picked[-1] + ".1"]
    stats = result("stats count(*) by level")
    assert all(c["field"] != "@ptr" for row in stats.records() for c in row)
    assert stats.response()["results"] == stats.records()


def test_ptr_is_in_the_response_but_not_in_dicts_or_the_typed_frame() -> None:
    found = result('filter level = "WARN" | fields n')
    response = found.response()
    assert response["status"] == "Complete"
    assert list(response["statistics"]) == ["recordsMatched", "recordsScanned", "bytesScanned"]
    assert [c["field"] for c in response["results"][0]] == ["n", "@ptr"]
    assert found.dicts() == [{"n": "4"}]
    frame = found.frame()
    assert list(frame.columns) == ["n"] and frame.attrs["results"][0][-1]["field"] == "@ptr"
    # the aws backend's typed path over the same response gives the same frame
    pd.testing.assert_frame_equal(frame_from_records(response["results"]), frame)
