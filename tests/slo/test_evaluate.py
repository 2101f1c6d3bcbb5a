"""SLOs evaluated on the sample org: the incident pages, recovers, and the slow burn tickets."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opsbook.errors import ConfigurationError
from opsbook.sample.org import timeline
from opsbook.sample.slos import write_slos
from opsbook.settings import resolve
from opsbook.slo.evaluate import SloData, SloReport, review_slos
from opsbook.slo.maths import Tier
from opsbook.slo.spec import EXAMPLE, parse_slos

STORY = timeline(dt.date(2026, 11, 15))


@pytest.fixture(scope="module")
def report(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SloReport:
    root = tmp_path_factory.mktemp("spec")
    write_slos(root, STORY)
    return review_slos(root / "slos.yaml", "2026-11-15", settings=resolve(data_dir=str(sample_dir)))


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
    report = review_slos(spec, as_of, settings=resolve(backend="aws", region="us-east-1"))
    row = report.summary().set_index("name").loc["orders-availability"]
    assert row.events == 30 * 24 * 1000 and row.bad_events == 30 * 24 * 2
    assert row.budget_consumed == pytest.approx(0.2)


def test_all_slos_are_read_in_one_request_with_the_counts_each_reads_alone(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SLOs with different windows share one metrics request over their union, sliced per SLO."""
    from opsbook import metrics
    from opsbook.slo.evaluate import fetch_counts

    write_slos(tmp_path, STORY)
    spec = tmp_path / "slos.yaml"  # 1- and 2-day windows: a short read, two different starts
    text = spec.read_text().replace("duration: 30d", "duration: 1d")
    spec.write_text(text.replace("duration: 28d", "duration: 2d"))
    local = resolve(data_dir=str(sample_dir))
    calls = []
    real = metrics.get
    monkeypatch.setattr(metrics, "get", lambda *a, **k: calls.append(a) or real(*a, **k))
    as_of = pd.Timestamp(STORY.errors_end).ceil("h") + pd.Timedelta(hours=1)
    tiers = (Tier("fast", "page", 0.02, pd.Timedelta(hours=1), pd.Timedelta(minutes=5)),)
    report = review_slos(spec, as_of, tiers=tiers, settings=local)
    assert len(calls) == 1
    assert len({d.counts.index[0] for d in report.data}) == 2
    for data in report.data:
        alone = fetch_counts(data.slo, data.counts.index[0], data.as_of, settings=local)
        assert alone.total.sum() > 0 and (alone.total - alone.good).sum() > 0
        pd.testing.assert_frame_equal(data.counts, alone, check_exact=True)
    assert len(calls) == 1 + len(report.data)  # alone, good and total still share a request


def _reference_episodes(alerts: pd.DataFrame) -> pd.DataFrame:
    """The plain per-minute loop that SloReport.episodes replaced."""
    step = pd.Timedelta(minutes=1)
    rows = []
    for (slo, tier), group in alerts.groupby(["slo", "tier"], sort=False):
        firing = group.firing.to_numpy()
        starts = group.timestamp.to_numpy()
        run = None
        for index, on in enumerate(firing):
            if on and run is None:
                run = index
            if run is not None and (not on or index == len(firing) - 1):
                last = index if not on else None
                part = group.iloc[run : (index if not on else index + 1)]
                rows.append(
                    {
                        "slo": slo,
                        "tier": tier,
                        "severity": group.severity.iloc[0],
                        "start": pd.Timestamp(starts[run]) - step,
                        "end": pd.Timestamp(starts[last]) - step if last is not None else pd.NaT,
                        "minutes": len(part),
                        "peak_burn": float(part.long_burn.max()),
                    }
                )
                run = None
    columns = ["slo", "tier", "severity", "start", "end", "minutes", "peak_burn"]
    frame = pd.DataFrame(rows, columns=columns)
    if rows:  # the loop lost the time zone when every end was NaT; episodes keeps it
        frame["end"] = pd.to_datetime(frame.end, utc=True).astype(frame.start.dtype)
    return frame


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=90))
def test_episodes_match_the_per_minute_loop(rows: list[tuple[int, int]]) -> None:
    slo = dataclasses.replace(parse_slos(EXAMPLE)[0], target=0.9)
    start = pd.Timestamp("2026-11-01", tz="UTC")
    index = pd.date_range(start, periods=len(rows), freq="1min", name="timestamp")
    total = np.array([t for t, _ in rows], dtype=float)
    bad = np.minimum([b for _, b in rows], total)
    counts = pd.DataFrame({"good": total - bad, "total": total}, index=index)
    end = start + len(rows) * pd.Timedelta(minutes=1)
    tiers = (
        Tier("fast", "page", 0.5, pd.Timedelta(minutes=10), pd.Timedelta(minutes=2)),
        Tier("slow", "ticket", 1.0, pd.Timedelta(minutes=30), pd.Timedelta(minutes=5)),
    )
    report = SloReport([SloData(slo, start, end, end, counts)], tiers)
    expected = _reference_episodes(report.alerts())
    pd.testing.assert_frame_equal(report.episodes(), expected, check_exact=True)
