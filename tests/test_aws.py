"""The aws backend against a moto server on 127.0.0.1, and its error translation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError, NoCredentialsError
from opsbook import logs, metrics
from opsbook.backends import aws, frames
from opsbook.errors import AccessDeniedError, ConfigurationError, QueryFailedError
from opsbook.settings import resolve


@pytest.fixture
def settings(aws_env: str, clean_env: Path):
    return resolve(backend="aws", region="us-east-1")


def test_log_groups_come_back_in_the_shared_schema(settings) -> None:
    client = boto3.client("logs", region_name="us-east-1")
    for name in ("/ecs/checkout-api", "/aws/lambda/orders-worker"):
        client.create_log_group(logGroupName=name)
    groups = logs.describe_log_groups(settings=settings)
    assert groups.log_group.tolist() == ["/aws/lambda/orders-worker", "/ecs/checkout-api"]
    assert groups.dtypes.to_dict() == frames.log_groups_frame([]).dtypes.to_dict()
    assert set(groups.format) == {"cloudwatch"}
    assert groups.events.isna().all(), "AWS does not list event counts: missing, not zero"


def test_namespaces_are_counted_from_list_metrics(settings) -> None:
    client = boto3.client("cloudwatch", region_name="us-east-1")
    now = dt.datetime.now(dt.UTC)
    for function in ("catalog-api-handler", "orders-worker"):
        client.put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {
                    "MetricName": name,
                    "Dimensions": [{"Name": "FunctionName", "Value": function}],
                    "Timestamp": now,
                    "Value": 1.0,
                }
                for name in ("Invocations", "Errors")
            ],
        )
    namespaces = metrics.describe_namespaces(settings=settings)
    row = namespaces.set_index("namespace").loc["AWS/Lambda"]
    assert (row.metrics, row.series) == (2, 4)
    assert namespaces.dtypes.to_dict() == frames.namespaces_frame([]).dtypes.to_dict()


# The CUR (athena) tests live in tests/test_athena.py.


def _client_error(code: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "User: arn:aws:sts::1:x is not authorized"}}, "Op"
    )


@pytest.mark.parametrize(
    ("raised", "expected", "text"),
    [
        pytest.param(
            _client_error("AccessDeniedException"),
            AccessDeniedError,
            "Grant logs:StartQuery",
            id="denied",
        ),
        pytest.param(
            _client_error("ExpiredTokenException"), ConfigurationError, "expired", id="expired"
        ),
        pytest.param(
            _client_error("ThrottlingException"),
            QueryFailedError,
            "ThrottlingException",
            id="other",
        ),
        pytest.param(
            NoCredentialsError(), ConfigurationError, "standard chain", id="no-credentials"
        ),
    ],
)
def test_aws_failures_become_opsbook_errors(raised: Exception, expected: type, text: str) -> None:
    with pytest.raises(expected, match=text), aws.aws_errors("logs:StartQuery"):
        raise raised


def test_credentials_never_appear_in_errors_or_settings(settings) -> None:
    shown = " ".join(f"{k}={v}" for k, v, _ in settings.describe())
    assert "testing" not in shown
    with pytest.raises(ConfigurationError) as caught:
        aws.session(settings.replace(profile="no-such-profile"))
    assert "testing" not in str(caught.value)
