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
