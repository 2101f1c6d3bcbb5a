"""SLO page alerts as a change-failure signal: matching, page starts, and when it cannot run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from opsbook.ops import pages
from opsbook.settings import resolve
from opsbook.slo.maths import DEFAULT_TIERS
from opsbook.slo.spec import EXAMPLE, parse_slos

SLO = parse_slos(EXAMPLE)[0]  # checkout-availability: service "checkout", 99.9 % over 30 days
PAGE_TIERS = [t for t in DEFAULT_TIERS if t.severity == "page"]


def test_an_slo_watches_its_service_a_named_dimension_or_an_override() -> None:
    assert pages.slo_service(SLO, ["checkout", "orders"], {}) == "checkout"
    assert pages.slo_service(SLO, ["orders"], {}) is None
    # The load balancer named in the SLI's dimensions, when that is what was deployed.
    assert pages.slo_service(SLO, ["app/checkout-alb/50dc6c495c0c9188"], {}) == (
        "app/checkout-alb/50dc6c495c0c9188"
    )
    assert pages.slo_service(SLO, ["checkout", "web"], {SLO.name: "web"}) == "web"


def test_page_starts_follow_the_burn() -> None:
    # 8 hours of 1,000 requests a minute; from 07:00 on, 5 % fail: 50 times the budget's rate.
    index = pd.date_range("2026-11-14 00:00", periods=8 * 60, freq="1min", tz="UTC")
    bad = pd.Series(0.0, index=index)
    bad[index >= pd.Timestamp("2026-11-14 07:00", tz="UTC")] = 50.0
    counts = pd.DataFrame({"good": 1000.0 - bad, "total": 1000.0}, index=index)
    found = pages.find_page_starts(SLO, counts, index[-1] + pd.Timedelta(minutes=1), PAGE_TIERS)
    starts = found.set_index("tier").started
    # Fast (1h/5m, 14.4x): the hour's error share passes 1.44 % after ~18 bad minutes; medium
    # (6h/30m, 6x) passes 0.6 % of six hours after ~44.
    assert set(starts.index) == {"fast", "medium"}
    assert pd.Timestamp("2026-11-14 07:15", tz="UTC") <= starts["fast"]
    assert starts["fast"] <= pd.Timestamp("2026-11-14 07:20", tz="UTC")
    assert pd.Timestamp("2026-11-14 07:40", tz="UTC") <= starts["medium"]
    assert starts["medium"] <= pd.Timestamp("2026-11-14 07:46", tz="UTC")
    assert found.ended.isna().all()  # still firing at the end of the counts


def test_spans_around_deployments_merge_when_they_overlap() -> None:
    at = pd.to_datetime(["2026-11-14 10:00", "2026-11-14 12:00", "2026-11-15 10:00"], utc=True)
    spans = pages.spans_around(list(at), pd.Timedelta(hours=6), pd.Timedelta(minutes=60))
    assert [(lo.hour, hi.hour) for lo, hi in spans] == [(4, 13), (4, 11)]
    assert spans[0][1] - spans[0][0] == pd.Timedelta(hours=9, minutes=1)


def test_no_sli_data_around_the_deployments_makes_the_signal_unavailable(sample_dir: Path) -> None:
    settings = resolve(backend="local", data_dir=str(sample_dir))
    deployments = pd.DataFrame({"deployed_at": pd.to_datetime(["2026-06-01 10:00"], utc=True),
                                "account_id": ["1"], "service": ["checkout-api"]})  # fmt: skip
    signal = pages.read_slo_pages(deployments, window=60, settings=settings)
    assert not signal.available and signal.pages.empty
    status = signal.status.set_index("slo").status
    assert status["checkout-latency"] == "no data"
    assert "checkout-latency: no data" in signal.note


def test_without_a_page_tier_or_a_spec_nothing_is_evaluated(tmp_path: Path) -> None:
    deployments = pd.DataFrame({"deployed_at": pd.to_datetime(["2026-11-14"], utc=True),
                                "account_id": ["1"], "service": ["checkout"]})  # fmt: skip
    settings = resolve(backend="local", data_dir=str(tmp_path))
    missing = pages.read_slo_pages(deployments, window=60, settings=settings)
    assert not missing.available and "no SLO spec" in missing.note
    tickets = [t for t in DEFAULT_TIERS if t.severity == "ticket"]
    none = pages.read_slo_pages(
        deployments, window=60, spec=[SLO], tiers=tickets, settings=settings
    )
    assert not none.available and none.note == "no page tier among the SLO tiers"
