"""FOCUS 1.0, 1.1 and 1.2 exports, in the shape AWS's Data Exports writes them, read through the one
CUR mapping: the version told from the columns, the same SQL on each, and the DuckDB and Trino
renderings of the ``cur`` view giving the same rows."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
import sqlglot
from opsbook import athena
from opsbook.backends.aws.cur_view import CurTable, athena_view
from opsbook.backends.cur_mapping import FOCUS_ADDED, detect_flavour, focus_version
from opsbook.backends.local.cur_dialect import to_duckdb
from opsbook.backends.local.cur_files import find_cur_files
from opsbook.backends.local.cur_view import file_columns, open_view
from opsbook.errors import QueryFailedError
from opsbook.settings import resolve
from sqlglot import exp
from support.focus import FOCUS_SAMPLE, FOCUS_VERSIONS, aws_focus_export, glue_table, glue_types

MONTH = {"start_period": "2024-09", "end_period": "2024-09"}


@pytest.fixture
def raw_aws() -> pd.DataFrame:
    """The AWS rows of the FOCUS sample, as the CSV holds them."""
    raw = pd.read_csv(FOCUS_SAMPLE, na_values=["NULL"], keep_default_na=True)
    return raw[raw.ProviderName == "AWS"]


def _settings(root):
    return resolve(backend="local", data_dir=str(root), cache_dir="off")


def test_the_version_is_the_newest_one_whose_added_columns_are_present() -> None:
    base = ["BilledCost", "EffectiveCost", "ChargeCategory"]
    assert focus_version(base) == "1.0"
    for version, added in FOCUS_ADDED.items():
        for column in added:
            assert focus_version([*base, column]) == version
            assert focus_version([c.lower() for c in (*base, column)]) == version, "Glue names"
    assert focus_version([*base, "SkuMeter", "InvoiceId"]) == "1.2"
    assert FOCUS_ADDED["1.1"][:2] == ("CapacityReservationId", "CapacityReservationStatus")


@pytest.mark.parametrize("version", FOCUS_VERSIONS)
def test_an_aws_focus_export_of_each_version_is_detected(version: str, tmp_path) -> None:
    found = find_cur_files(_settings(aws_focus_export(tmp_path, version)))
    assert found.hive_key == "BILLING_PERIOD"
    columns = file_columns(found.files[0])
    assert detect_flavour(columns) == "focus"
    assert focus_version(columns) == version
    assert focus_version(glue_types(found.files[0])) == version


@pytest.mark.parametrize("version", FOCUS_VERSIONS)
def test_each_version_runs_the_same_cost_sql(version: str, tmp_path, raw_aws) -> None:
    settings = _settings(aws_focus_export(tmp_path, version))
    rows = athena.query("cur/cost_by_service", MONTH, settings=settings)
    assert rows.attrs["query"]["flavour"] == "focus"
    assert rows.attrs["query"]["partitions"] == ["2024-09"]
    assert rows.unblended_cost.sum() == pytest.approx(raw_aws.BilledCost.sum())
    totals = athena.query(
        "SELECT count(*) AS n, sum(effective_cost) AS effective, "
        "sum(pricing_public_on_demand_cost) AS list, count_if(cardinality(resource_tags) > 0) "
        "AS tagged FROM cur WHERE billing_period = :p",
        {"p": "2024-09"},
        settings=settings,
    ).iloc[0]
    assert totals.n == len(raw_aws) == 942
    assert totals.effective == pytest.approx(raw_aws.EffectiveCost.sum())
    assert totals.list == pytest.approx(raw_aws.ListCost.sum())
    assert totals.tagged == raw_aws.Tags.notna().sum()


def test_columns_added_by_1_1_are_reachable_lower_cased(tmp_path, raw_aws) -> None:
    settings = _settings(aws_focus_export(tmp_path, "1.1"))
    rows = athena.query(
        "SELECT servicesubcategory, count(*) AS n, sum(line_item_unblended_cost) AS billed, "
        "count(skumeter) AS metered, count(skupricedetails) AS detailed FROM cur "
        "WHERE billing_period = :p GROUP BY servicesubcategory",
        {"p": "2024-09"},
        settings=settings,
    ).set_index("servicesubcategory")
    assert rows.loc["Virtual Machines", "n"] == (raw_aws.ServiceCategory == "Compute").sum()
    assert rows.billed.sum() == pytest.approx(raw_aws.BilledCost.sum())
    assert rows.metered.sum() == rows.detailed.sum() == raw_aws.PricingUnit.notna().sum()
    with pytest.raises(QueryFailedError, match='"bill_invoice_id" not found'):  # a 1.2 column
        athena.query(
            "SELECT count(*) AS n FROM cur WHERE bill_invoice_id <> '' AND billing_period = :p",
            {"p": "2024-09"},
            settings=settings,
        )


def test_columns_added_by_1_2_map_to_their_cur_names(tmp_path, raw_aws) -> None:
    settings = _settings(aws_focus_export(tmp_path, "1.2"))
    rows = athena.query(
        "SELECT bill_invoice_id, pricing_currency, billingaccounttype, subaccounttype, "
        "sum(pricingcurrencyeffectivecost) AS pricing_effective, "
        "sum(effective_cost) AS effective, count(*) AS n "
        "FROM cur WHERE billing_period = :p GROUP BY 1, 2, 3, 4",
        {"p": "2024-09"},
        settings=settings,
    )
    assert rows.bill_invoice_id.tolist() == ["INV-1234567890123-2024-09"]
    assert rows.pricing_currency.tolist() == ["USD"]
    assert rows[["billingaccounttype", "subaccounttype"]].values.tolist() == [
        ["Billing Account", "Linked Account"]
    ]
    assert rows.pricing_effective[0] == pytest.approx(rows.effective[0])
    assert rows.n[0] == len(raw_aws)


@pytest.mark.parametrize("version", FOCUS_VERSIONS)
def test_duckdb_and_trino_views_give_the_same_rows(version: str, tmp_path) -> None:
    root = aws_focus_export(tmp_path, version)
    found = find_cur_files(_settings(root))
    con = duckdb.connect()
    raw = con.read_parquet([str(p) for p in found.files], hive_partitioning=True)
    local = open_view(con, found.files, "focus", found.hive_key).relation
    table = CurTable("billing", "focus_table", glue_types(found.files[0]), ["billing_period"])
    assert table.flavour == "focus"
    view = athena_view(table)
    assert isinstance(sqlglot.parse_one(view, read="trino"), exp.Select)
    assert 'TRY_CAST("billedcost" AS DOUBLE) AS "line_item_unblended_cost"' in view
    if version == "1.2":
        assert '(trim("invoiceid"), \'NULL\') AS VARCHAR) AS "bill_invoice_id"' in view
        assert ', "skupricedetails", ' in view, "a map passes through as it is"
    glue_table(con, raw, "billing.focus_table")
    athena_side = con.sql(to_duckdb(view))
    assert athena_side.columns == local.columns
    assert athena_side.types == local.types
    local.create_view("local_side")
    athena_side.create_view("athena_side")
    counts = con.execute(
        "SELECT (SELECT count(*) FROM local_side), "
        "(SELECT count(*) FROM (SELECT * FROM local_side EXCEPT ALL SELECT * FROM athena_side)), "
        "(SELECT count(*) FROM (SELECT * FROM athena_side EXCEPT ALL SELECT * FROM local_side))"
    ).fetchone()
    assert counts == (942, 0, 0), counts
    added = {c.lower() for v, cols in FOCUS_ADDED.items() if v <= version for c in cols}
    assert added <= set(local.columns), "every added column stays reachable"
