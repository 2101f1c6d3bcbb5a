"""A snapshot of the sample's incident replays offline: triage on it finds the same things."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from opsbook.errors import ConfigurationError
from opsbook.incident import FIRST_CHECKS, drill_5xx, snapshot, triage
from opsbook.settings import resolve

START, END = "2026-11-14T14:00Z", "2026-11-14T15:00Z"


def test_triage_on_a_snapshot_finds_what_triage_on_the_source_finds(
    sample_dir: Path, tmp_path: Path
) -> None:
    source = resolve(backend="local", data_dir=str(sample_dir))
    dest = tmp_path / "incident"
    made = snapshot("checkout-api", START, END, dest, settings=source)
    assert made.problems == {}, made.problems
    counts = made.summary()["items"]
    assert (
        counts["logs"] > 1000
        and counts["changes"] >= 2
        and counts["alarms"] >= 10
        and counts["metrics"] > 0
    )
    files = {str(p) for p in made.files()}
    assert "alarms/describe-alarms.json" in files and "slos.yaml" in files
    assert any(
        f.startswith("logs/export/ecs/checkout-api/") and f.endswith("/000000.gz") for f in files
    )
    trail = next(
        dest.glob("cloudtrail/AWSLogs/334455667788/CloudTrail/us-east-1/2026/11/14/*.json.gz")
    )
    records = json.loads(gzip.decompress(trail.read_bytes()))["Records"]
    assert {"UpdateService"} <= {r["eventName"] for r in records}

    original = triage("checkout-api", START, END, checks=FIRST_CHECKS, settings=source)
    replayed = triage("checkout-api", START, END, checks=FIRST_CHECKS,
                      settings=source.replace(data_dir=str(dest)))  # fmt: skip
    columns = ["check", "what", "since"]
    assert (
        replayed.found().iloc[0].what == "UpdateService shop-prod/checkout-api to checkout-api:43"
    )
    pd.testing.assert_frame_equal(replayed.found()[columns], original.found()[columns])
    assert replayed.summary().status.to_dict() == original.summary().status.to_dict()
    drill = drill_5xx("checkout-api", START, END, settings=source.replace(data_dir=str(dest)))
    assert drill.failing_route() == "/cart"


def test_a_snapshot_never_writes_into_a_used_folder(sample_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("postmortem draft")
    with pytest.raises(ConfigurationError, match="not empty: give a new folder"):
        snapshot(
            "checkout-api",
            START,
            END,
            tmp_path,
            settings=resolve(backend="local", data_dir=str(sample_dir)),
        )
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
