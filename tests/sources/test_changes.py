"""opsbook.changes: CloudTrail write events from log files and from LookupEvents (Stubber)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from opsbook import changes
from opsbook.backends import frames
from opsbook.backends.aws import changes as aws_changes
from opsbook.errors import AccessDeniedError, ConfigurationError, QueryFailedError
from opsbook.settings import resolve
from support.moto_seed import lookup_events

START, END = "2026-11-14T12:00Z", "2026-11-14T16:00Z"


def _stubbed(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    client = boto3.client("cloudtrail", region_name="us-east-1")
    stubber = Stubber(client)
    monkeypatch.setattr(aws_changes, "client", lambda settings, service: client)
    stubber.activate()
    return stubber


def test_the_bad_deployment_and_its_rollback_are_found(local) -> None:
    found = changes.read_changes(START, END, settings=local)
    prod = found[found.account_id == "334455667788"]
    assert prod.event_time.dt.strftime("%H:%M").tolist() == ["13:58", "14:41"]
    assert set(prod.action) == {"UpdateService"} and set(prod.resource) == {
        "shop-prod/checkout-api"
    }
    assert [json.loads(p)["taskDefinition"] for p in prod.request_parameters] == [
        "checkout-api:43", "checkout-api:42"]  # fmt: skip
    assert found.dtypes.to_dict() == frames.changes_frame([]).dtypes.to_dict()
    day = changes.read_changes("2026-11-14", "2026-11-15", settings=local)
    lambda_deploy = day[day.resource == "orders-worker"].action.tolist()
    assert lambda_deploy[:3] == ["ExecuteChangeSet", "UpdateFunctionCode", "PublishVersion"]
    assert "UpdateFunctionCode20150331v2" in set(day.event_name)


def test_event_name_filters(local) -> None:
    everything = changes.read_changes("2026-10-01", "2026-11-15", event_names="all", settings=local)
    incident = changes.read_changes("2026-10-01", "2026-11-15", settings=local)
    assert "RegisterTaskDefinition" in set(everything.action) - set(incident.action)
    only = changes.read_changes("2026-10-01", "2026-11-15", event_names=["UpdateFunctionCode20150331v2"],
                                settings=local)  # fmt: skip
    assert set(only.action) == {"UpdateFunctionCode"} and len(only) > 0
    with pytest.raises(ConfigurationError, match="'all'"):
        changes.read_changes(START, END, event_names="deploys", settings=local)


@pytest.mark.parametrize(
    ("code", "error", "text"),
    [
        pytest.param(
            "ThrottlingException", QueryFailedError, "after 1 page", id="throttled-mid-way"
        ),
        pytest.param(
            "AccessDeniedException", AccessDeniedError, "cloudtrail:LookupEvents", id="denied"
        ),
        pytest.param("ExpiredTokenException", ConfigurationError, "expired", id="expired"),
    ],
)
def test_a_failing_page_refuses_the_whole_answer(
    code, error, text, sample_dir, monkeypatch, clean_env
) -> None:
    stubber = _stubbed(monkeypatch)
    stubber.add_response("lookup_events", {"Events": lookup_events(sample_dir, "334455667788", START, END)[:2],
                                           "NextToken": "p2"})  # fmt: skip
    stubber.add_client_error("lookup_events", code, "no")
    with pytest.raises(error, match=text):
        changes.read_changes(START, END, settings=resolve(backend="aws"))
