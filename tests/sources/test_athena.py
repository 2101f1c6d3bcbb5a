"""opsbook.athena on both engines: the local DuckDB engine over the sample org and small CURs made
in tmp_path (legacy, FOCUS), and the aws backend against a moto server plus botocore Stubber."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import boto3
import duckdb
import pandas as pd
import pytest
import requests
import sqlglot
from botocore.stub import Stubber
from opsbook import athena
from opsbook.backends.aws.athena_run import execution_request, run_execution
from opsbook.backends.aws.cur_dialect import athena_statement
from opsbook.backends.aws.cur_view import CurTable, athena_view
from opsbook.backends.local.cur_dialect import to_duckdb
from opsbook.backends.local.cur_files import find_cur_files
from opsbook.backends.local.cur_view import open_view
from opsbook.errors import (
    AccessDeniedError,
    ConfigurationError,
    NoDataError,
    QueryCancelledError,
    QueryFailedError,
)
from opsbook.queries.analyse import parse_athena
from opsbook.settings import resolve
from sqlglot import exp
from support.focus import FOCUS_SAMPLE, glue_table, glue_types

MONTHS = {"start_period": "2026-09", "end_period": "2026-10"}


@pytest.fixture
def settings(sample_dir: Path, tmp_path: Path):
    return resolve(backend="local", data_dir=str(sample_dir), cache_dir=str(tmp_path / "cache"))


def _files(settings) -> list[Path]:
    return sorted((settings.data_dir / "cur").rglob("*.parquet"))


# --- local engine ------------------------------------------------------------------------------


def test_billing_periods_are_the_three_closed_months_and_the_current_one(settings) -> None:
    periods = athena.describe_cur(settings=settings)
    assert periods.columns.tolist() == [
        "billing_period", "line_items", "accounts", "services", "first_usage", "last_usage",
        "unblended_cost",
    ]  # fmt: skip
    assert periods.billing_period.tolist() == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert (periods.accounts == 6).all()
    closed = periods.set_index("billing_period").unblended_cost
    assert closed["2026-11"] < closed["2026-10"], "the current month is partial (14 days)"
    assert str(periods.last_usage.max()) == "2026-11-15 00:00:00"
    facts = periods.attrs["query"]
    assert facts["engine"] == "duckdb" and facts["name"] == "cur/billing_periods"
    assert facts["files"] == 4 and facts["bytes_scanned"] > 0 and facts["elapsed_s"] > 0


def test_a_one_month_query_reads_only_that_month_and_only_its_columns(settings) -> None:
    one = athena.query(
        "cur/cost_by_service",
        {"start_period": "2026-09", "end_period": "2026-09"},
        settings=settings,
    )
    four = athena.query(
        "cur/cost_by_service",
        {"start_period": "2026-08", "end_period": "2026-11"},
        settings=settings,
    )
    assert one.attrs["query"]["partitions"] == ["2026-09"] and one.attrs["query"]["files"] == 1
    assert set(one.billing_period) == {"2026-09"}
    assert one.attrs["query"]["bytes_scanned"] < four.attrs["query"]["bytes_scanned"] / 3
    every_column = sum(f.stat().st_size for f in _files(settings))
    assert four.attrs["query"]["bytes_scanned"] < every_column / 10, "two columns of ~100"
    cost = four.attrs["query"]["cost_usd"]
    assert cost == pytest.approx(10 * 2**20 / 2**40 * 5), "under 10 MB: Athena's minimum"


def test_bytes_read_follow_the_parquet_footers(settings) -> None:
    import pyarrow.parquet as pq

    path = next(p for p in _files(settings) if "2026-10" in str(p))
    meta = pq.ParquetFile(path).metadata
    expected = sum(
        meta.row_group(g).column(c).total_compressed_size
        for g in range(meta.num_row_groups)
        for c in range(meta.num_columns)
        if meta.row_group(g).column(c).path_in_schema.split(".")[0] == "line_item_unblended_cost"
    )
    rows = athena.query(
        "SELECT sum(line_item_unblended_cost) AS c FROM cur WHERE billing_period = :m",
        {"m": "2026-10"},
        settings=settings,
    )
    assert rows.attrs["query"]["bytes_scanned"] == expected


def test_files_of_one_schema_are_not_all_opened_when_the_view_is_bound(settings) -> None:
    # union_by_name opens every file's footer at bind time and keeps them for the query (~2 MB
    # per 4 M-row file): files of one schema are read as a plain file list, with the same rows.
    found = find_cur_files(settings)
    con = duckdb.connect()
    by_name = open_view(con, found.files, "cur2", found.hive_key).relation
    plain = open_view(con, found.files, "cur2", found.hive_key, same_schema=True).relation
    assert "union_by_name := true" in by_name.sql_query()
    assert "union_by_name := false" in plain.sql_query()
    assert plain.columns == by_name.columns and plain.types == by_name.types
    # the same rows: their count and, per column, the sum of the values' hashes (order-free)
    fingerprint = "SELECT count(*), sum(hash(COLUMNS(*))) FROM ({})"
    assert (
        con.sql(fingerprint.format(plain.sql_query())).fetchall()
        == con.sql(fingerprint.format(by_name.sql_query())).fetchall()
    )


def test_files_whose_schemas_differ_are_read_by_name_with_the_widest_type(
    settings, tmp_path
) -> None:
    # Read as a plain file list, the first file's FLOAT would narrow the next month's DOUBLE.
    shutil.copytree(settings.data_dir / "cur", tmp_path / "cur")
    path = next(p for p in (tmp_path / "cur").rglob("*.parquet") if "2026-09" in str(p))
    narrow = path.with_name("narrow.parquet")
    duckdb.execute(
        "COPY (SELECT * REPLACE (CAST(line_item_unblended_cost AS FLOAT) AS line_item_unblended_cost) "
        f"FROM read_parquet('{path}')) TO '{narrow}' (FORMAT parquet)"
    )
    path.unlink()
    months = {"start_period": "2026-09", "end_period": "2026-10"}
    expected = athena.query("cur/cost_by_service", months, settings=settings, use_cache=False)
    got = athena.query(
        "cur/cost_by_service",
        months,
        settings=settings.replace(data_dir=str(tmp_path)),
        use_cache=False,
    )
    october = expected.billing_period == "2026-10"
    pd.testing.assert_frame_equal(got[october], expected[october], rtol=1e-12)
    pd.testing.assert_frame_equal(got[~october], expected[~october], rtol=1e-5)


def test_values_are_bound_and_bad_input_fails_before_anything_runs(settings, tmp_path) -> None:
    hostile = "2026-12' OR '1'='1"
    rows = athena.query(
        "SELECT count(*) AS n FROM cur WHERE billing_period = :p", {"p": hostile}, settings=settings
    )
    assert rows.n.tolist() == [0], "a hostile value is compared as a value, never run as SQL"
    nowhere = settings.replace(data_dir=str(tmp_path / "absent"))  # any run would say NoData
    bad = [
        ("cur/cost_by_service", {"start_period": "2026-13", "end_period": "2026-13"}, "YYYY-MM"),
        ("cur/cost_by_service", {"start_period": hostile, "end_period": "2026-10"}, "YYYY-MM"),
        ("cur/nope", None, "no query named"),
        ("cur/cost_by_service", {"start_period": "2026-09"}, "missing end_period"),
        ("SELECT 1 AS x FROM cur", None, "no billing_period condition"),
        ("SELECT :n AS x FROM cur WHERE billing_period = '2026-09'", {"n": 1}, "outside a WHERE"),
        ("DELETE FROM cur WHERE billing_period = '2026-09'", None, "only SELECT"),
    ]
    for name, params, message in bad:
        with pytest.raises(ConfigurationError, match=message):
            athena.query(name, params, settings=nowhere)
    with pytest.raises(NoDataError):
        athena.query("SELECT 1 AS x FROM cur", settings=nowhere, allow_full_scan=True)


def test_element_at_is_null_for_a_missing_key_and_the_subscript_fails_as_on_athena(
    settings,
) -> None:
    where = "FROM cur WHERE billing_period = '2026-09'"
    rows = athena.query(
        f"SELECT count(*) AS n, count(element_at(resource_tags, 'user_app')) AS tagged, "
        f"count(element_at(resource_tags, 'no_such_key')) AS none {where}",
        settings=settings,
    )
    assert rows.n[0] > rows.tagged[0] > 0 and rows.none[0] == 0
    with pytest.raises(QueryFailedError, match="Key not present in map.*user_app"):
        athena.query(f"SELECT resource_tags['user_app'] AS app {where}", settings=settings)
    assert "CARDINALITY(tags)" in to_duckdb("SELECT cardinality(tags) FROM cur")


def test_a_rerun_is_answered_from_the_cache_until_the_data_changes(settings, tmp_path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(settings.data_dir / "cur", copy / "cur")
    local = settings.replace(data_dir=str(copy))
    first = athena.query("cur/cost_by_service", MONTHS, settings=local)
    again = athena.query("cur/cost_by_service", MONTHS, settings=local)
    assert not first.attrs["query"]["cache_hit"] and again.attrs["query"]["cache_hit"]
    pd.testing.assert_frame_equal(first, again)
    assert not athena.query("cur/cost_by_service", MONTHS, settings=local, use_cache=False).attrs[
        "query"
    ]["cache_hit"]
    touched = next(p for p in (copy / "cur").rglob("*.parquet") if "2026-10" in str(p))
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    assert not athena.query("cur/cost_by_service", MONTHS, settings=local).attrs["query"][
        "cache_hit"
    ]


def test_a_failing_query_and_missing_data_say_what_to_do(settings, tmp_path: Path) -> None:
    with pytest.raises(QueryFailedError, match="no_such_column"):
        athena.query("SELECT no_such_column FROM cur", settings=settings, allow_full_scan=True)
    with pytest.raises(NoDataError, match="does not exist: run `opsbook sample generate`"):
        athena.describe_cur(settings=settings.replace(data_dir=str(tmp_path / "nope")))
    with pytest.raises(NoDataError, match="no CUR export under"):
        athena.describe_cur(settings=settings.replace(data_dir=str(tmp_path)))
    two = tmp_path / "two"
    shutil.copytree(settings.data_dir / "cur", two / "cur")
    (two / "cur" / "second-export").mkdir()
    with pytest.raises(ConfigurationError, match="set cur_export"):
        athena.describe_cur(settings=settings.replace(data_dir=str(two)))
    with pytest.raises(NoDataError, match="no CUR export 'other'"):
        athena.describe_cur(settings=settings.replace(data_dir=str(two), cur_export="other"))


def test_a_missing_column_names_the_export_setting_that_adds_it(settings, tmp_path) -> None:
    source = next(p for p in _files(settings) if "2026-09" in str(p))
    target = tmp_path / "cur" / "lean" / "data" / "BILLING_PERIOD=2026-09" / "lean.parquet"
    target.parent.mkdir(parents=True)
    duckdb.execute(
        f"COPY (SELECT * EXCLUDE (line_item_resource_id) FROM read_parquet('{source}')) "
        f"TO '{target}' (FORMAT parquet)"
    )
    lean = settings.replace(data_dir=str(tmp_path))
    with pytest.raises(ConfigurationError, match="line_item_resource_id.*INCLUDE_RESOURCES = TRUE"):
        athena.query(
            "cur/top_resources", {"start_period": "2026-09", "end_period": "2026-09"}, settings=lean
        )
    assert len(
        athena.query(
            "cur/cost_by_service",
            {"start_period": "2026-09", "end_period": "2026-09"},
            settings=lean,
        )
    )


def test_amortized_reconciles_with_unblended_on_the_sample(settings) -> None:
    rows = athena.query(
        "cur/amortized_cost_summary",
        {"start_period": "2026-08", "end_period": "2026-11"},
        settings=settings,
    )
    assert len(rows) == 4
    identity = rows.amortized_cost + rows.true_up + rows.upfront_fees
    assert (identity - rows.unblended_cost).abs().max() < 0.01
    assert (rows.true_up < 0).all(), "the sample has RIs and a Savings Plan every month"
    assert rows.upfront_fees.sum() > 0, "an all-upfront RI is bought in the sample"
    assert (rows.net_amortized_cost <= rows.amortized_cost + 1e-6).all()
    assert (rows.public_cost > rows.amortized_cost).all(), "commitments save money"


def _legacy_export(
    settings, root: Path, months: tuple[str, ...] = ("2026-09",), rows: int | None = None
) -> Path:
    """Write the sample's ``months`` as a legacy CUR under ``root``: flat tag columns (an
    untagged ``user_env`` is the empty string, as legacy CUR writes it), ``year=/month=``
    folders, no account names, no Savings Plan effective cost."""
    drop = "resource_tags, bill_payer_account_name, line_item_usage_account_name, savings_plan_savings_plan_effective_cost"
    limit = f" LIMIT {rows}" if rows else ""
    for month in months:
        source = next(p for p in _files(settings) if month in str(p))
        year, number = month.split("-")
        folder = root / "cur" / "legacy-report" / "legacy-report" / f"year={year}"
        folder = folder / f"month={int(number)}"
        folder.mkdir(parents=True)
        duckdb.execute(
            f"COPY (SELECT * EXCLUDE ({drop}), resource_tags['user_app'] AS resource_tags_user_app, "
            f"coalesce(resource_tags['user_env'], '') AS resource_tags_user_env "
            f"FROM read_parquet('{source}', hive_partitioning = false){limit}) "
            f"TO '{folder / 'legacy-report-1.snappy.parquet'}' (FORMAT parquet)"
        )
    return root


def test_legacy_cur_runs_the_same_sql_through_the_compatibility_view(settings, tmp_path) -> None:
    legacy = settings.replace(data_dir=str(_legacy_export(settings, tmp_path)))
    params = {"start_period": "2026-09", "end_period": "2026-09"}
    mine = athena.query("cur/cost_by_app", params, settings=legacy)
    native = athena.query("cur/cost_by_app", params, settings=settings)
    assert mine.attrs["query"]["flavour"] == "legacy"
    assert mine.attrs["query"]["partitions"] == ["2026-09"]
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), native.reset_index(drop=True))
    summary = athena.query("cur/amortized_cost_summary", params, settings=legacy)
    assert summary.unblended_cost[0] == pytest.approx(native.unblended_cost.sum())
    with pytest.raises(ConfigurationError, match="looks like legacy, but cur_flavour is 'cur2'"):
        athena.query("cur/cost_by_app", params, settings=legacy.replace(cur_flavour="cur2"))


def test_the_focus_sample_is_read_with_cur_names(settings, tmp_path) -> None:
    target = tmp_path / "cur" / "focus-export" / "data" / "focus_sample.csv"
    target.parent.mkdir(parents=True)
    shutil.copy(FOCUS_SAMPLE, target)  # fails, never skips, when the sample is missing
    focus = settings.replace(data_dir=str(tmp_path))
    rows = athena.query(
        "SELECT provider_name, count(*) AS n, sum(line_item_unblended_cost) AS billed, "
        "sum(pricing_public_on_demand_cost) AS list, sum(effective_cost) AS effective, "
        "count(line_item_usage_start_date) AS dated, "
        "count_if(cardinality(resource_tags) > 0) AS tagged "
        "FROM cur WHERE billing_period = :p GROUP BY provider_name ORDER BY n DESC",
        {"p": "2024-09"},
        settings=focus,
    )
    assert rows.attrs["query"]["flavour"] == "focus"
    raw = pd.read_csv(FOCUS_SAMPLE, na_values=["NULL"], keep_default_na=True)
    raw = raw[
        raw.BillingPeriodStart.str.startswith("2024-09")
    ]  # one Oracle row is billed in October
    by_provider = raw.groupby("ProviderName").agg(
        n=("BilledCost", "size"), billed=("BilledCost", "sum"), list=("ListCost", "sum")
    )
    assert rows.set_index("provider_name").n.to_dict() == {"AWS": 942, "Microsoft": 51, "Oracle": 6}
    for provider, row in rows.set_index("provider_name").iterrows():
        assert row.billed == pytest.approx(by_provider.loc[provider, "billed"])
        assert row.list == pytest.approx(by_provider.loc[provider, "list"])
    assert (rows.dated == rows.n).all(), "'YYYY-MM-DD HH:MM:SS' timestamps are parsed"
    assert rows.tagged.sum() == raw.Tags.notna().sum()
    with pytest.raises(
        ConfigurationError,
        match="line_item_net_unblended_cost, which this focus CUR lacks: FOCUS exports",
    ):
        athena.query(
            "cur/amortized_cost_summary",
            {"start_period": "2024-09", "end_period": "2024-09"},
            settings=focus,
        )


# --- aws backend -------------------------------------------------------------------------------


def _athena_column(name: str, kind: str) -> dict:
    return {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
            "Type": kind, "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": True}  # fmt: skip


def _recorded_results(frame: pd.DataFrame) -> dict:
    """What Athena returns for ``frame``: a header row, text values, Athena column types."""
    kinds = {
        "string": "varchar",
        "Int64": "bigint",
        "float64": "double",
        "datetime64[ns]": "timestamp",
    }
    header = [{"VarCharValue": c} for c in frame.columns]
    rows = [{"Data": header}] + [
        {"Data": [{"VarCharValue": repr(v) if isinstance(v, float) else str(v)} for v in row]}
        for row in frame.itertuples(index=False)
    ]
    columns = [_athena_column(c, kinds[str(t)]) for c, t in frame.dtypes.items()]
    return {"results": [{"rows": rows, "column_info": columns}]}


@pytest.fixture
def aws_settings(aws_env: str, clean_env: Path):
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="athena-results")
    glue = boto3.client("glue", region_name="us-east-1")
    glue.create_database(DatabaseInput={"Name": "cid_data_export"})
    columns = ["bill_payer_account_name", "line_item_product_code", "line_item_unblended_cost"]
    glue.create_table(
        DatabaseName="cid_data_export",
        TableInput={
            "Name": "cur2",
            "StorageDescriptor": {"Columns": [{"Name": c, "Type": "string"} for c in columns]},
            "PartitionKeys": [{"Name": "billing_period", "Type": "string"}],
        },
    )
    return resolve(
        backend="aws", region="us-east-1", athena_output_location="s3://athena-results/opsbook/"
    )


def test_a_missing_table_or_column_names_the_setting(aws_settings) -> None:
    with pytest.raises(
        ConfigurationError,
        match="no Glue table cid_data_export.nope: set athena_database and athena_table",
    ):
        athena.query(
            "cur/cost_by_service", MONTHS, settings=aws_settings.replace(athena_table="nope")
        )
    with pytest.raises(ConfigurationError, match="line_item_resource_id.*INCLUDE_RESOURCES"):
        athena.query("cur/top_resources", MONTHS, settings=aws_settings)


def test_the_statement_names_the_configured_table_and_binds_literals(settings) -> None:
    hostile = "2026-10' OR '1'='1"
    tree = parse_athena(
        "SELECT count(*) AS n FROM cur WHERE billing_period BETWEEN :a AND :b AND line_item_usage_account_id = :c"
    )
    sql, params = athena_statement(
        tree,
        {"a": "2026-08", "b": hostile, "c": 1},
        settings.replace(athena_database="billing", athena_table="cur_v2"),
    )
    assert '"billing"."cur_v2"' in sql and "BETWEEN ? AND ?" in sql and hostile not in sql
    assert params == ["'2026-08'", "'2026-10'' OR ''1''=''1'", "1"]


def _execution(state: str, scanned: int = 0, reason: str = "", reused: bool = False) -> dict:
    status = {"State": state, **({"StateChangeReason": reason} if reason else {})}
    return {"QueryExecution": {"QueryExecutionId": "q-1", "Status": status,
            "Statistics": {"DataScannedInBytes": scanned, "ResultReuseInformation": {"ReusedPreviousResult": reused}}}}  # fmt: skip


def _stubbed():
    client = boto3.client(
        "athena", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    return client, Stubber(client)


REQUEST = execution_request(
    "SELECT 1 FROM t WHERE billing_period = ?", ["'2026-09'"], database="cid_data_export",
    workgroup="finops", output="s3://athena-results/opsbook/", reuse_minutes=60,
)  # fmt: skip


def test_the_request_carries_workgroup_parameters_and_result_reuse() -> None:
    client, stub = _stubbed()
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q-1"},
        {
            "QueryString": "SELECT 1 FROM t WHERE billing_period = ?",
            "QueryExecutionContext": {"Database": "cid_data_export", "Catalog": "AwsDataCatalog"},
            "WorkGroup": "finops",
            "ExecutionParameters": ["'2026-09'"],
            "ResultConfiguration": {"OutputLocation": "s3://athena-results/opsbook/"},
            "ResultReuseConfiguration": {
                "ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": 60}
            },
        },
    )
    stub.add_response("get_query_execution", _execution("RUNNING", 10), {"QueryExecutionId": "q-1"})
    stub.add_response(
        "get_query_execution",
        _execution("SUCCEEDED", 12_345, reused=True),
        {"QueryExecutionId": "q-1"},
    )
    with stub:
        done = run_execution(
            client, REQUEST, name="q", timeout=None, max_bytes=2**40, sleep=lambda s: None
        )
    stub.assert_no_pending_responses()
    assert (done.query_id, done.bytes_scanned, done.reused) == ("q-1", 12_345, True)


@pytest.mark.parametrize("trigger", ["timeout", "interrupt", "bytes"])
def test_a_query_is_stopped_on_timeout_interrupt_or_cost_cap(trigger: str) -> None:
    client, stub = _stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    scanned = 5 * 2**30 if trigger == "bytes" else 0
    stub.add_response("get_query_execution", _execution("RUNNING", scanned))
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
    clock = iter([0.0, 100.0, 200.0])

    def sleep(seconds: float) -> None:
        if trigger == "interrupt":
            raise KeyboardInterrupt

    with (
        stub,
        pytest.raises(
            QueryCancelledError,
            match={"timeout": "timeout", "interrupt": "interrupted", "bytes": "max_query_cost_usd"}[
                trigger
            ],
        ) as caught,
    ):
        run_execution(client, REQUEST, name="q", timeout=30 if trigger == "timeout" else None,
                      max_bytes=2**30, sleep=sleep, clock=lambda: next(clock))  # fmt: skip
    stub.assert_no_pending_responses()  # StopQueryExecution was called
    assert caught.value.query_id == "q-1"


def test_failures_are_explained() -> None:
    client, stub = _stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stub.add_response(
        "get_query_execution",
        _execution("FAILED", reason="SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved"),
    )
    with stub, pytest.raises(QueryFailedError, match=r"'cur/q' failed \(q-1\): SYNTAX_ERROR.*'x'"):
        run_execution(
            client, REQUEST, name="cur/q", timeout=None, max_bytes=2**40, sleep=lambda s: None
        )

    client, stub = _stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stub.add_response(
        "get_query_execution",
        _execution(
            "FAILED", reason="TABLE_NOT_FOUND: Table awsdatacatalog.cid.cur2 does not exist"
        ),
    )
    with stub, pytest.raises(ConfigurationError, match="athena_database and athena_table"):
        run_execution(
            client, REQUEST, name="q", timeout=None, max_bytes=2**40, sleep=lambda s: None
        )

    client, stub = _stubbed()
    stub.add_client_error("start_query_execution", "AccessDeniedException", "not authorized")
    with stub, pytest.raises(AccessDeniedError, match="athena:StartQueryExecution"):
        run_execution(
            client, REQUEST, name="q", timeout=None, max_bytes=2**40, sleep=lambda s: None
        )

    # Throttling is retried by the client (backends/test_aws_clients.py); what outlasts it is said.
    client, stub = _stubbed()
    stub.add_client_error("start_query_execution", "TooManyRequestsException", "Rate exceeded")
    with stub, pytest.raises(QueryFailedError, match="kept throttling athena:StartQueryExecution"):
        run_execution(
            client, REQUEST, name="q", timeout=None, max_bytes=2**40, sleep=lambda s: None
        )


def test_reuse_can_be_turned_off() -> None:
    request = execution_request(
        "SELECT 1", [], database="d", workgroup="w", output=None, reuse_minutes=0
    )
    assert request["ResultReuseConfiguration"] == {
        "ResultReuseByAgeConfiguration": {"Enabled": False}
    }
    assert "ExecutionParameters" not in request and "ResultConfiguration" not in request


def test_dates_bind_on_both_engines(settings) -> None:
    rows = athena.query(
        "SELECT count(*) AS n FROM cur WHERE billing_period = '2026-09' "
        "AND line_item_usage_start_date >= CAST(:day AS TIMESTAMP)",
        {"day": dt.date(2026, 9, 30)},
        settings=settings,
    )
    assert rows.n[0] > 0


def test_a_long_local_query_is_stopped_at_the_timeout(settings) -> None:
    sql = (
        "SELECT count(*) AS n FROM cur a CROSS JOIN cur b "
        "WHERE a.billing_period = '2026-09' AND b.billing_period = '2026-09'"
    )
    started = time.monotonic()
    with pytest.raises(QueryCancelledError, match="0.3 s timeout"):
        athena.query(sql, settings=settings, timeout=0.3, use_cache=False)
    assert time.monotonic() - started < 10


def test_a_year_of_cur_and_a_one_month_query_reads_a_tenth_of_it(tmp_path, clean_env) -> None:
    from opsbook.sample.cur import write_cur
    from opsbook.sample.org import timeline

    facts = write_cur(tmp_path, timeline(dt.date(2026, 11, 15)), scale=0.05, closed_months=11)
    assert len(facts["billing_periods"]) == 12 and facts["billing_periods"][0] == "2025-12"
    with pytest.raises(ConfigurationError, match="closed_months must be from 3 to 36"):
        write_cur(tmp_path, timeline(dt.date(2026, 11, 15)), scale=0.05, closed_months=2)
    year = resolve(backend="local", data_dir=str(tmp_path), cache_dir="off")
    sql = (
        "SELECT sum(line_item_unblended_cost) AS c FROM cur WHERE billing_period BETWEEN :a AND :b"
    )
    one = athena.query(sql, {"a": "2026-10", "b": "2026-10"}, settings=year)
    whole = athena.query(sql, {"a": "2025-12", "b": "2026-11"}, settings=year)
    assert one.attrs["query"]["files"] == 1 and whole.attrs["query"]["files"] == 12
    assert one.attrs["query"]["bytes_scanned"] <= whole.attrs["query"]["bytes_scanned"] / 10


# --- legacy CUR and FOCUS tables on Athena --------------------------------------------------------


def _focus_export(root: Path) -> Path:
    target = root / "cur" / "focus-export" / "data" / "focus_sample.csv"
    target.parent.mkdir(parents=True)
    shutil.copy(FOCUS_SAMPLE, target)  # fails, never skips, when the sample is missing
    return root


def _focus_parquet(root: Path) -> Path:
    """The FOCUS sample as AWS's own export writes it: Parquet, real types, Tags a map."""
    target = root / "cur" / "focus-export" / "data" / "focus_sample.parquet"
    target.parent.mkdir(parents=True)
    typed = ", ".join(
        [f"try_cast(nullif({c}, 'NULL') AS DOUBLE) AS {c}" for c in ("BilledCost", "ListCost")]
        + [
            f"try_cast(nullif({c}, 'NULL') AS TIMESTAMP) AS {c}"
            for c in ("BillingPeriodStart", "ChargePeriodStart")
        ]
        + [
            "try_cast(json_transform(nullif(Tags, 'NULL'), '\"MAP(VARCHAR, VARCHAR)\"') "
            "AS MAP(VARCHAR, VARCHAR)) AS Tags"
        ]
    )
    duckdb.execute(
        f"COPY (SELECT * REPLACE ({typed}) FROM read_csv('{FOCUS_SAMPLE}', all_varchar = true)) "
        f"TO '{target}' (FORMAT parquet)"
    )
    return root


