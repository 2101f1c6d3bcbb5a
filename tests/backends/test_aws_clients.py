"""The aws backend's client factory: its retry policy, its cache, moto through AWS_ENDPOINT_URL, the guard."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from opsbook.backends import aws
from opsbook.backends.aws.athena_run import run_execution
from opsbook.backends.aws.insights_run import run_query
from opsbook.errors import ConfigurationError, MutatingCallError, QueryFailedError
from opsbook.settings import resolve

START = dt.datetime(2026, 11, 14, 10, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=1)  # windows are half-open: [START, END)


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, clean_env: Path):
    """No AWS config but throwaway credentials and an empty config file the test may fill."""
    for name in ("AWS_PROFILE", "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS", "AWS_DEFAULTS_MODE",
                 "AWS_ENDPOINT_URL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    (clean_env / "config").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(clean_env / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(clean_env / "credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return resolve(backend="aws", region="us-east-1")


def test_retries_are_adaptive_by_default(settings) -> None:
    assert aws.client(settings, "logs").meta.config.retries == {
        "mode": aws.RETRY_MODE,
        "total_max_attempts": aws.MAX_ATTEMPTS,
    }
    assert aws.RETRY_MODE == "adaptive"
    # Clients made from the session (awswrangler's, the doctor's) have the same defaults.
    assert aws.session(settings).client("athena").meta.config.retries["mode"] == "adaptive"


@pytest.mark.parametrize(
    ("environment", "config", "expected"),
    [
        ({"AWS_MAX_ATTEMPTS": "3"}, "", {"mode": "adaptive", "total_max_attempts": 3}),
        ({"AWS_RETRY_MODE": "standard"}, "", {"mode": "standard", "total_max_attempts": 8}),
        ({}, "retry_mode = legacy\nmax_attempts = 2\n", {"mode": "legacy", "total_max_attempts": 2}),
        ({"AWS_MAX_ATTEMPTS": "5"}, "max_attempts = 2\n", {"mode": "adaptive", "total_max_attempts": 5}),
    ],
    ids=["env-attempts", "env-mode", "config-file", "env-over-config-file"],
)  # fmt: skip
def test_the_users_retry_settings_win(
    settings, environment: dict, config: str, expected: dict, monkeypatch, clean_env: Path
) -> None:
    (clean_env / "config").write_text(f"[default]\n{config}")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert aws.client(settings, "cloudwatch").meta.config.retries == expected


class _Body:
    def __init__(self, payload: dict) -> None:
        self.payload = json.dumps(payload).encode()

    def stream(self, **_: object):
        yield self.payload


@pytest.mark.parametrize(
    ("service", "code", "call", "action"),
    [
        ("athena", "TooManyRequestsException",
         lambda c: run_execution(c, {"QueryString": "SELECT 1"}, name="q", timeout=None,
                                 max_bytes=1), "athena:StartQueryExecution"),
        ("logs", "LimitExceededException",
         lambda c: run_query(resolve(backend="aws"), "fields @message", ["/g"], START, END, limit=None,
                         client=c), "logs:StartQuery"),
    ],
    ids=["athena", "logs"],
)  # fmt: skip
def test_throttling_is_retried_by_the_client_then_explained(
    settings, service: str, code: str, call, action: str, monkeypatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")  # adaptive's rate limiter would wait too
    waits: list[float] = []
    monkeypatch.setattr("time.sleep", waits.append)
    sent: list[str] = []

    def throttle(request, **_: object) -> AWSResponse:
        sent.append(request.url)
        body = _Body({"__type": code, "message": "slow down"})
        return AWSResponse(request.url, 400, {"x-amzn-requestid": "r"}, body)

    client = aws.client(settings, service)
    client.meta.events.register("before-send", throttle)
    try:
        with pytest.raises(QueryFailedError, match=f"kept throttling {action} after backing off"):
            call(client)
    finally:
        client.meta.events.unregister("before-send", throttle)
    assert len(sent) == 3 and len(waits) == 2  # three attempts, backing off between them


def test_clients_reach_moto_and_are_made_once(aws_env: str, monkeypatch) -> None:
    settings = resolve(backend="aws", region="us-east-1")
    logs = aws.client(settings, "logs")
    assert logs.meta.endpoint_url == aws_env
    logs.create_log_group(logGroupName="/made/by/the/factory")
    listed = boto3.client("logs", region_name="us-east-1").describe_log_groups()["logGroups"]
    assert [group["logGroupName"] for group in listed] == ["/made/by/the/factory"]
    assert aws.client(settings, "logs") is logs
    assert aws.client(settings.replace(region="eu-west-1"), "logs") is not logs
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env + "/")
    assert aws.client(settings, "logs") is not logs  # another endpoint, another client
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env)
    assert aws.client(settings, "logs") is logs


def test_expired_credentials_forget_the_clients(settings) -> None:
    logs = aws.client(settings, "logs")
    expired = ClientError({"Error": {"Code": "ExpiredToken", "Message": "expired"}}, "Op")
    with pytest.raises(ConfigurationError, match="expired"), aws.aws_errors("logs:StartQuery"):
        raise expired
    assert aws.client(settings, "logs") is not logs  # the rerun reads the refreshed credentials


def test_the_guard_refuses_writes_on_factory_clients(aws_env: str) -> None:
    settings = resolve(backend="aws", region="us-east-1")
    logs = aws.client(settings, "logs")  # made before the guard is on
    with aws.read_only():
        assert logs.describe_log_groups()["logGroups"] == []
        with pytest.raises(MutatingCallError, match="refused logs:CreateLogGroup"):
            logs.create_log_group(logGroupName="/never")
        with pytest.raises(MutatingCallError, match="refused logs:CreateLogGroup"):
            aws.client(settings, "logs").create_log_group(logGroupName="/never")
    assert not aws.read_only_enabled()
    assert logs.describe_log_groups()["logGroups"] == []  # nothing reached moto
    logs.create_log_group(logGroupName="/allowed")  # the guard, not moto, refused it


def test_sessions_share_the_models_read_once(settings) -> None:
    logs = aws.client(settings, "logs")
    loader = aws.session(settings)._loader
    paths = list(loader.search_paths)
    aws.reset()
    again = aws.client(settings, "logs")
    other = aws.client(settings.replace(region="eu-west-1"), "logs")
    assert again is not logs and other is not again  # new sessions and clients ...
    assert aws.session(settings)._loader is loader  # ... on the models already read
    assert loader.search_paths == paths, "the same folders, not one more a session"
    assert again.meta.service_model.operation_names == logs.meta.service_model.operation_names
