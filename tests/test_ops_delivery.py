"""Delivery metrics on the pinned sample org: deployments, the failed change, time to restore."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from opsbook.errors import ConfigurationError
from opsbook.ops import delivery
from opsbook.sample.episodes import releases
from opsbook.sample.org import CATALOG, CHECKOUT, ORDERS, timeline
from opsbook.settings import resolve

PROD = "334455667788"


@pytest.fixture(scope="module")
def report(sample_dir: Path) -> delivery.DeliveryReport:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    return delivery.review("", "2026-11-15", settings=settings)


def test_deployments_per_service_match_the_generated_releases(report) -> None:
    story = timeline(dt.date(2026, 11, 15))
    # CloudTrail names what was deployed: the ECS service or Lambda function (its log group's).
    deployed = {s.name: s.log_group.rsplit("/", 1)[-1] for s in (CATALOG, CHECKOUT, ORDERS)}
    shipped = Counter(deployed[r.service] for r in releases(story))
    prod = report.deployments[report.deployments.account_id == PROD]
    found = Counter(prod.service)
    assert {s: found[s] for s in shipped} == dict(shipped)
    assert sum(shipped.values()) == 17
    # Besides the releases: two observability-stack updates in prod, staging's checkout deploys.
    assert found["shop-prod-observability"] == 2
    staging = report.deployments[report.deployments.account_id != PROD]
    assert staging.service.unique().tolist() == ["checkout-api"]
    # One SAM release is six CloudTrail events, yet one deployment.
    orders = prod[prod.service == "orders-worker"]
    assert orders.events.tolist() == [6, 6, 6, 6]
    assert orders.version.tolist() == ["31", "32", "33", "34"]


def test_the_bad_checkout_release_is_the_one_failed_change(report) -> None:
    failed = report.failures[report.failures.failed]
    assert len(failed) == 1
    row = failed.iloc[0]
    assert (row.service, row.version) == ("checkout-api", "checkout-api:43")
    assert row.deployed_at == pd.Timestamp("2026-11-14 13:58:00", tz="UTC")
    assert row.alarm_name == "checkout-api-alb-target-5xx"
    # The 5xx and p99 alarms overlap: one incident, 14:05:20 -> 14:50:17.
    assert row.restore_minutes == pytest.approx(45, abs=0.5)
    head = report.headline()
    assert head["failed_changes"] == 1
    assert head["failed"][0]["restore_minutes"] == pytest.approx(44.9, abs=0.1)
    rate = report.failure_rate.set_index(["account_id", "service"])
    assert rate.loc[(PROD, "checkout-api"), "failure_rate"] == pytest.approx(1 / 8)
    assert "checkout-api:43" in report.findings[1]


def test_overlapping_alarms_merge_into_one_incident(report) -> None:
    checkout = report.incidents[
        (report.incidents.service == "checkout-api")
        & (report.incidents.started.dt.date == dt.date(2026, 11, 14))
    ]
    assert len(checkout) == 1
    assert checkout.iloc[0].alarms == (
        "checkout-api-alb-target-5xx, checkout-api-alb-target-response-time-p99"
    )
    restore = report.restore.set_index(["service", "month"])
    assert restore.loc[("checkout-api", "2026-11"), "incidents"] == 2


def test_weekly_frequency_counts_every_deployment(report) -> None:
    assert report.frequency.deployments.sum() == len(report.deployments)
    assert (report.frequency.week.dt.day_of_week == 0).all()


def test_configured_event_names_and_window(sample_dir: Path) -> None:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    only_ecs = delivery.review("2026-11-01", "2026-11-15", event_names=["UpdateService"],
                               window=5, settings=settings)  # fmt: skip
    assert set(only_ecs.deployments.service) == {"checkout-api"}
    # The 5xx alarm fired 7 minutes after the bad deploy: outside a 5-minute window.
    assert not only_ecs.failures.failed.any()
    with pytest.raises(ConfigurationError, match="event_names is empty"):
        delivery.read_deployments("2026-11-01", "2026-11-15", event_names=[], settings=settings)
    with pytest.raises(ConfigurationError, match="window 0"):
        delivery.review("2026-11-01", "2026-11-15", window=0, settings=settings)


def test_merging_spans_keeps_an_ongoing_incident_open() -> None:
    t = pd.Timestamp("2026-11-14 10:00", tz="UTC")
    spans = pd.DataFrame(
        {
            "alarm_name": ["a", "b", "c"],
            "account_id": ["1", "1", "1"],
            "service": ["s"] * 3,
            "started": [t, t + pd.Timedelta(minutes=5), t + pd.Timedelta(hours=2)],
            "ended": [t + pd.Timedelta(minutes=10), t + pd.Timedelta(minutes=30), pd.NaT],
        }  # fmt: skip
    ).astype({"started": "datetime64[ms, UTC]", "ended": "datetime64[ms, UTC]"})
    incidents = delivery.merge_incidents(spans)
    assert incidents.minutes.iloc[0] == 30
    assert incidents.alarms.iloc[0] == "a, b"
    assert pd.isna(incidents.restored.iloc[1]) and pd.isna(incidents.minutes.iloc[1])
    restore = delivery.time_to_restore(incidents)
    assert restore.ongoing.iloc[0] == 1 and restore.median_minutes.iloc[0] == 30