def _create_glue_table(name: str, types: dict[str, str], partitions: list[str]) -> None:
    boto3.client("glue", region_name="us-east-1").create_table(
        DatabaseName="cid_data_export",
        TableInput={
            "Name": name,
            "StorageDescriptor": {"Columns": [{"Name": c, "Type": t} for c, t in types.items()]},
            "PartitionKeys": [{"Name": p, "Type": "string"} for p in partitions],
        },
    )


def _scan_filter(statement: str, params: list[str], types: dict[str, str]) -> exp.Expression:
    """The WHERE that reaches the table scan once Trino-style predicate pushdown and subquery
    merging (sqlglot's optimizer, standing in for Trino's planner) have run on the statement."""
    from sqlglot.optimizer import optimize
    from sqlglot.optimizer.merge_subqueries import merge_subqueries
    from sqlglot.optimizer.pushdown_predicates import pushdown_predicates
    from sqlglot.optimizer.qualify import qualify

    tree = sqlglot.parse_one(statement, read="trino")
    for placeholder, value in zip(list(tree.find_all(exp.Placeholder)), params, strict=True):
        placeholder.replace(sqlglot.parse_one(value, read="trino"))
    table = next(t for t in tree.find_all(exp.Table) if t.db)
    schema = {table.db: {table.name: {c: "varchar" for c in types}}}
    plan = optimize(
        tree, schema=schema, dialect="trino", rules=[qualify, pushdown_predicates, merge_subqueries]
    )
    assert [t.name for t in plan.find_all(exp.Table)] == [table.name], "the view was merged"
    return plan.args["where"]


