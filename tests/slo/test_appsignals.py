"""Application Signals budget reports, read with botocore's Stubber (moto lacks the service)."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.stub import Stubber
from opsbook.backends.aws import appsignals as aws_appsignals
from opsbook.errors import AccessDeniedError
from opsbook.settings import resolve
from opsbook.slo.appsignals import budget_reports

AT = dt.datetime(2026, 11, 15, tzinfo=dt.UTC)
ARN = "arn:aws:application-signals:us-east-1:334455667788:slo/{}"


def _client(monkeypatch: pytest.MonkeyPatch):
    client = boto3.client(
        "application-signals", region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    monkeypatch.setattr(aws_appsignals, "client", lambda settings, service: client)
    return client


def _report(name: str, request_based: bool) -> dict:
    goal = {
        "Interval": {"RollingInterval": {"DurationUnit": "DAY", "Duration": 28}},
        "AttainmentGoal": 99.9,
        "WarningThreshold": 50.0,
    }
    report = {"Arn": ARN.format(name), "Name": name, "Goal": goal, "Attainment": 99.95}
    if request_based:
        return report | {"EvaluationType": "RequestBased", "BudgetStatus": "OK",
                         "TotalBudgetRequests": 1000, "BudgetRequestsRemaining": 400}  # fmt: skip
    return report | {"EvaluationType": "PeriodBased", "BudgetStatus": "BREACHED",
                     "TotalBudgetSeconds": 2419, "BudgetSecondsRemaining": 0}  # fmt: skip


def test_lists_batches_and_normalises_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(monkeypatch)
    names = [f"slo-{i}" for i in range(51)]
    with Stubber(client) as stub:
        stub.add_response(
            "list_service_level_objectives",
            {"SloSummaries": [{"Arn": ARN.format(n), "Name": n, "CreatedTime": AT} for n in names]},
            {},
        )
        stub.add_response(
            "batch_get_service_level_objective_budget_report",
            {"Timestamp": AT, "Reports": [_report("slo-0", True), _report("slo-1", False)],
             "Errors": [{"Name": "slo-2", "Arn": ARN.format("slo-2"), "ErrorCode": "ResourceNotFound", "ErrorMessage": "gone"}]},
            {"Timestamp": AT, "SloIds": [ARN.format(n) for n in names[:50]]},
        )  # fmt: skip
        stub.add_response(
            "batch_get_service_level_objective_budget_report",
            {"Timestamp": AT, "Reports": [], "Errors": []},
            {"Timestamp": AT, "SloIds": [ARN.format(names[50])]},
        )
        frame = budget_reports(at=AT, settings=resolve(backend="aws"))
        stub.assert_no_pending_responses()
    first, second = frame.to_dict("records")
    assert (first["name"], first["evaluation"], first["status"]) == ("slo-0", "RequestBased", "ok")
    assert first["budget_remaining"] == pytest.approx(0.4) and first["attainment"] == pytest.approx(
        0.9995
    )
    assert (first["target"], first["window"], first["budget_unit"]) == (
        pytest.approx(0.999),
        "28 day rolling",
        "requests",
    )
    assert (second["status"], second["budget_remaining"], second["budget_unit"]) == (
        "exhausted",
        0.0,
        "seconds",
    )
    assert frame.attrs["errors"] == [{"slo": "slo-2", "error": "ResourceNotFound: gone"}]


def test_access_denied_names_the_action(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(monkeypatch)
    with Stubber(client) as stub:
        stub.add_client_error(
            "batch_get_service_level_objective_budget_report", "AccessDeniedException", "no"
        )
        with pytest.raises(AccessDeniedError, match="BatchGetServiceLevelObjectiveBudgetReport"):
            budget_reports(["my-slo"], AT, settings=resolve(backend="aws"))
