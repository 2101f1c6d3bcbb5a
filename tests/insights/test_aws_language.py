"""The aws backend sends SOURCE queries without log group names, and SQL/PPL with their language."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.stub import Stubber
from opsbook.backends.aws import insights_run
from opsbook.errors import ConfigurationError
from opsbook.settings import resolve

S0 = dt.datetime(2026, 11, 14, 10, tzinfo=dt.UTC)
S1 = S0 + dt.timedelta(seconds=100)
DONE = {"results": [[{"field": "n", "value": "3"}]], "status": "Complete",
        "statistics": {"recordsMatched": 3.0, "recordsScanned": 3.0, "bytesScanned": 30.0}}  # fmt: skip


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("logs", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("text", "language"),
    [("SOURCE logGroups(namePrefix: ['/ecs/']) | stats count(*) as n", None),
     ("SELECT count(*) AS n FROM `/ecs/web`", "SQL"),
     ("source = `/ecs/web` | stats count() as n", "PPL")],
)  # fmt: skip
def test_queries_naming_their_groups_start_without_log_group_names(
    stubbed, text: str, language: str | None
) -> None:
    client, stub = stubbed
    params = {"startTime": int(S0.timestamp()), "endTime": int(S1.timestamp()) - 1,
              "queryString": text, "limit": 10_000}  # fmt: skip
    if language:
        params["queryLanguage"] = language
    stub.add_response("start_query", {"queryId": "q1"}, params)
    stub.add_response("get_query_results", DONE, {"queryId": "q1"})
    result = insights_run.run_query(
        resolve(backend="aws"), text, [], S0, S1, limit=None, client=client
    )
    assert result.records == DONE["results"]


def test_a_plain_query_still_needs_a_log_group(stubbed) -> None:
    client, _ = stubbed
    with pytest.raises(ConfigurationError, match="at least one log group"):
        insights_run.run_query(
            resolve(backend="aws"), "fields @message", [], S0, S1, limit=None, client=client
        )
