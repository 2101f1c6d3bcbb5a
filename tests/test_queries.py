from __future__ import annotations

import pytest
from opsbook import queries
from opsbook.errors import ConfigurationError


def test_every_shipped_query_parses_and_declares_what_it_uses() -> None:
    names = queries.names()
    assert "cur/billing_periods" in names and "cur/cost_by_service" in names
    for name in names:
        query = queries.load(name)
        assert query.doc, f"{name} has no doc line"
        assert "--" not in query.sql.splitlines()[0]


def test_parameters_are_checked_before_anything_runs() -> None:
    query = queries.load("cur/cost_by_service")
    assert query.params["start_period"][0] == "string"
    assert query.check({"start_period": "2026-08", "end_period": "2026-10"})
    with pytest.raises(ConfigurationError, match="missing end_period"):
        query.check({"start_period": "2026-08"})
    with pytest.raises(ConfigurationError, match="undeclared account"):
        query.check({"start_period": "a", "end_period": "b", "account": "1"})
    with pytest.raises(ConfigurationError, match="must be a string"):
        query.check({"start_period": 2026, "end_period": "b"})


def test_unknown_query_lists_the_shipped_ones() -> None:
    with pytest.raises(ConfigurationError, match="cur/billing_periods"):
        queries.load("cur/nope")
    with pytest.raises(ConfigurationError):
        queries.load("../settings")


def test_header_and_placeholders_must_agree() -> None:
    text = "-- name: q\n-- doc: d\n-- param: a string  help\nSELECT 1 WHERE x = :a AND y = :b"
    with pytest.raises(ConfigurationError, match="differ from declared"):
        queries.parse(text, "cur/q")
    with pytest.raises(ConfigurationError, match="must start with"):
        queries.parse("-- name: other\nSELECT 1", "cur/q")
    quoted = "-- name: q\n-- doc: d\nSELECT ':00' AS t, x::int FROM cur"
    assert queries.parse(quoted, "cur/q").params == {}
