"""The sample's ALB access logs and VPC flow logs tell the incident the other sources tell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from opsbook import logs
from opsbook.incident import drill_5xx
from opsbook.settings import resolve

ACCOUNT = "334455667788"
ALB = f"s3://northpeak-shop-prod-logs/AWSLogs/{ACCOUNT}/elasticloadbalancing/us-east-1/"
VPC = f"s3://northpeak-shop-prod-logs/AWSLogs/{ACCOUNT}/vpcflowlogs/us-east-1/"


@pytest.fixture(scope="module")
def settings(sample_dir: Path, sample_cache: Path):
    """The pinned sample with the session's cache: what it decodes is decoded once a session."""
    return resolve(backend="local", data_dir=str(sample_dir), cache_dir=str(sample_cache))


def test_the_archives_are_listed(settings) -> None:
    listed = logs.list_s3_sources(settings=settings)
    assert listed[["source", "format"]].values.tolist() == [[ALB, "alb"], [VPC, "vpcflow"]]


def test_the_5xx_burst_is_in_the_alb_logs_and_on_the_bad_revisions_targets(
    settings, sample_dir: Path
) -> None:
    facts = json.loads((sample_dir / "sample.json").read_text())["s3logs"]["alb"]
    per_minute = logs.query(
        "filter elb_status_code >= 500 | stats count(*) as errors by bin(15m) as slot",
        [ALB], "2026-11-14T13:00Z", "2026-11-14T16:00Z", settings=settings,
    )  # fmt: skip
    busiest = per_minute.sort_values("errors").iloc[-1]
    assert "2026-11-14 14:00" <= str(busiest.slot) <= "2026-11-14 14:45"
    assert per_minute.errors.sum() == facts["elb_5xx"] + facts["target_5xx"]
    drill = drill_5xx("checkout-api", "2026-11-14T13:30Z", "2026-11-14T15:00Z", settings=settings)
    assert drill.alb_sources == (ALB,)
    top = drill.alb_by_target.iloc[0]
    assert top.alb_5xx > 10 * drill.alb_by_target.alb_5xx.iloc[-1]
    assert (
        drill.findings()[-1].startswith("ALB access logs: ") and top.target in drill.findings()[-1]
    )


def test_rejected_traffic_is_in_the_flow_logs(settings, sample_dir: Path) -> None:
    facts = json.loads((sample_dir / "sample.json").read_text())["s3logs"]["vpc"]
    during = logs.query(
        "filter action = 'REJECT' and dstport = 8443 | stats count(*) as flows by dstaddr",
        [VPC], "2026-11-14T14:00Z", "2026-11-14T15:00Z", settings=settings,
    )  # fmt: skip
    assert during.to_dict("records") == [
        {"dstaddr": "10.0.30.15", "flows": facts["rejected_to_inventory"]}
    ]
    before = logs.query(
        "filter action = 'REJECT' | stats count(*) as flows by dstport",
        [VPC], "2026-11-14T09:00Z", "2026-11-14T10:00Z", settings=settings,
    )  # fmt: skip
    assert set(before.dstport) <= {22, 23, 3389}


def test_without_alb_logs_the_drill_says_so(settings, sample_dir: Path, tmp_path: Path) -> None:
    for entry in sample_dir.iterdir():  # the sample, but no S3 log bucket
        if entry.name != "s3":
            (tmp_path / entry.name).symlink_to(entry)
    drill = drill_5xx("checkout-api", "2026-11-14T13:30Z", "2026-11-14T15:00Z",
                      settings=settings.replace(data_dir=str(tmp_path)))  # fmt: skip
    assert drill.alb_sources == () and drill.alb_by_target.empty
    assert drill.findings()[-1].startswith("no ALB access logs in S3")
    assert drill.failing_route() == "/cart"
