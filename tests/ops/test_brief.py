"""The morning brief on the pinned sample: the injected events show in its findings.

The sample (as of 2026-11-15) puts the failed checkout-api deployment (13:58), the catalog SLO
burn (to the end) and the flapping orders-worker alarm in 2026-11-14, the brief's day for a run on
2026-11-15; the injected cost anomaly is on 2026-11-05, so its brief is judged on that day too.
The notebook's run is the daily suite's on that morning (``support.reports.published``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from opsbook.ops import review_brief
from opsbook.runner import read_records
from opsbook.settings import resolve
from support.reports import published

pytestmark = pytest.mark.kernel  # starts notebook kernels

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def brief(sample_dir: Path):
    return review_brief("2026-11-14", settings=resolve(data_dir=str(sample_dir)))


def test_the_brief_finds_the_burning_slo_flapping_alarm_and_failed_deployment(brief) -> None:
    sections = brief.figures()["sections"]
    assert sections["freshness"] == "PASS"
    assert sections["slos"] == sections["alarms"] == sections["deployments"] == "FINDING"
    lines = brief.findings()
    assert any(line.startswith("slos: catalog-lambda-success: exhausted") for line in lines)
    assert any("burned most in the day: catalog-lambda-success" in line for line in lines)
    assert any("catalog-api-availability-burn-rate-1h in ALARM" in line for line in lines)
    assert any(line.startswith("alarms: orders-worker-duration-p99 flapping") for line in lines)
    assert any(line.startswith("deployments: checkout-api:43 deployed 2026-11-14 13:58 UTC failed")
               for line in lines)  # fmt: skip
    assert any("new: unhandled KeyError 'shipping_zone'" in line for line in lines)


def test_the_brief_finds_the_cost_anomaly_on_its_day(sample_dir: Path) -> None:
    brief = review_brief("2026-11-05", settings=resolve(data_dir=str(sample_dir)))
    cost = brief.section("cost")
    assert cost.status() == "FINDING"
    assert cost.findings()[0].startswith("Cost anomaly 2026-11-05: AmazonEC2 in shop-prod +$")
    assert "mostly USE1-NatGateway-Bytes" in cost.findings()[0]
    assert "against 2026-10's first 5 day(s)" in cost.findings()[1]
    # The logs of the sample start on 2026-11-08: the error section says so, never "all quiet".
    assert brief.section("errors").status() == "SKIPPED"
    assert "logs starts 2026-11-08" in brief.section("errors").findings()[0]


def test_stale_data_is_skipped_with_its_reason(sample_dir: Path) -> None:
    brief = review_brief("2026-11-20", settings=resolve(data_dir=str(sample_dir)))
    assert brief.section("freshness").status() == "FINDING"
    for name in ("cost", "slos", "errors"):
        assert brief.section(name).status() == "SKIPPED"
        assert brief.section(name).findings()[0].startswith("stale data, not judged")


def test_the_brief_notebook_records_its_headlines(sample_dir: Path) -> None:
    notebook = published("daily", "notebooks/daily-brief.ipynb", sample_dir, {"day": "2026-11-14"})
    records = read_records(notebook)
    assert records["status"] == "FINDING"
    assert records["sections"]["deployments"] == "FINDING"
    assert any("orders-worker-duration-p99 flapping" in line for line in records["findings"])