@pytest.mark.parametrize("flavour", ["legacy", "focus"])
def test_legacy_and_focus_tables_run_the_same_sql_on_athena(
    flavour: str, aws_settings, aws_env, settings, tmp_path
) -> None:
    if flavour == "legacy":
        local = settings.replace(data_dir=str(_legacy_export(settings, tmp_path)), cache_dir="off")
        months = {"start_period": "2026-09", "end_period": "2026-09"}
        partitions, keys = ["year", "month"], {"year", "month"}
        types = glue_types(next((tmp_path / "cur").rglob("*.parquet")))
    else:
        local = settings.replace(data_dir=str(_focus_export(tmp_path)), cache_dir="off")
        months = {"start_period": "2024-09", "end_period": "2024-09"}
        partitions, keys = ["billing_period"], {"billing_period"}
        types = glue_types(FOCUS_SAMPLE) | {"billedcost": "double", "tags": "map<string,string>"}
    table = f"{flavour}_cur"
    _create_glue_table(table, types, partitions)
    expected = athena.query("cur/cost_by_service", months, settings=local)
    assert expected.attrs["query"]["flavour"] == flavour and len(expected) > 1
    posted = requests.post(
        f"{aws_env}/moto-api/static/athena/query-results",
        json=_recorded_results(expected),
        timeout=10,
    )
    assert posted.status_code == 201
    remote = athena.query(
        "cur/cost_by_service", months, settings=aws_settings.replace(athena_table=table)
    )
    pd.testing.assert_frame_equal(remote, expected)  # CUR 2.0 names, the local engine's dtypes
    assert remote.attrs["query"]["flavour"] == flavour
    received = boto3.client("athena", region_name="us-east-1").get_query_execution(
        QueryExecutionId=remote.attrs["query"]["query_id"]
    )["QueryExecution"]
    statement = received["Query"]
    assert statement.startswith("WITH cur AS (SELECT ")
    assert f'FROM "cid_data_export"."{table}") SELECT' in statement
    assert "FROM cur WHERE billing_period BETWEEN ? AND ?" in statement
    bound = [f"'{months['start_period']}'", f"'{months['end_period']}'"]
    assert received["ExecutionParameters"] == bound, "values stay bound, never in the text"
    where = _scan_filter(statement, bound, types | {k: "" for k in keys})
    assert {c.name for c in where.find_all(exp.Column)} == keys, "the filter prunes partitions"
    if flavour == "focus":
        assert 'TRY_CAST("billedcost" AS DOUBLE) AS "line_item_unblended_cost"' in statement
        assert 'COALESCE("tags", CAST(MAP() AS MAP(VARCHAR, VARCHAR)))' in statement


