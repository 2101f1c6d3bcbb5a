"""Property tests: no query text ever crashes the engine with anything but a MalformedQueryError."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opsbook.errors import OpsbookError
from opsbook.insights import MalformedQueryError, parse_query, run_query

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TOKENS = [
    "fields", "filter", "stats", "sort", "limit", "parse", "dedup", "display", "unnest", "pattern",
    "where", "by", "as", "and", "or", "not", "like", "in", "into", "asc", "desc", "count(*)",
    "bin(5m)", "@message", "@timestamp", "status", "a.b", "`x-y`", "|", ",", "(", ")", "[", "]",
    "=", "!=", "<", ">=", "+", "-", "*", "/", "%", "^", "=~", "'s'", '"*"', "/re/", "/(?<g>x)/",
    "1", "2.5", "5m", "abs(", "pct(", "ispresent(", "jsonParse(", ".", "#c\n", "\n", " ",
]  # fmt: skip
_CON = duckdb.connect()
_CON.register(
    "events",
    pd.DataFrame(
        {
            "timestamp": [T0, T0 + dt.timedelta(minutes=7)],
            "message": ['{"status": 500, "a": {"b": "x"}}', "plain [text] line"],
            "log_stream": "s",
            "log_group": "/g",
            "ingestion_time": [T0, T0],
        }
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_any_text_parses_or_raises_malformed_query(text: str) -> None:
    try:
        parse_query(text)
    except MalformedQueryError as error:
        assert error.line >= 1 and error.column >= 1 and "^" in str(error)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14))
def test_token_soup_runs_or_fails_as_an_opsbook_error(tokens: list[str]) -> None:
    text = " ".join(tokens)
    try:
        run_query(text, _CON, start=T0, end=T0 + dt.timedelta(hours=1), statistics=False)
    except MalformedQueryError as error:
        assert "^" in str(error)
    except OpsbookError:
        pass  # a well-formed query failing at run time is reported as an opsbook error
