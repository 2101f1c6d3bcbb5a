"""SLOs evaluated on the sample org: the incident pages, recovers, and the slow burn tickets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from opsbook.errors import ConfigurationError
from opsbook.sample.org import timeline
from opsbook.sample.slos import write_slos
from opsbook.settings import resolve
from opsbook.slo.evaluate import SloReport, evaluate

STORY = timeline(dt.date(2026, 11, 15))


@pytest.fixture(scope="module")
def report(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SloReport:
    root = tmp_path_factory.mktemp("spec")
    write_slos(root, STORY)
    return evaluate(root / "slos.yaml", "2026-11-15", settings=resolve(data_dir=str(sample_dir)))


def test_summary_figures(report: SloReport) -> None:
    summary = report.summary().set_index("name")
    api = summary.loc["api-availability"]
    assert api.events > 1e8 and api.bad_events > 0
    assert api.attainment == pytest.approx(1 - api.bad_events / api.events)
    assert api.budget_consumed == pytest.approx(api.bad_events / (0.001 * api.events))
    assert 0 < api.budget_remaining < 1 and api.fast_threshold == pytest.approx(14.4)
    latency = summary.loc["checkout-latency"]
    assert latency.events == 30 * 1440  # one slice per minute with data
    assert latency.budget_consumed == pytest.approx(latency.bad_events / (0.01 * 30 * 1440))
    catalog = summary.loc["catalog-lambda-success"]
    assert catalog.slow_threshold == pytest.approx(0.9333, abs=1e-4) and catalog.slow_firing
    assert catalog.status in {"ticket", "exhausted"}
    assert not summary[["fast_firing", "medium_firing"]].any().any()  # recovered by as_of


def test_incident_pages_during_and_not_after(report: SloReport) -> None:
    episodes = report.episodes()
    pages = episodes.loc[(episodes.severity == "page")]
    for slo in ("api-availability", "checkout-latency"):
        fast = pages.loc[(pages.slo == slo) & (pages.tier == "fast")].iloc[0]
        assert STORY.errors_start <= fast.start < STORY.errors_end
        assert STORY.errors_end <= fast.end <= STORY.errors_end + dt.timedelta(minutes=10)
    assert pages.start.min() >= pd.Timestamp(STORY.errors_start)
    assert (pages.end <= pd.Timestamp(STORY.errors_end) + dt.timedelta(minutes=35)).all()


def test_burn_down_and_worst_offenders(report: SloReport) -> None:
    down = report.burn_down("api-availability")
    summary = report.summary().set_index("name")
    assert down.remaining.iloc[-1] == pytest.approx(
        summary.loc["api-availability"].budget_remaining
    )
    worst = report.worst_offenders(top=3)
    incident_hour = pd.Timestamp(STORY.errors_start).floor("h")
    assert incident_hour in set(worst.start)
    with pytest.raises(ConfigurationError, match="no SLO named"):
        report.get("nope")


_RATIO_SPEC = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: orders-availability}
spec:
  service: orders
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  indicator:
    metadata: {name: orders-5xx}
    spec:
      ratioMetric:
        counter: true
        bad: {metricSource: {type: CloudWatch, spec: {namespace: Shop, metricName: Errors,
              stat: Sum, dimensions: [{name: Service, value: orders}]}}}
        total: {metricSource: {type: CloudWatch, spec: {namespace: Shop, metricName: Requests,
                stat: Sum, dimensions: [{name: Service, value: orders}]}}}
  objectives: [{target: 0.99}]
"""


def test_a_30_day_slo_on_aws_reads_old_data_at_the_grain_cloudwatch_keeps(
    aws_env: str, tmp_path: Path
) -> None:
    """CloudWatch keeps 1-minute data 15 days: the older half comes back at 5 minutes, whole."""
    import boto3

    as_of = pd.Timestamp.now(tz="UTC").floor("h")
    hours = pd.date_range(as_of - pd.Timedelta(days=33), as_of, freq="h", inclusive="left")
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    dims = [{"Name": "Service", "Value": "orders"}]
    for chunk in range(0, len(hours), 500):
        batch = hours[chunk : chunk + 500]
        cloudwatch.put_metric_data(Namespace="Shop", MetricData=[
            item for hour in batch for item in (
                {"MetricName": "Requests", "Dimensions": dims, "Timestamp": hour.to_pydatetime(), "Value": 1000.0},
                {"MetricName": "Errors", "Dimensions": dims, "Timestamp": hour.to_pydatetime(), "Value": 2.0},
            )])  # fmt: skip
    spec = tmp_path / "slos.yaml"
    spec.write_text(_RATIO_SPEC)
    report = evaluate(spec, as_of, settings=resolve(backend="aws", region="us-east-1"))
    row = report.summary().set_index("name").loc["orders-availability"]
    assert row.events == 30 * 24 * 1000 and row.bad_events == 30 * 24 * 2
    assert row.budget_consumed == pytest.approx(0.2)
