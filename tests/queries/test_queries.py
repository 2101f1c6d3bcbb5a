from __future__ import annotations

import datetime as dt

import pytest
from opsbook import queries
from opsbook.errors import ConfigurationError
from opsbook.queries.analyse import parse_athena, partition_groups, referenced_columns
from opsbook.queries.runs import athena_cost_usd, conform_frame
from sqlglot import exp


def test_every_shipped_query_parses_and_declares_what_it_uses() -> None:
    names = queries.names()
    assert {"cur/billing_periods", "cur/cost_by_service", "cur/amortized_cost_summary"} <= set(
        names
    )
    for name in names:
        query = queries.load(name)
        assert query.doc, f"{name} has no doc line"
        assert "--" not in query.sql.splitlines()[0]
        assert "{{" not in query.sql, f"{name}: a fragment was left unexpanded"


def test_every_shipped_query_filters_on_the_partition_and_binds_only_in_where() -> None:
    for name in queries.names():
        query = queries.load(name)
        tree = parse_athena(query.sql)
        if name == "cur/billing_periods":
            assert query.scan_all, "the only full-scan query says so in its header"
        else:
            assert not query.scan_all and partition_groups(tree), f"{name} reads every period"
        for placeholder in tree.find_all(exp.Placeholder):
            assert placeholder.find_ancestor(exp.Where), f"{name}: Athena binds only in WHERE"
        assert "resource_tags[" not in query.sql, f"{name}: use element_at for map keys"


def test_parameters_are_checked_before_anything_runs() -> None:
    query = queries.load("cur/cost_by_service")
    assert query.params["start_period"][0] == "month"
    assert query.check({"start_period": "2026-08", "end_period": "2026-10"})
    with pytest.raises(ConfigurationError, match="missing end_period"):
        query.check({"start_period": "2026-08"})
    with pytest.raises(ConfigurationError, match="undeclared account"):
        query.check({"start_period": "2026-08", "end_period": "2026-09", "account": "1"})
    with pytest.raises(ConfigurationError, match="must be a month"):
        query.check({"start_period": 2026, "end_period": "2026-09"})


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        pytest.param("month", "2026-12", True, id="month"),
        pytest.param("month", "2026-13", False, id="month-13"),
        pytest.param("month", "2026-00", False, id="month-0"),
        pytest.param("month", "2026-1", False, id="month-unpadded"),
        pytest.param("month", "2026-12' OR '1'='1", False, id="month-injection"),
        pytest.param("date", "2026-02-29", False, id="date-not-leap"),
        pytest.param("date", "2028-02-29", True, id="date-leap"),
        pytest.param("account_id", "123456789012", True, id="account"),
        pytest.param("account_id", "12345678901x", False, id="account-bad"),
        pytest.param("integer", True, False, id="bool-is-no-integer"),
        pytest.param("double", 3, True, id="int-as-double"),
        pytest.param("string", "a\x00b", False, id="nul"),
    ],
)
def test_typed_values(kind: str, value: object, ok: bool) -> None:
    if ok:
        assert queries.check_value("q", "p", kind, value) == value
    else:
        with pytest.raises(ConfigurationError, match=f"parameter p must be an? {kind}"):
            queries.check_value("q", "p", kind, value)


def test_dates_are_normalised_to_iso_text() -> None:
    assert queries.check_value("q", "d", "date", dt.date(2026, 9, 1)) == "2026-09-01"
    assert queries.check_value("q", "d", "any", dt.date(2026, 9, 1)) == "2026-09-01"
    with pytest.raises(ConfigurationError, match="string, number, boolean or date"):
        queries.check_value("q", "d", "any", [1])


def test_unknown_query_lists_the_shipped_ones() -> None:
    with pytest.raises(ConfigurationError, match="cur/billing_periods"):
        queries.load("cur/nope")
    with pytest.raises(ConfigurationError):
        queries.load("../settings")
    with pytest.raises(ConfigurationError, match="no query named 'cur/nope'"):
        queries.resolve("cur/nope")
    with pytest.raises(ConfigurationError, match="empty query"):
        queries.resolve("  ")


def test_ad_hoc_sql_declares_parameters_by_using_them() -> None:
    query = queries.resolve("SELECT count(*) AS n FROM cur WHERE billing_period = :month -- :no")
    assert query.name == "ad-hoc" and set(query.params) == {"month"}
    assert query.check({"month": "2026-09"}) == {"month": "2026-09"}
    with pytest.raises(ConfigurationError, match="undeclared extra"):
        query.check({"month": "2026-09", "extra": 1})


def test_header_and_placeholders_must_agree() -> None:
    text = "-- name: q\n-- doc: d\n-- param: a string  help\nSELECT 1 WHERE x = :a AND y = :b"
    with pytest.raises(ConfigurationError, match="differ from declared"):
        queries.parse(text, "cur/q")
    with pytest.raises(ConfigurationError, match="must start with"):
        queries.parse("-- name: other\nSELECT 1", "cur/q")
    with pytest.raises(ConfigurationError, match="unknown type"):
        queries.parse("-- name: q\n-- param: a text\nSELECT :a", "cur/q")
    with pytest.raises(ConfigurationError, match="scan: all periods"):
        queries.parse("-- name: q\n-- scan: everything\nSELECT 1", "cur/q")
    quoted = "-- name: q\n-- doc: d\nSELECT ':00' AS t, x::int FROM cur"
    assert queries.parse(quoted, "cur/q").params == {}


def test_fragments_expand_once_and_unknown_ones_are_named() -> None:
    sql = queries.expand_fragments("SELECT sum({{ upfront_fees }}) FROM cur", "q")
    assert sql.startswith("SELECT sum((CASE") and "SavingsPlanUpfrontFee" in sql
    with pytest.raises(
        ConfigurationError, match=r"no SQL fragment \{\{nope\}\}; fragments: .*amortized_cost"
    ):
        queries.expand_fragments("SELECT {{nope}}", "q")


def test_referenced_columns_leave_out_aliases_but_keep_shadowed_columns() -> None:
    tree = parse_athena(
        "SELECT line_item_product_code AS service, sum(cost) AS cost FROM cur "
        "WHERE billing_period = :m ORDER BY service"
    )
    assert referenced_columns(tree) == {"line_item_product_code", "cost", "billing_period"}
    assert "*" in referenced_columns(parse_athena("SELECT * FROM cur"))


def test_only_one_select_is_accepted() -> None:
    with pytest.raises(ConfigurationError, match="only SELECT"):
        parse_athena("DROP TABLE cur")
    with pytest.raises(ConfigurationError, match="one SQL statement"):
        parse_athena("SELECT 1; SELECT 2")
    with pytest.raises(ConfigurationError, match="cannot parse"):
        parse_athena("SELECT FROM WHERE (")


def test_athena_price_rounds_up_to_the_megabyte_with_a_10_mb_minimum() -> None:
    assert athena_cost_usd(1) == athena_cost_usd(10 * 2**20) == 10 / 2**20 * 5
    assert athena_cost_usd(10 * 2**20 + 1) == 11 / 2**20 * 5
    assert athena_cost_usd(2**40) == pytest.approx(5.0)


def test_conformed_frames_share_dtypes() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {"s": ["a", None], "i": [1, 2], "f": [1.0, None], "t": pd.to_datetime(["2026-01-01", None])}
    )
    kinds = conform_frame(frame).dtypes.astype(str).tolist()
    assert kinds == ["string", "Int64", "float64", "datetime64[ns]"]
