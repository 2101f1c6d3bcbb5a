"""Logs Insights over S3 archives on Athena: the Glue tables, the statement sent, the frame back.

moto's Athena runs no SQL, so the end-to-end test queues, as Athena's answer, the rows the same
compiled query gives on DuckDB over the same objects (the oracle of ``test_insights_trino``
shows the Trino rendering gives those rows), and checks the rest for real: the Glue table is
found by its properties, the statement sent is one read over the projected days only, the rows
come back as the local backend's frame, and refusals happen before anything is sent.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import boto3
import duckdb
import pandas as pd
import pytest
import sqlglot
from opsbook import logs
from opsbook.backends import s3formats, s3tables
from opsbook.backends.aws.logs_athena import archive_sql
from opsbook.backends.local import s3logs
from opsbook.errors import ConfigurationError
from opsbook.insights import compile_query, parse_query, prepare_connection
from opsbook.insights.trino import AthenaUnsupportedError
from opsbook.queries._safety import statement_problem
from opsbook.settings import resolve
from sources.test_s3logs import ACCOUNT, BUCKET, FIRST, HOUR, _alb, _write_alb
from sqlglot import exp
from support.athena_replay import athena_results, immediate_executions

ALB_SOURCE = f"s3://{BUCKET}/AWSLogs/{ACCOUNT}/elasticloadbalancing/"
REGION = "us-east-1"
AWS = {
    "backend": "aws",
    "region": REGION,
    "athena_output_location": "s3://athena-results/opsbook/",
    "athena_database": "logs",
}


def _ddl(name: str) -> exp.Create:
    text = s3tables.table_ddl(f"s3://{BUCKET}/{name}/", name, "logs")
    tree = sqlglot.parse_one(text, read="athena")
    assert isinstance(tree, exp.Create)
    return tree


def _columns(tree: exp.Create) -> list[str]:
    schema = tree.this
    return [c.name for c in schema.expressions if isinstance(c, exp.ColumnDef)]


def _properties(tree: exp.Create) -> dict[str, str]:
    found = {}
    for prop in tree.find_all(exp.Property):
        if isinstance(prop.this, exp.Literal) and isinstance(prop.args.get("value"), exp.Literal):
            found[prop.this.name] = prop.args["value"].name
    return found


def _partitions(tree: exp.Create) -> list[str]:
    partitioned = tree.find(exp.PartitionedByProperty)
    return [c.name for c in partitioned.this.expressions] if partitioned else []


# -- the Glue table files ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(s3tables.TABLES))
@pytest.mark.parametrize("dialect", ["athena", "hive"])
def test_each_table_parses_and_names_the_formats_fields(name: str, dialect: str) -> None:
    text = s3tables.table_ddl(f"s3://{BUCKET}/{name}/", name, "logs")
    tree = sqlglot.parse_one(text, read=dialect)
    assert isinstance(tree, exp.Create) and tree.kind == "TABLE"
    fields = s3formats.by_name(name).fields
    assert _columns(tree) == [s3tables.athena_column(f) for f in fields]
    assert len(set(_columns(tree))) == len(fields)  # no two fields meet in one column


@pytest.mark.parametrize("name", sorted(s3tables.TABLES))
def test_projection_covers_the_date_folders_aws_writes(name: str) -> None:
    tree = _ddl(name)
    props = _properties(tree)
    assert props["opsbook.format"] == name
    assert props["opsbook.source"] == f"s3://{BUCKET}/{name}/"
    spec = s3tables.TABLES[name]
    if spec.partition is None:
        assert _partitions(tree) == [] and "projection.enabled" not in props
        return
    column, layout = spec.partition
    assert _partitions(tree) == [column]
    assert props["projection.enabled"] == "true"
    assert props[f"projection.{column}.type"] == "date"
    java = layout.replace("%Y", "yyyy").replace("%m", "MM").replace("%d", "dd")
    assert props[f"projection.{column}.format"] == java.replace("%H", "HH").replace("%M", "mm")
    assert props["storage.location.template"] == f"s3://{BUCKET}/{name}/${{{column}}}"
    # A key AWS writes, below the source, lands in the partition its folders name.
    at = FIRST.strftime(layout)
    assert re.fullmatch(r"[0-9/]+", at)


def test_alb_regex_splits_a_line_as_the_local_reader_does() -> None:
    props = _properties(_ddl("alb"))
    line = _alb(FIRST, 503)
    match = re.fullmatch(props["input.regex"], line)
    assert match is not None
    assert list(match.groups()) == s3logs.parse_elb_line(line)
    # Older lines end after fewer fields: the missing ones are null, the line still matches.
    short = line[: line.index('" "') + 1]  # up to the request, the 13th field
    match = re.fullmatch(props["input.regex"], short)
    assert match is not None and match.groups()[12].startswith("GET ")
    assert match.groups()[13:] == (None,) * (len(s3formats.ALB_FIELDS) - 13)


def test_s3_access_regex_splits_a_line_as_the_local_reader_does() -> None:
    props = _properties(_ddl("s3access"))
    line = (
        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 "
        "[06/Feb/2019:00:00:38 +0000] 192.0.2.3 "
        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE "
        'REST.GET.VERSIONING - "GET /awsexamplebucket1?versioning HTTP/1.1" 200 - 113 - 7 - '
        '"-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP'
        "/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader "
        "awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.2 - -"
    )
    # Hive reads the property's string with backslash escapes; Java's regex then runs it.
    pattern = props["input.regex"].replace("\\\\", "\\")
    match = re.fullmatch(pattern, line)
    assert match is not None
    values = [v[1:-1] if v and v.startswith('"') else v for v in match.groups()]
    assert values == s3logs.parse_s3access_line(line)


def test_table_names_must_be_athena_identifiers() -> None:
    with pytest.raises(ConfigurationError, match="lowercase"):
        s3tables.table_ddl(ALB_SOURCE, "alb", "Logs-DB")
    with pytest.raises(ConfigurationError, match="no Athena table for S3 log format 'nlb'"):
        s3tables.table_ddl(ALB_SOURCE, "nlb", "logs")


# -- the statement -----------------------------------------------------------------------------


def test_the_statement_reads_only_the_projected_days_of_the_window() -> None:
    start = dt.datetime(2026, 11, 14, 23, 30, tzinfo=dt.UTC)
    sql, _ = archive_sql(
        "filter elb_status_code >= 500 | stats count(*) by bin(5m)",
        "alb", '"logs"."t"', ALB_SOURCE, start, start + HOUR,
    )  # fmt: skip
    assert statement_problem(sql) is None
    tree = sqlglot.parse_one(sql, read="trino")
    between = [b for b in tree.find_all(exp.Between) if b.this.name == "day"]
    assert [(b.args["low"].name, b.args["high"].name) for b in between] == [
        ("2026/11/14", "2026/11/15")
    ]


def test_a_vpc_window_is_widened_by_the_delivery_delay() -> None:
    start = dt.datetime(2026, 11, 15, 0, 2, tzinfo=dt.UTC)  # objects stamped from 23:57
    assert s3tables.partition_range("vpcflow", start, start + HOUR) == (
        "day", "2026/11/14", "2026/11/15",
    )  # fmt: skip


def test_source_queries_are_refused_on_athena() -> None:
    with pytest.raises(ConfigurationError, match="SOURCE"):
        archive_sql("SOURCE '/app' | stats count(*)", "alb", "t", ALB_SOURCE, FIRST, FIRST + HOUR)


# -- end to end on moto ------------------------------------------------------------------------


def _glue_table(name: str, source: str) -> dict:
    """The Glue TableInput of the shipped statement (as Athena would create it)."""
    tree = sqlglot.parse_one(s3tables.table_ddl(source, name, "logs"), read="athena")
    return {
        "Name": tree.this.this.name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": _properties(tree),
        "PartitionKeys": [{"Name": c, "Type": "string"} for c in _partitions(tree)],
        "StorageDescriptor": {
            "Columns": [{"Name": c, "Type": "string"} for c in _columns(tree)],
            "Location": source,
        },
    }


def _duckdb_rows(tmp_path: Path, text: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """The rows (hidden columns too) the compiled query gives on DuckDB, as Athena returns them."""
    read = s3logs.read_source(tmp_path, ALB_SOURCE, start, end)
    con = duckdb.connect()
    con.register("s3_events", read.events)
    con.execute(
        "CREATE VIEW events AS SELECT timestamp, message, log_stream, log_group, "
        "CAST(NULL AS TIMESTAMPTZ) AS ingestion_time FROM s3_events"
    )
    prepare_connection(con)
    compiled = compile_query(parse_query(text), start=start, end=end, limit=2**62)
    rows = con.execute(compiled.sql, compiled.params).fetchall()
    names = [f"o{i}" for i in range(len(compiled.columns))] + list(compiled.hidden)
    kinds = [c.kind for c in compiled.columns] + [
        "num" if h == "ob_matched" else "str" for h in compiled.hidden
    ]
    frame = pd.DataFrame(rows, columns=names)
    dtypes = {"str": "string", "num": "float64", "ts": "datetime64[ns]", "bool": "boolean"}
    return frame.astype({n: dtypes[k] for n, k in zip(names, kinds, strict=True)})


@pytest.mark.parametrize(
    "text",
    [
        "filter elb_status_code >= 500 | stats count(*) as errors by `target:port`, "
        "elb_status_code",
        "filter elb_status_code >= 500 | fields @timestamp, request, elb_status_code | limit 3",
    ],
)
def test_a_query_on_athena_gives_the_local_frame(aws_env: str, tmp_path: Path, text: str) -> None:
    _write_alb(tmp_path)
    start, end = FIRST + HOUR, FIRST + 2 * HOUR
    local = logs.query(
        text, [ALB_SOURCE], start, end, settings=resolve(backend="local", data_dir=str(tmp_path))
    )
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="athena-results")
    glue = boto3.client("glue", region_name=REGION)
    glue.create_database(DatabaseInput={"Name": "logs"})
    glue.create_table(DatabaseName="logs", TableInput=_glue_table("vpcflow", "s3://other/v/"))
    glue.create_table(DatabaseName="logs", TableInput=_glue_table("alb", ALB_SOURCE))
    payload = {"results": [athena_results(_duckdb_rows(tmp_path, text, start, end))]}
    import requests

    requests.post(
        f"{aws_env}/moto-api/static/athena/query-results", json=payload, timeout=30
    ).raise_for_status()
    with immediate_executions(aws_env):
        remote = logs.query(
            text, [ALB_SOURCE], start, end, settings=resolve(**AWS), engine="athena"
        )
    pd.testing.assert_frame_equal(remote, local)
    assert remote.attrs["results"] == local.attrs["results"]  # @ptr included
    assert (
        remote.attrs["statistics"]["recordsMatched"] == local.attrs["statistics"]["recordsMatched"]
    )
    (query_id,) = remote.attrs["query_ids"]
    sent = boto3.client("athena", region_name=REGION).get_query_execution(
        QueryExecutionId=query_id
    )["QueryExecution"]["Query"]
    assert "\"day\" BETWEEN '2026/11/14' AND '2026/11/14'" in sent
    assert sent.startswith("WITH events AS (SELECT FROM_ISO8601_TIMESTAMP")


def test_a_source_without_a_table_names_the_statement_to_run(aws_env: str) -> None:
    boto3.client("glue", region_name=REGION).create_database(DatabaseInput={"Name": "logs"})
    with pytest.raises(ConfigurationError, match="athena_table_ddl"):
        logs.query("stats count(*)", [ALB_SOURCE], FIRST, FIRST + HOUR,
                   settings=resolve(**AWS), engine="athena")  # fmt: skip


def test_duckdb_only_queries_are_refused_before_anything_runs(aws_env: str) -> None:
    glue = boto3.client("glue", region_name=REGION)
    glue.create_database(DatabaseInput={"Name": "logs"})
    glue.create_table(DatabaseName="logs", TableInput=_glue_table("alb", ALB_SOURCE))
    with pytest.raises(AthenaUnsupportedError, match="isValidIp"):
        logs.query("filter isValidIp(`client:port`)", [ALB_SOURCE], FIRST, FIRST + HOUR,
                   settings=resolve(**AWS), engine="athena")  # fmt: skip
    listed = boto3.client("athena", region_name=REGION).list_query_executions()
    assert listed["QueryExecutionIds"] == []


def test_engine_athena_needs_the_aws_backend_and_one_archive(tmp_path: Path) -> None:
    local = resolve(backend="local", data_dir=str(tmp_path))
    with pytest.raises(ConfigurationError, match="aws backend only"):
        logs.query("stats count(*)", [ALB_SOURCE], FIRST, FIRST + HOUR, settings=local,
                   engine="athena")  # fmt: skip
    with pytest.raises(ConfigurationError, match="exactly one S3 archive"):
        logs.query("stats count(*)", ["/ecs/app"], FIRST, FIRST + HOUR, settings=resolve(**AWS),
                   engine="athena")  # fmt: skip


def test_the_cost_cap_and_the_stop_are_those_of_cur_queries(
    aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsbook.backends.aws import logs_athena
    from opsbook.errors import QueryCancelledError
    from opsbook.queries.runs import bytes_for_usd

    glue = boto3.client("glue", region_name=REGION)
    glue.create_database(DatabaseInput={"Name": "logs"})
    glue.create_table(DatabaseName="logs", TableInput=_glue_table("alb", ALB_SOURCE))
    seen = {}

    def cancelled(client, request, **kwargs):  # noqa: ANN001, ANN003, ANN202
        seen.update(kwargs, sql=request["QueryString"])
        raise QueryCancelledError("stopped: past the cap", query_id="q-1")

    monkeypatch.setattr(logs_athena, "run_execution", cancelled)
    settings = resolve(**AWS, max_query_cost_usd=0.25)
    with pytest.raises(QueryCancelledError, match="past the cap"):
        logs.query("stats count(*)", [ALB_SOURCE], FIRST, FIRST + HOUR, settings=settings,
                   engine="athena")  # fmt: skip
    assert seen["max_bytes"] == bytes_for_usd(0.25)
    assert statement_problem(seen["sql"]) is None
