"""opsbook.health: the sample's events, the same rows from the API, and no-support-plan."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from opsbook import health
from opsbook.backends import frames
from opsbook.backends.aws import health as aws_health
from opsbook.errors import AccessDeniedError
from opsbook.settings import resolve


def _stubbed(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    client = boto3.client("health", region_name="us-east-1")
    stubber = Stubber(client)
    monkeypatch.setattr(aws_health, "client", lambda settings, service: client)
    stubber.activate()
    return stubber


def test_the_rds_issue_shows_in_its_window_only(local) -> None:
    events = health.read_health_events("2026-11-11T04:00Z", "2026-11-11T06:00Z", settings=local)
    assert events.event_type.tolist() == ["AWS_RDS_OPERATIONAL_ISSUE"]
    assert events.affected_entities.tolist() == ["shop-orders-db"]
    assert events.description.iloc[0].startswith("[RESOLVED]") and events.attrs["available"]
    assert events.dtypes.to_dict() == frames.health_events_frame([]).dtypes.to_dict()
    assert health.read_health_events("2026-11-14T13:00Z", "2026-11-14T16:00Z", settings=local).empty
    upcoming = health.read_health_events("2026-11-24", "2026-11-25", settings=local)
    assert upcoming.category.tolist() == ["scheduledChange"]


def test_without_a_support_plan_the_answer_says_unavailable_not_healthy(
    monkeypatch, clean_env
) -> None:
    stubber = _stubbed(monkeypatch)
    stubber.add_client_error("describe_events", "SubscriptionRequiredException",
                             "The AWS Support plan does not allow this", http_status_code=400)  # fmt: skip
    with pytest.warns(UserWarning, match="Business"):
        events = health.read_health_events(
            "2026-11-10", "2026-11-15", settings=resolve(backend="aws")
        )
    assert events.attrs["available"] is False
    assert events.status.tolist() == ["unavailable"] and not events.empty
    assert "not a sign that AWS is healthy" in events.description.iloc[0]


def test_access_denied_is_not_mistaken_for_no_plan(monkeypatch, clean_env) -> None:
    stubber = _stubbed(monkeypatch)
    stubber.add_client_error("describe_events", "AccessDeniedException", "no")
    with pytest.raises(AccessDeniedError, match="health:DescribeEvents"):
        health.read_health_events("2026-11-10", "2026-11-15", settings=resolve(backend="aws"))