def test_an_athena_table_of_no_known_flavour_or_lacking_a_column_is_refused(
    aws_settings,
) -> None:
    _create_glue_table("legacy_cur", {"line_item_unblended_cost": "double"}, ["year", "month"])
    _create_glue_table("other", {"cost": "double"}, [])
    odd = {"line_item_unblended_cost": "double", "line_item_product_code": "string"}
    _create_glue_table("odd", odd | {'resource_tags_user_a"b': "string"}, ["year", "month"])
    cases = [
        ("other", "cur/cost_by_service", {}, "cannot tell the CUR flavour"),
        ("odd", "cur/cost_by_service", {}, "a name Athena does not allow"),
        (
            "legacy_cur",
            "cur/cost_by_service",
            {},
            "needs column line_item_product_code, which the legacy table "
            "cid_data_export.legacy_cur lacks: legacy CUR has a column only in months",
        ),
        ("legacy_cur", "cur/cost_by_service", {"cur_flavour": "cur2"}, "looks like legacy"),
    ]
    for table, query, extra, message in cases:
        with pytest.raises(ConfigurationError, match=message):
            athena.query(query, MONTHS, settings=aws_settings.replace(athena_table=table, **extra))
    athena_client = boto3.client("athena", region_name="us-east-1")
    assert athena_client.list_query_executions()["QueryExecutionIds"] == [], "nothing ran"


