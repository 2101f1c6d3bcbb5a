"""The read-only guard against the moto server on 127.0.0.1: every botocore client of the process,
however it was made, is judged; reads reach moto, everything else is refused before it is sent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import awswrangler as wr
import boto3
import botocore.session
import pandas as pd
import pytest
import requests
from botocore.stub import Stubber
from opsbook import athena, logs
from opsbook.backends import read_only
from opsbook.backends.aws import client as factory_client
from opsbook.backends.aws._guard import CHECKED, DENIED, refusal
from opsbook.errors import MutatingCallError, OpsbookError
from opsbook.settings import resolve
from support.athena_replay import athena_results, create_cur_table, immediate_executions

REGION = "us-east-1"


def _groups() -> list[str]:
    listed = boto3.client("logs", region_name=REGION).describe_log_groups()["logGroups"]
    return [group["logGroupName"] for group in listed]


def test_clients_of_every_kind_and_age_are_guarded(moto_settings) -> None:
    # Made before the guard is on, each in its own way: opsbook's factory, boto3's default
    # session, a session of its own, and a plain botocore session.
    made = {
        "factory": factory_client(moto_settings, "logs"),
        "boto3.client": boto3.client("logs", region_name=REGION),
        "boto3.Session().client": boto3.Session(region_name=REGION).client("logs"),
        "botocore.session": botocore.session.get_session().create_client(
            "logs", region_name=REGION
        ),
    }
    with read_only():
        made["made under the guard"] = boto3.Session(region_name=REGION).client("logs")
        for how, logs_client in made.items():
            assert logs_client.describe_log_groups()["logGroups"] == [], how  # reads reach moto
            with pytest.raises(MutatingCallError, match="refused logs:CreateLogGroup") as caught:
                logs_client.create_log_group(logGroupName=f"/never/{how.replace(' ', '-')}")
            assert isinstance(caught.value, OpsbookError)
            assert "never changes the account" in str(caught.value), how
    assert _groups() == [], "no refused call reached moto"
    made["boto3.client"].create_log_group(logGroupName="/allowed")  # the guard refused, not moto
    assert _groups() == ["/allowed"]


def test_awswrangler_with_its_own_session_is_guarded(moto_settings) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="reports")
    s3.put_object(Bucket="reports", Key="kept.csv", Body=b"n\n1\n")
    own = boto3.Session(region_name=REGION)
    with read_only():
        with pytest.raises(MutatingCallError, match="refused s3:DeleteObjects"):
            wr.s3.delete_objects("s3://reports/kept.csv", boto3_session=own)
        with (
            pytest.raises(MutatingCallError, match="refused s3:CreateBucket"),
            pytest.warns(UserWarning, match="default bucket"),  # awswrangler makes one: refused
        ):
            wr.athena.start_query_execution("SELECT 1", wait=False, boto3_session=own)
        with pytest.raises(MutatingCallError, match="DROP statements are not reads"):
            wr.athena.start_query_execution("DROP TABLE cur2", s3_output="s3://reports/athena/",
                                            wait=False, boto3_session=own)  # fmt: skip
        # reads pass: listing and reading the object back
        assert wr.s3.list_objects("s3://reports/", boto3_session=own) == ["s3://reports/kept.csv"]
        assert wr.s3.read_csv("s3://reports/kept.csv", boto3_session=own).n.tolist() == [1]
    assert s3.list_objects_v2(Bucket="reports")["KeyCount"] == 1


REFUSED_SQL = {
    "drop": ("DROP TABLE cur2", "DROP statements are not reads"),
    "ctas": ("CREATE TABLE t AS SELECT * FROM cur2", "CREATE statements are not reads"),
    "insert": ("INSERT INTO t SELECT * FROM cur2", "INSERT statements are not reads"),
    "unload": ("UNLOAD (SELECT 1) TO 's3://b/x/' WITH (format = 'PARQUET')", "UNLOAD statements"),
    "msck": ("MSCK REPAIR TABLE cur2", "MSCK statements are not reads"),
    "alter": ("ALTER TABLE cur2 ADD PARTITION (billing_period = '2026-12')", "ALTER statements"),
    "delete": ("DELETE FROM t WHERE x = 1", "DELETE statements are not reads"),
    "two statements": ("SELECT 1; DROP TABLE cur2", "2 statements, not one"),
    "explain analyze": ("EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1", "CREATE statements"),
    "select into": ("SELECT * INTO t FROM cur2", "SELECT ... INTO"),
    "pass-through": ("SELECT * FROM TABLE(system.query(query => 'DELETE FROM x'))", "table function"),
    "lambda udf": ("USING EXTERNAL FUNCTION f(x INT) RETURNS INT LAMBDA 'fn' SELECT f(1)", "USING"),
    "execute": ("EXECUTE prepared USING 1", "EXECUTE statements are not reads"),
    "unparseable": ("SELEC * FRM cur2", "not reads"),
}  # fmt: skip
READ_SQL = [
    "SELECT count(*) FROM cur2 WHERE billing_period = '2026-10'",
    "WITH m AS (SELECT 1 AS x) SELECT x FROM m",
    "SHOW PARTITIONS cur2",
    "DESCRIBE cur2",
    "EXPLAIN SELECT 1",
    "-- a comment first\nSELECT 1",
]


def test_athena_runs_only_sql_that_reads(moto_settings) -> None:
    athena_client = boto3.client("athena", region_name=REGION)
    with read_only():
        for name, (sql, why) in REFUSED_SQL.items():
            with pytest.raises(
                MutatingCallError, match="refused athena:StartQueryExecution"
            ) as caught:
                athena_client.start_query_execution(QueryString=sql, WorkGroup="primary")
            assert why in str(caught.value), name
            assert "Run only SELECT, WITH, SHOW, DESCRIBE or EXPLAIN" in str(caught.value)
        started = [
            athena_client.start_query_execution(QueryString=sql, WorkGroup="primary")
            for sql in READ_SQL
        ]
    reached = athena_client.list_query_executions()["QueryExecutionIds"]
    assert sorted(reached) == sorted(s["QueryExecutionId"] for s in started)


def test_only_queries_started_here_may_be_stopped(moto_settings) -> None:
    athena_client = factory_client(moto_settings, "athena")
    before = athena_client.start_query_execution(QueryString="SELECT 1")["QueryExecutionId"]
    with read_only():
        during = athena_client.start_query_execution(QueryString="SELECT 2")["QueryExecutionId"]
        for mine in (before, during):  # started by this process, before or under the guard
            athena_client.stop_query_execution(QueryExecutionId=mine)
        with pytest.raises(MutatingCallError, match="not started by opsbook in this process"):
            athena_client.stop_query_execution(QueryExecutionId="someone-elses-query")
        with pytest.raises(MutatingCallError, match="refused logs:StopQuery.*CloudWatch console"):
            boto3.client("logs", region_name=REGION).stop_query(queryId="someone-elses-query")
    states = {
        query_id: athena_client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        for query_id in (before, during)
    }
    assert {q["Status"]["State"] for q in states.values()} == {"CANCELLED"}


def test_own_logs_insights_queries_may_be_stopped_under_the_guard(moto_settings) -> None:
    logs_client = boto3.client("logs", region_name=REGION)
    logs_client.create_log_group(logGroupName="/app")
    with read_only(), Stubber(logs_client) as stub:  # moto has no StopQuery
        stub.add_response("start_query", {"queryId": "mine"})
        stub.add_response("stop_query", {"success": True}, {"queryId": "mine"})
        logs_client.start_query(
            logGroupName="/app", startTime=0, endTime=1, queryString="fields @message"
        )
        assert logs_client.stop_query(queryId="mine") == {"success": True}  # fmt: skip


def test_calls_that_mint_credentials_are_refused(moto_settings) -> None:
    sts = boto3.client("sts", region_name=REGION)
    redshift = boto3.client("redshift", region_name=REGION)
    with read_only():
        assert sts.get_caller_identity()["Account"]  # a read reaches moto
        for call, kwargs in [
            (sts.get_federation_token, {"Name": "x"}),
            (sts.get_session_token, {}),
            (boto3.client("secretsmanager", region_name=REGION).get_secret_value, {"SecretId": "x"}),
            (boto3.client("ecr", region_name=REGION).get_authorization_token, {}),
        ]:  # fmt: skip
            with pytest.raises(MutatingCallError, match="hands out credentials or secrets"):
                call(**kwargs)
        with pytest.raises(MutatingCallError, match="AutoCreate would create a database user"):
            redshift.get_cluster_credentials(
                DbUser="analyst", ClusterIdentifier="warehouse", AutoCreate=True
            )
    assert (
        refusal("redshift", "GetClusterCredentials", {"DbUser": "a", "AutoCreate": False}) is None
    )
    assert refusal("cognito-identity", "GetId", {"IdentityPoolId": "x"}) is not None


def test_presigned_requests_only_read(moto_settings) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    with read_only():
        assert s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
        with pytest.raises(MutatingCallError, match=r"refused s3:PutObject \(pre-signed\)"):
            s3.generate_presigned_url("put_object", Params={"Bucket": "b", "Key": "k"})
        with pytest.raises(MutatingCallError, match=r"refused s3:PutObject \(pre-signed\)"):
            s3.generate_presigned_post("b", "k")
        with pytest.raises(MutatingCallError, match=r"refused rds:connect \(pre-signed\)"):
            boto3.client("rds", region_name=REGION).generate_db_auth_token("db", 5432, "analyst")
    assert "Signature=" in s3.generate_presigned_url(
        "put_object", Params={"Bucket": "b", "Key": "k"}
    )  # the guard, once off, lets it through


def test_every_listed_operation_exists_in_botocore() -> None:
    session = botocore.session.get_session()
    for service, operation in {*DENIED, *CHECKED}:
        assert operation in session.get_service_model(service).operation_names, (service, operation)


def test_opsbook_reads_pass_under_the_guard(moto_settings, aws_env: str, sample_dir: Path) -> None:
    """A runbook's own reads work with the guard on: an Athena CUR query read back through
    awswrangler (S3), and a Logs Insights query."""
    aws = resolve(**create_cur_table(sample_dir))
    expected = pd.DataFrame({"service": ["AmazonEC2"], "cost": [12.5]})
    requests.post(f"{aws_env}/moto-api/static/athena/query-results",
                  json={"results": [athena_results(expected)]}, timeout=10).raise_for_status()  # fmt: skip
    sql = ("SELECT line_item_product_code AS service, sum(line_item_unblended_cost) AS cost "
           "FROM CUR WHERE billing_period = :month GROUP BY 1")  # fmt: skip
    logs_client = boto3.client("logs", region_name=REGION)
    logs_client.create_log_group(logGroupName="/app")
    logs_client.create_log_stream(logGroupName="/app", logStreamName="s")
    at = dt.datetime(2026, 11, 14, 10, tzinfo=dt.UTC)
    logs_client.put_log_events(logGroupName="/app", logStreamName="s",
                               logEvents=[{"timestamp": int(at.timestamp() * 1000), "message": "hi"}])  # fmt: skip
    with read_only(), immediate_executions(aws_env):
        rows = athena.query(sql, {"month": "2026-10"}, settings=aws, use_cache=False)
        found = logs.query("fields @message", ["/app"], "2026-11-14T09:00:00Z",
                           "2026-11-14T11:00:00Z", settings=moto_settings)  # fmt: skip
    pd.testing.assert_frame_equal(rows, expected, check_dtype=False)
    assert found["@message"].tolist() == ["hi"]
    sent = boto3.client("athena", region_name=REGION).list_query_executions()["QueryExecutionIds"]
    text = boto3.client("athena", region_name=REGION).get_query_execution(QueryExecutionId=sent[0])
    assert '"cid_data_export"."cur2"' in text["QueryExecution"]["Query"]  # CUR is cur, any case
