"""Discovered fields held as ``field:<name>`` columns answer as the JSON message does.

The oracle is the same events with the fields only inside ``@message`` (a JSON object), which
the engine has always read; the columns must give the same rows. A message that fails when it
is computed shows it is computed only for a query that reads it.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
from opsbook.insights import FIELD_COLUMN, run_query

START = dt.datetime(2026, 11, 14, 12, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=2)
FIELDS = ("status", "path", "latency", "client:port")
RECORDS = [
    {"status": str(s), "path": p, "latency": str(lat), "client:port": f"10.0.0.{i % 3}:80"}
    for i, (s, p, lat) in enumerate(
        [(200, "/a", 0.1), (503, "/b", 2.5), (200, "/a", 0.3), (500, "/c", 1.0), (404, "/a", 0.2),
         (503, "/b", 0.9), (200, "/c", 0.05), (502, "/a", 4.0)]
    )
]  # fmt: skip
QUERIES = [
    "filter status >= 500 | stats count(*) as n by bin(30m) as t",
    "stats pct(latency, 99) as p99, avg(latency) as mean, count(*) as n by `client:port`",
    "filter path = '/a' | fields @timestamp, status, latency | sort latency desc",
    "fields @timestamp, @message | sort @timestamp asc | limit 3",
    "filter @message like /503/ | fields status, path",
    'parse @message \'"path":"*"\' as p | stats count(*) by p',
    "fields concat(path, '-', status) as key, missing | sort key asc",
    "fields path, status | dedup path",
    "stats count(*) as n by path | sort n desc | limit 2",
    "fields status as path | filter path = '503' | fields path",
    "filter status in (SOURCE 'g' | filter latency > 1 | fields status) | stats count(*) as n",
]


def _connection(columns: bool, message: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    rows = []
    for i, record in enumerate(RECORDS):
        at = START + dt.timedelta(minutes=10 * i)
        rows.append((at, json.dumps(record, separators=(",", ":")), *record.values()))
    names = ", ".join(f'"{FIELD_COLUMN}{f}" VARCHAR' for f in FIELDS)
    con.execute(f"CREATE TABLE raw (timestamp TIMESTAMPTZ, message VARCHAR, {names})")
    con.executemany(f"INSERT INTO raw VALUES ({', '.join(['?'] * (2 + len(FIELDS)))})", rows)
    extra = ", " + ", ".join(f'"{FIELD_COLUMN}{f}"' for f in FIELDS) if columns else ""
    con.execute(
        f"CREATE VIEW events AS SELECT timestamp, {message or 'message'} AS message, "
        "'s' AS log_stream, 'g' AS log_group, CAST(NULL AS TIMESTAMPTZ) AS ingestion_time"
        f"{extra} FROM raw"
    )
    return con


@pytest.mark.parametrize("text", QUERIES)
def test_field_columns_answer_as_the_json_message(text: str) -> None:
    expected = run_query(text, _connection(False), start=START, end=END, statistics=False)
    got = run_query(text, _connection(True), start=START, end=END, statistics=False)
    assert got.dicts() == expected.dicts()
    assert got.statistics == expected.statistics


@pytest.mark.parametrize(
    ("text", "reads_message"),
    [
        ("filter status >= 500 | stats count(*) as n by bin(5m)", False),
        ("stats pct(latency, 99) by `client:port`", False),
        ("stats count(*) as n by path | sort n desc | limit 2", False),
        ("fields status, path | sort status desc | limit 2", True),  # event rows have an @ptr
        ("filter @message like /x/ | stats count(*)", True),
    ],
)
def test_the_message_is_computed_only_when_read(text: str, reads_message: bool) -> None:
    con = _connection(True, message="error('the message was built: ' || message)")
    if reads_message:
        with pytest.raises(Exception, match="the message was built"):
            run_query(text, con, start=START, end=END, statistics=False)
    else:
        assert run_query(text, con, start=START, end=END, statistics=False).rows


def test_a_field_column_is_the_field_of_that_exact_name() -> None:
    # Field names are case-sensitive; SQL identifiers are not.
    got = run_query("fields Status, status | limit 1", _connection(True), start=START, end=END)
    assert [(c["field"], c["value"]) for c in got.records()[0] if c["field"] != "@ptr"] == [
        ("status", RECORDS[-1]["status"])
    ]
