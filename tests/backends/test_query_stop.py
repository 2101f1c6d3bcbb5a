"""Nothing left running: once a remote query has started, any failure stops it.

Athena (StopQueryExecution) and Logs Insights (StopQuery), each failure after the start: throttling
past the client's retries, AccessDenied and 5xx while polling, network errors, KeyboardInterrupt,
the deadline and (Athena) the cost cap. botocore Stubber serves the calls (moto has no Logs
StopQuery); one Athena case runs against the moto server on 127.0.0.1 end to end. Each runs with
the read-only guard on, as in a runbook, so stopping one's own query is shown to pass it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber
from opsbook.backends import read_only
from opsbook.backends.aws import client as factory_client
from opsbook.backends.aws.athena_run import execution_request, run_execution
from opsbook.backends.aws.insights_run import run_query
from opsbook.errors import AccessDeniedError, QueryCancelledError, QueryFailedError
from opsbook.settings import resolve

REQUEST = execution_request("SELECT 1", [], database="cid_data_export", workgroup="primary",
                            output=None, reuse_minutes=0)  # fmt: skip
S0 = dt.datetime(2026, 11, 14, 10, tzinfo=dt.UTC)
S1 = S0 + dt.timedelta(minutes=5)


def _network(**_: object) -> None:
    raise EndpointConnectionError(endpoint_url="https://monitoring.example")


def _read_timeout(**_: object) -> None:
    raise ReadTimeoutError(endpoint_url="https://monitoring.example")


#: failure -> (client error code and HTTP status, or a raising function), error, message
FAILURES = {
    "throttled past the retries": (("Throttling", 400), QueryFailedError, "kept throttling"),
    "access denied": (("AccessDeniedException", 400), AccessDeniedError, "access denied"),
    "5xx": (("InternalServerException", 500), QueryFailedError, "InternalServerException"),
    "service unavailable": (("ServiceUnavailable", 503), QueryFailedError, "ServiceUnavailable"),
    "network": (_network, QueryFailedError, "network failed"),
    "read time-out": (_read_timeout, QueryFailedError, "network failed"),
}


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with read_only():
        yield


def _fail_second_poll(
    client: object, stub: Stubber, method: str, how: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first poll answers (stubbed); the second fails with ``how``."""
    if isinstance(how, tuple):
        code, status = how
        stub.add_client_error(method, code, "injected", http_status_code=status)
        return
    answers = iter([getattr(client, method)])
    monkeypatch.setattr(client, method, lambda **kwargs: next(answers, how)(**kwargs))


# --- Athena --------------------------------------------------------------------------------------


def _athena() -> tuple[object, Stubber]:
    client = boto3.client("athena", region_name="us-east-1")
    return client, Stubber(client)


def _running(scanned: int = 0) -> dict:
    return {"QueryExecution": {"QueryExecutionId": "q-1", "Status": {"State": "RUNNING"},
                               "Statistics": {"DataScannedInBytes": scanned}}}  # fmt: skip


def _run(client: object, **options: object) -> None:
    arguments = {"name": "q", "timeout": None, "max_bytes": 2**40, "sleep": lambda s: None}
    run_execution(client, REQUEST, **{**arguments, **options})


