"""Delivery metrics on the pinned sample org: deployments, the failed change, time to restore."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from opsbook.errors import ConfigurationError
from opsbook.ops import delivery, deployments
from opsbook.sample.episodes import releases
from opsbook.sample.org import CATALOG, CHECKOUT, ORDERS, timeline
from opsbook.settings import resolve

PROD = "334455667788"


@pytest.fixture(scope="module")
def report(sample_dir: Path) -> delivery.DeliveryReport:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    return delivery.review_delivery("", "2026-11-15", settings=settings)


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
    head = report.figures()
    assert head["failed_changes"] == 1
    assert head["failed"][0]["restore_minutes"] == pytest.approx(44.9, abs=0.1)
    rate = report.failure_rate.set_index(["account_id", "service"])
    assert rate.loc[(PROD, "checkout-api"), "failure_rate"] == pytest.approx(1 / 8)
    assert "checkout-api:43" in report.findings()[1]


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
    only_ecs = delivery.review_delivery("2026-11-01", "2026-11-15", event_names=["UpdateService"],
                               window=5, settings=settings)  # fmt: skip
    assert set(only_ecs.deployments.service) == {"checkout-api"}
    # The 5xx alarm fired 7 minutes after the bad deploy: outside a 5-minute window.
    assert not only_ecs.failures.failed.any()
    with pytest.raises(ConfigurationError, match="event_names is empty"):
        deployments.read_deployments("2026-11-01", "2026-11-15", event_names=[], settings=settings)
    with pytest.raises(ConfigurationError, match="window 0"):
        delivery.review_delivery("2026-11-01", "2026-11-15", window=0, settings=settings)


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


def test_the_slo_page_is_one_of_the_failed_change_signals(report) -> None:
    failed = report.failures[report.failures.failed]
    assert failed.version.tolist() == ["checkout-api:43"]
    row = failed.iloc[0]
    # checkout-latency watches checkout-api; its fast page starts after the bad deploy.
    assert row.slo_name == "checkout-latency"
    assert row.deployed_at < row.page_at <= row.deployed_at + pd.Timedelta(minutes=60)
    assert "alarm checkout-api-alb-target-5xx" in row.signals
    assert "SLO checkout-latency fast page" in row.signals
    assert row.signal_at == row.alarm_at  # the alarm came first
    status = report.slo.status.set_index("slo")
    # catalog's SLO names its Lambda function in the metric dimensions: evaluated, no page.
    assert status.loc["catalog-lambda-success", "service"] == "catalog-api-handler"
    assert status.loc["catalog-lambda-success", "status"] == "evaluated"
    assert status.loc["api-availability", "status"] == "not deployed"
    # Pages only of evaluated SLOs, each starting after some deployment of its service.
    assert set(report.slo.pages.slo) == {"checkout-latency"}
    signals = report.signals().set_index("signal")
    assert signals.loc["SLO page alerts", "state"] == "evaluated"
    assert signals.loc["SLO page alerts", "failed_changes"] == 1
    assert report.figures()["slo_signal"] == "evaluated"


def test_without_an_slo_spec_the_rate_comes_from_alarms_and_says_so(sample_dir, tmp_path) -> None:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    report = delivery.review_delivery("2026-11-14", "2026-11-15", slo_spec=tmp_path / "none.yaml",
                             settings=settings)  # fmt: skip
    assert report.failures[report.failures.failed].version.tolist() == ["checkout-api:43"]
    assert report.failures.slo_name.isna().all()
    signals = report.signals().set_index("signal")
    assert signals.loc["SLO page alerts", "state"] == "unavailable"
    assert "no SLO spec" in signals.loc["SLO page alerts", "note"]
    assert report.figures()["slo_signal"] == "unavailable"
    assert any(f.startswith("SLO page signal unavailable") for f in report.findings())


def test_an_slo_page_alone_fails_a_deployment() -> None:
    t = pd.Timestamp("2026-11-14 10:00", tz="UTC")
    deployments = pd.DataFrame(
        {
            "deployed_at": [t, t + pd.Timedelta(hours=3)],
            "account_id": ["1", "1"],
            "service": ["api", "api"],
            "version": ["v1", "v2"],
        }  # fmt: skip
    ).astype({"deployed_at": "datetime64[ms, UTC]"})
    no_alarms = pd.DataFrame(columns=delivery.SPAN_COLUMNS).astype(
        {"started": "datetime64[ms, UTC]", "ended": "datetime64[ms, UTC]"}
    )
    pages = pd.DataFrame(
        {
            "slo": ["api-availability"] * 2,
            "account_id": [None, None],
            "service": ["api", "api"],
            "tier": ["fast", "medium"],
            "started": [t + pd.Timedelta(minutes=20), t + pd.Timedelta(minutes=170)],
            "ended": [t + pd.Timedelta(minutes=50), t + pd.Timedelta(minutes=200)],
        }  # fmt: skip
    ).astype({"started": "datetime64[ms, UTC]", "ended": "datetime64[ms, UTC]"})
    failures = delivery.find_failed_changes(deployments, no_alarms, window=60, pages=pages)
    # v1: paged 20 min later. v2: the second page started before it, so it does not count.
    assert failures.failed.tolist() == [True, False]
    first = failures.iloc[0]
    assert pd.isna(first.alarm_name) and first.slo_name == "api-availability"
    assert first.signals == "SLO api-availability fast page at 10:20"
    assert first.restore_minutes == 30  # the page's duration, without an alarm incident
    assert delivery.change_failure_rate(failures).failure_rate.iloc[-1] == 0.5
    # Without the page signal the same deployment is not failed.
    assert not delivery.find_failed_changes(deployments, no_alarms, window=60).failed.any()
