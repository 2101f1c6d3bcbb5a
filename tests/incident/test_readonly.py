"""The read-only guard against the moto server: reads pass, mutating calls never leave."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from opsbook import logs
from opsbook.backends import disable_read_only, read_only, read_only_enabled
from opsbook.backends.aws import is_read_only, session
from opsbook.errors import MutatingCallError


def test_operation_names_are_classified() -> None:
    reads = ["cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
             "cloudtrail:LookupEvents", "logs:FilterLogEvents", "athena:BatchGetQueryExecution",
             "logs:StartQuery", "logs:GetQueryResults", "athena:GetQueryResults"]  # fmt: skip
    writes = ["ecs:UpdateService", "logs:PutRetentionPolicy", "logs:DeleteLogGroup",
              "cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState", "logs:CreateExportTask",
              "states:StartExecution", "lambda:Invoke", "cloudtrail:StartQuery"]  # fmt: skip
    assert all(map(is_read_only, reads))
    assert not any(map(is_read_only, writes))
    assert is_read_only("athena:StartQueryExecution", {"QueryString": "SELECT 1"})
    assert not is_read_only("athena:StartQueryExecution", {"QueryString": "DROP TABLE t"})


def test_a_mutating_call_fails_and_a_read_passes(moto_settings) -> None:
    boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/ecs/checkout-api")
    with read_only():
        client = session(moto_settings).client("logs")
        assert logs.describe_log_groups(settings=moto_settings).log_group.tolist() == [
            "/ecs/checkout-api"
        ]
        with pytest.raises(MutatingCallError, match="refused logs:PutRetentionPolicy"):
            client.put_retention_policy(logGroupName="/ecs/checkout-api", retentionInDays=1)
        with pytest.raises(MutatingCallError, match="refused ecs:UpdateService"):
            session(moto_settings).client("ecs").update_service(
                cluster="shop-prod", service="checkout-api"
            )
        with pytest.raises(MutatingCallError, match="refused logs:DeleteLogGroup"):
            boto3.client("logs", region_name="us-east-1").delete_log_group(
                logGroupName="/ecs/checkout-api"
            )
    assert not read_only_enabled()
    # the refused calls never reached the server: the group still has no retention and exists
    group = boto3.client("logs", region_name="us-east-1").describe_log_groups()["logGroups"][0]
    assert group["logGroupName"] == "/ecs/checkout-api" and "retentionInDays" not in group
    # outside the guard the same call goes through (the guard, not moto, refused it)
    session(moto_settings).client("logs").put_retention_policy(
        logGroupName="/ecs/checkout-api", retentionInDays=1
    )
    disable_read_only()


def test_every_runbook_switches_the_guard_on_before_reading() -> None:
    import nbformat

    root = Path(__file__).resolve().parents[2] / "runbooks"
    books = sorted(root.glob("*.ipynb"))
    assert len(books) >= 4
    for book in books:
        code = [c.source for c in nbformat.read(book, as_version=4).cells if c.cell_type == "code"]
        first_read = next(i for i, s in enumerate(code) if "settings = resolve(" in s)
        # Parameters are checked first (no AWS call), then the guard goes on before any read.
        lines = [line for line in code[first_read].splitlines() if line.strip()]
        assert lines[0] == "checked(globals())", book.name
        assert lines[1].startswith("incident.enable_read_only()"), book.name
        assert not any("boto3" in s or "input(" in s for s in code), book.name
