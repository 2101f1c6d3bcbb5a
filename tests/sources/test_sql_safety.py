"""CUR SQL cannot read around its guards: only ``cur`` and its own WITH queries, judged on the
syntax tree; a billing-period bound that is always true is no bound; local SQL runs in a DuckDB
sandbox (the export's files only, bounded memory, a default timeout); names from the files are
quoted, never formatted into the SQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from opsbook import athena
from opsbook.backends.aws.cur_dialect import athena_statement
from opsbook.backends.aws.cur_view import CurTable, athena_view
from opsbook.errors import ConfigurationError, QueryCancelledError, QueryFailedError
from opsbook.queries.analyse import parse_athena
from opsbook.settings import resolve

MONTH = "billing_period = '2026-10'"


@pytest.fixture
def uncached(sample_dir: Path, clean_env: Path):
    return resolve(backend="local", data_dir=str(sample_dir), cache_dir="off")


FOREIGN = {
    "qualified cur": (f"SELECT count(*) AS n FROM main.cur WHERE {MONTH}", "main.cur"),
    "the Glue table": ("SELECT count(*) AS n FROM cid_data_export.cur2", "cid_data_export.cur2"),
    "a catalog path": ('SELECT * FROM "awsdatacatalog"."cid_data_export"."cur2"', '"cur2"'),
    "a file": ("SELECT * FROM read_text('/etc/hostname')", "READ_TEXT('/etc/hostname')"),
    "files": ("SELECT * FROM read_parquet('data/**/*.parquet')", "READ_PARQUET"),
    "opsbook's own table": ("SELECT * FROM opsbook_periods", "opsbook_periods"),
    "the catalog": ("SELECT * FROM information_schema.tables", "information_schema.tables"),
    "a settings function": ("SELECT * FROM duckdb_settings()", "DUCKDB_SETTINGS()"),
    "a WITH query named cur": ("WITH cur AS (SELECT 1 AS x) SELECT x FROM cur", "WITH query cur"),
    "a name no WITH covers": ("WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a",
                              "reads b:"),
    "a table in a subquery": (f"SELECT count(*) AS n FROM cur WHERE {MONTH} AND "
                              "line_item_product_code IN (SELECT code FROM other)", "other"),
}  # fmt: skip


@pytest.mark.parametrize("backend", ["local", "aws"])
@pytest.mark.parametrize("case", FOREIGN)
def test_queries_read_only_cur_and_their_own_with_queries(
    case: str, backend: str, uncached
) -> None:
    sql, named = FOREIGN[case]
    settings = uncached.replace(backend=backend)  # refused before any engine or AWS is asked
    with pytest.raises(ConfigurationError, match="read only the logical table cur") as caught:
        athena.query(sql, settings=settings, allow_full_scan=True)
    assert named in str(caught.value)


NO_BOUND = {
    "upper-case CUR": "SELECT count(*) AS n FROM CUR",
    "quoted cur": 'SELECT count(*) AS n FROM "cur"',
    "always true": "SELECT count(*) AS n FROM cur WHERE billing_period = '2026-10' OR 1 = 1",
    "not null": "SELECT count(*) AS n FROM cur WHERE billing_period IS NOT NULL",
    "column to itself": "SELECT count(*) AS n FROM cur WHERE billing_period = billing_period",
    "bound outside the read": (
        f"WITH x AS (SELECT * FROM cur) SELECT count(*) AS n FROM x WHERE {MONTH}"
    ),
    "second read unbounded": (
        f"SELECT count(*) AS n FROM cur WHERE {MONTH} UNION ALL SELECT count(*) FROM cur"
    ),
}


@pytest.mark.parametrize("case", NO_BOUND)
def test_the_full_scan_guard_cannot_be_bypassed(case: str, uncached) -> None:
    with pytest.raises(ConfigurationError, match="no billing_period condition"):
        athena.query(NO_BOUND[case], settings=uncached)


def test_cur_in_any_case_is_the_cur_table_on_both_engines(uncached) -> None:
    rows = athena.query(f"SELECT count(*) AS n FROM CUR WHERE {MONTH}", settings=uncached)
    assert rows.n[0] > 0 and rows.attrs["query"]["partitions"] == ["2026-10"]
    tree = parse_athena(f'SELECT count(*) AS n FROM "CUR" c WHERE c.{MONTH}')
    sql, _ = athena_statement(tree, {}, uncached.replace(backend="aws"))
    assert '"cid_data_export"."cur2" AS c' in sql


def test_local_sql_runs_in_a_sandbox(uncached, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = uncached.replace(local_memory_limit="1GB")
    rows = athena.query(
        "SELECT current_setting('memory_limit') AS memory, "
        "current_setting('enable_external_access') AS external, "
        f"current_setting('lock_configuration') AS locked, "
        f"current_setting('read_ahead_depth') AS ahead FROM cur WHERE {MONTH} LIMIT 1",
        settings=settings,
    )
    assert rows.iloc[0].tolist() == ["953.6 MiB", False, True, 1]
    # Were the syntax check ever to miss a file read, DuckDB itself refuses it.
    monkeypatch.setattr("opsbook.queries.analyse.foreign_tables", lambda tree: [])
    for sql in [
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/hostname')",
        f"SELECT count(*) AS n FROM cur WHERE {MONTH} AND "
        "EXISTS (SELECT 1 FROM read_text('/etc/hostname'))",
    ]:
        with pytest.raises(QueryFailedError, match="Permission Error"):
            athena.query(sql, settings=settings, allow_full_scan=True)


def test_local_sql_has_a_default_timeout_and_a_memory_limit(uncached) -> None:
    cross = (
        "SELECT count(*) AS n FROM cur a CROSS JOIN cur b "
        "WHERE a.billing_period = '2026-09' AND b.billing_period = '2026-09'"
    )
    started = dt.datetime.now()
    with pytest.raises(QueryCancelledError, match="0.3 s timeout.*local_query_timeout_s"):
        athena.query(cross, settings=uncached.replace(local_query_timeout_s=0.3))
    assert (dt.datetime.now() - started).total_seconds() < 10
    hungry = (
        "SELECT count(*) AS n, max(length(s)) AS l FROM (SELECT a.line_item_usage_account_id, "
        "string_agg(a.line_item_usage_type || b.line_item_usage_type, ',') AS s FROM cur a "
        "JOIN cur b ON a.line_item_usage_account_id = b.line_item_usage_account_id "
        "WHERE a.billing_period = '2026-10' AND b.billing_period = '2026-10' GROUP BY 1)"
    )
    with pytest.raises(QueryFailedError, match="more memory than the local_memory_limit"):
        athena.query(hungry, settings=uncached.replace(local_memory_limit="20MB"))


HOSTILE_TAGS = [
    "resource_tags_user_o'brien",
    "resource_tags_user_a'||'b",
    'resource_tags_user_q"uote',
    "resource_tags_user_x'), read_text('/etc/hostname') --",
]


def test_legacy_tag_column_names_are_quoted_not_formatted(tmp_path: Path, clean_env: Path) -> None:
    folder = tmp_path / "cur" / "legacy" / "legacy" / "year=2026" / "month=10"
    folder.mkdir(parents=True)
    columns = {
        "line_item_unblended_cost": pa.array([1.0, 2.0]),
        "line_item_usage_start_date": pa.array([dt.datetime(2026, 10, 1)] * 2),
        **{name: pa.array([f"v{i}", ""]) for i, name in enumerate(HOSTILE_TAGS)},
    }
    pq.write_table(pa.table(columns), folder / "legacy-1.snappy.parquet")
    legacy = resolve(backend="local", data_dir=str(tmp_path), cache_dir="off")
    rows = athena.query(
        "SELECT t.k AS tag_key, element_at(resource_tags, t.k) AS tag_value FROM cur "
        f"CROSS JOIN UNNEST(map_keys(resource_tags)) AS t(k) WHERE {MONTH} ORDER BY 1",
        settings=legacy,
    )
    assert rows.attrs["query"]["flavour"] == "legacy"
    expected = sorted((name.removeprefix("resource_tags_"), f"v{i}")
                      for i, name in enumerate(HOSTILE_TAGS))  # fmt: skip
    assert list(rows.itertuples(index=False, name=None)) == expected
    # Athena's side: Glue names are checked against Athena's own rule, then quoted.
    hostile = CurTable("billing", "legacy", {"line_item_unblended_cost": "double",
                       HOSTILE_TAGS[1]: "string"}, ["year", "month"])  # fmt: skip
    with pytest.raises(ConfigurationError, match="has a name Athena does not allow"):
        athena_view(hostile)
