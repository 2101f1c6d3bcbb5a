"""``filter … | sort … | limit N``: the first N rows and the records matched, in one pass.

The rows are checked against the same query without its ``limit`` (the engine's own order, cut
in Python), and the records matched against plain Python over the events.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import duckdb
import pandas as pd
import pytest
from opsbook.insights import run_query
from opsbook.insights.compiler import compile_query
from opsbook.insights.parser import parse_query

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _events(count: int = 400) -> list[tuple[int, dict]]:
    """Events with numbers, numbers as text, words and missing keys: every kind a sort meets."""
    draw = random.Random(7)
    events = []
    for i in range(count):
        message: dict = {"level": draw.choice(["ERROR", "INFO", "WARN"]), "id": i}
        kind = i % 5
        if kind == 0:
            message["k"] = draw.randint(-50, 50) + i / 1000  # unique numbers
        elif kind == 1:
            message["k"] = f"{draw.randint(0, 99) + i / 1000}"  # numbers written as text
        elif kind == 2:
            message["k"] = f"word{i:04d}"
        # 3, 4: no k at all
        events.append((i, message))
    return events


EVENTS = _events()


def _run(query: str):
    con = duckdb.connect()
    con.register(
        "events",
        pd.DataFrame(
            {
                "timestamp": [T0 + dt.timedelta(seconds=s) for s, _ in EVENTS],
                "message": [json.dumps(m) for _, m in EVENTS],
                "log_stream": "s",
                "log_group": "/app",
                "ingestion_time": pd.Series([pd.NaT] * len(EVENTS), dtype="datetime64[ns, UTC]"),
            }
        ),
    )
    return run_query(query, con, start=T0, end=T0 + dt.timedelta(hours=1))


@pytest.mark.parametrize("way", ["asc", "desc"])
@pytest.mark.parametrize("count", [1, 7, 60, 150, 1000])
@pytest.mark.parametrize(
    ("where", "matches"),
    [
        ('level = "ERROR"', lambda m: m["level"] == "ERROR"),
        ('level != "INFO" and id >= 100', lambda m: m["level"] != "INFO" and m["id"] >= 100),
    ],
    ids=["errors", "two-conditions"],
)
def test_the_first_rows_and_the_records_matched(where, matches, count: int, way: str) -> None:
    pipeline = f"filter {where} | fields id, k | sort k {way}"
    whole = _run(pipeline)
    cut = _run(f"{pipeline} | limit {count}")
    expected = sum(matches(m) for _, m in EVENTS)
    assert cut.statistics["recordsMatched"] == whole.statistics["recordsMatched"] == expected
    keys = [row.get("k") for row in whole.dicts()]
    assert [row.get("k") for row in cut.dicts()] == keys[:count]
    ids = {row["id"] for row in cut.dicts()}
    assert len(ids) == min(count, expected), "each event once"
    assert len(set(cut.pointers or [])) == len(cut.rows), "each event row keeps its @ptr"


def test_the_cut_holds_its_rows_not_every_match() -> None:
    text = 'filter level = "ERROR" | sort @timestamp desc | limit 20'
    compiled = compile_query(parse_query(text), start=T0, end=T0 + dt.timedelta(hours=1))
    assert "MATERIALIZED" not in compiled.sql
    assert "arg_min(" in compiled.sql and compiled.matched == "column"


def test_a_cut_before_any_filter_or_after_another_cut_is_a_plain_limit() -> None:
    for text in ("sort @timestamp desc | limit 5", 'filter level = "ERROR" | limit 50 | limit 5'):
        compiled = compile_query(parse_query(text), start=T0, end=T0 + dt.timedelta(hours=1))
        assert compiled.sql.rstrip().endswith("LIMIT 5") or " LIMIT 5)" in compiled.sql


def test_no_match_counts_zero() -> None:
    cut = _run('filter level = "FATAL" | sort id desc | limit 5')
    assert cut.rows == [] and cut.statistics["recordsMatched"] == 0