@pytest.mark.parametrize("layout", ["legacy", "focus", "focus-parquet"])
def test_the_athena_view_is_trino_and_gives_the_rows_of_the_local_view(
    layout: str, settings, tmp_path
) -> None:
    flavour = layout.split("-")[0]
    if layout == "legacy":
        root = _legacy_export(settings, tmp_path, months=("2026-09", "2026-10"), rows=2000)
    else:
        root = (_focus_export if layout == "focus" else _focus_parquet)(tmp_path)
    found = find_cur_files(settings.replace(data_dir=str(root)))
    paths = [str(p) for p in found.files]
    con = duckdb.connect()
    types, partitions = glue_types(found.files[0]), []  # flat FOCUS: periods from the rows
    if layout == "focus":
        raw = con.read_csv(paths, all_varchar=True, header=True, union_by_name=True)
    else:
        raw = con.read_parquet(paths, hive_partitioning=flavour == "legacy", union_by_name=True)
        partitions = ["year", "month"] if flavour == "legacy" else []
    local = open_view(con, found.files, flavour, found.hive_key).relation
    table = CurTable("billing", "cur_table", types, partitions)
    view = athena_view(table)
    assert isinstance(sqlglot.parse_one(view, read="trino"), exp.Select)
    typed = 'TRY_CAST("billedcost" AS DOUBLE)' in view and 'coalesce("tags", CAST(MAP()' in view
    assert typed == (layout == "focus-parquet"), "typed Parquet columns skip the text clean-up"
    glue_table(con, raw, "billing.cur_table")
    athena_side = con.sql(to_duckdb(view))
    assert athena_side.columns == local.columns and athena_side.types == local.types
    local.create_view("local_side")
    athena_side.create_view("athena_side")
    counts = con.execute(
        "SELECT (SELECT count(*) FROM local_side), "
        "(SELECT count(*) FROM (SELECT * FROM local_side EXCEPT ALL SELECT * FROM athena_side)), "
        "(SELECT count(*) FROM (SELECT * FROM athena_side EXCEPT ALL SELECT * FROM local_side))"
    ).fetchone()
    assert counts[0] >= 1000 and counts[1:] == (0, 0), counts
    periods = sorted(
        r[0] for r in con.execute("SELECT DISTINCT billing_period FROM athena_side").fetchall()
    )
    assert periods == (["2026-09", "2026-10"] if flavour == "legacy" else ["2024-09", "2024-10"])
    tagged = con.execute(
        "SELECT count(*) FROM athena_side WHERE cardinality(resource_tags) > 0"
    ).fetchone()
    assert tagged[0] > 0