@pytest.mark.parametrize("failure", FAILURES)
def test_athena_polling_failures_stop_the_query(
    failure: str, guarded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    how, error, message = FAILURES[failure]
    client, stub = _athena()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stub.add_response("get_query_execution", _running(), {"QueryExecutionId": "q-1"})
    _fail_second_poll(client, stub, "get_query_execution", how, monkeypatch)
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
    with stub, pytest.raises(error, match=message) as caught:
        _run(client)
    stub.assert_no_pending_responses()  # StopQueryExecution was called, with the query's id
    assert "(Athena query q-1 was stopped)" in str(caught.value)


@pytest.mark.parametrize("trigger", ["interrupt", "timeout", "cost cap"])
def test_athena_interrupt_timeout_and_cost_cap_stop_the_query(trigger: str, guarded: None) -> None:
    client, stub = _athena()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stub.add_response("get_query_execution", _running(5 * 2**30 if trigger == "cost cap" else 0))
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
    clock = iter([0.0, 100.0])

    def sleep(_seconds: float) -> None:
        raise KeyboardInterrupt

    options = {
        "interrupt": {"sleep": sleep},
        "timeout": {"timeout": 30.0, "clock": lambda: next(clock)},
        "cost cap": {"max_bytes": 2**30},
    }[trigger]
    match = {"interrupt": "interrupted", "timeout": "30 s timeout", "cost cap": "max_query_cost"}
    with stub, pytest.raises(QueryCancelledError, match=match[trigger]) as caught:
        _run(client, **options)
    stub.assert_no_pending_responses()
    assert "Athena query q-1 was stopped" in str(caught.value) and caught.value.query_id == "q-1"


def test_a_failed_stop_is_said_and_never_hides_the_error(guarded: None) -> None:
    client, stub = _athena()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stub.add_client_error("get_query_execution", "AccessDeniedException", "revoked")
    stub.add_client_error("stop_query_execution", "AccessDeniedException", "revoked too")
    with stub, pytest.raises(AccessDeniedError, match="athena:GetQueryExecution") as caught:
        _run(client)
    assert "Athena query q-1 could not be stopped" in str(caught.value)
    assert "stop it in the Athena console" in str(caught.value)


def test_a_query_that_ended_by_itself_is_not_stopped(guarded: None) -> None:
    client, stub = _athena()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    ended = {"QueryExecution": {"QueryExecutionId": "q-1", "Status": {"State": "FAILED",
             "StateChangeReason": "SYNTAX_ERROR: nope"}}}  # fmt: skip
    stub.add_response("get_query_execution", ended)
    with stub, pytest.raises(QueryFailedError, match="SYNTAX_ERROR") as caught:
        _run(client)  # the Stubber would refuse an unexpected StopQueryExecution
    assert "stopped" not in str(caught.value)


def test_athena_on_moto_is_left_cancelled_when_polling_fails(
    aws_env: str, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = factory_client(resolve(backend="aws", region="us-east-1"), "athena")
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "revoked"}},
                         "GetQueryExecution")  # fmt: skip

    def revoked(**_: object) -> None:
        raise denied

    monkeypatch.setattr(client, "get_query_execution", revoked)
    with read_only(), pytest.raises(AccessDeniedError, match="was stopped") as caught:
        _run(client)
    query_id = boto3.client("athena", region_name="us-east-1").list_query_executions()[
        "QueryExecutionIds"
    ][0]
    assert query_id in str(caught.value)
    state = boto3.client("athena", region_name="us-east-1").get_query_execution(
        QueryExecutionId=query_id
    )["QueryExecution"]["Status"]["State"]
    assert state == "CANCELLED"


# --- Logs Insights -------------------------------------------------------------------------------


def _insights(client: object, **options: object) -> None:
    run_query(resolve(backend="aws"), "fields @message", ["/app"], S0, S1, limit=None,
                   client=client, **{"sleep": lambda s: None, **options})  # fmt: skip


def _logs() -> tuple[object, Stubber]:
    client = boto3.client("logs", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_response("start_query", {"queryId": "lq-1"})
    stub.add_response(
        "get_query_results", {"results": [], "status": "Running"}, {"queryId": "lq-1"}
    )
    return client, stub


@pytest.mark.parametrize("failure", FAILURES)
def test_logs_insights_polling_failures_stop_the_query(
    failure: str, guarded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    how, error, message = FAILURES[failure]
    client, stub = _logs()
    _fail_second_poll(client, stub, "get_query_results", how, monkeypatch)
    stub.add_response("stop_query", {"success": True}, {"queryId": "lq-1"})
    with stub, pytest.raises(error, match=message) as caught:
        _insights(client, clock=FakeClock())
    stub.assert_no_pending_responses()  # StopQuery was called, with the query's id
    assert "(Logs Insights query lq-1 was stopped)" in str(caught.value)


def test_logs_insights_interrupt_and_deadline_stop_the_query(guarded: None) -> None:
    client, stub = _logs()
    stub.add_response("stop_query", {"success": True}, {"queryId": "lq-1"})

    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    with stub, pytest.raises(KeyboardInterrupt, match="lq-1 was stopped"):
        _insights(client, sleep=interrupt, clock=FakeClock())
    stub.assert_no_pending_responses()

    client, stub = _logs()
    stub.add_response("stop_query", {"success": True}, {"queryId": "lq-1"})
    with stub, pytest.raises(QueryCancelledError, match="deadline.*lq-1 was stopped"):
        _insights(client, clock=FakeClock(), deadline_seconds=0.5, poll_seconds=1.0)
    stub.assert_no_pending_responses()


def test_logs_insights_failed_stop_is_said(guarded: None) -> None:
    client, stub = _logs()
    stub.add_client_error("get_query_results", "AccessDeniedException", "revoked")
    stub.add_client_error("stop_query", "AccessDeniedException", "revoked too")
    with stub, pytest.raises(AccessDeniedError, match="could not be stopped.*CloudWatch console"):
        _insights(client, clock=FakeClock())


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.1
        return self.now
